"""Readers for SEED and DEAP as they ship: the only code that knows a file format.

Every reader validates what it reads and returns the same in-memory shape, a
:class:`Recording`: labelled segments (film clips or music-video trials), each with
its EEG array and the other modality's data. Every problem raises
:class:`DataFormatError` with one line naming the file and what is wrong.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import formats


class DataFormatError(ValueError):
    """A data file is missing, unreadable or not in the expected format."""

    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class EyeClip:
    """Eye-movement data of one SEED clip.

    pupil : ndarray, shape (n_samples, 3)
        Columns ``formats.SEED_PUPIL_COLUMNS``: time (s), diameter X, diameter Y (mm).
    events : ndarray, shape (n_events, 6)
        Columns ``formats.SEED_EVENT_COLUMNS``.
    """

    pupil: np.ndarray
    events: np.ndarray


@dataclass
class Segment:
    """One labelled clip/trial.

    eeg : ndarray, shape (n_channels, n_times)
    other : ndarray, shape (n_other_channels, n_times), or EyeClip
        Peripheral signals (DEAP, same rate as the EEG) or eye movements (SEED).
    labels : ndarray, shape (n_label_names,)
    """

    index: int
    eeg: np.ndarray
    other: np.ndarray | EyeClip | None
    labels: np.ndarray


@dataclass
class Recording:
    """What every reader returns: one SEED session or one DEAP subject."""

    name: str
    sfreq: float
    ch_names: tuple[str, ...]
    label_names: tuple[str, ...]
    segments: list[Segment]
    other_kind: str  # "eye_movements" | "peripheral" | "none"
    other_names: tuple[str, ...] = ()
    source_files: dict[str, str] = field(default_factory=dict)  # path -> SHA-256


def sha256_of(path: str | Path, *, chunk: int = 1 << 22) -> str:
    """SHA-256 of a file, read in chunks (raw files can be GBs)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataFormatError(path, "file not found")
    if not path.is_file():
        raise DataFormatError(path, "is not a regular file")
    if path.stat().st_size == 0:
        raise DataFormatError(path, "file is empty")


def _loadmat(path: Path) -> dict:
    import scipy.io

    _check_file(path)
    try:
        content = scipy.io.loadmat(path)
    except Exception as err:  # scipy raises many types for corrupt files
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise DataFormatError(path, f"unreadable .mat file ({message})") from None
    return {k: v for k, v in content.items() if not k.startswith("__")}


def _check_finite(path: Path, name: str, array: np.ndarray) -> None:
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise DataFormatError(path, f"{name} contains {bad} NaN/inf values")


def _check_eeg(path: Path, name: str, array: np.ndarray, n_channels: int) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.number):
        raise DataFormatError(
            path, f"{name} must be a numeric 2-D array (channels x samples), got shape {array.shape}"
        )
    if array.shape[0] != n_channels:
        raise DataFormatError(
            path, f"{name} has {array.shape[0]} channels, expected {n_channels}"
        )
    _check_finite(path, name, array)
    flat = np.flatnonzero(np.ptp(array, axis=1) == 0)
    if flat.size:
        raise DataFormatError(
            path, f"{name} has {flat.size} flat (zero-variance) channel(s), first index {flat[0]}"
        )
    return np.asarray(array, dtype=np.float64)


# --- SEED ----------------------------------------------------------------------------


def read_seed_labels(path: str | Path) -> np.ndarray:
    """Read SEED's ``label.mat``: ``label`` of shape (1, 15) with values in {-1, 0, 1}."""
    path = Path(path)
    content = _loadmat(path)
    if "label" not in content:
        raise DataFormatError(path, f"no variable 'label' (found: {sorted(content)})")
    labels = np.asarray(content["label"]).ravel()
    if labels.size != formats.SEED_N_CLIPS:
        raise DataFormatError(
            path, f"'label' has {labels.size} entries, expected {formats.SEED_N_CLIPS}"
        )
    _check_finite(path, "'label'", labels.astype(float))
    bad = sorted(set(labels.tolist()) - formats.SEED_LABEL_SET)
    if bad:
        raise DataFormatError(path, f"labels {bad} outside the allowed set {{-1, 0, 1}}")
    return labels.astype(np.int64)


def read_seed_eeg(path: str | Path) -> tuple[str, list[np.ndarray]]:
    """Read one SEED session file ``Preprocessed_EEG/{subject}_{date}.mat``.

    Variables are ``{initials}_eeg{k}``, k = 1..15; the initials differ per subject and
    are not checked beyond being one common prefix.

    Returns
    -------
    prefix : str
        The subject's variable prefix (e.g. ``"djc"``).
    clips : list of ndarray, shape (62, n_samples_k)
        The 15 clips in clip order, float64, as stored (µV).
    """
    path = Path(path)
    content = _loadmat(path)
    pattern = re.compile(formats.SEED_EEG_VARIABLE)
    found: dict[int, tuple[str, np.ndarray]] = {}
    for key, value in content.items():
        match = pattern.match(key)
        if match:
            found[int(match["clip"])] = (match["prefix"], value)
    if not found:
        raise DataFormatError(
            path,
            f"no EEG variables named '<initials>_eeg<k>' (found: {sorted(content)[:5]})",
        )
    prefixes = {prefix for prefix, _ in found.values()}
    if len(prefixes) > 1:
        raise DataFormatError(path, f"EEG variables use several prefixes {sorted(prefixes)}")
    expected = set(range(1, formats.SEED_N_CLIPS + 1))
    if set(found) != expected:
        missing = sorted(expected - set(found))
        extra = sorted(set(found) - expected)
        raise DataFormatError(
            path,
            f"found {len(found)} clips, expected {formats.SEED_N_CLIPS} "
            f"(missing {missing}, unexpected {extra})",
        )
    n_channels = len(formats.SEED_CHANNELS)
    clips = [
        _check_eeg(path, f"{found[k][0]}_eeg{k}", found[k][1], n_channels)
        for k in sorted(found)
    ]
    return prefixes.pop(), clips


def read_seed_eye(path: str | Path) -> list[EyeClip]:
    """Read one SEED session's eye-movement file ``Eye_movements/{subject}_{date}.mat``.

    The layout (written by the synthetic generator, documented in the README):
    ``pupil_{k}`` (n, 3) = time (s), diameter X, diameter Y (mm), strictly increasing
    time; ``events_{k}`` (n_events, 6) = type (1 fixation, 2 saccade, 3 blink), onset
    (s), duration (s), dispersion X, dispersion Y, saccade amplitude (deg).
    """
    path = Path(path)
    content = _loadmat(path)
    clips = []
    for k in range(1, formats.SEED_N_CLIPS + 1):
        for name in (f"pupil_{k}", f"events_{k}"):
            if name not in content:
                raise DataFormatError(path, f"no variable '{name}' (clip {k} missing)")
        pupil = np.asarray(content[f"pupil_{k}"], dtype=np.float64)
        events = np.asarray(content[f"events_{k}"], dtype=np.float64)
        if events.size == 0:
            events = events.reshape(0, len(formats.SEED_EVENT_COLUMNS))
        if pupil.ndim != 2 or pupil.shape[1] != len(formats.SEED_PUPIL_COLUMNS):
            raise DataFormatError(
                path, f"pupil_{k} has shape {pupil.shape}, expected (n, {len(formats.SEED_PUPIL_COLUMNS)})"
            )
        if events.ndim != 2 or events.shape[1] != len(formats.SEED_EVENT_COLUMNS):
            raise DataFormatError(
                path, f"events_{k} has shape {events.shape}, expected (n, {len(formats.SEED_EVENT_COLUMNS)})"
            )
        _check_finite(path, f"pupil_{k}", pupil)
        _check_finite(path, f"events_{k}", events)
        if pupil.shape[0] < 2 or np.any(np.diff(pupil[:, 0]) <= 0):
            raise DataFormatError(path, f"pupil_{k} time column is not strictly increasing")
        codes = set(np.unique(events[:, 0]).astype(int).tolist()) if len(events) else set()
        unknown = sorted(codes - set(formats.EYE_EVENT_CODES.values()))
        if unknown:
            raise DataFormatError(path, f"events_{k} has unknown event types {unknown}")
        clips.append(EyeClip(pupil=pupil, events=events))
    return clips


def read_seed_session(
    eeg_path: str | Path, label_path: str | Path, eye_path: str | Path | None = None
) -> Recording:
    """Read one SEED session (EEG, labels, optional eye movements) into a Recording."""
    eeg_path = Path(eeg_path)
    _, clips = read_seed_eeg(eeg_path)
    labels = read_seed_labels(label_path)
    eye = read_seed_eye(eye_path) if eye_path is not None else None
    sources = [eeg_path, Path(label_path)] + ([Path(eye_path)] if eye_path else [])
    segments = [
        Segment(
            index=k + 1,
            eeg=clip,
            other=None if eye is None else eye[k],
            labels=np.array([labels[k]], dtype=np.float64),
        )
        for k, clip in enumerate(clips)
    ]
    return Recording(
        name=eeg_path.stem,
        sfreq=formats.SEED_SFREQ,
        ch_names=formats.SEED_CHANNELS,
        label_names=("emotion",),
        segments=segments,
        other_kind="none" if eye is None else "eye_movements",
        source_files={str(p): sha256_of(p) for p in sources},
    )


# --- DEAP ----------------------------------------------------------------------------


def _load_deap_arrays(path: Path) -> tuple[np.ndarray, np.ndarray]:
    _check_file(path)
    if path.suffix == ".mat":
        content = _loadmat(path)
    else:
        try:
            with open(path, "rb") as f:
                content = pickle.load(f, encoding="latin1")
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


def read_deap_subject(path: str | Path) -> Recording:
    """Read one DEAP subject, ``data_preprocessed_python/sXX.dat`` or ``..._matlab/sXX.mat``.

    ``data`` must be (40, 40, 8064) at 128 Hz (3 s baseline + 60 s), ``labels`` (40, 4)
    in [1, 9]. The 3 s pre-trial baseline is dropped here: features use the 60 s of
    video only.
    """
    path = Path(path)
    data, labels = _load_deap_arrays(path)
    return deap_recording(path, data, labels, sources=[path])


def deap_recording(path: Path, data: np.ndarray, labels: np.ndarray, *, sources: list[Path]) -> Recording:
    """Validate DEAP's ``data`` (40, 40, 8064) and ``labels`` (40, 4) and build the Recording
    (baseline dropped); ``path`` names the file in errors."""
    path = Path(path)
    expected = (formats.DEAP_N_TRIALS, len(formats.DEAP_ALL_CHANNELS), formats.DEAP_N_SAMPLES)
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
    if labels.shape != (formats.DEAP_N_TRIALS, len(formats.DEAP_LABEL_NAMES)):
        raise DataFormatError(
            path, f"'labels' has shape {labels.shape}, expected ({formats.DEAP_N_TRIALS}, 4)"
        )
    _check_finite(path, "'labels'", labels)
    low, high = formats.DEAP_RATING_RANGE
    if labels.min() < low or labels.max() > high:
        raise DataFormatError(
            path, f"ratings outside [{low:g}, {high:g}] (min {labels.min():g}, max {labels.max():g})"
        )
    start = int(round(formats.DEAP_BASELINE_S * formats.DEAP_SFREQ))
    n_eeg = len(formats.DEAP_EEG_CHANNELS)
    segments = []
    for t in range(formats.DEAP_N_TRIALS):
        trial = data[t, :, start:]
        eeg = _check_eeg(path, f"trial {t + 1} EEG", trial[:n_eeg], n_eeg)
        other = np.asarray(trial[n_eeg:], dtype=np.float64)
        _check_finite(path, f"trial {t + 1} peripheral signals", other)
        segments.append(
            Segment(index=t + 1, eeg=eeg, other=other, labels=labels[t].astype(np.float64))
        )
    return Recording(
        name=path.stem,
        sfreq=formats.DEAP_SFREQ,
        ch_names=formats.DEAP_EEG_CHANNELS,
        label_names=formats.DEAP_LABEL_NAMES,
        segments=segments,
        other_kind="peripheral",
        other_names=formats.DEAP_PERIPHERAL_CHANNELS,
        source_files={str(p): sha256_of(p) for p in sources},
    )


def read_raw_recording(dataset: str, files: dict[str, str]) -> Recording:
    """Read one raw recording (SEED ``.cnt`` + ``time.txt``; DEAP ``.bdf`` + ratings CSV),
    cut into clips/trials and brought to the preprocessed rate and layout, so everything
    downstream is the same as for the preprocessed files."""
    from . import raw_formats

    if dataset == "seed":
        cnt = Path(files["cnt"])
        session = raw_formats.read_seed_cnt(cnt, files["time"])
        labels = read_seed_labels(files["labels"])
        eye = read_seed_eye(files["eye"]) if files.get("eye") else None
        segments = [
            Segment(index=k + 1, eeg=_check_eeg(cnt, f"clip {k + 1}", clip, len(formats.SEED_CHANNELS)),
                    other=None if eye is None else eye[k], labels=np.array([labels[k]], dtype=np.float64))
            for k, clip in enumerate(session.clips)
        ]
        sources = [cnt, Path(files["time"]), Path(files["labels"])] + ([Path(files["eye"])] if files.get("eye") else [])
        return Recording(
            name=cnt.stem, sfreq=session.sfreq, ch_names=formats.SEED_CHANNELS, label_names=("emotion",),
            segments=segments, other_kind="none" if eye is None else "eye_movements",
            source_files={str(p): sha256_of(p) for p in sources},
        )
    bdf = Path(files["bdf"])
    data, labels = raw_formats.read_deap_bdf(bdf, files["ratings"], participant=int(bdf.stem.lstrip("s")))
    return deap_recording(bdf, data, labels, sources=[bdf, Path(files["ratings"])])


def read_recording(dataset: str, files: dict[str, str]) -> Recording:
    """Read one recording given its raw files by role (see ``workflow_config.recording_inputs``);
    ``{"segmented": path}`` is a raw recording already cut by :func:`read_raw_recording`."""
    if "segmented" in files:
        from .store import load_recording

        return load_recording(files["segmented"])[0]
    if dataset == "seed":
        return read_seed_session(files["eeg"], files["labels"], files.get("eye"))
    if dataset == "deap":
        return read_deap_subject(files["data"])
    raise ValueError(f"Invalid value for 'dataset'. Allowed values are 'seed' and 'deap', but got {dataset!r} instead.")
