"""Helpers shared by the tests (docs/testing.md, "How the suite is built")."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def load_script(path: Path) -> ModuleType:
    """A script outside the package (``benchmarks/``, ``.ci/``) loaded as a module named after
    its file, so that a test can call its functions."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
