"""The tools behind docs/testing.md's CPU figures: per-process accounting
(benchmarks/process_cpu/) and per-test CPU in the pytest process (benchmarks/pytest_cpu.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import REPO
from support import load_script

BENCHMARKS = REPO / "benchmarks"


def _python(code: str, env: dict) -> None:
    subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, check=False)


def test_every_python_process_writes_its_cpu_line_also_through_os_exit(tmp_path):
    lines = tmp_path / "cpu.jsonl"
    env = {"PYTHONPATH": str(BENCHMARKS / "process_cpu"), "PROCESS_CPU_FILE": str(lines)}
    _python("sum(i * i for i in range(300_000))", env)
    _python("import os; os._exit(3)", env)  # how our training jobs end
    _python("pass", {"PYTHONPATH": str(BENCHMARKS / "process_cpu"), "PROCESS_CPU_FILE": ""})  # unset: nothing
    written = [json.loads(line) for line in lines.read_text().splitlines()]
    assert len(written) == 2
    assert "range(300_000)" in written[0]["argv"] and "os._exit" in written[1]["argv"]
    assert all(line["cpu_s"] > 0 and line["wall_s"] > 0 and line["cwd"] for line in written)


def test_process_lines_are_summed_by_kind_and_run_folder():
    process_cpu = load_script(BENCHMARKS / "process_cpu.py")
    tiny = "/tmp/pytest-of-root/pytest-3/popen-gw0/tiny_run0"
    lines = [
        {"argv": f"{tiny}/.snakemake/scripts/tmpab12cd.train_models.py", "cpu_s": 10.0, "cwd": tiny},
        {"argv": f"{tiny}/.snakemake/scripts/tmpzz9.train_models.py", "cpu_s": 6.0, "cwd": tiny},
        {"argv": f"-m snakemake --snakefile /work/main/Snakefile --directory {tiny} --cores 2",
         "cpu_s": 2.0, "cwd": "/work/main"},
        {"argv": "-c import sys;exec(eval(sys.stdin.readline()))", "cpu_s": 100.0, "cwd": "/work/main"},
        {"argv": "/work/main/.venv/bin/snakemake -n", "cpu_s": 1.5, "cwd": "/tmp/pytest-of-root/pytest-3/dry0/x"},
    ]
    kinds, runs = process_cpu.summarise(lines)
    assert kinds == {"job train_models": [2, 16.0], "snakemake": [2, 3.5], "pytest worker": [1, 100.0]}
    assert runs == {"tiny_run0": [3, 18.0], "dry0": [1, 1.5]}


def test_pytest_plugin_writes_each_tests_cpu_seconds(tmp_path):
    (tmp_path / "test_two.py").write_text(
        "def test_busy():\n    sum(i * i for i in range(2_000_000))\n\n\ndef test_idle():\n    pass\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {**os.environ, "PYTHONPATH": str(BENCHMARKS), "PYTEST_CPU_DIR": str(tmp_path)}
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "pytest_cpu", "-p", "no:cacheprovider", "test_two.py"],
                            cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    written = json.loads((tmp_path / "pytest_cpu.main.json").read_text())
    tests = written["tests"]
    assert set(tests) == {"test_two.py::test_busy", "test_two.py::test_idle"}
    assert tests["test_two.py::test_busy"] > tests["test_two.py::test_idle"] >= 0
    assert written["process_cpu_s"] >= sum(tests.values())
    report = load_script(BENCHMARKS / "pytest_cpu.py").report([str(tmp_path / "pytest_cpu.main.json")])
    assert "| test_two.py |" in report and "| test_two.py::test_busy |" in report
