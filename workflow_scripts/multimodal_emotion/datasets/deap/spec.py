"""DEAP's spec: identity, the preprocessed files' format facts and folders, the raw BDF's
channels and Status codes, the ratings table, and subject names."""

from __future__ import annotations

from ...recording import LabelClasses
from .._resources import read_lines


# --- identity ---------------------------------------------------------------------------
NAME = "deap"
FOLDER = "DEAP"  # the synthetic copy's folder under <results>/synthetic
TITLE = "DEAP"
TABLE_CAPTION = "DEAP, high/low arousal and valence (paper Table 2)"
RECORDING_PATTERN = r"s\d\d"

# --- preprocessed python/matlab, 128 Hz -------------------------------------------------
ALL_CHANNELS: tuple[str, ...] = read_lines("deap_channels.txt")
EEG_CHANNELS: tuple[str, ...] = ALL_CHANNELS[:32]  # Geneva order
CHANNELS = EEG_CHANNELS
PERIPHERAL_CHANNELS: tuple[str, ...] = ALL_CHANNELS[32:]
SFREQ = 128.0
N_TRIALS = 40
N_SEGMENTS = N_TRIALS
DEFAULT_PROTOCOL = {"kind": "kfold", "tasks": ["arousal", "valence"], "threshold": 5.0, "n_folds": 10,
                    "fold_unit": "trial", "validation": True, "eeg_feature": "de"}
N_SAMPLES = 8064
BASELINE_S = 3.0
TRIAL_S = N_SAMPLES / SFREQ - BASELINE_S  # 60 s of video per trial
PYTHON_DIR = "data_preprocessed_python"
MATLAB_DIR = "data_preprocessed_matlab"
RAW_DIR = "data_original"
ROOT_FOLDERS = (PYTHON_DIR, MATLAB_DIR, RAW_DIR, "metadata_csv")  # what marks a DEAP copy's root
RATINGS_FILE = "metadata_csv/participant_ratings.csv"
LABEL_NAMES = ("valence", "arousal", "dominance", "liking")
RATING_RANGE = (1.0, 9.0)
ENTRIES = ("preprocessed", "raw")
READ_OPTIONS: tuple[str, ...] = ("entry",)  # config keys of the deap block passed to read()
CLASSES = {name: LabelClasses(kind="threshold", class_names=("low", "high"), default_threshold=5.0)
           for name in LABEL_NAMES}
#: Size of a complete ``sXX.dat`` (40 x 40 x 8064 float64 data + labels, Python 2 pickle).
COMPLETE_DAT_BYTES = 103_220_745
# The pickles were written by Python 2's cPickle: byte strings need this encoding.
PICKLE_ENCODING = "latin1"

# --- raw recordings (BioSemi BDF, 512 Hz) -----------------------------------------------
RAW_SFREQ = 512.0
# EEG order of s01-s22 (recorded in Twente); s23-s32 use the Geneva order
# (EEG_CHANNELS). Kept in resources/deap_twente_channels.txt because it could not be
# confirmed from DEAP's readme here: it is BioSemi's standard 32-channel order (MNE's
# "biosemi32" montage); see the Notes of read_bdf.
TWENTE_CHANNELS: tuple[str, ...] = read_lines("deap_twente_channels.txt")
EXG_CHANNELS: tuple[str, ...] = tuple(f"EXG{k}" for k in range(1, 9))
# Non-EEG channels 41-47 of the BDF, then the trigger channel (48).
AUX_CHANNELS: tuple[str, ...] = ("GSR1", "GSR2", "Erg1", "Erg2", "Resp", "Plet", "Temp")
STATUS_CHANNEL = "Status"
STATUS_MASK = 0xFF  # trial codes sit in the low 8 bits of the 24-bit Status word
VIDEO_START_CODE = 4  # "start of music video playback" (60 s)
VIDEO_S = 60.0
# Status codes of DEAP's presentation (the synthetic timeline writes them).
CODE_RATING = 1
CODE_SYNC = 2
CODE_FIXATION = 3
CODE_POST_FIXATION = 5
CODE_END = 7
# How channels 33-40 of the preprocessed files are built from the BDF, in the order of
# PERIPHERAL_CHANNELS: (positive, negative) for bipolar pairs, (name, None) for
# channels copied as they are.
PERIPHERAL_SOURCES: tuple[tuple[str, str | None], ...] = (
    ("EXG1", "EXG2"),  # hEOG: left of left eye - right of right eye
    ("EXG3", "EXG4"),  # vEOG: above - below right eye
    ("EXG5", "EXG6"),  # zEMG: zygomaticus major
    ("EXG7", "EXG8"),  # tEMG: trapezius
    ("GSR1", None),  # GSR
    ("Resp", None),  # respiration belt
    ("Plet", None),  # plethysmograph
    ("Temp", None),  # temperature
)
RATING_COLUMNS = ("Participant_id", "Trial", "Experiment_id") + tuple(name.capitalize() for name in LABEL_NAMES)


def subject_stem(subject: int) -> str:
    """File stem of a DEAP subject, e.g. ``subject_stem(1) == "s01"``."""
    return f"s{subject:02d}"


def subject_of(recording: str) -> str:
    """Subject id of a stem (``"s07"`` -> ``"7"``)."""
    return recording.lstrip("s").lstrip("0") or "0"
