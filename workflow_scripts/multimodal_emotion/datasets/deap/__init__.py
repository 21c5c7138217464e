"""DEAP (Queen Mary University of London): layout, constants, readers, class mapping.

Everything the workflow knows about DEAP lives in this package: ``spec`` (constants,
folders, subject names), ``preprocessed`` and ``raw`` (one module per entry); this module
holds the registry's hooks and re-exports the others' names, the dataset module's interface.

- **layout and discovery**: ``data_preprocessed_python/sXX.dat`` (Python 2 pickles),
  ``data_preprocessed_matlab/sXX.mat``, raw ``data_original/sXX.bdf`` and
  ``metadata_csv/participant_ratings.csv``;
- **readers** for the preprocessed entry (:func:`read_subject`) and the raw entry
  (:func:`read_bdf`, which rebuilds the preprocessed arrays from the BDF), both giving a
  :class:`~..recording.Recording` (3 s pre-trial baseline dropped);
- **class mapping**: each rating (1-9) is high (class 1) above the protocol's
  threshold (default 5), else low.

Every problem with a file raises :class:`~..recording.DataFormatError` (raw files:
:class:`~..recording.RawFormatError`) with one line naming the file and the problem.

Units: EEG, EOG and EMG in µV (MNE's volts x 1e6); GSR, respiration, plethysmograph and
temperature in the physical unit the BDF header gives (a voltage unit becomes µV).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ...recording import Recording, check_option
from .preprocessed import (  # noqa: F401 - re-exported: the dataset module's interface
    load_arrays, read_subject, recording_from_arrays
)
from .raw import read_bdf  # noqa: F401 - re-exported: the dataset module's interface
from .spec import (  # noqa: F401 - re-exported: the dataset module's interface
    ALL_CHANNELS, AUX_CHANNELS, BASELINE_S, CHANNELS, CLASSES, CODE_END, CODE_FIXATION, CODE_POST_FIXATION,
    CODE_RATING, CODE_SYNC, COMPLETE_DAT_BYTES, DEFAULT_PROTOCOL, EEG_CHANNELS, ENTRIES, EXG_CHANNELS, FOLDER,
    LABEL_NAMES, MATLAB_DIR, NAME, N_SAMPLES, N_SEGMENTS, N_TRIALS, PERIPHERAL_CHANNELS, PERIPHERAL_SOURCES,
    PICKLE_ENCODING, PYTHON_DIR, RATINGS_FILE, RATING_COLUMNS, RATING_RANGE, RAW_DIR, RAW_SFREQ, READ_OPTIONS,
    RECORDING_PATTERN, ROOT_FOLDERS, SFREQ, STATUS_CHANNEL, STATUS_MASK, TABLE_CAPTION, TITLE, TRIAL_S,
    TWENTE_CHANNELS, VIDEO_S, VIDEO_START_CODE, subject_of, subject_stem
)


# --- configuration hooks ----------------------------------------------------------------


def shortest_segment_s(config: Mapping) -> float | None:
    """Every DEAP trial has 60 s of video."""
    return TRIAL_S


def recordings(config: Mapping, root: Path) -> list[str]:
    """``sXX`` stems of the configured subjects."""
    return [subject_stem(s) for s in config["deap"]["subjects"]]


def input_files(config: Mapping, root: Path, recording: str) -> dict[str, str]:
    """Files of one subject by role, for the configured entry and format."""
    cfg = config["deap"]
    if cfg.get("entry", "preprocessed") == "raw":
        files = {"bdf": root / RAW_DIR / f"{recording}.bdf", "ratings": root / RATINGS_FILE}
    elif cfg.get("format", "python") == "matlab":
        files = {"data": root / MATLAB_DIR / f"{recording}.mat"}
    else:
        files = {"data": root / PYTHON_DIR / f"{recording}.dat"}
    return {role: str(path) for role, path in files.items()}


def read(files: Mapping[str, str], *, entry: str = "preprocessed") -> Recording:
    """Read one subject of the configured ``entry`` from its files by role (see :func:`input_files`)."""
    check_option("entry", entry, ENTRIES)
    if entry == "raw":
        bdf = Path(files["bdf"])
        data, labels = read_bdf(bdf, files["ratings"], participant=int(bdf.stem.lstrip("s")))
        return recording_from_arrays(bdf, data, labels, sources=[bdf, Path(files["ratings"])])
    return read_subject(files["data"])
