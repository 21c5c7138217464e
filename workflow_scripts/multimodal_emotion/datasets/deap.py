"""DEAP (Queen Mary University of London): layout, constants, readers, class mapping.

Everything the workflow knows about DEAP lives here:

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

import logging
import pickle
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..recording import (
    DataFormatError,
    LabelClasses,
    RawFormatError,
    Recording,
    Segment,
    check_eeg,
    check_file,
    check_finite,
    check_option,
    first_line,
    loadmat,
    name_list,
    resample_npad,
    resample_step,
    sha256_of,
)
from ._resources import read_lines

logger = logging.getLogger(__name__)

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
_VOLT_UNITS = {"uV": 1.0, "\u00b5V": 1.0, "\u03bcV": 1.0, "mV": 1e3, "V": 1e6, "nV": 1e-3}


def subject_stem(subject: int) -> str:
    """File stem of a DEAP subject, e.g. ``subject_stem(1) == "s01"``."""
    return f"s{subject:02d}"


def subject_of(recording: str) -> str:
    """Subject id of a stem (``"s07"`` -> ``"7"``)."""
    return recording.lstrip("s").lstrip("0") or "0"


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


# --- preprocessed files -----------------------------------------------------------------


def load_arrays(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``data`` and ``labels`` of a preprocessed file as stored (unchecked shapes).

    ``.dat``: a Python 2 pickle, loaded with ``encoding="latin1"`` as DEAP's readme says;
    ``.mat``: Matlab v5.
    """
    path = Path(path)
    check_file(path)
    if path.suffix == ".mat":
        content = loadmat(path)
    else:
        try:
            with open(path, "rb") as f:
                content = pickle.load(f, encoding=PICKLE_ENCODING)
        except (EOFError, pickle.UnpicklingError) as err:
            if isinstance(err, EOFError) or "truncated" in str(err):
                raise DataFormatError(
                    path, f"truncated pickle: {path.stat().st_size} bytes on disk, the data end before the "
                    f"pickle does (a complete subject file of this layout is {COMPLETE_DAT_BYTES / 1e6:.0f} MB)"
                ) from None
            raise DataFormatError(path, f"unreadable pickle ({type(err).__name__}: {str(err)[:80]})") from None
        except Exception as err:
            raise DataFormatError(
                path, f"unreadable pickle ({type(err).__name__}: {str(err)[:80]})"
            ) from None
        if not isinstance(content, dict):
            raise DataFormatError(path, f"pickle holds a {type(content).__name__}, expected a dict")
    for key in ("data", "labels"):
        if key not in content:
            raise DataFormatError(path, f"no '{key}' entry (found: {sorted(content)})")
    return np.asarray(content["data"]), np.asarray(content["labels"])


def read_subject(path: str | Path) -> Recording:
    """Read one DEAP subject, ``data_preprocessed_python/sXX.dat`` or ``..._matlab/sXX.mat``.

    ``data`` must be (40, 40, 8064) at 128 Hz (3 s baseline + 60 s), ``labels`` (40, 4)
    in [1, 9]. The 3 s pre-trial baseline is dropped here: features use the 60 s of
    video only.
    """
    path = Path(path)
    data, labels = load_arrays(path)
    return recording_from_arrays(path, data, labels, sources=[path])


def recording_from_arrays(path: Path, data: np.ndarray, labels: np.ndarray, *, sources: list[Path]) -> Recording:
    """Validate DEAP's ``data`` (40, 40, 8064) and ``labels`` (40, 4) and build the Recording
    (baseline dropped); ``path`` names the file in errors."""
    path = Path(path)
    expected = (N_TRIALS, len(ALL_CHANNELS), N_SAMPLES)
    if data.ndim != 3 or data.shape[1] != expected[1]:
        raise DataFormatError(
            path, f"'data' has shape {data.shape}, expected {expected} (trials, channels, samples)"
        )
    if data.shape[0] != expected[0]:
        raise DataFormatError(path, f"'data' has {data.shape[0]} trials, expected {expected[0]}")
    if data.shape[2] != expected[2]:
        raise DataFormatError(
            path, f"'data' has {data.shape[2]} samples per trial, expected {expected[2]}"
        )
    if labels.shape != (N_TRIALS, len(LABEL_NAMES)):
        raise DataFormatError(
            path, f"'labels' has shape {labels.shape}, expected ({N_TRIALS}, 4)"
        )
    check_finite(path, "'labels'", labels)
    low, high = RATING_RANGE
    if labels.min() < low or labels.max() > high:
        raise DataFormatError(
            path, f"ratings outside [{low:g}, {high:g}] (min {labels.min():g}, max {labels.max():g})"
        )
    start = int(round(BASELINE_S * SFREQ))
    n_eeg = len(EEG_CHANNELS)
    segments = []
    for t in range(N_TRIALS):
        trial = data[t, :, start:]
        eeg = check_eeg(path, f"trial {t + 1} EEG", trial[:n_eeg], n_eeg)
        other = np.asarray(trial[n_eeg:], dtype=np.float64)
        check_finite(path, f"trial {t + 1} peripheral signals", other)
        segments.append(
            Segment(index=t + 1, eeg=eeg, other=other, labels=labels[t].astype(np.float64))
        )
    return Recording(
        name=path.stem,
        sfreq=SFREQ,
        ch_names=EEG_CHANNELS,
        label_names=LABEL_NAMES,
        segments=segments,
        other_kind="peripheral",
        other_names=PERIPHERAL_CHANNELS,
        source_files={str(p): sha256_of(p) for p in sources},
        classes=dict(CLASSES),
        subject=subject_of(path.stem),
        dataset=NAME,
    )



# --- raw recordings ---------------------------------------------------------------------


def read_bdf(
    bdf_path: str | Path,
    ratings_csv: str | Path,
    *,
    participant: int,
    sfreq_expected: float = RAW_SFREQ,
    l_freq: float = 4.0,
    h_freq: float = 45.0,
    verbose: bool | str | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Read a DEAP raw recording ``data_original/sXX.bdf`` like the preprocessed release.

    Steps, following DEAP's readme on how ``data_preprocessed_*`` was made:

    1. EEG layout from the names of channels 1-32: the Twente order (s01-s22) or the
       Geneva order (s23-s32), never from the subject number; EEG is put in Geneva order.
    2. Trials from the Status channel: values masked to the low 8 bits, each change to
       code 4 ("start of music video playback") is a trial onset. A trial is the 3 s
       before the onset (pre-trial baseline) and the 60 s after it.
    3. Trials mapped from presentation order (``Trial``) to video order
       (``Experiment_id``) through ``participant_ratings.csv``, which also gives the
       labels.
    4. Downsampling to 128 Hz (MNE, whole recording, before segmenting); onsets are
       rounded to the nearest 128 Hz sample.
    5. EEG: band-pass ``l_freq``-``h_freq`` (4-45 Hz, MNE's default FIR) and common
       average reference over the 32 EEG channels.
    6. Channels 33-40 built as the preprocessed files hold them: hEOG = EXG1 - EXG2,
       vEOG = EXG3 - EXG4, zEMG = EXG5 - EXG6, tEMG = EXG7 - EXG8 (µV), then GSR1, Resp,
       Plet, Temp (physical units of the BDF; a voltage unit is converted to µV).

    Not reproduced: DEAP removed EOG artefacts from the EEG (readme: "EOG artefacts were
    removed as in [1]") with a procedure that is not published in reproducible form, so
    the EEG here still contains them. DEAP's readme also says the Twente GSR values
    were converted to the Geneva format (Ohm); that conversion is not applied here.

    Parameters
    ----------
    bdf_path : path-like
        The subject's ``sXX.bdf``.
    ratings_csv : path-like
        ``participant_ratings.csv`` with columns ``Participant_id, Trial,
        Experiment_id, Valence, Arousal, Dominance, Liking``.
    participant : int
        ``Participant_id`` of this recording (1-32).
    sfreq_expected : float
        Sampling rate the recording must have (512 Hz).
    l_freq, h_freq : float
        EEG band-pass edges (Hz).
    verbose : bool | str | int | None
        MNE's verbosity.

    Returns
    -------
    data : ndarray, shape (40, 40, 8064)
        float64; trials in ``Experiment_id`` order; channels 1-32 EEG (Geneva order,
        µV), 33-40 ``PERIPHERAL_CHANNELS``; 128 Hz, 3 s baseline + 60 s.
    labels : ndarray, shape (40, 4)
        float64 valence, arousal, dominance, liking per trial, in the same order.

    Raises
    ------
    RawFormatError
        If the file is unreadable or not at ``sfreq_expected``, channels 1-32 are in
        neither known EEG order, a needed channel or the Status channel is missing, the
        Status channel does not mark exactly 40 video starts, a trial window leaves the
        recording, or the ratings lack a row for a trial.

    Notes
    -----
    Sources. Channel names of the BDF (EXG1-EXG8, GSR1, GSR2, Erg1, Erg2, Resp, Plet,
    Temp, Status) and the EXG roles (EXG1-4 EOG, EXG5-8 EMG) are those that public
    DEAP-to-BIDS and DEAP preprocessing scripts read from the real files; the EXG pairs
    and the Status codes (code 4 = start of the 60 s music video) follow DEAP's readme
    (https://www.eecs.qmul.ac.uk/mmv/datasets/deap/readme.html), as does the Twente EEG
    order kept in ``resources/deap_twente_channels.txt``. That order could not be read
    from the readme itself here; it equals BioSemi's standard 32-channel order (MNE's
    ``biosemi32`` montage), which public DEAP BDF scripts use for s01-s22.
    The same scripts report that the Status channel of s24-s28 is named ``""`` and that
    s29-s32 have two trailing channels ``"-0"`` and ``"-1"`` (``"-1"`` the Status);
    this reader falls back to those names when no ``Status`` channel exists.
    """
    bdf_path = Path(bdf_path)
    ratings_csv = Path(ratings_csv)
    check_file(bdf_path, error=RawFormatError)
    raw = _open_bdf(bdf_path, verbose=verbose)
    sfreq = float(raw.info["sfreq"])
    if sfreq != float(sfreq_expected):
        raise RawFormatError(
            bdf_path, f"sampling rate is {sfreq:g} Hz, expected {float(sfreq_expected):g} Hz"
        )
    status_name = raw.info["ch_names"][_status_index(bdf_path, raw.ch_names)]
    layout, eeg_names = _deap_eeg_layout(bdf_path, raw.ch_names)
    by_upper = {name.upper(): name for name in raw.ch_names}
    needed = [src for pair in PERIPHERAL_SOURCES for src in pair if src is not None]
    missing = [name for name in needed if name.upper() not in by_upper]
    if missing:
        raise RawFormatError(
            bdf_path,
            f"missing channel(s) {name_list(missing)} needed for the peripheral signals "
            f"({len(missing)} of {len(needed)})",
        )
    logger.info("%s: EEG channels in the %s order.", bdf_path, layout)

    onsets = _deap_video_onsets(bdf_path, raw, status_name, verbose=verbose)
    order, labels_by_trial = _deap_ratings(ratings_csv, participant)

    n_base = int(round(BASELINE_S * sfreq))
    n_video = int(round(VIDEO_S * sfreq))
    for trial, onset in enumerate(onsets, start=1):
        if onset - n_base < 0 or onset + n_video > raw.n_times:
            raise RawFormatError(
                bdf_path,
                f"trial {trial} (video start at {onset / sfreq:.2f} s) needs "
                f"{BASELINE_S:g} s before and {VIDEO_S:g} s after its "
                f"start, beyond the recording (0-{raw.n_times / sfreq:.2f} s)",
            )

    # Keep only the span of the trials (plus a margin for the filters) in memory.
    margin = int(round(10.0 * sfreq))
    step = resample_step(sfreq, SFREQ)
    first = max(0, int(onsets.min()) - n_base - margin)
    last = min(raw.n_times - 1, int(onsets.max()) + n_video + margin)
    excess = (last - first + 1) % step  # keep whole resampling steps (see resample_step)
    if int(onsets.min()) - n_base - first >= excess:
        first += excess
    else:
        last -= excess
    periph_names = [by_upper[name.upper()] for name in needed]
    raw.pick(eeg_names + periph_names)
    raw.crop(tmin=first / sfreq, tmax=last / sfreq)
    raw.load_data(verbose=verbose)
    logger.info("Resampling %s from %g Hz to %g Hz.", bdf_path, sfreq, SFREQ)
    raw.resample(
        SFREQ,
        npad=resample_npad(raw.n_times, sfreq, SFREQ),
        verbose=verbose,
    )
    raw.filter(l_freq, h_freq, picks=eeg_names, verbose=verbose)

    eeg = raw.get_data(picks=eeg_names) * 1e6  # V -> µV, Geneva order
    eeg -= eeg.mean(axis=0, keepdims=True)  # common average reference
    peripheral = np.empty((len(PERIPHERAL_SOURCES), raw.n_times))
    units = getattr(raw, "_orig_units", {}) or {}
    for row, (positive, negative) in enumerate(PERIPHERAL_SOURCES):
        peripheral[row] = _physical(raw, by_upper[positive.upper()], units)
        if negative is not None:
            peripheral[row] -= _physical(raw, by_upper[negative.upper()], units)
    signals = np.concatenate([eeg, peripheral])
    del eeg, peripheral

    ratio = SFREQ / sfreq
    n_base_out = int(round(BASELINE_S * SFREQ))
    n_trial = N_SAMPLES
    data = np.empty((N_TRIALS, signals.shape[0], n_trial))
    labels = np.empty((N_TRIALS, len(LABEL_NAMES)))
    for trial, onset in enumerate(onsets, start=1):
        start = int(round((onset - first) * ratio)) - n_base_out
        if start < 0 or start + n_trial > signals.shape[1]:  # rounding at the very edge
            raise RawFormatError(bdf_path, f"trial {trial} leaves the recording after resampling")
        experiment = order[trial]
        data[experiment - 1] = signals[:, start : start + n_trial]
        labels[experiment - 1] = labels_by_trial[trial]
    return data, labels


def _open_bdf(path: Path, *, verbose):
    import mne

    def _read(stim_channel):
        return mne.io.read_raw_bdf(
            path, stim_channel=stim_channel, preload=False, verbose=verbose
        )

    def _read_checked():
        # MNE only warns when the file holds fewer records than its header declares.
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="Number of records from the header does not match")
            try:
                return _read("auto")
            except RuntimeWarning:
                with open(path, "rb") as f:
                    f.seek(236)
                    declared = int(f.read(8).decode("ascii", "replace").strip() or -1)
                if declared > 0:
                    raise RawFormatError(
                        path, f"truncated: the header declares {declared} data records, the file holds fewer"
                    ) from None
        return _read("auto")  # -1 records: a recording that was not stopped, still valid

    try:
        raw = _read_checked()
        if STATUS_CHANNEL.lower() not in [n.lower() for n in raw.ch_names]:
            index = _status_index(path, raw.ch_names)
            raw = _read(index)
    except RawFormatError:
        raise
    except Exception as err:
        raise RawFormatError(path, f"not a readable BDF file ({first_line(err)})") from None
    return raw


def _status_index(path: Path, ch_names: Sequence[str]) -> int:
    lowered = [name.lower() for name in ch_names]
    if STATUS_CHANNEL.lower() in lowered:
        return lowered.index(STATUS_CHANNEL.lower())
    if ch_names and ch_names[-1] in ("", "-1"):
        return len(ch_names) - 1
    raise RawFormatError(
        path, f"no '{STATUS_CHANNEL}' trigger channel (last channel is {ch_names[-1]!r})"
    )


def _deap_eeg_layout(path: Path, ch_names: Sequence[str]) -> tuple[str, list[str]]:
    """Name of the EEG order of channels 1-32 and those names in Geneva order."""
    first = [name.upper() for name in ch_names[: len(EEG_CHANNELS)]]
    layouts = {"Geneva": EEG_CHANNELS, "Twente": TWENTE_CHANNELS}
    for layout, names in layouts.items():
        if first == [name.upper() for name in names]:
            by_upper = {name.upper(): name for name in ch_names}
            return layout, [by_upper[name.upper()] for name in EEG_CHANNELS]
    raise RawFormatError(
        path,
        f"unknown channel layout: channels 1-{len(first)} are "
        f"{' '.join(ch_names[: len(first)])}, in neither the Geneva order "
        f"({' '.join(EEG_CHANNELS)}) nor the Twente order "
        f"({' '.join(TWENTE_CHANNELS)})",
    )


def _deap_video_onsets(path: Path, raw, status_name: str, *, verbose) -> np.ndarray:
    import mne

    events = mne.find_events(
        raw,
        stim_channel=status_name,
        consecutive=True,
        shortest_event=1,
        mask=STATUS_MASK,
        mask_type="and",
        initial_event=True,
        verbose=False if verbose is None else verbose,
    )
    onsets = events[events[:, 2] == VIDEO_START_CODE, 0] - raw.first_samp
    if len(onsets) != N_TRIALS:
        raise RawFormatError(
            path,
            f"found {len(onsets)} music-video starts (Status code {VIDEO_START_CODE}), "
            f"expected {N_TRIALS}",
        )
    return onsets.astype(np.int64)


def _deap_ratings(
    path: Path, participant: int
) -> tuple[dict[int, int], dict[int, np.ndarray]]:
    """``{trial: experiment_id}`` and ``{trial: labels}`` of one participant."""
    import pandas as pd

    check_file(path, error=RawFormatError)
    try:
        table = pd.read_csv(path)
    except Exception as err:
        raise RawFormatError(path, f"unreadable CSV file ({first_line(err)})") from None
    columns = {str(c).strip().lower(): c for c in table.columns}
    missing = [c for c in RATING_COLUMNS if c.lower() not in columns]
    if missing:
        raise RawFormatError(path, f"missing column(s) {', '.join(missing)}")
    table = table.rename(columns={columns[c.lower()]: c for c in RATING_COLUMNS})
    rows = table[table["Participant_id"] == participant]
    if rows.empty:
        raise RawFormatError(path, f"no rating rows for participant {participant}")
    label_columns = list(RATING_COLUMNS[3:])
    order: dict[int, int] = {}
    labels: dict[int, np.ndarray] = {}
    for trial in range(1, N_TRIALS + 1):
        match = rows[rows["Trial"] == trial]
        if len(match) == 0:
            raise RawFormatError(
                path, f"no rating row for participant {participant}, trial {trial}"
            )
        if len(match) > 1:
            raise RawFormatError(
                path, f"{len(match)} rating rows for participant {participant}, trial {trial}"
            )
        row = match.iloc[0]
        values = np.asarray(row[label_columns].to_numpy(), dtype=np.float64)
        if not np.all(np.isfinite(values)):
            raise RawFormatError(
                path, f"participant {participant}, trial {trial}: missing rating values"
            )
        order[trial] = int(row["Experiment_id"])
        labels[trial] = values
    experiments = sorted(order.values())
    if experiments != list(range(1, N_TRIALS + 1)):
        raise RawFormatError(
            path,
            f"participant {participant}: Experiment_id values of trials 1-"
            f"{N_TRIALS} are not 1-{N_TRIALS} each once",
        )
    return order, labels


def _physical(raw, name: str, units: dict) -> np.ndarray:
    """One channel in its physical unit, voltages in µV."""
    data = raw.get_data(picks=[name])[0]
    unit = units.get(name, "")
    if unit in _VOLT_UNITS:
        return data * 1e6  # MNE scaled the physical value to volts
    return data

