"""Reading the format tables kept in ``resources/`` (channel lists, label tables)."""

from __future__ import annotations

import csv
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[3] / "resources"


def read_lines(name: str) -> tuple[str, ...]:
    """Non-empty stripped lines of ``resources/<name>``."""
    return tuple(line.strip() for line in (RESOURCES / name).read_text().splitlines() if line.strip())


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of the tab-separated ``resources/<name>`` (header line first)."""
    with open(RESOURCES / name, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))
