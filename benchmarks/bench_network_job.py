"""Where a network training job's wall time goes (issue 27): start-up, TensorFlow import,
build, trace, training steps, save, teardown.

The job is measured as the workflow runs it: Snakemake runs the ``train_shard`` job
(its benchmark file gives the wall time of the job's process), and the job's log gives
the phases, from markers ``experiments.train_shard`` writes:

* ``job start: process started X s ago`` - Python start-up and package imports;
* ``job phases (s): {...}`` - seconds summed over configurations and folds:
  ``import_tensorflow`` (first TensorFlow import, thread settings), ``build`` (seeding,
  scalers, Keras models, optimisers), ``trace`` (tracing the training steps, once each:
  fixed input signatures), ``training_steps`` (every epoch: optimiser steps and the
  monitored split's accuracy, i.e. what early stopping needs), ``save`` (the Keras
  file, the SVM layer's inputs or predictions per split, whose inference functions
  trace on first use);
* ``job end: Y s after process start`` - so teardown = wall - Y.

"reading" is the rest between start and end (feature file, folds, logging).

Usage (from the repository root)::

    # one job, run fresh (its features and one warm-up run first, not timed):
    python benchmarks/bench_network_job.py [--job seed/1_20131027/emotion/bimodal_lstm/shard0]
        [--configfile config.yaml] [--workdir /tmp/bench_network_job] [--repeats 2]
    # every train_shard job of a finished run, summed per model (and its train_models
    # jobs, with search.pack_models, summed in one row):
    python benchmarks/bench_network_job.py --from-run .

Prints one row per job (or per model) with each phase's seconds and share of wall time.
Measure on a quiet machine; the figures in docs/costs.md say which.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PHASES = ("startup", "import_tensorflow", "reading", "build", "trace", "training_steps", "save", "teardown")
START = re.compile(r"job start: process started ([0-9.]+) s ago")
END = re.compile(r"job phases \(s\): (\{.*\}); job end: ([0-9.]+) s after process start")


def breakdown(log_text: str, wall: float) -> dict[str, float]:
    """Seconds per phase of one job from its log and its wall time (benchmark file). A
    ``train_models`` job (search.pack_models) logs a start and an end marker per model: its
    models' phases are summed, start-up runs to the first start, teardown from the last end."""
    starts, ends = START.findall(log_text), END.findall(log_text)
    if not starts or len(ends) != len(starts):
        raise SystemExit("the job log lacks a start and an end phase marker per model (a train_shard from before "
                         "issue 27?)")
    startup, ended = float(starts[0]), float(ends[-1][1])
    inside = {k: sum(float(json.loads(phases).get(k, 0.0)) for phases, _ in ends)
              for k in ("import_tensorflow", "build", "trace", "training_steps", "save")}
    return {"startup": startup, **inside, "reading": max(ended - startup - sum(inside.values()), 0.0),
            "teardown": max(wall - ended, 0.0), "wall": wall}


def wall_seconds(tsv: Path) -> float:
    lines = tsv.read_text().splitlines()
    return float(lines[1].split("\t")[0])


def print_rows(rows: dict[str, dict[str, float]]) -> None:
    print("| job | wall s | " + " | ".join(PHASES) + " |")
    print("|---|---|" + "---|" * len(PHASES))
    for name, row in rows.items():
        cells = [f"{row[p]:.2f} ({100 * row[p] / row['wall']:.0f} %)" for p in PHASES]
        print(f"| {name} | {row['wall']:.2f} | " + " | ".join(cells) + " |")


def snakemake(workdir: Path, configfile: Path, *args: str) -> None:
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory",
               str(workdir), "--configfile", str(configfile), *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"snakemake failed ({done.returncode}):\n{done.stderr[-3000:]}")


def run_one(job: str, configfile: Path, workdir: Path, repeats: int) -> dict[str, dict[str, float]]:
    config = yaml.safe_load(configfile.read_text())
    if config.get("search", {}).get("pack_models"):
        raise SystemExit("--job measures one train_shard job: use a config with search.pack_models false "
                         "(a packed run's jobs: --from-run)")
    config["results"] = "results"
    workdir.mkdir(parents=True, exist_ok=True)
    local = workdir / "config.yaml"
    local.write_text(yaml.safe_dump(config))
    target = f"results/search/{job}/models"
    snakemake(workdir, local, "--cores", "2", target)  # its inputs and one warm-up run, untimed
    rows = {}
    for repeat in range(repeats):
        snakemake(workdir, local, "--cores", "1", "--force", target)
        wall = wall_seconds(workdir / f"results/benchmarks/train_shard/{job}.tsv")
        rows[f"{job} (run {repeat + 1})"] = breakdown((workdir / f"results/logs/train_shard/{job}.log").read_text(),
                                                      wall)
    return rows


def from_run(root: Path) -> dict[str, dict[str, float]]:
    """Every train_shard job of a finished run whose log has the markers, summed per model,
    and its train_models jobs (search.pack_models) in one row."""
    totals: dict[str, dict[str, float]] = {}

    def add(row_name: str, log: Path, tsv: Path) -> None:
        text = log.read_text()
        if not tsv.exists() or not END.search(text):
            return
        total = totals.setdefault(row_name, {k: 0.0 for k in (*PHASES, "wall", "jobs")})
        for key, value in breakdown(text, wall_seconds(tsv)).items():
            total[key] += value
        total["jobs"] += 1

    logs = root / "results/logs/train_shard"
    for log in sorted(logs.rglob("*.log")):
        job = log.relative_to(logs).with_suffix("")
        add(job.parts[-2], log, root / "results/benchmarks/train_shard" / job.with_suffix(".tsv"))
    networks = {m: t for m, t in totals.items() if t["import_tensorflow"] > 0}
    if networks:
        summed = {k: sum(t[k] for t in networks.values()) for k in (*PHASES, "wall", "jobs")}
        totals["all TensorFlow models"] = summed
    packs = root / "results/logs/train_models"
    for log in sorted(packs.rglob("*.log")):
        add("packed (every model of an experiment)", log,
            root / "results/benchmarks/train_models" / log.relative_to(packs).with_suffix(".tsv"))
    return {f"{m} ({int(t['jobs'])} jobs)": t for m, t in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--job", default="seed/1_20131027/emotion/bimodal_lstm/shard0",
                        help="dataset/recording/task/model/shardN of the train_shard job")
    parser.add_argument("--configfile", type=Path, default=REPO / "config.yaml")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench_network_job"))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--from-run", type=Path, help="sum the train_shard jobs of this finished run instead")
    args = parser.parse_args()
    rows = from_run(args.from_run) if args.from_run else run_one(args.job, args.configfile, args.workdir,
                                                                 args.repeats)
    print_rows(rows)


if __name__ == "__main__":
    main()
