"""Synthetic sessions of the lab's later datasets (SEED-IV, SEED-V): signals and lab features.

One session's trials are generated from (seed, dataset key, subject, session) alone, so
each file of a session (EEG, smoothed features, eye features, .cnt) is written by its
own job and all agree. The signals are SEED's synthetic EEG and eye movements
(:mod:`.signals`); the emotion effect acts on class-specific scores along a few axes
(each dataset module's ``SCORES``: class label -> axis -> score), each axis one
:class:`~.config.EffectSpec` whose ``rating`` names it. The lab's features are this
workflow's DE/PSD on the lab's non-overlapping windows, LDS- or moving-average-smoothed
within each trial (:mod:`.seed_lab`), and our eye features in the lab's column order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from ..recording import EYE_EVENT_CODES, EyeClip
from .config import EffectSpec, SyntheticConfig, rng_for
from .signals import apply_effects, channel_maps, channel_positions, eeg_clip, eye_events, pink_noise, scalp_mixing

EYE_RATE = 60.0  # Hz of the synthetic pupil samples


@dataclass(frozen=True)
class Trial:
    """One synthetic trial: EEG (n_channels, 200 x seconds + 1) in µV and its eye movements."""

    eeg: np.ndarray
    eye: EyeClip
    label: int


def trial_seconds(cfg: SyntheticConfig, *, key: int, session: int, n_trials: int,
                  seconds: Sequence[float]) -> list[float]:
    """Whole-second lengths of a session's trials: the same films, so the same lengths,
    for every subject."""
    low, high = seconds
    return [float(d) for d in np.round(rng_for(cfg, key, 0, session).uniform(low, high, n_trials))]



def raw_trial_bounds(cfg: SyntheticConfig, *, key: int, session: int, n_trials: int, seconds: Sequence[float],
                     first_start_s: int, gap_s: int) -> list[tuple[int, int]]:
    """Whole-second (start, end) of every trial of a synthetic raw session: the first
    starts at ``first_start_s``, ``gap_s`` of rest after each (lengths: :func:`trial_seconds`)."""
    bounds, start = [], first_start_s
    for duration in trial_seconds(cfg, key=key, session=session, n_trials=n_trials, seconds=seconds):
        bounds.append((start, start + int(duration)))
        start += int(duration) + gap_s
    return bounds
def session_trials(
    cfg: SyntheticConfig, *, key: int, subject: int, session: int, labels: Sequence[int], channels: Sequence[str],
    sfreq: float, seconds: Sequence[float], effects: Sequence[EffectSpec], scores: Mapping[int, Mapping[str, float]],
) -> list[Trial]:
    """The trials of one synthetic session, in trial order."""
    durations = trial_seconds(cfg, key=key, session=session, n_trials=len(labels), seconds=seconds)
    subject_rng = rng_for(cfg, key, 1, subject)
    positions = channel_positions(channels)
    mixing = scalp_mixing(subject_rng, positions, 12)
    alpha_map, frontal_map = channel_maps(channels, positions)
    amplitude = subject_rng.uniform(20.0, 40.0)
    pupil_base = subject_rng.uniform(3.0, 4.5)
    rng = rng_for(cfg, key, 2, subject, session)
    trials = []
    for label, duration in zip(labels, durations):
        score = scores[int(label)]
        n_times = int(round(duration * sfreq)) + 1
        events = eye_events(rng, duration, blink_rate=0.3 * (1.0 + 0.3 * cfg.effect_size * score.get("arousal", 0.0)))
        blinks = events[events[:, 0] == EYE_EVENT_CODES["blink"]][:, 1:3]
        eeg = eeg_clip(rng, n_times=n_times, sfreq=sfreq, mixing=mixing, alpha_map=alpha_map,
                       frontal_map=frontal_map, blinks=blinks, amplitude_uV=amplitude)
        eeg = apply_effects(eeg, ch_names=channels, sfreq=sfreq, effects=effects, scores=score,
                            effect_size=cfg.effect_size)
        t = np.arange(0, duration, 1 / EYE_RATE)
        drift = 0.25 * pink_noise(rng, 2, t.size, sfreq=EYE_RATE, exponent=2.0)
        diameters = pupil_base + 0.3 * cfg.effect_size * score.get("valence", 0.0) + drift \
            + 0.05 * rng.standard_normal((2, t.size))
        diameters[1] -= 0.1
        for onset, dur in blinks:
            diameters[:, (t >= onset) & (t < onset + dur)] *= 0.85
        trials.append(Trial(eeg=eeg, eye=EyeClip(pupil=np.column_stack([t, diameters.T]), events=events),
                            label=int(label)))
    return trials


def lab_features(trial: Trial, *, sfreq: float, window_s: float, eye_columns: Sequence[str]):
    """The lab's features of one trial on non-overlapping ``window_s`` windows.

    Returns
    -------
    de, psd : ndarray, shape (n_windows, n_channels, 5)
        Unsmoothed DE and PSD in the lab's bands (smooth them with :mod:`.seed_lab`).
    eye : ndarray, shape (n_windows, len(eye_columns))
        Our eye features of the same windows, in the lab's column order.
    """
    from .. import features
    from .seed_lab import clip_band_features

    de, psd = clip_band_features(trial.eeg, window_s=window_s)
    starts = features.window_starts(trial.eeg.shape[1], sfreq=sfreq, window_s=window_s, step_s=window_s)
    ours = features.eye_feature_names()
    eye = features.eye_features(trial.eye, starts_s=starts / sfreq, window_s=window_s)
    return de, psd, eye[:, [ours.index(name) for name in eye_columns]]


def upsampled_recording(fmt: ModuleType, trials: Iterable[Trial], bounds: Sequence[tuple[int, int]], *,
                        rng: np.random.Generator, gap_s: float) -> np.ndarray:
    """A session's raw recording at ``fmt.RAW_SFREQ``, rows in ``fmt.RAW_CHANNELS`` order:
    1/f EEG (10 µV) on every channel, then each trial's ``fmt.SFREQ`` EEG upsampled
    (polyphase) onto the EEG rows from its start (``bounds``: (start, end) s per trial);
    ``gap_s`` of rest after the last trial."""
    from scipy.signal import resample_poly

    factor = int(fmt.RAW_SFREQ / fmt.SFREQ)
    n_total = int((bounds[-1][1] + gap_s) * fmt.RAW_SFREQ)
    rows = [fmt.RAW_CHANNELS.index(c) for c in fmt.CHANNELS]
    data = (10.0 * pink_noise(rng, len(fmt.RAW_CHANNELS), n_total, sfreq=fmt.RAW_SFREQ)).astype(np.float32)
    for trial, (start, _) in zip(trials, bounds):
        upsampled = resample_poly(trial.eeg, factor, 1, axis=1)
        first = int(start * fmt.RAW_SFREQ)
        data[rows, first:first + upsampled.shape[1]] = upsampled
    return data
