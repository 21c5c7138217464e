"""Signal building blocks shared by the synthetic datasets.

The signals are built to look like scalp EEG to the feature stage:

* a 1/f^alpha background from independent latent sources, mixed into channels through
  smooth scalp topographies (so neighbouring channels correlate), plus sensor noise;
* an occipito-parietal alpha rhythm (8-12 Hz) with waxing and waning amplitude;
* eye blinks in the frontal channels, at the blink events of the eye-tracker data;
* per-clip random gains (clip-to-clip variability unrelated to emotion).

The **emotion effect** is known and configurable: in the chosen channels and bands the
spectral amplitude is multiplied by ``(1 + effect_size) ** score``, so the band's DE
shifts by exactly ``score * ln(1 + effect_size)`` nats (see :func:`apply_effects`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..recording import EYE_EVENT_CODES
from ..store import atomic_path
from .config import EffectSpec


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


def eye_events(rng: np.random.Generator, duration: float, *, blink_rate: float) -> np.ndarray:
    """Fixation-saccade sequence with blinks; rows as recording.EVENT_COLUMNS."""
    codes = EYE_EVENT_CODES
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


def blink_waveform(sfreq: float, duration: float) -> np.ndarray:
    n = max(3, int(duration * sfreq))
    return np.sin(np.linspace(0, np.pi, n)) ** 2


def eeg_clip(
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
        wave = blink_waveform(sfreq, duration) * 120.0
        start = int(onset * sfreq)
        stop = min(n_times, start + wave.size)
        eeg[:, start:stop] += np.outer(frontal_map, wave[: stop - start])
    return eeg


def channel_maps(ch_names: Sequence[str], positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Alpha weight (posterior channels) and blink weight (frontal polar channels)."""
    names = [c.upper() for c in ch_names]
    fp = positions[[names.index(c) for c in ("FP1", "FP2")]].mean(axis=0)
    oz = positions[names.index("OZ")] if "OZ" in names else positions[names.index("O1")]
    blink = np.exp(-np.linalg.norm(positions - fp, axis=1) / 0.03)
    alpha = np.exp(-0.5 * (np.linalg.norm(positions - oz, axis=1) / 0.06) ** 2)
    return alpha, blink


def apply_effects(
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





def savemat(path: str | Path, variables: Mapping[str, np.ndarray]) -> None:
    """Matlab v5 file, atomically, with a fixed header text (scipy stamps the time,
    which would make identical data give different bytes)."""
    import scipy.io

    with atomic_path(path) as tmp:
        scipy.io.savemat(tmp, dict(variables), format="5", do_compression=False)
        header = b"MATLAB 5.0 MAT-file, Platform: posix, Created by: multimodal_emotion.synthetic"
        with open(tmp, "r+b") as f:
            f.write(header.ljust(116, b" "))

