"""Job-seconds and CPU-seconds per rule of a finished run, from Snakemake's benchmark files.

Reads ``{results}/benchmarks/{rule}/**.tsv`` (one file per job; columns ``s`` wall seconds
and ``cpu_time``) and prints, per rule, the number of jobs, the summed wall and CPU
seconds, and each rule's share of the run's total; then the ratio the refit's issue
asks about: the evaluation's seconds over the training's (``merge_search``, which
evaluates since issue 27, and ``merge_models`` in packed runs; ``evaluate_shard`` in runs
from before; training: ``train_shard`` and, packed, ``train_models``).

Usage::

    python benchmarks/rule_seconds.py [results]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd


def rule_seconds(results: Path) -> pd.DataFrame:
    rows = []
    for rule_dir in sorted(p for p in (results / "benchmarks").iterdir() if p.is_dir()):
        for tsv in rule_dir.rglob("*.tsv"):
            frame = pd.read_csv(tsv, sep="\t")
            rows.append({"rule": rule_dir.name, "s": frame["s"].iloc[-1], "cpu_time": frame["cpu_time"].iloc[-1]})
    table = pd.DataFrame(rows).groupby("rule").agg(jobs=("s", "size"), wall_s=("s", "sum"), cpu_s=("cpu_time", "sum"))
    table["share_of_wall"] = table["wall_s"] / table["wall_s"].sum()
    return table.sort_values("wall_s", ascending=False)


def main() -> None:
    results = Path(sys.argv[1] if len(sys.argv) > 1 else "results")
    table = rule_seconds(results)
    print(table.to_string(float_format=lambda v: f"{v:.3f}" if v < 1 else f"{v:.1f}"))
    # packed runs (search.pack_models): train_models and merge_models, beside any sharded model's jobs
    evaluation = [rule for rule in ("evaluate_shard", "merge_search", "merge_models") if rule in table.index]
    if "evaluate_shard" in evaluation:  # runs from before issue 27: merge_search only joined
        evaluation = ["evaluate_shard"]
    training = [rule for rule in ("train_shard", "train_models") if rule in table.index]
    if evaluation and training:
        for column in ("wall_s", "cpu_s"):
            ratio = table.loc[evaluation, column].sum() / table.loc[training, column].sum()
            print(f"{' + '.join(evaluation)} / {' + '.join(training)} ({column}): {ratio:.3f}")


if __name__ == "__main__":
    main()
