"""Bandpass filtering and windowed features: EEG DE/PSD, eye movements, peripheral signals.

Dataset-agnostic: everything here works on a :class:`~.recording.Recording`; which bands,
window and step apply is configuration, and the reader comes from the dataset registry.
One call of :func:`feature_stage` is the whole job of one recording: read (any entry),
bandpass, windows, features, HDF5, with nothing written in between.

Differential Entropy estimator
------------------------------
Each window of ``window_s`` seconds (step ``step_s``) is multiplied by a periodic Hann
window and Fourier transformed. The one-sided PSD is
``P(f) = 2 |X(f)|^2 / (fs * sum(w^2))`` and the band power is
``sigma_b^2 = sum_{lo <= f < hi} P(f) * df`` (half-open bands, so adjacent bands share
no bin). For a band-limited Gaussian signal DE has the closed form
``DE = 0.5 * ln(2 * pi * e * sigma_b^2)`` (Shi, Jiao & Lu 2013; Zheng & Lu 2015), so DE
is this function of the STFT band power. We use the STFT rather than bandpass-filtering
each band in the time domain because one FFT per window gives all bands at once (fast),
the Hann window is what the paper specifies, and the band power is an unbiased
estimate of sigma_b^2 for stationary noise (the ``sum(w^2)`` normalisation), which the
white-noise test checks against the closed form. The logarithm of a one-window estimate
is biased low by a known constant per band (:func:`band_log_bias`); it is subtracted,
so the window-level DE is an unbiased estimate of the closed form. The PSD feature is the mean of
``P(f)`` over the band's bins (unit^2/Hz); ``DE = 0.5 ln(2 pi e PSD * bandwidth)``
up to the bin discretisation.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from .ecg import ECG_FEATURE_NAMES, ecg_features
from .recording import EYE_EVENT_CODES, DataFormatError, EyeClip, Recording, Segment, check_option, event_column
from .store import FeatureFile, package_version

log = logging.getLogger(__name__)

Bands = Mapping[str, Sequence[float]]


# --- filtering -----------------------------------------------------------------------


def fir_bandpass(data: np.ndarray, *, sfreq: float, l_freq: float | None, h_freq: float | None) -> np.ndarray:
    """MNE's default zero-phase FIR bandpass, applied to all channels in one convolution.

    The filter is designed by :func:`mne.filter.create_filter` (firwin, Hamming, MNE's
    automatic transition bands and length) and applied as ``mne.filter.filter_data``
    applies it: odd reflection of ``len(h) - 1`` samples at both ends ("reflect_limited"),
    linear convolution, delay removed. Doing the convolution once for all channels in
    float32 (one FFT per channel, ``scipy.signal.fftconvolve``; for a clip-long signal
    and a ~660-tap kernel about twice as fast as overlap-add) instead of MNE's per-channel
    loop in float64 is ~10x faster; the output equals ``filter_data``'s to float32
    precision (tested).

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_times)

    Returns
    -------
    filtered : ndarray, shape (n_channels, n_times), float32
    """
    import mne
    from scipy.signal import fftconvolve

    kernel = mne.filter.create_filter(
        None, sfreq, l_freq, h_freq, method="fir", phase="zero", fir_design="firwin", verbose="error"
    )
    n_pad = kernel.size - 1
    if data.shape[-1] <= n_pad:  # too short to reflect fully: let MNE handle its zero padding
        return mne.filter.filter_data(
            np.asarray(data, np.float64), sfreq, l_freq, h_freq, method="fir", phase="zero",
            fir_design="firwin", pad="reflect_limited", verbose="error",
        ).astype(np.float32)
    padded = np.pad(np.asarray(data, np.float32), ((0, 0), (n_pad, n_pad)), mode="reflect", reflect_type="odd")
    full = fftconvolve(padded, kernel[None, :].astype(np.float32), mode="full", axes=-1)
    offset = n_pad + n_pad // 2  # the padding plus the linear-phase delay
    return np.ascontiguousarray(full[:, offset : offset + data.shape[-1]])


def band_problem(lo: float, hi: float, *, sfreq: float, window_s: float | None = None) -> str | None:
    """What makes the band [lo, hi] Hz unusable at ``sfreq`` (and, given ``window_s``, at that
    window's frequency resolution), or None. The one place these rules live: the config
    check names the key, the feature code refuses the call."""
    nyquist = sfreq / 2
    if not 0 <= lo < hi:
        return f"lower edge {lo} is not below upper edge {hi}" if lo >= hi else f"lower edge {lo} is negative"
    if hi > nyquist:
        return f"upper edge {hi} Hz exceeds Nyquist ({nyquist} Hz)"
    if window_s is not None and not math.ceil(lo * window_s) < hi * window_s:
        return f"holds no frequency bin at the {1 / window_s:g} Hz resolution of a {window_s} s window"
    return None


def bandpass_problem(l_freq: float | None, h_freq: float | None, *, sfreq: float) -> tuple[str, str] | None:
    """(``h_freq`` or ``""``: the key at fault under ``bandpass``, problem) of a bandpass that
    cannot work at ``sfreq``, or None."""
    nyquist = sfreq / 2
    if h_freq is not None and h_freq >= nyquist:
        return "h_freq", f"{h_freq} Hz is not below Nyquist ({nyquist} Hz)"
    if l_freq is not None and h_freq is not None and l_freq >= h_freq:
        return "", f"l_freq {l_freq} is not below h_freq {h_freq}"
    return None


def bandpass_recording(
    recording: Recording, *, l_freq: float | None, h_freq: float | None
) -> Recording:
    """Zero-phase FIR bandpass (MNE defaults) of every segment's EEG, segment by segment.

    Segments are filtered separately because clips/trials are not contiguous in time.
    The other modality is passed through unchanged.
    """
    if l_freq is None and h_freq is None:
        log.info("No bandpass configured; EEG passed through unfiltered.")
        return recording
    problem = bandpass_problem(l_freq, h_freq, sfreq=recording.sfreq)
    if problem:
        raise ValueError(f"bandpass: {problem[1]}")
    log.info("Bandpass %s-%s Hz (FIR, zero phase) on %d segments", l_freq, h_freq, len(recording.segments))

    def filtered(seg: Segment) -> Segment:
        return replace(seg, eeg=fir_bandpass(seg.eeg, sfreq=recording.sfreq, l_freq=l_freq, h_freq=h_freq),
                       baseline=None if seg.baseline is None else filtered(seg.baseline))

    return recording.with_segments([filtered(seg) for seg in recording.segments])


# --- windows and spectra -------------------------------------------------------------


def window_starts(n_times: int, *, sfreq: float, window_s: float, step_s: float) -> np.ndarray:
    """Start samples of all complete windows in a segment of ``n_times`` samples."""
    n_window = int(round(window_s * sfreq))
    n_step = int(round(step_s * sfreq))
    if n_times < n_window:
        return np.zeros(0, dtype=np.int64)
    return np.arange(0, n_times - n_window + 1, n_step, dtype=np.int64)


def _band_masks(freqs: np.ndarray, bands: Bands) -> np.ndarray:
    masks = np.array([(freqs >= lo) & (freqs < hi) for lo, hi in bands.values()])
    empty = [name for name, m in zip(bands, masks) if not m.any()]
    if empty:
        raise ValueError(
            f"bands {empty} contain no frequency bin at resolution {freqs[1] - freqs[0]:g} Hz; "
            "use a longer window or wider bands"
        )
    return masks


def band_power(
    data: np.ndarray, *, sfreq: float, bands: Bands, window_s: float, step_s: float,
    nfft: int | None = None, detrend: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Hann-window STFT band power and band-mean PSD.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_times)
    nfft : int | None
        FFT length (zero-padding); default the window length.
    detrend : bool
        Remove each window's mean before windowing (used for pupil diameter, whose
        mean is a separate feature and would otherwise leak into the lowest band).

    Returns
    -------
    power : ndarray, shape (n_windows, n_channels, n_bands)
        sigma_b^2 per window, channel and band.
    psd : ndarray, shape (n_windows, n_channels, n_bands)
        Mean one-sided PSD over the band's bins (unit^2/Hz).
    """
    n_window = int(round(window_s * sfreq))
    n_step = int(round(step_s * sfreq))
    n_windows = window_starts(data.shape[-1], sfreq=sfreq, window_s=window_s, step_s=step_s).size
    # Strided view of all windows (no copy); float32 halves memory traffic and FFT time.
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(data, np.float32), n_window, axis=-1)
    return windowed_band_power(windows[:, ::n_step][:, :n_windows], sfreq=sfreq, bands=bands, nfft=nfft, detrend=detrend)


def windowed_band_power(
    windows: np.ndarray, *, sfreq: float, bands: Bands, nfft: int | None = None, detrend: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Core of :func:`band_power` on windows already cut: shape (n_channels, n_windows, n_window)."""
    from scipy import fft

    n_channels, n_windows, n_window = windows.shape
    nfft = nfft or n_window
    freqs = np.fft.rfftfreq(nfft, 1 / sfreq)
    masks = _band_masks(freqs, bands)
    taper = np.hanning(n_window + 1)[:-1]  # periodic Hann
    # One-sided scaling; DC and Nyquist bins are not doubled.
    scale = np.full(freqs.size, 2.0 / (sfreq * np.sum(taper**2)))
    scale[0] /= 2
    if nfft % 2 == 0:
        scale[-1] /= 2
    df = sfreq / nfft
    power = np.empty((n_windows, n_channels, len(bands)))
    psd = np.empty_like(power)
    # Band sums as one matrix product: (..., n_freqs) @ (n_freqs, n_bands).
    band_matrix = (masks * scale).T.astype(np.float32)
    counts = masks.sum(axis=1)
    taper32 = taper.astype(np.float32)
    # Chunk over windows: ~2 MB float32 blocks stay in cache through taper, FFT and band
    # sums (1.8x faster than 32 MB blocks on a SEED session), and bound memory.
    chunk = max(1, int(2**19 // max(1, n_channels * n_window)))
    for first in range(0, n_windows, chunk):
        raw = windows[:, first : first + chunk]
        block = raw * taper32
        if detrend:  # (x - mean(x)) * w
            block -= raw.mean(axis=-1, keepdims=True) * taper32
        spectrum = fft.rfft(block, n=nfft, axis=-1, overwrite_x=True)
        density = spectrum.real**2 + spectrum.imag**2
        summed = (density @ band_matrix).astype(np.float64)  # (n_channels, n_win, n_bands)
        power[first : first + chunk] = np.moveaxis(summed * df, 0, 1)
        psd[first : first + chunk] = np.moveaxis(summed / counts, 0, 1)
    return power, psd


def differential_entropy(power: np.ndarray, *, log_bias: np.ndarray | float = 0.0) -> np.ndarray:
    """DE of a Gaussian with variance ``power``: 0.5 * (ln(2 pi e sigma^2) - log_bias).

    ``log_bias`` (per band, broadcast on the last axis) is E[ln sigma_hat^2] - ln sigma^2
    of the band-power estimator, see :func:`band_log_bias`.
    """
    power = np.maximum(power, np.finfo(float).tiny)
    return 0.5 * (np.log(2 * math.pi * math.e * power) - log_bias)


def band_log_bias(*, sfreq: float, bands: Bands, window_s: float, nfft: int | None = None) -> np.ndarray:
    """Bias of ln(band power) for Gaussian noise, one value per band.

    The band power of one Hann window is a quadratic form ``Q = x' M x`` of the samples.
    For noise that is white within the band, ``Q`` is approximately ``sigma^2 chi^2_nu / nu``
    with ``nu = tr(M)^2 / tr(M^2)`` (Satterthwaite), so
    ``E[ln Q] - ln sigma^2 = digamma(nu / 2) - ln(nu / 2)``: about -0.04 nats for the
    delta band of a 4 s window and -0.13 for theta at 2 s. Subtracting it makes the
    window-level DE an unbiased estimate of the closed form rather than sitting
    below it by a band-dependent constant. (A constant per band, so it does not change
    what a classifier can learn.)
    """
    from scipy.special import digamma

    n_window = int(round(window_s * sfreq))
    nfft = nfft or n_window
    freqs = np.fft.rfftfreq(nfft, 1 / sfreq)
    taper_sq = (np.hanning(n_window + 1)[:-1]) ** 2
    # M_ij = w_i w_j g(i - j) is Toeplitz-weighted: tr(M^2) = sum_d g(d)^2 sum_i w_i^2 w_{i+d}^2.
    lags = np.arange(-(n_window - 1), n_window)
    weight = np.correlate(taper_sq, taper_sq, mode="full")
    bias = []
    for lo, hi in bands.values():
        band_freqs = freqs[(freqs >= lo) & (freqs < hi)]
        g = np.cos(2 * np.pi * np.outer(lags, band_freqs) / sfreq).sum(axis=1)
        nu = (band_freqs.size * taper_sq.sum()) ** 2 / np.sum(g**2 * weight)
        bias.append(digamma(nu / 2) - np.log(nu / 2))
    return np.array(bias)


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


# --- other modalities ----------------------------------------------------------------

PUPIL_BANDS = {"0-0.2Hz": (0.0, 0.2), "0.2-0.4Hz": (0.2, 0.4), "0.4-0.6Hz": (0.4, 0.6), "0.6-1Hz": (0.6, 1.0)}
# Zero-pad pupil windows to this resolution so that 0.2 Hz-wide bands hold bins
# even for 4 s windows (0.25 Hz native resolution).
PUPIL_FREQ_RESOLUTION = 0.05


def eye_feature_names() -> list[str]:
    """The 41 eye-movement features, grouped as the SEED lab's eye-feature tables group them."""
    names = []
    for axis in ("x", "y"):
        names += [f"pupil_{axis}_mean", f"pupil_{axis}_std"]
        names += [f"pupil_{axis}_de_{b}" for b in PUPIL_BANDS]
        names += [f"pupil_{axis}_psd_{b}" for b in PUPIL_BANDS]
    names += ["dispersion_x_mean", "dispersion_x_std", "dispersion_y_mean", "dispersion_y_std"]
    names += ["fixation_duration_mean", "fixation_duration_std"]
    names += ["blink_duration_mean", "blink_duration_std"]
    names += ["saccade_duration_mean", "saccade_duration_std", "saccade_amplitude_mean", "saccade_amplitude_std"]
    names += [
        "blink_frequency", "fixation_frequency", "fixation_duration_max",
        "fixation_dispersion_total", "fixation_dispersion_max", "saccade_frequency",
        "saccade_duration_average", "saccade_amplitude_average", "saccade_latency_average",
    ]
    return names


def _windowed_sums(onsets: np.ndarray, values: np.ndarray, starts_s: np.ndarray, window_s: float):
    """Per window: count, sum and sum of squares of ``values`` of events with onset in
    [start, start + window_s), and the index range of those events (onsets sorted)."""
    first = np.searchsorted(onsets, starts_s, side="left")
    last = np.searchsorted(onsets, starts_s + window_s, side="left")
    c1 = np.r_[0.0, np.cumsum(values)]
    c2 = np.r_[0.0, np.cumsum(values**2)]
    return last - first, c1[last] - c1[first], c2[last] - c2[first], first, last


def _event_stats(onsets, values, starts_s, window_s):
    """Mean, std and max per window; 0 where a window holds no such event, so models
    always get finite input."""
    n, s1, s2, first, last = _windowed_sums(onsets, values, starts_s, window_s)
    safe = np.maximum(n, 1)
    mean = np.where(n > 0, s1 / safe, 0.0)
    std = np.sqrt(np.maximum(np.where(n > 0, s2 / safe - mean**2, 0.0), 0.0))
    maximum = np.array([values[a:b].max() if b > a else 0.0 for a, b in zip(first, last)])
    return n, s1, mean, std, maximum


def eye_features(
    eye: EyeClip, *, starts_s: np.ndarray, window_s: float
) -> np.ndarray:
    """41 eye-movement features per window (names: :func:`eye_feature_names`).

    Pupil diameters are resampled to a uniform grid at the tracker's median rate; each
    window's mean and std, then DE and PSD of the mean-removed, Hann-windowed diameter
    in four bands (zero-padded to 0.05 Hz bins). Events are assigned to the window
    holding their onset; a window without an event of a kind gets 0 for its statistics.
    Frequencies are events per second; saccade latency is the time from the end of the
    preceding event to the saccade's onset.

    Returns
    -------
    features : ndarray, shape (n_windows, 41)
    """
    time = eye.pupil_column("time_s")
    pupil = np.column_stack([eye.pupil_column("diameter_x_mm"), eye.pupil_column("diameter_y_mm")])
    rate = 1.0 / np.median(np.diff(time))
    grid = np.arange(time[0], time[-1], 1.0 / rate)
    uniform = np.stack([np.interp(grid, time, pupil[:, i]) for i in range(2)])
    n_window = int(round(window_s * rate))
    # Window starts are relative to the clip start, which is time 0 of the tracker; pad
    # with the last value where the tracker stopped before the EEG clip ended.
    offsets = np.searchsorted(grid, starts_s)
    shortfall = offsets.max(initial=0) + n_window - uniform.shape[1]
    if shortfall > 0:
        uniform = np.pad(uniform, ((0, 0), (0, shortfall)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(uniform, n_window, axis=-1)[:, offsets]
    nfft = max(n_window, int(math.ceil(rate / PUPIL_FREQ_RESOLUTION)))
    power, psd = windowed_band_power(windows.astype(np.float32), sfreq=rate, bands=PUPIL_BANDS, nfft=nfft, detrend=True)
    de = differential_entropy(power, log_bias=band_log_bias(sfreq=rate, bands=PUPIL_BANDS, window_s=n_window / rate, nfft=nfft))
    columns = []
    for axis in range(2):
        columns += [windows[axis].mean(axis=-1)[:, None], windows[axis].std(axis=-1)[:, None], de[:, axis], psd[:, axis]]

    onset = lambda rows: event_column(rows, "onset_s")  # noqa: E731
    ev = eye.events[np.argsort(onset(eye.events), kind="stable")]
    kind = event_column(ev, "type")
    previous_end = np.r_[-np.inf, (onset(ev) + event_column(ev, "duration_s"))[:-1]]
    fix, sac, blink = (ev[kind == EYE_EVENT_CODES[k]] for k in ("fixation", "saccade", "blink"))
    latency = np.maximum((onset(ev) - previous_end)[kind == EYE_EVENT_CODES["saccade"]], 0.0)
    latency[~np.isfinite(latency)] = 0.0  # a saccade that opens the recording
    stats = lambda rows, column: _event_stats(onset(rows), event_column(rows, column), starts_s, window_s)  # noqa: E731
    n_fix, _, disp_x_mean, disp_x_std, _ = stats(fix, "dispersion_x")
    _, _, disp_y_mean, disp_y_std, _ = stats(fix, "dispersion_y")
    _, _, fix_mean, fix_std, fix_max = stats(fix, "duration_s")
    n_blink, _, blink_mean, blink_std, _ = stats(blink, "duration_s")
    n_sac, _, sac_mean, sac_std, _ = stats(sac, "duration_s")
    _, _, amp_mean, amp_std, _ = stats(sac, "amplitude_deg")
    _, _, latency_mean, _, _ = _event_stats(onset(sac), latency, starts_s, window_s)
    dispersion = np.hypot(event_column(fix, "dispersion_x"), event_column(fix, "dispersion_y"))
    _, disp_total, _, _, disp_max = _event_stats(onset(fix), dispersion, starts_s, window_s)
    columns += [
        np.column_stack([disp_x_mean, disp_x_std, disp_y_mean, disp_y_std, fix_mean, fix_std, blink_mean,
                         blink_std, sac_mean, sac_std, amp_mean, amp_std]),
        np.column_stack([n_blink / window_s, n_fix / window_s, fix_max, disp_total, disp_max, n_sac / window_s,
                         sac_mean, amp_mean, latency_mean]),
    ]
    return np.hstack(columns)


PERIPHERAL_STATS = ("max", "min", "mean", "std", "var", "sum_squares")


def peripheral_feature_names(channels: Sequence[str]) -> list[str]:
    """6 statistics per peripheral channel, channel-major (8 channels -> 48)."""
    return [f"{ch}_{stat}" for ch in channels for stat in PERIPHERAL_STATS]


def peripheral_features(
    signals: np.ndarray, *, sfreq: float, window_s: float, step_s: float
) -> np.ndarray:
    """Max, min, mean, std, variance and squared sum of each channel per window.

    Parameters
    ----------
    signals : ndarray, shape (n_channels, n_times)

    Returns
    -------
    features : ndarray, shape (n_windows, 6 * n_channels)
    """
    n_window = int(round(window_s * sfreq))
    starts = window_starts(signals.shape[-1], sfreq=sfreq, window_s=window_s, step_s=step_s)
    windows = np.lib.stride_tricks.sliding_window_view(signals, n_window, axis=-1)[:, starts]
    stats = np.stack(
        [
            windows.max(-1), windows.min(-1), windows.mean(-1), windows.std(-1),
            windows.var(-1), np.sum(windows**2, axis=-1),
        ],
        axis=-1,
    )  # (n_channels, n_windows, 6)
    return np.moveaxis(stats, 0, 1).reshape(starts.size, -1)


# --- the feature stage ---------------------------------------------------------------


def extract_features(
    recording: Recording, *, bands: Bands, window_s: float, step_s: float,
    attrs: Mapping | None = None, de_scale: str = "natural", smoothing: str = "none",
) -> FeatureFile:
    """Windowed features of every segment of a (filtered) Recording.

    Windows never cross a segment boundary. A segment shorter than one window is an
    error naming the segment, because silently dropping a clip changes the protocol.
    ``de_scale`` (natural | lab) and ``smoothing`` (none | moving_average | lds, within
    each segment, DE and PSD alike) are the lab's recipe options; the file's
    ``feature_recipe`` attribute records them. Other features given per window
    (``other_kind`` ``lab_eye_features``: one row per window, checked by the reader)
    are taken as they are.
    """
    check_option("de_scale", de_scale, DE_SCALES)
    smooth_clip(np.zeros((1, 1)), smoothing)  # rejects an unknown smoothing before any work
    if step_s <= 0 or window_s <= 0:
        raise ValueError(f"window_s and step_s must be positive, got {window_s}, {step_s}")
    for name, (lo, hi) in bands.items():
        problem = band_problem(lo, hi, sfreq=recording.sfreq)
        if problem:
            raise ValueError(f"band {name!r} = [{lo}, {hi}] Hz: {problem}")
    log_bias = band_log_bias(sfreq=recording.sfreq, bands=bands, window_s=window_s)
    source = next(iter(recording.source_files), recording.name)

    def window_features(seg: Segment, what: str):
        """(DE, PSD, other, window starts in s) of one segment's windows."""
        starts = window_starts(seg.eeg.shape[1], sfreq=recording.sfreq, window_s=window_s, step_s=step_s)
        if starts.size == 0:
            raise DataFormatError(
                source,
                f"{what} {seg.index} is {seg.eeg.shape[1] / recording.sfreq:.2f} s long, "
                f"shorter than one {window_s} s window",
            )
        power, psd = band_power(seg.eeg, sfreq=recording.sfreq, bands=bands, window_s=window_s, step_s=step_s)
        starts_s = starts / recording.sfreq
        other = _other_features(recording, seg, starts_s=starts_s, window_s=window_s, step_s=step_s,
                                source=source, what=what)
        de = lab_de(psd) if de_scale == "lab" else differential_entropy(power, log_bias=log_bias)
        return de, psd, other, starts_s

    de_all, psd_all, other_all, seg_all, start_all, label_all = [], [], [], [], [], []
    for seg in recording.segments:
        de, psd, other, starts_s = window_features(seg, "segment")
        if seg.baseline is not None:  # the baseline's mean features subtracted (DREAMER's paper)
            base_de, base_psd, base_other, _ = window_features(seg.baseline, "baseline of segment")
            de, psd, other = de - base_de.mean(0), psd - base_psd.mean(0), other - base_other.mean(0)
        de_all.append(smooth_clip(de, smoothing))
        psd_all.append(smooth_clip(psd, smoothing))
        other_all.append(other)
        seg_all.append(np.full(starts_s.size, seg.index))
        start_all.append(starts_s)
        label_all.append(np.tile(seg.labels, (starts_s.size, 1)))
        log.info("segment %d: %d windows", seg.index, starts_s.size)
    if recording.other_kind == "eye_movements":
        other_names = eye_feature_names()
    elif recording.other_kind == "peripheral":
        other_names = peripheral_feature_names(recording.other_names)
    elif recording.other_kind == "ecg":
        other_names = list(ECG_FEATURE_NAMES)
    elif recording.other_kind == "lab_eye_features":
        other_names = list(recording.other_names)
    else:
        other_names = []
    baseline = {"baseline_subtracted": True} if any(seg.baseline is not None for seg in recording.segments) else {}
    recipe = {"feature_recipe": recipe_attrs(window_s=window_s, step_s=step_s, de_scale=de_scale,
                                             smoothing=smoothing)}
    return _feature_file(
        recording, de=de_all, psd=psd_all, other=other_all, segment=seg_all, start_s=start_all, labels=label_all,
        bands=bands, window_s=window_s, step_s=step_s, other_kind=recording.other_kind, other_names=other_names,
        attrs={**recipe, **baseline, **(attrs or {})},
    )


def _other_features(recording: Recording, seg: Segment, *, starts_s: np.ndarray, window_s: float, step_s: float,
                    source: str, what: str) -> np.ndarray:
    """The other modality's features of one segment's windows (rows = windows)."""
    if recording.other_kind == "eye_movements":
        return eye_features(seg.other, starts_s=starts_s, window_s=window_s)
    if recording.other_kind == "peripheral":
        return peripheral_features(seg.other, sfreq=recording.sfreq, window_s=window_s, step_s=step_s)
    if recording.other_kind == "ecg":
        other = ecg_features(seg.other, starts_s=starts_s, window_s=window_s)
        undefined = ~np.isfinite(other).all(axis=0)
        if undefined.any():  # never passed on as NaN (or zero): the reader's R-peak check should have caught it
            names = [name for name, bad in zip(ECG_FEATURE_NAMES, undefined) if bad]
            raise DataFormatError(source, f"{what} {seg.index}: ECG features {', '.join(names)} undefined in "
                                  f"{int((~np.isfinite(other).all(axis=1)).sum())} of {len(other)} windows")
        return other
    if recording.other_kind == "lab_eye_features":
        other = np.asarray(seg.other, dtype=np.float64)
        if other.shape[0] != starts_s.size:
            raise DataFormatError(source, f"clip {seg.index}: {starts_s.size} EEG windows of {window_s:g} s but "
                                  f"{other.shape[0]} eye-feature rows")
        return other
    return np.zeros((starts_s.size, 0))


def _feature_file(
    recording: Recording, *, de: list, psd: list, other: list, segment: list, start_s: list, labels: list,
    bands: Mapping, window_s: float, step_s: float, other_kind: str, other_names: Sequence[str],
    attrs: Mapping | None, qc: dict | None = None,
) -> FeatureFile:
    """A FeatureFile from per-segment arrays (concatenated in segment order) and the
    attributes every feature file carries; ``attrs`` adds to or overrides them."""
    file_attrs = {
        "recording": recording.name,
        "sfreq": recording.sfreq,
        "bands": {k: list(v) for k, v in bands.items()},
        "window_s": window_s,
        "step_s": step_s,
        "ch_names": list(recording.ch_names),
        "label_names": list(recording.label_names),
        "other_kind": other_kind,
        "other_feature_names": list(other_names),
        "source_files": recording.source_files,
        # What experiments and tables need to know about the dataset, so they never ask
        # which dataset it is: label semantics, subject, caption.
        "dataset": recording.dataset,
        "subject": recording.subject,
        "classes": {name: spec.as_attrs() for name, spec in recording.classes.items()},
        "package_version": package_version(),
        # several sessions in one file: segment = (session - 1) * trials_per_session + trial
        **({"trials_per_session": recording.trials_per_session} if recording.trials_per_session else {}),
        **(attrs or {}),
    }
    return FeatureFile(
        de=np.concatenate(de), psd=np.concatenate(psd), other=np.concatenate(other),
        segment=np.concatenate(segment), start_s=np.concatenate(start_s), labels=np.concatenate(labels),
        attrs=file_attrs, qc=qc,
    )


# --- quality control (stored beside the features for the QC pages) -------------------


def channel_sd(recording: Recording, *, chunk: int = 8192) -> np.ndarray:
    """SD of every EEG channel over all segments, shape (n_channels,) (flat/outlying checks).

    Plain sums (sum and sum of squares, no temporary: two fast passes). Where the mean is
    so far above the SD (> 1e4 x) that ``E[x^2] - mean^2`` could lose more than ~1e-6 of
    the variance (a flat or nearly flat channel on a DC offset), that channel is
    recomputed from its deviations from the mean, in ``chunk``-sample blocks (a constant
    channel gives exactly 0). The checks compare SDs by factors of 10 and 1000."""
    segments = [seg for seg in recording.segments if seg.eeg.shape[1]]
    n = sum(seg.eeg.shape[1] for seg in segments)
    if not n:
        return np.full(len(recording.ch_names), np.nan)
    mean = sum(seg.eeg.sum(axis=1, dtype=np.float64) for seg in segments) / n
    square = sum(np.einsum("ct,ct->c", seg.eeg, seg.eeg, dtype=np.float64) for seg in segments) / n
    variance = square - mean**2
    for channel in np.flatnonzero(mean**2 > 1e8 * np.maximum(variance, 0.0)):
        total = 0.0
        for seg in segments:
            for start in range(0, seg.eeg.shape[1], chunk):
                deviation = seg.eeg[channel, start : start + chunk] - mean[channel]
                total += float(deviation @ deviation)
        variance[channel] = total / n
    return np.sqrt(np.maximum(variance, 0.0))


# Windows averaged by the QC spectra of one recording (~6 % standard error per bin): the
# page shows a plot on a log scale, so a spread-out sample of the recording is enough,
# and the cost no longer grows with the recording (~1 % of a full SEED session's feature
# job, for each of the two spectra).
QC_PSD_MAX_WINDOWS = 256


def mean_channel_psd(
    recording: Recording, *, seconds: float = 2.0, max_windows: int | None = QC_PSD_MAX_WINDOWS
) -> tuple[np.ndarray, np.ndarray]:
    """PSD of every EEG channel for the QC page: (freqs (n_freqs,), psd (n_channels, n_freqs)).

    The mean periodogram of non-overlapping ``seconds``-long periodic-Hann windows, each
    with its mean removed, scaled as :func:`scipy.signal.welch`'s one-sided density. At
    most ``max_windows`` windows are used (None: all), spread evenly over the recording,
    so every segment counts in proportion to its length, as in a length-weighted average
    of per-segment Welch spectra. Segments shorter than one window are left out.

    (Before, each segment went through ``scipy.signal.welch`` with 50 % overlap and a
    per-segment detrend call: about half of a SEED feature job for a plot.)
    """
    from scipy import fft

    nperseg = max(8, int(round(seconds * recording.sfreq)))
    counts = np.array([seg.eeg.shape[1] // nperseg for seg in recording.segments])
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0), np.zeros((len(recording.ch_names), 0))
    chosen = np.arange(total)
    if max_windows is not None and total > max_windows:
        chosen = np.unique(np.round(np.linspace(0, total - 1, max_windows)).astype(np.int64))
    first = np.r_[0, np.cumsum(counts)[:-1]]
    taper = (np.hanning(nperseg + 1)[:-1]).astype(np.float32)  # periodic, as welch's "hann"
    freqs = np.fft.rfftfreq(nperseg, 1 / recording.sfreq)
    scale = np.full(freqs.size, 2.0 / (recording.sfreq * np.sum(taper.astype(np.float64) ** 2)))
    scale[0] /= 2
    if nperseg % 2 == 0:
        scale[-1] /= 2
    summed = np.zeros((len(recording.ch_names), freqs.size))
    for seg, k0, n in zip(recording.segments, first, counts):
        picked = chosen[(chosen >= k0) & (chosen < k0 + n)] - k0
        if picked.size == 0:
            continue
        # (n_channels, n_picked, nperseg): only the chosen windows are copied
        windows = seg.eeg[:, : n * nperseg].reshape(seg.eeg.shape[0], n, nperseg)[:, picked].astype(np.float32)
        windows -= windows.mean(axis=-1, keepdims=True)
        windows *= taper
        spectrum = fft.rfft(windows, axis=-1, overwrite_x=True)
        summed += (spectrum.real**2 + spectrum.imag**2).sum(axis=1, dtype=np.float64)
    return freqs, (summed * scale / chosen.size).astype(np.float32)


# --- stages called by the Snakemake rules --------------------------------------------


def feature_stage(
    *, dataset: str, inputs: Mapping[str, str], bandpass: Mapping, bands: Bands, window_s: float, step_s: float,
    output: str, read_options: Mapping | None = None, attrs: Mapping | None = None, provenance: Mapping | None = None,
    de_scale: str = "natural", smoothing: str = "none", recording: str = "",
) -> None:
    """The whole feature job of one recording: read its files (preprocessed or raw entry,
    by role, see ``datasets.<name>.input_files``), bandpass the EEG, window it, compute
    DE/PSD and the other modality's features, write the feature HDF5 atomically.

    ``bandpass`` is ``{"l_freq": ..., "h_freq": ...}``; ``read_options`` go to the
    dataset's ``read`` (e.g. ``cnt_data_format``), and the ``recording`` name too when the
    reader takes it (a file holding several recordings: DREAMER.mat).
    """
    import inspect

    from .datasets import get
    from .store import write_features

    module = get(dataset)
    name = {"recording": recording} if "recording" in inspect.signature(module.read).parameters else {}
    recording = module.read(dict(inputs), **name, **dict(read_options or {}))
    if recording.shipped is not None:  # the dataset ships its features: nothing to filter (see the end of this module)
        write_features(output, shipped_feature_file(
            recording, attrs={"caption": module.TABLE_CAPTION, **(attrs or {}), "provenance": dict(provenance or {})}))
        return
    log.info("Read %s: %d segments, %d channels at %g Hz", recording.name, len(recording.segments),
             len(recording.ch_names), recording.sfreq)
    qc = {"channel_sd": channel_sd(recording), "segment_ids": np.array([seg.index for seg in recording.segments]),
          "segment_samples": np.array([seg.eeg.shape[1] for seg in recording.segments])}
    qc["freqs"], qc["psd_raw"] = mean_channel_psd(recording)
    l_freq, h_freq = bandpass.get("l_freq"), bandpass.get("h_freq")
    filtered = bandpass_recording(recording, l_freq=l_freq, h_freq=h_freq)
    del recording
    qc["psd_filtered"] = mean_channel_psd(filtered)[1]
    features = extract_features(
        filtered, bands=bands, window_s=window_s, step_s=step_s, de_scale=de_scale, smoothing=smoothing,
        attrs={"bandpass": [l_freq, h_freq], "caption": module.TABLE_CAPTION, **(attrs or {}),
               "provenance": dict(provenance or {})},
    )
    reference = getattr(module, "lab_reference", None)
    lab = reference(dict(inputs), window_s=window_s) if reference and window_s == step_s else None
    if lab is not None:  # the lab's released DE of the same recording: agreement for the QC page
        features.attrs["lab_agreement"] = lab_agreement(features, lab)
        log.info("Agreement with %s: correlation per band %s", lab["origin"],
                 [round(c, 3) for c in features.attrs["lab_agreement"]["correlation"]])
    features.qc = qc
    write_features(output, features)
    log.info("Wrote %s: %d windows, EEG %s, other %s", output, features.de.shape[0],
             features.de.shape[1:], features.other.shape[1:])


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


# --- features the dataset ships (SEED ExtractedFeatures, SEED_Multimodal) ------------


def shipped_feature_file(recording: Recording, *, attrs: Mapping | None = None) -> FeatureFile:
    """The feature file of a recording whose reader returned the dataset's own features.

    DE/PSD (and shipped other features) are taken as they are; an :class:`EyeClip` in a
    segment's ``other`` is turned into our 41 eye features on the shipped windows. PSD
    not shipped is stored as NaN (``psd_shipped`` attribute false). The attributes are
    those of :func:`extract_features`, with ``window_s``/``step_s``/``bands`` of the shipped
    features and ``feature_origin`` saying whose features they are.
    """
    info = recording.shipped
    de_all, psd_all, other_all, seg_all, start_all, label_all = [], [], [], [], [], []
    for seg in recording.segments:
        windows = seg.shipped
        n = windows.de.shape[0]
        if windows.other is not None:
            other = windows.other
        elif isinstance(seg.other, EyeClip):
            other = eye_features(seg.other, starts_s=windows.start_s, window_s=info.window_s)
        else:
            other = np.zeros((n, 0))
        de_all.append(windows.de)
        psd_all.append(windows.psd if windows.psd is not None else np.full(windows.de.shape, np.nan))
        other_all.append(other)
        seg_all.append(np.full(n, seg.index))
        start_all.append(windows.start_s)
        label_all.append(np.tile(seg.labels, (n, 1)))
    other_kind = info.other_kind or recording.other_kind
    if info.other_names:
        other_names = list(info.other_names)
    elif other_kind == "eye_movements":
        other_names = eye_feature_names()
    else:
        other_names = []
    shipped_attrs = {
        "bandpass": None,  # the shipped features' own filtering, not ours
        "feature_origin": info.origin,
        "psd_shipped": all(seg.shipped.psd is not None for seg in recording.segments),
        "dropped_windows": info.dropped_windows,
        **(attrs or {}),
    }
    n_channels = len(recording.ch_names)
    # QC arrays (store.read_qc): no signal was read, so the signal-level ones are empty
    # (not measured); a segment's length is the span its windows cover.
    qc = {"channel_sd": np.zeros(0), "freqs": np.zeros(0), "psd_raw": np.zeros((n_channels, 0)),
          "psd_filtered": np.zeros((n_channels, 0)),
          "segment_ids": np.array([seg.index for seg in recording.segments]),
          "segment_samples": np.array([int(round((seg.shipped.start_s[-1] + info.window_s) * recording.sfreq))
                                       for seg in recording.segments])}
    return _feature_file(
        recording, de=de_all, psd=psd_all, other=other_all, segment=seg_all, start_s=start_all, labels=label_all,
        bands=info.bands, window_s=info.window_s, step_s=info.step_s, other_kind=other_kind,
        other_names=other_names, attrs=shipped_attrs, qc=qc,
    )
