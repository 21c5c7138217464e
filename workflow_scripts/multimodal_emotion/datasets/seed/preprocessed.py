"""SEED's entries ``preprocessed`` (``Preprocessed_EEG/*.mat`` + ``label.mat`` + our
documented ``Eye_movements/`` tables) and ``raw`` (``SEED_RAW_EEG/*.cnt`` + ``time.txt``,
with the labels and eye tables of the preprocessed release)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ...recording import (
    EVENT_COLUMNS as CONTRACT_EVENT_COLUMNS,
    EYE_EVENT_CODES,
    PUPIL_COLUMNS as CONTRACT_PUPIL_COLUMNS,
    DataFormatError,
    EyeClip,
    Recording,
    Segment,
    check_eeg,
    check_finite,
    loadmat,
)
from .. import bcmi
from ..bcmi import cnt, eeg_mat, trial_times
from .spec import (
    CHANNELS,
    DROP_CHANNELS,
    EOG_CHANNELS,
    EVENT_CODES,
    EVENT_COLUMNS,
    N_CLIPS,
    PUPIL_COLUMNS,
    RAW_SFREQ,
    SFREQ,
    SPEC,
    TITLE,
    subject_of,
)


def read_labels(path: str | Path) -> np.ndarray:
    """Read SEED's ``label.mat``: ``label`` of shape (1, 15) with values in {-1, 0, 1}."""
    return eeg_mat.read_labels(path, SPEC)


def read_eeg(path: str | Path) -> tuple[str, list[np.ndarray]]:
    """Read ``Preprocessed_EEG/{subject}_{date}.mat``: the initials and the 15 clips (62, n), µV."""
    return eeg_mat.read_eeg(path, SPEC)


def read_eye(path: str | Path) -> list[EyeClip]:
    """Read one SEED session's eye-movement file ``Eye_movements/{subject}_{date}.mat``.

    The layout (written by the synthetic generator, documented in docs/datasets/seed.md):
    ``pupil_{k}`` (n, 3) = time (s), diameter X, diameter Y (mm), strictly increasing
    time; ``events_{k}`` (n_events, 6) = type (1 fixation, 2 saccade, 3 blink), onset
    (s), duration (s), dispersion X, dispersion Y, saccade amplitude (deg).
    """
    path = Path(path)
    content = loadmat(path)
    clips = []
    for k in range(1, N_CLIPS + 1):
        for name in (f"pupil_{k}", f"events_{k}"):
            if name not in content:
                raise DataFormatError(path, f"no variable '{name}' (clip {k} missing)")
        pupil = np.asarray(content[f"pupil_{k}"], dtype=np.float64)
        events = np.asarray(content[f"events_{k}"], dtype=np.float64)
        if events.size == 0:
            events = events.reshape(0, len(EVENT_COLUMNS))
        if pupil.ndim != 2 or pupil.shape[1] != len(PUPIL_COLUMNS):
            raise DataFormatError(
                path, f"pupil_{k} has shape {pupil.shape}, expected (n, {len(PUPIL_COLUMNS)})"
            )
        if events.ndim != 2 or events.shape[1] != len(EVENT_COLUMNS):
            raise DataFormatError(
                path, f"events_{k} has shape {events.shape}, expected (n, {len(EVENT_COLUMNS)})"
            )
        check_finite(path, f"pupil_{k}", pupil)
        check_finite(path, f"events_{k}", events)
        if pupil.shape[0] < 2 or np.any(np.diff(pupil[:, 0]) <= 0):
            raise DataFormatError(path, f"pupil_{k} time column is not strictly increasing")
        codes = set(np.unique(events[:, 0]).astype(int).tolist()) if len(events) else set()
        unknown = sorted(codes - set(EVENT_CODES.values()))
        if unknown:
            raise DataFormatError(path, f"events_{k} has unknown event types {unknown}")
        clips.append(eye_tables_to_contract(pupil, events))
    return clips


def eye_tables_to_contract(pupil: np.ndarray, events: np.ndarray) -> EyeClip:
    """The table's columns in the contract's order (by name) and its type codes as the
    contract's :data:`~..recording.EYE_EVENT_CODES`."""
    pupil = pupil[:, [PUPIL_COLUMNS.index(name) for name in CONTRACT_PUPIL_COLUMNS]]
    events = events[:, [EVENT_COLUMNS.index(name) for name in CONTRACT_EVENT_COLUMNS]].copy()
    kinds = events[:, CONTRACT_EVENT_COLUMNS.index("type")].copy()
    for kind, code in EVENT_CODES.items():
        events[kinds == code, CONTRACT_EVENT_COLUMNS.index("type")] = EYE_EVENT_CODES[kind]
    return EyeClip(pupil=pupil, events=events)


def read_session(
    eeg_path: str | Path, label_path: str | Path, eye_path: str | Path | None = None
) -> Recording:
    """Read one SEED session (EEG, labels, optional eye movements) into a Recording."""
    eeg_path = Path(eeg_path)
    _, clips = read_eeg(eeg_path)
    sources = [eeg_path, Path(label_path)] + ([Path(eye_path)] if eye_path else [])
    return clips_recording(eeg_path, clips, sfreq=SFREQ, label_path=label_path, eye_path=eye_path, sources=sources)


def read_raw_session(files: Mapping[str, str], *, data_format: str = "auto") -> Recording:
    """Read one raw session (``.cnt`` + ``time.txt``) cut into its 15 clips at 200 Hz,
    with the labels and eye movements of the preprocessed release."""
    cnt_path = Path(files["cnt"])
    session = read_cnt(cnt_path, files["time"], data_format=data_format)
    clips = [check_eeg(cnt_path, f"clip {k + 1}", clip, len(CHANNELS)) for k, clip in enumerate(session.clips)]
    sources = [cnt_path, Path(files["time"]), Path(files["labels"])] + ([Path(files["eye"])] if files.get("eye") else [])
    return clips_recording(cnt_path, clips, sfreq=session.sfreq, label_path=files["labels"],
                           eye_path=files.get("eye"), sources=sources)


def clips_recording(path: Path, clips: list[np.ndarray], *, sfreq: float, label_path, eye_path, sources) -> Recording:
    """A session's EEG clips with their labels and, given ``eye_path``, our eye tables."""
    labels = read_labels(label_path)
    eye = read_eye(eye_path) if eye_path else None
    segments = [
        Segment(index=k + 1, eeg=clip, other=None if eye is None else eye[k],
                labels=np.array([labels[k]], dtype=np.float64))
        for k, clip in enumerate(clips)
    ]
    return bcmi.recording(SPEC, name=path.stem, subject=subject_of(path.stem), segments=segments, sources=sources,
                          other_kind="none" if eye is None else "eye_movements")


def read_time_txt(path: str | Path, *, n_clips: int = N_CLIPS) -> list[tuple[int, int]]:
    """The 15 clip bounds (samples at 1000 Hz) of ``SEED_RAW_EEG/time.txt``
    (:func:`.bcmi.trial_times.read_time_txt`)."""
    return trial_times.read_time_txt(path, n_clips=n_clips)


def read_cnt(cnt_path: str | Path, time_path: str | Path, **options) -> cnt.RawSession:
    """Read a SEED raw session (``.cnt`` + ``time.txt``) cut into its 15 clips at 200 Hz,
    µV, rows in :data:`CHANNELS` order (see :func:`.bcmi.cnt.read_cnt` for ``options``)."""
    options = {"sfreq_expected": RAW_SFREQ, "target_sfreq": SFREQ, "eog": EOG_CHANNELS, "drop": DROP_CHANNELS,
               "n_clips": N_CLIPS, **options}
    return cnt.read_cnt(cnt_path, time_path, channels=CHANNELS, config_key="seed.cnt_data_format", dataset=TITLE,
                        **options)
