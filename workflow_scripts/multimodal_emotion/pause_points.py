"""Named points where a job can be held for a test, so that kill tests need no timing.

A test sets ``MULTIMODAL_EMOTION_PAUSE_AT`` to a point's name (several: comma-separated)
and ``MULTIMODAL_EMOTION_PAUSE_DIR`` to a folder. The first time a process reaches that
point it writes ``{dir}/{point}.{pid}.paused`` (JSON: point, pid, detail) and blocks
until the test kills it, or until ``{dir}/{point}.release`` exists. Without the variable a
pause point costs one environment lookup.

Points (where a kill tests something):

``feature_file_written_in_part``
    :func:`~.store.write_features`: the datasets are in the temporary file, flushed,
    before the attributes, the close and the rename (``detail``: the temporary path).
``between_epochs``
    the network training loops, after an epoch that is not the last (``detail``: the
    model and the epoch just finished).
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

PAUSE_AT = "MULTIMODAL_EMOTION_PAUSE_AT"
PAUSE_DIR = "MULTIMODAL_EMOTION_PAUSE_DIR"
POLL_S = 0.05

logger = logging.getLogger(__name__)
_reached: set[str] = set()  # points this process has already paused at (once each)


def pause_requested(name: str) -> bool:
    wanted = os.environ.get(PAUSE_AT, "")
    return bool(wanted) and name in wanted.split(",") and name not in _reached


def pause_point(name: str, *, detail: str = "", prepare=None) -> None:
    """Hold here if a test asked for ``name`` (see the module docstring); ``prepare()`` is
    called first, only then (e.g. to flush a file the test will inspect)."""
    if not pause_requested(name):
        return
    _reached.add(name)
    if prepare is not None:
        prepare()
    folder = Path(os.environ.get(PAUSE_DIR) or ".")
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f"{name}.{os.getpid()}.paused"
    partial = marker.with_name(f".{marker.name}.tmp")  # renamed: the test never reads half a marker
    partial.write_text(json.dumps({"point": name, "pid": os.getpid(), "detail": detail}))
    partial.rename(marker)
    logger.info("paused at %s (%s) for a test; waiting for %s", name, detail, folder / f"{name}.release")
    release = folder / f"{name}.release"
    while not release.exists():
        time.sleep(POLL_S)
