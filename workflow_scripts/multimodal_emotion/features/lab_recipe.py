"""The SEED lab's feature recipe (DE on the lab's scale, smoothing within a clip) and the
agreement of our DE with the lab's released DE (the QC page's lab-agreement block)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..recording import check_option
from ..store import FeatureFile

# --- the SEED lab's feature recipe ----------------------------------------------------
# The lab's extraction (docs/datasets/seed.md; its public SEED-VII code): band power as the
# mean one-sided PSD over the band's bins, DE = log2(100 x power), then smoothing within
# each clip. Our PSD is a density (unit^2/Hz, Hann, sum(w^2) normalised); the lab's FFT
# normalisation is not published in a form we could confirm, so "DE on the lab's scale"
# is log2(100 x our band-mean PSD): a base-2 logarithm of a power, whose constant offset
# from the lab's numbers (if any) is what the QC agreement page reports.

DE_SCALES = ("natural", "lab")  # config <dataset>.de_scale
SMOOTHINGS = ("none", "moving_average", "lds")  # config <dataset>.smoothing
#: The lab's Kalman (LDS) smoother: a local-level model per band and channel,
#: x_t = x_{t-1} + w (var 0.001), y_t = x_t + v (var 1), x_0 ~ N(clip mean, 0.1).
LAB_LDS = {"transition_cov": 0.001, "observation_cov": 1.0, "initial_cov": 0.1}
LAB_MOVING_AVERAGE_WINDOWS = 5  # centred, truncated at the clip's ends (the lab's width is not published)


def lab_de(psd: np.ndarray) -> np.ndarray:
    """DE on the lab's scale from band-mean PSD: log2(100 x PSD)."""
    return np.log2(100.0 * np.maximum(psd, np.finfo(float).tiny))


def lds_smooth(series: np.ndarray, *, transition_cov: float = LAB_LDS["transition_cov"],
               observation_cov: float = LAB_LDS["observation_cov"], initial_cov: float = LAB_LDS["initial_cov"]
               ) -> np.ndarray:
    """Kalman filter + Rauch-Tung-Striebel smoother of the lab's local-level model, along
    the first axis (one clip), every other position its own series; the initial mean is
    each series' mean over the clip (the lab's choice). The variances do not depend on
    the data, so the gains are computed once for all series.

    Parameters
    ----------
    series : ndarray, shape (n_windows, ...)

    Returns
    -------
    smoothed : ndarray, same shape, float64
    """
    y = np.asarray(series, dtype=np.float64)
    n = y.shape[0]
    if n == 0:
        return y.copy()
    predicted_var, filtered_var, gain = np.empty(n), np.empty(n), np.empty(n)
    for t in range(n):
        predicted_var[t] = initial_cov if t == 0 else filtered_var[t - 1] + transition_cov
        gain[t] = predicted_var[t] / (predicted_var[t] + observation_cov)
        filtered_var[t] = (1.0 - gain[t]) * predicted_var[t]
    filtered = np.empty_like(y)
    previous = y.mean(axis=0)
    for t in range(n):
        previous = previous + gain[t] * (y[t] - previous)
        filtered[t] = previous
    smoothed = filtered.copy()
    for t in range(n - 2, -1, -1):  # the prediction of step t+1 is filtered[t] (random walk)
        smoother_gain = filtered_var[t] / predicted_var[t + 1]
        smoothed[t] = filtered[t] + smoother_gain * (smoothed[t + 1] - filtered[t])
    return smoothed


def moving_average(series: np.ndarray, width: int = LAB_MOVING_AVERAGE_WINDOWS) -> np.ndarray:
    """Centred moving average of ``width`` windows along the first axis; at the ends the
    mean of the windows that exist (no padding)."""
    y = np.asarray(series, dtype=np.float64)
    n = y.shape[0]
    half = width // 2
    sums = np.concatenate([np.zeros((1,) + y.shape[1:]), np.cumsum(y, axis=0)])
    low = np.clip(np.arange(n) - half, 0, n)
    high = np.clip(np.arange(n) + half + 1, 0, n)
    return (sums[high] - sums[low]) / (high - low).reshape((-1,) + (1,) * (y.ndim - 1))


def smooth_clip(values: np.ndarray, smoothing: str) -> np.ndarray:
    """One clip's features (time first) smoothed as ``smoothing`` says."""
    check_option("smoothing", smoothing, SMOOTHINGS)
    if smoothing == "lds":
        return lds_smooth(values)
    if smoothing == "moving_average":
        return moving_average(values)
    return np.asarray(values, dtype=np.float64)


def recipe_attrs(*, window_s: float, step_s: float, de_scale: str, smoothing: str) -> dict:
    """The ``feature_recipe`` attribute of a feature file: how its DE was made."""
    return {"window_s": window_s, "step_s": step_s, "de_scale": de_scale, "smoothing": smoothing,
            "de_formula": "log2(100 * band-mean PSD)" if de_scale == "lab" else
            "0.5 * ln(2 pi e band power) - log bias (features.differential_entropy)",
            **({"lds": dict(LAB_LDS)} if smoothing == "lds" else {}),
            **({"moving_average_windows": LAB_MOVING_AVERAGE_WINDOWS} if smoothing == "moving_average" else {})}


def band_agreement(ours: np.ndarray, theirs: np.ndarray) -> dict:
    """Per band: Pearson correlation and mean offset (ours - theirs) of two DE arrays of
    the same windows, shape (n_windows, n_channels, n_bands) each (over windows and
    channels). Returns ``{"correlation": [...], "offset": [...], "n_windows": n}``."""
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    if ours.shape != theirs.shape:
        raise ValueError(f"shapes differ: ours {ours.shape}, theirs {theirs.shape}")
    correlation, offset = [], []
    for b in range(ours.shape[-1]):
        a, c = ours[..., b].ravel(), theirs[..., b].ravel()
        correlation.append(float(np.corrcoef(a, c)[0, 1]) if a.std() > 0 and c.std() > 0 else float("nan"))
        offset.append(float(np.mean(a - c)))
    return {"correlation": correlation, "offset": offset, "n_windows": int(ours.shape[0])}


def lab_agreement(features: FeatureFile, lab: Mapping) -> dict:
    """Our DE against the lab's released DE of the same clips and windows.

    ``lab``: ``{"origin": str, "clips": {clip: (n_windows, n_channels, n_bands)}}``. Each
    clip's first ``min(ours, theirs)`` windows are paired (both are floor(T / window)
    non-overlapping windows from the clip's start; a differing count is reported).
    """
    ours, theirs, differing = [], [], []
    for clip, de in sorted(lab["clips"].items()):
        rows = features.de[features.segment == clip]
        n = min(len(rows), len(de))
        if len(rows) != len(de):
            differing.append([int(clip), int(len(rows)), int(len(de))])
        ours.append(rows[:n])
        theirs.append(np.asarray(de)[:n])
    result = band_agreement(np.concatenate(ours), np.concatenate(theirs))
    return {**result, "origin": lab["origin"], "bands": list(features.attrs["bands"]),
            "window_counts_differ": differing}
