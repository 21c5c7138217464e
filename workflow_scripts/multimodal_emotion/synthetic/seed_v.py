"""Synthetic SEED-V, written as the release ships it (through :mod:`..datasets.seed_v`).

- ``EEG_DE_features/{subject}_123.npz``: ``np.savez`` with ``data`` and ``label``, each a
  pickled dict keyed 0-44 (session = key // 15, trial = key % 15) stored as a 0-d byte
  string (``pickle.loads(np.load(f)["data"])`` reads it); ``data[k]`` (n_windows, 310)
  LDS-smoothed DE on 4 s windows, channel-major (``ch * 5 + band``); ``label[k]`` per window;
- ``Eye_movement_features/{subject}_123.npz``: the same layout, ``data[k]`` (n_windows, 33);
- ``EEG_raw/{subject}_{session}_{date}.cnt``: Neuroscan CNT (int32, 1000 Hz, the 62
  channels + M1 M2 HEO VEO) from the same signals, trials at the times of
- ``trial_start_end_timestamp.txt`` (s): ours, not the release's times (shorter trials).

The emotion effect: per class a score on three axes, as for SEED-IV (:mod:`.seed_iv`).
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..datasets import seed_v as fmt
from ..store import atomic_path
from .config import SyntheticConfig, rng_for
from .family import lab_features, raw_trial_bounds, session_trials, upsampled_recording
from .seed import write_cnt
from .seed_iv import EFFECTS
from .seed_lab import lds_smooth

KEY = 5  # random streams of SEED-V
SCORES = {  # 0 disgust, 1 fear, 2 sad, 3 neutral, 4 happy
    0: {"valence": -1.0, "arousal": 0.5, "other": -1.0},
    1: {"valence": -1.0, "arousal": 1.0, "other": 0.5},
    2: {"valence": -1.0, "arousal": -0.5, "other": 1.0},
    3: {"valence": 0.0, "arousal": 0.0, "other": 0.0},
    4: {"valence": 1.0, "arousal": 0.5, "other": 0.0},
}
FIRST_START_S = 10  # the first trial's start in a synthetic raw recording
GAP_S = 5  # rest between trials


def _trials(cfg: SyntheticConfig, dataset_config: Mapping, subject: int, session: int):
    return session_trials(cfg, key=KEY, subject=subject, session=session, labels=fmt.SPEC.labels(session),
                          channels=fmt.CHANNELS, sfreq=fmt.SFREQ, seconds=_seconds(dataset_config), effects=EFFECTS,
                          scores=SCORES)


def _seconds(dataset_config: Mapping):
    return dataset_config.get("synthetic_trial_seconds", (24, 40))


def timestamps(cfg: SyntheticConfig, dataset_config: Mapping, session: int) -> list[tuple[int, int]]:
    """Whole-second (start, end) of every trial of a synthetic raw session."""
    return raw_trial_bounds(cfg, key=KEY, session=session, n_trials=fmt.N_TRIALS, seconds=_seconds(dataset_config),
                            first_start_s=FIRST_START_S, gap_s=GAP_S)


def write(relpath: str, output: str | Path, *, cfg: SyntheticConfig, dataset_config: Mapping) -> None:
    """Write the file ``relpath`` (relative to the SEED-V folder) of the synthetic copy."""
    parts = Path(relpath).parts
    if parts == (fmt.TIMESTAMP_FILE,):
        lines = []
        for session in fmt.SESSIONS:
            starts, ends = zip(*timestamps(cfg, dataset_config, session))
            lines += [f"Session {session}:", f"start_second: [{', '.join(map(str, starts))}]",
                      f"end_second: [{', '.join(map(str, ends))}]"]
        with atomic_path(output) as tmp:
            Path(tmp).write_text("\n".join(lines) + "\n")
        return
    folder, name = parts
    subject = int(name.split("_")[0])
    if folder == fmt.RAW_DIR:
        _write_raw(output, cfg=cfg, dataset_config=dataset_config, subject=subject, session=int(name.split("_")[1]))
        return
    if folder not in (fmt.FEATURE_DIR, fmt.EYE_DIR):
        raise ValueError(f"Invalid SEED-V folder {folder!r}: allowed are {fmt.FEATURE_DIR}, {fmt.EYE_DIR}, {fmt.RAW_DIR}")
    data, labels = {}, {}
    for session in fmt.SESSIONS:
        for t, trial in enumerate(_trials(cfg, dataset_config, subject, session)):
            de, _, eye = lab_features(trial, sfreq=fmt.SFREQ, window_s=fmt.WINDOW_S, eye_columns=fmt.EYE_COLUMNS)
            key = (session - 1) * fmt.N_TRIALS + t
            values = lds_smooth(de).reshape(de.shape[0], -1) if folder == fmt.FEATURE_DIR else eye
            data[key] = np.ascontiguousarray(values, dtype=np.float64)
            labels[key] = np.full(values.shape[0], trial.label, dtype=np.float64)
    with atomic_path(output) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, data=np.array(pickle.dumps(data, protocol=4)), label=np.array(pickle.dumps(labels, protocol=4)))


def _write_raw(output, *, cfg: SyntheticConfig, dataset_config: Mapping, subject: int, session: int) -> None:
    """The 1000 Hz recording of one session: each 200 Hz trial upsampled x5 (polyphase) at
    its timestamps, 1/f EEG during the rests, M1/M2/HEO/VEO beside the 62 channels."""
    bounds = timestamps(cfg, dataset_config, session)
    data = upsampled_recording(fmt, _trials(cfg, dataset_config, subject, session), bounds,
                               rng=rng_for(cfg, KEY, 3, subject, session), gap_s=GAP_S)
    events = [(int(s * fmt.RAW_SFREQ), 1) for s, _ in bounds] + [(int(e * fmt.RAW_SFREQ), 2) for _, e in bounds]
    with atomic_path(output) as tmp:
        write_cnt(tmp, data, ch_names=fmt.RAW_CHANNELS, sfreq=fmt.RAW_SFREQ, events=sorted(events))
