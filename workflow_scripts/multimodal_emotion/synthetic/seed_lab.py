"""Synthetic versions of the SEED lab's own feature files, computed from the synthetic EEG.

- ``ExtractedFeatures/{subject}_{date}.mat`` (:func:`write_extracted`): DE and PSD on
  1 s non-overlapping windows by this workflow's feature code, smoothed within each clip
  as the lab's files are: ``*_LDS{k}`` by the lab's linear dynamical system
  (:func:`..features.lds_smooth`), ``*_movingAve{k}`` by a centred moving average
  (:func:`..features.moving_average`).

:func:`lds_smooth` here is the older smoother of the synthetic SEED-IV and SEED-V files
(noise variance from the series itself); its parameters are documented below and in
docs/synthetic.md. The point is files of the lab's layout and character
(smooth within a clip, a jump between clips), not the lab's exact numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..datasets import seed as fmt
from .signals import savemat

# Linear dynamical system of the smoother, per channel and band (a local-level model):
#   state        x_t = x_{t-1} + w_t,  w_t ~ N(0, q)
#   observation  y_t = x_t + v_t,      v_t ~ N(0, r)
# r is the variance of the series over the clip; q = LDS_PROCESS_RATIO * r; the initial
# state is the first observation with variance r. The ratio alone sets the smoothing:
# 0.01 gives a steady-state Kalman gain of about 0.095 (a time constant of ~10 windows).
LDS_PROCESS_RATIO = 0.01


def lds_gains(n: int, process_ratio: float = LDS_PROCESS_RATIO) -> tuple[np.ndarray, np.ndarray]:
    """Kalman gains and RTS smoother gains of the local-level model for ``n`` steps.

    With ``q = process_ratio * r`` every variance is proportional to ``r``, so the gains
    do not depend on the series: they are computed once with ``r = 1``.

    Returns
    -------
    kalman : ndarray, shape (n,)
        Filter gain ``K_t`` (``K_0 = 1/2``: prior variance r, observation variance r).
    smoother : ndarray, shape (n - 1,)
        ``J_t = P_t|t / P_t+1|t`` for t = 0 .. n-2.
    """
    kalman, filtered_var, predicted_var = np.empty(n), np.empty(n), np.empty(n)
    predicted_var[0] = 1.0
    for t in range(n):
        if t:
            predicted_var[t] = filtered_var[t - 1] + process_ratio
        kalman[t] = predicted_var[t] / (predicted_var[t] + 1.0)
        filtered_var[t] = (1.0 - kalman[t]) * predicted_var[t]
    return kalman, filtered_var[:-1] / predicted_var[1:]


def lds_smooth(series: np.ndarray, process_ratio: float = LDS_PROCESS_RATIO) -> np.ndarray:
    """Kalman filter + Rauch-Tung-Striebel smoother of each column (the model above).

    Parameters
    ----------
    series : ndarray, shape (n_windows, ...)
        Time on the first axis; every other position is its own series.

    Returns
    -------
    smoothed : ndarray, same shape
    """
    y = np.asarray(series, dtype=np.float64)
    n = y.shape[0]
    kalman, smoother = lds_gains(n, process_ratio)
    filtered = np.empty_like(y)
    filtered[0] = y[0]  # prior mean y_0: the first update leaves it there
    for t in range(1, n):
        filtered[t] = filtered[t - 1] + kalman[t] * (y[t] - filtered[t - 1])
    smoothed = filtered.copy()
    for t in range(n - 2, -1, -1):  # the prediction of step t+1 is filtered[t] (random walk)
        smoothed[t] = filtered[t] + smoother[t] * (smoothed[t + 1] - filtered[t])
    return smoothed


def clip_band_features(clip: np.ndarray, *, window_s: float) -> tuple[np.ndarray, np.ndarray]:
    """DE on the lab's scale (log2(100 x band-mean PSD), :func:`..features.lab_de`) and
    band-mean PSD of one 200 Hz clip on non-overlapping windows, by this workflow's
    feature code, in the lab's bands, unsmoothed.

    The lab states inclusive 1 Hz bands (delta 1-3 Hz, ...); our bands are half-open,
    so each is taken as ``[lo, hi + 1)``, the same bins at 1 Hz resolution.

    Returns
    -------
    de, psd : ndarray, shape (n_windows, 62, 5)
    """
    from .. import features

    bands = {name: (lo, hi + 1.0) for name, (lo, hi) in fmt.LAB_BANDS.items()}
    _, psd = features.band_power(clip, sfreq=fmt.SFREQ, bands=bands, window_s=window_s, step_s=window_s)
    return features.lab_de(psd), psd


def write_extracted(path: str | Path, *, mat_path: str | Path) -> None:
    """Write ``ExtractedFeatures_1s/`` or ``ExtractedFeatures_4s/{subject}_{date}.mat`` (the
    window from the folder's name; an old copy's ``ExtractedFeatures/`` is 1 s) of a
    synthetic session from its ``Preprocessed_EEG`` file: ``de_LDS{k}``, ``de_movingAve{k}``,
    ``psd_LDS{k}``, ``psd_movingAve{k}``, each (62, n_windows, 5) float64: the lab's recipe
    (:func:`..features.lds_smooth` with the lab's parameters, :func:`..features.moving_average`)
    on the unfiltered recording, as the lab computed its features from its own files."""
    from .. import features

    window_s = 4.0 if Path(path).parent.name == "ExtractedFeatures_4s" else fmt.EXTRACTED_WINDOW_S
    _, clips = fmt.read_eeg(mat_path)
    variables = {}
    for k, clip in enumerate(clips, start=1):
        de, psd = clip_band_features(clip, window_s=window_s)
        for name, values in (("de", de), ("psd", psd)):
            variables[f"{name}_movingAve{k}"] = features.moving_average(values).transpose(1, 0, 2)
            variables[f"{name}_LDS{k}"] = features.lds_smooth(values).transpose(1, 0, 2)
    savemat(path, variables)


# --- SEED_Multimodal/Chinese -----------------------------------------------------------


def _clip_parts() -> dict[str, list[int]]:
    return {part: list(clips) for part, clips in fmt.MULTIMODAL_PARTS.items()}


def write_multimodal_eeg(path: str | Path, *, mat_path: str | Path) -> None:
    """Write ``02-EEG-DE-feature/eeg_used_{4s,1s}/{sub}_{ses}.npz`` as the lab's files are.

    ``np.savez`` (uncompressed) with ``train_data``/``test_data``: each a pickle
    (protocol 4) of a dict band -> (n_windows, 62) float64, stored as a 0-d byte-string
    array (so ``np.load`` needs no ``allow_pickle``); ``train_label``/``test_label``
    float64 = clip label + 1. DE of our feature code on non-overlapping windows of the
    folder's length, LDS-smoothed within each clip (the lab's are smoothed, method not
    stated). Windows per clip are ``floor(T / window)`` as in the lab's files.
    """
    import pickle

    from .. import features
    from ..store import atomic_path

    path = Path(path)
    window_s = fmt.MULTIMODAL_EEG_WINDOW_S[path.parent.name]
    _, clips = fmt.read_eeg(mat_path)
    members = {}
    for part, numbers in _clip_parts().items():
        de_rows, labels = [], []
        for clip in numbers:
            de, _ = clip_band_features(clips[clip - 1], window_s=window_s)
            de_rows.append(features.lds_smooth(de))
            labels.append(np.full(de.shape[0], fmt.CLIP_LABELS[clip - 1] + fmt.MULTIMODAL_LABEL_OFFSET, np.float64))
        de = np.concatenate(de_rows)
        bands = {name: np.ascontiguousarray(de[:, :, b]) for b, name in enumerate(fmt.MULTIMODAL_BANDS)}
        members[f"{part}_data"] = np.array(pickle.dumps(bands, protocol=4))  # 0-d |S<n>
        members[f"{part}_label"] = np.concatenate(labels)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **members)


def write_multimodal_eye(path: str | Path, *, mat_path: str | Path, subject: int, session: int, cfg) -> None:
    """Write ``04-Eye-tracking-feature/eye_tracking_feature/{sub}_{ses}`` as the lab's
    Python wrote it: ``pickle.dump`` (protocol 4) of ``{"train_data_eye": (n, 33),
    "test_data_eye": (n, 33)}`` float64, no extension, no labels.

    Rows are the 4 s windows of the EEG clips (floor(T / 4) per clip, aligned with
    ``eeg_used_4s``); the 33 columns are our eye features of the session's synthetic eye
    movements (regenerated from the seeds: no ``Eye_movements/`` file is written; the 41
    minus the 8 pupil PSD features) in the column order of
    :data:`~..datasets.seed.LAB_EYE_COLUMNS`.
    """
    import pickle

    from .. import features
    from ..store import atomic_path
    from .seed import session_eye_clips

    _, clips = fmt.read_eeg(mat_path)
    eye = session_eye_clips(subject=subject, session=session, cfg=cfg)
    ours = features.eye_feature_names()
    columns = [ours.index(name) for name in fmt.LAB_EYE_COLUMNS]
    window_s = fmt.MULTIMODAL_EYE_WINDOW_S
    content = {}
    for part, numbers in _clip_parts().items():
        rows = []
        for clip in numbers:
            starts = features.window_starts(clips[clip - 1].shape[1], sfreq=fmt.SFREQ, window_s=window_s, step_s=window_s)
            rows.append(features.eye_features(eye[clip - 1], starts_s=starts / fmt.SFREQ, window_s=window_s)[:, columns])
        content[f"{part}_data_eye"] = np.ascontiguousarray(np.concatenate(rows), dtype=np.float64)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            pickle.dump(content, f, protocol=4)
