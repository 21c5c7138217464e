"""DEAP's preprocessed entry: ``data_preprocessed_python/sXX.dat`` (Python 2 pickles) or
``data_preprocessed_matlab/sXX.mat``, validated and turned into a Recording (the raw
entry's rebuilt arrays go through the same :func:`recording_from_arrays`)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from ...recording import DataFormatError, Recording, Segment, check_eeg, check_file, check_finite, loadmat, sha256_of
from .spec import (
    ALL_CHANNELS,
    BASELINE_S,
    CLASSES,
    COMPLETE_DAT_BYTES,
    EEG_CHANNELS,
    LABEL_NAMES,
    N_SAMPLES,
    N_TRIALS,
    NAME,
    PERIPHERAL_CHANNELS,
    PICKLE_ENCODING,
    RATING_RANGE,
    SFREQ,
    subject_of,
)


def load_arrays(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``data`` and ``labels`` of a preprocessed file as stored (unchecked shapes).

    ``.dat``: a Python 2 pickle, loaded with ``encoding="latin1"`` as DEAP's readme says;
    ``.mat``: Matlab v5.
    """
    path = Path(path)
    check_file(path)
    if path.suffix == ".mat":
        content = loadmat(path)
    else:
        try:
            with open(path, "rb") as f:
                content = pickle.load(f, encoding=PICKLE_ENCODING)
        except (EOFError, pickle.UnpicklingError) as err:
            if isinstance(err, EOFError) or "truncated" in str(err):
                raise DataFormatError(
                    path, f"truncated pickle: {path.stat().st_size} bytes on disk, the data end before the "
                    f"pickle does (a complete subject file of this layout is {COMPLETE_DAT_BYTES / 1e6:.0f} MB)"
                ) from None
            raise DataFormatError(path, f"unreadable pickle ({type(err).__name__}: {str(err)[:80]})") from None
        except Exception as err:
            raise DataFormatError(
                path, f"unreadable pickle ({type(err).__name__}: {str(err)[:80]})"
            ) from None
        if not isinstance(content, dict):
            raise DataFormatError(path, f"pickle holds a {type(content).__name__}, expected a dict")
    for key in ("data", "labels"):
        if key not in content:
            raise DataFormatError(path, f"no '{key}' entry (found: {sorted(content)})")
    return np.asarray(content["data"]), np.asarray(content["labels"])


def read_subject(path: str | Path) -> Recording:
    """Read one DEAP subject, ``data_preprocessed_python/sXX.dat`` or ``..._matlab/sXX.mat``.

    ``data`` must be (40, 40, 8064) at 128 Hz (3 s baseline + 60 s), ``labels`` (40, 4)
    in [1, 9]. The 3 s pre-trial baseline is dropped here: features use the 60 s of
    video only.
    """
    path = Path(path)
    data, labels = load_arrays(path)
    return recording_from_arrays(path, data, labels, sources=[path])


def recording_from_arrays(path: Path, data: np.ndarray, labels: np.ndarray, *, sources: list[Path]) -> Recording:
    """Validate DEAP's ``data`` (40, 40, 8064) and ``labels`` (40, 4) and build the Recording
    (baseline dropped); ``path`` names the file in errors."""
    path = Path(path)
    expected = (N_TRIALS, len(ALL_CHANNELS), N_SAMPLES)
    if data.ndim != 3 or data.shape[1] != expected[1]:
        raise DataFormatError(
            path, f"'data' has shape {data.shape}, expected {expected} (trials, channels, samples)"
        )
    if data.shape[0] != expected[0]:
        raise DataFormatError(path, f"'data' has {data.shape[0]} trials, expected {expected[0]}")
    if data.shape[2] != expected[2]:
        raise DataFormatError(
            path, f"'data' has {data.shape[2]} samples per trial, expected {expected[2]}"
        )
    if labels.shape != (N_TRIALS, len(LABEL_NAMES)):
        raise DataFormatError(
            path, f"'labels' has shape {labels.shape}, expected ({N_TRIALS}, 4)"
        )
    check_finite(path, "'labels'", labels)
    low, high = RATING_RANGE
    if labels.min() < low or labels.max() > high:
        raise DataFormatError(
            path, f"ratings outside [{low:g}, {high:g}] (min {labels.min():g}, max {labels.max():g})"
        )
    start = int(round(BASELINE_S * SFREQ))
    n_eeg = len(EEG_CHANNELS)
    segments = []
    for t in range(N_TRIALS):
        trial = data[t, :, start:]
        eeg = check_eeg(path, f"trial {t + 1} EEG", trial[:n_eeg], n_eeg)
        other = np.asarray(trial[n_eeg:], dtype=np.float64)
        check_finite(path, f"trial {t + 1} peripheral signals", other)
        segments.append(
            Segment(index=t + 1, eeg=eeg, other=other, labels=labels[t].astype(np.float64))
        )
    return Recording(
        name=path.stem,
        sfreq=SFREQ,
        ch_names=EEG_CHANNELS,
        label_names=LABEL_NAMES,
        segments=segments,
        other_kind="peripheral",
        other_names=PERIPHERAL_CHANNELS,
        source_files={str(p): sha256_of(p) for p in sources},
        classes=dict(CLASSES),
        subject=subject_of(path.stem),
        dataset=NAME,
    )
