"""The feature estimators against closed forms and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from multimodal_emotion import features, synthetic
from multimodal_emotion import datasets, recording, synthetic  # noqa: F401
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds  # noqa: F401
from multimodal_emotion.recording import DataFormatError, EyeClip, Recording, Segment

SEED_BANDS = synthetic.DEFAULT_SEED_BANDS
DEAP_BANDS = {"theta": (4, 8), "alpha": (8, 14), "beta": (14, 31), "gamma": (31, 50)}


@pytest.mark.parametrize(
    ("sfreq", "bands", "window_s"), [(200.0, SEED_BANDS, 4.0), (128.0, DEAP_BANDS, 2.0)]
)
def test_de_of_white_noise_matches_closed_form(sfreq, bands, window_s):
    # White noise of variance s^2 has variance s^2 * 2 (hi - lo) / fs in [lo, hi).
    sigma = 20.0  # µV, the scale of scalp EEG
    noise = np.random.default_rng(1).normal(0.0, sigma, (8, int(sfreq * 900)))
    power, _ = features.band_power(noise, sfreq=sfreq, bands=bands, window_s=window_s, step_s=window_s)
    log_bias = features.band_log_bias(sfreq=sfreq, bands=bands, window_s=window_s)
    de = features.differential_entropy(power, log_bias=log_bias).mean(axis=(0, 1))
    for (name, (lo, hi)), value, band_power in zip(bands.items(), de, power.mean(axis=(0, 1))):
        band_var = sigma**2 * 2 * (hi - lo) / sfreq
        expected = 0.5 * math.log(2 * math.pi * math.e * band_var)
        assert value == pytest.approx(expected, rel=0.02), name
        assert abs(value - expected) < 0.01, name  # nats: the log bias is corrected
        # The power estimate itself is unbiased (the log adds a small known bias).
        assert band_power == pytest.approx(band_var, rel=0.02), name


def test_sinusoid_power_lands_in_its_band_only():
    sfreq, amplitude = 200.0, 5.0
    t = np.arange(int(sfreq * 60)) / sfreq
    signal = amplitude * np.sin(2 * np.pi * 10.0 * t)[None, :]  # alpha band
    power, psd = features.band_power(signal, sfreq=sfreq, bands=SEED_BANDS, window_s=4.0, step_s=1.0)
    names = list(SEED_BANDS)
    alpha = power[:, 0, names.index("alpha")]
    assert alpha == pytest.approx(amplitude**2 / 2, rel=1e-6)
    others = np.delete(power[:, 0], names.index("alpha"), axis=1)
    assert others.max() < 1e-12 * alpha.min()
    assert psd[:, 0, names.index("alpha")] == pytest.approx(alpha / 6.0, rel=1e-6)  # 6 Hz wide


def test_windows_never_cross_segments_and_short_segment_is_an_error():
    sfreq = 100.0
    rng = np.random.default_rng(0)
    segments = [
        Segment(index=1, eeg=rng.normal(size=(2, 1000)), other=None, labels=np.array([1.0])),
        Segment(index=2, eeg=rng.normal(size=(2, 450)), other=None, labels=np.array([0.0])),
    ]
    rec = Recording("r", sfreq, ("a", "b"), ("emotion",), segments, "none", source_files={"raw.mat": "0"})
    out = features.extract_features(rec, bands={"b": (1, 10)}, window_s=4.0, step_s=1.0)
    # 10 s -> 7 windows of 4 s at 1 s steps; 4.5 s -> 1 window.
    assert out.segment.tolist() == [1] * 7 + [2]
    assert out.start_s.tolist() == [0, 1, 2, 3, 4, 5, 6, 0]
    assert out.labels[:, 0].tolist() == [1] * 7 + [0]
    segments[1] = Segment(index=2, eeg=rng.normal(size=(2, 300)), other=None, labels=np.array([0.0]))
    with pytest.raises(DataFormatError, match=r"raw.mat: segment 2 is 3.00 s long, shorter than one 4.0 s window"):
        features.extract_features(rec, bands={"b": (1, 10)}, window_s=4.0, step_s=1.0)


def test_peripheral_features_match_hand_computation():
    rng = np.random.default_rng(3)
    signals = rng.normal(size=(8, 128 * 10))
    out = features.peripheral_features(signals, sfreq=128.0, window_s=2.0, step_s=2.0)
    assert out.shape == (5, 48)
    names = features.peripheral_feature_names(deap_ds.PERIPHERAL_CHANNELS)
    assert len(names) == 48 and names[:6] == [f"hEOG_{s}" for s in features.PERIPHERAL_STATS]
    window = signals[4, 256:512]  # GSR, second window
    expected = [window.max(), window.min(), window.mean(), window.std(), window.var(), np.sum(window**2)]
    assert out[1, 4 * 6 : 5 * 6] == pytest.approx(expected)


def test_eye_features_count_events_and_pupil_statistics():
    codes = recording.EYE_EVENT_CODES
    t = np.arange(0, 20, 1 / 60)
    pupil = np.column_stack([t, 4.0 + 0.1 * np.sin(2 * np.pi * 0.3 * t), np.full(t.size, 3.0)])
    events = np.array(
        [
            [codes["fixation"], 0.5, 0.3, 1.0, 2.0, 0.0],
            [codes["saccade"], 0.8, 0.05, 0.0, 0.0, 4.0],
            [codes["fixation"], 0.85, 0.5, 3.0, 4.0, 0.0],
            [codes["blink"], 1.5, 0.2, 0.0, 0.0, 0.0],
            [codes["saccade"], 6.0, 0.04, 0.0, 0.0, 2.0],  # second window
        ]
    )
    out = features.eye_features(EyeClip(pupil, events), starts_s=np.array([0.0, 4.0, 8.0]), window_s=4.0)
    names = features.eye_feature_names()
    assert out.shape == (3, 41) and len(names) == 41 and len(set(names)) == 41
    row = dict(zip(names, out[0]))
    assert row["pupil_y_mean"] == pytest.approx(3.0) and row["pupil_y_std"] == pytest.approx(0.0, abs=1e-12)
    assert row["pupil_x_mean"] == pytest.approx(4.0, abs=0.01)
    # The 0.3 Hz oscillation dominates the 0.2-0.4 Hz band.
    psd_x = [row[f"pupil_x_psd_{b}"] for b in features.PUPIL_BANDS]
    assert int(np.argmax(psd_x)) == 1
    assert row["fixation_frequency"] == pytest.approx(2 / 4.0)
    assert row["blink_frequency"] == pytest.approx(1 / 4.0)
    assert row["fixation_duration_max"] == pytest.approx(0.5)
    assert row["fixation_duration_mean"] == pytest.approx(0.4)
    assert row["dispersion_x_mean"] == pytest.approx(2.0)
    assert row["fixation_dispersion_total"] == pytest.approx(math.hypot(1, 2) + math.hypot(3, 4))
    assert row["saccade_amplitude_mean"] == pytest.approx(4.0)
    assert row["saccade_latency_average"] == pytest.approx(0.0, abs=1e-9)  # right after a fixation
    assert dict(zip(names, out[1]))["saccade_frequency"] == pytest.approx(1 / 4.0)
    assert np.all(np.isfinite(out))
    assert dict(zip(names, out[2]))["fixation_frequency"] == 0.0  # empty window -> zeros


def test_bandpass_removes_out_of_band_power():
    sfreq = 200.0
    t = np.arange(int(sfreq * 30)) / sfreq
    # DC offset and 80 Hz lie in the stop bands of a 1-50 Hz FIR (transition 1 Hz and 12.5 Hz).
    eeg = np.vstack([5.0 + np.sin(2 * np.pi * 10 * t) + np.sin(2 * np.pi * 80 * t)] * 2)
    rec = Recording("r", sfreq, ("a", "b"), ("emotion",), [Segment(1, eeg, None, np.array([0.0]))], "none")
    out = features.bandpass_recording(rec, l_freq=1.0, h_freq=50.0).segments[0].eeg
    power, _ = features.band_power(
        out[:, 1000:-1000], sfreq=sfreq, bands={"alpha": (8, 14), "high": (70, 90)}, window_s=4.0, step_s=4.0
    )
    alpha, high = power.mean(axis=(0, 1))
    assert alpha == pytest.approx(0.5, rel=0.02)
    assert high < 1e-4 * alpha
    assert abs(out[:, 1000:-1000].mean()) < 1e-3


@pytest.mark.parametrize(("sfreq", "l_freq", "h_freq", "n_times"), [(200.0, 1.0, 50.0, 9000), (128.0, 4.0, 45.0, 7680), (200.0, 1.0, 50.0, 500)])
def test_fir_bandpass_equals_mne_filter_data(sfreq, l_freq, h_freq, n_times):
    import mne

    data = np.random.default_rng(5).normal(0, 20, (4, n_times))
    expected = mne.filter.filter_data(data, sfreq, l_freq, h_freq, verbose="error")
    got = features.fir_bandpass(data, sfreq=sfreq, l_freq=l_freq, h_freq=h_freq)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-4 * np.abs(expected).max())


# --- quality-control arrays -----------------------------------------------------------


def _qc_recording(sfreq: float = 200.0, seconds=(30.0, 47.0, 12.5, 1.0), seed: int = 0) -> Recording:
    rng = np.random.default_rng(seed)
    segments = []
    for k, duration in enumerate(seconds, start=1):
        n = int(sfreq * duration)
        eeg = rng.normal(0.0, 1.0, (4, n)) * np.array([[1.0], [2.0], [5.0], [0.0]]) + 3000.0  # µV on a 3 mV offset
        eeg[0] += 4.0 * np.sin(2 * np.pi * 10.0 * np.arange(n) / sfreq)
        segments.append(Segment(k, eeg, None, np.array([0.0])))
    return Recording("r", sfreq, ("a", "b", "c", "flat"), ("emotion",), segments, "none")


def test_qc_psd_with_every_window_is_welch_without_overlap():
    """All windows: the length-weighted mean of scipy's Welch (Hann, mean removed, no
    overlap) over the segments; segments shorter than a window are left out."""
    from scipy.signal import welch

    rec = _qc_recording()
    freqs, psd = features.mean_channel_psd(rec, max_windows=None)
    nperseg = 400
    total, count = 0.0, 0
    for seg in rec.segments:
        n = seg.eeg.shape[1] // nperseg
        if n:
            expected_freqs, seg_psd = welch(seg.eeg[:, : n * nperseg], fs=rec.sfreq, nperseg=nperseg, noverlap=0)
            total, count = total + seg_psd * n, count + n
    np.testing.assert_allclose(freqs, expected_freqs)
    np.testing.assert_allclose(psd, total / count, rtol=1e-4, atol=1e-7 * np.abs(total / count).max())
    assert psd.dtype == np.float32 and psd.shape == (4, freqs.size)
    assert not psd[3].any()  # the flat channel


def test_qc_psd_of_a_sample_of_windows_shows_the_spectrum():
    """The default spreads QC_PSD_MAX_WINDOWS windows over a long recording: white-noise
    density and the 10 Hz peak come out (a plot's accuracy), from every segment."""
    rec = _qc_recording(seconds=(600.0, 900.0, 300.0))
    assert sum(seg.eeg.shape[1] // 400 for seg in rec.segments) > 2 * features.QC_PSD_MAX_WINDOWS
    freqs, psd = features.mean_channel_psd(rec)
    white = 2.0 / rec.sfreq  # one-sided density of unit-variance white noise
    noise = (freqs > 20) & (freqs < 90)
    for channel, sd in ((1, 2.0), (2, 5.0)):
        assert np.median(psd[channel, noise]) == pytest.approx(white * sd**2, rel=0.05)
    assert freqs[np.argmax(psd[0])] == pytest.approx(10.0)
    assert features.mean_channel_psd(_qc_recording(seconds=(1.0,)))[0].size == 0  # no segment holds a window


def test_channel_sd_is_the_sd_over_all_segments():
    rec = _qc_recording()
    expected = np.concatenate([seg.eeg for seg in rec.segments], axis=1).std(axis=1)
    got = features.channel_sd(rec, chunk=1000)
    np.testing.assert_allclose(got[:3], expected[:3], rtol=1e-6)
    assert got[3] == 0.0  # a constant channel on a 3 mV offset is exactly flat
    for seg in rec.segments:  # 1 µV of noise on 30 V: the exact path
        seg.eeg[1] = seg.eeg[1] - 3000.0 + 3e7
    got = features.channel_sd(rec, chunk=1000)
    assert got[1] == pytest.approx(np.concatenate([seg.eeg[1] - 3e7 for seg in rec.segments]).std(), rel=1e-6)
