"""Raw SEED (.cnt) and DEAP (.bdf) readers and the synthetic raw writers."""

from __future__ import annotations

import re
from pathlib import Path

import mne
import numpy as np
import pytest
from multimodal_emotion import datasets, recording, synthetic  # noqa: F401
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds  # noqa: F401
from multimodal_emotion.datasets.bcmi import cnt as cnt_format
from multimodal_emotion.datasets.deap import raw as deap_raw
from multimodal_emotion.recording import RawFormatError

SEED_FS = 1000
CLIP_S = 4.0
GAP_S = 1.0
SINE_HZ = 10.0


def _seed_amplitudes() -> dict[str, float]:
    """A distinct amplitude (µV) per raw channel, so channel order can be checked."""
    amps = {name: 20.0 + 2.0 * k for k, name in enumerate(seed_ds.CHANNELS)}
    amps.update({"VEO": 150.0, "HEO": 90.0, "M1": 5.0, "M2": 7.0})
    return amps


def _seed_bounds(n_clips: int = seed_ds.N_CLIPS) -> tuple[list[int], list[int], int]:
    clip, gap = int(CLIP_S * SEED_FS), int(GAP_S * SEED_FS)
    starts = [gap + k * (clip + gap) for k in range(n_clips)]
    ends = [s + clip for s in starts]  # inclusive last sample
    return starts, ends, ends[-1] + gap


def _write_session_files(directory: Path, data: np.ndarray, names: list[str], starts, ends, *,
                         sfreq: float) -> tuple[Path, Path]:
    """``1_1.cnt`` (a start event per clip) and ``time.txt`` of a session in ``directory``."""
    cnt = directory / "1_1.cnt"
    synthetic.seed.write_cnt(cnt, data, ch_names=names, sfreq=sfreq, events=[(s, 1) for s in starts])
    time_txt = directory / "time.txt"
    synthetic.seed.write_time_txt(time_txt, starts=starts, ends=ends)
    return cnt, time_txt


def _write_seed_session(
    directory: Path,
    *,
    channels: tuple[str, ...] | list[str] = seed_ds.RAW_CHANNELS,
    sfreq: int = SEED_FS,
    seed: int = 0,
) -> tuple[Path, Path]:
    """A small SEED-like session: sinusoids of known amplitude, channels shuffled."""
    rng = np.random.default_rng(seed)
    names = list(channels)
    rng.shuffle(names)
    starts, ends, n_times = _seed_bounds()
    t = np.arange(n_times) / sfreq
    amps = _seed_amplitudes()
    data = np.array([amps[n] * np.sin(2 * np.pi * SINE_HZ * t + k) for k, n in enumerate(names)])
    return _write_session_files(directory, data, names, starts, ends, sfreq=sfreq)


# --- CNT writer -----------------------------------------------------------------------


def test_cnt_round_trip_exact_to_int32_step_and_events(tmp_path):
    rng = np.random.default_rng(1)
    names = ["FP1", "FPZ", "CB2", "VEO", "HEO", "M1"]
    data = rng.normal(0.0, 80.0, (len(names), 5003))
    data[2, 100] = 12345.678  # large values stay exact too
    events = [(0, 1), (250, 2), (4000, 7), (5002, 65535)]
    path = tmp_path / "x.cnt"
    synthetic.seed.write_cnt(path, data, ch_names=names, sfreq=1000, events=events, resolution_uV=0.01)

    raw = mne.io.read_raw_cnt(path, data_format="int32", preload=True, verbose="error")
    assert raw.ch_names == names
    assert raw.info["sfreq"] == 1000
    assert raw.n_times == data.shape[1]
    step = synthetic.seed.cnt_resolution_uV(0.01)
    error = np.abs(raw.get_data() * 1e6 - data)
    assert error.max() <= step / 2 * (1 + 1e-6)
    assert seed_ds.read_cnt_events(raw).tolist() == [[s, 0, c] for s, c in events]


def test_cnt_writer_rejects_int32_overflow(tmp_path):
    data = np.full((1, 10), 1e9)
    with pytest.raises(ValueError, match="overflow int32"):
        synthetic.seed.write_cnt(tmp_path / "x.cnt", data, ch_names=["FP1"], sfreq=1000)


# --- time.txt -------------------------------------------------------------------------


def test_time_txt_layouts(tmp_path):
    starts, ends, _ = _seed_bounds()
    lists = tmp_path / "lists.txt"
    synthetic.seed.write_time_txt(lists, starts=starts, ends=ends)
    table = tmp_path / "table.txt"
    synthetic.seed.write_time_txt(table, starts=starts, ends=ends, layout="table")
    wrapped = tmp_path / "wrapped.txt"  # lists over several lines, comments, spaces
    wrapped.write_text(
        "# clip bounds at 1000 Hz\nstart_point_list = [\n"
        + ",\n".join(map(str, starts))
        + "]\nend_point_list: [" + " ".join(map(str, ends)) + "]  # inclusive\n"
    )
    expected = list(zip(starts, ends))
    for path in (lists, table, wrapped):
        assert seed_ds.read_time_txt(path) == expected


_FOURTEEN_ROWS = "\n".join(f"{10 * k} {10 * k + 5}" for k in range(14))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "start_point_list = [1, 5]\nend_point_list = [3, 9]\n",
            "found 2 start/end pairs, expected 15 clips",
        ),
        ("nothing here\n", "no clip bounds found"),
        ("start_point_list = [1, 5]\n", "no 'end' list"),
        (
            "start_point_list = [1, 5]\nend_point_list = [3]\n",
            "start list has 2 entries but end list has 1",
        ),
        (_FOURTEEN_ROWS + "\n150 150\n", "clip 15: start 150 is not before end 150"),
        (_FOURTEEN_ROWS + "\n100 200\n", "clip 15 starts at 100, before clip 14 ends (135)"),
    ],
)
def test_time_txt_errors_name_file_and_problem(tmp_path, text, problem):
    path = tmp_path / "time.txt"
    path.write_text(text)
    with pytest.raises(RawFormatError) as info:
        seed_ds.read_time_txt(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message


# --- SEED reader ----------------------------------------------------------------------


def test_seed_cnt_sinusoid_amplitude_and_channel_order(tmp_path):
    cnt, time_txt = _write_seed_session(tmp_path)
    session = seed_ds.read_cnt(cnt, time_txt)

    amps = _seed_amplitudes()
    assert session.sfreq == seed_ds.SFREQ
    assert session.ch_names == seed_ds.CHANNELS
    assert session.eog_names == ("VEO", "HEO")
    assert len(session.clips) == len(session.eog) == seed_ds.N_CLIPS
    n_out = int(CLIP_S * seed_ds.SFREQ) + 1  # inclusive end: one sample per instant
    expected_rms = np.array([amps[n] for n in seed_ds.CHANNELS]) / np.sqrt(2)
    for clip, eog in zip(session.clips, session.eog):
        assert clip.shape == (62, n_out) and clip.dtype == np.float64
        rms = np.sqrt(np.mean(clip**2, axis=1))
        np.testing.assert_allclose(rms, expected_rms, rtol=0.01)
        eog_rms = np.sqrt(np.mean(eog**2, axis=1))
        np.testing.assert_allclose(eog_rms, [150 / np.sqrt(2), 90 / np.sqrt(2)], rtol=0.01)


def test_seed_cnt_values_follow_the_raw_samples(tmp_path):
    cnt, time_txt = _write_seed_session(tmp_path)
    session = seed_ds.read_cnt(cnt, time_txt, keep_eog=False)
    assert session.eog is None
    raw = mne.io.read_raw_cnt(cnt, data_format="int32", preload=True, verbose="error")
    start, _ = session.bounds[3]
    direct = raw.get_data(picks=["FP1"])[0, start : start + 5 * 800 : 5] * 1e6
    # a 10 Hz sine survives 1000 -> 200 Hz resampling sample for sample (not at the edges)
    np.testing.assert_allclose(session.clips[3][0, 50:750], direct[50:750], atol=0.05)


def test_seed_cnt_wrong_sampling_rate(tmp_path):
    cnt, time_txt = _write_seed_session(tmp_path, sfreq=500)
    with pytest.raises(RawFormatError) as info:
        seed_ds.read_cnt(cnt, time_txt)
    assert str(info.value) == f"{cnt}: sampling rate is 500 Hz, expected 1000 Hz"


def test_seed_cnt_missing_channel(tmp_path):
    channels = [n for n in seed_ds.RAW_CHANNELS if n not in ("CB2", "FPZ")]
    cnt, time_txt = _write_seed_session(tmp_path, channels=channels)
    with pytest.raises(RawFormatError) as info:
        seed_ds.read_cnt(cnt, time_txt)
    assert str(info.value).startswith(f"{cnt}: missing EEG channel(s) FPZ, CB2")


def test_seed_cnt_missing_eog_unless_not_kept(tmp_path):
    channels = [n for n in seed_ds.RAW_CHANNELS if n != "HEO"]
    cnt, time_txt = _write_seed_session(tmp_path, channels=channels)
    with pytest.raises(RawFormatError, match=re.escape(f"{cnt}: missing EOG channel(s) HEO")):
        seed_ds.read_cnt(cnt, time_txt)
    assert seed_ds.read_cnt(cnt, time_txt, keep_eog=False).eog is None


def test_seed_cnt_clip_outside_recording(tmp_path):
    cnt, time_txt = _write_seed_session(tmp_path)
    starts, ends, n_times = _seed_bounds()
    ends[-1] = n_times + 10
    synthetic.seed.write_time_txt(time_txt, starts=starts, ends=ends)
    with pytest.raises(RawFormatError) as info:
        seed_ds.read_cnt(cnt, time_txt)
    message = str(info.value)
    assert message.startswith(f"{cnt}: clip 15 ends at sample {n_times + 10}")
    assert f"beyond the recording's last sample {n_times - 1}" in message


def test_seed_cnt_time_txt_without_15_pairs(tmp_path):
    cnt, time_txt = _write_seed_session(tmp_path)
    starts, ends, _ = _seed_bounds()
    synthetic.seed.write_time_txt(time_txt, starts=starts[:14], ends=ends[:14])
    with pytest.raises(RawFormatError) as info:
        seed_ds.read_cnt(cnt, time_txt)
    assert str(info.value) == f"{time_txt}: found 14 start/end pairs, expected 15 clips"


def test_seed_cnt_unreadable_file(tmp_path):
    _, time_txt = _write_seed_session(tmp_path)
    bad = tmp_path / "bad.cnt"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(RawFormatError, match=re.escape(f"{bad}: not a readable Neuroscan CNT")):
        seed_ds.read_cnt(bad, time_txt)


# --- SEED reader: clips read through MNE, polyphase decimation ---------------------------


def _write_broadband_session(directory: Path, *, seed: int = 0) -> tuple[Path, Path]:
    """A session whose channels carry what a real one does and more: 1/f noise (20 µV),
    white noise up to 500 Hz, a 10 Hz and a 23 Hz sine, a 150 Hz line (no reader may
    fold it into the 200 Hz clips) and a DC offset of up to 5 mV."""
    rng = np.random.default_rng(seed)
    starts, ends, n_times = _seed_bounds()
    names = list(seed_ds.RAW_CHANNELS)
    t = np.arange(n_times) / SEED_FS
    spectrum = np.fft.rfft(rng.standard_normal((len(names), n_times)), axis=-1)
    freqs = np.fft.rfftfreq(n_times, 1 / SEED_FS)
    spectrum[:, 1:] /= np.sqrt(freqs[1:])
    spectrum[:, 0] = 0
    pink = np.fft.irfft(spectrum, n=n_times, axis=-1)
    data = 20.0 * pink / pink.std(axis=1, keepdims=True) + 2.0 * rng.standard_normal(pink.shape)
    data += 10.0 * np.sin(2 * np.pi * 10.0 * t + rng.uniform(0, 2 * np.pi, (len(names), 1)))
    data += 5.0 * np.sin(2 * np.pi * 23.0 * t) + 5.0 * np.sin(2 * np.pi * 150.0 * t)
    data += rng.uniform(-5000.0, 5000.0, (len(names), 1))
    return _write_session_files(directory, data, names, starts, ends, sfreq=SEED_FS)


def test_polyphase_clips_equal_the_fft_clips_within_the_anti_alias_filters(tmp_path):
    """Today's reader (polyphase FIR on the recording around each clip) against the earlier one
    (MNE reads, FFT resampling). The two anti-alias filters differ around 100 Hz (the
    FFT's brick wall, the Kaiser FIR's ~85-115 Hz transition band; the unfiltered clips
    differ by ~7 % RMS there): below 60 Hz, and in the DE of every band, they agree to
    the Kaiser FIR's passband ripple (~0.1 %)."""
    cnt, time_txt = _write_broadband_session(tmp_path)
    new = seed_ds.read_cnt(cnt, time_txt)  # resample_method="polyphase" is the default
    old = seed_ds.read_cnt(cnt, time_txt, resample_method="fft")
    assert new.bounds == old.bounds and new.eog_names == old.eog_names
    from multimodal_emotion import features

    bands = synthetic.DEFAULT_SEED_BANDS
    for a, b in zip(new.clips + new.eog, old.clips + old.eog):
        assert a.shape == b.shape and a.dtype == b.dtype == np.float64
        low_a, low_b = (mne.filter.filter_data(x, seed_ds.SFREQ, None, 60.0, verbose="error") for x in (a, b))
        inner = slice(100, -100)  # 0.5 s: the low-pass filter's own edges
        relative = np.std(low_a[:, inner] - low_b[:, inner], axis=1) / np.std(low_b[:, inner], axis=1)
        assert relative.max() < 3e-3, relative.max()
        power_a, _ = features.band_power(a, sfreq=seed_ds.SFREQ, bands=bands, window_s=1.0, step_s=0.5)
        power_b, _ = features.band_power(b, sfreq=seed_ds.SFREQ, bands=bands, window_s=1.0, step_s=0.5)
        de_gap = np.abs(features.differential_entropy(power_a) - features.differential_entropy(power_b))
        assert de_gap.max() < 5e-3, de_gap.max()  # nats; every window, the clip edges included


def test_polyphase_clips_are_resample_poly_of_the_whole_recording(tmp_path):
    """Each clip is scipy's resample_poly (up 1, down 5) of the continuous recording at the
    clip's output instants, edges included: the filter reads the samples around the clip
    from the file instead of padding the clip."""
    from scipy.signal import resample_poly

    cnt, time_txt = _write_broadband_session(tmp_path)
    session = seed_ds.read_cnt(cnt, time_txt)
    raw = mne.io.read_raw_cnt(cnt, data_format="int32", preload=True, verbose="error")
    recording_uV = raw.get_data(picks=list(seed_ds.CHANNELS) + list(session.eog_names)) * 1e6
    whole = resample_poly(recording_uV, 1, 5, axis=-1)  # output m at raw sample 5 m
    for (start, _), clip, eog in zip(session.bounds, session.clips, session.eog):
        assert start % 5 == 0
        expected = whole[:, start // 5 : start // 5 + clip.shape[1]]
        np.testing.assert_allclose(np.vstack([clip, eog]), expected, rtol=0, atol=1e-6)


def test_a_blocked_channel_layout_gives_the_same_clips(tmp_path):
    """CNT files may store ``channel_offset`` samples of a channel together (header byte
    894); such a file gives the clips of the same samples stored one sample at a time."""
    cnt, time_txt = _write_seed_session(tmp_path)
    raw = mne.io.read_raw_cnt(cnt, data_format="int32", preload=False, verbose="error")
    n_ch, n_times, block = len(raw.ch_names), raw.n_times, 4
    assert n_times % block == 0
    data_offset = 900 + 75 * n_ch
    content = bytearray(cnt.read_bytes())
    samples = np.frombuffer(bytes(content[data_offset : data_offset + 4 * n_ch * n_times]), dtype="<i4")
    blocked = samples.reshape(n_times // block, block, n_ch).transpose(0, 2, 1)
    content[data_offset : data_offset + samples.nbytes] = np.ascontiguousarray(blocked).tobytes()
    content[894:898] = np.int32(4 * block).tobytes()  # bytes per channel block
    blocked_cnt = tmp_path / "1_2.cnt"
    blocked_cnt.write_bytes(bytes(content))
    blocked_raw = mne.io.read_raw_cnt(blocked_cnt, data_format="int32", preload=False, verbose="error")
    np.testing.assert_array_equal(blocked_raw.get_data(), raw.get_data())  # the file is what MNE expects
    for a, b in zip(seed_ds.read_cnt(blocked_cnt, time_txt).clips, seed_ds.read_cnt(cnt, time_txt).clips):
        np.testing.assert_array_equal(a, b)


def test_cnt_cut_short_gives_one_line(tmp_path):
    """A copy that stopped part-way (MNE refuses its header), and one whose samples stop
    part-way but whose event table and header offsets were kept (MNE opens it; the
    reader finds the clips' samples missing)."""
    cnt, time_txt = _write_seed_session(tmp_path)
    content = cnt.read_bytes()
    cut = tmp_path / "1_2.cnt"
    cut.write_bytes(content[: len(content) * 2 // 3])
    n_ch = len(seed_ds.RAW_CHANNELS)
    data_offset = 900 + 75 * n_ch
    event_pos = int(np.frombuffer(content[886:890], dtype="<i4")[0])
    kept = data_offset + 4 * n_ch * 40_000  # samples up to clip 8
    short = bytearray(content[:kept] + content[event_pos:])
    short[886:890] = np.int32(kept).tobytes()
    short_cnt = tmp_path / "1_3.cnt"
    short_cnt.write_bytes(bytes(short))
    for path, data_format, problem in ((cut, "auto", ""), (cut, "int32", ""), (short_cnt, "auto", "(truncated: "),
                                       (short_cnt, "int32", "(truncated: ")):
        with pytest.raises(RawFormatError) as info:
            seed_ds.read_cnt(path, time_txt, data_format=data_format, verbose="error")
        message = str(info.value)
        assert message.startswith(f"{path}: not a readable Neuroscan CNT file ") and "\n" not in message, message
        assert problem in message, message


# --- DEAP -----------------------------------------------------------------------------


def _deap_preprocessed(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Preprocessed-style trials whose EEG is in 4-45 Hz and common-average referenced.

    Each (trial, channel) has its own frequency/phase, so a wrong trial or channel order
    shows up as a large error.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(deap_ds.N_SAMPLES) / deap_ds.SFREQ
    data = np.empty((40, 40, deap_ds.N_SAMPLES))
    for trial in range(40):
        freqs = rng.uniform(6.0, 40.0, 32)
        phases = rng.uniform(0, 2 * np.pi, 32)
        amps = rng.uniform(5.0, 30.0, 32)
        eeg = amps[:, None] * np.sin(2 * np.pi * freqs[:, None] * t + phases[:, None])
        data[trial, :32] = eeg - eeg.mean(axis=0)
        slow = np.sin(2 * np.pi * (0.2 + 0.01 * trial) * t)
        data[trial, 32:36] = rng.uniform(50, 200, (4, 1)) * slow  # EOG/EMG, bipolar
        data[trial, 36:] = rng.uniform(1e3, 5e3, (4, 1)) + 20 * slow  # GSR..Temp
    labels = rng.uniform(1.0, 9.0, (40, 4))
    return data, labels


@pytest.fixture(scope="module", params=["Twente", "Geneva"])
def deap_recording(request, tmp_path_factory):
    """A full-size DEAP-like BDF (40 shuffled trials) in either EEG order."""
    directory = tmp_path_factory.mktemp(f"deap_{request.param}")
    data, labels = _deap_preprocessed()
    order = np.random.default_rng(7).permutation(40) + 1
    names = deap_ds.TWENTE_CHANNELS if request.param == "Twente" else deap_ds.EEG_CHANNELS
    raw = synthetic.deap.raw_from_preprocessed(
        data, presentation_order=order, eeg_names=names,
        lead_s=1.0, fixation_s=3.0, post_s=1.0, rating_s=0.0,
    )
    bdf = directory / "s01.bdf"
    synthetic.deap.write_bdf(
        bdf, eeg_uV=raw.eeg_uV, eeg_names=raw.eeg_names, exg_uV=raw.exg_uV,
        peripheral=raw.peripheral, status=raw.status,
    )
    ratings = directory / "participant_ratings.csv"
    synthetic.deap.write_ratings_csv(
        ratings, participant=2, presentation_order=np.roll(order, 1), labels=labels[::-1]
    )  # another participant first: the reader must pick participant 1's rows
    synthetic.deap.write_ratings_csv(
        ratings, participant=1, presentation_order=order, labels=labels, append=True
    )
    out = deap_ds.read_bdf(bdf, ratings, participant=1, verbose="error")
    return request.param, bdf, data, labels, order, out


def test_deap_peripheral_sources_follow_preprocessed_channels():
    assert len(deap_ds.PERIPHERAL_SOURCES) == len(deap_ds.PERIPHERAL_CHANNELS) == 8
    assert deap_ds.PERIPHERAL_SOURCES[:4] == (
        ("EXG1", "EXG2"), ("EXG3", "EXG4"), ("EXG5", "EXG6"), ("EXG7", "EXG8")
    )
    assert deap_ds.PERIPHERAL_CHANNELS[:4] == ("hEOG", "vEOG", "zEMG", "tEMG")


def test_deap_twente_order_is_biosemi32():
    # The Twente list (resources/deap_twente_channels.txt) is BioSemi's 32-channel order.
    montage = mne.channels.make_standard_montage("biosemi32")
    assert deap_ds.TWENTE_CHANNELS == tuple(montage.ch_names)
    assert sorted(deap_ds.TWENTE_CHANNELS) == sorted(deap_ds.EEG_CHANNELS)
    assert deap_ds.TWENTE_CHANNELS != deap_ds.EEG_CHANNELS


def test_deap_bdf_trials_in_experiment_order_with_labels(deap_recording):
    layout, bdf, data, labels, order, (out, out_labels) = deap_recording
    raw = mne.io.read_raw_bdf(bdf, verbose="error")
    expected_names = deap_ds.TWENTE_CHANNELS if layout == "Twente" else deap_ds.EEG_CHANNELS
    assert tuple(raw.ch_names[:32]) == expected_names
    assert len(raw.ch_names) == 48 and raw.ch_names[-1] == "Status"
    assert order.tolist() != sorted(order.tolist())  # presentation really is shuffled

    assert out.shape == (40, 40, 8064) and out.dtype == np.float64
    assert out_labels.shape == (40, 4)
    np.testing.assert_allclose(out_labels, labels)
    inner = slice(2 * 128, 8064 - 2 * 128)  # away from the trial borders' filter edges
    eeg_error = np.abs(out[:, :32, inner] - data[:, :32, inner]).max()
    assert eeg_error < 0.02 * np.abs(data[:, :32]).max()
    periph_error = np.abs(out[:, 32:, inner] - data[:, 32:, inner]).max()
    assert periph_error < 1e-3 * np.abs(data[:, 32:]).max()
    # each trial is closest to its own experiment's trial (not just small on average)
    flat_out = out[:, :32, inner].reshape(40, -1)
    flat_in = data[:, :32, inner].reshape(40, -1)
    distances = (
        (flat_out**2).sum(1)[:, None] + (flat_in**2).sum(1)[None, :] - 2 * flat_out @ flat_in.T
    )
    assert distances.argmin(axis=1).tolist() == list(range(40))


def _small_bdf(
    path, *, n_starts, eeg_names=deap_ds.TWENTE_CHANNELS, high_bits=0, seconds=30,
    status_name=deap_ds.STATUS_CHANNEL,
):
    """A short BDF with ``n_starts`` code-4 onsets, 0.5 s apart."""
    sfreq = int(deap_ds.RAW_SFREQ)
    n_times = seconds * sfreq
    status = np.full(n_times, high_bits, dtype=np.int64)
    for k in range(n_starts):
        onset = sfreq // 2 + k * sfreq // 2
        status[onset : onset + sfreq // 4] = high_bits | deap_ds.VIDEO_START_CODE
        status[onset + sfreq // 4 : onset + sfreq // 2] = high_bits | deap_ds.CODE_POST_FIXATION
    rng = np.random.default_rng(3)
    synthetic.deap.write_bdf(
        path,
        eeg_uV=rng.normal(0, 10, (32, n_times)),
        eeg_names=eeg_names,
        exg_uV=rng.normal(0, 10, (8, n_times)),
        peripheral=rng.normal(100, 1, (4, n_times)),
        status=status,
        status_name=status_name,
    )


def _ratings(path, *, skip_trial=None):
    order = np.arange(1, 41)
    synthetic.deap.write_ratings_csv(
        path, participant=1, presentation_order=order, labels=np.full((40, 4), 5.0)
    )
    if skip_trial is not None:
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(lines[:skip_trial] + lines[skip_trial + 1 :]))


def test_deap_bdf_status_codes_read_back_with_find_events(tmp_path):
    bdf = tmp_path / "s01.bdf"
    _small_bdf(bdf, n_starts=3, high_bits=0x1A0000)  # s24+ carry high Status bits
    raw = mne.io.read_raw_bdf(bdf, verbose="error")
    events = mne.find_events(raw, consecutive=True, mask=0xFF, mask_type="and", verbose=False)
    assert events[:, 2].tolist() == [4, 5] * 3
    assert events[::2, 0].tolist() == [256, 512, 768]
    values = mne.find_events(raw, consecutive=True, verbose=False)[:, 2]
    assert set(values.tolist()) == {(0x1A0000 | 4) & (2**17 - 1), (0x1A0000 | 5) & (2**17 - 1)}


@pytest.mark.parametrize("n_starts", [39, 41])
def test_deap_bdf_wrong_number_of_video_starts(tmp_path, n_starts):
    bdf, ratings = tmp_path / "s01.bdf", tmp_path / "ratings.csv"
    _small_bdf(bdf, n_starts=n_starts)
    _ratings(ratings)
    with pytest.raises(RawFormatError) as info:
        deap_ds.read_bdf(bdf, ratings, participant=1, verbose="error")
    assert str(info.value) == (
        f"{bdf}: found {n_starts} music-video starts (Status code 4), expected 40"
    )


def test_deap_bdf_missing_ratings_row(tmp_path):
    bdf, ratings = tmp_path / "s01.bdf", tmp_path / "ratings.csv"
    _small_bdf(bdf, n_starts=40)
    _ratings(ratings, skip_trial=17)
    with pytest.raises(RawFormatError) as info:
        deap_ds.read_bdf(bdf, ratings, participant=1, verbose="error")
    assert str(info.value) == f"{ratings}: no rating row for participant 1, trial 17"


def test_deap_bdf_no_ratings_for_participant(tmp_path):
    bdf, ratings = tmp_path / "s01.bdf", tmp_path / "ratings.csv"
    _small_bdf(bdf, n_starts=40)
    _ratings(ratings)
    expected = f"{ratings}: no rating rows for participant 5"
    with pytest.raises(RawFormatError, match=re.escape(expected)):
        deap_ds.read_bdf(bdf, ratings, participant=5, verbose="error")


def test_deap_bdf_unknown_channel_layout(tmp_path):
    names = list(deap_ds.EEG_CHANNELS)
    names[2], names[3] = names[3], names[2]  # F7 F3: neither Geneva nor Twente
    bdf, ratings = tmp_path / "s01.bdf", tmp_path / "ratings.csv"
    _small_bdf(bdf, n_starts=40, eeg_names=names)
    _ratings(ratings)
    with pytest.raises(RawFormatError) as info:
        deap_ds.read_bdf(bdf, ratings, participant=1, verbose="error")
    message = str(info.value)
    assert message.startswith(f"{bdf}: unknown channel layout: channels 1-32 are Fp1 AF3 F7 F3")
    assert "neither the Geneva order" in message and "\n" not in message


def test_deap_bdf_trial_outside_recording(tmp_path):
    bdf, ratings = tmp_path / "s01.bdf", tmp_path / "ratings.csv"
    _small_bdf(bdf, n_starts=40)  # first onset at 0.5 s: no room for the 3 s baseline
    _ratings(ratings)
    with pytest.raises(RawFormatError, match=re.escape(f"{bdf}: trial 1 (video start at 0.50 s)")):
        deap_ds.read_bdf(bdf, ratings, participant=1, verbose="error")


def test_deap_bdf_wrong_sampling_rate(tmp_path):
    bdf, ratings = tmp_path / "s01.bdf", tmp_path / "ratings.csv"
    n_times = 256 * 10
    synthetic.deap.write_bdf(
        bdf, eeg_uV=np.zeros((32, n_times)), eeg_names=deap_ds.EEG_CHANNELS,
        exg_uV=np.zeros((8, n_times)), peripheral=np.zeros((4, n_times)),
        status=np.zeros(n_times, dtype=int), sfreq=256,
    )
    _ratings(ratings)
    with pytest.raises(RawFormatError) as info:
        deap_ds.read_bdf(bdf, ratings, participant=1, verbose="error")
    assert str(info.value) == f"{bdf}: sampling rate is 256 Hz, expected 512 Hz"


@pytest.mark.parametrize("status_name", ["", "-1"])
def test_deap_bdf_status_channel_of_later_subjects(tmp_path, status_name):
    bdf = tmp_path / "s25.bdf"
    _small_bdf(bdf, n_starts=40, status_name=status_name)
    opened = deap_raw._open_bdf(bdf, verbose="error")
    assert opened.ch_names[-1] == status_name
    assert len(deap_raw._deap_video_onsets(bdf, opened, status_name, verbose="error")) == 40


# --- sample width and amplitude plausibility ------------------------------------------


def _write_16bit_session(directory: Path) -> tuple[Path, Path]:
    cnt, time_txt = _write_seed_session(directory)
    raw = mne.io.read_raw_cnt(cnt, data_format="int32", preload=True, verbose="error")
    cnt16 = directory / "1_2.cnt"
    synthetic.seed.write_cnt(cnt16, raw.get_data() * 1e6, ch_names=raw.ch_names, sfreq=SEED_FS, resolution_uV=0.02,
                   sample_format="int16")
    return cnt16, time_txt


def test_16bit_cnt_read_as_32bit_is_refused_with_a_hint(tmp_path):
    cnt16, time_txt = _write_16bit_session(tmp_path)
    with pytest.raises(RawFormatError) as info:
        seed_ds.read_cnt(cnt16, time_txt, data_format="int32")
    message = str(info.value)
    assert message.startswith(f"{cnt16}: clip 1: median channel SD is") and "\n" not in message
    assert "beyond any EEG" in message and "16-bit file" in message and "cnt_data_format: int16" in message


def test_the_width_hint_reads_the_sample_width_from_the_header(tmp_path):
    cnt16, _ = _write_16bit_session(tmp_path)
    for path, width in ((cnt16, "16"), (tmp_path / "1_1.cnt", "32")):
        raw = mne.io.read_raw_cnt(path, data_format="auto", preload=False, verbose="error")
        assert cnt_format._sample_width(raw) == width


def test_16bit_cnt_is_read_right_with_auto_detection(tmp_path):
    cnt16, time_txt = _write_16bit_session(tmp_path)
    cnt32 = tmp_path / "1_1.cnt"
    auto = seed_ds.read_cnt(cnt16, time_txt)  # data_format="auto" is the default
    reference = seed_ds.read_cnt(cnt32, time_txt)
    for a, b in zip(auto.clips, reference.clips):
        np.testing.assert_allclose(a, b, atol=0.05)


def test_many_missing_channels_give_a_short_message(tmp_path):
    channels = [n for n in seed_ds.RAW_CHANNELS if n not in seed_ds.CHANNELS[:40]]
    cnt, time_txt = _write_seed_session(tmp_path, channels=channels)
    with pytest.raises(RawFormatError) as info:
        seed_ds.read_cnt(cnt, time_txt)
    message = str(info.value)
    assert "(40 of the 62 SEED channels)" in message and "FP1, FPZ, FP2, AF3, AF4, ..." in message
    assert seed_ds.CHANNELS[10] not in message.split(":", 1)[1]
