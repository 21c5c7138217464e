"""DREAMER (Katsigiannis & Ramzan, IEEE JBHI 2018): one ``DREAMER.mat``, EEG + ECG.

The file as it ships (Matlab v5, read with scipy's defaults): a struct ``DREAMER`` with
``Data`` (1 x 23 cell of subject structs), ``EEG_SamplingRate`` 128, ``ECG_SamplingRate``
256, ``EEG_Electrodes`` (1 x 14 cell), ``noOfSubjects``, ``noOfVideoSequences`` 18. Per
subject, ``EEG`` and ``ECG`` are structs of ``baseline`` and ``stimuli``, each an 18 x 1
cell of (samples x channels) doubles (EEG baseline 61 s), and ``ScoreValence``,
``ScoreArousal``, ``ScoreDominance`` are 18 x 1 integers 1-5::

    m["DREAMER"][0, 0]["Data"][0, s]["EEG"][0, 0]["stimuli"][0, 0][t, 0]

A recording is one subject (``s01`` .. ``s23``), read from the one file (the reader is
given the recording name). The EEG goes through the workflow's bandpass and DE/PSD; the
ECG is the second modality (:mod:`..ecg`: R-peaks found here, per clip, heart rate and
HRV per window in the feature stage). Each rating is high (class 1) above the protocol's
threshold (default 3), else low.

Every problem raises :class:`~..recording.DataFormatError`: one line naming the file and
what is wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..ecg import ECG_FEATURE_NAMES, EcgClip, find_r_peaks
from ..recording import (
    DataFormatError,
    LabelClasses,
    Recording,
    Segment,
    check_eeg,
    check_finite,
    check_option,
    loadmat,
    sha256_of,
)

log = logging.getLogger(__name__)

# --- identity -----------------------------------------------------------------------------
NAME = "dreamer"
TITLE = "DREAMER"
FOLDER = "DREAMER"  # the synthetic copy's folder under <results>/synthetic
TABLE_CAPTION = "DREAMER, high/low valence, arousal and dominance (EEG + ECG)"
RECORDING_PATTERN = r"s\d\d"  # s01 .. s23: one subject of DREAMER.mat

# --- the file -----------------------------------------------------------------------------
MAT_FILE = "DREAMER.mat"
STRUCT = "DREAMER"
CHANNELS: tuple[str, ...] = ("AF3", "F7", "F3", "FC5", "T7", "P7", "O1", "O2", "P8", "T8", "FC6", "F4", "F8", "AF4")
SFREQ = 128.0
ECG_SFREQ = 256.0
ECG_LEADS: tuple[str, ...] = ("ECG1", "ECG2")
N_SUBJECTS = 23
N_CLIPS = 18
N_SEGMENTS = N_CLIPS
BASELINE_S = 61.0  # the neutral clip before every film clip (EEG (7808, 14))
LABEL_NAMES = ("valence", "arousal", "dominance")
SCORE_FIELDS = {"valence": "ScoreValence", "arousal": "ScoreArousal", "dominance": "ScoreDominance"}
RATING_RANGE = (1, 5)
CLASSES = {name: LabelClasses(kind="threshold", class_names=("low", "high"), default_threshold=3.0)
           for name in LABEL_NAMES}
READ_OPTIONS: tuple[str, ...] = ("subtract_baseline", "nan_windows")  # dreamer-block keys passed to read()
NAN_WINDOWS = ("error", "drop")
DEFAULT_PROTOCOL = {"kind": "kfold", "tasks": list(LABEL_NAMES), "threshold": 3.0, "n_folds": 6,
                    "fold_unit": "trial", "validation": True, "eeg_feature": "de"}
SYNTHETIC_CLIP_SECONDS = (65.0, 120.0)  # synthetic clip lengths (the real ones are about 65-393 s)


def subject_stem(subject: int) -> str:
    return f"s{subject:02d}"


def subject_of(recording: str) -> str:
    """Subject id of a recording name (``"s07"`` -> ``"7"``)."""
    return recording.lstrip("s").lstrip("0") or "0"


# --- configuration hooks ----------------------------------------------------------------


def shortest_segment_s(config: Mapping) -> float | None:
    """The shortest synthetic clip; None for a real copy (clips of 65 s and more)."""
    cfg = config.get(NAME, {})
    if cfg.get("source", "synthetic") != "synthetic":
        return None
    return float(cfg.get("synthetic_clip_seconds", SYNTHETIC_CLIP_SECONDS)[0])


def recordings(config: Mapping, root: Path) -> list[str]:
    return [subject_stem(s) for s in config[NAME]["subjects"]]


def input_files(config: Mapping, root: Path, recording: str) -> dict[str, str]:
    return {"mat": str(Path(root) / MAT_FILE)}


# --- reading ------------------------------------------------------------------------------


def read(files: Mapping[str, str], *, recording: str, subtract_baseline: bool = False,
         nan_windows: str = "error") -> Recording:
    """Read subject ``recording`` (``sNN``) of ``DREAMER.mat``.

    ``subtract_baseline``: attach each clip's 61 s baseline to its segment, so the feature
    stage subtracts the baseline's mean features from the clip's (the dataset paper's
    normalisation). ``nan_windows``: a clip whose ECG has no plausible R-peaks stops the
    job (``error``) or is left out with one log line (``drop``); never a row of zeros.
    """
    check_option("nan_windows", nan_windows, NAN_WINDOWS)
    path = Path(files["mat"])
    subject = int(subject_of(recording))
    top = _top_struct(path)
    subject_struct = _subject(path, top, subject)
    labels = _ratings(path, subject_struct, subject)
    eeg = _cells(path, subject_struct, "EEG", subject)
    ecg = _cells(path, subject_struct, "ECG", subject)
    segments, dropped = [], []
    for t in range(N_CLIPS):
        clip = f"subject {subject} clip {t + 1}"
        signal = _samples(path, ecg["stimuli"][t], len(ECG_LEADS), f"{clip} ECG stimuli")
        peaks, lead, problem = find_r_peaks(signal, sfreq=ECG_SFREQ)
        if problem:
            if nan_windows == "error":
                raise DataFormatError(path, f"{clip}: no R-peaks found in the ECG ({problem}); set "
                                      "dreamer.nan_windows: drop to leave the clip out")
            log.warning("%s: %s: no R-peaks found in the ECG (%s); clip left out (nan_windows: drop)",
                        path, clip, problem)
            dropped.append(t + 1)
            continue
        baseline = None
        if subtract_baseline:
            base_ecg = _samples(path, ecg["baseline"][t], len(ECG_LEADS), f"{clip} ECG baseline")
            base_peaks, base_lead, base_problem = find_r_peaks(base_ecg, sfreq=ECG_SFREQ)
            if base_problem:
                raise DataFormatError(path, f"{clip}: no R-peaks found in the baseline ECG ({base_problem})")
            baseline = Segment(index=t + 1, eeg=check_eeg(path, f"{clip} EEG baseline",
                                                          _samples(path, eeg["baseline"][t], len(CHANNELS),
                                                                   f"{clip} EEG baseline"), len(CHANNELS)),
                               other=EcgClip(base_ecg, ECG_SFREQ, base_peaks, base_lead), labels=labels[t])
        segments.append(Segment(
            index=t + 1,
            eeg=check_eeg(path, f"{clip} EEG stimuli",
                          _samples(path, eeg["stimuli"][t], len(CHANNELS), f"{clip} EEG stimuli"), len(CHANNELS)),
            other=EcgClip(signal, ECG_SFREQ, peaks, lead), labels=labels[t], baseline=baseline))
    if dropped:
        log.warning("%s: subject %d: %d clip(s) left out for want of R-peaks: %s", path, subject, len(dropped),
                    dropped)
    if not segments:
        raise DataFormatError(path, f"subject {subject}: no clip with R-peaks in the ECG")
    return Recording(
        name=recording, sfreq=SFREQ, ch_names=CHANNELS, label_names=LABEL_NAMES, segments=segments,
        other_kind="ecg", other_names=ECG_FEATURE_NAMES, source_files={str(path): sha256_of(path)},
        classes=dict(CLASSES), subject=str(subject), dataset=NAME,
    )


def _field(path: Path, struct: np.ndarray, name: str, where: str):
    """Field ``name`` of a 1 x 1 Matlab struct as scipy loads it, or one line naming what is missing."""
    if not isinstance(struct, np.ndarray) or struct.dtype.names is None:
        raise DataFormatError(path, f"{where} is not a struct (got {type(struct).__name__})")
    if name not in struct.dtype.names:
        raise DataFormatError(path, f"{where} has no field '{name}' (fields: {', '.join(struct.dtype.names)})")
    if struct.size != 1:
        raise DataFormatError(path, f"{where} is a {struct.shape} struct array, expected 1 x 1")
    return struct.flat[0][name]


def _scalar(path: Path, value, where: str) -> float:
    array = np.asarray(value)
    if array.size != 1 or not np.issubdtype(array.dtype, np.number):
        raise DataFormatError(path, f"{where} must be one number, got shape {array.shape}")
    return float(array.flat[0])


def _top_struct(path: Path) -> np.ndarray:
    content = loadmat(path)
    if STRUCT not in content:
        raise DataFormatError(path, f"no '{STRUCT}' struct (variables: {', '.join(sorted(content)) or 'none'})")
    top = content[STRUCT]
    for name, expected in (("EEG_SamplingRate", SFREQ), ("ECG_SamplingRate", ECG_SFREQ)):
        rate = _scalar(path, _field(path, top, name, STRUCT), f"{STRUCT}.{name}")
        if rate != expected:
            raise DataFormatError(path, f"{STRUCT}.{name} is {rate:g} Hz, expected {expected:g}")
    electrodes = np.asarray(_field(path, top, "EEG_Electrodes", STRUCT)).ravel()
    names = tuple(str(np.asarray(e).ravel()[0]) if np.asarray(e).size else "" for e in electrodes)
    if names != CHANNELS:
        raise DataFormatError(path, f"{STRUCT}.EEG_Electrodes is {list(names)}, expected {list(CHANNELS)}")
    return top


def _subject(path: Path, top: np.ndarray, subject: int) -> np.ndarray:
    data = np.asarray(_field(path, top, "Data", STRUCT))
    if data.dtype != object and data.dtype.names is None:
        raise DataFormatError(path, f"{STRUCT}.Data must be a cell of subject structs, got {data.dtype}")
    if not 1 <= subject <= data.size:
        raise DataFormatError(path, f"subject {subject} is not in the file ({STRUCT}.Data holds {data.size})")
    return np.asarray(data.ravel()[subject - 1])


def _ratings(path: Path, subject_struct: np.ndarray, subject: int) -> np.ndarray:
    """(18, 3) ratings in :data:`LABEL_NAMES` order; integers 1-5 or one line naming the field."""
    columns = []
    low, high = RATING_RANGE
    for name in LABEL_NAMES:
        where = f"subject {subject} {SCORE_FIELDS[name]}"
        scores = np.asarray(_field(path, subject_struct, SCORE_FIELDS[name], f"subject {subject}"))
        if scores.size != N_CLIPS or not np.issubdtype(scores.dtype, np.number):
            raise DataFormatError(path, f"{where} has shape {scores.shape}, expected ({N_CLIPS}, 1) numbers")
        scores = scores.astype(np.float64).ravel()
        check_finite(path, where, scores)
        outside = scores[(scores < low) | (scores > high) | (scores != np.round(scores))]
        if outside.size:
            raise DataFormatError(path, f"{where} holds {', '.join(f'{v:g}' for v in np.unique(outside))}, "
                                  f"outside the integers {low}-{high}")
        columns.append(scores)
    return np.column_stack(columns)


def _cells(path: Path, subject_struct: np.ndarray, modality: str, subject: int) -> dict[str, list]:
    """``baseline`` and ``stimuli`` of a subject's ``EEG`` or ``ECG``: 18 arrays each."""
    where = f"subject {subject}"
    if subject_struct.dtype.names is None or modality not in subject_struct.dtype.names:
        raise DataFormatError(path, f"{where} has no {modality} (fields: "
                              f"{', '.join(subject_struct.dtype.names or ())})")
    struct = np.asarray(_field(path, subject_struct, modality, where))
    if struct.size == 0:
        raise DataFormatError(path, f"{where} has no {modality} (empty field)")
    cells = {}
    for part in ("baseline", "stimuli"):
        cell = np.asarray(_field(path, struct, part, f"{where} {modality}"))
        if cell.dtype != object or cell.size != N_CLIPS:
            raise DataFormatError(path, f"{where} {modality}.{part} is {cell.shape} {cell.dtype}, expected a "
                                  f"{N_CLIPS} x 1 cell")
        cells[part] = list(cell.ravel())
    return cells


def _samples(path: Path, array, n_channels: int, where: str) -> np.ndarray:
    """A (samples x channels) cell entry as (channels, samples) float64."""
    array = np.asarray(array)
    if array.ndim != 2 or array.shape[1] != n_channels or not np.issubdtype(array.dtype, np.number):
        raise DataFormatError(path, f"{where} has shape {array.shape} ({array.dtype}), expected (samples, "
                              f"{n_channels})")
    if array.shape[0] < 2:
        raise DataFormatError(path, f"{where} holds {array.shape[0]} samples")
    signal = np.ascontiguousarray(array.T, dtype=np.float64)
    check_finite(path, where, signal)
    return signal
