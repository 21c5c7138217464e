"""Where a dataset copy's top folder is, from any folder of it (``<dataset>.source``).

A user may point ``source`` at the dataset's root, at one of its folders (e.g. DEAP's
``data_preprocessed_python/``), or at a folder holding the download. Each dataset module
lists the folders that mark its root (``ROOT_FOLDERS``); SEED's release has two parts and
its own :func:`~.seed.discover_seed_source`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def find_root(source: str | Path, markers: Sequence[str]) -> Path | None:
    """The folder holding any of ``markers``: ``source`` itself, its parent (``source``
    is one of the marker folders or inside one), its grandparent (a session folder such as
    SEED-IV's ``eeg_raw_data/1``), or its only child that holds one. None if none does."""
    source = Path(source)

    def holds(folder: Path) -> bool:
        return any((folder / name).is_dir() for name in markers)

    for candidate in (source, source.parent, source.parent.parent):
        if holds(candidate) and (candidate == source or source.name in markers or source.parent.name in markers):
            return candidate
    if source.is_dir():
        inner = [child for child in sorted(source.iterdir()) if child.is_dir() and holds(child)]
        if len(inner) == 1:
            return inner[0]
    return None


def found_folders(root: Path, markers: Sequence[str]) -> list[str]:
    """The marker folders present under ``root`` (for the start-up line)."""
    return [name for name in markers if (Path(root) / name).is_dir()]
