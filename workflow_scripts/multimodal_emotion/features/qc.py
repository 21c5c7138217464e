"""Per-recording quality-control arrays stored beside the features for the QC page:
channel SDs and mean channel spectra."""

from __future__ import annotations

import numpy as np

from ..recording import Recording

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
