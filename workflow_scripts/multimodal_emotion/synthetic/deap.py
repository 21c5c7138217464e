"""Synthetic DEAP, written as the release ships it (through the reader's constants).

- ``data_preprocessed_python/sXX.dat``: a Python 2 cPickle (protocol 2, ``BINSTRING``
  payloads, ``numpy.core.multiarray._reconstruct``; see :mod:`.py2pickle`), ~103 MB at
  full size, loading only with ``encoding="latin1"`` like the real files;
- ``data_preprocessed_matlab/sXX.mat``: the same arrays;
- ``data_original/sXX.bdf`` (BioSemi BDF, 512 Hz, 48 channels, Status codes) from the
  same signals, trials in a shuffled presentation order, s01-s22 in the Twente order;
- ``metadata_csv/participant_ratings.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..datasets import deap as fmt
from ..recording import EYE_EVENT_CODES, fit_length
from ..store import atomic_path
from .config import SyntheticConfig, copy_root, rng_for, subject_gains
from .py2pickle import dump_arrays
from .signals import apply_effects, blink_waveform, channel_maps, channel_positions, eeg_clip, eye_events, pink_noise, savemat, scalp_mixing


def _peripheral(
    rng: np.random.Generator, n_times: int, *, sfreq: float, arousal_score: float, valence_score: float,
    effect_size: float, blinks: np.ndarray,
) -> np.ndarray:
    """hEOG, vEOG, zEMG, tEMG, GSR, respiration, plethysmograph, temperature."""
    t = np.arange(n_times) / sfreq
    heog = 40 * pink_noise(rng, 1, n_times, sfreq=sfreq, exponent=1.5)[0]
    veog = 30 * pink_noise(rng, 1, n_times, sfreq=sfreq, exponent=1.5)[0]
    for onset, duration in blinks:
        wave = 250 * blink_waveform(sfreq, duration)
        start = int(onset * sfreq)
        stop = min(n_times, start + wave.size)
        veog[start:stop] += wave[: stop - start]
    # Zygomaticus EMG (smiling) rises with valence, trapezius EMG with arousal.
    emg = rng.standard_normal((2, n_times)) * np.array([[8.0], [6.0]])
    emg[0] *= (1 + 0.2 * effect_size) ** valence_score
    emg[1] *= (1 + 0.2 * effect_size) ** arousal_score
    # Skin conductance: level plus phasic responses whose rate and level rise with arousal.
    shift = effect_size * arousal_score
    gsr = np.full(n_times, 1500.0 + 150.0 * shift) + 40 * pink_noise(rng, 1, n_times, sfreq=sfreq, exponent=2.0)[0]
    n_responses = rng.poisson(max(0.1, 6 * (1 + 0.5 * shift)))
    for onset in rng.uniform(0, t[-1], n_responses):
        rise = np.clip(t - onset, 0, None)
        gsr += 60 * (1 - np.exp(-rise / 1.0)) * np.exp(-rise / 4.0) * (t >= onset)
    resp_rate = rng.uniform(0.2, 0.35)
    resp = 400 * np.sin(2 * np.pi * resp_rate * t + rng.uniform(0, 6.3)) + 30 * rng.standard_normal(n_times)
    heart = rng.uniform(1.0, 1.4)
    plet = 500 * np.maximum(np.sin(2 * np.pi * heart * t), 0) ** 3 + 20 * rng.standard_normal(n_times)
    temp = 32.0 + 0.1 * np.cumsum(rng.standard_normal(n_times)) / np.sqrt(n_times)
    return np.vstack([heog, veog, emg, gsr, resp, plet, temp])


def subject_arrays(subject: int, cfg: SyntheticConfig) -> tuple[np.ndarray, np.ndarray]:
    """The ``data`` (40, 40, 8064) and ``labels`` (40, 4) arrays of a synthetic DEAP subject."""
    import mne

    sfreq = fmt.SFREQ
    ch_names = fmt.EEG_CHANNELS
    rng = rng_for(cfg, 2, subject)
    positions = channel_positions(ch_names)
    mixing = scalp_mixing(rng, positions, 10, width=0.06)
    alpha_map, frontal_map = channel_maps(ch_names, positions)
    amplitude = rng.uniform(10.0, 25.0)
    gains, _ = subject_gains(cfg, 2, subject, len(fmt.ALL_CHANNELS))  # synthetic.subject_offset (2 = DEAP)
    # Ratings on DEAP's continuous 1-9 scales; valence and arousal independent.
    labels = np.round(rng.uniform(1.0, 9.0, (fmt.N_TRIALS, 4)), 2)
    data = np.empty((fmt.N_TRIALS, len(fmt.ALL_CHANNELS), fmt.N_SAMPLES))
    duration = fmt.N_SAMPLES / sfreq
    baseline = int(fmt.BASELINE_S * sfreq)
    for trial in range(fmt.N_TRIALS):
        scores = {name: (labels[trial, i] - 5.0) / 4.0 for i, name in enumerate(fmt.LABEL_NAMES)}
        events = eye_events(rng, duration, blink_rate=0.3)
        blinks = events[events[:, 0] == EYE_EVENT_CODES["blink"]][:, 1:3]
        eeg = eeg_clip(
            rng, n_times=fmt.N_SAMPLES, sfreq=sfreq, mixing=mixing, alpha_map=alpha_map,
            frontal_map=frontal_map * 0.1, blinks=blinks, amplitude_uV=amplitude,  # EOG mostly removed
        )
        # The effect acts on the 60 s of video, not on the pre-trial baseline.
        eeg[:, baseline:] = apply_effects(
            eeg[:, baseline:], ch_names=ch_names, sfreq=sfreq, effects=cfg.deap_effects,
            scores=scores, effect_size=cfg.effect_size,
        )
        eeg = mne.filter.filter_data(eeg, sfreq, 4.0, 45.0, verbose="error")
        eeg -= eeg.mean(axis=0, keepdims=True)  # common average reference, as DEAP ships it
        data[trial, :32] = eeg
        data[trial, 32:] = _peripheral(
            rng, fmt.N_SAMPLES, sfreq=sfreq, arousal_score=scores["arousal"], valence_score=scores["valence"],
            effect_size=cfg.effect_size, blinks=blinks,
        )
        if cfg.subject_offset:
            data[trial] *= gains[:, None]
    return data, labels


def write_subject(path: str | Path, *, subject: int, cfg: SyntheticConfig) -> None:
    """Write ``sXX.dat`` (Python 2 cPickle, see :mod:`.py2pickle`) or ``sXX.mat`` by the path's suffix."""
    data, labels = subject_arrays(subject, cfg)
    path = Path(path)
    if path.suffix == ".mat":
        savemat(path, {"data": data, "labels": labels})
        return
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        dump_arrays({"labels": labels, "data": data}, f)


def presentation_order(subject: int, cfg: SyntheticConfig) -> list[int]:
    """Experiment_id shown at trials 1..40 of a synthetic subject (a seeded shuffle)."""
    return [int(k) + 1 for k in rng_for(cfg, 4, subject).permutation(fmt.N_TRIALS)]


def write_raw(bdf_path: str | Path, *, dat_path: str | Path, subject: int, cfg: SyntheticConfig) -> None:
    """Write ``data_original/sXX.bdf`` (512 Hz) from the same signals as the subject's
    ``.dat`` (read with the public loader), with the 40 trials presented in a shuffled
    order (so the reader must map presentation order back to experiment_id order) and,
    for subjects 1-22, the EEG in the Twente channel order as in DEAP."""
    data, _ = fmt.load_arrays(dat_path)
    names = fmt.TWENTE_CHANNELS if subject <= 22 else fmt.EEG_CHANNELS
    raw = raw_from_preprocessed(data, presentation_order=presentation_order(subject, cfg), eeg_names=names)
    with atomic_path(bdf_path) as tmp:
        write_bdf(tmp, eeg_uV=raw.eeg_uV, eeg_names=raw.eeg_names, exg_uV=raw.exg_uV,
                  peripheral=raw.peripheral, status=raw.status, sfreq=raw.sfreq)


def write_ratings(path: str | Path, *, dat_paths: Mapping[int, str], cfg: SyntheticConfig) -> None:
    """Write ``metadata_csv/participant_ratings.csv`` for the given subjects' ``.dat`` files."""
    with atomic_path(path) as tmp:
        for i, (subject, dat) in enumerate(sorted(dat_paths.items())):
            _, labels = fmt.load_arrays(dat)
            write_ratings_csv(tmp, participant=subject, presentation_order=presentation_order(subject, cfg),
                              labels=labels, append=i > 0)


# --- any file from its path (rule synthetic_file) ----------------------------------------


def settings_of(relpath: str) -> tuple[str, ...]:
    """Keys of the deap block a file depends on besides its ``synthetic_*`` ones: the
    ratings table lists the configured subjects."""
    return ("subjects",) if relpath == fmt.RATINGS_FILE else ()


def _subject_file(relpath: str) -> tuple[str, int]:
    """(folder, subject) of a per-subject file ``{folder}/sNN.{dat,mat,bdf}``; other paths are refused."""
    parts = Path(relpath).parts
    suffixes = {fmt.PYTHON_DIR: ".dat", fmt.MATLAB_DIR: ".mat", fmt.RAW_DIR: ".bdf"}
    if len(parts) == 2 and parts[0] in suffixes and Path(parts[1]).suffix == suffixes[parts[0]]:
        stem = Path(parts[1]).stem
        if len(stem) == 3 and stem[0] == "s" and stem[1:].isdigit():
            return parts[0], int(stem[1:])
    raise ValueError(f"{relpath}: not a file of the synthetic DEAP copy ({fmt.PYTHON_DIR}/sNN.dat, "
                     f"{fmt.MATLAB_DIR}/sNN.mat, {fmt.RAW_DIR}/sNN.bdf or {fmt.RATINGS_FILE})")


def _dat(subject: int) -> str:
    return f"{fmt.PYTHON_DIR}/s{subject:02d}.dat"


def inputs(relpath: str, dataset_config: Mapping) -> list[str]:
    """The files of the copy (relative paths) that ``relpath`` is computed from: the
    subject's ``.dat`` for its ``.bdf``, every configured subject's for the ratings."""
    if relpath == fmt.RATINGS_FILE:
        return [_dat(subject) for subject in dataset_config["subjects"]]
    folder, subject = _subject_file(relpath)
    return [_dat(subject)] if folder == fmt.RAW_DIR else []


def write(relpath: str, output: str | Path, *, cfg: SyntheticConfig, dataset_config: Mapping) -> None:
    """Write the file ``relpath`` (relative to the DEAP folder) of the synthetic copy."""
    root = copy_root(output, relpath)
    if relpath == fmt.RATINGS_FILE:
        write_ratings(output, dat_paths={int(Path(p).stem[1:]): root / p for p in inputs(relpath, dataset_config)},
                      cfg=cfg)
        return
    folder, subject = _subject_file(relpath)
    if folder == fmt.RAW_DIR:
        write_raw(output, dat_path=root / _dat(subject), subject=subject, cfg=cfg)
    else:
        write_subject(output, subject=subject, cfg=cfg)


# --- raw recordings -----------------------------------------------------------------------


@dataclass
class DeapRawSignals:
    """A DEAP-like raw recording in memory, ready for :func:`write_bdf`.

    Attributes
    ----------
    eeg_uV : ndarray, shape (32, n_times)
        EEG in µV, rows in ``eeg_names`` order.
    eeg_names : tuple of str
        EEG channel names in file order (Geneva or Twente order).
    exg_uV : ndarray, shape (8, n_times)
        EXG1-EXG8 in µV.
    peripheral : ndarray, shape (4, n_times)
        GSR1, Resp, Plet, Temp in their own units.
    status : ndarray of int, shape (n_times,)
        Status codes.
    sfreq : float
        Sampling rate (512 Hz).
    video_onsets : ndarray of int, shape (40,)
        Sample of each code-4 onset, in presentation order.
    presentation_order : ndarray of int, shape (40,)
        ``Experiment_id`` shown at trial 1, 2, ..., 40.
    """

    eeg_uV: np.ndarray
    eeg_names: tuple[str, ...]
    exg_uV: np.ndarray
    peripheral: np.ndarray
    status: np.ndarray
    sfreq: float
    video_onsets: np.ndarray
    presentation_order: np.ndarray


def raw_from_preprocessed(
    data: np.ndarray,
    *,
    presentation_order: Sequence[int],
    eeg_names: Sequence[str] = fmt.EEG_CHANNELS,
    sfreq: float = fmt.RAW_SFREQ,
    lead_s: float = 2.0,
    fixation_s: float = 5.0,
    post_s: float = 3.0,
    rating_s: float = 5.0,
) -> DeapRawSignals:
    """Build a raw DEAP-like recording from a preprocessed-style array.

    Each trial of ``data`` (3 s baseline + 60 s video at 128 Hz) is upsampled to
    ``sfreq`` (:func:`mne.filter.resample`, polyphase) and placed in a timeline in
    presentation order: ``lead_s`` of sync screen (code 2), then per trial a fixation
    screen (code 3, ``fixation_s`` >= 3 s, its last 3 s are the trial's baseline), the
    video (code 4, 60 s), a fixation screen (code 5, ``post_s``) and a rating screen
    (code 1, ``rating_s``, left out if 0), and 1 s of code 7 at the end. Outside the 63 s
    of each trial the signals are zero.

    Channels 33-36 (bipolar) are split into EXG pairs ``+x/2`` and ``-x/2`` so that
    EXG1 - EXG2 = hEOG and so on; channels 37-40 become GSR1, Resp, Plet, Temp.

    :func:`~..datasets.deap.read_bdf` on the written file returns ``data`` again if its EEG is
    already band-limited to 4-45 Hz and common-average referenced (the reader applies
    both again), up to resampling and filter edge effects at the trial borders.

    Parameters
    ----------
    data : ndarray, shape (40, 40, 8064)
        Trials in ``Experiment_id`` order, channels as ``fmt.ALL_CHANNELS``
        (EEG in Geneva order, µV), 128 Hz.
    presentation_order : sequence of int, shape (40,)
        The ``Experiment_id`` (1-40) presented at trial 1, 2, ..., 40; a permutation.
    eeg_names : sequence of str
        EEG order of the raw file (``fmt.EEG_CHANNELS`` or
        ``fmt.TWENTE_CHANNELS``); the rows of ``eeg_uV`` follow it.
    sfreq : float
        Raw sampling rate (Hz).
    lead_s, fixation_s, post_s, rating_s : float
        Durations of the timeline's screens (s).

    Returns
    -------
    signals : DeapRawSignals
    """
    import mne

    data = np.asarray(data, dtype=np.float64)
    expected = (fmt.N_TRIALS, len(fmt.ALL_CHANNELS), fmt.N_SAMPLES)
    if data.shape != expected:
        raise ValueError(f"data must have shape {expected}, got {data.shape}")
    order = np.asarray(presentation_order, dtype=np.int64)
    if sorted(order.tolist()) != list(range(1, fmt.N_TRIALS + 1)):
        raise ValueError("presentation_order must be a permutation of 1..40")
    eeg_names = tuple(eeg_names)
    if sorted(eeg_names) != sorted(fmt.EEG_CHANNELS):
        raise ValueError("eeg_names must be the 32 DEAP EEG channels in some order")
    if fixation_s < fmt.BASELINE_S:
        raise ValueError(f"fixation_s must be at least {fmt.BASELINE_S} s")

    def samples(seconds: float) -> int:
        return int(round(seconds * sfreq))

    n_base, n_video = samples(fmt.BASELINE_S), samples(fmt.VIDEO_S)
    n_trial_raw = n_base + n_video
    per_trial = samples(fixation_s) + n_video + samples(post_s) + samples(rating_s)
    n_times = samples(lead_s) + fmt.N_TRIALS * per_trial + samples(1.0)
    eeg_rows = [fmt.EEG_CHANNELS.index(name) for name in eeg_names]

    eeg = np.zeros((len(eeg_names), n_times))
    exg = np.zeros((len(fmt.EXG_CHANNELS), n_times))
    peripheral = np.zeros((4, n_times))
    status = np.zeros(n_times, dtype=np.int64)
    onsets = np.empty(fmt.N_TRIALS, dtype=np.int64)
    status[: samples(lead_s)] = fmt.CODE_SYNC
    t = samples(lead_s)
    n_eeg = len(fmt.EEG_CHANNELS)
    for trial, experiment in enumerate(order):
        onset = t + samples(fixation_s)
        onsets[trial] = onset
        status[t:onset] = fmt.CODE_FIXATION
        status[onset : onset + n_video] = fmt.VIDEO_START_CODE
        after = onset + n_video
        status[after : after + samples(post_s)] = fmt.CODE_POST_FIXATION
        status[after + samples(post_s) : t + per_trial] = fmt.CODE_RATING
        up = mne.filter.resample(
            data[experiment - 1], up=sfreq / fmt.SFREQ, method="polyphase",
            verbose=False,
        )
        up = fit_length(up, n_trial_raw)
        span = slice(onset - n_base, onset + n_video)
        eeg[:, span] = up[:n_eeg][eeg_rows]
        for k in range(4):  # bipolar channels 33-36 -> EXG pairs
            exg[2 * k, span] = up[n_eeg + k] / 2
            exg[2 * k + 1, span] = -up[n_eeg + k] / 2
        peripheral[:, span] = up[n_eeg + 4 :]
        t += per_trial
    status[t:] = fmt.CODE_END
    return DeapRawSignals(
        eeg_uV=eeg,
        eeg_names=eeg_names,
        exg_uV=exg,
        peripheral=peripheral,
        status=status,
        sfreq=float(sfreq),
        video_onsets=onsets,
        presentation_order=order,
    )


def write_bdf(
    path: str | Path,
    *,
    eeg_uV: np.ndarray,
    eeg_names: Sequence[str],
    exg_uV: np.ndarray,
    peripheral: np.ndarray,
    status: np.ndarray,
    sfreq: float = fmt.RAW_SFREQ,
    peripheral_units: Sequence[str] = ("Ohm", "uV", "uV", "degC"),
    status_name: str = fmt.STATUS_CHANNEL,
) -> None:
    """Write a DEAP-like BioSemi BDF with ``edfio``.

    Channels, as in DEAP's ``data_original``: the 32 EEG channels in the given order,
    EXG1-EXG8, GSR1, GSR2, Erg1, Erg2, Resp, Plet, Temp and the Status channel (48).
    GSR2, Erg1 and Erg2 are written as zeros (unused in DEAP).

    Parameters
    ----------
    path : path-like
        Output ``.bdf`` file.
    eeg_uV : ndarray, shape (32, n_times)
        EEG in µV, rows in ``eeg_names`` order.
    eeg_names : sequence of str
        The 32 EEG names in file order (e.g. ``fmt.TWENTE_CHANNELS``).
    exg_uV : ndarray, shape (8, n_times)
        EXG1-EXG8 in µV.
    peripheral : ndarray, shape (4, n_times)
        GSR1, Resp, Plet, Temp in ``peripheral_units``.
    status : ndarray of int, shape (n_times,)
        Trigger codes (0 .. 2**23 - 1); written exactly (physical = digital range), so
        ``mne.find_events`` reads them back.
    sfreq : float
        Sampling rate, an integer number of Hz (records are 1 s long; the signals are
        zero-padded to whole seconds).
    peripheral_units : sequence of str
        Physical dimensions written for GSR1, Resp, Plet, Temp.
    status_name : str
        Label of the trigger channel.

    Notes
    -----
    EEG and EXG use BioSemi's range of +/-262144 µV over the 24-bit digital range
    (1/32 µV per step) when the data fit, other signals a range rounded outward from
    their own minimum and maximum; values read back within half a step.
    """
    from edfio import Bdf, BdfSignal

    eeg_uV = np.asarray(eeg_uV, dtype=np.float64)
    exg_uV = np.asarray(exg_uV, dtype=np.float64)
    peripheral = np.asarray(peripheral, dtype=np.float64)
    status = np.asarray(status)
    n_times = status.shape[-1]
    if eeg_uV.shape != (len(eeg_names), n_times) or len(eeg_names) != 32:
        raise ValueError(f"eeg_uV must have shape (32, {n_times}), got {eeg_uV.shape}")
    if exg_uV.shape != (8, n_times):
        raise ValueError(f"exg_uV must have shape (8, {n_times}), got {exg_uV.shape}")
    if peripheral.shape != (4, n_times):
        raise ValueError(f"peripheral must have shape (4, {n_times}), got {peripheral.shape}")
    if sfreq != int(sfreq):
        raise ValueError(f"sfreq must be an integer number of Hz, got {sfreq!r}")
    if status.min(initial=0) < 0 or status.max(initial=0) > 2**23 - 1:
        raise ValueError("status codes must be within 0 .. 2**23 - 1")
    n_padded = -(-n_times // int(sfreq)) * int(sfreq)

    def pad(x: np.ndarray) -> np.ndarray:
        return np.pad(x, (0, n_padded - n_times))

    biosemi_range = (-262144.0, 262143.0)
    signals = []
    voltage_rows = [(name, x) for name, x in zip(eeg_names, eeg_uV)]
    voltage_rows += list(zip(fmt.EXG_CHANNELS, exg_uV))
    for name, x in voltage_rows:
        lo, hi = float(x.min(initial=0)), float(x.max(initial=0))
        physical = biosemi_range if biosemi_range[0] <= lo and hi <= biosemi_range[1] else None
        signals.append(_bdf_signal(BdfSignal, pad(x), sfreq, name, "uV", physical))
    if len(peripheral_units) != 4:
        raise ValueError(f"peripheral_units needs 4 units, got {len(peripheral_units)}")
    aux = dict(zip(("GSR1", "Resp", "Plet", "Temp"), zip(peripheral, peripheral_units)))
    for name in fmt.AUX_CHANNELS:
        x, unit = aux.get(name, (np.zeros(n_times), ""))
        signals.append(_bdf_signal(BdfSignal, pad(x), sfreq, name, unit, None))
    digital = (-(2**23), 2**23 - 1)
    signals.append(
        BdfSignal(
            pad(status.astype(np.float64)),
            float(sfreq),
            label=status_name,
            physical_dimension="Boolean",
            physical_range=(float(digital[0]), float(digital[1])),
            digital_range=digital,
        )
    )
    Bdf(signals, data_record_duration=1.0).write(Path(path))


def _bdf_signal(signal_class, x, sfreq, label, unit, physical):
    if physical is None:
        lo, hi = float(np.floor(x.min(initial=0))), float(np.ceil(x.max(initial=0)))
        if lo == hi:
            lo, hi = lo - 1.0, hi + 1.0
        physical = (lo, hi)
    return signal_class(
        x, float(sfreq), label=label, physical_dimension=unit, physical_range=physical
    )


def write_ratings_csv(
    path: str | Path,
    *,
    participant: int,
    presentation_order: Sequence[int],
    labels: np.ndarray,
    start_times_us: Sequence[int] | None = None,
    append: bool = False,
) -> None:
    """Write (or append to) a DEAP-style ``participant_ratings.csv``.

    Parameters
    ----------
    path : path-like
        Output CSV.
    participant : int
        ``Participant_id``.
    presentation_order : sequence of int, shape (40,)
        ``Experiment_id`` presented at trial 1, 2, ..., 40.
    labels : ndarray, shape (40, 4)
        Valence, arousal, dominance, liking per video, in ``Experiment_id`` order
        (the ``labels`` array of a preprocessed file).
    start_times_us : sequence of int | None
        ``Start_time`` per trial (µs from the start of the experiment); the column is
        left out if None.
    append : bool
        Append this participant's rows to an existing file (header written only when
        the file does not exist yet).
    """
    import pandas as pd

    order = np.asarray(presentation_order, dtype=np.int64)
    labels = np.asarray(labels, dtype=np.float64)
    if labels.shape != (fmt.N_TRIALS, len(fmt.LABEL_NAMES)):
        raise ValueError(f"labels must have shape (40, 4), got {labels.shape}")
    if sorted(order.tolist()) != list(range(1, fmt.N_TRIALS + 1)):
        raise ValueError("presentation_order must be a permutation of 1..40")
    table = pd.DataFrame(
        {
            "Participant_id": participant,
            "Trial": np.arange(1, fmt.N_TRIALS + 1),
            "Experiment_id": order,
        }
    )
    if start_times_us is not None:
        table["Start_time"] = np.asarray(start_times_us, dtype=np.int64)
    for k, column in enumerate(fmt.RATING_COLUMNS[3:]):
        table[column] = labels[order - 1, k]
    path = Path(path)
    exists = append and path.exists() and path.stat().st_size > 0
    table.to_csv(path, mode="a" if exists else "w", header=not exists, index=False)
