"""Per-subject .mat files keyed by video number, and the label workbook (SEED-VII).

One file per subject holds every clip of every session; video v = (session - 1) x
n_trials + trial:

- **EEG** (``EEG_preprocessed/{subject}.mat``): ``'{v}'`` (n_channels, n_samples) at the
  spec's rate, µV;
- **band features** (``EEG_features/{subject}.mat``): ``de_{v}``, ``de_LDS_{v}``,
  ``psd_{v}``, each (n_windows, n_bands, n_channels) as the release documents it
  (band-major); the order of the band and channel axes is decided from the data
  (:func:`.pickled.band_order`: DE falls with frequency) and an ambiguous file is refused;
- **eye features** (``EYE_features/{subject}.mat``): ``'{v}'`` (n_windows, n_eye_features);
- **labels** (``emotion_label_and_stimuli_order.xlsx``): one sheet, no header; per session
  a row ``Video index`` + n_trials video numbers and a row ``Session k`` + n_trials
  emotion names (read with pandas + openpyxl).

Only the variables of the requested videos are loaded (Matlab v5 through SciPy, v7.3
through h5py, transposed to Matlab's axis order).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...recording import DataFormatError, check_eeg, check_file, first_line, mat_truncation, name_list
from . import Spec
from .pickled import band_order

BAND_FEATURES = ("de_LDS", "de")  # config <dataset>.extracted_feature; PSD always from psd_{v}
PSD_VARIABLE = "psd"


def load_variables(path: str | Path, names: Sequence[str]) -> dict[str, np.ndarray]:
    """The variables ``names`` of a .mat file that holds them (absent ones left out)."""
    import scipy.io

    path = Path(path)
    check_file(path)
    try:
        content = scipy.io.loadmat(path, variable_names=list(names))
        return {k: v for k, v in content.items() if not k.startswith("__")}
    except NotImplementedError:  # Matlab v7.3 = HDF5
        pass
    except Exception as err:  # scipy raises many types for corrupt files
        raise DataFormatError(path, mat_truncation(path) or f"unreadable .mat file ({first_line(err)})") from None
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return {name: np.asarray(f[name]).T for name in names if name in f}
    except Exception as err:
        raise DataFormatError(path, f"unreadable .mat (v7.3) file ({first_line(err)})") from None


def _variables_like(path: Path, pattern: str) -> list[str]:
    """Names of a v5 file's variables matching ``pattern`` (for an error message)."""
    import scipy.io

    try:
        names = [name for name, _, _ in scipy.io.whosmat(path)]
    except Exception:
        return []
    return sorted((n for n in names if re.fullmatch(pattern, n)), key=lambda n: (len(n), n))


def _missing(path: Path, name: str, what: str, pattern: str) -> DataFormatError:
    found = _variables_like(path, pattern)
    return DataFormatError(path, f"no variable '{name}' ({what}; found {len(found)} like "
                           f"{name_list(found, limit=4) or 'none'}): a clip is missing")


def read_eeg(path: str | Path, spec: Spec, videos: Sequence[int]) -> dict[int, np.ndarray]:
    """``'{v}'`` of every video in ``videos``: (n_channels, n_samples) float64, C-ordered."""
    path = Path(path)
    content = load_variables(path, [str(v) for v in videos])
    out = {}
    for v in videos:
        if str(v) not in content:
            raise _missing(path, str(v), "EEG by video number", r"\d+")
        out[v] = check_eeg(path, f"'{v}'", content.pop(str(v)), len(spec.channels))
    return out


def read_eye(path: str | Path, spec: Spec, videos: Sequence[int]) -> dict[int, np.ndarray]:
    """``'{v}'`` of every video: (n_windows, n_eye_features) float64, NaN kept as stored."""
    path = Path(path)
    n_features = len(spec.eye_feature_names)
    content = load_variables(path, [str(v) for v in videos])
    out = {}
    for v in videos:
        if str(v) not in content:
            raise _missing(path, str(v), "eye features by video", r"\d+")
        array = np.asarray(content[str(v)])
        if array.ndim != 2 or array.shape[1] != n_features or not array.shape[0]:
            raise DataFormatError(path, f"'{v}' has shape {array.shape}, expected (n_windows, {n_features})")
        if not np.issubdtype(array.dtype, np.number):
            raise DataFormatError(path, f"'{v}' is not numeric ({array.dtype})")
        out[v] = np.ascontiguousarray(array, dtype=np.float64)
    return out


def _flat(path: Path, name: str, array: np.ndarray, n_channels: int, n_bands: int) -> tuple[np.ndarray, str]:
    """(n_windows, n_channels * n_bands) in C order and the order the array's axes state
    ("band-major", "channel-major", or "" for flat rows)."""
    array = np.asarray(array)
    if not np.issubdtype(array.dtype, np.number):
        raise DataFormatError(path, f"{name} is not numeric ({array.dtype})")
    n = array.shape[0] if array.ndim else 0
    if array.ndim == 3 and n and array.shape[1:] == (n_bands, n_channels):
        stated = "band-major"
    elif array.ndim == 3 and n and array.shape[1:] == (n_channels, n_bands):
        stated = "channel-major"
    elif array.ndim == 2 and n and array.shape[1] == n_channels * n_bands:
        stated = ""
    else:
        raise DataFormatError(path, f"{name} has shape {array.shape}, expected (n_windows, {n_bands}, {n_channels})")
    return array.reshape(n, -1).astype(np.float64), stated


def read_band_features(
    path: str | Path, spec: Spec, videos: Sequence[int], feature: str = "de_LDS",
) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], str]:
    """``{feature}_{v}`` and ``psd_{v}`` of every video.

    Returns
    -------
    clips : dict video -> (de, psd)
        Each (n_windows, n_channels, n_bands) float64 (our axis order).
    order : str
        ``"band-major"`` or ``"channel-major"``: how the file stores them, decided from the
        DE of all the videos read (delta above gamma on >= 90 % of the channels one way).
    """
    if feature not in BAND_FEATURES:
        raise ValueError(f"Invalid value for 'extracted_feature'. Allowed values are "
                         f"{', '.join(map(repr, BAND_FEATURES))}, but got {feature!r} instead.")
    path = Path(path)
    n_channels, n_bands = len(spec.channels), len(spec.bands)
    names = [f"{kind}_{v}" for v in videos for kind in (feature, PSD_VARIABLE)]
    content = load_variables(path, names)
    flat, stated = {}, set()
    for v in videos:
        pair = []
        for kind in (feature, PSD_VARIABLE):
            name = f"{kind}_{v}"
            if name not in content:
                raise _missing(path, name, f"expected {feature}_<video> and psd_<video>", rf"{re.escape(kind)}_\d+")
            values, how = _flat(path, name, content.pop(name), n_channels, n_bands)
            if not np.isfinite(values).all():
                raise DataFormatError(path, f"{name} holds NaN/inf in {int((~np.isfinite(values).all(1)).sum())} "
                                      f"window(s)")
            stated.add(how)
            pair.append(values)
        if pair[0].shape != pair[1].shape:
            raise DataFormatError(path, f"{feature}_{v} has {pair[0].shape[0]} windows but psd_{v} has "
                                  f"{pair[1].shape[0]}")
        flat[v] = pair
    order = band_order(np.concatenate([de for de, _ in flat.values()]), n_channels=n_channels, n_bands=n_bands,
                       path=path)
    stated.discard("")
    if stated and stated != {order}:
        raise DataFormatError(path, f"the arrays' axes say {' and '.join(sorted(stated))} but the values read "
                              f"{order} (DE falls from the first band to the last): refusing an ambiguous file")

    def ours(values: np.ndarray) -> np.ndarray:
        n = values.shape[0]
        if order == "channel-major":
            return np.ascontiguousarray(values.reshape(n, n_channels, n_bands))
        return np.ascontiguousarray(values.reshape(n, n_bands, n_channels).transpose(0, 2, 1))

    return {v: (ours(de), ours(psd)) for v, (de, psd) in flat.items()}, order


def read_label_sheet(path: str | Path, spec: Spec, class_names: Sequence[str],
                     sessions: Sequence[int]) -> dict[int, int]:
    """Video -> label value from the workbook (names matched case-insensitively to
    ``class_names``: label value = position).

    The sheet holds per session a ``Video index`` row and a ``Session k`` row of emotion
    names; every session of ``sessions`` must be there with ``n_trials`` videos
    ``(k - 1) * n_trials + 1 ..``.
    """
    import pandas as pd

    path = Path(path)
    check_file(path)
    try:
        sheet = pd.read_excel(path, header=None, engine="openpyxl")
    except Exception as err:  # openpyxl/zipfile raise many types for a broken workbook
        raise DataFormatError(path, f"unreadable label sheet ({first_line(err)})") from None
    n = spec.n_trials
    lookup = {name.lower(): i for i, name in enumerate(class_names)}
    rows = [[cell for cell in row if not (isinstance(cell, float) and np.isnan(cell))] for row in sheet.values.tolist()]
    out: dict[int, int] = {}
    for k in sessions:
        name_row = next((i for i, row in enumerate(rows) if row and re.fullmatch(rf"\s*session\s*{k}\s*",
                                                                              str(row[0]), re.IGNORECASE)), None)
        if name_row is None or name_row == 0:
            raise DataFormatError(path, f"no row 'Session {k}' below a 'Video index' row (first cells: "
                                  f"{name_list([str(r[0]) for r in rows if r], limit=8)})")
        index_row, names = rows[name_row - 1], rows[name_row][1:]
        if not re.fullmatch(r"\s*video\s*index\s*", str(index_row[0] if index_row else ""), re.IGNORECASE):
            raise DataFormatError(path, f"the row above 'Session {k}' starts with {index_row[:1]}, expected 'Video index'")
        try:
            videos = [int(float(v)) for v in index_row[1:]]
        except (TypeError, ValueError):
            raise DataFormatError(path, f"the video indices of session {k} are not numbers: {index_row[1:6]}") from None
        expected = list(range((k - 1) * n + 1, k * n + 1))
        if videos != expected or len(names) != n:
            raise DataFormatError(path, f"session {k} lists videos {videos[:4]}..{videos[-1:]} with {len(names)} "
                                  f"emotions, expected videos {expected[0]}-{expected[-1]} with {n}")
        for v, name in zip(videos, names):
            key = str(name).strip().lower()
            if key not in lookup:
                raise DataFormatError(path, f"video {v} (session {k}) has emotion {name!r}, not one of "
                                      f"{', '.join(class_names)}")
            out[v] = lookup[key]
    return out
