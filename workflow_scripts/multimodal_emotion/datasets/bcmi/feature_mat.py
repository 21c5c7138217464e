"""The lab's smoothed-feature .mat and eye-feature .mat files.

- **smoothed features** (SEED ``ExtractedFeatures/``, SEED-IV ``eeg_feature_smooth/{k}/``):
  per trial t ``de_LDS{t}``, ``de_movingAve{t}``, ``psd_LDS{t}``, ``psd_movingAve{t}``,
  each (n_channels, n_windows, n_bands) on the lab's non-overlapping windows (SEED 1 s,
  SEED-IV 4 s), bands as the spec's (:data:`~.LAB_BANDS`);
- **eye features** (SEED-IV ``eye_feature_smooth/{k}/``): per trial t ``eye_{t}``,
  (n_eye_features, n_windows), rows are features, columns the same windows as the EEG
  features. Values may be NaN in the real release: returned as stored, the entry decides.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ...recording import DataFormatError, check_finite, check_option, loadmat, name_list
from . import Spec

SMOOTHED_FEATURES = ("de_LDS", "de_movingAve")  # config <dataset>.extracted_feature
PSD_OF = {"de_LDS": "psd_LDS", "de_movingAve": "psd_movingAve"}  # PSD smoothed the same way
EYE_VARIABLE = "eye_{t}"


def read_smoothed(path: str | Path, spec: Spec, feature: str = "de_LDS") -> list[tuple[np.ndarray, np.ndarray]]:
    """Read one session of the lab's smoothed features.

    Parameters
    ----------
    path : path-like
    spec : Spec
        Trials, channels and bands expected.
    feature : ``"de_LDS"`` | ``"de_movingAve"``
        The DE variables to read; PSD comes from the matching ``psd_*`` variables (:data:`PSD_OF`).

    Returns
    -------
    clips : list of (de, psd)
        Per trial 1..n_trials, two float64 arrays of shape (n_windows, n_channels, n_bands)
        (windows first, as the feature file stores them; the file holds (n_channels, n_windows, n_bands)).
    """
    check_option("extracted_feature", feature, SMOOTHED_FEATURES)
    path = Path(path)
    content = loadmat(path)
    psd_name = PSD_OF[feature]
    n_trials, n_channels, n_bands = spec.n_trials, len(spec.channels), len(spec.bands)
    clips = []
    for k in range(1, n_trials + 1):
        arrays = []
        for name in (f"{feature}{k}", f"{psd_name}{k}"):
            if name not in content:
                found = sorted(key for key in content if re.fullmatch(r"[A-Za-z_]+\d+", key))
                raise DataFormatError(
                    path, f"no variable '{name}' (expected {feature}1..{n_trials} and {psd_name}1..{n_trials}; "
                    f"found {len(found)} like {name_list(found, limit=4) or 'none'})")
            array = np.asarray(content[name])
            if array.ndim != 3 or array.shape[0] != n_channels or array.shape[2] != n_bands or not array.shape[1]:
                raise DataFormatError(
                    path, f"{name} has shape {array.shape}, expected ({n_channels}, n_windows, {n_bands})")
            if not np.issubdtype(array.dtype, np.number):
                raise DataFormatError(path, f"{name} is not numeric ({array.dtype})")
            array = array.astype(np.float64)
            check_finite(path, name, array)
            arrays.append(np.ascontiguousarray(array.transpose(1, 0, 2)))
        if arrays[0].shape != arrays[1].shape:
            raise DataFormatError(
                path, f"{feature}{k} has {arrays[0].shape[0]} windows but {psd_name}{k} has {arrays[1].shape[0]}")
        clips.append((arrays[0], arrays[1]))
    extra = sorted(int(m[1]) for key in content if (m := re.fullmatch(rf"{re.escape(feature)}(\d+)", key))
                   and int(m[1]) > n_trials)
    if extra:
        raise DataFormatError(path, f"holds {feature}{extra[0]}: more than the {n_trials} trials expected")
    return clips


def read_eye_features(path: str | Path, spec: Spec) -> list[np.ndarray]:
    """Read one session of ``eye_{t}`` variables.

    Returns
    -------
    trials : list of ndarray, shape (n_windows, n_eye_features)
        Per trial 1..n_trials, float64, windows first; NaN kept as stored.
    """
    path = Path(path)
    content = loadmat(path)
    n_features = len(spec.eye_feature_names)
    trials = []
    for k in range(1, spec.n_trials + 1):
        name = EYE_VARIABLE.format(t=k)
        if name not in content:
            found = sorted(key for key in content if key.startswith("eye_"))
            raise DataFormatError(path, f"no variable '{name}' (expected eye_1..eye_{spec.n_trials}; found "
                                  f"{len(found)} like {name_list(found, limit=4) or 'none'})")
        array = np.asarray(content[name])
        if array.ndim != 2 or array.shape[0] != n_features or not array.shape[1]:
            raise DataFormatError(path, f"{name} has shape {array.shape}, expected ({n_features}, n_windows)")
        if not np.issubdtype(array.dtype, np.number):
            raise DataFormatError(path, f"{name} is not numeric ({array.dtype})")
        trials.append(np.ascontiguousarray(array.T, dtype=np.float64))
    extra = sorted(int(key[4:]) for key in content if re.fullmatch(r"eye_\d+", key) and int(key[4:]) > spec.n_trials)
    if extra:
        raise DataFormatError(path, f"holds eye_{extra[0]}: more than the {spec.n_trials} trials expected")
    return trials
