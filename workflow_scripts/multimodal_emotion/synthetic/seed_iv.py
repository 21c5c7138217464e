"""Synthetic SEED-IV, written as the release ships it (through :mod:`..datasets.seed_iv`).

- ``eeg_raw_data/{k}/{subject}_{date}.mat``: ``{initials}_eeg{t}`` for t = 1..24, (62, 200 x s + 1)
  float64 µV at 200 Hz (the made-up date of :func:`~..datasets.seed_iv.synthetic_stem`);
- ``eeg_feature_smooth/{k}/...mat``: ``de_LDS{t}``, ``de_movingAve{t}``, ``psd_LDS{t}``,
  ``psd_movingAve{t}``, each (62, W, 5) on 4 s windows;
- ``eye_feature_smooth/{k}/...mat``: ``eye_{t}`` (31, W), the same windows.

Labels are the session's (the release's ReadMe order). The emotion effect: per class a
score on three axes (valence: lateral temporal beta/gamma; arousal: frontal theta;
"other": occipital alpha), so the four classes differ by known amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..datasets import seed_iv as fmt
from .config import EffectSpec, SyntheticConfig
from .family import lab_features, session_trials
from ..features import moving_average
from .seed_lab import lds_smooth
from .signals import savemat

KEY = 4  # random streams of SEED-IV (SEED uses 1-3)
LATERAL = ("F7", "F8", "FT7", "FT8", "FC5", "FC6", "T7", "T8", "C5", "C6", "TP7", "TP8", "CP5", "CP6", "P7", "P8")
FRONTAL = ("FP1", "FPZ", "FP2", "AF3", "AF4", "F3", "F1", "FZ", "F2", "F4")
OCCIPITAL = ("PO7", "PO5", "PO3", "POZ", "PO4", "PO6", "PO8", "O1", "OZ", "O2")
EFFECTS = (
    EffectSpec(channels=LATERAL, bands=((14, 31), (31, 50)), rating="valence"),
    EffectSpec(channels=FRONTAL, bands=((4, 8),), rating="arousal"),
    EffectSpec(channels=OCCIPITAL, bands=((8, 14),), rating="other"),
)
SCORES = {  # 0 neutral, 1 sad, 2 fear, 3 happy
    0: {"valence": 0.0, "arousal": 0.0, "other": 0.0},
    1: {"valence": -1.0, "arousal": -0.5, "other": 1.0},
    2: {"valence": -1.0, "arousal": 1.0, "other": -0.5},
    3: {"valence": 1.0, "arousal": 0.5, "other": 0.0},
}


def write(relpath: str, output: str | Path, *, cfg: SyntheticConfig, dataset_config: Mapping) -> None:
    """Write the file ``relpath`` (relative to the SEED-IV folder) of a synthetic session."""
    folder, session, name = Path(relpath).parts
    subject = int(name.split("_")[0])
    trials = session_trials(cfg, key=KEY, subject=subject, session=int(session), labels=fmt.SPEC.labels(int(session)),
                            channels=fmt.CHANNELS, sfreq=fmt.SFREQ,
                            seconds=dataset_config.get("synthetic_trial_seconds", (40, 60)), effects=EFFECTS,
                            scores=SCORES)
    if folder == fmt.EEG_DIR:
        savemat(output, {f"sub{subject}_eeg{t}": trial.eeg for t, trial in enumerate(trials, start=1)})
        return
    variables = {}
    for t, trial in enumerate(trials, start=1):
        de, psd, eye = lab_features(trial, sfreq=fmt.SFREQ, window_s=fmt.WINDOW_S, eye_columns=fmt.EYE_COLUMNS)
        if folder == fmt.FEATURE_DIR:
            for kind, values in (("de", de), ("psd", psd)):
                variables[f"{kind}_LDS{t}"] = lds_smooth(values).transpose(1, 0, 2)
                variables[f"{kind}_movingAve{t}"] = moving_average(values).transpose(1, 0, 2)
        elif folder == fmt.EYE_DIR:
            variables[f"eye_{t}"] = np.ascontiguousarray(eye.T)
        else:
            raise ValueError(f"Invalid SEED-IV folder {folder!r}: allowed are {fmt.EEG_DIR}, {fmt.FEATURE_DIR}, "
                             f"{fmt.EYE_DIR}")
    savemat(output, variables)
