"""Neuroscan ``.cnt`` recordings.

:func:`read_cnt` opens a recording with MNE and cuts its trials at given bounds (raw
samples; SEED's from ``time.txt``, :mod:`.trial_times`), resampled to the preprocessed
rate. Which channels, how many trials, which rates: the caller's (the dataset's spec),
never a module constant here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ...recording import (
    RawFormatError,
    check_amplitude,
    check_file,
    check_option,
    first_line,
    fit_length,
    name_list,
    resample_npad,
)
from .trial_times import read_time_txt

logger = logging.getLogger(__name__)

CNT_DATA_FORMATS = ("auto", "int16", "int32")


# --- raw recordings: the .cnt ---------------------------------------------------------


@dataclass
class RawSession:
    """One SEED session read from its raw ``.cnt`` recording.

    Attributes
    ----------
    clips : list of ndarray, shape (62, n_times_k)
        The 15 clips, float64, µV, rows in ``ch_names`` order, at ``sfreq``.
    eog : list of ndarray, shape (n_eog, n_times_k) | None
        The EOG channels ``eog_names`` of each clip (µV, ``sfreq``), or None when
        read with ``keep_eog=False``.
    eog_names : tuple of str
        Names of the EOG rows, as in the file (e.g. ``("VEO", "HEO")``).
    bounds : list of (int, int)
        The clip bounds of ``time.txt`` in samples at ``raw_sfreq``.
    sfreq : float
        Sampling rate of ``clips`` and ``eog`` (200 Hz).
    raw_sfreq : float
        Sampling rate of the recording (1000 Hz).
    ch_names : tuple of str
        ``CHANNELS``.
    source : str
        Path of the ``.cnt`` file.
    """

    clips: list[np.ndarray]
    eog: list[np.ndarray] | None
    eog_names: tuple[str, ...]
    bounds: list[tuple[int, int]]
    sfreq: float
    raw_sfreq: float
    ch_names: tuple[str, ...] = ()
    source: str = ""


def read_cnt(
    cnt_path: str | Path,
    time_path: str | Path,
    *,
    channels: Sequence[str],
    sfreq_expected: float = 1000.0,
    target_sfreq: float = 200.0,
    keep_eog: bool = True,
    eog: Sequence[str] = ("VEO", "HEO"),
    drop: Sequence[str] = ("M1", "M2"),
    inclusive_end: bool = True,
    n_clips: int = 15,
    bounds: Sequence[tuple[int, int]] | None = None,
    config_key: str = "seed.cnt_data_format",
    dataset: str = "SEED",
    resample_method: Literal["polyphase", "fft"] = "polyphase",
    data_format: Literal["auto", "int16", "int32"] = "auto",
    verbose: bool | str | int | None = None,
) -> RawSession:
    """Read a SEED raw session (Neuroscan ``.cnt``) and cut its film clips.

    The header, channel names, calibrations and events come from
    ``mne.io.read_raw_cnt(..., data_format=data_format, preload=False)``; the samples are
    read clip by clip with MNE's ``get_data(start, stop)``. With
    ``resample_method="polyphase"`` (the default) each clip is decimated to
    ``target_sfreq`` by :func:`scipy.signal.resample_poly` fed with the recording's own
    samples around the clip instead of edge padding (:func:`decimate_clip`). With
    ``"fft"`` (the earlier reader, kept for comparison) each clip is resampled with
    :func:`mne.filter.resample` (FFT).
    Only one clip is in memory at a time, so a full session (66 channels x ~3.9 M
    samples at 1000 Hz, ~1 GB on disk) needs a few hundred MB.

    Parameters
    ----------
    cnt_path : path-like
        The session's ``{subject}_{session}.cnt``.
    time_path : path-like
        ``time.txt`` with the clip bounds; see :func:`read_time_txt` for the layouts.
    sfreq_expected : float
        Sampling rate the recording must have (Hz).
    target_sfreq : float
        Sampling rate of the returned clips (Hz), 200 like the preprocessed release.
    keep_eog : bool
        Return the ``eog`` channels too (as EOG). If True they must be in the file.
    eog : sequence of str
        Names of the EOG channels (SEED: ``VEO``, ``HEO``).
    drop : sequence of str
        Channels left out (SEED: the mastoids ``M1``, ``M2``). Other channels that are
        neither EEG, EOG nor dropped are ignored as well.
    inclusive_end : bool
        If True (SEED), a clip spans raw samples ``start..end`` inclusive and has
        ``floor((end - start) * target_sfreq / sfreq_expected) + 1`` output samples,
        one per output sampling instant from ``start`` on (27000..262000 at 1000 Hz
        gives 47001 samples at 200 Hz). If False, the clip is ``start..end-1`` and has
        ``round((end - start) * target_sfreq / sfreq_expected)`` samples.
    n_clips : int
        Number of clips in ``time.txt`` (15).
    resample_method : ``"polyphase"`` | ``"fft"``
        ``"polyphase"``: polyphase FIR decimation (an integer ratio such as 1000 -> 200 Hz;
        other ratios use :func:`mne.filter.resample` with ``method="polyphase"``).
        ``"fft"``: :func:`mne.filter.resample` by FFT (the earlier reader; its clips
        equal the polyphase ones within the two anti-alias filters' difference, tested).
    data_format : ``"auto"`` | ``"int16"`` | ``"int32"``
        Sample width of the file. ``"auto"`` infers it from the header's sample count
        and the event-table position (MNE); where that is impossible (files over 2 GB,
        an inconsistent header) int32 is assumed. Either way the amplitude check below
        refuses a wrong guess.
    verbose : bool | str | int | None
        MNE's verbosity for reading and resampling.

    Returns
    -------
    session : RawSession
        15 float64 arrays (62, n) in ``CHANNELS`` order, µV, 200 Hz, and
        the EOG arrays.

    Raises
    ------
    RawFormatError
        If the file is unreadable, its sampling rate is not ``sfreq_expected``, one of
        the 62 EEG channels (or, with ``keep_eog``, an EOG channel) is missing, a clip
        bound lies outside the recording, ``time.txt`` does not hold ``n_clips``
        increasing ``start < end`` pairs, or the first clip's median channel SD is beyond
        any EEG (> 10 mV: most likely a 16-bit file read as 32-bit, or the reverse).

    Notes
    -----
    Channel names are matched case-insensitively. SEED's preprocessed clips were also
    low-pass filtered (0-75 Hz); this reader does not filter beyond the anti-aliasing
    of the resampling.
    """
    import mne

    cnt_path = Path(cnt_path)
    check_option("resample_method", resample_method, ("fft", "polyphase"))
    drop_set = {name.upper() for name in drop}
    CHANNELS = tuple(channels)
    clash = sorted(drop_set & {name.upper() for name in CHANNELS})
    if clash:
        raise ValueError(f"drop must not name {dataset} EEG channels, got {clash}")
    if bounds is None:
        bounds = read_time_txt(time_path, n_clips=n_clips)
    bounds = [(int(s), int(e)) for s, e in bounds]
    check_file(cnt_path, error=RawFormatError)
    check_option("data_format", data_format, CNT_DATA_FORMATS)
    raw = _open_cnt(cnt_path, eog=tuple(eog) if keep_eog else (), data_format=data_format, verbose=verbose)
    sfreq = float(raw.info["sfreq"])
    if sfreq != float(sfreq_expected):
        raise RawFormatError(
            cnt_path, f"sampling rate is {sfreq:g} Hz, expected {float(sfreq_expected):g} Hz"
        )
    by_upper = {name.upper(): name for name in raw.ch_names}
    missing = [name for name in CHANNELS if name.upper() not in by_upper]
    if missing:
        raise RawFormatError(
            cnt_path,
            f"missing EEG channel(s) {name_list(missing)} ({len(missing)} of the {len(CHANNELS)} {dataset} channels)",
        )
    eeg_picks = [by_upper[name.upper()] for name in CHANNELS]
    eog_picks: list[str] = []
    if keep_eog:
        missing = [name for name in eog if name.upper() not in by_upper]
        if missing:
            raise RawFormatError(
                cnt_path,
                f"missing EOG channel(s) {', '.join(missing)} (pass keep_eog=False to "
                "read without EOG)",
            )
        eog_picks = [by_upper[name.upper()] for name in eog]
    ignored = sorted(
        set(raw.ch_names) - set(eeg_picks) - set(eog_picks)
        - {by_upper[n] for n in drop_set if n in by_upper}
    )
    if ignored:
        logger.info("%s: ignoring channel(s) %s.", cnt_path, ", ".join(ignored))

    n_times = raw.n_times
    ratio = float(target_sfreq) / sfreq
    for k, (_, end) in enumerate(bounds, start=1):
        last = end if inclusive_end else end - 1
        if last > n_times - 1:
            raise RawFormatError(
                cnt_path,
                f"clip {k} ends at sample {end} ({Path(time_path).name}), beyond the "
                f"recording's last sample {n_times - 1}",
            )

    picks = eeg_picks + eog_picks
    n_eeg = len(eeg_picks)
    clips: list[np.ndarray] = []
    eogs: list[np.ndarray] = []
    logger.info(
        "Reading %d clips of %s at %g Hz and resampling them to %g Hz (%s).",
        len(bounds), cnt_path, sfreq, target_sfreq, resample_method,
    )
    factor = sfreq / float(target_sfreq)
    integer_factor = resample_method == "polyphase" and factor == round(factor) and factor >= 1
    for start, end in bounds:
        if inclusive_end:
            n_out = int(np.floor((end - start) * ratio + 1e-9)) + 1
        else:
            n_out = int(round((end - start) * ratio))
        if integer_factor:
            resampled = decimate_clip(raw, picks, start, n_out, int(round(factor)), verbose=verbose)
        else:
            n_in = int(round(n_out / ratio))
            stop = min(start + n_in, n_times)
            data = read_samples(raw, picks, start, stop, verbose=verbose)
            if data.shape[1] < n_in:  # the last output instants need a few samples more
                data = np.pad(data, ((0, 0), (0, n_in - data.shape[1])), mode="edge")
            resampled = mne.filter.resample(
                data,
                up=float(target_sfreq),
                down=sfreq,
                npad=resample_npad(n_in, sfreq, float(target_sfreq)),
                method=resample_method,
                verbose=verbose,
            )
            del data
            resampled = fit_length(resampled, n_out)
        if not clips:  # one clip tells a wrong sample width; later clips share it
            check_amplitude(cnt_path, "clip 1", resampled[:n_eeg], hint=_width_hint(raw, data_format, config_key),
                            error=RawFormatError)
        clips.append(np.ascontiguousarray(resampled[:n_eeg], dtype=np.float64))
        if keep_eog:
            eogs.append(np.ascontiguousarray(resampled[n_eeg:], dtype=np.float64))
        del resampled
    return RawSession(
        clips=clips,
        eog=eogs if keep_eog else None,
        eog_names=tuple(eog_picks),
        bounds=bounds,
        sfreq=float(target_sfreq),
        raw_sfreq=sfreq,
        ch_names=CHANNELS,
        source=str(cnt_path),
    )


# scipy.signal.resample_poly's anti-alias FIR: half length 10 x the decimation factor
# (Kaiser window, beta 5, cutoff at the new Nyquist).
_POLYPHASE_HALF_LENGTH = 10


def read_samples(raw, picks: Sequence[str], start: int, stop: int, *, verbose=None) -> np.ndarray:
    """Samples ``start <= t < stop`` of ``picks`` in µV (float64), MNE's ``get_data``; a
    file whose samples stop before the header says (MNE cannot reshape what it read)
    gives one line."""
    try:
        data = raw.get_data(picks=list(picks), start=start, stop=stop, verbose=verbose)
    except ValueError as err:
        path = Path(raw.filenames[0])
        raise RawFormatError(path, f"not a readable Neuroscan CNT file (truncated: {path.stat().st_size} bytes on "
                                   f"disk; samples {start}-{stop} could not be read: {first_line(err)})") from None
    data *= 1e6  # V -> µV
    return data


def decimate_clip(raw, picks: Sequence[str], start: int, n_out: int, factor: int, *, verbose=None) -> np.ndarray:
    """``n_out`` samples at 1/``factor`` of the recording's rate, output j at raw sample
    ``start + factor * j``, in µV (float64, (n_picks, n_out)).

    :func:`scipy.signal.resample_poly` (``up=1, down=factor``, its Kaiser FIR of
    ``2 * 10 * factor + 1`` taps) of the recording rather than of the clip alone: MNE's
    ``get_data(start, stop)`` also reads the ``10 * factor`` samples before and after
    the clip, so no edge padding enters the clip (only at the recording's own ends, by
    reflection).
    """
    from scipy.signal import resample_poly

    half = _POLYPHASE_HALF_LENGTH * factor
    first = start - half  # raw samples first .. last (inclusive) feed the outputs
    last = start + factor * (n_out - 1) + half
    lo, hi = max(first, 0), min(last + 1, int(raw.n_times))
    data = read_samples(raw, picks, lo, hi, verbose=verbose)
    if lo != first or hi != last + 1:  # the recording's own ends: reflect
        data = np.pad(data, ((0, 0), (lo - first, last + 1 - hi)), mode="reflect")
    # output i of resample_poly sits at input sample factor * i: output j of the clip is i = 10 + j
    return resample_poly(data, 1, factor, axis=-1)[:, _POLYPHASE_HALF_LENGTH : _POLYPHASE_HALF_LENGTH + n_out]


def _open_cnt(path: Path, *, eog: tuple[str, ...], data_format: str, verbose):
    """``mne.io.read_raw_cnt`` with one-line errors; ``"auto"`` falls back to int32
    where MNE cannot infer the sample width."""
    import mne

    def open_as(fmt: str):
        return mne.io.read_raw_cnt(path, eog=eog, data_format=fmt, preload=False, verbose=verbose)

    try:
        try:
            return open_as(data_format)
        except RuntimeError as err:
            if data_format != "auto" or "data_format" not in str(err) and "data format" not in str(err):
                raise
            logger.info("%s: sample width not inferable (%s); reading as int32.", path, first_line(err))
            return open_as("int32")
    except Exception as err:  # MNE raises RuntimeError/ValueError/struct errors
        raise RawFormatError(path, f"not a readable Neuroscan CNT file ({first_line(err)})") from None


def _width_hint(raw, data_format: str, config_key: str) -> str:
    """The part of the amplitude error that says what to try."""
    width = {"int16": "16", "int32": "32"}.get(data_format) or _sample_width(raw)
    other = "int16" if width == "32" else "int32"
    return (f"; read as {width}-bit samples (data_format {data_format!r}) - is it a "
            f"{other[3:]}-bit file? Set {config_key}: {other} in config.yaml")


def _sample_width(raw) -> str:
    """"16" or "32": the bits per sample of the recording as its header gives them (as
    MNE's "auto" infers them): Neuroscan CNT 3.x keeps the channel count (uint16) at
    byte 370 and the event table's position (int32) at byte 886, after a 900-byte header,
    75 bytes per channel and the samples; "?" if that does not fit."""
    with open(raw.filenames[0], "rb") as f:
        header = f.read(900)
    if len(header) < 900:
        return "?"
    n_channels = int(np.frombuffer(header[370:372], dtype="<u2")[0])
    event_table = int(np.frombuffer(header[886:890], dtype="<i4")[0])
    n_bytes, rest = divmod(event_table - 900 - 75 * n_channels, max(1, n_channels * int(raw.n_times)))
    return {2: "16", 4: "32"}.get(n_bytes, "?") if rest == 0 else "?"


def read_cnt_events(raw) -> np.ndarray:
    """Events of a raw CNT as an MNE events array, codes taken from the annotations.

    Parameters
    ----------
    raw : mne.io.Raw
        As returned by ``mne.io.read_raw_cnt``.

    Returns
    -------
    events : ndarray of int, shape (n_events, 3)
        ``[sample, 0, code]`` rows; annotations whose description is not an integer
        (keypad or keyboard responses) are left out.
    """
    onsets = np.asarray(raw.annotations.onset, dtype=float)
    rows = [
        (int(round(onset * raw.info["sfreq"])) + raw.first_samp, 0, int(desc))
        for onset, desc in zip(onsets, raw.annotations.description)
        if desc.isdigit()
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, 3)
