"""DEAP's raw entry: ``data_original/sXX.bdf`` (BioSemi, 512 Hz) and
``metadata_csv/participant_ratings.csv``, rebuilt into the preprocessed release's arrays
(:func:`read_bdf`)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...recording import RawFormatError, check_file, first_line, name_list, resample_npad, resample_step
from .spec import (
    BASELINE_S,
    EEG_CHANNELS,
    LABEL_NAMES,
    N_SAMPLES,
    N_TRIALS,
    PERIPHERAL_SOURCES,
    RATING_COLUMNS,
    RAW_SFREQ,
    SFREQ,
    STATUS_CHANNEL,
    STATUS_MASK,
    TWENTE_CHANNELS,
    VIDEO_S,
    VIDEO_START_CODE,
)

logger = logging.getLogger(__name__)

_VOLT_UNITS = {"uV": 1.0, "\u00b5V": 1.0, "\u03bcV": 1.0, "mV": 1e3, "V": 1e6, "nV": 1e-3}


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
