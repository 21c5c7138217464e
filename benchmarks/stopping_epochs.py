"""Where the networks of a finished run stopped: per dataset and model, over every fit
(configuration x fold) in the search CSVs, the epochs run and the restored (best) epoch,
and how many fits ran to their epoch limit instead of stopping on patience.

Usage::

    python benchmarks/stopping_epochs.py [results]

Prints a Markdown table (the one in docs/results.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd


def stopping_table(results: Path) -> pd.DataFrame:
    rows = []
    for csv in sorted((results / "search").glob("*/*/*/*.csv")):
        dataset = csv.relative_to(results / "search").parts[0]
        frame = pd.read_csv(csv)
        if not {"epochs", "best_epoch", "hp_max_epochs"} <= set(frame.columns):
            continue  # not an epoch-trained network
        frame = frame.dropna(subset=["epochs"])
        rows.append(frame.assign(dataset=dataset, model=csv.stem)[
            ["dataset", "model", "epochs", "best_epoch", "hp_max_epochs"]])
    fits = pd.concat(rows, ignore_index=True)
    fits["at_limit"] = fits["epochs"] >= fits["hp_max_epochs"]
    return fits.groupby(["dataset", "model"]).agg(
        fits=("epochs", "size"), limit=("hp_max_epochs", "max"), epochs_median=("epochs", "median"),
        epochs_max=("epochs", "max"), best_median=("best_epoch", "median"), best_min=("best_epoch", "min"),
        best_max=("best_epoch", "max"), at_limit=("at_limit", "sum"),
    ).reset_index()


def main() -> None:
    table = stopping_table(Path(sys.argv[1] if len(sys.argv) > 1 else "results"))
    print("| dataset | model (epoch limit) | fits | epochs run: median, max | restored epoch: median, range | at the limit |")
    print("|---|---|---|---|---|---|")
    for r in table.itertuples():
        print(f"| {r.dataset} | {r.model} ({r.limit:g}) | {r.fits} | {r.epochs_median:g}, {r.epochs_max:g} | "
              f"{r.best_median:g}, {r.best_min:g}-{r.best_max:g} | {r.at_limit} |")


if __name__ == "__main__":
    main()
