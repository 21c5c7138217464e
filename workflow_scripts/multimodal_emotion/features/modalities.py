"""The other modality's windowed features: eye movements (SEED), peripheral signals
(DEAP), ECG (DREAMER, computed in :mod:`..ecg`), or per-window features a reader ships."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..ecg import ECG_FEATURE_NAMES, ecg_features
from ..recording import EYE_EVENT_CODES, DataFormatError, EyeClip, Recording, Segment, event_column
from .spectral import band_log_bias, differential_entropy, window_starts, windowed_band_power

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


def other_features(recording: Recording, seg: Segment, *, starts_s: np.ndarray, window_s: float, step_s: float,
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


def other_feature_names(recording: Recording) -> list[str]:
    """The names of the columns :func:`other_features` gives for ``recording``."""
    if recording.other_kind == "eye_movements":
        return eye_feature_names()
    if recording.other_kind == "peripheral":
        return peripheral_feature_names(recording.other_names)
    if recording.other_kind == "ecg":
        return list(ECG_FEATURE_NAMES)
    if recording.other_kind == "lab_eye_features":
        return list(recording.other_names)
    return []
