"""SEED-V (BCMI lab, SJTU): 16 subjects x 3 sessions x 15 trials, 5 emotions, EEG + 33 eye features.

- **spec** (:data:`SPEC`): 15 trials per session, labels per session (session 1 its own
  order, sessions 2 and 3 another; 0 disgust, 1 fear, 2 sad, 3 neutral, 4 happy), 62
  channels (SEED's order) at 200 Hz;
- **entries** (``seed_v.entry``): ``features`` (default; ``EEG_DE_features/{subject}_123.npz``
  and ``Eye_movement_features/{subject}_123.npz``, all three sessions in one file per
  subject, pickled dicts keyed 0-44, :mod:`.bcmi.pickled`) and ``raw``
  (``EEG_raw/{subject}_{session}_{YYYYMMDD}.cnt`` cut at ``trial_start_end_timestamp.txt``,
  seconds from the file's start, :mod:`.bcmi.cnt`; our bandpass and DE; no eye data);
- **one recording per subject** (``{subject}_123``) holding the configured sessions:
  segment ``(session - 1) * 15 + trial`` (the files' key + 1);
- **protocol** (:data:`DEFAULT_PROTOCOL`): the lab's later work (Liu et al., IEEE TCDS
  2021): per subject, 3 folds by trial position over all sessions (trials 1-5, 6-10,
  11-15 of each), validation carved from the training folds (one trial per class).

The order of the 310 DE values (channel-major ``ch * 5 + band`` or band-major) is not
documented consistently: it is decided from the data (delta DE lies well above gamma DE)
and a file where that is ambiguous is refused (:func:`.bcmi.pickled.band_order`). The
33 eye features follow SEED_Multimodal's columns (:data:`.seed.LAB_EYE_COLUMNS`,
meanings after the column number inferred). No PSD ships: ``eeg_feature`` must be ``de``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..recording import ConfigError, DataFormatError, LabelClasses, Recording, Segment, ShippedFeatures, \
    check_eeg, check_file, check_option
from . import bcmi, seed
from .bcmi import cnt, pickled, trial_times

# --- identity and spec -----------------------------------------------------------------
NAME = "seed_v"
TITLE = "SEED-V"
FOLDER = "SEED_V"  # the synthetic copy's folder under <results>/synthetic
TABLE_CAPTION = "SEED-V, 5 classes"
RECORDING_PATTERN = r"\d+_123"  # {subject}_123: the subject's sessions 1-3 in one recording
CHANNELS = seed.CHANNELS
SFREQ = 200.0
N_TRIALS = 15
N_SEGMENTS = N_TRIALS  # per session (segments of a recording: (session - 1) * 15 + trial)
N_SUBJECTS = 16
SESSIONS = (1, 2, 3)
SESSION_LABELS = (
    (4, 1, 3, 2, 0, 4, 1, 3, 2, 0, 4, 1, 3, 2, 0),
    (2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0),
    (2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0),
)
LABEL_NAMES = ("emotion",)
CLASSES = {"emotion": LabelClasses(kind="categorical", class_names=("disgust", "fear", "sad", "neutral", "happy"),
                                   values=(0.0, 1.0, 2.0, 3.0, 4.0))}
EYE_COLUMNS = seed.LAB_EYE_COLUMNS
EYE_FEATURE_NAMES = seed.LAB_EYE_FEATURE_NAMES
LAB_EYE_KIND = bcmi.LAB_EYE_KIND
SPEC = bcmi.Spec(name=NAME, channels=CHANNELS, sfreq=SFREQ, n_trials=N_TRIALS, session_labels=SESSION_LABELS,
                 classes=CLASSES["emotion"], eye_feature_names=EYE_FEATURE_NAMES)

# --- layout ----------------------------------------------------------------------------
FEATURE_DIR = "EEG_DE_features"
EYE_DIR = "Eye_movement_features"
RAW_DIR = "EEG_raw"
ROOT_FOLDERS = (FEATURE_DIR, EYE_DIR, RAW_DIR, "Eye_raw")  # what marks a SEED-V copy's root
TIMESTAMP_FILE = "trial_start_end_timestamp.txt"
WINDOW_S = 4.0  # the lab's DE windows (non-overlapping)
RAW_SFREQ = 1000.0
EOG_CHANNELS = seed.EOG_CHANNELS
DROP_CHANNELS = seed.DROP_CHANNELS
RAW_CHANNELS = seed.RAW_CHANNELS  # 62 EEG + M1 M2 + HEO VEO, the synthetic writer's order
ENTRIES = ("features", "raw")
READ_OPTIONS = ("entry", "sessions", "nan_windows", "cnt_data_format")  # seed_v-block keys passed to read()
NAN_WINDOWS = bcmi.NAN_WINDOWS
DEFAULT_PROTOCOL = {"kind": "trial_folds", "tasks": ["emotion"],
                    "folds": [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]],
                    "validation_per_class": 1, "eeg_feature": "de"}


def recording_stem(subject: int) -> str:
    return f"{subject}_123"


def synthetic_cnt_name(subject: int, session: int) -> str:
    """``{subject}_{session}_{YYYYMMDD}.cnt`` with a made-up date (month 4 + session)."""
    return f"{subject}_{session}_2018{4 + session:02d}{subject:02d}.cnt"


subject_of = bcmi.subject_of


def shortest_segment_s(config: Mapping) -> float | None:
    return bcmi.synthetic_shortest_trial_s(config, NAME, (24, 40))


def recordings(config: Mapping, root: Path) -> list[str]:
    cfg = config[NAME]
    if cfg["entry"] == "features":
        protocols = config["experiments"].get(f"{NAME}_protocol", DEFAULT_PROTOCOL)  # one or a list
        feature = next((f for p in ([protocols] if isinstance(protocols, Mapping) else protocols)
                        if (f := p.get("eeg_feature", "de")) != "de"), "de")
        if feature != "de":
            raise ConfigError(f"experiments.{NAME}_protocol.eeg_feature",
                              f"{feature!r} needs PSD features, which SEED-V does not ship (DE only): use 'de'")
    return [recording_stem(s) for s in cfg["subjects"]]


def _raw_file(config: Mapping, root: Path, subject: int, session: int) -> Path:
    if config[NAME]["source"] == "synthetic":
        return root / RAW_DIR / synthetic_cnt_name(subject, session)
    found = sorted((root / RAW_DIR).glob(f"{subject}_{session}_*.cnt"))
    if len(found) != 1:
        raise ConfigError(f"{NAME}.sessions", f"subject {subject} has {len(found)} files "
                          f"{subject}_{session}_*.cnt in {root / RAW_DIR} (expected one)")
    return found[0]


def input_files(config: Mapping, root: Path, recording: str) -> dict[str, str]:
    cfg = config[NAME]
    if cfg["entry"] == "raw":
        subject = int(subject_of(recording))
        files = {f"cnt_{k}": _raw_file(config, root, subject, k) for k in cfg["sessions"]}
        files["time"] = root / TIMESTAMP_FILE
    else:
        files = {"features": root / FEATURE_DIR / f"{recording}.npz"}
        if cfg.get("eye_movements", True):
            files["eye"] = root / EYE_DIR / f"{recording}.npz"
    return {role: str(path) for role, path in files.items()}


def read(files: Mapping[str, str], *, entry: str = "features", sessions: Sequence[int] = SESSIONS,
         nan_windows: str = "error", cnt_data_format: str = "auto") -> Recording:
    """Read one subject of the configured ``entry`` from its files by role (see :func:`input_files`)."""
    check_option("entry", entry, ENTRIES)
    if entry == "raw":
        return read_raw(files, sessions=sessions, data_format=cnt_data_format)
    return read_features(files["features"], files.get("eye"), sessions=sessions, nan_windows=nan_windows)


def _check_trial_labels(path: Path, labels: list[np.ndarray], key: int) -> int:
    session, trial = key // N_TRIALS + 1, key % N_TRIALS + 1
    expected = SPEC.labels(session)[trial - 1]
    wrong = labels[key] != expected
    if wrong.any():
        raise DataFormatError(path, f"label[{key}] (session {session}, trial {trial}) holds "
                              f"{sorted(set(labels[key][wrong].tolist()))} but SEED-V's label of that trial is "
                              f"{expected} ({CLASSES['emotion'].class_names[expected]})")
    return expected


def read_features(path: str | Path, eye_path: str | Path | None, *, sessions: Sequence[int] = SESSIONS,
                  nan_windows: str = "error") -> Recording:
    """``EEG_DE_features/{subject}_123.npz`` (+ ``Eye_movement_features/``): the lab's DE
    (and 33 eye features) on 4 s windows of the given sessions."""
    check_option("nan_windows", nan_windows, NAN_WINDOWS)
    path = Path(path)
    n_keys, n_bands = N_TRIALS * len(SESSIONS), len(SPEC.bands)
    data, labels = pickled.read_trial_dict_npz(path, n_keys=n_keys, n_columns=len(CHANNELS) * n_bands,
                                               label_values=SPEC.label_set)
    order = pickled.band_order(np.concatenate(data), n_channels=len(CHANNELS), n_bands=n_bands, path=path)
    eye = eye_labels = None
    if eye_path is not None:
        eye_path = Path(eye_path)
        eye, eye_labels = pickled.read_trial_dict_npz(eye_path, n_keys=n_keys, n_columns=len(EYE_COLUMNS),
                                                      label_values=SPEC.label_set)
    segments, dropped = [], 0
    for key in range(n_keys):
        session, trial = key // N_TRIALS + 1, key % N_TRIALS + 1
        label = _check_trial_labels(path, labels, key)
        if session not in sessions:
            continue
        n = data[key].shape[0]
        de = (data[key].reshape(n, len(CHANNELS), n_bands) if order == "channel-major"
              else data[key].reshape(n, n_bands, len(CHANNELS)).transpose(0, 2, 1))
        finite = np.isfinite(de).all(axis=(1, 2))
        other = None
        if eye is not None:
            if eye[key].shape[0] != n:
                raise DataFormatError(eye_path, f"data[{key}] (session {session}, trial {trial}) has {eye[key].shape[0]} "
                                      f"windows but {path.name} has {n}: the rows are not aligned with the EEG windows")
            _check_trial_labels(eye_path, eye_labels, key)
            other = eye[key]
            finite &= np.isfinite(other).all(axis=1)
        if not finite.all():
            dropped += bcmi.nan_windows_left_out(
                finite, nan_windows=nan_windows, config_key=NAME, path=path if not np.isfinite(de).all() else eye_path,
                what=f"data[{key}] (session {session}, trial {trial})", empty_path=path, empty_what=f"data[{key}]")
        segments.append(bcmi.shipped_segment(SPEC, index=key + 1, label=label, de=de, psd=None, other=other,
                                             finite=finite, window_s=WINDOW_S))
    sources = [path] + ([eye_path] if eye is not None else [])
    origin = (f"the SEED-V lab's EEG_DE_features ({path.name}, {order} columns)"
              + ("" if eye is None else f" and its 33 eye features ({eye_path.parent.name}/{eye_path.name}; names "
                 "after the column number inferred, not documented)") + "; not computed by this workflow; no PSD shipped")
    return bcmi.recording(
        SPEC, name=path.stem, subject=subject_of(path.stem), segments=segments, sources=sources,
        other_kind="none" if eye is None else LAB_EYE_KIND, trials_per_session=N_TRIALS,
        shipped=ShippedFeatures(window_s=WINDOW_S, step_s=WINDOW_S, bands=dict(SPEC.bands), origin=origin,
                                other_kind="" if eye is None else LAB_EYE_KIND,
                                other_names=() if eye is None else EYE_FEATURE_NAMES, dropped_windows=dropped))


def read_raw(files: Mapping[str, str], *, sessions: Sequence[int] = SESSIONS, data_format: str = "auto") -> Recording:
    """``EEG_raw/{subject}_{k}_*.cnt`` of the given sessions, cut at the trial times of
    ``trial_start_end_timestamp.txt`` (s -> samples at 1000 Hz, end exclusive), 200 Hz, µV."""
    time_path = Path(files["time"])
    segments, sources = [], []
    for k in sessions:
        cnt_path = Path(files[f"cnt_{k}"])
        check_file(cnt_path)
        bounds_s = trial_times.read_timestamps_s(time_path, session=k, n_trials=N_TRIALS)
        bounds = [(int(round(a * RAW_SFREQ)), int(round(b * RAW_SFREQ))) for a, b in bounds_s]
        raw = cnt.read_cnt(cnt_path, time_path, channels=CHANNELS, bounds=bounds, inclusive_end=False,
                           n_clips=N_TRIALS, keep_eog=False, eog=EOG_CHANNELS, drop=DROP_CHANNELS,
                           sfreq_expected=RAW_SFREQ, target_sfreq=SFREQ, data_format=data_format,
                           config_key=f"{NAME}.cnt_data_format", dataset=TITLE)
        labels = SPEC.labels(k)
        for t, clip in enumerate(raw.clips, start=1):
            segments.append(Segment(index=(k - 1) * N_TRIALS + t, eeg=check_eeg(cnt_path, f"trial {t}", clip, len(CHANNELS)),
                                    other=None, labels=np.array([labels[t - 1]], dtype=np.float64)))
        sources.append(cnt_path)
    name = f"{subject_of(Path(files[f'cnt_{sessions[0]}']).stem)}_123"
    return bcmi.recording(SPEC, name=name, subject=subject_of(name), segments=segments, sources=sources + [time_path],
                          trials_per_session=N_TRIALS)
