"""Pickled dicts in .npz and pickle files, read with a restricted unpickler.

- **SEED_Multimodal** (``02-EEG-DE-feature/eeg_used_*/{sub}_{ses}.npz``): ``train_data`` /
  ``test_data`` are pickled dicts band -> (n_windows, n_channels) stored as 0-d byte-string
  arrays, ``train_label`` / ``test_label`` per window; the eye features
  (``04-Eye-tracking-feature/eye_tracking_feature/{sub}_{ses}``) a plain pickle of
  ``{"train_data_eye": (n, 33), "test_data_eye": (n, 33)}``. Trials are not marked: they
  are recovered from the label runs (:func:`recover_clips`).
- **SEED-V** (``EEG_DE_features/{sub}_123.npz``, ``Eye_movement_features/{sub}_123.npz``):
  members ``data`` and ``label``, each a pickled dict keyed 0..n-1 (session = key //
  n_trials, trial = key % n_trials); ``data[k]`` (n_windows, n_columns), ``label[k]`` per window.

The unpickler allows only what these files hold (dicts, lists, numpy arrays and scalars),
so a tampered file cannot run code.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...recording import DataFormatError, check_file, first_line

logger = logging.getLogger(__name__)


class _NumpyUnpickler:
    """Unpickle the lab's files allowing only what they hold (dicts, numpy arrays), so a
    tampered file cannot run code."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
               ("numpy._core.multiarray", "scalar")}

    @classmethod
    def load(cls, data: bytes, path: Path, what: str):
        import io
        import pickle

        class Restricted(pickle.Unpickler):
            def find_class(self, module, name):
                if (module, name) not in cls.ALLOWED:
                    raise pickle.UnpicklingError(f"global {module}.{name} not allowed")
                return super().find_class(module, name)

        try:
            return Restricted(io.BytesIO(data)).load()
        except Exception as err:  # pickle raises many types for corrupt data
            raise DataFormatError(path, f"{what} is not a readable pickle ({first_line(err)})") from None


def unpickle(data: bytes, path: Path, what: str):
    """``pickle.loads(data)`` allowing only dicts, lists and numpy arrays/scalars."""
    return _NumpyUnpickler.load(data, path, what)


def _open_npz(path: Path):
    check_file(path)
    try:
        npz = np.load(path, allow_pickle=False)
        members = set(npz.files)
    except Exception as err:
        raise DataFormatError(path, f"not a readable .npz file ({first_line(err)})") from None
    return npz, members


def _pickled_member(npz, members: set, path: Path, member: str):
    if member not in members:
        raise DataFormatError(path, f"no member '{member}' (found: {', '.join(sorted(members))})")
    stored = npz[member]
    if stored.ndim != 0 or stored.dtype.kind != "S":
        raise DataFormatError(path, f"{member} is a {stored.dtype} array of shape {stored.shape}, "
                              "expected a 0-d byte string holding a pickled dict")
    return unpickle(stored.item(), path, member)


# --- SEED_Multimodal -------------------------------------------------------------------


def read_band_dict_npz(
    path: str | Path, *, parts: Sequence[str], bands: Sequence[str], n_channels: int, label_values: set,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read a SEED_Multimodal ``02-EEG-DE-feature/eeg_used_*/{sub}_{ses}.npz``.

    Returns
    -------
    parts : dict
        part -> (de, labels): de (n_windows, n_channels, n_bands) float64 in ``bands``
        order, labels (n_windows,) int as stored.
    """
    path = Path(path)
    npz, members = _open_npz(path)
    out = {}
    with npz:
        for part in parts:
            if f"{part}_label" not in members:
                raise DataFormatError(path, f"no member '{part}_label' (found: {', '.join(sorted(members))})")
            content = _pickled_member(npz, members, path, f"{part}_data")
            if not isinstance(content, dict) or set(content) != set(bands):
                keys = sorted(content) if isinstance(content, dict) else type(content).__name__
                raise DataFormatError(path, f"{part}_data holds {keys}, expected a dict with keys {', '.join(bands)}")
            arrays = [np.asarray(content[name], dtype=np.float64) for name in bands]
            for name, array in zip(bands, arrays):
                if array.ndim != 2 or array.shape[1] != n_channels or array.shape != arrays[0].shape:
                    raise DataFormatError(path, f"{part}_data['{name}'] has shape {array.shape}, expected "
                                          f"({arrays[0].shape[0]}, {n_channels}) like the other bands")
            labels = np.asarray(npz[f"{part}_label"]).ravel()
            if labels.size != arrays[0].shape[0]:
                raise DataFormatError(path, f"{part}_label has {labels.size} entries for {arrays[0].shape[0]} windows")
            if not np.isin(labels, list(label_values)).all():
                raise DataFormatError(path, f"{part}_label holds values outside {sorted(label_values)}")
            out[part] = (np.stack(arrays, axis=2), labels.astype(np.int64))
    return out


def read_eye_pickle(path: str | Path, *, parts: Sequence[str], n_features: int) -> dict[str, np.ndarray]:
    """Read a SEED_Multimodal eye-feature pickle: part -> (n_windows, n_features) float64."""
    path = Path(path)
    check_file(path)
    content = unpickle(path.read_bytes(), path, "the file")
    if not isinstance(content, dict):
        keys = ", ".join(f"{part}_data_eye" for part in parts)
        raise DataFormatError(path, f"holds a {type(content).__name__}, expected a dict with {keys}")
    out = {}
    for part in parts:
        key = f"{part}_data_eye"
        if key not in content:
            raise DataFormatError(path, f"no key '{key}' (found: {', '.join(map(str, content))})")
        array = np.asarray(content[key], dtype=np.float64).squeeze()
        if array.ndim != 2 or array.shape[1] != n_features:
            raise DataFormatError(path, f"{key} has shape {array.shape}, expected (n_windows, {n_features})")
        out[part] = array
    return out


def label_runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """``(value, start, stop)`` of each run of equal consecutive labels."""
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts, stops = np.r_[0, edges], np.r_[edges, labels.size]
    return [(int(labels[a]), int(a), int(b)) for a, b in zip(starts, stops)]


def split_run(features: np.ndarray, n_clips: int) -> list[int]:
    """Row offsets (within a run) where each of ``n_clips`` clips of the same label starts,
    from the largest jumps between consecutive windows.

    The lab's features are smoothed within each clip, so the distance between
    consecutive (per-column z-scored) windows is small inside a clip and large across a
    boundary (research note: ~0.1-0.2 versus ~20-30).
    """
    flat = features.reshape(features.shape[0], -1)
    flat = np.where(np.isfinite(flat), flat, np.nanmean(flat, axis=0))
    z = (flat - flat.mean(axis=0)) / np.maximum(flat.std(axis=0), 1e-12)
    jumps = np.linalg.norm(np.diff(z, axis=0), axis=1)  # jumps[t]: between row t and t+1
    cuts = np.sort(np.argsort(jumps)[::-1][: n_clips - 1]) + 1
    return [0, *cuts.tolist()]


def recover_clips(
    labels: np.ndarray, de: np.ndarray, *, path: Path, part: str, window_s: float, clips: Sequence[int],
    expected: Sequence[int], clip_seconds: Sequence[float], dataset: str,
) -> list[tuple[int, int, int]]:
    """``(clip, start, stop)`` rows of each clip of one part, from the label runs.

    ``clips`` are the part's trial numbers, ``expected`` their labels as stored, and
    ``clip_seconds`` every trial's real duration (by trial number - 1). Consecutive
    clips with the same label form one run; it is split where the real clip durations
    put the boundary (floor(T / window) windows per clip) when the run has exactly their
    total, otherwise at the largest feature discontinuity (:func:`split_run`). Never
    from fixed row numbers.
    """
    clips, expected = list(clips), list(expected)
    groups: list[list[int]] = []  # clips per expected run
    for clip, value in zip(clips, expected):
        if groups and expected[clips.index(groups[-1][-1])] == value:
            groups[-1].append(clip)
        else:
            groups.append([clip])
    runs = label_runs(labels)
    found = [value for value, _, _ in runs]
    wanted = [expected[clips.index(group[0])] for group in groups]
    if found != wanted:
        raise DataFormatError(path, f"{part}_label runs {found} do not match {dataset}'s clips {clips[0]}-{clips[-1]} "
                              f"(labels + 1: {wanted})")
    bounds = []
    for (_, start, stop), group in zip(runs, groups):
        if len(group) == 1:
            bounds.append((group[0], start, stop))
            continue
        counts = [int(clip_seconds[c - 1] // window_s) for c in group]
        by_jump = split_run(de[start:stop], len(group))
        if sum(counts) == stop - start:
            offsets = np.r_[0, np.cumsum(counts)[:-1]].tolist()
            if offsets != by_jump:
                logger.warning("%s: %s clips %s split by the %s clip durations at %s; the feature jump is at %s",
                               path, part, group, dataset, offsets, by_jump)
        else:
            offsets = by_jump
        edges = [start + o for o in offsets] + [stop]
        bounds += [(clip, edges[i], edges[i + 1]) for i, clip in enumerate(group)]
    return bounds


# --- SEED-V: dicts keyed by trial ------------------------------------------------------


def read_trial_dict_npz(
    path: str | Path, *, n_keys: int, n_columns: int, label_values: set,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Read a SEED-V feature file: ``data`` and ``label``, pickled dicts keyed 0..n_keys-1.

    Returns
    -------
    data : list of ndarray, shape (n_windows_k, n_columns)
        float64 per key, in key order; NaN kept as stored.
    labels : list of ndarray, shape (n_windows_k,)
        int64 per key.
    """
    path = Path(path)
    npz, members = _open_npz(path)
    with npz:
        data = _pickled_member(npz, members, path, "data")
        labels = _pickled_member(npz, members, path, "label")
    for member, content in (("data", data), ("label", labels)):
        if not isinstance(content, dict):
            raise DataFormatError(path, f"{member} holds a {type(content).__name__}, expected a dict keyed 0-{n_keys - 1}")
        keys = sorted(int(k) for k in content)
        if keys != list(range(n_keys)):
            missing = sorted(set(range(n_keys)) - set(keys))
            raise DataFormatError(path, f"{member} has {len(keys)} keys, expected 0-{n_keys - 1} "
                                  f"(missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
                                  f"unexpected {sorted(set(keys) - set(range(n_keys)))[:5]})")
    out_data, out_labels = [], []
    for k in range(n_keys):
        array = np.asarray(data[k])
        if array.ndim != 2 or array.shape[1] != n_columns or not array.shape[0]:
            raise DataFormatError(path, f"data[{k}] has shape {array.shape}, expected (n_windows, {n_columns})")
        if not np.issubdtype(array.dtype, np.number):
            raise DataFormatError(path, f"data[{k}] is not numeric ({array.dtype})")
        label = np.asarray(labels[k]).ravel()
        if label.size != array.shape[0]:
            raise DataFormatError(path, f"label[{k}] has {label.size} entries for the {array.shape[0]} windows of data[{k}]")
        if not np.isin(label, list(label_values)).all():
            raise DataFormatError(path, f"label[{k}] holds values outside {sorted(label_values)}")
        out_data.append(array.astype(np.float64))
        out_labels.append(label.astype(np.int64))
    return out_data, out_labels


def band_order(de: np.ndarray, *, n_channels: int, n_bands: int, path: Path) -> str:
    """Whether flat DE rows (n_windows, n_channels * n_bands) are channel-major
    (``ch * n_bands + band``) or band-major (``band * n_channels + ch``), from the data.

    DE of scalp EEG falls with frequency: on (nearly) every channel the lowest band's
    mean lies above the highest band's. Read the right way, that holds for at least 90 %
    of the channels; read the wrong way, each "channel" pairs columns of unrelated bands
    and channels and it holds for about half of them. The reading where it holds for
    >= 90 % of the channels while the other reading stays <= 75 % wins; anything else is
    refused (a file of another layout, or data without that spectral slope).
    """
    finite = de[np.isfinite(de).all(axis=1)]
    if not finite.shape[0]:
        raise DataFormatError(path, "no window without NaN/inf to tell the order of the DE columns")
    mean = finite.mean(axis=0)
    readings = {"channel-major": mean.reshape(n_channels, n_bands), "band-major": mean.reshape(n_bands, n_channels).T}
    share = {order: float(np.mean(m[:, 0] > m[:, -1])) for order, m in readings.items()}
    for order, other in (("channel-major", "band-major"), ("band-major", "channel-major")):
        if share[order] >= 0.9 and share[other] <= 0.75:
            return order
    raise DataFormatError(path, f"cannot tell whether the {n_channels * n_bands} DE columns are channel-major or "
                          f"band-major: the first band's DE exceeds the last's on {share['channel-major']:.0%} of the "
                          f"channels read channel-major and {share['band-major']:.0%} read band-major (expected >= 90% "
                          "one way and <= 75% the other)")
