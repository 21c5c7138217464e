"""Embedded synthetic SEED and DEAP, written in the datasets' own formats.

The signals are built to look like scalp EEG to the feature stage:

* a 1/f^alpha background from independent latent sources, mixed into channels through
  smooth scalp topographies (so neighbouring channels correlate), plus sensor noise;
* an occipito-parietal alpha rhythm (8-12 Hz) with waxing and waning amplitude;
* eye blinks in the frontal channels, at the blink events of the eye-tracker data;
* per-clip random gains (clip-to-clip variability unrelated to emotion).

The **emotion effect** is known and configurable: in the chosen channels and bands
the spectral amplitude is multiplied by ``(1 + effect_size) ** score``, so the
band's DE shifts by exactly ``score * ln(1 + effect_size)`` nats, where ``score`` is
the clip's emotion label (-1, 0, 1) for SEED and ``(rating - 5) / 4`` of the chosen
rating for DEAP. Pupil diameter (SEED) and skin conductance (DEAP) shift with the
score too. ``effect_size = 0`` gives a null dataset: nothing depends on the labels.
Every file is seeded from (seed, dataset, subject, session), so any one file can be
regenerated alone and comes out identical.
"""

from __future__ import annotations

import datetime as _dt
import logging
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import formats
from .store import atomic_path

log = logging.getLogger(__name__)

DEFAULT_SEED_BANDS = {"delta": (1, 4), "theta": (4, 8), "alpha": (8, 14), "beta": (14, 31), "gamma": (31, 50)}


@dataclass(frozen=True)
class EffectSpec:
    """Where the emotion acts on the EEG: channels, bands, and (DEAP) which rating."""

    channels: Sequence[str]
    bands: Sequence[Sequence[float]]
    rating: str | None = None  # DEAP: "valence" | "arousal"; SEED uses the clip label


@dataclass(frozen=True)
class SyntheticConfig:
    seed: int = 2017
    effect_size: float = 1.0
    clip_seconds: tuple[float, float] = (40.0, 60.0)  # SEED clip lengths vary in this range
    seed_effects: Sequence[EffectSpec] = field(
        default_factory=lambda: (
            # Lateral temporal beta/gamma rise with positive emotion (Zheng & Lu 2015).
            EffectSpec(
                channels=("F7", "F8", "FT7", "FT8", "FC5", "FC6", "T7", "T8", "C5", "C6", "TP7", "TP8", "CP5", "CP6", "P7", "P8"),
                bands=((14, 31), (31, 50)),
            ),
        )
    )
    deap_effects: Sequence[EffectSpec] = field(
        default_factory=lambda: (
            EffectSpec(channels=("F3", "F4", "AF3", "AF4", "Fz"), bands=((4, 8), (8, 14)), rating="valence"),
            EffectSpec(channels=("T7", "T8", "CP5", "CP6", "P7", "P8"), bands=((14, 31), (31, 45)), rating="arousal"),
        )
    )

    @classmethod
    def from_config(cls, cfg: Mapping) -> "SyntheticConfig":
        """Build from the ``synthetic`` section of config.yaml."""

        def effects(items, with_rating):
            return tuple(
                EffectSpec(
                    channels=tuple(e["channels"]),
                    bands=tuple(tuple(b) for b in e["bands"]),
                    rating=e.get("rating") if with_rating else None,
                )
                for e in items
            )

        base = cls()
        return cls(
            seed=int(cfg.get("seed", base.seed)),
            effect_size=float(cfg.get("effect_size", base.effect_size)),
            clip_seconds=tuple(cfg.get("seed_clip_seconds", base.clip_seconds)),
            seed_effects=effects(cfg["seed_effects"], False) if "seed_effects" in cfg else base.seed_effects,
            deap_effects=effects(cfg["deap_effects"], True) if "deap_effects" in cfg else base.deap_effects,
        )


def _rng(cfg: SyntheticConfig, *keys: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([cfg.seed, *keys]))


def seed_session_date(subject: int, session: int) -> str:
    """Recording date of a synthetic SEED session (sessions one week apart)."""
    day = _dt.date(2013, 10, 1) + _dt.timedelta(days=2 * subject + 7 * (session - 1))
    return day.strftime("%Y%m%d")


def _subject_initials(subject: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "".join(letters[(subject * k + 3) % 26] for k in (5, 7, 11))


# --- signal building blocks ----------------------------------------------------------


def pink_noise(rng: np.random.Generator, n_signals: int, n_times: int, *, sfreq: float, exponent: float = 1.0) -> np.ndarray:
    """Gaussian noise with a 1/f^exponent power spectrum, unit variance per signal."""
    freqs = np.fft.rfftfreq(n_times, 1 / sfreq)
    shape = np.zeros_like(freqs)
    shape[1:] = freqs[1:] ** (-exponent / 2)
    spectrum = (rng.standard_normal((n_signals, freqs.size)) + 1j * rng.standard_normal((n_signals, freqs.size))) * shape
    out = np.fft.irfft(spectrum, n=n_times, axis=-1)
    return out / out.std(axis=-1, keepdims=True)


def channel_positions(ch_names: Sequence[str]) -> np.ndarray:
    """3-D head positions (m) of the channels; SEED's CB1/CB2 sit at I1/I2."""
    import mne

    montage = mne.channels.make_standard_montage("colin27_1005")
    pos = {name.upper(): xyz for name, xyz in montage.get_positions()["ch_pos"].items()}
    alias = {"CB1": "I1", "CB2": "I2"}
    return np.array([pos[alias.get(ch.upper(), ch.upper())] for ch in ch_names])


def scalp_mixing(rng: np.random.Generator, positions: np.ndarray, n_sources: int, *, width: float = 0.05) -> np.ndarray:
    """Smooth topographies: each latent source is a Gaussian blob around a random channel."""
    centres = positions[rng.choice(len(positions), n_sources, replace=False)]
    dist = np.linalg.norm(positions[:, None, :] - centres[None, :, :], axis=-1)
    mixing = np.exp(-0.5 * (dist / width) ** 2) * rng.uniform(0.5, 1.5, n_sources)
    return mixing  # (n_channels, n_sources)


def scale_bands(data: np.ndarray, *, sfreq: float, bands: Sequence[Sequence[float]], gain: float) -> np.ndarray:
    """Multiply the spectral amplitude of ``data`` in ``bands`` by ``gain`` (in place safe)."""
    if gain == 1.0:
        return data
    spectrum = np.fft.rfft(data, axis=-1)
    freqs = np.fft.rfftfreq(data.shape[-1], 1 / sfreq)
    for lo, hi in bands:
        spectrum[..., (freqs >= lo) & (freqs < hi)] *= gain
    return np.fft.irfft(spectrum, n=data.shape[-1], axis=-1)


def _eye_events(rng: np.random.Generator, duration: float, *, blink_rate: float) -> np.ndarray:
    """Fixation-saccade sequence with blinks; rows as formats.SEED_EVENT_COLUMNS."""
    codes = formats.EYE_EVENT_CODES
    rows, t = [], 0.0
    while t < duration:
        if rng.random() < blink_rate * 0.3:  # ~0.3 s per fixation+saccade cycle
            d = rng.uniform(0.1, 0.3)
            rows.append((codes["blink"], t, d, 0.0, 0.0, 0.0))
        else:
            d = rng.gamma(4.0, 0.07)
            rows.append((codes["fixation"], t, d, rng.gamma(2, 0.3), rng.gamma(2, 0.25), 0.0))
            t += d
            d = rng.uniform(0.02, 0.08)
            rows.append((codes["saccade"], t, d, 0.0, 0.0, rng.gamma(2.5, 2.0)))
        t += d
    events = np.array(rows, dtype=np.float64)
    return events[events[:, 1] < duration]


def _blink_waveform(sfreq: float, duration: float) -> np.ndarray:
    n = max(3, int(duration * sfreq))
    return np.sin(np.linspace(0, np.pi, n)) ** 2


def _eeg_clip(
    rng: np.random.Generator, *, n_times: int, sfreq: float, mixing: np.ndarray, alpha_map: np.ndarray,
    frontal_map: np.ndarray, blinks: np.ndarray, amplitude_uV: float,
) -> np.ndarray:
    """One clip of EEG in µV: mixed 1/f sources + alpha + blinks + sensor noise."""
    n_channels, n_sources = mixing.shape
    sources = pink_noise(rng, n_sources, n_times, sfreq=sfreq, exponent=rng.uniform(1.0, 1.15))
    sources *= rng.lognormal(0.0, 0.15, (n_sources, 1))  # clip-to-clip variability
    eeg = mixing @ sources
    t = np.arange(n_times) / sfreq
    alpha_freq = rng.uniform(9.0, 11.0)
    envelope = 0.6 + 0.4 * np.abs(pink_noise(rng, 1, n_times, sfreq=sfreq, exponent=2.0)[0])
    eeg += 0.8 * np.outer(alpha_map, envelope * np.sin(2 * np.pi * alpha_freq * t + rng.uniform(0, 2 * np.pi)))
    eeg += 0.3 * rng.standard_normal((n_channels, n_times))
    eeg *= amplitude_uV / eeg.std()
    for onset, duration in blinks:
        wave = _blink_waveform(sfreq, duration) * 120.0
        start = int(onset * sfreq)
        stop = min(n_times, start + wave.size)
        eeg[:, start:stop] += np.outer(frontal_map, wave[: stop - start])
    return eeg


def _channel_maps(ch_names: Sequence[str], positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Alpha weight (posterior channels) and blink weight (frontal polar channels)."""
    names = [c.upper() for c in ch_names]
    fp = positions[[names.index(c) for c in ("FP1", "FP2")]].mean(axis=0)
    oz = positions[names.index("OZ")] if "OZ" in names else positions[names.index("O1")]
    blink = np.exp(-np.linalg.norm(positions - fp, axis=1) / 0.03)
    alpha = np.exp(-0.5 * (np.linalg.norm(positions - oz, axis=1) / 0.06) ** 2)
    return alpha, blink


def _apply_effects(
    eeg: np.ndarray, *, ch_names: Sequence[str], sfreq: float, effects: Sequence[EffectSpec],
    scores: Mapping[str | None, float], effect_size: float,
) -> np.ndarray:
    if effect_size == 0:
        return eeg
    index = {c.upper(): i for i, c in enumerate(ch_names)}
    for spec in effects:
        rows = [index[c.upper()] for c in spec.channels]
        gain = (1.0 + effect_size) ** scores[spec.rating]
        eeg[rows] = scale_bands(eeg[rows], sfreq=sfreq, bands=spec.bands, gain=gain)
    return eeg


# --- SEED ----------------------------------------------------------------------------


def _savemat(path: str | Path, variables: Mapping[str, np.ndarray]) -> None:
    """Matlab v5 file, atomically, with a fixed header text (scipy stamps the time,
    which would make identical data give different bytes)."""
    import scipy.io

    with atomic_path(path) as tmp:
        scipy.io.savemat(tmp, dict(variables), format="5", do_compression=False)
        header = b"MATLAB 5.0 MAT-file, Platform: posix, Created by: multimodal_emotion.synthetic"
        with open(tmp, "r+b") as f:
            f.write(header.ljust(116, b" "))


def seed_clip_durations(cfg: SyntheticConfig, clip_seconds: tuple[float, float] | None = None) -> list[float]:
    """Length (s) of each of the 15 film clips. As in SEED, the same films, so the same
    lengths, in every session: one ``time.txt`` serves all raw recordings."""
    low, high = clip_seconds or cfg.clip_seconds
    return [float(d) for d in np.round(_rng(cfg, 1, 0).uniform(low, high, formats.SEED_N_CLIPS))]


SEED_RAW_GAP_S = 10.0  # rest between clips in the synthetic raw recording (and before the first)


def seed_raw_bounds(cfg: SyntheticConfig) -> tuple[list[int], list[int]]:
    """Start and (inclusive) end samples at 1000 Hz of every clip in a synthetic raw session.

    A clip of n samples at 200 Hz spans ``[start, start + 5 (n - 1)]`` at 1000 Hz, the
    inclusive-end convention of SEED's ``time.txt`` that ``read_seed_cnt`` reads."""
    from .raw_formats import SEED_RAW_SFREQ

    factor = int(SEED_RAW_SFREQ / formats.SEED_SFREQ)
    starts, ends, position = [], [], int(SEED_RAW_GAP_S * SEED_RAW_SFREQ)
    for duration in seed_clip_durations(cfg):
        n = int(duration * formats.SEED_SFREQ)
        starts.append(position)
        ends.append(position + factor * (n - 1))
        position += factor * n + int(SEED_RAW_GAP_S * SEED_RAW_SFREQ)
    return starts, ends


def write_seed_time(path: str | Path, *, cfg: SyntheticConfig) -> None:
    """Write the synthetic ``SEED_RAW_EEG/time.txt`` (clip bounds at 1000 Hz)."""
    from .raw_formats import write_time_txt

    starts, ends = seed_raw_bounds(cfg)
    with atomic_path(path) as tmp:
        write_time_txt(tmp, starts=starts, ends=ends)


def write_seed_raw(cnt_path: str | Path, *, mat_path: str | Path, subject: int, cfg: SyntheticConfig) -> None:
    """Write the 1000 Hz Neuroscan ``.cnt`` of a synthetic session from the same signals
    as its preprocessed ``.mat``: each 200 Hz clip upsampled x5 (polyphase), placed at
    the bounds of :func:`seed_raw_bounds`, with 1/f EEG during the rests, and the four
    extra channels of the real recordings (M1, M2 references; VEO, HEO EOG)."""
    from scipy.signal import resample_poly

    from .raw_formats import SEED_RAW_CHANNELS, SEED_RAW_SFREQ, write_cnt
    from .readers import read_seed_eeg

    _, clips = read_seed_eeg(mat_path)
    factor = int(SEED_RAW_SFREQ / formats.SEED_SFREQ)
    starts, ends = seed_raw_bounds(cfg)
    n_total = ends[-1] + factor + int(SEED_RAW_GAP_S * SEED_RAW_SFREQ)
    rng = _rng(cfg, 3, subject, int(Path(mat_path).stem.split("_")[1]))
    eeg_rows = [SEED_RAW_CHANNELS.index(c) for c in formats.SEED_CHANNELS]
    data = np.empty((len(SEED_RAW_CHANNELS), n_total), dtype=np.float32)
    data[:] = 10.0 * pink_noise(rng, len(SEED_RAW_CHANNELS), n_total, sfreq=SEED_RAW_SFREQ).astype(np.float32)
    for clip, start in zip(clips, starts):
        upsampled = resample_poly(clip, factor, 1, axis=1)
        data[eeg_rows, start : start + upsampled.shape[1]] = upsampled
    events = [(start, 1) for start in starts] + [(end, 2) for end in ends]
    with atomic_path(cnt_path) as tmp:
        write_cnt(tmp, data, ch_names=SEED_RAW_CHANNELS, sfreq=SEED_RAW_SFREQ, events=sorted(events))


def write_deap_raw(bdf_path: str | Path, *, dat_path: str | Path, subject: int, cfg: SyntheticConfig) -> None:
    """Write ``data_original/sXX.bdf`` (512 Hz) from the same signals as the subject's
    ``.dat``, with the 40 trials presented in a shuffled order (so the reader must map
    presentation order back to experiment_id order) and, for subjects 1-22, the EEG in
    the Twente channel order as in DEAP."""
    from .raw_formats import DEAP_TWENTE_CHANNELS, deap_raw_from_preprocessed, write_deap_bdf
    from .readers import _load_deap_arrays

    data, _ = _load_deap_arrays(Path(dat_path))
    order = deap_presentation_order(subject, cfg)
    names = DEAP_TWENTE_CHANNELS if subject <= 22 else formats.DEAP_EEG_CHANNELS
    raw = deap_raw_from_preprocessed(data, presentation_order=order, eeg_names=names)
    with atomic_path(bdf_path) as tmp:
        write_deap_bdf(tmp, eeg_uV=raw.eeg_uV, eeg_names=raw.eeg_names, exg_uV=raw.exg_uV,
                       peripheral=raw.peripheral, status=raw.status, sfreq=raw.sfreq)


def deap_presentation_order(subject: int, cfg: SyntheticConfig) -> list[int]:
    """Experiment_id shown at trials 1..40 of a synthetic subject (a seeded shuffle)."""
    return [int(k) + 1 for k in _rng(cfg, 4, subject).permutation(formats.DEAP_N_TRIALS)]


def write_deap_ratings(path: str | Path, *, dat_paths: Mapping[int, str], cfg: SyntheticConfig) -> None:
    """Write ``metadata_csv/participant_ratings.csv`` for the given subjects' ``.dat`` files."""
    from .raw_formats import write_deap_ratings_csv
    from .readers import _load_deap_arrays

    with atomic_path(path) as tmp:
        for i, (subject, dat) in enumerate(sorted(dat_paths.items())):
            _, labels = _load_deap_arrays(Path(dat))
            write_deap_ratings_csv(tmp, participant=subject, presentation_order=deap_presentation_order(subject, cfg),
                                   labels=labels, append=i > 0)


def write_seed_labels(path: str | Path) -> None:
    """Write SEED's ``label.mat`` (the fixed clip order of formats.SEED_CLIP_LABELS)."""
    _savemat(path, {"label": np.array([formats.SEED_CLIP_LABELS], dtype=np.int16)})


def write_seed_session(
    eeg_path: str | Path, eye_path: str | Path | None, *, subject: int, session: int, cfg: SyntheticConfig,
    clip_seconds: tuple[float, float] | None = None,
) -> None:
    """Write one synthetic SEED session: ``{subject}_{date}.mat`` and its eye-movement file.

    EEG variables ``{initials}_eeg{k}``, (62, n) float64 µV at 200 Hz; eye file as
    documented in :func:`~.readers.read_seed_eye`, pupil sampled at 60 Hz.
    """
    sfreq = formats.SEED_SFREQ
    ch_names = formats.SEED_CHANNELS
    subject_rng = _rng(cfg, 1, subject)
    positions = channel_positions(ch_names)
    mixing = scalp_mixing(subject_rng, positions, 12)
    alpha_map, frontal_map = _channel_maps(ch_names, positions)
    amplitude = subject_rng.uniform(20.0, 40.0)  # µV, per subject
    pupil_base = subject_rng.uniform(3.0, 4.5)  # mm
    durations = seed_clip_durations(cfg, clip_seconds)
    rng = _rng(cfg, 1, subject, session)
    eeg_vars, eye_vars = {}, {}
    prefix = _subject_initials(subject)
    for k, label in enumerate(formats.SEED_CLIP_LABELS, start=1):
        duration = durations[k - 1]
        n_times = int(duration * sfreq)
        score = float(label)
        events = _eye_events(rng, duration, blink_rate=0.3 * (1.0 + 0.3 * cfg.effect_size * score))
        blinks = events[events[:, 0] == formats.EYE_EVENT_CODES["blink"]][:, 1:3]
        eeg = _eeg_clip(
            rng, n_times=n_times, sfreq=sfreq, mixing=mixing, alpha_map=alpha_map,
            frontal_map=frontal_map, blinks=blinks, amplitude_uV=amplitude,
        )
        eeg_vars[f"{prefix}_eeg{k}"] = _apply_effects(
            eeg, ch_names=ch_names, sfreq=sfreq, effects=cfg.seed_effects, scores={None: score},
            effect_size=cfg.effect_size,
        )
        # Pupil: slow drift + emotion shift + noise, dips during blinks (interpolated by trackers).
        eye_rate = 60.0
        t = np.arange(0, duration, 1 / eye_rate)
        drift = 0.25 * pink_noise(rng, 2, t.size, sfreq=eye_rate, exponent=2.0)
        shift = 0.3 * cfg.effect_size * score
        diameters = pupil_base + shift + drift + 0.05 * rng.standard_normal((2, t.size))
        diameters[1] -= 0.1  # Y diameter reads a little smaller than X
        for onset, dur in blinks:
            diameters[:, (t >= onset) & (t < onset + dur)] *= 0.85
        eye_vars[f"pupil_{k}"] = np.column_stack([t, diameters.T])
        eye_vars[f"events_{k}"] = events
    _savemat(eeg_path, eeg_vars)
    if eye_path is not None:
        _savemat(eye_path, eye_vars)


# --- DEAP ----------------------------------------------------------------------------


def _peripheral(
    rng: np.random.Generator, n_times: int, *, sfreq: float, arousal_score: float, valence_score: float,
    effect_size: float, blinks: np.ndarray,
) -> np.ndarray:
    """hEOG, vEOG, zEMG, tEMG, GSR, respiration, plethysmograph, temperature."""
    t = np.arange(n_times) / sfreq
    heog = 40 * pink_noise(rng, 1, n_times, sfreq=sfreq, exponent=1.5)[0]
    veog = 30 * pink_noise(rng, 1, n_times, sfreq=sfreq, exponent=1.5)[0]
    for onset, duration in blinks:
        wave = 250 * _blink_waveform(sfreq, duration)
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


def deap_subject_arrays(subject: int, cfg: SyntheticConfig) -> tuple[np.ndarray, np.ndarray]:
    """The ``data`` (40, 40, 8064) and ``labels`` (40, 4) arrays of a synthetic DEAP subject."""
    import mne

    sfreq = formats.DEAP_SFREQ
    ch_names = formats.DEAP_EEG_CHANNELS
    rng = _rng(cfg, 2, subject)
    positions = channel_positions(ch_names)
    mixing = scalp_mixing(rng, positions, 10, width=0.06)
    alpha_map, frontal_map = _channel_maps(ch_names, positions)
    amplitude = rng.uniform(10.0, 25.0)
    # Ratings on DEAP's continuous 1-9 scales; valence and arousal independent.
    labels = np.round(rng.uniform(1.0, 9.0, (formats.DEAP_N_TRIALS, 4)), 2)
    data = np.empty((formats.DEAP_N_TRIALS, len(formats.DEAP_ALL_CHANNELS), formats.DEAP_N_SAMPLES))
    duration = formats.DEAP_N_SAMPLES / sfreq
    baseline = int(formats.DEAP_BASELINE_S * sfreq)
    for trial in range(formats.DEAP_N_TRIALS):
        scores = {name: (labels[trial, i] - 5.0) / 4.0 for i, name in enumerate(formats.DEAP_LABEL_NAMES)}
        events = _eye_events(rng, duration, blink_rate=0.3)
        blinks = events[events[:, 0] == formats.EYE_EVENT_CODES["blink"]][:, 1:3]
        eeg = _eeg_clip(
            rng, n_times=formats.DEAP_N_SAMPLES, sfreq=sfreq, mixing=mixing, alpha_map=alpha_map,
            frontal_map=frontal_map * 0.1, blinks=blinks, amplitude_uV=amplitude,  # EOG mostly removed
        )
        # The effect acts on the 60 s of video, not on the pre-trial baseline.
        eeg[:, baseline:] = _apply_effects(
            eeg[:, baseline:], ch_names=ch_names, sfreq=sfreq, effects=cfg.deap_effects,
            scores=scores, effect_size=cfg.effect_size,
        )
        eeg = mne.filter.filter_data(eeg, sfreq, 4.0, 45.0, verbose="error")
        eeg -= eeg.mean(axis=0, keepdims=True)  # common average reference, as DEAP ships it
        data[trial, :32] = eeg
        data[trial, 32:] = _peripheral(
            rng, formats.DEAP_N_SAMPLES, sfreq=sfreq, arousal_score=scores["arousal"], valence_score=scores["valence"],
            effect_size=cfg.effect_size, blinks=blinks,
        )
    return data, labels


def write_deap_subject(path: str | Path, *, subject: int, cfg: SyntheticConfig) -> None:
    """Write ``sXX.dat`` (latin-1 pickle, protocol 2) or ``sXX.mat`` by the path's suffix."""
    data, labels = deap_subject_arrays(subject, cfg)
    path = Path(path)
    if path.suffix == ".mat":
        _savemat(path, {"data": data, "labels": labels})
        return
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        pickle.dump({"data": data, "labels": labels}, f, protocol=2)


def synthetic_stage(
    *, kind: str, outputs: Mapping[str, str], config: Mapping, subject: int = 0, session: int = 0,
    inputs: Mapping | None = None,
) -> None:
    """Write one synthetic file set for a Snakemake rule (``kind``: seed_labels, seed_session, deap_subject)."""
    cfg = SyntheticConfig.from_config(config)
    inputs = inputs or {}
    if kind == "seed_labels":
        write_seed_labels(outputs["labels"])
    elif kind == "seed_session":
        write_seed_session(outputs["eeg"], outputs["eye"], subject=subject, session=session, cfg=cfg)
    elif kind == "deap_subject":
        write_deap_subject(outputs["data"], subject=subject, cfg=cfg)
    elif kind == "seed_time":
        write_seed_time(outputs["time"], cfg=cfg)
    elif kind == "seed_raw":
        write_seed_raw(outputs["cnt"], mat_path=inputs["mat"], subject=subject, cfg=cfg)
    elif kind == "deap_raw":
        write_deap_raw(outputs["bdf"], dat_path=inputs["dat"], subject=subject, cfg=cfg)
    elif kind == "deap_ratings":
        write_deap_ratings(outputs["ratings"], dat_paths={int(Path(p).stem[1:]): p for p in inputs["dat"]}, cfg=cfg)
    else:
        raise ValueError(f"Invalid value for 'kind': {kind!r}")
    log.info("Wrote synthetic %s: %s", kind, sorted(outputs.values()))
