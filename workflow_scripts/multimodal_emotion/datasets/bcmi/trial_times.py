"""Trial times of the lab's raw recordings, as text: SEED's ``time.txt`` (bounds in
samples, :func:`read_time_txt`) and SEED-V's ``trial_start_end_timestamp.txt`` (seconds,
:func:`read_timestamps_s`). How many trials: the caller's (the dataset's spec)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ...recording import RawFormatError, check_file


# --- raw recordings: time.txt ---------------------------------------------------------


def read_time_txt(
    path: str | Path, *, n_clips: int
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
    check_file(path, error=RawFormatError)
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


# --- SEED-V: trial_start_end_timestamp.txt (seconds) -----------------------------------


def read_timestamps_s(path: str | Path, *, session: int, n_trials: int) -> list[tuple[float, float]]:
    """Trial start/end (s from the recording's start) of one session from SEED-V's
    ``trial_start_end_timestamp.txt``.

    Layout (the release's exact text is not documented publicly, so the reader is
    tolerant): one block per session, introduced by a line holding ``session`` and its
    number (``Session 1:``); in the block two bracketed lists whose names contain
    ``start`` and ``end`` (``start_second: [30, 132, ...]``), ``=`` or ``:`` before the
    bracket, entries separated by commas and/or whitespace. ``#`` starts a comment.

    Raises
    ------
    RawFormatError
        If the session's block or one of its lists is missing, the lists do not hold
        ``n_trials`` numbers each, or the trials are not increasing ``start < end``
        without overlap.
    """
    path = Path(path)
    check_file(path, error=RawFormatError)
    text = "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())
    parts = re.split(r"(?im)^[^\S\n]*session[^\S\n]*(\d+)\b.*$", text)
    blocks = {int(number): block for number, block in zip(parts[1::2], parts[2::2])}
    if session not in blocks:
        raise RawFormatError(path, f"no block for session {session} (expected a line 'Session {session}:' followed "
                             f"by start and end lists; found sessions {sorted(blocks) or 'none'})")
    lists: dict[str, list[float]] = {}
    for match in re.finditer(r"([A-Za-z_][\w ]*?)\s*[=:]\s*\[([^\]]*)\]", blocks[session], re.DOTALL):
        name = match.group(1).strip().lower()
        kind = "start" if "start" in name else "end" if "end" in name else None
        if kind is None:
            continue
        try:
            lists[kind] = [float(t) for t in re.split(r"[\s,;]+", match.group(2)) if t]
        except ValueError:
            raise RawFormatError(path, f"session {session}: '{match.group(1).strip()}' holds non-numeric entries") from None
    for kind in ("start", "end"):
        if kind not in lists:
            raise RawFormatError(path, f"session {session}: no list named like '{kind}'")
        if len(lists[kind]) != n_trials:
            raise RawFormatError(path, f"session {session}: {len(lists[kind])} {kind} times, expected {n_trials} trials")
    bounds = list(zip(lists["start"], lists["end"]))
    for k, (start, end) in enumerate(bounds, start=1):
        if not 0 <= start < end:
            raise RawFormatError(path, f"session {session}, trial {k}: start {start:g} s is not before end {end:g} s")
        if k > 1 and start < bounds[k - 2][1]:
            raise RawFormatError(path, f"session {session}, trial {k} starts at {start:g} s, before trial {k - 1} ends")
    return bounds
