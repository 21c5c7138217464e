"""SEED's spec and the names of its files: identity, format facts (:data:`SPEC`), the
folders of each entry and of the download, the options of the ``seed`` block, and
session names. Constants only, and the session-name functions every entry uses."""

from __future__ import annotations

from pathlib import Path

from ...recording import ConfigError, LabelClasses
from .. import bcmi
from .._resources import read_lines, read_table
from ..bcmi import eeg_mat, feature_mat


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


subject_of = bcmi.subject_of


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
NAN_WINDOWS = bcmi.NAN_WINDOWS
# The real clip durations (s); the lab's windows per clip are floor(T / window). Used to
# place the boundary between two consecutive clips of the same label (clips 3 and 4).
SEED_CLIP_SECONDS = (235, 233, 206, 238, 185, 195, 237, 216, 265, 237, 235, 233, 235, 238, 206)


# --- the download as it unpacks: discovery -------------------------------------------
# ``SEED/SEED_EEG/{Preprocessed_EEG, ExtractedFeatures_1s, ExtractedFeatures_4s, SEED_RAW_EEG}``
# and ``SEED/SEED_Multimodal/Chinese/{01-EEG-raw, 02-EEG-DE-feature, 03-..., 04-Eye-tracking-feature}``;
# older copies have ``Preprocessed_EEG/`` (and ``ExtractedFeatures/``) at the top.
SEED_EEG_DIR = "SEED_EEG"
EXTRACTED_4S_DIR = "ExtractedFeatures_4s"
EEG_BASE_FOLDERS = (EEG_DIR, *EXTRACTED_DIRS, EXTRACTED_4S_DIR, RAW_DIR)  # what marks the EEG part's folder
MULTIMODAL_RAW_DIR = "01-EEG-raw"  # {sub}_{ses}.cnt (entry recordings, recordings_eeg: raw)
CHINESE_FOLDERS = (str(MULTIMODAL_EEG_DIR), str(MULTIMODAL_EYE_DIR.parent), MULTIMODAL_RAW_DIR)
