"""The ECG as a second modality: R-peaks, heart rate and heart-rate variability (NeuroKit2).

A reader finds each clip's R-peaks once (:func:`find_r_peaks`, NeuroKit2's cleaning and
default detector on each lead, the first lead whose beats are plausible wins) and keeps
them with the signal in an :class:`EcgClip`; a clip without plausible beats is the
reader's to refuse or leave out, never a row of zeros. The feature stage then computes,
for every EEG window, heart rate and HRV (:data:`ECG_FEATURE_NAMES`: time domain and
frequency domain, NeuroKit2's ``hrv_time`` / ``hrv_frequency``) from the beats in a
context of :data:`HRV_CONTEXT_S` centred on the window (clipped to the clip): HRV needs
tens of beats, far more than an EEG window holds.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

#: Seconds of beats around each EEG window the heart-rate and HRV features see (a
#: short-term HRV recording is 1-5 min; 60 s gives LF and HF a few cycles).
HRV_CONTEXT_S = 60.0
#: Fewest beats of a context (fewer: the clip is refused at reading, see :data:`MAX_RR_S`).
MIN_BEATS = 3
#: Plausible heart rates (bpm) of a seated adult; beats outside are a failed detection.
HEART_RATE_RANGE = (30.0, 220.0)
#: Longest gap between beats (and at the clip's ends) of a usable clip (s): 20 bpm.
MAX_RR_S = 3.0
#: Named features, in column order, with the NeuroKit2 column each comes from (None: ours).
ECG_FEATURES: dict[str, str | None] = {
    "heart_rate_bpm": None,  # mean of 60 / RR over the context's beats
    "hrv_mean_nn_ms": "HRV_MeanNN",
    "hrv_sdnn_ms": "HRV_SDNN",
    "hrv_rmssd_ms": "HRV_RMSSD",
    "hrv_pnn50_pct": "HRV_pNN50",
    "hrv_lf_ms2": "HRV_LF",
    "hrv_hf_ms2": "HRV_HF",
    "hrv_lf_hf_ratio": "HRV_LFHF",
}
ECG_FEATURE_NAMES: tuple[str, ...] = tuple(ECG_FEATURES)


@dataclass(frozen=True)
class EcgClip:
    """The ECG of one segment.

    signal : ndarray, shape (n_leads, n_times)
    sfreq : float
        The ECG's own rate (DREAMER: 256 Hz beside 128 Hz EEG).
    r_peaks : ndarray of int
        Sample indices of the R-peaks (of lead ``lead``).
    lead : int
        The lead the peaks were found on.
    """

    signal: np.ndarray
    sfreq: float
    r_peaks: np.ndarray
    lead: int = 0


def beat_problem(r_peaks: np.ndarray, *, sfreq: float, n_times: int) -> str | None:
    """Why these R-peaks are not a usable heart beat series of an ``n_times`` clip, or None."""
    if r_peaks.size < MIN_BEATS:
        return f"{r_peaks.size} R-peaks found"
    rate = 60.0 / np.median(np.diff(r_peaks) / sfreq)
    low, high = HEART_RATE_RANGE
    if not low <= rate <= high:
        return f"median heart rate {rate:.0f} bpm outside {low:.0f}-{high:.0f}"
    gaps = np.diff(np.concatenate([[0], r_peaks, [n_times - 1]])) / sfreq
    if gaps.max() > MAX_RR_S:
        return f"no beat for {gaps.max():.1f} s (more than {MAX_RR_S:g} s)"
    return None


def find_r_peaks(signal: np.ndarray, *, sfreq: float) -> tuple[np.ndarray, int, str | None]:
    """R-peaks of a multi-lead ECG: (peaks, lead, None) from the first lead whose beats
    are plausible (:func:`beat_problem`), else (empty, -1, the first lead's problem)."""
    import neurokit2 as nk

    problems = []
    for lead, trace in enumerate(np.atleast_2d(signal)):
        if np.ptp(trace) == 0:
            problems.append(f"lead {lead + 1} is flat")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NeuroKit2 warns on noisy traces; the checks below decide
            try:
                _, info = nk.ecg_peaks(nk.ecg_clean(trace, sampling_rate=sfreq), sampling_rate=sfreq)
                peaks = np.asarray(info["ECG_R_Peaks"], dtype=np.int64)
            except Exception as err:  # NeuroKit2 raises assorted types on traces without beats
                problems.append(f"lead {lead + 1}: R-peak detection failed ({type(err).__name__})")
                continue
        problem = beat_problem(peaks, sfreq=sfreq, n_times=trace.size)
        if problem is None:
            return peaks, lead, None
        problems.append(f"lead {lead + 1}: {problem}")
    return np.zeros(0, dtype=np.int64), -1, "; ".join(problems)


def context_bounds(starts_s: np.ndarray, *, window_s: float, duration_s: float,
                   context_s: float = HRV_CONTEXT_S) -> np.ndarray:
    """(n_windows, 2) start and end (s) of each window's context: ``context_s`` centred on
    the window, shifted to lie within the clip (the whole clip when it is shorter)."""
    centre = np.asarray(starts_s, dtype=np.float64) + window_s / 2
    length = min(context_s, duration_s)
    start = np.clip(centre - length / 2, 0.0, duration_s - length)
    return np.column_stack([start, start + length])


def ecg_features(clip: EcgClip, *, starts_s: np.ndarray, window_s: float,
                 context_s: float = HRV_CONTEXT_S) -> np.ndarray:
    """Heart rate and HRV around each window (columns :data:`ECG_FEATURE_NAMES`).

    Windows whose contexts hold the same beats share one computation (the contexts of a
    clip shorter than ``context_s`` are all the whole clip).
    """
    import neurokit2 as nk

    duration_s = clip.signal.shape[-1] / clip.sfreq
    bounds = context_bounds(starts_s, window_s=window_s, duration_s=duration_s, context_s=context_s)
    peaks_s = clip.r_peaks / clip.sfreq
    rows, cache = np.empty((len(bounds), len(ECG_FEATURES))), {}
    for i, (start, end) in enumerate(bounds):
        chosen = clip.r_peaks[(peaks_s >= start) & (peaks_s < end)]
        key = (int(chosen[0]), int(chosen[-1])) if chosen.size else ()
        if key not in cache:
            cache[key] = _context_features(chosen, sfreq=clip.sfreq, nk=nk)
        rows[i] = cache[key]
    return rows


def _context_features(peaks: np.ndarray, *, sfreq: float, nk) -> np.ndarray:
    if peaks.size < MIN_BEATS:
        return np.full(len(ECG_FEATURES), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short contexts: NeuroKit2 warns on the LF band's few cycles
        indices = {**nk.hrv_time(peaks, sampling_rate=sfreq).iloc[0].to_dict(),
                   **nk.hrv_frequency(peaks, sampling_rate=sfreq).iloc[0].to_dict()}
    indices["heart_rate"] = float(np.mean(60.0 * sfreq / np.diff(peaks)))
    return np.array([indices["heart_rate"] if column is None else float(indices[column])
                     for column in ECG_FEATURES.values()])
