"""pytest plugin: the CPU seconds each test spends in the pytest process itself (setup, call
and teardown; ``getrusage(RUSAGE_SELF)``: the Snakemake runs a test starts are other processes,
counted by ``benchmarks/process_cpu``). Each worker writes ``pytest_cpu.<worker>.json`` into
``PYTEST_CPU_DIR`` (default: the system's temporary folder); ``python benchmarks/pytest_cpu.py
FILE...`` prints the modules and the tests that cost most.

    PYTHONPATH=benchmarks python -m pytest -q -m "not workflow" -n 2 --dist loadgroup -p pytest_cpu
    python benchmarks/pytest_cpu.py /tmp/pytest_cpu.*.json
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

_seconds: dict[str, float] = {}


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    before = _cpu_s()
    yield
    _seconds[item.nodeid] = _cpu_s() - before


def pytest_sessionfinish(session):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    folder = Path(os.environ.get("PYTEST_CPU_DIR", tempfile.gettempdir()))
    (folder / f"pytest_cpu.{worker}.json").write_text(json.dumps({"process_cpu_s": _cpu_s(), "tests": _seconds}))


def report(paths: list[str], top: int = 25) -> str:
    tests: dict[str, float] = {}
    process_total = 0.0
    for path in paths:
        data = json.loads(Path(path).read_text())
        tests.update(data["tests"])
        process_total += data["process_cpu_s"]
    modules = Counter()
    for nodeid, seconds in tests.items():
        modules[nodeid.split("::")[0]] += seconds
    lines = [f"{sum(tests.values()):.1f} CPU s in {len(tests)} tests ({process_total:.1f} in the pytest processes)", "",
             "| module | CPU s |", "|---|---|"]
    lines += [f"| {module} | {seconds:.1f} |" for module, seconds in modules.most_common(top)]
    lines += ["", "| test | CPU s |", "|---|---|"]
    lines += [f"| {nodeid} | {seconds:.1f} |" for nodeid, seconds in sorted(tests.items(), key=lambda t: -t[1])[:top]]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(sys.argv[1:]))
