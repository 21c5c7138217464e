"""Raw recordings of SEED (Neuroscan CNT) and DEAP (BioSemi BDF): readers and writers.

The readers turn the raw recordings into the same arrays the preprocessed releases hold:

- :func:`read_seed_cnt` cuts the 15 film clips of a SEED ``.cnt`` session with the
  sample bounds of ``time.txt`` and resamples them to 200 Hz, like
  ``Preprocessed_EEG/*.mat``.
- :func:`read_deap_bdf` cuts the 40 music-video trials of a DEAP ``sXX.bdf``, applies
  the preprocessing of DEAP's readme that can be reproduced, and returns ``data``
  (40, 40, 8064) and ``labels`` (40, 4), like ``data_preprocessed_python/sXX.dat``.

The writers make small synthetic raw files for tests and for the synthetic generator:
:func:`write_cnt` (Neuroscan CNT 3.x, which has no writer on PyPI), :func:`write_time_txt`,
:func:`write_deap_bdf` (through ``edfio``, the library MNE's own export uses),
:func:`deap_raw_from_preprocessed` and :func:`write_deap_ratings_csv`.

Units
-----
MNE returns voltages in volts. Every EEG, EOG and EMG array this module returns or takes
is in **microvolts** (µV), the unit of SEED's and DEAP's preprocessed arrays: readers
multiply MNE's volts by 1e6, writers take µV. DEAP's GSR, respiration, plethysmograph
and temperature are returned in the physical unit the BDF header gives them (a voltage
unit is converted to µV too).

Every problem with a file raises :class:`RawFormatError` (a ``ValueError``) whose
one-line message starts with the path of the file, then says what is wrong.
"""

from __future__ import annotations

import logging
import math
import re
import struct
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from . import formats
from .readers import DataFormatError, _check_file

logger = logging.getLogger(__name__)


class RawFormatError(DataFormatError):
    """A raw recording or its side file is missing, unreadable or not as expected.

    The message is one line: ``"{path}: {problem}"``.
    """


def _read_resource_lines(name: str) -> tuple[str, ...]:
    text = (formats.RESOURCES / name).read_text()
    return tuple(line.strip() for line in text.splitlines() if line.strip())


# --- SEED raw (Neuroscan CNT, 1000 Hz) ------------------------------------------------
SEED_RAW_SFREQ = 1000.0
SEED_EOG_CHANNELS: tuple[str, ...] = ("VEO", "HEO")
SEED_DROP_CHANNELS: tuple[str, ...] = ("M1", "M2")
# Channel order the synthetic writer uses: the 62 EEG channels with M1 after T8 and M2
# after TP8 and the EOG pair last, as on a Neuroscan 64-channel Quik-Cap. Readers do
# not depend on this order (uncertain for SEED: only the set of names is relied upon).
SEED_RAW_CHANNELS: tuple[str, ...] = (
    formats.SEED_CHANNELS[: formats.SEED_CHANNELS.index("T8") + 1]
    + ("M1",)
    + formats.SEED_CHANNELS[
        formats.SEED_CHANNELS.index("T8") + 1 : formats.SEED_CHANNELS.index("TP8") + 1
    ]
    + ("M2",)
    + formats.SEED_CHANNELS[formats.SEED_CHANNELS.index("TP8") + 1 :]
    + ("HEO", "VEO")
)

# --- DEAP raw (BioSemi BDF, 512 Hz) ---------------------------------------------------
DEAP_RAW_SFREQ = 512.0
# EEG order of s01-s22 (recorded in Twente); s23-s32 use the Geneva order
# (formats.DEAP_EEG_CHANNELS). Kept in resources/deap_twente_channels.txt because it
# could not be confirmed from DEAP's readme here: it is BioSemi's standard 32-channel
# order (MNE's "biosemi32" montage); see the Notes of read_deap_bdf.
DEAP_TWENTE_CHANNELS: tuple[str, ...] = _read_resource_lines("deap_twente_channels.txt")
DEAP_EXG_CHANNELS: tuple[str, ...] = tuple(f"EXG{k}" for k in range(1, 9))
# Non-EEG channels 41-47 of the BDF, then the trigger channel (48).
DEAP_AUX_CHANNELS: tuple[str, ...] = ("GSR1", "GSR2", "Erg1", "Erg2", "Resp", "Plet", "Temp")
DEAP_STATUS_CHANNEL = "Status"
DEAP_STATUS_MASK = 0xFF  # trial codes sit in the low 8 bits of the 24-bit Status word
DEAP_VIDEO_START_CODE = 4  # "start of music video playback" (60 s)
DEAP_VIDEO_S = 60.0
# Status codes of DEAP's presentation, used by the synthetic timeline.
DEAP_CODE_RATING = 1
DEAP_CODE_SYNC = 2
DEAP_CODE_FIXATION = 3
DEAP_CODE_POST_FIXATION = 5
DEAP_CODE_END = 7
# How channels 33-40 of the preprocessed files are built from the BDF, in the order of
# formats.DEAP_PERIPHERAL_CHANNELS: (positive, negative) for bipolar pairs, (name, None)
# for channels copied as they are.
DEAP_PERIPHERAL_SOURCES: tuple[tuple[str, str | None], ...] = (
    ("EXG1", "EXG2"),  # hEOG: left of left eye - right of right eye
    ("EXG3", "EXG4"),  # vEOG: above - below right eye
    ("EXG5", "EXG6"),  # zEMG: zygomaticus major
    ("EXG7", "EXG8"),  # tEMG: trapezius
    ("GSR1", None),  # GSR
    ("Resp", None),  # respiration belt
    ("Plet", None),  # plethysmograph
    ("Temp", None),  # temperature
)
DEAP_RATING_COLUMNS = ("Participant_id", "Trial", "Experiment_id") + tuple(
    name.capitalize() for name in formats.DEAP_LABEL_NAMES
)
_VOLT_UNITS = {"uV": 1.0, "\u00b5V": 1.0, "\u03bcV": 1.0, "mV": 1e3, "V": 1e6, "nV": 1e-3}


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _check_exists(path: Path) -> None:
    try:
        _check_file(path)
    except DataFormatError as err:
        raise RawFormatError(path, err.problem) from None


# ======================================================================================
# SEED: time.txt
# ======================================================================================


def read_time_txt(
    path: str | Path, *, n_clips: int = formats.SEED_N_CLIPS
) -> list[tuple[int, int]]:
    """Read the clip bounds of a SEED raw session from ``time.txt``.

    Two text layouts are accepted (``#`` starts a comment in both):

    1. Two lists, as SEED ships them::

           start_point_list = [27000, 290000, ...]
           end_point_list = [262000, 523000, ...]

       The names only need to contain ``start`` and ``end``; ``=`` or ``:`` may separate
       the name from the bracketed list; entries are separated by commas and/or
       whitespace and the list may span several lines.
    2. A two-column table, one clip per line: ``start end`` separated by whitespace,
       commas, semicolons or tabs. Lines with letters (a header) are skipped.

    Values are sample indices at the raw sampling rate (1000 Hz for SEED).

    Parameters
    ----------
    path : path-like
        The ``time.txt`` file.
    n_clips : int
        Number of clips expected (15 for SEED).

    Returns
    -------
    bounds : list of (int, int)
        ``(start, end)`` per clip, in clip order.

    Raises
    ------
    RawFormatError
        If neither layout is found, the two lists differ in length, there are not
        ``n_clips`` pairs, or the pairs are not increasing ``start < end`` without
        overlap.
    """
    path = Path(path)
    _check_exists(path)
    text = "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())
    starts, ends = _parse_time_lists(path, text)
    if starts is None:
        starts, ends = _parse_time_table(text)
    if not starts:
        raise RawFormatError(
            path,
            "no clip bounds found (expected 'start_point_list = [...]' and "
            "'end_point_list = [...]', or a two-column 'start end' table)",
        )
    if len(starts) != n_clips:
        raise RawFormatError(
            path, f"found {len(starts)} start/end pairs, expected {n_clips} clips"
        )
    bounds = list(zip(starts, ends))
    for k, (start, end) in enumerate(bounds, start=1):
        if start < 0:
            raise RawFormatError(path, f"clip {k} starts at negative sample {start}")
        if not start < end:
            raise RawFormatError(path, f"clip {k}: start {start} is not before end {end}")
        if k > 1 and start < bounds[k - 2][1]:
            raise RawFormatError(
                path,
                f"clip {k} starts at {start}, before clip {k - 1} ends "
                f"({bounds[k - 2][1]}); clips must be in increasing time order",
            )
    return bounds


def _parse_time_lists(path: Path, text: str) -> tuple[list[int] | None, list[int] | None]:
    pattern = re.compile(r"([A-Za-z_][\w ]*?)\s*[=:]\s*\[([^\]]*)\]", re.DOTALL)
    lists: dict[str, list[int]] = {}
    for match in pattern.finditer(text):
        name = match.group(1).strip().lower()
        kind = "start" if "start" in name else "end" if "end" in name else None
        if kind is None:
            continue
        if kind in lists:
            raise RawFormatError(path, f"two lists named like '{kind}' found")
        tokens = [t for t in re.split(r"[\s,;]+", match.group(2)) if t]
        try:
            lists[kind] = [_parse_int(t) for t in tokens]
        except ValueError:
            raise RawFormatError(
                path, f"'{match.group(1).strip()}' holds non-integer entries"
            ) from None
    if not lists:
        return None, None
    if set(lists) != {"start", "end"}:
        missing = ({"start", "end"} - set(lists)).pop()
        raise RawFormatError(path, f"found a list of clip starts/ends but no '{missing}' list")
    if len(lists["start"]) != len(lists["end"]):
        raise RawFormatError(
            path,
            f"start list has {len(lists['start'])} entries but end list has "
            f"{len(lists['end'])}",
        )
    return lists["start"], lists["end"]


def _parse_time_table(text: str) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for line in text.splitlines():
        tokens = [t for t in re.split(r"[\s,;]+", line.strip()) if t]
        if not tokens or any(re.search(r"[A-DF-Za-df-z_]", t) for t in tokens):
            continue  # empty line or header (letters other than an exponent 'e')
        try:
            values = [_parse_int(t) for t in tokens]
        except ValueError:
            continue
        if len(values) == 2:
            starts.append(values[0])
            ends.append(values[1])
    return starts, ends


def _parse_int(token: str) -> int:
    value = float(token)
    if not np.isfinite(value) or value != int(value):
        raise ValueError(token)
    return int(value)


def write_time_txt(
    path: str | Path,
    *,
    starts: Sequence[int],
    ends: Sequence[int],
    layout: Literal["lists", "table"] = "lists",
) -> None:
    """Write clip bounds in a layout :func:`read_time_txt` accepts.

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
    if layout == "lists":
        text = (
            f"start_point_list = [{','.join(map(str, starts))}]\n"
            f"end_point_list = [{','.join(map(str, ends))}]\n"
        )
    elif layout == "table":
        text = "start\tend\n" + "".join(f"{s}\t{e}\n" for s, e in zip(starts, ends))
    else:
        raise ValueError(
            f"Invalid value for the 'layout' parameter. Allowed values are 'lists' and "
            f"'table', but got {layout!r} instead."
        )
    Path(path).write_text(text)


# ======================================================================================
# SEED: reader
# ======================================================================================


@dataclass
class SeedRawSession:
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
        ``formats.SEED_CHANNELS``.
    source : str
        Path of the ``.cnt`` file.
    """

    clips: list[np.ndarray]
    eog: list[np.ndarray] | None
    eog_names: tuple[str, ...]
    bounds: list[tuple[int, int]]
    sfreq: float
    raw_sfreq: float
    ch_names: tuple[str, ...] = formats.SEED_CHANNELS
    source: str = ""


def read_seed_cnt(
    cnt_path: str | Path,
    time_path: str | Path,
    *,
    sfreq_expected: float = SEED_RAW_SFREQ,
    target_sfreq: float = formats.SEED_SFREQ,
    keep_eog: bool = True,
    eog: Sequence[str] = SEED_EOG_CHANNELS,
    drop: Sequence[str] = SEED_DROP_CHANNELS,
    inclusive_end: bool = True,
    n_clips: int = formats.SEED_N_CLIPS,
    resample_method: Literal["fft", "polyphase"] = "fft",
    verbose: bool | str | int | None = None,
) -> SeedRawSession:
    """Read a SEED raw session (Neuroscan ``.cnt``) and cut its film clips.

    The recording is opened with ``mne.io.read_raw_cnt(..., data_format="int32",
    preload=False)`` and processed clip by clip: each clip is read with
    ``get_data(start, stop)``, converted from volts to µV (x 1e6) and resampled to
    ``target_sfreq`` with :func:`mne.filter.resample`. Only one clip is in memory at a
    time, so a full session (66 channels x ~3.9 M samples at 1000 Hz, ~1 GB on disk)
    needs a few hundred MB.

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
    resample_method : ``"fft"`` | ``"polyphase"``
        Method of :func:`mne.filter.resample` (``"fft"`` is MNE's default).
    verbose : bool | str | int | None
        MNE's verbosity for reading and resampling.

    Returns
    -------
    session : SeedRawSession
        15 float64 arrays (62, n) in ``formats.SEED_CHANNELS`` order, µV, 200 Hz, and
        the EOG arrays.

    Raises
    ------
    RawFormatError
        If the file is unreadable, its sampling rate is not ``sfreq_expected``, one of
        the 62 EEG channels (or, with ``keep_eog``, an EOG channel) is missing, a clip
        bound lies outside the recording, or ``time.txt`` does not hold ``n_clips``
        increasing ``start < end`` pairs.

    Notes
    -----
    Channel names are matched case-insensitively. SEED's preprocessed clips were also
    low-pass filtered (0-75 Hz); this reader does not filter beyond the anti-aliasing
    of the resampling.
    """
    import mne

    cnt_path = Path(cnt_path)
    _check_option("resample_method", resample_method, ("fft", "polyphase"))
    drop_set = {name.upper() for name in drop}
    clash = sorted(drop_set & {name.upper() for name in formats.SEED_CHANNELS})
    if clash:
        raise ValueError(f"drop must not name SEED EEG channels, got {clash}")
    bounds = read_time_txt(time_path, n_clips=n_clips)
    _check_exists(cnt_path)
    try:
        raw = mne.io.read_raw_cnt(
            cnt_path,
            eog=tuple(eog) if keep_eog else (),
            data_format="int32",
            preload=False,
            verbose=verbose,
        )
    except Exception as err:  # MNE raises RuntimeError/ValueError/struct errors
        raise RawFormatError(
            cnt_path, f"not a readable Neuroscan CNT file ({_first_line(err)})"
        ) from None
    sfreq = float(raw.info["sfreq"])
    if sfreq != float(sfreq_expected):
        raise RawFormatError(
            cnt_path, f"sampling rate is {sfreq:g} Hz, expected {float(sfreq_expected):g} Hz"
        )
    by_upper = {name.upper(): name for name in raw.ch_names}
    missing = [name for name in formats.SEED_CHANNELS if name.upper() not in by_upper]
    if missing:
        raise RawFormatError(
            cnt_path,
            f"missing EEG channel(s) {', '.join(missing)} "
            f"(expected the {len(formats.SEED_CHANNELS)} SEED channels)",
        )
    eeg_picks = [by_upper[name.upper()] for name in formats.SEED_CHANNELS]
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
        "Reading %d clips of %s at %g Hz and resampling them to %g Hz.",
        len(bounds), cnt_path, sfreq, target_sfreq,
    )
    for start, end in bounds:
        if inclusive_end:
            n_out = int(np.floor((end - start) * ratio + 1e-9)) + 1
        else:
            n_out = int(round((end - start) * ratio))
        n_in = int(round(n_out / ratio))
        stop = min(start + n_in, n_times)
        data = raw.get_data(picks=picks, start=start, stop=stop, verbose=verbose)
        if data.shape[1] < n_in:  # the last output instants need a few samples more
            data = np.pad(data, ((0, 0), (0, n_in - data.shape[1])), mode="edge")
        data *= 1e6  # V -> µV
        resampled = mne.filter.resample(
            data,
            up=float(target_sfreq),
            down=sfreq,
            npad=_resample_npad(n_in, sfreq, float(target_sfreq)),
            method=resample_method,
            verbose=verbose,
        )
        del data
        resampled = _fit_length(resampled, n_out)
        clips.append(np.ascontiguousarray(resampled[:n_eeg], dtype=np.float64))
        if keep_eog:
            eogs.append(np.ascontiguousarray(resampled[n_eeg:], dtype=np.float64))
        del resampled
    return SeedRawSession(
        clips=clips,
        eog=eogs if keep_eog else None,
        eog_names=tuple(eog_picks),
        bounds=bounds,
        sfreq=float(target_sfreq),
        raw_sfreq=sfreq,
        source=str(cnt_path),
    )


def _resample_step(sfreq: float, target_sfreq: float) -> int:
    """Input samples per whole number of output samples (5 for 1000 -> 200 Hz).

    FFT resampling maps an input of ``k * step`` samples exactly onto the output grid;
    other lengths are stretched slightly, which shifts late samples.
    """
    if sfreq == int(sfreq) and target_sfreq == int(target_sfreq):
        return int(sfreq) // math.gcd(int(sfreq), int(target_sfreq))
    return 1


def _resample_npad(n_times: int, sfreq: float, target_sfreq: float) -> int:
    """Padding for FFT resampling that keeps the output grid aligned and the FFT fast.

    ``npad="auto"`` pads to a power of two whose resampled size is rounded, which shifts
    the output by a fraction of a sample (0.2 of a 10 Hz sine's amplitude in a
    1000 -> 200 Hz check). A pad that is a multiple of the resampling step (at least
    100 samples per side) keeps ``input[k * step]`` on ``output[k]``; among those, the
    first that makes the padded length a fast FFT size (scipy) is taken.
    """
    from scipy import fft

    step = _resample_step(sfreq, target_sfreq)
    first = step * -(-100 // step)
    for npad in range(first, first + step * 2000, step):
        if fft.next_fast_len(n_times + 2 * npad, real=True) == n_times + 2 * npad:
            return npad
    return first


def _fit_length(data: np.ndarray, n_out: int) -> np.ndarray:
    """Crop or edge-pad the last axis to ``n_out`` samples (resampling rounds lengths)."""
    n = data.shape[-1]
    if n > n_out:
        return data[..., :n_out]
    if n < n_out:
        return np.pad(data, ((0, 0), (0, n_out - n)), mode="edge")
    return data


def _check_option(name: str, value: object, allowed: Sequence[object]) -> None:
    if value not in allowed:
        listed = " and ".join(
            [", ".join(repr(a) for a in allowed[:-1]), repr(allowed[-1])]
            if len(allowed) > 1
            else [repr(allowed[0])]
        )
        raise ValueError(
            f"Invalid value for the {name!r} parameter. Allowed values are {listed}, "
            f"but got {value!r} instead."
        )


# ======================================================================================
# SEED: Neuroscan CNT 3.x writer
# ======================================================================================

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
) -> None:
    """Write a Neuroscan CNT 3.x continuous file with int32 samples.

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
        the code (see :func:`read_cnt_events`).
    resolution_uV : float
        Amplitude step of the int32 samples (µV); see :func:`cnt_resolution_uV`.
        Written amplitudes read back within half a step.
    chunk_samples : int
        Samples converted and written per chunk.

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
    data_pos = _CNT_SETUP_SIZE + _CNT_ELECTRODE_SIZE * n_channels
    event_pos = data_pos + _CNT_INT32 * n_channels * n_times
    last_offset = data_pos + (n_times + 1) * _CNT_INT32 * n_channels
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
    struct.pack_into("<i", header, _CNT_CHANNEL_OFFSET, _CNT_INT32)

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

    limit = 2**31 - 1
    with open(path, "wb") as f:
        f.write(header)
        f.write(electrodes)
        for first in range(0, n_times, chunk_samples):
            block = np.asarray(data_uV[:, first : first + chunk_samples], dtype=np.float64)
            counts = np.rint(block / step_uV)
            if not np.all(np.isfinite(counts)) or np.abs(counts).max(initial=0) > limit:
                raise ValueError(
                    f"data between samples {first} and {first + block.shape[1]} are not "
                    f"finite or overflow int32 at {resolution_uV} µV per step"
                )
            f.write(np.ascontiguousarray(counts.T, dtype="<i4").tobytes())
        assert f.tell() == event_pos
        f.write(_CNT_TEEG.pack(2, _CNT_EVENT2.size * len(events), 0))
        for sample, code in events:
            offset = data_pos + (sample + 1) * _CNT_INT32 * n_channels
            f.write(
                _CNT_EVENT2.pack(code, 0, b"\x00", offset, 0, 0, 0.0, b"\x00", b"\x00", b"\x00")
            )


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


# ======================================================================================
# DEAP: reader
# ======================================================================================


def read_deap_bdf(
    bdf_path: str | Path,
    ratings_csv: str | Path,
    *,
    participant: int,
    sfreq_expected: float = DEAP_RAW_SFREQ,
    l_freq: float = 4.0,
    h_freq: float = 45.0,
    verbose: bool | str | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Read a DEAP raw recording ``data_original/sXX.bdf`` like the preprocessed release.

    Steps, following DEAP's readme on how ``data_preprocessed_*`` was made:

    1. EEG layout from the names of channels 1-32: the Twente order (s01-s22) or the
       Geneva order (s23-s32), never from the subject number; EEG is put in Geneva order.
    2. Trials from the Status channel: values masked to the low 8 bits, each change to
       code 4 ("start of music video playback") is a trial onset. A trial is the 3 s
       before the onset (pre-trial baseline) and the 60 s after it.
    3. Trials mapped from presentation order (``Trial``) to video order
       (``Experiment_id``) through ``participant_ratings.csv``, which also gives the
       labels.
    4. Downsampling to 128 Hz (MNE, whole recording, before segmenting); onsets are
       rounded to the nearest 128 Hz sample.
    5. EEG: band-pass ``l_freq``-``h_freq`` (4-45 Hz, MNE's default FIR) and common
       average reference over the 32 EEG channels.
    6. Channels 33-40 built as the preprocessed files hold them: hEOG = EXG1 - EXG2,
       vEOG = EXG3 - EXG4, zEMG = EXG5 - EXG6, tEMG = EXG7 - EXG8 (µV), then GSR1, Resp,
       Plet, Temp (physical units of the BDF; a voltage unit is converted to µV).

    Not reproduced: DEAP removed EOG artefacts from the EEG (readme: "EOG artefacts were
    removed as in [1]") with a procedure that is not published in reproducible form, so
    the EEG here still contains them. DEAP's readme also says the Twente GSR values
    were converted to the Geneva format (Ohm); that conversion is not applied here.

    Parameters
    ----------
    bdf_path : path-like
        The subject's ``sXX.bdf``.
    ratings_csv : path-like
        ``participant_ratings.csv`` with columns ``Participant_id, Trial,
        Experiment_id, Valence, Arousal, Dominance, Liking``.
    participant : int
        ``Participant_id`` of this recording (1-32).
    sfreq_expected : float
        Sampling rate the recording must have (512 Hz).
    l_freq, h_freq : float
        EEG band-pass edges (Hz).
    verbose : bool | str | int | None
        MNE's verbosity.

    Returns
    -------
    data : ndarray, shape (40, 40, 8064)
        float64; trials in ``Experiment_id`` order; channels 1-32 EEG (Geneva order,
        µV), 33-40 ``formats.DEAP_PERIPHERAL_CHANNELS``; 128 Hz, 3 s baseline + 60 s.
    labels : ndarray, shape (40, 4)
        float64 valence, arousal, dominance, liking per trial, in the same order.

    Raises
    ------
    RawFormatError
        If the file is unreadable or not at ``sfreq_expected``, channels 1-32 are in
        neither known EEG order, a needed channel or the Status channel is missing, the
        Status channel does not mark exactly 40 video starts, a trial window leaves the
        recording, or the ratings lack a row for a trial.

    Notes
    -----
    Sources. Channel names of the BDF (EXG1-EXG8, GSR1, GSR2, Erg1, Erg2, Resp, Plet,
    Temp, Status) and the EXG roles (EXG1-4 EOG, EXG5-8 EMG) are those that public
    DEAP-to-BIDS and DEAP preprocessing scripts read from the real files; the EXG pairs
    and the Status codes (code 4 = start of the 60 s music video) follow DEAP's readme
    (https://www.eecs.qmul.ac.uk/mmv/datasets/deap/readme.html), as does the Twente EEG
    order kept in ``resources/deap_twente_channels.txt``. That order could not be read
    from the readme itself here; it equals BioSemi's standard 32-channel order (MNE's
    ``biosemi32`` montage), which public DEAP BDF scripts use for s01-s22.
    The same scripts report that the Status channel of s24-s28 is named ``""`` and that
    s29-s32 have two trailing channels ``"-0"`` and ``"-1"`` (``"-1"`` the Status);
    this reader falls back to those names when no ``Status`` channel exists.
    """
    bdf_path = Path(bdf_path)
    ratings_csv = Path(ratings_csv)
    _check_exists(bdf_path)
    raw = _open_bdf(bdf_path, verbose=verbose)
    sfreq = float(raw.info["sfreq"])
    if sfreq != float(sfreq_expected):
        raise RawFormatError(
            bdf_path, f"sampling rate is {sfreq:g} Hz, expected {float(sfreq_expected):g} Hz"
        )
    status_name = raw.info["ch_names"][_status_index(bdf_path, raw.ch_names)]
    layout, eeg_names = _deap_eeg_layout(bdf_path, raw.ch_names)
    by_upper = {name.upper(): name for name in raw.ch_names}
    needed = [src for pair in DEAP_PERIPHERAL_SOURCES for src in pair if src is not None]
    missing = [name for name in needed if name.upper() not in by_upper]
    if missing:
        raise RawFormatError(
            bdf_path,
            f"missing channel(s) {', '.join(missing)} needed for the peripheral signals",
        )
    logger.info("%s: EEG channels in the %s order.", bdf_path, layout)

    onsets = _deap_video_onsets(bdf_path, raw, status_name, verbose=verbose)
    order, labels_by_trial = _deap_ratings(ratings_csv, participant)

    n_base = int(round(formats.DEAP_BASELINE_S * sfreq))
    n_video = int(round(DEAP_VIDEO_S * sfreq))
    for trial, onset in enumerate(onsets, start=1):
        if onset - n_base < 0 or onset + n_video > raw.n_times:
            raise RawFormatError(
                bdf_path,
                f"trial {trial} (video start at {onset / sfreq:.2f} s) needs "
                f"{formats.DEAP_BASELINE_S:g} s before and {DEAP_VIDEO_S:g} s after its "
                f"start, beyond the recording (0-{raw.n_times / sfreq:.2f} s)",
            )

    # Keep only the span of the trials (plus a margin for the filters) in memory.
    margin = int(round(10.0 * sfreq))
    step = _resample_step(sfreq, formats.DEAP_SFREQ)
    first = max(0, int(onsets.min()) - n_base - margin)
    last = min(raw.n_times - 1, int(onsets.max()) + n_video + margin)
    excess = (last - first + 1) % step  # keep whole resampling steps (see _resample_step)
    if int(onsets.min()) - n_base - first >= excess:
        first += excess
    else:
        last -= excess
    periph_names = [by_upper[name.upper()] for name in needed]
    raw.pick(eeg_names + periph_names)
    raw.crop(tmin=first / sfreq, tmax=last / sfreq)
    raw.load_data(verbose=verbose)
    logger.info("Resampling %s from %g Hz to %g Hz.", bdf_path, sfreq, formats.DEAP_SFREQ)
    raw.resample(
        formats.DEAP_SFREQ,
        npad=_resample_npad(raw.n_times, sfreq, formats.DEAP_SFREQ),
        verbose=verbose,
    )
    raw.filter(l_freq, h_freq, picks=eeg_names, verbose=verbose)

    eeg = raw.get_data(picks=eeg_names) * 1e6  # V -> µV, Geneva order
    eeg -= eeg.mean(axis=0, keepdims=True)  # common average reference
    peripheral = np.empty((len(DEAP_PERIPHERAL_SOURCES), raw.n_times))
    units = getattr(raw, "_orig_units", {}) or {}
    for row, (positive, negative) in enumerate(DEAP_PERIPHERAL_SOURCES):
        peripheral[row] = _physical(raw, by_upper[positive.upper()], units)
        if negative is not None:
            peripheral[row] -= _physical(raw, by_upper[negative.upper()], units)
    signals = np.concatenate([eeg, peripheral])
    del eeg, peripheral

    ratio = formats.DEAP_SFREQ / sfreq
    n_base_out = int(round(formats.DEAP_BASELINE_S * formats.DEAP_SFREQ))
    n_trial = formats.DEAP_N_SAMPLES
    data = np.empty((formats.DEAP_N_TRIALS, signals.shape[0], n_trial))
    labels = np.empty((formats.DEAP_N_TRIALS, len(formats.DEAP_LABEL_NAMES)))
    for trial, onset in enumerate(onsets, start=1):
        start = int(round((onset - first) * ratio)) - n_base_out
        if start < 0 or start + n_trial > signals.shape[1]:  # rounding at the very edge
            raise RawFormatError(bdf_path, f"trial {trial} leaves the recording after resampling")
        experiment = order[trial]
        data[experiment - 1] = signals[:, start : start + n_trial]
        labels[experiment - 1] = labels_by_trial[trial]
    return data, labels


def _open_bdf(path: Path, *, verbose):
    import mne

    def _read(stim_channel):
        return mne.io.read_raw_bdf(
            path, stim_channel=stim_channel, preload=False, verbose=verbose
        )

    def _read_checked():
        # MNE only warns when the file holds fewer records than its header declares.
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="Number of records from the header does not match")
            try:
                return _read("auto")
            except RuntimeWarning:
                with open(path, "rb") as f:
                    f.seek(236)
                    declared = int(f.read(8).decode("ascii", "replace").strip() or -1)
                if declared > 0:
                    raise RawFormatError(
                        path, f"truncated: the header declares {declared} data records, the file holds fewer"
                    ) from None
        return _read("auto")  # -1 records: a recording that was not stopped, still valid

    try:
        raw = _read_checked()
        if DEAP_STATUS_CHANNEL.lower() not in [n.lower() for n in raw.ch_names]:
            index = _status_index(path, raw.ch_names)
            raw = _read(index)
    except RawFormatError:
        raise
    except Exception as err:
        raise RawFormatError(path, f"not a readable BDF file ({_first_line(err)})") from None
    return raw


def _status_index(path: Path, ch_names: Sequence[str]) -> int:
    lowered = [name.lower() for name in ch_names]
    if DEAP_STATUS_CHANNEL.lower() in lowered:
        return lowered.index(DEAP_STATUS_CHANNEL.lower())
    if ch_names and ch_names[-1] in ("", "-1"):
        return len(ch_names) - 1
    raise RawFormatError(
        path, f"no '{DEAP_STATUS_CHANNEL}' trigger channel (last channel is {ch_names[-1]!r})"
    )


def _deap_eeg_layout(path: Path, ch_names: Sequence[str]) -> tuple[str, list[str]]:
    """Name of the EEG order of channels 1-32 and those names in Geneva order."""
    first = [name.upper() for name in ch_names[: len(formats.DEAP_EEG_CHANNELS)]]
    layouts = {"Geneva": formats.DEAP_EEG_CHANNELS, "Twente": DEAP_TWENTE_CHANNELS}
    for layout, names in layouts.items():
        if first == [name.upper() for name in names]:
            by_upper = {name.upper(): name for name in ch_names}
            return layout, [by_upper[name.upper()] for name in formats.DEAP_EEG_CHANNELS]
    raise RawFormatError(
        path,
        f"unknown channel layout: channels 1-{len(first)} are "
        f"{' '.join(ch_names[: len(first)])}, in neither the Geneva order "
        f"({' '.join(formats.DEAP_EEG_CHANNELS)}) nor the Twente order "
        f"({' '.join(DEAP_TWENTE_CHANNELS)})",
    )


def _deap_video_onsets(path: Path, raw, status_name: str, *, verbose) -> np.ndarray:
    import mne

    events = mne.find_events(
        raw,
        stim_channel=status_name,
        consecutive=True,
        shortest_event=1,
        mask=DEAP_STATUS_MASK,
        mask_type="and",
        initial_event=True,
        verbose=False if verbose is None else verbose,
    )
    onsets = events[events[:, 2] == DEAP_VIDEO_START_CODE, 0] - raw.first_samp
    if len(onsets) != formats.DEAP_N_TRIALS:
        raise RawFormatError(
            path,
            f"found {len(onsets)} music-video starts (Status code {DEAP_VIDEO_START_CODE}), "
            f"expected {formats.DEAP_N_TRIALS}",
        )
    return onsets.astype(np.int64)


def _deap_ratings(
    path: Path, participant: int
) -> tuple[dict[int, int], dict[int, np.ndarray]]:
    """``{trial: experiment_id}`` and ``{trial: labels}`` of one participant."""
    import pandas as pd

    _check_exists(path)
    try:
        table = pd.read_csv(path)
    except Exception as err:
        raise RawFormatError(path, f"unreadable CSV file ({_first_line(err)})") from None
    columns = {str(c).strip().lower(): c for c in table.columns}
    missing = [c for c in DEAP_RATING_COLUMNS if c.lower() not in columns]
    if missing:
        raise RawFormatError(path, f"missing column(s) {', '.join(missing)}")
    table = table.rename(columns={columns[c.lower()]: c for c in DEAP_RATING_COLUMNS})
    rows = table[table["Participant_id"] == participant]
    if rows.empty:
        raise RawFormatError(path, f"no rating rows for participant {participant}")
    label_columns = list(DEAP_RATING_COLUMNS[3:])
    order: dict[int, int] = {}
    labels: dict[int, np.ndarray] = {}
    for trial in range(1, formats.DEAP_N_TRIALS + 1):
        match = rows[rows["Trial"] == trial]
        if len(match) == 0:
            raise RawFormatError(
                path, f"no rating row for participant {participant}, trial {trial}"
            )
        if len(match) > 1:
            raise RawFormatError(
                path, f"{len(match)} rating rows for participant {participant}, trial {trial}"
            )
        row = match.iloc[0]
        values = np.asarray(row[label_columns].to_numpy(), dtype=np.float64)
        if not np.all(np.isfinite(values)):
            raise RawFormatError(
                path, f"participant {participant}, trial {trial}: missing rating values"
            )
        order[trial] = int(row["Experiment_id"])
        labels[trial] = values
    experiments = sorted(order.values())
    if experiments != list(range(1, formats.DEAP_N_TRIALS + 1)):
        raise RawFormatError(
            path,
            f"participant {participant}: Experiment_id values of trials 1-"
            f"{formats.DEAP_N_TRIALS} are not 1-{formats.DEAP_N_TRIALS} each once",
        )
    return order, labels


def _physical(raw, name: str, units: dict) -> np.ndarray:
    """One channel in its physical unit, voltages in µV."""
    data = raw.get_data(picks=[name])[0]
    unit = units.get(name, "")
    if unit in _VOLT_UNITS:
        return data * 1e6  # MNE scaled the physical value to volts
    return data


# ======================================================================================
# DEAP: synthetic raw recordings
# ======================================================================================


@dataclass
class DeapRawSignals:
    """A DEAP-like raw recording in memory, ready for :func:`write_deap_bdf`.

    Attributes
    ----------
    eeg_uV : ndarray, shape (32, n_times)
        EEG in µV, rows in ``eeg_names`` order.
    eeg_names : tuple of str
        EEG channel names in file order (Geneva or Twente order).
    exg_uV : ndarray, shape (8, n_times)
        EXG1-EXG8 in µV.
    peripheral : ndarray, shape (4, n_times)
        GSR1, Resp, Plet, Temp in their own units.
    status : ndarray of int, shape (n_times,)
        Status codes.
    sfreq : float
        Sampling rate (512 Hz).
    video_onsets : ndarray of int, shape (40,)
        Sample of each code-4 onset, in presentation order.
    presentation_order : ndarray of int, shape (40,)
        ``Experiment_id`` shown at trial 1, 2, ..., 40.
    """

    eeg_uV: np.ndarray
    eeg_names: tuple[str, ...]
    exg_uV: np.ndarray
    peripheral: np.ndarray
    status: np.ndarray
    sfreq: float
    video_onsets: np.ndarray
    presentation_order: np.ndarray


def deap_raw_from_preprocessed(
    data: np.ndarray,
    *,
    presentation_order: Sequence[int],
    eeg_names: Sequence[str] = formats.DEAP_EEG_CHANNELS,
    sfreq: float = DEAP_RAW_SFREQ,
    lead_s: float = 2.0,
    fixation_s: float = 5.0,
    post_s: float = 3.0,
    rating_s: float = 5.0,
) -> DeapRawSignals:
    """Build a raw DEAP-like recording from a preprocessed-style array.

    Each trial of ``data`` (3 s baseline + 60 s video at 128 Hz) is upsampled to
    ``sfreq`` (:func:`mne.filter.resample`, polyphase) and placed in a timeline in
    presentation order: ``lead_s`` of sync screen (code 2), then per trial a fixation
    screen (code 3, ``fixation_s`` >= 3 s, its last 3 s are the trial's baseline), the
    video (code 4, 60 s), a fixation screen (code 5, ``post_s``) and a rating screen
    (code 1, ``rating_s``, left out if 0), and 1 s of code 7 at the end. Outside the 63 s
    of each trial the signals are zero.

    Channels 33-36 (bipolar) are split into EXG pairs ``+x/2`` and ``-x/2`` so that
    EXG1 - EXG2 = hEOG and so on; channels 37-40 become GSR1, Resp, Plet, Temp.

    :func:`read_deap_bdf` on the written file returns ``data`` again if its EEG is
    already band-limited to 4-45 Hz and common-average referenced (the reader applies
    both again), up to resampling and filter edge effects at the trial borders.

    Parameters
    ----------
    data : ndarray, shape (40, 40, 8064)
        Trials in ``Experiment_id`` order, channels as ``formats.DEAP_ALL_CHANNELS``
        (EEG in Geneva order, µV), 128 Hz.
    presentation_order : sequence of int, shape (40,)
        The ``Experiment_id`` (1-40) presented at trial 1, 2, ..., 40; a permutation.
    eeg_names : sequence of str
        EEG order of the raw file (``formats.DEAP_EEG_CHANNELS`` or
        ``DEAP_TWENTE_CHANNELS``); the rows of ``eeg_uV`` follow it.
    sfreq : float
        Raw sampling rate (Hz).
    lead_s, fixation_s, post_s, rating_s : float
        Durations of the timeline's screens (s).

    Returns
    -------
    signals : DeapRawSignals
    """
    import mne

    data = np.asarray(data, dtype=np.float64)
    expected = (formats.DEAP_N_TRIALS, len(formats.DEAP_ALL_CHANNELS), formats.DEAP_N_SAMPLES)
    if data.shape != expected:
        raise ValueError(f"data must have shape {expected}, got {data.shape}")
    order = np.asarray(presentation_order, dtype=np.int64)
    if sorted(order.tolist()) != list(range(1, formats.DEAP_N_TRIALS + 1)):
        raise ValueError("presentation_order must be a permutation of 1..40")
    eeg_names = tuple(eeg_names)
    if sorted(eeg_names) != sorted(formats.DEAP_EEG_CHANNELS):
        raise ValueError("eeg_names must be the 32 DEAP EEG channels in some order")
    if fixation_s < formats.DEAP_BASELINE_S:
        raise ValueError(f"fixation_s must be at least {formats.DEAP_BASELINE_S} s")

    def samples(seconds: float) -> int:
        return int(round(seconds * sfreq))

    n_base, n_video = samples(formats.DEAP_BASELINE_S), samples(DEAP_VIDEO_S)
    n_trial_raw = n_base + n_video
    per_trial = samples(fixation_s) + n_video + samples(post_s) + samples(rating_s)
    n_times = samples(lead_s) + formats.DEAP_N_TRIALS * per_trial + samples(1.0)
    eeg_rows = [formats.DEAP_EEG_CHANNELS.index(name) for name in eeg_names]

    eeg = np.zeros((len(eeg_names), n_times))
    exg = np.zeros((len(DEAP_EXG_CHANNELS), n_times))
    peripheral = np.zeros((4, n_times))
    status = np.zeros(n_times, dtype=np.int64)
    onsets = np.empty(formats.DEAP_N_TRIALS, dtype=np.int64)
    status[: samples(lead_s)] = DEAP_CODE_SYNC
    t = samples(lead_s)
    n_eeg = len(formats.DEAP_EEG_CHANNELS)
    for trial, experiment in enumerate(order):
        onset = t + samples(fixation_s)
        onsets[trial] = onset
        status[t:onset] = DEAP_CODE_FIXATION
        status[onset : onset + n_video] = DEAP_VIDEO_START_CODE
        after = onset + n_video
        status[after : after + samples(post_s)] = DEAP_CODE_POST_FIXATION
        status[after + samples(post_s) : t + per_trial] = DEAP_CODE_RATING
        up = mne.filter.resample(
            data[experiment - 1], up=sfreq / formats.DEAP_SFREQ, method="polyphase",
            verbose=False,
        )
        up = _fit_length(up, n_trial_raw)
        span = slice(onset - n_base, onset + n_video)
        eeg[:, span] = up[:n_eeg][eeg_rows]
        for k in range(4):  # bipolar channels 33-36 -> EXG pairs
            exg[2 * k, span] = up[n_eeg + k] / 2
            exg[2 * k + 1, span] = -up[n_eeg + k] / 2
        peripheral[:, span] = up[n_eeg + 4 :]
        t += per_trial
    status[t:] = DEAP_CODE_END
    return DeapRawSignals(
        eeg_uV=eeg,
        eeg_names=eeg_names,
        exg_uV=exg,
        peripheral=peripheral,
        status=status,
        sfreq=float(sfreq),
        video_onsets=onsets,
        presentation_order=order,
    )


def write_deap_bdf(
    path: str | Path,
    *,
    eeg_uV: np.ndarray,
    eeg_names: Sequence[str],
    exg_uV: np.ndarray,
    peripheral: np.ndarray,
    status: np.ndarray,
    sfreq: float = DEAP_RAW_SFREQ,
    peripheral_units: Sequence[str] = ("Ohm", "uV", "uV", "degC"),
    status_name: str = DEAP_STATUS_CHANNEL,
) -> None:
    """Write a DEAP-like BioSemi BDF with ``edfio``.

    Channels, as in DEAP's ``data_original``: the 32 EEG channels in the given order,
    EXG1-EXG8, GSR1, GSR2, Erg1, Erg2, Resp, Plet, Temp and the Status channel (48).
    GSR2, Erg1 and Erg2 are written as zeros (unused in DEAP).

    Parameters
    ----------
    path : path-like
        Output ``.bdf`` file.
    eeg_uV : ndarray, shape (32, n_times)
        EEG in µV, rows in ``eeg_names`` order.
    eeg_names : sequence of str
        The 32 EEG names in file order (e.g. ``DEAP_TWENTE_CHANNELS``).
    exg_uV : ndarray, shape (8, n_times)
        EXG1-EXG8 in µV.
    peripheral : ndarray, shape (4, n_times)
        GSR1, Resp, Plet, Temp in ``peripheral_units``.
    status : ndarray of int, shape (n_times,)
        Trigger codes (0 .. 2**23 - 1); written exactly (physical = digital range), so
        ``mne.find_events`` reads them back.
    sfreq : float
        Sampling rate, an integer number of Hz (records are 1 s long; the signals are
        zero-padded to whole seconds).
    peripheral_units : sequence of str
        Physical dimensions written for GSR1, Resp, Plet, Temp.
    status_name : str
        Label of the trigger channel.

    Notes
    -----
    EEG and EXG use BioSemi's range of +/-262144 µV over the 24-bit digital range
    (1/32 µV per step) when the data fit, other signals a range rounded outward from
    their own minimum and maximum; values read back within half a step.
    """
    from edfio import Bdf, BdfSignal

    eeg_uV = np.asarray(eeg_uV, dtype=np.float64)
    exg_uV = np.asarray(exg_uV, dtype=np.float64)
    peripheral = np.asarray(peripheral, dtype=np.float64)
    status = np.asarray(status)
    n_times = status.shape[-1]
    if eeg_uV.shape != (len(eeg_names), n_times) or len(eeg_names) != 32:
        raise ValueError(f"eeg_uV must have shape (32, {n_times}), got {eeg_uV.shape}")
    if exg_uV.shape != (8, n_times):
        raise ValueError(f"exg_uV must have shape (8, {n_times}), got {exg_uV.shape}")
    if peripheral.shape != (4, n_times):
        raise ValueError(f"peripheral must have shape (4, {n_times}), got {peripheral.shape}")
    if sfreq != int(sfreq):
        raise ValueError(f"sfreq must be an integer number of Hz, got {sfreq!r}")
    if status.min(initial=0) < 0 or status.max(initial=0) > 2**23 - 1:
        raise ValueError("status codes must be within 0 .. 2**23 - 1")
    n_padded = -(-n_times // int(sfreq)) * int(sfreq)

    def pad(x: np.ndarray) -> np.ndarray:
        return np.pad(x, (0, n_padded - n_times))

    biosemi_range = (-262144.0, 262143.0)
    signals = []
    voltage_rows = [(name, x) for name, x in zip(eeg_names, eeg_uV)]
    voltage_rows += list(zip(DEAP_EXG_CHANNELS, exg_uV))
    for name, x in voltage_rows:
        lo, hi = float(x.min(initial=0)), float(x.max(initial=0))
        physical = biosemi_range if biosemi_range[0] <= lo and hi <= biosemi_range[1] else None
        signals.append(_bdf_signal(BdfSignal, pad(x), sfreq, name, "uV", physical))
    if len(peripheral_units) != 4:
        raise ValueError(f"peripheral_units needs 4 units, got {len(peripheral_units)}")
    aux = dict(zip(("GSR1", "Resp", "Plet", "Temp"), zip(peripheral, peripheral_units)))
    for name in DEAP_AUX_CHANNELS:
        x, unit = aux.get(name, (np.zeros(n_times), ""))
        signals.append(_bdf_signal(BdfSignal, pad(x), sfreq, name, unit, None))
    digital = (-(2**23), 2**23 - 1)
    signals.append(
        BdfSignal(
            pad(status.astype(np.float64)),
            float(sfreq),
            label=status_name,
            physical_dimension="Boolean",
            physical_range=(float(digital[0]), float(digital[1])),
            digital_range=digital,
        )
    )
    Bdf(signals, data_record_duration=1.0).write(Path(path))


def _bdf_signal(signal_class, x, sfreq, label, unit, physical):
    if physical is None:
        lo, hi = float(np.floor(x.min(initial=0))), float(np.ceil(x.max(initial=0)))
        if lo == hi:
            lo, hi = lo - 1.0, hi + 1.0
        physical = (lo, hi)
    return signal_class(
        x, float(sfreq), label=label, physical_dimension=unit, physical_range=physical
    )


def write_deap_ratings_csv(
    path: str | Path,
    *,
    participant: int,
    presentation_order: Sequence[int],
    labels: np.ndarray,
    start_times_us: Sequence[int] | None = None,
    append: bool = False,
) -> None:
    """Write (or append to) a DEAP-style ``participant_ratings.csv``.

    Parameters
    ----------
    path : path-like
        Output CSV.
    participant : int
        ``Participant_id``.
    presentation_order : sequence of int, shape (40,)
        ``Experiment_id`` presented at trial 1, 2, ..., 40.
    labels : ndarray, shape (40, 4)
        Valence, arousal, dominance, liking per video, in ``Experiment_id`` order
        (the ``labels`` array of a preprocessed file).
    start_times_us : sequence of int | None
        ``Start_time`` per trial (µs from the start of the experiment); the column is
        left out if None.
    append : bool
        Append this participant's rows to an existing file (header written only when
        the file does not exist yet).
    """
    import pandas as pd

    order = np.asarray(presentation_order, dtype=np.int64)
    labels = np.asarray(labels, dtype=np.float64)
    if labels.shape != (formats.DEAP_N_TRIALS, len(formats.DEAP_LABEL_NAMES)):
        raise ValueError(f"labels must have shape (40, 4), got {labels.shape}")
    if sorted(order.tolist()) != list(range(1, formats.DEAP_N_TRIALS + 1)):
        raise ValueError("presentation_order must be a permutation of 1..40")
    table = pd.DataFrame(
        {
            "Participant_id": participant,
            "Trial": np.arange(1, formats.DEAP_N_TRIALS + 1),
            "Experiment_id": order,
        }
    )
    if start_times_us is not None:
        table["Start_time"] = np.asarray(start_times_us, dtype=np.int64)
    for k, column in enumerate(DEAP_RATING_COLUMNS[3:]):
        table[column] = labels[order - 1, k]
    path = Path(path)
    exists = append and path.exists() and path.stat().st_size > 0
    table.to_csv(path, mode="a" if exists else "w", header=not exists, index=False)
