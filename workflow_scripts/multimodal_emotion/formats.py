"""Format constants of SEED and DEAP, read once from ``resources/``.

The readers check files against these constants and the synthetic generator writes
files from them, so the two cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def _read_lines(name: str) -> tuple[str, ...]:
    return tuple(
        line.strip()
        for line in (RESOURCES / name).read_text().splitlines()
        if line.strip()
    )


# --- SEED (preprocessed EEG, 200 Hz) -------------------------------------------------
SEED_CHANNELS: tuple[str, ...] = _read_lines("seed_channels.txt")
SEED_SFREQ = 200.0
SEED_N_CLIPS = 15
SEED_EEG_DIR = "Preprocessed_EEG"
SEED_LABEL_FILE = "label.mat"
SEED_EYE_DIR = "Eye_movements"
SEED_EEG_VARIABLE = r"^(?P<prefix>[A-Za-z0-9]+)_eeg(?P<clip>\d+)$"
SEED_CLIP_LABELS: tuple[int, ...] = tuple(
    int(line.split("\t")[1]) for line in _read_lines("seed_labels.tsv")[1:]
)
SEED_LABEL_SET = frozenset({-1, 0, 1})
# Eye tables: one .mat per session, ``pupil_{k}`` (n, 3) and ``events_{k}`` (n, 6).
SEED_PUPIL_COLUMNS = ("time_s", "diameter_x_mm", "diameter_y_mm")
SEED_EVENT_COLUMNS = (
    "type",  # 1 fixation, 2 saccade, 3 blink
    "onset_s",
    "duration_s",
    "dispersion_x",  # fixations: spatial dispersion (deg), else 0
    "dispersion_y",
    "amplitude_deg",  # saccades: amplitude (deg), else 0
)
EYE_EVENT_CODES = {"fixation": 1, "saccade": 2, "blink": 3}

SEED_RAW_DIR = "SEED_RAW_EEG"  # {subject}_{session or date}.cnt and time.txt
SEED_TIME_FILE = "time.txt"

# --- DEAP (preprocessed python, 128 Hz) ---------------------------------------------
DEAP_ALL_CHANNELS: tuple[str, ...] = _read_lines("deap_channels.txt")
DEAP_EEG_CHANNELS: tuple[str, ...] = DEAP_ALL_CHANNELS[:32]  # Geneva order
DEAP_PERIPHERAL_CHANNELS: tuple[str, ...] = DEAP_ALL_CHANNELS[32:]
DEAP_SFREQ = 128.0
DEAP_N_TRIALS = 40
DEAP_N_SAMPLES = 8064
DEAP_BASELINE_S = 3.0
DEAP_PYTHON_DIR = "data_preprocessed_python"
DEAP_MATLAB_DIR = "data_preprocessed_matlab"
DEAP_RAW_DIR = "data_original"
DEAP_RATINGS_FILE = "metadata_csv/participant_ratings.csv"
DEAP_LABEL_NAMES = ("valence", "arousal", "dominance", "liking")
DEAP_RATING_RANGE = (1.0, 9.0)


def seed_session_stem(subject: int, date: str) -> str:
    """File stem of a SEED session, e.g. ``seed_session_stem(1, "20131027") == "1_20131027"``."""
    return f"{subject}_{date}"


def deap_subject_stem(subject: int) -> str:
    """File stem of a DEAP subject, e.g. ``deap_subject_stem(1) == "s01"``."""
    return f"s{subject:02d}"
