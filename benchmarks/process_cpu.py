"""Where the CPU seconds of a test-suite or workflow run went, by kind of process and by run
folder, from the lines ``benchmarks/process_cpu/sitecustomize.py`` wrote.

Usage::

    PROCESS_CPU_FILE=/tmp/cpu.jsonl PYTHONPATH=$PWD/benchmarks/process_cpu python -m pytest -q -n 2 --dist loadgroup
    python benchmarks/process_cpu.py /tmp/cpu.jsonl

Kinds: ``job <script>`` (a Snakemake job, named by its entry script in workflow_scripts/;
``synthetic_data`` is the ``synthetic_file`` rule's), ``snakemake`` (Snakemake's own processes:
the runs and dry runs the tests start, and those SLURM starts for its jobs), ``pytest worker``
(the in-process tests) and the command line of anything else. A run folder is the folder a job or
a Snakemake process worked in; under pytest's temporary folder, its first part (the test's folder).
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

JOB_SCRIPT = re.compile(r"\.snakemake/scripts/tmp\w+\.(\w+)\.py")
PYTEST_TMP = re.compile(r"^/tmp/pytest-of-[^/]+/pytest-\d+/(?:popen-gw\d+/)?")
DIRECTORY_OPTION = re.compile(r"--directory[ =](\S+)")


def process_kind(argv: str) -> str:
    job = JOB_SCRIPT.search(argv)
    if job:
        return f"job {job.group(1)}"
    program = argv.split(" ", 1)[0]
    if argv.startswith("-m snakemake ") or program.endswith("/snakemake") or program == "snakemake":
        return "snakemake"
    if "exec(eval(sys.stdin.readline()))" in argv:  # how execnet starts a pytest-xdist worker
        return "pytest worker"
    return argv[:80]


def run_folder(argv: str, cwd: str) -> str:
    job = JOB_SCRIPT.search(argv)
    directory = DIRECTORY_OPTION.search(argv)
    folder = (argv[:job.start()] if job else directory.group(1) if directory else cwd).rstrip("/")
    in_pytest = PYTEST_TMP.match(folder)
    return PYTEST_TMP.sub("", folder).split("/")[0] if in_pytest else folder


def summarise(lines: list[dict]) -> tuple[dict, dict]:
    """(kind -> [processes, CPU s]), (run folder -> [processes, CPU s]) of Snakemake jobs and
    Snakemake's own processes."""
    kinds: dict[str, list] = defaultdict(lambda: [0, 0.0])
    runs: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for line in lines:
        kind = process_kind(line["argv"])
        kinds[kind][0] += 1
        kinds[kind][1] += line["cpu_s"]
        if kind.startswith("job ") or kind == "snakemake":
            folder = run_folder(line["argv"], line["cwd"])
            runs[folder][0] += 1
            runs[folder][1] += line["cpu_s"]
    return dict(kinds), dict(runs)


def main() -> None:
    lines = [json.loads(text) for text in Path(sys.argv[1]).read_text().splitlines() if text.strip()]
    kinds, runs = summarise(lines)
    print(f"{sum(cpu for _, cpu in kinds.values()):.1f} CPU s in {len(lines)} Python processes")
    for title, table in (("kind of process", kinds), ("run folder (Snakemake and its jobs)", runs)):
        print(f"\n| {title} | processes | CPU s | CPU s each |\n|---|---|---|---|")
        for name, (count, cpu) in sorted(table.items(), key=lambda item: -item[1][1]):
            print(f"| {name} | {count} | {cpu:.1f} | {cpu / count:.2f} |")


if __name__ == "__main__":
    main()
