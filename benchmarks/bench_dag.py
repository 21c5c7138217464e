"""How long Snakemake takes to build the DAG of the paper's full protocol (dry run).

The paper's config (27 SEED experiments x 200 configurations, 32 DEAP subjects) has
thousands of jobs; this prints the dry run's wall time next to a baseline measured in
the same run (a dry run of the default config), as a ratio. It replaces a timed test
(wall-clock assertions fail at random on a shared machine).

    python benchmarks/bench_dag.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def dry_run_seconds(config: dict, workdir: Path) -> float:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                    "--directory", str(workdir), "--configfile", str(workdir / "config.yaml"),
                    "--cores", "1", "--dry-run", "--quiet", "rules"], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    paper = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    paper["seed"]["source"] = paper["deap"]["source"] = "synthetic"
    default = yaml.safe_load((REPO / "config.yaml").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        base = dry_run_seconds(default, Path(tmp) / "default")
        full = dry_run_seconds(paper, Path(tmp) / "paper")
    print(f"dry run, default config: {base:.2f} s (baseline)")
    print(f"dry run, paper config:   {full:.2f} s = {full / base:.2f} x the baseline")


if __name__ == "__main__":
    main()
