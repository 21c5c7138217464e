"""SEED (BCMI lab, SJTU): the spec, the layout, and the four entries.

- **spec** (:data:`SPEC`): 15 film clips per session with one label order for every
  session (``resources/seed_labels.tsv``), 62 channels at 200 Hz, the 45 real session
  names (``resources/seed_sessions.tsv``);
- **discovery** (:func:`discover_seed_source`): the download's parts (``SEED_EEG/``,
  ``SEED_Multimodal/Chinese/``) from any of its folders; :func:`resolve_entry` turns
  ``entry: auto`` into the entry the files allow; :func:`describe` is the start-up line;
- **entries** (``seed.entry``), each put together from the lab's formats in :mod:`.bcmi`:
  ``recordings`` (the default through ``auto``: ``Preprocessed_EEG`` or raw .cnt EEG,
  featurised by us on the lab's windows, + the lab's 33 eye features of
  ``04-Eye-tracking-feature``, paired by date order), ``preprocessed``
  (``Preprocessed_EEG/{subject}_{YYYYMMDD}.mat`` + ``label.mat`` + our documented
  ``Eye_movements/`` tables), ``raw`` (``SEED_RAW_EEG/*.cnt`` + ``time.txt``),
  ``extracted`` (the lab's ``ExtractedFeatures/``, 1 s windows) and ``multimodal``
  (``SEED_Multimodal/Chinese``: the lab's DE + its 33 eye features);
- **class mapping**: labels -1, 0, 1 are classes negative, neutral, positive.

Every problem with a file raises :class:`~..recording.DataFormatError` (raw files:
:class:`~..recording.RawFormatError`) with one line naming the file and the problem.
Units: every EEG array is in µV, the unit of the preprocessed release.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..recording import (
    EVENT_COLUMNS as CONTRACT_EVENT_COLUMNS,
    EYE_EVENT_CODES,
    PUPIL_COLUMNS as CONTRACT_PUPIL_COLUMNS,
    ConfigError,
    DataFormatError,
    EyeClip,
    LabelClasses,
    Recording,
    Segment,
    ShippedFeatures,
    ShippedWindows,
    check_eeg,
    check_file,
    check_finite,
    check_option,
    loadmat,
)
from . import bcmi
from ._resources import read_lines, read_table
from .bcmi import cnt, eeg_mat, feature_mat, pickled
from .bcmi.cnt import CNT_DATA_FORMATS, read_cnt_events  # noqa: F401 - part of this module's API

logger = logging.getLogger(__name__)

# --- identity ---------------------------------------------------------------------------
NAME = "seed"
TITLE = "SEED"
FOLDER = "SEED"  # the synthetic copy's folder under <results>/synthetic
TABLE_CAPTION = "SEED, 3 classes (paper Fig. 3)"
#: A recording is one session (cross_session protocols pool a subject's sessions).
RECORDING_IS_SESSION = True
RECORDING_PATTERN = r"\d+_\d+"  # {subject}_{YYYYMMDD} (or {subject}_{session} for raw files named so)

# --- preprocessed EEG, 200 Hz -----------------------------------------------------------
CHANNELS: tuple[str, ...] = read_lines("seed_channels.txt")
SFREQ = 200.0
N_CLIPS = 15
N_SEGMENTS = N_CLIPS
EEG_DIR = "Preprocessed_EEG"
LABEL_FILE = "label.mat"
EYE_DIR = "Eye_movements"
EEG_VARIABLE = eeg_mat.EEG_VARIABLE
CLIP_LABELS: tuple[int, ...] = tuple(int(row["label"]) for row in read_table("seed_labels.tsv"))
LABEL_SET = frozenset({-1, 0, 1})
LABEL_NAMES = ("emotion",)
CLASSES = {"emotion": LabelClasses(kind="categorical", class_names=("negative", "neutral", "positive"),
                                   values=(-1.0, 0.0, 1.0))}
SPEC = bcmi.Spec(name=NAME, channels=CHANNELS, sfreq=SFREQ, n_trials=N_CLIPS, session_labels=(CLIP_LABELS,),
                 classes=CLASSES["emotion"])
# The real release's 45 sessions: (subject, session) -> date and variable initials.
SESSIONS: dict[tuple[int, int], tuple[str, str]] = {
    (int(row["subject"]), int(row["session"])): (row["date"], row["initials"]) for row in read_table("seed_sessions.tsv")
}
N_SUBJECTS = 15
# Eye tables (our documented layout): one .mat per session, ``pupil_{k}`` (n, 3) and
# ``events_{k}`` (n, 6) with these columns; mapped to the contract's columns by name.
PUPIL_COLUMNS = ("time_s", "diameter_x_mm", "diameter_y_mm")
EVENT_COLUMNS = ("type", "onset_s", "duration_s", "dispersion_x", "dispersion_y", "amplitude_deg")
EVENT_CODES = {"fixation": 1, "saccade": 2, "blink": 3}  # the table's type codes

# --- raw recordings (Neuroscan CNT, 1000 Hz) --------------------------------------------
RAW_DIR = "SEED_RAW_EEG"  # {subject}_{date}.cnt and time.txt
TIME_FILE = "time.txt"
RAW_SFREQ = 1000.0
EOG_CHANNELS: tuple[str, ...] = ("VEO", "HEO")
DROP_CHANNELS: tuple[str, ...] = ("M1", "M2")
# Channel order the synthetic writer uses: the 62 EEG channels with M1 after T8 and M2
# after TP8 and the EOG pair last, as on a Neuroscan 64-channel Quik-Cap. Readers do
# not depend on this order (uncertain for SEED: only the set of names is relied upon).
RAW_CHANNELS: tuple[str, ...] = (
    CHANNELS[: CHANNELS.index("T8") + 1] + ("M1",)
    + CHANNELS[CHANNELS.index("T8") + 1 : CHANNELS.index("TP8") + 1] + ("M2",)
    + CHANNELS[CHANNELS.index("TP8") + 1 :] + ("HEO", "VEO")
)
# Clip lengths (s) of the synthetic sessions unless synthetic.seed_clip_seconds says
# otherwise (the real clips are about 185-265 s; shorter keeps the default run quick).
SYNTHETIC_CLIP_SECONDS = (40.0, 60.0)


# --- the lab's ExtractedFeatures (entry: extracted) -----------------------------------
# ``ExtractedFeatures/{subject}_{date}.mat`` (``ExtractedFeatures_1s/`` in the newer
# release): the lab's smoothed-feature .mat (:mod:`.bcmi.feature_mat`) on 1 s windows;
# its own ``label.mat``.
EXTRACTED_DIRS = ("ExtractedFeatures", "ExtractedFeatures_1s")
EXTRACTED_FEATURES = feature_mat.SMOOTHED_FEATURES  # config seed.extracted_feature
EXTRACTED_PSD = feature_mat.PSD_OF
EXTRACTED_WINDOW_S = 1.0
LAB_BANDS = bcmi.LAB_BANDS
#: ``auto`` resolves to the first the files allow (:func:`resolve_entry`); ``recordings``
#: = EEG from the recordings (our bandpass + DE on the lab's windows) + the lab's 33 eye
#: features of SEED_Multimodal, the paper's pipeline on the release as it ships.
ENTRIES = ("auto", "recordings", "preprocessed", "raw", "extracted", "multimodal")
READ_OPTIONS = ("entry", "cnt_data_format", "extracted_feature", "nan_windows", "lab_window_s")  # passed to read()
RECORDINGS_EEG = ("preprocessed", "raw")  # config seed.recordings_eeg (entry recordings)
EYE_SOURCES = ("lab_features", "eye_movements")  # config seed.eye_source (entry recordings)
LAB_WINDOWS_S = (4.0, 1.0)  # config seed.lab_window_s: the lab's windows (eye rows are 4 s)
DEFAULT_PROTOCOL = {"kind": "clips", "tasks": ["emotion"], "train_clips": [1, 2, 3, 4, 5, 6],
                    "validation_clips": [7, 8, 9], "test_clips": [10, 11, 12, 13, 14, 15], "eeg_feature": "de"}


def session_stem(subject: int, date: str) -> str:
    """File stem of a SEED session, e.g. ``session_stem(1, "20131027") == "1_20131027"``."""
    return f"{subject}_{date}"


def real_session_stem(subject: int, session: int) -> str:
    """Stem of the real release's ``session``-th (date order) session of ``subject``."""
    if (subject, session) not in SESSIONS:
        raise ConfigError("seed.subjects", f"SEED has subjects 1-{N_SUBJECTS} with sessions 1-3, not {subject}/{session}")
    return session_stem(subject, SESSIONS[(subject, session)][0])


def session_of(recording: str) -> int:
    """Session number (1-3, date order) of one of the real 45 session stems."""
    subject, date = recording.split("_")
    for (s, k), (d, _) in SESSIONS.items():
        if s == int(subject) and d == date:
            return k
    raise ConfigError("seed.source", f"{recording} is not one of the 45 SEED session names")


def subject_of(recording: str) -> str:
    """Subject id of a session stem (``"12_20131127"`` -> ``"12"``)."""
    return recording.split("_")[0]


# --- configuration hooks ----------------------------------------------------------------


def shortest_segment_s(config: Mapping) -> float | None:
    """Shortest clip (s) the configured data can have; None if unknown before reading."""
    if config["seed"]["source"] == "synthetic":
        low, high = config.get("synthetic", {}).get("seed_clip_seconds", SYNTHETIC_CLIP_SECONDS)
        if low > high:
            raise ConfigError("synthetic.seed_clip_seconds", f"minimum {low} exceeds maximum {high}")
        return low
    return None


def recordings(config: Mapping, root: Path) -> list[str]:
    """Session stems for the configured subjects and sessions.

    The synthetic dataset has the real 45 names. A SEED copy is listed from its folder:
    ``{subject}_*`` files sorted by the number after the underscore; the k-th is session k.
    """
    cfg = config["seed"]
    tree = source_tree(config, root)
    entry = resolve_entry(config, tree)
    if entry == "multimodal":
        return multimodal_recordings(config, root)
    if cfg["source"] == "synthetic":
        return [real_session_stem(s, k) for s in cfg["subjects"] for k in cfg["sessions"]]
    raw = entry == "raw" or (entry == "recordings" and cfg.get("recordings_eeg", "preprocessed") == "raw")
    base = tree.base
    suffix = ".cnt" if raw else ".mat"
    stems, folders = [], {}
    for subject in cfg["subjects"]:
        if entry == "recordings":
            folder = recordings_eeg_folder(tree, subject, raw=raw)
        else:
            folder = base / (RAW_DIR if raw else extracted_dir(base) if entry == "extracted" else EEG_DIR)
        folders[subject] = folder
        dated = _dated(folder, subject, suffix)
        for k in cfg["sessions"]:
            if k > len(dated):
                raise ConfigError(
                    "seed.sessions", f"subject {subject} has {len(dated)} session files in {folder}, session {k} requested"
                )
            stems.append(dated[k - 1])
    if entry == "recordings" and cfg.get("eye_source", "lab_features") == "lab_features":
        check_eye_pairing(tree, {s: _dated(folders[s], s, suffix) for s in cfg["subjects"]}, cfg["subjects"])
    return stems


def recordings_eeg_folder(tree: SeedTree, subject: int, *, raw: bool) -> Path:
    """Where entry ``recordings`` finds a subject's EEG: ``Preprocessed_EEG/``, or with
    ``recordings_eeg: raw`` ``SEED_RAW_EEG/`` when it holds the subject's .cnt files, else
    ``SEED_Multimodal/Chinese/01-EEG-raw/`` (``{sub}_{ses}.cnt``; clip bounds from
    ``SEED_RAW_EEG/time.txt``, the same 15 clips)."""
    if not raw:
        return tree.base / EEG_DIR
    folder = tree.base / RAW_DIR
    if tree.synthetic or _dated(folder, subject, ".cnt") or tree.chinese is None:
        return folder
    chinese = tree.chinese / MULTIMODAL_RAW_DIR
    return chinese if _dated(chinese, subject, ".cnt") else folder


def _dated(folder: Path, subject: int, suffix: str) -> list[str]:
    return sorted((p.stem for p in folder.glob(f"{subject}_*{suffix}") if re.fullmatch(rf"{subject}_\d+", p.stem)),
                  key=lambda stem: int(stem.split("_")[1]))


def extracted_dir(root: Path) -> Path:
    """The folder of the lab's 1 s extracted features in a SEED copy (the first of
    :data:`EXTRACTED_DIRS` that exists; the newer release's name if none does, as the
    synthetic copy writes it)."""
    for name in EXTRACTED_DIRS:
        if (root / name).is_dir():
            return root / name
    return root / EXTRACTED_DIRS[1]


def input_files(config: Mapping, root: Path, recording: str) -> dict[str, str]:
    """Files of one session by role, for the configured entry (``seed.entry``)."""
    cfg = config["seed"]
    tree = source_tree(config, root)
    entry = resolve_entry(config, tree)
    if entry == "multimodal":
        return multimodal_input_files(config, root, recording)
    if entry == "recordings":
        return recordings_input_files(config, tree, recording)
    synthetic = cfg["source"] == "synthetic"
    root = tree.eeg_base
    files: dict[str, Path] = {}
    if entry == "raw":
        files = {"cnt": root / RAW_DIR / f"{recording}.cnt", "time": root / RAW_DIR / TIME_FILE}
    elif entry == "extracted":
        folder = extracted_dir(root)
        files = {"extracted": folder / f"{recording}.mat"}
        # The lab ships label.mat in both folders; a copy may hold only ExtractedFeatures/.
        if not synthetic and (folder / LABEL_FILE).is_file():
            files["labels"] = folder / LABEL_FILE
    else:
        files = {"eeg": root / EEG_DIR / f"{recording}.mat"}
    files.setdefault("labels", root / EEG_DIR / LABEL_FILE)
    eye = root / EYE_DIR / f"{recording}.mat"
    # Extracted features stand alone in the lab's release: eye tables only where present.
    if cfg.get("eye_movements", True) and (entry != "extracted" or synthetic or eye.is_file()):
        files["eye"] = eye
    return {role: str(path) for role, path in files.items()}


def read(
    files: Mapping[str, str], *, entry: str = "preprocessed", cnt_data_format: str = "auto",
    extracted_feature: str = "de_LDS", nan_windows: str = "error", lab_window_s: float = 4.0,
) -> Recording:
    """Read one session of the configured ``entry`` from its files by role (see :func:`input_files`).

    ``entry: auto`` is told apart by the roles :func:`input_files` gave (it resolved it)."""
    check_option("entry", entry, ENTRIES)
    if entry == "auto":
        entry = ("extracted" if "extracted" in files else "multimodal" if "multimodal_eeg" in files
                 else "recordings")
    readers = {
        "recordings": lambda: read_recordings_session(files, data_format=cnt_data_format, window_s=lab_window_s),
        "preprocessed": lambda: read_session(files["eeg"], files["labels"], files.get("eye")),
        "raw": lambda: read_raw_session(files, data_format=cnt_data_format),
        "extracted": lambda: read_extracted_session(files, feature=extracted_feature),
        "multimodal": lambda: read_multimodal_session(files, nan_windows=nan_windows),
    }
    return readers[entry]()


# --- entry preprocessed (and the labels and eye tables the raw entry shares) -------------


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
        clips.append(_to_contract(pupil, events))
    return clips


def _to_contract(pupil: np.ndarray, events: np.ndarray) -> EyeClip:
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
    return _recording(eeg_path, clips, sfreq=SFREQ, label_path=label_path, eye_path=eye_path, sources=sources)


def read_raw_session(files: Mapping[str, str], *, data_format: str = "auto") -> Recording:
    """Read one raw session (``.cnt`` + ``time.txt``) cut into its 15 clips at 200 Hz,
    with the labels and eye movements of the preprocessed release."""
    cnt_path = Path(files["cnt"])
    session = read_cnt(cnt_path, files["time"], data_format=data_format)
    clips = [check_eeg(cnt_path, f"clip {k + 1}", clip, len(CHANNELS)) for k, clip in enumerate(session.clips)]
    sources = [cnt_path, Path(files["time"]), Path(files["labels"])] + ([Path(files["eye"])] if files.get("eye") else [])
    return _recording(cnt_path, clips, sfreq=session.sfreq, label_path=files["labels"], eye_path=files.get("eye"),
                      sources=sources)


def _recording(path: Path, clips: list[np.ndarray], *, sfreq: float, label_path, eye_path, sources) -> Recording:
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
    """The 15 clip bounds (samples at 1000 Hz) of ``SEED_RAW_EEG/time.txt`` (:func:`.bcmi.cnt.read_time_txt`)."""
    return cnt.read_time_txt(path, n_clips=n_clips)


def read_cnt(cnt_path: str | Path, time_path: str | Path, **options) -> cnt.RawSession:
    """Read a SEED raw session (``.cnt`` + ``time.txt``) cut into its 15 clips at 200 Hz,
    µV, rows in :data:`CHANNELS` order (see :func:`.bcmi.cnt.read_cnt` for ``options``)."""
    options = {"sfreq_expected": RAW_SFREQ, "target_sfreq": SFREQ, "eog": EOG_CHANNELS, "drop": DROP_CHANNELS,
               "n_clips": N_CLIPS, **options}
    return cnt.read_cnt(cnt_path, time_path, channels=CHANNELS, config_key="seed.cnt_data_format", dataset=TITLE,
                        **options)


# --- the lab's ExtractedFeatures -------------------------------------------------------


def read_extracted(path: str | Path, feature: str = "de_LDS") -> list[tuple[np.ndarray, np.ndarray]]:
    """Read ``ExtractedFeatures/{subject}_{date}.mat``: per clip (de, psd), each (n_windows, 62, 5)."""
    return feature_mat.read_smoothed(path, SPEC, feature)


def read_extracted_session(files: Mapping[str, str], *, feature: str = "de_LDS") -> Recording:
    """One session from the lab's extracted features, labels, and (optional) our eye tables.

    The EEG features are the lab's, on 1 s windows; eye features are computed later by
    the feature stage on the same windows from ``Eye_movements/`` when it is given.
    """
    path = Path(files["extracted"])
    clips = read_extracted(path, feature)
    labels = read_labels(files["labels"])
    eye = read_eye(files["eye"]) if files.get("eye") else None
    segments = []
    for k, (de, psd) in enumerate(clips):
        start_s = np.arange(de.shape[0]) * EXTRACTED_WINDOW_S
        segments.append(Segment(
            index=k + 1, eeg=np.empty((len(CHANNELS), 0)), other=None if eye is None else eye[k],
            labels=np.array([labels[k]], dtype=np.float64),
            shipped=ShippedWindows(de=de, psd=psd, other=None, start_s=start_s)))
    sources = [path, Path(files["labels"])] + ([Path(files["eye"])] if files.get("eye") else [])
    return bcmi.recording(
        SPEC, name=path.stem, subject=subject_of(path.stem), segments=segments, sources=sources,
        other_kind="none" if eye is None else "eye_movements",
        shipped=ShippedFeatures(
            window_s=EXTRACTED_WINDOW_S, step_s=EXTRACTED_WINDOW_S, bands=dict(LAB_BANDS),
            origin=(f"the SEED lab's ExtractedFeatures {feature} / {EXTRACTED_PSD[feature]} "
                    f"({path.name}), not computed by this workflow"
                    + ("; eye features computed by this workflow on the same 1 s windows" if eye else ""))),
    )


# --- SEED_Multimodal (entry: multimodal) ---------------------------------------------
# The lab's release ``SEED_Multimodal/Chinese/`` (see docs/datasets/seed.md):
#   02-EEG-DE-feature/eeg_used_{4s,1s}/{sub}_{ses}.npz   train_data/test_data: pickled dicts
#       band -> (n_windows, 62) stored as 0-d byte-string arrays; train_label/test_label
#       (clip label + 1); train = clips 1-9, test = clips 10-15
#   04-Eye-tracking-feature/eye_tracking_feature/{sub}_{ses}   pickle (no extension):
#       train_data_eye/test_data_eye (n_windows, 33), rows aligned with eeg_used_4s
# ``{ses}`` is 1/2/3, not a date. 01-EEG-raw (.cnt) and 03-Eye-tracking-excel (.xls) are not
# read: the .xls columns are not documented publicly.
MULTIMODAL_DIR = Path("SEED_Multimodal") / "Chinese"
MULTIMODAL_EEG_DIR = Path("02-EEG-DE-feature")
MULTIMODAL_EEG_WINDOW_S = {"eeg_used_4s": 4.0, "eeg_used_1s": 1.0}  # config seed.multimodal_eeg
MULTIMODAL_EYE_DIR = Path("04-Eye-tracking-feature") / "eye_tracking_feature"
MULTIMODAL_EYE_WINDOW_S = 4.0
MULTIMODAL_SUBJECTS = (1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14)  # the 12 with eye data
MULTIMODAL_SESSIONS = (1, 2, 3)
MULTIMODAL_PARTS = {"train": range(1, 10), "test": range(10, N_CLIPS + 1)}  # clips of each part
MULTIMODAL_BANDS = ("delta", "theta", "alpha", "beta", "gamma")  # the dicts' keys, in the feature order
MULTIMODAL_LABEL_OFFSET = 1  # npz labels are the clip labels + 1 (0 negative, 1 neutral, 2 positive)
NAN_WINDOWS = ("error", "drop")
# The real clip durations (s); the lab's windows per clip are floor(T / window). Used to
# place the boundary between two consecutive clips of the same label (clips 3 and 4).
SEED_CLIP_SECONDS = (235, 233, 206, 238, 185, 195, 237, 216, 265, 237, 235, 233, 235, 238, 206)
# The 33 eye features in file order. Only the grouping (12 pupil, 4 dispersion, 4 saccade,
# 2 fixation, 2 blink, 9 event statistics) follows the lab's description; the order inside
# the groups is inferred from the data (research note), not documented. Names after the
# column number are therefore marked as inferred in the feature file.
LAB_EYE_COLUMNS = (
    "pupil_x_de_0-0.2Hz", "pupil_y_de_0-0.2Hz", "pupil_x_de_0.2-0.4Hz", "pupil_y_de_0.2-0.4Hz",
    "pupil_x_de_0.4-0.6Hz", "pupil_y_de_0.4-0.6Hz", "pupil_x_de_0.6-1Hz", "pupil_y_de_0.6-1Hz",
    "pupil_x_mean", "pupil_y_mean", "pupil_x_std", "pupil_y_std",
    "dispersion_x_mean", "dispersion_y_mean", "dispersion_x_std", "dispersion_y_std",
    "saccade_duration_mean", "saccade_amplitude_mean", "saccade_duration_std", "saccade_amplitude_std",
    "fixation_duration_mean", "fixation_duration_std", "blink_duration_mean", "blink_duration_std",
    "blink_frequency", "fixation_frequency", "fixation_duration_max", "fixation_dispersion_total",
    "fixation_dispersion_max", "saccade_frequency", "saccade_duration_average", "saccade_amplitude_average",
    "saccade_latency_average",
)
N_LAB_EYE_FEATURES = len(LAB_EYE_COLUMNS)
LAB_EYE_FEATURE_NAMES = tuple(f"lab_eye_{i:02d}_{name}" for i, name in enumerate(LAB_EYE_COLUMNS, start=1))
LAB_EYE_KIND = "lab_eye_features"


def multimodal_root(root: Path) -> Path:
    """``Chinese/`` of SEED_Multimodal: ``source`` may be the download's root, ``SEED_EEG/``,
    ``SEED_Multimodal/`` itself, or ``Chinese/`` (:func:`discover_seed_source`)."""
    return discover_seed_source(root).chinese or root / MULTIMODAL_DIR


def check_multimodal_subjects(subjects) -> None:
    """ConfigError for a subject SEED_Multimodal has no eye data for."""
    missing = [s for s in subjects if s not in MULTIMODAL_SUBJECTS]
    if missing:
        raise ConfigError(
            "seed.subjects", f"subject {missing[0]} has no eye data in SEED_Multimodal (the lab ships EEG and eye "
            "features for subjects 1-5 and 8-14 only; 6, 7 and 15 have EEG only): remove it, or use entry "
            "preprocessed/extracted without eye movements")


def multimodal_recordings(config: Mapping, root: Path) -> list[str]:
    """``{sub}_{ses}`` of the configured subjects and sessions; the files are checked here,
    so a missing one is a one-line error before any job runs."""
    cfg = config["seed"]
    check_multimodal_subjects(cfg["subjects"])
    protocols = config.get("experiments", {}).get("seed_protocol", {})  # one protocol or a list of them
    feature = next((f for p in ([protocols] if isinstance(protocols, Mapping) else protocols)
                    if (f := p.get("eeg_feature", "de")) != "de"), "de")
    if feature != "de":
        raise ConfigError("experiments.seed_protocol.eeg_feature",
                          f"{feature!r} needs PSD features, which SEED_Multimodal does not ship (DE only): use 'de'")
    names = [f"{s}_{k}" for s in cfg["subjects"] for k in cfg["sessions"]]
    if cfg["source"] != "synthetic":
        for name in names:
            files = multimodal_input_files(config, root, name)
            check_file(Path(files["multimodal_eeg"]))
            if not Path(files["multimodal_eye"]).is_file():
                raise DataFormatError(files["multimodal_eye"], f"not found: subject {subject_of(name)} has EEG "
                                      f"features ({Path(files['multimodal_eeg']).name}) but no eye-feature file")
    return names


def multimodal_input_files(config: Mapping, root: Path, recording: str) -> dict[str, str]:
    cfg = config["seed"]
    base = multimodal_root(root)
    variant = cfg.get("multimodal_eeg", "eeg_used_4s")
    return {"multimodal_eeg": str(base / MULTIMODAL_EEG_DIR / variant / f"{recording}.npz"),
            "multimodal_eye": str(base / MULTIMODAL_EYE_DIR / recording)}


def read_multimodal_eeg(path: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read ``02-EEG-DE-feature/eeg_used_*/{sub}_{ses}.npz``: ``"train"``/``"test"`` ->
    (de (n_windows, 62, 5) in :data:`MULTIMODAL_BANDS` order, labels as stored (0, 1, 2))."""
    return pickled.read_band_dict_npz(
        path, parts=tuple(MULTIMODAL_PARTS), bands=MULTIMODAL_BANDS, n_channels=len(CHANNELS),
        label_values={v + MULTIMODAL_LABEL_OFFSET for v in LABEL_SET})


def read_multimodal_eye(path: str | Path) -> dict[str, np.ndarray]:
    """Read ``04-Eye-tracking-feature/eye_tracking_feature/{sub}_{ses}``: ``"train"``/``"test"`` -> (n_windows, 33)."""
    return pickled.read_eye_pickle(path, parts=tuple(MULTIMODAL_PARTS), n_features=N_LAB_EYE_FEATURES)


def recover_clips(labels: np.ndarray, de: np.ndarray, *, path: Path, part: str, window_s: float) -> list[tuple[int, int, int]]:
    """``(clip, start, stop)`` rows of each clip of one part, from the label runs
    (:func:`.bcmi.pickled.recover_clips` with SEED's clips, labels and durations)."""
    clips = list(MULTIMODAL_PARTS[part])
    return pickled.recover_clips(
        labels, de, path=path, part=part, window_s=window_s, clips=clips,
        expected=[CLIP_LABELS[c - 1] + MULTIMODAL_LABEL_OFFSET for c in clips], clip_seconds=SEED_CLIP_SECONDS,
        dataset=TITLE)


def read_multimodal_session(files: Mapping[str, str], *, nan_windows: str = "error") -> Recording:
    """One session of SEED_Multimodal: the lab's DE and its 33 eye features per window.

    Windows are the lab's (4 s, or 1 s for ``eeg_used_1s``, non-overlapping). With 1 s
    EEG each window takes the eye row of the 4 s window it lies in; 1 s windows after
    a clip's last whole 4 s window have no eye row and are left out (counted).
    ``nan_windows``: ``"error"`` stops at a window with NaN/inf in either modality,
    ``"drop"`` leaves such windows out and counts them in the file's ``dropped_windows``.
    """
    check_option("nan_windows", nan_windows, NAN_WINDOWS)
    eeg_path, eye_path = Path(files["multimodal_eeg"]), Path(files["multimodal_eye"])
    window_s = MULTIMODAL_EEG_WINDOW_S.get(eeg_path.parent.name)
    if window_s is None:
        raise DataFormatError(eeg_path, f"cannot tell the window length: the folder must be one of "
                              f"{', '.join(MULTIMODAL_EEG_WINDOW_S)}")
    eeg = read_multimodal_eeg(eeg_path)
    eye = read_multimodal_eye(eye_path)
    per_eye_row = int(round(MULTIMODAL_EYE_WINDOW_S / window_s))  # EEG windows per eye row
    segments, dropped = [], 0
    for part, (de, labels) in eeg.items():
        bounds = recover_clips(labels, de, path=eeg_path, part=part, window_s=window_s)
        eye_rows = [(stop - start) // per_eye_row for _, start, stop in bounds]
        if sum(eye_rows) != eye[part].shape[0]:
            raise DataFormatError(
                eye_path, f"{part}_data_eye has {eye[part].shape[0]} windows but {eeg_path.name} {part}_data "
                f"(clips {bounds[0][0]}-{bounds[-1][0]}) gives {sum(eye_rows)}")
        first_eye = np.r_[0, np.cumsum(eye_rows)[:-1]]
        for (clip, start, stop), n_eye, eye_start in zip(bounds, eye_rows, first_eye):
            n = n_eye * per_eye_row  # EEG windows that have an eye row
            dropped += (stop - start) - n
            clip_de = de[start : start + n]
            clip_eye = np.repeat(eye[part][eye_start : eye_start + n_eye], per_eye_row, axis=0)
            finite = np.isfinite(clip_de).all(axis=(1, 2)) & np.isfinite(clip_eye).all(axis=1)
            if not finite.all():
                if nan_windows == "error":
                    bad_eeg = int((~np.isfinite(clip_de).all(axis=(1, 2))).sum())
                    where = eeg_path if bad_eeg else eye_path
                    raise DataFormatError(
                        where, f"clip {clip}: {int((~finite).sum())} window(s) with NaN/inf "
                        f"(first {part} row {start + int(np.argmin(finite))}); set seed.nan_windows: drop to leave them out")
                dropped += int((~finite).sum())
            start_s = np.arange(n)[finite] * window_s
            if not finite.any():
                raise DataFormatError(eeg_path, f"clip {clip}: no window without NaN/inf")
            segments.append(Segment(
                index=clip, eeg=np.empty((len(CHANNELS), 0)), other=None,
                labels=np.array([CLIP_LABELS[clip - 1]], dtype=np.float64),
                shipped=ShippedWindows(de=clip_de[finite], psd=None, other=clip_eye[finite], start_s=start_s)))
    if dropped:
        logger.info("%s: %d window(s) left out (no eye row or NaN/inf)", eeg_path, dropped)
    name = eeg_path.stem
    return bcmi.recording(
        SPEC, name=name, subject=subject_of(name), segments=segments, sources=(eeg_path, eye_path),
        other_kind=LAB_EYE_KIND,
        shipped=ShippedFeatures(
            window_s=window_s, step_s=window_s, bands={b: LAB_BANDS[b] for b in MULTIMODAL_BANDS},
            origin=(f"the SEED lab's SEED_Multimodal features: DE of {eeg_path.parent.name}/{eeg_path.name} and the "
                    f"33 eye features of {eye_path.name} (eye feature meanings after the column number are inferred, "
                    "not documented); not computed by this workflow; no PSD shipped"),
            other_kind=LAB_EYE_KIND, other_names=LAB_EYE_FEATURE_NAMES, dropped_windows=dropped),
    )


# --- the download as it unpacks: discovery -------------------------------------------
# ``SEED/SEED_EEG/{Preprocessed_EEG, ExtractedFeatures_1s, ExtractedFeatures_4s, SEED_RAW_EEG}``
# and ``SEED/SEED_Multimodal/Chinese/{01-EEG-raw, 02-EEG-DE-feature, 03-..., 04-Eye-tracking-feature}``;
# older copies have ``Preprocessed_EEG/`` (and ``ExtractedFeatures/``) at the top.
SEED_EEG_DIR = "SEED_EEG"
EXTRACTED_4S_DIR = "ExtractedFeatures_4s"
EEG_BASE_FOLDERS = (EEG_DIR, *EXTRACTED_DIRS, EXTRACTED_4S_DIR, RAW_DIR)  # what marks the EEG part's folder
MULTIMODAL_RAW_DIR = "01-EEG-raw"  # {sub}_{ses}.cnt (entry recordings, recordings_eeg: raw)
CHINESE_FOLDERS = (str(MULTIMODAL_EEG_DIR), str(MULTIMODAL_EYE_DIR.parent), MULTIMODAL_RAW_DIR)


@dataclass(frozen=True)
class SeedTree:
    """Where the parts of a SEED copy are (None: not found)."""

    source: Path
    eeg_base: Path | None  # the folder holding Preprocessed_EEG/ (SEED_EEG/, or an old copy's top)
    chinese: Path | None  # SEED_Multimodal/Chinese
    synthetic: bool = False

    @property
    def base(self) -> Path:
        """``eeg_base``, or where it would be (for paths in messages)."""
        return self.eeg_base or self.source

    def has(self, folder: str) -> bool:
        if self.synthetic:
            return True
        return self.eeg_base is not None and (self.eeg_base / folder).is_dir()

    @property
    def eye_dir(self) -> Path | None:
        """``04-Eye-tracking-feature/eye_tracking_feature`` where present."""
        if self.chinese is None:
            return None
        folder = self.chinese / MULTIMODAL_EYE_DIR
        return folder if self.synthetic or folder.is_dir() else None

    def found(self) -> list[str]:
        """Folders found, relative to the source's top, for the start-up line."""
        names = []
        for base, folders in ((self.eeg_base, EEG_BASE_FOLDERS), (self.chinese, CHINESE_FOLDERS)):
            if base is None:
                continue
            names += [str(Path(base.name) / f) for f in folders if (base / f).is_dir()]
        return names


def discover_seed_source(source: str | Path) -> SeedTree:
    """Find the parts of a SEED copy from any of its folders.

    ``source`` may be the download's root (holding ``SEED_EEG/`` and/or
    ``SEED_Multimodal/``), ``SEED_EEG/``, ``SEED_Multimodal/``, ``Chinese/``, or an older
    copy with ``Preprocessed_EEG/`` at the top (``SEED_Multimodal/`` beside or inside it is
    found too). Nothing is read, only folders are listed.
    """
    source = Path(source)

    def is_eeg_base(folder: Path) -> bool:
        return any((folder / f).is_dir() for f in EEG_BASE_FOLDERS)

    def is_chinese(folder: Path) -> bool:
        return any((folder / f).is_dir() for f in CHINESE_FOLDERS)

    def chinese_in(top: Path) -> Path | None:
        for candidate in (top / MULTIMODAL_DIR, top / MULTIMODAL_DIR.name):
            if is_chinese(candidate):
                return candidate
        return None

    def tree_of(top: Path) -> SeedTree | None:
        eeg = top / SEED_EEG_DIR if is_eeg_base(top / SEED_EEG_DIR) else top if is_eeg_base(top) else None
        chinese = chinese_in(top) or (chinese_in(top.parent) if eeg == top else None)
        if eeg is None and chinese is None:
            return None
        return SeedTree(source=source, eeg_base=eeg, chinese=chinese)

    if is_chinese(source):  # Chinese/ itself: the download's root is two levels up
        top = source.parent.parent
        eeg = top / SEED_EEG_DIR if is_eeg_base(top / SEED_EEG_DIR) else None
        return SeedTree(source=source, eeg_base=eeg, chinese=source)
    if is_chinese(source / MULTIMODAL_DIR.name):  # SEED_Multimodal/
        top = source.parent
        eeg = top / SEED_EEG_DIR if is_eeg_base(top / SEED_EEG_DIR) else None
        return SeedTree(source=source, eeg_base=eeg, chinese=source / MULTIMODAL_DIR.name)
    found = tree_of(source)
    if found is None and source.is_dir():  # a folder holding the download (e.g. .../SEED/)
        inner = [tree_of(child) for child in sorted(source.iterdir()) if child.is_dir()]
        inner = [t for t in inner if t is not None]
        if len(inner) == 1:
            found = inner[0]
    return found or SeedTree(source=source, eeg_base=None, chinese=None)


def source_tree(config: Mapping, root: Path) -> SeedTree:
    """The configured copy's tree; the synthetic copy is written in the download's layout."""
    if config["seed"]["source"] == "synthetic":
        return SeedTree(source=root, eeg_base=root / SEED_EEG_DIR, chinese=root / MULTIMODAL_DIR, synthetic=True)
    return discover_seed_source(root)


def resolve_entry(config: Mapping, tree: SeedTree) -> str:
    """The entry to read: ``seed.entry``, or for ``auto`` the first of recordings (EEG
    recordings present), extracted, multimodal that the files allow. A configured entry
    whose folder is missing is a :class:`ConfigError` naming the folder and the key."""
    cfg = config["seed"]
    entry = cfg.get("entry", "auto")
    raw_eeg = cfg.get("recordings_eeg", "preprocessed") == "raw"
    eeg_folder = RAW_DIR if raw_eeg else EEG_DIR
    has_extracted = any(tree.has(d) for d in EXTRACTED_DIRS)
    has_multimodal = tree.synthetic or (tree.chinese is not None and (tree.chinese / MULTIMODAL_EEG_DIR).is_dir())
    if raw_eeg and not tree.has(eeg_folder) and tree.chinese is not None and (tree.chinese / MULTIMODAL_RAW_DIR).is_dir():
        eeg_folder = f"{MULTIMODAL_DIR}/{MULTIMODAL_RAW_DIR}"  # recordings from 01-EEG-raw (time.txt still needed)
        if entry in ("auto", "recordings"):
            return "recordings"
    if entry == "auto":
        if tree.has(eeg_folder):
            # our documented Eye_movements/ layout beside the EEG (and no SEED_Multimodal): read as before
            lab_eye = tree.synthetic or tree.eye_dir is not None
            if cfg.get("eye_source", "lab_features") == "eye_movements" or (not lab_eye and tree.has(EYE_DIR)
                                                                           and not raw_eeg):
                return "raw" if raw_eeg else "preprocessed"
            return "recordings"
        if has_extracted:
            return "extracted"
        if has_multimodal:
            return "multimodal"
        raise ConfigError("seed.source", f"{tree.source}: no SEED data found (expected {eeg_folder}/ or "
                          f"{SEED_EEG_DIR}/{eeg_folder}/, ExtractedFeatures*/, or {MULTIMODAL_DIR}/"
                          f"{MULTIMODAL_EEG_DIR}/); point seed.source at the download's folder")
    needed = {"recordings": eeg_folder, "preprocessed": EEG_DIR, "raw": RAW_DIR}
    if entry in needed and not tree.has(needed[entry]):
        raise ConfigError("seed.source", f"{tree.source}: no {needed[entry]}/ folder (seed.entry {entry} reads it; "
                          f"looked in {tree.base}); point seed.source at the download's folder or set seed.entry")
    if entry == "extracted" and not has_extracted:
        raise ConfigError("seed.source", f"{tree.source}: no {' or '.join(EXTRACTED_DIRS)}/ folder (seed.entry "
                          "extracted reads it)")
    if entry == "multimodal" and not has_multimodal:
        raise ConfigError("seed.source", f"{tree.source}: no {MULTIMODAL_DIR}/{MULTIMODAL_EEG_DIR}/ folder "
                          "(seed.entry multimodal reads it)")
    return entry


def eye_sessions(tree: SeedTree) -> dict[int, list[int]]:
    """Subject -> session numbers of its ``04-Eye-tracking-feature`` files (``{sub}_{ses}``)."""
    found: dict[int, list[int]] = {}
    if tree.eye_dir is None or tree.synthetic:
        return found
    for path in tree.eye_dir.iterdir():
        match = re.fullmatch(r"(\d+)_(\d+)", path.name)
        if match and path.is_file():
            found.setdefault(int(match[1]), []).append(int(match[2]))
    return {s: sorted(v) for s, v in sorted(found.items())}


def subjects_with_eye(config: Mapping, tree: SeedTree) -> list[int]:
    """Configured subjects whose sessions have the lab's eye features (entry recordings)."""
    subjects = config["seed"]["subjects"]
    if config["seed"].get("eye_source", "lab_features") == "eye_movements":
        return list(subjects) if tree.has(EYE_DIR) else []
    if tree.synthetic:
        return [s for s in subjects if s in MULTIMODAL_SUBJECTS]
    available = eye_sessions(tree)
    return [s for s in subjects if s in available]


def check_eye_pairing(tree: SeedTree, dated: Mapping[int, list[str]], subjects) -> None:
    """Sessions pair by date order: the k-th dated EEG file of a subject with its eye file
    ``{sub}_{k}``. A subject with eye files must have one for each of its dated sessions,
    and no other; otherwise one line (:class:`DataFormatError`) naming the folder."""
    if tree.synthetic:
        return
    available = eye_sessions(tree)
    for subject in subjects:
        if subject not in available:
            continue
        stems, numbers = dated[subject], available[subject]
        expected = list(range(1, len(stems) + 1))
        if numbers != expected:
            missing = sorted(set(expected) - set(numbers))
            if missing and not set(numbers) - set(expected):
                raise DataFormatError(tree.eye_dir / f"{subject}_{missing[0]}", f"not found: session {missing[0]} of "
                                      f"subject {subject} ({stems[missing[0] - 1]}) has no eye-feature file")
            raise DataFormatError(tree.eye_dir, f"subject {subject}: eye files for sessions {numbers} do not pair "
                                  f"with the {len(stems)} dated EEG sessions {stems} (the k-th date pairs with "
                                  f"{subject}_k)")


def describe(config: Mapping, root: Path) -> str:
    """One start-up line: folders found, sessions, subjects with eye data, entry."""
    cfg = config["seed"]
    tree = source_tree(config, root)
    entry = resolve_entry(config, tree)
    names = recordings(config, root)
    where = "synthetic (written in the download's layout)" if tree.synthetic else \
        f"{root}: found {', '.join(tree.found()) or 'nothing'}"
    line = f"SEED: {where}; entry {entry}; subjects {cfg['subjects']}, {len(names)} sessions"
    if entry == "recordings":
        eye = subjects_with_eye(config, tree)
        kind = "Eye_movements tables (41 features)" if cfg.get("eye_source") == "eye_movements" else \
            "the lab's 33 eye features"
        line += f"; eye data ({kind}) for subjects {eye or 'none'}"
        without = [s for s in cfg["subjects"] if s not in eye]
        if without:
            line += f"; subjects {without} have no eye data: EEG-only models for them"
    return line


# --- entry recordings: our EEG features + the lab's eye features --------------------


def recordings_input_files(config: Mapping, tree: SeedTree, recording: str) -> dict[str, str]:
    """Files of one session for entry ``recordings``: the EEG (``Preprocessed_EEG`` .mat, or
    ``SEED_RAW_EEG`` .cnt + time.txt), ``label.mat``, the eye features of the same session
    (date order, :func:`check_eye_pairing`) where the subject has them, and the lab's
    released DE of the same windows where present (``lab_de``, for the QC agreement)."""
    cfg = config["seed"]
    base = tree.base
    subject = int(subject_of(recording))
    files: dict[str, Path] = {"labels": base / EEG_DIR / LABEL_FILE}
    if cfg.get("recordings_eeg", "preprocessed") == "raw":
        folder = recordings_eeg_folder(tree, subject, raw=True)
        files.update(cnt=folder / f"{recording}.cnt", time=base / RAW_DIR / TIME_FILE)
    else:
        files["eeg"] = base / EEG_DIR / f"{recording}.mat"
    session = session_in_date_order(tree, recording, raw="cnt" in files)
    if subject in subjects_with_eye(config, tree):
        if cfg.get("eye_source", "lab_features") == "eye_movements":
            files["eye"] = base / EYE_DIR / f"{recording}.mat"
        else:
            files["lab_eye"] = tree.chinese / MULTIMODAL_EYE_DIR / f"{subject}_{session}"
    window = float(cfg.get("lab_window_s", 4.0))
    extracted = base / (EXTRACTED_4S_DIR if window == 4.0 else EXTRACTED_DIRS[1]) / f"{recording}.mat"
    if tree.synthetic or extracted.is_file():
        files["lab_de"] = extracted
    elif tree.chinese is not None:
        npz = tree.chinese / MULTIMODAL_EEG_DIR / f"eeg_used_{window:g}s" / f"{subject}_{session}.npz"
        if npz.is_file():
            files["lab_de"] = npz
    return {role: str(path) for role, path in files.items()}


def session_in_date_order(tree: SeedTree, recording: str, *, raw: bool = False) -> int:
    """The session number (1-3) of ``{subject}_{date}`` among its subject's dated files."""
    if tree.synthetic:
        return session_of(recording)
    subject = int(subject_of(recording))
    stems = _dated(recordings_eeg_folder(tree, subject, raw=raw), subject, ".cnt" if raw else ".mat")
    return stems.index(recording) + 1


def read_recordings_session(files: Mapping[str, str], *, data_format: str = "auto", window_s: float = 4.0) -> Recording:
    """One session for entry ``recordings``: EEG clips (µV, 200 Hz) with, per clip, the
    lab's eye-feature rows of its 4 s windows (floor(T / 4) each, train = clips 1-9,
    test = 10-15, rows in clip order), or our ``Eye_movements`` tables, or nothing.

    With 1 s windows each takes the row of the 4 s window it lies in, and the clip is cut
    after its last whole 4 s window. A row count that does not match the clips is one
    line naming the eye file, the clip and both counts.
    """
    check_option("lab_window_s", float(window_s), LAB_WINDOWS_S)
    if "cnt" in files:
        path = Path(files["cnt"])
        session = read_cnt(path, files["time"], data_format=data_format)
        clips = [check_eeg(path, f"clip {k + 1}", clip, len(CHANNELS)) for k, clip in enumerate(session.clips)]
        sources = [path, Path(files["time"])]
    else:
        path = Path(files["eeg"])
        _, clips = read_eeg(path)
        sources = [path]
    labels = read_labels(files["labels"])
    sources.append(Path(files["labels"]))
    if files.get("eye"):  # our Eye_movements layout (seed.eye_source: eye_movements)
        sources.append(Path(files["eye"]))
        return _recording(path, clips, sfreq=SFREQ, label_path=files["labels"], eye_path=files["eye"], sources=sources)
    eye_rows = None
    if files.get("lab_eye"):
        eye_path = Path(files["lab_eye"])
        sources.append(eye_path)
        eye_rows = lab_eye_rows(eye_path, [clip.shape[1] for clip in clips], eeg_name=path.name)
    per_row = int(round(MULTIMODAL_EYE_WINDOW_S / window_s))
    segments = []
    for k, clip in enumerate(clips):
        other = None
        if eye_rows is not None:
            rows = eye_rows[k]
            if per_row > 1:  # 1 s windows: the clip up to its last whole 4 s window
                clip = clip[:, : int(round(rows.shape[0] * MULTIMODAL_EYE_WINDOW_S * SFREQ))]
                rows = np.repeat(rows, per_row, axis=0)
            other = rows
        segments.append(Segment(index=k + 1, eeg=clip, other=other, labels=np.array([labels[k]], dtype=np.float64)))
    rec = bcmi.recording(SPEC, name=path.stem, subject=subject_of(path.stem), segments=segments, sources=sources,
                         other_kind="none" if eye_rows is None else LAB_EYE_KIND)
    if eye_rows is not None:
        rec.other_names = LAB_EYE_FEATURE_NAMES
    return rec


def lab_eye_rows(eye_path: Path, clip_samples: list[int], *, eeg_name: str) -> list[np.ndarray]:
    """Split one ``04-Eye-tracking-feature`` file into its clips: floor(T / 4) rows per
    clip, T = samples / 200 Hz, clips 1-9 in ``train_data_eye`` and 10-15 in
    ``test_data_eye``. A part whose row count differs is one :class:`DataFormatError`
    naming the file, the first clip where the counts part, and both counts."""
    eye = read_multimodal_eye(eye_path)
    per_window = int(round(MULTIMODAL_EYE_WINDOW_S * SFREQ))
    out: list[np.ndarray] = []
    for part, clips in MULTIMODAL_PARTS.items():
        counts = [clip_samples[c - 1] // per_window for c in clips]
        rows = eye[part]
        if sum(counts) != rows.shape[0]:
            ends = np.cumsum(counts)
            first = next((c for c, end in zip(clips, ends) if end > rows.shape[0]), clips[-1])
            raise DataFormatError(eye_path, f"{part}_data_eye has {rows.shape[0]} rows but clips {clips[0]}-"
                                  f"{clips[-1]} of {eeg_name} give {sum(counts)} windows of 4 s (clip {first}: "
                                  f"{counts[clips.index(first)]} windows, eye rows left for it: "
                                  f"{max(0, rows.shape[0] - int(ends[clips.index(first)] - counts[clips.index(first)]))})")
        offsets = np.r_[0, np.cumsum(counts)]
        out += [rows[offsets[i] : offsets[i + 1]] for i in range(len(clips))]
    return out


def lab_reference(files: Mapping[str, str], *, window_s: float) -> dict | None:
    """The lab's released DE of the same session (``lab_de``: ``ExtractedFeatures_1s/_4s``
    de_LDS, or ``02-EEG-DE-feature`` .npz), per clip, for the QC agreement; None when
    absent or on other windows than ours. The window of an ExtractedFeatures file is taken
    from its arrays: windows per clip against the clip's length in the EEG file."""
    path = files.get("lab_de")
    if not path or not Path(path).is_file():
        return None
    path = Path(path)
    if path.suffix == ".npz":
        if MULTIMODAL_EEG_WINDOW_S.get(path.parent.name) != window_s:
            return None
        eeg = read_multimodal_eeg(path)
        clips: dict[int, np.ndarray] = {}
        for part, (de, labels) in eeg.items():
            for clip, start, stop in recover_clips(labels, de, path=path, part=part, window_s=window_s):
                clips[clip] = de[start:stop]
        return {"origin": f"{path.parent.name}/{path.name} (the lab's DE)", "clips": clips}
    shipped = read_extracted(path, "de_LDS")
    if files.get("eeg"):
        _, eeg_clips = read_eeg(files["eeg"])
        seconds = sum(c.shape[1] for c in eeg_clips) / SFREQ
        ratio = seconds / sum(de.shape[0] for de, _ in shipped)
        if abs(ratio - window_s) > 0.25 * window_s:
            logger.info("%s: about %.2f s per window, not our %g s: no agreement computed", path, ratio, window_s)
            return None
    return {"origin": f"{path.parent.name}/{path.name} de_LDS (the lab's DE)",
            "clips": {k + 1: de for k, (de, _) in enumerate(shipped)}}


def feature_windows(config: Mapping, root: Path) -> tuple[float, float] | None:
    """Entry ``recordings`` computes its features on the lab's windows (``seed.lab_window_s``,
    non-overlapping), whatever ``window_s``/``step_s`` say; other entries: None."""
    if resolve_entry(config, source_tree(config, root)) != "recordings":
        return None
    window = float(config["seed"].get("lab_window_s", 4.0))
    return window, window
