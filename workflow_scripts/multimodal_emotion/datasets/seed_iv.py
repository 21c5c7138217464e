"""SEED-IV (BCMI lab, SJTU): 15 subjects x 3 sessions x 24 trials, 4 emotions, EEG + 31 eye features.

- **spec** (:data:`SPEC`): 24 trials per session with a label order per session (the
  release's ReadMe; 0 neutral, 1 sad, 2 fear, 3 happy), 62 channels (SEED's order) at 200 Hz;
- **layout**: ``eeg_raw_data/{k}/``, ``eeg_feature_smooth/{k}/``, ``eye_feature_smooth/{k}/``
  for session k = 1, 2, 3, each holding ``{subject}_{YYYYMMDD}.mat``; the session is the folder;
- **entries** (``seed_iv.entry``): ``features`` (default; the lab's smoothed DE/PSD on 4 s
  windows + its 31 eye features on the same windows, :mod:`.bcmi.feature_mat`) and
  ``preprocessed`` (``eeg_raw_data``: ``{initials}_eeg{t}``, 200 x s + 1 samples,
  :mod:`.bcmi.eeg_mat`; our bandpass and DE; the release has no eye data beside it);
- **protocol** (:data:`DEFAULT_PROTOCOL`): per session, trials 1-16 train (one trial of
  each class carved out for validation), 17-24 test. With these labels some test splits
  lack a class (session 1 has no sad trial among 17-24): reported in the job's log.

The 31 eye rows follow the lab's grouping (12 pupil, 4 dispersion, 2 fixation, 4 saccade,
9 event statistics: SEED's 33 without blink duration); the order inside the groups is not
documented (:data:`EYE_COLUMNS` names them as inferred). NaN in the eye features:
``seed_iv.nan_windows`` (error, or drop the window and count it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..recording import ConfigError, DataFormatError, LabelClasses, Recording, Segment, ShippedFeatures, \
    check_file, check_option
from . import bcmi
from ._resources import read_lines
from .bcmi import eeg_mat, feature_mat

# --- identity and spec -----------------------------------------------------------------
NAME = "seed_iv"
TITLE = "SEED-IV"
FOLDER = "SEED_IV"  # the synthetic copy's folder under <results>/synthetic
TABLE_CAPTION = "SEED-IV, 4 classes"
#: A recording is one session (cross_session protocols pool a subject's sessions).
RECORDING_IS_SESSION = True
RECORDING_PATTERN = r"\d+_\d+"  # {subject}_{YYYYMMDD}
CHANNELS: tuple[str, ...] = read_lines("seed_channels.txt")
SFREQ = 200.0
N_TRIALS = 24
N_SEGMENTS = N_TRIALS
N_SUBJECTS = 15
SESSION_LABELS = (
    (1, 2, 3, 0, 2, 0, 0, 1, 0, 1, 2, 1, 1, 1, 2, 3, 2, 2, 3, 3, 0, 3, 0, 3),
    (2, 1, 3, 0, 0, 2, 0, 2, 3, 3, 2, 3, 2, 0, 1, 1, 2, 1, 0, 3, 0, 1, 3, 1),
    (1, 2, 2, 1, 3, 3, 3, 1, 1, 2, 1, 0, 2, 3, 3, 0, 2, 3, 0, 0, 2, 0, 1, 0),
)
LABEL_NAMES = ("emotion",)
CLASSES = {"emotion": LabelClasses(kind="categorical", class_names=("neutral", "sad", "fear", "happy"),
                                   values=(0.0, 1.0, 2.0, 3.0))}
# The lab's 31 eye features in file order (rows of eye_{t}); names are our eye features'
# (features.eye_feature_names), so the synthetic writer computes them; order inside the
# groups inferred, not documented.
EYE_COLUMNS = (
    "pupil_x_mean", "pupil_y_mean", "pupil_x_std", "pupil_y_std",
    "pupil_x_de_0-0.2Hz", "pupil_y_de_0-0.2Hz", "pupil_x_de_0.2-0.4Hz", "pupil_y_de_0.2-0.4Hz",
    "pupil_x_de_0.4-0.6Hz", "pupil_y_de_0.4-0.6Hz", "pupil_x_de_0.6-1Hz", "pupil_y_de_0.6-1Hz",
    "dispersion_x_mean", "dispersion_y_mean", "dispersion_x_std", "dispersion_y_std",
    "fixation_duration_mean", "fixation_duration_std",
    "saccade_duration_mean", "saccade_amplitude_mean", "saccade_duration_std", "saccade_amplitude_std",
    "blink_frequency", "fixation_frequency", "fixation_duration_max", "fixation_dispersion_total",
    "fixation_dispersion_max", "saccade_frequency", "saccade_duration_average", "saccade_amplitude_average",
    "saccade_latency_average",
)
EYE_FEATURE_NAMES = tuple(f"lab_eye_{i:02d}_{name}" for i, name in enumerate(EYE_COLUMNS, start=1))
LAB_EYE_KIND = bcmi.LAB_EYE_KIND
SPEC = bcmi.Spec(name=NAME, channels=CHANNELS, sfreq=SFREQ, n_trials=N_TRIALS, session_labels=SESSION_LABELS,
                 classes=CLASSES["emotion"], eye_feature_names=EYE_FEATURE_NAMES)

# --- layout ----------------------------------------------------------------------------
EEG_DIR = "eeg_raw_data"
FEATURE_DIR = "eeg_feature_smooth"
EYE_DIR = "eye_feature_smooth"
ROOT_FOLDERS = (EEG_DIR, FEATURE_DIR, EYE_DIR, "eye_raw_data")  # what marks a SEED-IV copy's root
WINDOW_S = 4.0  # the lab's feature windows (non-overlapping)
SESSIONS = (1, 2, 3)
ENTRIES = ("features", "preprocessed")
READ_OPTIONS = ("entry", "extracted_feature", "nan_windows")  # seed_iv-block keys passed to read()
NAN_WINDOWS = bcmi.NAN_WINDOWS
DEFAULT_PROTOCOL = {"kind": "clips", "tasks": ["emotion"], "train_clips": list(range(1, 17)),
                    "test_clips": list(range(17, 25)), "validation_per_class": 1, "eeg_feature": "de"}


def synthetic_stem(subject: int, session: int) -> str:
    """Name of a synthetic session file: ``{subject}_{YYYYMMDD}``, a made-up date whose
    month is 4 + session (the real 45 dates are not needed: sessions are folders)."""
    return f"{subject}_2016{4 + session:02d}{subject:02d}"


subject_of = bcmi.subject_of


def shortest_segment_s(config: Mapping) -> float | None:
    return bcmi.synthetic_shortest_trial_s(config, NAME, (40, 60))


def _entry_dir(entry: str) -> str:
    return EEG_DIR if entry == "preprocessed" else FEATURE_DIR


def recordings(config: Mapping, root: Path) -> list[str]:
    """``{subject}_{date}`` of the configured subjects and sessions; in a copy, the one
    ``{subject}_*.mat`` of session folder k."""
    cfg = config[NAME]
    if cfg["source"] == "synthetic":
        return [synthetic_stem(s, k) for s in cfg["subjects"] for k in cfg["sessions"]]
    stems = []
    for subject in cfg["subjects"]:
        for k in cfg["sessions"]:
            folder = root / _entry_dir(cfg["entry"]) / str(k)
            found = sorted(p.stem for p in folder.glob(f"{subject}_*.mat") if re.fullmatch(rf"{subject}_\d+", p.stem))
            if len(found) != 1:
                raise ConfigError(f"{NAME}.sessions", f"subject {subject} has {len(found)} files in {folder} "
                                  f"(expected one {subject}_<date>.mat)")
            stems.append(found[0])
    return stems


def session_of(root: Path, recording: str, entry: str) -> int:
    """Session (folder) of a recording: the folder holding its file, else (synthetic) its month."""
    for k in SESSIONS:
        if (root / _entry_dir(entry) / str(k) / f"{recording}.mat").is_file():
            return k
    session = int(recording.split("_")[1][4:6]) - 4
    return session if session in SESSIONS else 1


def input_files(config: Mapping, root: Path, recording: str) -> dict[str, str]:
    cfg = config[NAME]
    k = str(session_of(root, recording, cfg["entry"]))
    if cfg["entry"] == "preprocessed":
        return {"eeg": str(root / EEG_DIR / k / f"{recording}.mat")}
    files = {"features": str(root / FEATURE_DIR / k / f"{recording}.mat")}
    if cfg.get("eye_movements", True):
        files["eye"] = str(root / EYE_DIR / k / f"{recording}.mat")
    return files


def _session_from_path(path: Path) -> int:
    if path.parent.name not in {str(k) for k in SESSIONS}:
        raise DataFormatError(path, f"cannot tell the session: the file must lie in a session folder 1/, 2/ or 3/ "
                              f"(found in {path.parent.name}/)")
    return int(path.parent.name)


def read(files: Mapping[str, str], *, entry: str = "features", extracted_feature: str = "de_LDS",
         nan_windows: str = "error") -> Recording:
    """Read one session of the configured ``entry`` from its files by role (see :func:`input_files`)."""
    check_option("entry", entry, ENTRIES)
    if entry == "preprocessed":
        return read_preprocessed(files["eeg"])
    return read_features(files["features"], files.get("eye"), feature=extracted_feature, nan_windows=nan_windows)


def read_preprocessed(path: str | Path) -> Recording:
    """``eeg_raw_data/{k}/{subject}_{date}.mat``: 24 trials of 200 Hz EEG, the session's labels."""
    path = Path(path)
    check_file(path)
    session = _session_from_path(path)
    _, trials = eeg_mat.read_eeg(path, SPEC)
    labels = SPEC.labels(session)
    segments = [Segment(index=t, eeg=eeg, other=None, labels=np.array([labels[t - 1]], dtype=np.float64))
                for t, eeg in enumerate(trials, start=1)]
    return bcmi.recording(SPEC, name=path.stem, subject=subject_of(path.stem), segments=segments, sources=[path])


def read_features(path: str | Path, eye_path: str | Path | None, *, feature: str = "de_LDS",
                  nan_windows: str = "error") -> Recording:
    """``eeg_feature_smooth/{k}/...mat`` (+ ``eye_feature_smooth/{k}/...mat``): the lab's
    DE/PSD and eye features on its 4 s windows, the session's labels.

    The eye file must have as many windows per trial as the EEG features; a window with
    NaN/inf stops the job (``nan_windows="error"``) or is left out and counted ("drop").
    """
    check_option("nan_windows", nan_windows, NAN_WINDOWS)
    path = Path(path)
    check_file(path)
    session = _session_from_path(path)
    clips = feature_mat.read_smoothed(path, SPEC, feature)
    eye = None
    if eye_path is not None:
        eye_path = Path(eye_path)
        if _session_from_path(eye_path) != session:
            raise DataFormatError(eye_path, f"is in session folder {eye_path.parent.name}/ but {path.name} in {session}/")
        eye = feature_mat.read_eye_features(eye_path, SPEC)
    labels = SPEC.labels(session)
    segments, dropped = [], 0
    for t, (de, psd) in enumerate(clips, start=1):
        finite = np.ones(de.shape[0], dtype=bool)
        other = None
        if eye is not None:
            other = eye[t - 1]
            if other.shape[0] != de.shape[0]:
                raise DataFormatError(eye_path, f"eye_{t} has {other.shape[0]} windows but {feature}{t} of "
                                      f"{path.name} has {de.shape[0]}: the rows are not aligned with the EEG windows")
            finite = np.isfinite(other).all(axis=1)
        dropped += bcmi.nan_windows_left_out(finite, nan_windows=nan_windows, config_key=NAME, path=eye_path,
                                             what=f"eye_{t}")
        segments.append(bcmi.shipped_segment(SPEC, index=t, label=labels[t - 1], de=de, psd=psd, other=other,
                                             finite=finite, window_s=WINDOW_S))
    sources = [path] + ([eye_path] if eye is not None else [])
    origin = (f"the SEED-IV lab's eeg_feature_smooth {feature} / {feature_mat.PSD_OF[feature]} ({path.name}, session "
              f"{session})" + ("" if eye is None else " and its 31 eye features (eye_feature_smooth; names after the "
                               "row number inferred, not documented)") + "; not computed by this workflow")
    return bcmi.recording(
        SPEC, name=path.stem, subject=subject_of(path.stem), segments=segments, sources=sources,
        other_kind="none" if eye is None else LAB_EYE_KIND,
        shipped=ShippedFeatures(window_s=WINDOW_S, step_s=WINDOW_S, bands=dict(SPEC.bands), origin=origin,
                                other_kind="" if eye is None else LAB_EYE_KIND,
                                other_names=() if eye is None else EYE_FEATURE_NAMES, dropped_windows=dropped))
