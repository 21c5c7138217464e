"""The README's results block, generated from a run's tables, and its check.

``python -m multimodal_emotion.reporting readme TABLES_DIR [README]`` (see :func:`main`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..datasets import get as dataset_module
from ..store import atomic_path
from .labels import TRAINING_MAJORITY

README_BEGIN = "<!-- results-table:begin (generated: python -m multimodal_emotion.reporting readme results/tables) -->"
README_END = "<!-- results-table:end -->"
#: The committed copy of the default run's summary tables that the README's block is generated from.
SNAPSHOT_DIR = Path("docs") / "results-tables"
README_DATASETS = ("seed", "deap")


def _p_text(p: float) -> str:
    return "-" if not np.isfinite(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")


def readme_block(tables_dir: str | Path, *, selection: str = "validation") -> str:
    """The README's results tables, one per dataset and task, from ``{dataset}_accuracy.csv`` in
    ``tables_dir``: the measured rows of one selection mode (then the training-majority floor),
    each with n, mean accuracy and its 95 % interval, balanced accuracy and the Holm-corrected p."""
    import pandas as pd

    lines = []
    for dataset in README_DATASETS:
        path = Path(tables_dir) / f"{dataset}_accuracy.csv"
        if not path.exists():
            continue
        table = pd.read_csv(path)
        ours = table[(table["source"] == "this run") & (table["selection"] == selection)]
        for task, rows in ours.groupby("task", sort=True):
            rows = pd.concat([rows[rows["model"] != TRAINING_MAJORITY], rows[rows["model"] == TRAINING_MAJORITY]])
            unit = rows["unit"].iloc[0]
            cells = pd.DataFrame({
                "model": rows["method"],
                "n": rows["n_experiments"].astype(int).astype(str),
                "accuracy % [95 % CI]": [f"{m:.1f}" + ("" if not np.isfinite(lo) else f" [{lo:.1f}, {hi:.1f}]")
                                         for m, lo, hi in zip(rows["mean_accuracy"], rows["ci95_low"], rows["ci95_high"])],
                "balanced accuracy %": [f"{b:.1f}" for b in rows["balanced_accuracy"]],
                "Holm p vs Bimodal-LSTM": [_p_text(p) for p in rows["holm_p_vs_bimodal_lstm"]],
            })
            lines += [f"**{dataset_module(dataset).TITLE}, {task}** (selected on {selection}; n = {unit})", "",
                      cells.to_markdown(index=False, tablefmt="github", disable_numparse=True)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _split_readme(text: str) -> tuple[str, str, str]:
    if text.count(README_BEGIN) != 1 or text.count(README_END) != 1:
        raise ValueError(f"README: expected one '{README_BEGIN}' and one '{README_END}' marker line.")
    head, rest = text.split(README_BEGIN + "\n", 1)
    block, tail = rest.split(README_END, 1)
    return head, block, tail


def readme_disagreements(readme: str | Path, tables_dir: str | Path) -> list[str]:
    """Lines of the README's generated block that differ from what ``tables_dir`` gives ([] = agree)."""
    import difflib

    _, block, _ = _split_readme(Path(readme).read_text())
    expected = readme_block(tables_dir)
    return [line for line in difflib.unified_diff(expected.splitlines(), block.splitlines(), "tables", "README",
                                                  lineterm="", n=0)]


def write_readme(tables_dir: str | Path, readme: str | Path = "README.md",
                 snapshot_dir: str | Path | None = SNAPSHOT_DIR) -> None:
    """One step: copy the run's summary tables to ``snapshot_dir`` (committed, what the test
    checks the README against), then rewrite the README's block from them."""
    import shutil

    source = Path(tables_dir)
    if snapshot_dir is not None and source.resolve() != Path(snapshot_dir).resolve():  # else: regenerate from it
        Path(snapshot_dir).mkdir(parents=True, exist_ok=True)
        for dataset in README_DATASETS:
            if (source / f"{dataset}_accuracy.csv").exists():
                shutil.copyfile(source / f"{dataset}_accuracy.csv", Path(snapshot_dir) / f"{dataset}_accuracy.csv")
        source = Path(snapshot_dir)
    head, _, tail = _split_readme(Path(readme).read_text())
    with atomic_path(str(readme)) as tmp:
        tmp.write_text(head + README_BEGIN + "\n" + readme_block(source) + README_END + tail)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m multimodal_emotion.reporting readme TABLES_DIR [README]``: regenerate the README's
    results block (and the committed snapshot docs/results-tables/) from a run's tables;
    ``check TABLES_DIR [README]``: exit 1 and print the differences if they disagree."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m multimodal_emotion.reporting")
    parser.add_argument("command", choices=("readme", "check"))
    parser.add_argument("tables_dir")
    parser.add_argument("readme", nargs="?", default="README.md")
    args = parser.parse_args(argv)
    if args.command == "readme":
        write_readme(args.tables_dir, args.readme)
        return 0
    differences = readme_disagreements(args.readme, args.tables_dir)
    print("\n".join(differences) if differences else f"{args.readme} agrees with {args.tables_dir}")
    return 1 if differences else 0

