"""Synthetic DREAMER, written as it ships (through :mod:`..datasets.dreamer`'s constants).

One ``DREAMER.mat`` (Matlab v5, ``scipy.io.savemat``: dicts become structs, object arrays
cells): the struct ``DREAMER`` with ``Data`` (1 x N cell of subject structs; N = the
highest configured subject, the real file has 23), ``EEG_SamplingRate`` 128,
``ECG_SamplingRate`` 256, ``EEG_Electrodes`` (1 x 14 cell), ``noOfSubjects``,
``noOfVideoSequences`` and the text fields; per subject ``Age``, ``Gender``, ``EEG`` and
``ECG`` (``baseline`` / ``stimuli``: 18 x 1 cells of (samples x channels)) and the three
18 x 1 score columns.

The known effects: each clip's ratings (integers 1-5, drawn per subject) give scores
``(rating - 3) / 2`` in [-1, 1]; each rating scales its own EEG bands (:data:`EFFECTS`)
by ``(1 + effect_size) ** score`` during the clip (not the baseline), and the heart rate
during the clip is the subject's resting rate plus a clip-to-clip variation the ratings
do not explain plus ``HEART_RATE_EFFECT_BPM * effect_size * arousal score``. The ECG is a train of P-QRS-T waves on those beats, with beat-to-beat
variability, baseline wander and noise, on two leads.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..datasets import dreamer as fmt
from .config import EffectSpec, SyntheticConfig, rng_for, subject_gains
from .signals import apply_effects, channel_positions, eeg_clip, savemat, scalp_mixing

KEY = 18  # random streams of DREAMER (SEED 1-3, DEAP 2, SEED-IV 4, SEED-V 5)
EFFECTS = (
    EffectSpec(channels=("AF3", "F3", "AF4", "F4"), bands=((4, 8), (8, 14)), rating="valence"),
    EffectSpec(channels=("T7", "T8", "P7", "P8"), bands=((14, 31), (31, 45)), rating="arousal"),
    EffectSpec(channels=("O1", "O2", "FC5", "FC6"), bands=((8, 14),), rating="dominance"),
)
HEART_RATE_EFFECT_BPM = 10.0  # heart rate change at arousal score 1 (rating 5) and effect_size 1
HEART_RATE_JITTER_BPM = 3.0  # clip-to-clip heart rate variation unrelated to the ratings
EEG_OFFSET_UV = 4200.0  # the Emotiv EPOC's DC level, which our bandpass removes
#: (delay from the R-peak in s, amplitude in mV, width in s) of the P, Q, R, S, T waves, per lead.
ECG_WAVES = (
    ((-0.20, 0.15, 0.025), (-0.03, -0.10, 0.010), (0.0, 1.00, 0.010), (0.03, -0.25, 0.010), (0.25, 0.30, 0.050)),
    ((-0.20, 0.10, 0.025), (-0.03, -0.05, 0.010), (0.0, 0.70, 0.012), (0.03, -0.35, 0.010), (0.25, 0.20, 0.050)),
)


def settings_of(relpath: str) -> tuple[str, ...]:
    """The file holds subjects 1..max(subjects)."""
    return ("subjects",)


def write(relpath: str, output: str | Path, *, cfg: SyntheticConfig, dataset_config: Mapping) -> None:
    """Write ``DREAMER.mat``, the only file of the copy."""
    if relpath != fmt.MAT_FILE:
        raise ValueError(f"{relpath}: not a file of the synthetic DREAMER copy (only {fmt.MAT_FILE})")
    seconds = dataset_config.get("synthetic_clip_seconds", fmt.SYNTHETIC_CLIP_SECONDS)
    n_subjects = max(dataset_config.get("subjects", [1]))
    durations = clip_seconds(cfg, seconds)
    subjects = np.empty((1, n_subjects), dtype=object)
    for s in range(n_subjects):
        subjects[0, s] = subject_struct(cfg, s + 1, durations)
    electrodes = np.empty((1, len(fmt.CHANNELS)), dtype=object)
    electrodes[0, :] = list(fmt.CHANNELS)
    savemat(output, {fmt.STRUCT: {
        "Data": subjects, "EEG_SamplingRate": fmt.SFREQ, "ECG_SamplingRate": fmt.ECG_SFREQ,
        "EEG_Electrodes": electrodes, "noOfSubjects": float(n_subjects), "noOfVideoSequences": float(fmt.N_CLIPS),
        "Disclaimer": "Synthetic data written by multimodal_emotion.synthetic.dreamer", "Provider": "synthetic",
        "Version": "1.0.2", "Acknowledgement": "none: not the real DREAMER",
    }})


def clip_seconds(cfg: SyntheticConfig, seconds) -> list[float]:
    """Whole-second clip lengths: the same films, so the same lengths, for every subject."""
    low, high = seconds
    return [float(d) for d in np.round(rng_for(cfg, KEY, 0).uniform(low, high, fmt.N_CLIPS))]


def ratings(cfg: SyntheticConfig, subject: int) -> np.ndarray:
    """(18, 3) integer ratings 1-5 of one subject, in :data:`~..datasets.dreamer.LABEL_NAMES` order."""
    return rng_for(cfg, KEY, 2, subject).integers(1, 6, size=(fmt.N_CLIPS, len(fmt.LABEL_NAMES)))


def resting_heart_rate(cfg: SyntheticConfig, subject: int) -> float:
    return float(rng_for(cfg, KEY, 3, subject).uniform(60.0, 80.0))


def clip_heart_rate(cfg: SyntheticConfig, subject: int, clip: int, arousal_rating: int) -> float:
    """The known heart rate (bpm) of clip ``clip`` (1-18): resting rate + a clip-to-clip
    variation the ratings do not explain (SD :data:`HEART_RATE_JITTER_BPM`) + the arousal effect."""
    jitter = rng_for(cfg, KEY, 4, subject).normal(0.0, HEART_RATE_JITTER_BPM, fmt.N_CLIPS)[clip - 1]
    return resting_heart_rate(cfg, subject) + jitter + HEART_RATE_EFFECT_BPM * cfg.effect_size * (arousal_rating - 3) / 2


def subject_struct(cfg: SyntheticConfig, subject: int, durations) -> dict:
    """One subject's struct (as a dict of fields, which savemat writes as a struct)."""
    rng = rng_for(cfg, KEY, 1, subject)
    positions = channel_positions(fmt.CHANNELS)
    mixing = scalp_mixing(rng, positions, 8, width=0.06)
    occipital = positions[[fmt.CHANNELS.index(c) for c in ("O1", "O2")]].mean(axis=0)
    alpha_map = np.exp(-0.5 * (np.linalg.norm(positions - occipital, axis=1) / 0.06) ** 2)
    amplitude = rng.uniform(10.0, 25.0)
    gains, _ = subject_gains(cfg, KEY, subject, len(fmt.CHANNELS))  # synthetic.subject_offset
    scores_of = ratings(cfg, subject)
    cells = {key: np.empty((fmt.N_CLIPS, 1), dtype=object) for key in ("eeg_b", "eeg_s", "ecg_b", "ecg_s")}
    for t, duration in enumerate(durations):
        scores = {name: (scores_of[t, i] - 3) / 2 for i, name in enumerate(fmt.LABEL_NAMES)}
        for part, seconds in (("b", fmt.BASELINE_S), ("s", duration)):
            eeg = eeg_clip(rng, n_times=int(round(seconds * fmt.SFREQ)), sfreq=fmt.SFREQ, mixing=mixing,
                           alpha_map=alpha_map, frontal_map=np.zeros(len(fmt.CHANNELS)), blinks=np.zeros((0, 2)),
                           amplitude_uV=amplitude)
            if part == "s":
                eeg = apply_effects(eeg, ch_names=fmt.CHANNELS, sfreq=fmt.SFREQ, effects=EFFECTS, scores=scores,
                                    effect_size=cfg.effect_size)
            rate = clip_heart_rate(cfg, subject, t + 1, scores_of[t, 1]) if part == "s" else resting_heart_rate(cfg, subject)
            cells[f"eeg_{part}"][t, 0] = np.ascontiguousarray((eeg * gains[:, None]).T + EEG_OFFSET_UV)
            cells[f"ecg_{part}"][t, 0] = np.ascontiguousarray(
                ecg_trace(rng, seconds=seconds, sfreq=fmt.ECG_SFREQ, heart_rate_bpm=rate).T)
    columns = {field: scores_of[:, [i]].astype(np.float64) for i, field in
               enumerate(fmt.SCORE_FIELDS[name] for name in fmt.LABEL_NAMES)}
    return {"Age": str(int(rng.integers(22, 34))), "Gender": "female" if rng.random() < 0.4 else "male",
            "EEG": {"baseline": cells["eeg_b"], "stimuli": cells["eeg_s"]},
            "ECG": {"baseline": cells["ecg_b"], "stimuli": cells["ecg_s"]}, **columns}


def beat_times(rng: np.random.Generator, *, seconds: float, heart_rate_bpm: float) -> np.ndarray:
    """R-peak times (s) at a mean rate of exactly ``heart_rate_bpm``: RR intervals with slow
    (AR(1)) variability and respiratory sinus arrhythmia, a random first beat."""
    mean_rr = 60.0 / heart_rate_bpm
    n = int(seconds / mean_rr) + 3
    drift = np.empty(n)
    drift[0] = rng.standard_normal()
    for k in range(1, n):
        drift[k] = 0.8 * drift[k - 1] + 0.6 * rng.standard_normal()
    phase = rng.uniform(0, 2 * np.pi)
    rr = 1 + 0.02 * drift + 0.03 * np.sin(2 * np.pi * 0.25 * mean_rr * np.arange(n) + phase)
    rr *= mean_rr / rr[: int(seconds / mean_rr)].mean()  # the clip's beats have the mean rate exactly
    times = rng.uniform(0.1, 0.9) * mean_rr + np.concatenate([[0.0], np.cumsum(rr[:-1])])
    return times[times < seconds]


def ecg_trace(rng: np.random.Generator, *, seconds: float, sfreq: float, heart_rate_bpm: float) -> np.ndarray:
    """Two ECG leads (2, n) in mV: P-QRS-T waves on :func:`beat_times`, baseline wander, noise."""
    n = int(round(seconds * sfreq))
    t = np.arange(n) / sfreq
    beats = beat_times(rng, seconds=seconds, heart_rate_bpm=heart_rate_bpm)
    leads = np.zeros((len(ECG_WAVES), n))
    reach = int(0.6 * sfreq)  # samples around a beat that its waves touch (T wave: +0.25 s + 5 widths)
    for beat in beats:
        centre = int(round(beat * sfreq))
        span = slice(max(0, centre - reach), min(n, centre + reach))
        offsets = t[span] - beat
        for lead, waves in enumerate(ECG_WAVES):
            for delay, amplitude, width in waves:
                leads[lead, span] += amplitude * np.exp(-0.5 * ((offsets - delay) / width) ** 2)
    wander = 0.1 * np.sin(2 * np.pi * rng.uniform(0.15, 0.35) * t + rng.uniform(0, 2 * np.pi))
    return leads + wander + 0.02 * rng.standard_normal((len(ECG_WAVES), n))
