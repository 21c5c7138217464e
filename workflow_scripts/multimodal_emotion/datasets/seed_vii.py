"""SEED-VII (BCMI lab, SJTU; Jiang et al., IEEE TAC 2025): 20 subjects x 4 sessions x 20
clips, 7 emotions, EEG + 33 eye features.

- **spec** (:data:`SPEC`): 20 clips per session, labels per session as the release's
  ``emotion_label_and_stimuli_order.xlsx`` gives them (0 disgust, 1 fear, 2 sad,
  3 neutral, 4 happy, 5 anger, 6 surprise, the loaders' numbering), 62 channels
  (SEED's order) at 200 Hz;
- **one recording per subject** (``{subject}_1234``) holding the configured sessions:
  segment = video v = (session - 1) x 20 + clip, as the files key it;
- **entries** (``seed_vii.entry``), all of them labelled from the workbook
  (:func:`.bcmi.video_mat.read_label_sheet`):

  - ``features`` (default): ``EEG_features/{s}.mat`` ``de_LDS_{v}`` / ``de_{v}`` and
    ``psd_{v}`` (W, 5, 62), the order of band and channel axes decided from the data
    (an ambiguous file is refused), + ``EYE_features/{s}.mat`` ``'{v}'`` (W, 33);
  - ``preprocessed``: ``EEG_preprocessed/{s}.mat`` ``'{v}'`` (62, T) at 200 Hz through our
    bandpass and DE (``de_scale``/``smoothing``: the lab's recipe by default), + the eye features;
  - ``raw``: ``EEG_raw/{s}_{date}_{k}.cnt`` (1000 Hz), clips from the file's annotations
    in start/end pairs (codes 1/2), ``save_info/{s}_{date}_{k}_trigger_info.csv`` instead
    where it exists (the release's two files with wrong triggers), through the shared
    CNT reader (:mod:`.bcmi.cnt`); no eye data;
- **eye rows**: the eye file may hold one window more or fewer than the EEG of a clip
  (third-party reports): the longer is cut at its end and the cut counted; a larger
  difference is an error naming the clip;
- **protocols**: the default is subject-dependent, 4 folds per subject,
  fold = ((video - 1) mod 20) // 5 (the ``video_folds`` kind): each fold 5 clips of every
  session; ``loso`` over all 4 sessions and the cross-session split (``clips``: sessions
  1-3 train, 4 test) are the existing kinds, named in ``docs/datasets/seed_vii.md``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..recording import ConfigError, DataFormatError, LabelClasses, RawFormatError, Recording, Segment, \
    ShippedFeatures, ShippedWindows, check_eeg, check_file, check_option
from . import bcmi, seed
from .bcmi import cnt, video_mat

log = logging.getLogger(__name__)

# --- identity and spec -----------------------------------------------------------------
NAME = "seed_vii"
TITLE = "SEED-VII"
FOLDER = "SEED_VII"  # the synthetic copy's folder under <results>/synthetic
TABLE_CAPTION = "SEED-VII, 7 classes"
RECORDING_PATTERN = r"\d+_1234"  # {subject}_1234: the subject's configured sessions in one recording
CHANNELS = seed.CHANNELS
SFREQ = 200.0
N_TRIALS = 20
N_SEGMENTS = N_TRIALS  # per session (segments of a recording: the video numbers)
N_SUBJECTS = 20
SESSIONS = (1, 2, 3, 4)
CLASS_NAMES = ("disgust", "fear", "sad", "neutral", "happy", "anger", "surprise")
_FIRST_HALF = (  # clips 1-10 of each session; 11-20 repeat them (formats.md, the workbook)
    ("happy", "neutral", "disgust", "sad", "anger", "anger", "sad", "disgust", "neutral", "happy"),
    ("anger", "sad", "fear", "neutral", "surprise", "surprise", "neutral", "fear", "sad", "anger"),
    ("happy", "surprise", "disgust", "fear", "anger", "anger", "fear", "disgust", "surprise", "happy"),
    ("disgust", "sad", "fear", "surprise", "happy", "happy", "surprise", "fear", "sad", "disgust"),
)
SESSION_EMOTIONS = tuple(half + half for half in _FIRST_HALF)
SESSION_LABELS = tuple(tuple(CLASS_NAMES.index(e) for e in emotions) for emotions in SESSION_EMOTIONS)
LABEL_NAMES = ("emotion",)
CLASSES = {"emotion": LabelClasses(kind="categorical", class_names=CLASS_NAMES,
                                   values=tuple(float(i) for i in range(len(CLASS_NAMES))))}
# The 33 eye features in file order: the lab's extraction code's groups (formats.md):
# 0-7 pupil DE in 4 bands (left, right), 8-11 pupil mean/std (left, right), 12-23
# per-window dispersion/saccade/fixation/blink statistics, 24-32 per-clip event statistics
# repeated in every window. The order inside the groups follows SEED's 33 columns
# (the same lab code); names are our eye features' (features.eye_feature_names), x = left,
# y = right pupil, so the synthetic writer computes them.
EYE_COLUMNS = seed.LAB_EYE_COLUMNS
#: Columns 25-33 (1-based): statistics of the whole clip, one value repeated in every window.
PER_CLIP_EYE_COLUMNS = EYE_COLUMNS[24:]
EYE_FEATURE_NAMES = tuple(
    f"lab_eye_{i:02d}_{name.replace('pupil_x', 'pupil_left').replace('pupil_y', 'pupil_right')}"
    + ("_per_clip" if name in PER_CLIP_EYE_COLUMNS else "")
    for i, name in enumerate(EYE_COLUMNS, start=1))
LAB_EYE_KIND = "lab_eye_features"
SPEC = bcmi.Spec(name=NAME, channels=CHANNELS, sfreq=SFREQ, n_trials=N_TRIALS, session_labels=SESSION_LABELS,
                 classes=CLASSES["emotion"], eye_feature_names=EYE_FEATURE_NAMES)

# --- layout ----------------------------------------------------------------------------
FEATURE_DIR = "EEG_features"
EYE_DIR = "EYE_features"
EEG_DIR = "EEG_preprocessed"
RAW_DIR = "EEG_raw"
TRIGGER_DIR = "save_info"
LABEL_FILE = "emotion_label_and_stimuli_order.xlsx"
ROOT_FOLDERS = (FEATURE_DIR, EYE_DIR, EEG_DIR, RAW_DIR)  # what marks a SEED-VII copy's root
WINDOW_S = 4.0  # the lab's feature windows (non-overlapping)
RAW_SFREQ = 1000.0
EOG_CHANNELS = ("HEO", "VEO")
DROP_CHANNELS = ("M1", "M2", "ECG")  # with HEO/VEO: the five non-EEG channels the lab drops
RAW_CHANNELS = CHANNELS + ("M1", "M2", "ECG", "HEO", "VEO")  # the synthetic writer's order
CLIP_START, CLIP_END = 1, 2  # annotation / trigger codes
ENTRIES = ("features", "preprocessed", "raw")
READ_OPTIONS = ("entry", "sessions", "extracted_feature", "nan_windows", "cnt_data_format")
NAN_WINDOWS = ("error", "drop")
#: SEED-VII's subject-dependent protocol: fold = ((video - 1) mod 20) // 5, each fold 5 clips of
#: every session (the ``video_folds`` kind, protocols/video_folds.py).
DEFAULT_PROTOCOL = {"kind": "video_folds", "tasks": ["emotion"], "clips_per_fold": 5, "validation_per_class": 1,
                    "eeg_feature": "de"}
#: Cross-session with the existing ``clips`` kind on a subject's recording: sessions 1-3
#: train (one clip per class carved out for validation), session 4 tests. Session 4 has no
#: neutral and no anger clip: its accuracy covers the other five classes (logged).
CROSS_SESSION_PROTOCOL = {"kind": "clips", "tasks": ["emotion"], "train_clips": list(range(1, 3 * N_TRIALS + 1)),
                          "test_clips": list(range(3 * N_TRIALS + 1, 4 * N_TRIALS + 1)), "validation_per_class": 1,
                          "eeg_feature": "de"}


def recording_stem(subject: int) -> str:
    return f"{subject}_1234"


def synthetic_date(subject: int, session: int) -> str:
    """A made-up recording date of a synthetic .cnt (month 4 + session)."""
    return f"2022{4 + session:02d}{subject:02d}"


def subject_of(recording: str) -> str:
    return recording.split("_")[0]


def shortest_segment_s(config: Mapping) -> float | None:
    return bcmi.synthetic_shortest_trial_s(config, NAME, (24, 40))


def recordings(config: Mapping, root: Path) -> list[str]:
    return [recording_stem(s) for s in config[NAME]["subjects"]]


def _raw_file(config: Mapping, root: Path, subject: int, session: int) -> Path:
    if config[NAME]["source"] == "synthetic":
        return root / RAW_DIR / f"{subject}_{synthetic_date(subject, session)}_{session}.cnt"
    found = sorted(p for p in (root / RAW_DIR).glob(f"{subject}_*_{session}.cnt")
                   if re.fullmatch(rf"{subject}_\d+_{session}", p.stem))
    if len(found) != 1:
        raise ConfigError(f"{NAME}.sessions", f"subject {subject} has {len(found)} files {subject}_<date>_{session}.cnt "
                          f"in {root / RAW_DIR} (expected one)")
    return found[0]


def trigger_file(root: Path, cnt_path: Path) -> Path:
    """``save_info/{stem}_trigger_info.csv`` of a raw recording (it exists only where the
    recording's own annotations are wrong)."""
    return root / TRIGGER_DIR / f"{cnt_path.stem}_trigger_info.csv"


def synthetic_trigger_stems() -> tuple[str, ...]:
    """The raw recordings whose synthetic copy has wrong annotations and a trigger .csv,
    as the release has two (subject 2's session 3, if configured)."""
    return (f"2_{synthetic_date(2, 3)}_3",)


def input_files(config: Mapping, root: Path, recording: str) -> dict[str, str]:
    cfg = config[NAME]
    subject = subject_of(recording)
    files = {"labels": root / LABEL_FILE}
    if cfg["entry"] == "raw":
        for k in cfg["sessions"]:
            files[f"cnt_{k}"] = _raw_file(config, root, int(subject), k)
            trigger = trigger_file(root, files[f"cnt_{k}"])
            if trigger.is_file() or (cfg["source"] == "synthetic" and files[f"cnt_{k}"].stem in synthetic_trigger_stems()):
                files[f"trigger_{k}"] = trigger
        return {role: str(path) for role, path in files.items()}
    if cfg["entry"] == "preprocessed":
        files["eeg"] = root / EEG_DIR / f"{subject}.mat"
    else:
        files["features"] = root / FEATURE_DIR / f"{subject}.mat"
    if cfg.get("eye_movements", True):
        files["eye"] = root / EYE_DIR / f"{subject}.mat"
    return {role: str(path) for role, path in files.items()}


def videos_of(sessions: Sequence[int]) -> list[int]:
    for k in sessions:
        if k not in SESSIONS:
            raise ConfigError(f"{NAME}.sessions", f"session {k!r} is not one of {list(SESSIONS)}")
    return [(k - 1) * N_TRIALS + t for k in sorted(sessions) for t in range(1, N_TRIALS + 1)]


def read_labels(path: str | Path, sessions: Sequence[int] = SESSIONS) -> dict[int, int]:
    """Video -> label value from ``emotion_label_and_stimuli_order.xlsx``; a label that
    differs from the documented order is logged (the workbook wins)."""
    labels = video_mat.read_label_sheet(path, SPEC, CLASS_NAMES, sessions)
    for v, label in labels.items():
        documented = SPEC.labels((v - 1) // N_TRIALS + 1)[(v - 1) % N_TRIALS]
        if label != documented:
            log.warning("%s: video %d is %s in the workbook but %s in the documented order; using the workbook's",
                        path, v, CLASS_NAMES[label], CLASS_NAMES[documented])
    return labels


def read(files: Mapping[str, str], *, entry: str = "features", sessions: Sequence[int] = SESSIONS,
         extracted_feature: str = "de_LDS", nan_windows: str = "error", cnt_data_format: str = "auto") -> Recording:
    """Read one subject of the configured ``entry`` from its files by role (see :func:`input_files`)."""
    check_option("entry", entry, ENTRIES)
    if entry == "raw":
        return read_raw(files, sessions=sessions, data_format=cnt_data_format)
    if entry == "preprocessed":
        return read_preprocessed(files["eeg"], files.get("eye"), files["labels"], sessions=sessions)
    return read_features(files["features"], files.get("eye"), files["labels"], sessions=sessions,
                         feature=extracted_feature, nan_windows=nan_windows)


def align_eye_rows(eye_path: Path, video: int, eye: np.ndarray, n_windows: int, what: str) -> tuple[np.ndarray, int]:
    """The eye rows of one clip cut to the EEG's ``n_windows``: one row more or fewer is
    tolerated (the longer cut at its end; returns the rows cut), more is an error."""
    difference = eye.shape[0] - n_windows
    if abs(difference) > 1:
        raise DataFormatError(eye_path, f"'{video}' has {eye.shape[0]} windows but {what} has {n_windows}: the eye "
                              "rows do not match the EEG windows of the clip (one window of difference is tolerated)")
    if difference:
        log.info("%s: clip %d has %d eye rows for %d EEG windows; the longer is cut at its end", eye_path, video,
                 eye.shape[0], n_windows)
    return eye[:n_windows], abs(difference)


def _recording(path: Path, *, segments, sources, eye: bool, shipped: ShippedFeatures | None = None) -> Recording:
    subject = subject_of(path.stem) if "_" in path.stem else path.stem
    return bcmi.recording(SPEC, name=recording_stem(int(subject)), subject=subject, segments=segments,
                          sources=sources, other_kind=LAB_EYE_KIND if eye else "none", shipped=shipped,
                          trials_per_session=N_TRIALS)


def read_features(path: str | Path, eye_path: str | Path | None, labels_path: str | Path, *,
                  sessions: Sequence[int] = SESSIONS, feature: str = "de_LDS", nan_windows: str = "error") -> Recording:
    """``EEG_features/{s}.mat`` (+ ``EYE_features/{s}.mat``): the lab's DE/PSD and eye
    features on its 4 s windows for the videos of ``sessions``, labelled from the workbook."""
    check_option("nan_windows", nan_windows, NAN_WINDOWS)
    path, labels_path = Path(path), Path(labels_path)
    check_file(path)
    videos = videos_of(sessions)
    labels = read_labels(labels_path, sessions)
    clips, order = video_mat.read_band_features(path, SPEC, videos, feature)
    eye = None
    if eye_path is not None:
        eye_path = Path(eye_path)
        eye = video_mat.read_eye(eye_path, SPEC, videos)
    segments, dropped, cut = [], 0, 0
    for v in videos:
        de, psd = clips[v]
        finite = np.ones(de.shape[0], dtype=bool)
        other = None
        if eye is not None:
            other, n_cut = align_eye_rows(eye_path, v, eye[v], de.shape[0], f"{feature}_{v} of {path.name}")
            cut += n_cut
            if other.shape[0] < de.shape[0]:  # one eye row short: the EEG's last window goes
                de, psd, finite = de[:other.shape[0]], psd[:other.shape[0]], finite[:other.shape[0]]
            finite = np.isfinite(other).all(axis=1)
        if not finite.all():
            if nan_windows == "error":
                raise DataFormatError(eye_path, f"'{v}': {int((~finite).sum())} window(s) with NaN/inf (first window "
                                      f"{int(np.argmin(finite))}); set {NAME}.nan_windows: drop to leave them out")
            dropped += int((~finite).sum())
            if not finite.any():
                raise DataFormatError(eye_path, f"'{v}': no window without NaN/inf")
        segments.append(Segment(
            index=v, eeg=np.empty((len(CHANNELS), 0)), other=None, labels=np.array([labels[v]], dtype=np.float64),
            shipped=ShippedWindows(de=de[finite], psd=psd[finite], other=None if other is None else other[finite],
                                   start_s=np.arange(de.shape[0])[finite] * WINDOW_S)))
    sources = [path, labels_path] + ([eye_path] if eye is not None else [])
    origin = (f"the SEED-VII lab's EEG_features {feature}_<v> / psd_<v> ({path.name}, {order})"
              + ("" if eye is None else f" and its 33 eye features ({eye_path.parent.name}/{eye_path.name}; "
                 f"{cut} eye row(s) cut to the EEG windows)") + "; not computed by this workflow")
    return _recording(path, segments=segments, sources=sources, eye=eye is not None, shipped=ShippedFeatures(
        window_s=WINDOW_S, step_s=WINDOW_S, bands=dict(SPEC.bands), origin=origin,
        other_kind="" if eye is None else LAB_EYE_KIND, other_names=() if eye is None else EYE_FEATURE_NAMES,
        dropped_windows=dropped))


def read_preprocessed(path: str | Path, eye_path: str | Path | None, labels_path: str | Path, *,
                      sessions: Sequence[int] = SESSIONS) -> Recording:
    """``EEG_preprocessed/{s}.mat`` '{v}' (62, T) at 200 Hz (+ the eye features, cut to the
    clip's 4 s windows), labelled from the workbook. Our bandpass and DE follow."""
    path, labels_path = Path(path), Path(labels_path)
    check_file(path)
    videos = videos_of(sessions)
    labels = read_labels(labels_path, sessions)
    eeg = video_mat.read_eeg(path, SPEC, videos)
    eye = None
    if eye_path is not None:
        eye_path = Path(eye_path)
        eye = video_mat.read_eye(eye_path, SPEC, videos)
    segments = []
    for v in videos:
        other = None
        if eye is not None:
            n_windows = int(eeg[v].shape[1] // int(WINDOW_S * SFREQ))
            other, _ = align_eye_rows(eye_path, v, eye[v], n_windows, f"'{v}' of {path.name} ({n_windows} 4 s windows)")
            if other.shape[0] < n_windows:
                eeg[v] = eeg[v][:, :other.shape[0] * int(WINDOW_S * SFREQ)]
            if not np.isfinite(other).all():
                raise DataFormatError(eye_path, f"'{v}' holds NaN/inf; this entry cannot leave windows out (set "
                                      f"{NAME}.eye_movements: false, or use entry features with nan_windows: drop)")
        segments.append(Segment(index=v, eeg=eeg.pop(v), other=other, labels=np.array([labels[v]], dtype=np.float64)))
    sources = [path, labels_path] + ([eye_path] if eye is not None else [])
    rec = _recording(path, segments=segments, sources=sources, eye=eye is not None)
    if eye is not None:
        rec.other_names = EYE_FEATURE_NAMES
    return rec


def feature_windows(config: Mapping, root: Path) -> tuple[float, float] | None:
    """The lab's 4 s windows when the preprocessed entry carries its eye features (their
    rows are the lab's windows); else the block's ``window_s``/``step_s``."""
    cfg = config[NAME]
    if cfg["entry"] == "preprocessed" and cfg.get("eye_movements", True):
        return WINDOW_S, WINDOW_S
    return None


# --- raw ---------------------------------------------------------------------------------


def read_trigger_csv(path: str | Path, *, recording_start: "np.datetime64 | None", n_clips: int = N_TRIALS
                     ) -> list[tuple[float, float]]:
    """Clip (start, end) in seconds from the recording's start out of a
    ``save_info/*_trigger_info.csv``: no header, rows ``code,YYYY-MM-DD HH:MM:SS.ffffff``
    (1 = clip start, 2 = clip end). The times are wall-clock; the recording's start time
    (the .cnt header's) maps them to seconds, as the lab's script does."""
    import pandas as pd

    path = Path(path)
    check_file(path, error=RawFormatError)
    try:
        table = pd.read_csv(path, header=None, names=["code", "time"], dtype={"code": "Int64", "time": str})
        times = pd.to_datetime(table["time"], format="%Y-%m-%d %H:%M:%S.%f")
    except Exception as err:
        raise RawFormatError(path, f"not a trigger table of rows 'code,YYYY-MM-DD HH:MM:SS.ffffff' "
                             f"({str(err).splitlines()[0] if str(err) else type(err).__name__})") from None
    if recording_start is None:
        raise RawFormatError(path, "the .cnt header holds no recording start time to map the wall-clock triggers to")
    seconds = (times - pd.Timestamp(recording_start)).dt.total_seconds().to_numpy()
    return _pairs(path, table["code"].to_numpy(dtype=np.int64), seconds, n_clips, "trigger rows")


def _pairs(path: Path, codes: np.ndarray, seconds: np.ndarray, n_clips: int, what: str) -> list[tuple[float, float]]:
    """Start/end pairs out of a sequence of codes 1 (start) and 2 (end)."""
    keep = np.isin(codes, (CLIP_START, CLIP_END))
    codes, seconds = codes[keep], seconds[keep]
    expected = np.tile([CLIP_START, CLIP_END], n_clips)
    if codes.size != expected.size or not np.array_equal(codes, expected):
        raise RawFormatError(path, f"{what}: {int((codes == CLIP_START).sum())} starts (code {CLIP_START}) and "
                             f"{int((codes == CLIP_END).sum())} ends (code {CLIP_END}) not in {n_clips} start/end pairs "
                             f"(codes in order: {codes.tolist()[:8]}...)")
    bounds = list(zip(seconds[0::2].tolist(), seconds[1::2].tolist()))
    for k, (start, end) in enumerate(bounds, start=1):
        if not 0 <= start < end:
            raise RawFormatError(path, f"{what}: clip {k} starts at {start:g} s, not before its end {end:g} s")
    return bounds


def clip_bounds_s(cnt_path: str | Path, trigger_path: str | Path | None = None, *,
                  data_format: str = "auto") -> list[tuple[float, float]]:
    """Clip (start, end) in s of one raw recording: the annotations (codes 1/2 in pairs),
    or the trigger .csv where given."""
    import mne

    cnt_path = Path(cnt_path)
    check_file(cnt_path, error=RawFormatError)
    try:
        raw = mne.io.read_raw_cnt(cnt_path, eog=EOG_CHANNELS, data_format="int32" if data_format == "auto" else
                                  data_format, preload=False, verbose="error")
    except Exception as err:
        raise RawFormatError(cnt_path, f"not a readable Neuroscan CNT file ({str(err).splitlines()[0]})") from None
    if trigger_path is not None:
        start = raw.info["meas_date"]
        return read_trigger_csv(trigger_path, recording_start=None if start is None else
                                np.datetime64(start.replace(tzinfo=None)))
    events = cnt.read_cnt_events(raw)
    codes, seconds = events[:, 2], (events[:, 0] - raw.first_samp) / raw.info["sfreq"]
    if not np.isin(codes, (CLIP_START, CLIP_END)).any() and codes.size == 2 * N_TRIALS:
        # other trigger codes: the annotations in order are the clips' start/end pairs (the lab's reading)
        log.info("%s: annotation codes %s are not 1/2; reading the %d annotations as start/end pairs in order",
                 cnt_path, sorted(set(codes.tolist())), codes.size)
        codes = np.tile([CLIP_START, CLIP_END], N_TRIALS)
    return _pairs(cnt_path, codes, seconds, N_TRIALS, "annotations")


def read_raw(files: Mapping[str, str], *, sessions: Sequence[int] = SESSIONS, data_format: str = "auto") -> Recording:
    """``EEG_raw/{s}_{date}_{k}.cnt`` of the given sessions cut into their 20 clips (from the
    annotations, or ``trigger_{k}``'s .csv), 200 Hz, µV, labelled from the workbook."""
    labels_path = Path(files["labels"])
    labels = read_labels(labels_path, sessions)
    segments, sources = [], []
    for k in sorted(sessions):
        cnt_path = Path(files[f"cnt_{k}"])
        trigger = files.get(f"trigger_{k}")
        bounds_s = clip_bounds_s(cnt_path, trigger, data_format=data_format)
        bounds = [(int(round(a * RAW_SFREQ)), int(round(b * RAW_SFREQ))) for a, b in bounds_s]
        raw = cnt.read_cnt(cnt_path, trigger or cnt_path, channels=CHANNELS, bounds=bounds, inclusive_end=False,
                           n_clips=N_TRIALS, keep_eog=False, eog=EOG_CHANNELS, drop=DROP_CHANNELS,
                           sfreq_expected=RAW_SFREQ, target_sfreq=SFREQ, data_format=data_format,
                           config_key=f"{NAME}.cnt_data_format", dataset=TITLE)
        for t, clip in enumerate(raw.clips, start=1):
            v = (k - 1) * N_TRIALS + t
            segments.append(Segment(index=v, eeg=check_eeg(cnt_path, f"clip {t}", clip, len(CHANNELS)), other=None,
                                    labels=np.array([labels[v]], dtype=np.float64)))
        sources += [cnt_path] + ([Path(trigger)] if trigger else [])
    subject = subject_of(Path(files[f"cnt_{sorted(sessions)[0]}"]).stem)
    return bcmi.recording(SPEC, name=recording_stem(int(subject)), subject=subject, segments=segments,
                          sources=sources + [labels_path], trials_per_session=N_TRIALS)
