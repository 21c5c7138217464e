"""Synthetic SEED, written as the release ships it (through the reader's constants).

- ``Preprocessed_EEG/{subject}_{YYYYMMDD}.mat``: the real 45 session names, variables
  ``{initials}_eeg{k}`` (the real initials), clips of ``200 * seconds + 1`` samples like
  the release's (``djc_eeg1`` is (62, 47001));
- ``Preprocessed_EEG/label.mat``; ``Eye_movements/{subject}_{date}.mat`` (our layout);
- ``SEED_RAW_EEG/{subject}_{date}.cnt`` (Neuroscan CNT 3.x, int32, 1000 Hz) from the same
  signals, and ``time.txt`` whose inclusive bounds span ``1000 * seconds`` samples, so
  each raw clip cut at 200 Hz has the same ``200 * seconds + 1`` samples.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from ..datasets import seed as fmt
from ..recording import EVENT_COLUMNS, EYE_EVENT_CODES, check_option
from ..store import atomic_path
from .config import SyntheticConfig, rng_for, subject_gains
from .signals import apply_effects, channel_maps, channel_positions, eeg_clip, eye_events, pink_noise, savemat, scalp_mixing

RAW_GAP_S = 10.0  # rest between clips in the synthetic raw recording (and before the first)
EYE_RATE = 60.0  # Hz of the synthetic pupil samples


def clip_durations(cfg: SyntheticConfig, clip_seconds: tuple[float, float] | None = None) -> list[float]:
    """Length (whole s) of each of the 15 film clips. As in SEED, the same films, so the
    same lengths, in every session: one ``time.txt`` serves all raw recordings."""
    low, high = clip_seconds or cfg.clip_seconds
    return [float(d) for d in np.round(rng_for(cfg, 1, 0).uniform(low, high, fmt.N_CLIPS))]


def clip_samples(duration_s: float) -> int:
    """Samples of a clip at 200 Hz: both ends included, as in the release (235 s -> 47001)."""
    return int(round(duration_s * fmt.SFREQ)) + 1


def raw_bounds(cfg: SyntheticConfig) -> tuple[list[int], list[int]]:
    """Start and (inclusive) end samples at 1000 Hz of every clip in a synthetic raw session.

    A clip of n samples at 200 Hz spans ``[start, start + 5 (n - 1)]`` at 1000 Hz, the
    inclusive-end convention of SEED's ``time.txt`` (``end - start`` = 1000 x seconds)."""
    factor = int(fmt.RAW_SFREQ / fmt.SFREQ)
    gap = int(RAW_GAP_S * fmt.RAW_SFREQ)
    starts, ends, position = [], [], gap
    for duration in clip_durations(cfg):
        n = clip_samples(duration)
        starts.append(position)
        ends.append(position + factor * (n - 1))
        position += factor * n + gap
    return starts, ends


def write_labels(path: str | Path) -> None:
    """Write SEED's ``label.mat`` (the fixed clip order of ``CLIP_LABELS``)."""
    savemat(path, {"label": np.array([fmt.CLIP_LABELS], dtype=np.int16)})


def _eye_table(events: np.ndarray) -> np.ndarray:
    """Contract-ordered events as the eye file stores them (column order and type codes by name)."""
    table = events[:, [EVENT_COLUMNS.index(name) for name in fmt.EVENT_COLUMNS]].copy()
    kinds = events[:, EVENT_COLUMNS.index("type")]
    for kind, code in EYE_EVENT_CODES.items():
        table[kinds == code, fmt.EVENT_COLUMNS.index("type")] = fmt.EVENT_CODES[kind]
    return table


def write_session(
    eeg_path: str | Path | None, eye_path: str | Path | None, *, subject: int, session: int, cfg: SyntheticConfig,
    clip_seconds: tuple[float, float] | None = None,
) -> None:
    """Write one synthetic SEED session: ``{subject}_{date}.mat`` and/or its eye-movement
    file (our ``Eye_movements/`` layout; either may be None).

    EEG variables ``{initials}_eeg{k}``, (62, n) float64 µV at 200 Hz; eye file as
    documented in :func:`~..datasets.seed.read_eye`, pupil sampled at 60 Hz. ``eeg_path``
    should carry the session's real name (:func:`~..datasets.seed.real_session_stem`).
    """
    eeg_vars, eye_vars = session_signals(subject=subject, session=session, cfg=cfg, clip_seconds=clip_seconds)
    if eeg_path is not None:
        savemat(eeg_path, eeg_vars)
    if eye_path is not None:
        savemat(eye_path, eye_vars)


def session_eye_clips(*, subject: int, session: int, cfg: SyntheticConfig,
                      clip_seconds: tuple[float, float] | None = None) -> list:
    """The session's eye movements as :class:`~..recording.EyeClip` per clip (the same
    signals :func:`write_session` writes; regenerated from the seeds, no file read)."""
    _, eye_vars = session_signals(subject=subject, session=session, cfg=cfg, clip_seconds=clip_seconds)
    return [fmt._to_contract(eye_vars[f"pupil_{k}"], eye_vars[f"events_{k}"]) for k in range(1, fmt.N_CLIPS + 1)]


def session_signals(
    *, subject: int, session: int, cfg: SyntheticConfig, clip_seconds: tuple[float, float] | None = None,
) -> tuple[dict, dict]:
    """EEG variables and eye-table variables of one synthetic session (in memory)."""
    sfreq = fmt.SFREQ
    ch_names = fmt.CHANNELS
    subject_rng = rng_for(cfg, 1, subject)
    positions = channel_positions(ch_names)
    mixing = scalp_mixing(subject_rng, positions, 12)
    alpha_map, frontal_map = channel_maps(ch_names, positions)
    amplitude = subject_rng.uniform(20.0, 40.0)  # µV, per subject
    pupil_base = subject_rng.uniform(3.0, 4.5)  # mm
    gains, pupil_shift = subject_gains(cfg, 1, subject, len(ch_names))  # synthetic.subject_offset (1 = SEED)
    pupil_base += pupil_shift
    durations = clip_durations(cfg, clip_seconds)
    rng = rng_for(cfg, 1, subject, session)
    eeg_vars, eye_vars = {}, {}
    prefix = fmt.SESSIONS[(subject, 1)][1] if (subject, 1) in fmt.SESSIONS else "sub"
    for k, label in enumerate(fmt.CLIP_LABELS, start=1):
        duration = durations[k - 1]
        n_times = clip_samples(duration)
        score = float(label)
        events = eye_events(rng, duration, blink_rate=0.3 * (1.0 + 0.3 * cfg.effect_size * score))
        blinks = events[events[:, 0] == EYE_EVENT_CODES["blink"]][:, 1:3]
        eeg = eeg_clip(
            rng, n_times=n_times, sfreq=sfreq, mixing=mixing, alpha_map=alpha_map,
            frontal_map=frontal_map, blinks=blinks, amplitude_uV=amplitude,
        )
        eeg_vars[f"{prefix}_eeg{k}"] = apply_effects(
            eeg, ch_names=ch_names, sfreq=sfreq, effects=cfg.seed_effects, scores={None: score},
            effect_size=cfg.effect_size,
        )
        if cfg.subject_offset:
            eeg_vars[f"{prefix}_eeg{k}"] *= gains[:, None]
        # Pupil: slow drift + emotion shift + noise, dips during blinks (interpolated by trackers).
        eye_rate = EYE_RATE
        t = np.arange(0, duration, 1 / eye_rate)
        drift = 0.25 * pink_noise(rng, 2, t.size, sfreq=eye_rate, exponent=2.0)
        shift = 0.3 * cfg.effect_size * score
        diameters = pupil_base + shift + drift + 0.05 * rng.standard_normal((2, t.size))
        diameters[1] -= 0.1  # Y diameter reads a little smaller than X
        for onset, dur in blinks:
            diameters[:, (t >= onset) & (t < onset + dur)] *= 0.85
        eye_vars[f"pupil_{k}"] = np.column_stack([t, diameters.T])
        eye_vars[f"events_{k}"] = _eye_table(events)
    return eeg_vars, eye_vars



def write_time(path: str | Path, *, cfg: SyntheticConfig) -> None:
    """Write the synthetic ``SEED_RAW_EEG/time.txt`` (clip bounds at 1000 Hz)."""
    starts, ends = raw_bounds(cfg)
    with atomic_path(path) as tmp:
        write_time_txt(tmp, starts=starts, ends=ends)


def write_raw(cnt_path: str | Path, *, mat_path: str | Path, subject: int, cfg: SyntheticConfig) -> None:
    """Write the 1000 Hz Neuroscan ``.cnt`` of a synthetic session from the same signals
    as its preprocessed ``.mat`` (read with the public reader): each 200 Hz clip
    upsampled x5 (polyphase), placed at the bounds of :func:`raw_bounds`, with 1/f EEG
    during the rests, and the four extra channels of the real recordings (M1, M2
    references; VEO, HEO EOG)."""
    from scipy.signal import resample_poly

    _, clips = fmt.read_eeg(mat_path)
    factor = int(fmt.RAW_SFREQ / fmt.SFREQ)
    starts, ends = raw_bounds(cfg)
    n_total = ends[-1] + factor + int(RAW_GAP_S * fmt.RAW_SFREQ)
    rng = rng_for(cfg, 3, subject, int(Path(mat_path).stem.split("_")[1]))
    eeg_rows = [fmt.RAW_CHANNELS.index(c) for c in fmt.CHANNELS]
    data = np.empty((len(fmt.RAW_CHANNELS), n_total), dtype=np.float32)
    data[:] = 10.0 * pink_noise(rng, len(fmt.RAW_CHANNELS), n_total, sfreq=fmt.RAW_SFREQ).astype(np.float32)
    for clip, start in zip(clips, starts):
        upsampled = resample_poly(clip, factor, 1, axis=1)
        data[eeg_rows, start : start + upsampled.shape[1]] = upsampled
    events = [(start, 1) for start in starts] + [(end, 2) for end in ends]
    with atomic_path(cnt_path) as tmp:
        write_cnt(tmp, data, ch_names=fmt.RAW_CHANNELS, sfreq=fmt.RAW_SFREQ, events=sorted(events))


def write_time_txt(
    path: str | Path,
    *,
    starts: Sequence[int],
    ends: Sequence[int],
    layout: Literal["lists", "table"] = "lists",
) -> None:
    """Write clip bounds in a layout :func:`fmt.read_time_txt` accepts.

    Parameters
    ----------
    path : path-like
        Output file.
    starts, ends : sequence of int
        First and last sample of each clip (raw sampling rate).
    layout : ``"lists"`` | ``"table"``
        ``"lists"`` writes ``start_point_list = [...]`` and ``end_point_list = [...]``;
        ``"table"`` writes a ``start end`` table with a header line.
    """
    starts = [int(s) for s in starts]
    ends = [int(e) for e in ends]
    if len(starts) != len(ends):
        raise ValueError(f"starts has {len(starts)} entries but ends has {len(ends)}")
    check_option("layout", layout, ("lists", "table"))
    if layout == "lists":
        text = (
            f"start_point_list = [{','.join(map(str, starts))}]\n"
            f"end_point_list = [{','.join(map(str, ends))}]\n"
        )
    else:
        text = "start\tend\n" + "".join(f"{s}\t{e}\n" for s, e in zip(starts, ends))
    Path(path).write_text(text)



# Byte offsets of the 900-byte SETUP header and the 75-byte ELECTLOC records, as MNE's
# reader (mne/io/cnt/cnt.py, _utils.py) uses them.
_CNT_SETUP_SIZE = 900
_CNT_ELECTRODE_SIZE = 75
_CNT_REV = 0  # char rev[20]: "Version 3.0"
_CNT_DATE = 225  # char date[10]: "mm/dd/yy"
_CNT_TIME = 235  # char time[12]: "hh:mm:ss"
_CNT_NCHANNELS = 370  # unsigned short
_CNT_RATE = 376  # unsigned short
_CNT_NSAMPLES = 864  # int32
_CNT_EVENT_TABLE_POS = 886  # int32
_CNT_CONTINUOUS_SECONDS = 890  # float32
_CNT_CHANNEL_OFFSET = 894  # int32, bytes per channel block (one sample: multiplexed)
_CNT_EL_NAME = 0  # char lab[10]
_CNT_EL_X = 19  # float32
_CNT_EL_Y = 23  # float32
_CNT_EL_BASELINE = 47  # int16
_CNT_EL_SENSITIVITY = 59  # float32
_CNT_EL_CALIB = 71  # float32
_CNT_TEEG = struct.Struct("<Bll")  # Teeg type, size of the table, offset
_CNT_EVENT2 = struct.Struct("<HBclhhfccc")  # EVENT2, 19 bytes
_CNT_INT32 = 4


def cnt_resolution_uV(resolution_uV: float) -> float:
    """The µV per int32 step :func:`write_cnt` uses for a requested resolution.

    MNE scales a CNT sample as ``(value - baseline) * sensitivity * calibration / 204.8``
    µV, with the two factors stored as float32. :func:`write_cnt` stores
    ``sensitivity = float32(resolution_uV * 204.8)`` and ``calibration = 1``, so the step
    is ``float(sensitivity) / 204.8`` — this function returns that value.
    """
    return float(np.float32(resolution_uV * 204.8)) * 1.0 / 204.8


def write_cnt(
    path: str | Path,
    data_uV: np.ndarray,
    *,
    ch_names: Sequence[str],
    sfreq: float,
    events: Iterable[tuple[int, int]] = (),
    resolution_uV: float = 0.01,
    chunk_samples: int = 200_000,
    sample_format: Literal["int16", "int32"] = "int32",
) -> None:
    """Write a Neuroscan CNT 3.x continuous file with int32 (or int16) samples.

    Layout (as MNE's reader reads it): a 900-byte SETUP header (channel count at byte
    370 as uint16, sampling rate at 376 as uint16, sample count at 864 as int32, event
    table position at 886 as int32), one 75-byte electrode record per channel (name at
    +0, x/y position at +19/+23, baseline at +47, sensitivity at +59 and calibration at
    +71 as float32), the samples as little-endian int32 multiplexed per sample
    (ch0 ch1 ... chN-1 of sample 0, then sample 1, ...), and a TEEG event table of type
    2 (9-byte header, then 19 bytes per event).

    Parameters
    ----------
    path : path-like
        Output ``.cnt`` file.
    data_uV : array-like, shape (n_channels, n_times)
        Signals in µV. Read ``chunk_samples`` columns at a time, so a ``np.memmap`` or
        a float32 array keeps the writer's memory small.
    ch_names : sequence of str
        Channel names, at most 9 ASCII characters each.
    sfreq : float
        Sampling rate in Hz; an integer up to 65535 (the header stores a uint16).
    events : iterable of (int, int)
        ``(sample, code)`` pairs; read back by MNE as annotations whose description is
        the code (see :func:`~..datasets.seed.read_cnt_events`).
    resolution_uV : float
        Amplitude step of the int32 samples (µV); see :func:`cnt_resolution_uV`.
        Written amplitudes read back within half a step.
    chunk_samples : int
        Samples converted and written per chunk.
    sample_format : ``"int32"`` | ``"int16"``
        Sample width. SEED's recordings are int32; int16 files exist too (older
        Neuroscan), and the reader must tell them apart.

    Raises
    ------
    ValueError
        For bad arguments: names too long, a non-integer rate, values that overflow
        int32 at this resolution, events outside the recording or codes outside 0-65535.

    Notes
    -----
    MNE 1.13's reader computes an event's sample as
    ``(offset - 900 - 75 * n_channels) // (4 * n_channels) - 1``; the writer stores the
    offset ``900 + 75 * n_channels + (sample + 1) * 4 * n_channels`` so that the sample
    reads back unchanged. With ``header="auto"`` MNE also reads byte 4 of a name as an
    old-style "bad" flag, so names of 5 or more characters come back marked bad (their
    data are unaffected).
    """
    path = Path(path)
    n_channels, n_times = int(np.shape(data_uV)[0]), int(np.shape(data_uV)[1])
    names = [str(name) for name in ch_names]
    if len(names) != n_channels:
        raise ValueError(f"ch_names has {len(names)} names for {n_channels} channels")
    for name in names:
        if not name or len(name) > 9 or not name.isascii():
            raise ValueError(f"channel names must be 1-9 ASCII characters, got {name!r}")
    if sfreq != int(sfreq) or not 0 < sfreq <= 65535:
        raise ValueError(f"sfreq must be an integer in 1..65535 Hz, got {sfreq!r}")
    if not resolution_uV > 0:
        raise ValueError(f"resolution_uV must be positive, got {resolution_uV!r}")
    events = [(int(s), int(c)) for s, c in events]
    for sample, code in events:
        if not 0 <= sample < n_times:
            raise ValueError(f"event at sample {sample} outside the recording (0..{n_times - 1})")
        if not 0 <= code <= 0xFFFF:
            raise ValueError(f"event code {code} outside 0..65535")
    if sample_format not in ("int16", "int32"):
        raise ValueError(f"sample_format must be 'int16' or 'int32', got {sample_format!r}")
    n_bytes = 2 if sample_format == "int16" else _CNT_INT32
    data_pos = _CNT_SETUP_SIZE + _CNT_ELECTRODE_SIZE * n_channels
    event_pos = data_pos + n_bytes * n_channels * n_times
    last_offset = data_pos + (n_times + 1) * n_bytes * n_channels
    if last_offset > 2**31 - 1:
        raise ValueError("recording too long for the 32-bit offsets of CNT 3.x")

    sensitivity = np.float32(resolution_uV * 204.8)
    step_uV = cnt_resolution_uV(resolution_uV)

    header = bytearray(_CNT_SETUP_SIZE)
    header[_CNT_REV : _CNT_REV + 11] = b"Version 3.0"
    header[_CNT_DATE : _CNT_DATE + 8] = b"01/01/13"
    header[_CNT_TIME : _CNT_TIME + 8] = b"00:00:00"
    struct.pack_into("<H", header, _CNT_NCHANNELS, n_channels)
    struct.pack_into("<H", header, _CNT_RATE, int(sfreq))
    struct.pack_into("<i", header, _CNT_NSAMPLES, n_times)
    struct.pack_into("<i", header, _CNT_EVENT_TABLE_POS, event_pos)
    struct.pack_into("<f", header, _CNT_CONTINUOUS_SECONDS, n_times / float(sfreq))
    # Bytes per channel block; 16-bit files often store 1 ("one sample"), which readers
    # take as one sample whatever the width, so a wrong width guess still reads.
    struct.pack_into("<i", header, _CNT_CHANNEL_OFFSET, n_bytes if n_bytes == _CNT_INT32 else 1)

    electrodes = bytearray(_CNT_ELECTRODE_SIZE * n_channels)
    angles = 2 * np.pi * np.arange(n_channels) / max(n_channels, 1)
    for idx, name in enumerate(names):
        base = idx * _CNT_ELECTRODE_SIZE
        electrodes[base + _CNT_EL_NAME : base + _CNT_EL_NAME + len(name)] = name.encode()
        # Positions on a circle: MNE fits x/y to a sphere and divides by their spread,
        # so they must not all be zero. They are not real electrode positions.
        struct.pack_into("<f", electrodes, base + _CNT_EL_X, float(np.cos(angles[idx])))
        struct.pack_into("<f", electrodes, base + _CNT_EL_Y, float(np.sin(angles[idx])))
        struct.pack_into("<h", electrodes, base + _CNT_EL_BASELINE, 0)
        struct.pack_into("<f", electrodes, base + _CNT_EL_SENSITIVITY, float(sensitivity))
        struct.pack_into("<f", electrodes, base + _CNT_EL_CALIB, 1.0)

    limit = 2 ** (8 * n_bytes - 1) - 1
    with open(path, "wb") as f:
        f.write(header)
        f.write(electrodes)
        for first in range(0, n_times, chunk_samples):
            block = np.asarray(data_uV[:, first : first + chunk_samples], dtype=np.float64)
            counts = np.rint(block / step_uV)
            if not np.all(np.isfinite(counts)) or np.abs(counts).max(initial=0) > limit:
                raise ValueError(
                    f"data between samples {first} and {first + block.shape[1]} are not "
                    f"finite or overflow {sample_format} at {resolution_uV} µV per step"
                )
            f.write(np.ascontiguousarray(counts.T, dtype=f"<i{n_bytes}").tobytes())
        assert f.tell() == event_pos
        f.write(_CNT_TEEG.pack(2, _CNT_EVENT2.size * len(events), 0))
        for sample, code in events:
            offset = data_pos + (sample + 1) * n_bytes * n_channels
            f.write(
                _CNT_EVENT2.pack(code, 0, b"\x00", offset, 0, 0, 0.0, b"\x00", b"\x00", b"\x00")
            )

