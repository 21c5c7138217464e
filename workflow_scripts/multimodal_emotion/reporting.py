"""Accuracy tables (the paper's Fig. 3 and Table 2) and figures from experiment results.

Reads only the per-experiment JSON files written by ``experiments.merge_shards`` and the
paper's reference numbers in ``resources/paper_reference.tsv``; never opens a model.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .datasets import RESOURCES
from .datasets import get as dataset_module
from .store import atomic_path

log = logging.getLogger(__name__)

MODEL_LABELS = {
    "feature_fusion": "Feature fusion (RBF-SVM)",
    "linear_svm": "Linear SVM",
    "linear_svm_eeg": "Linear SVM, EEG only",
    "linear_svm_other": "Linear SVM, other modality only",
    "bddae": "BDDAE",
    "bimodal_lstm": "Bimodal-LSTM",
}
SELECTION_LABELS = {
    "validation": "selected on validation (honest)",
    "test": "best of N on test (paper's protocol, optimistic)",
}
REFERENCE_MODEL = "bimodal_lstm"


def collect_results(paths: Sequence[str]) -> "pd.DataFrame":  # noqa: F821
    """One row per experiment, model and selection mode."""
    import pandas as pd

    rows = []
    for path in paths:
        result = json.loads(Path(path).read_text())
        base = {k: result[k] for k in ("dataset", "experiment", "task", "model")}
        base["subject"] = dataset_module(result["dataset"]).subject_of(result["experiment"])
        if result["not_evaluable"]:
            rows.append({**base, "selection": None, "not_evaluable": result["not_evaluable"]})
            continue
        for selection, chosen in sorted(result["selections"].items()):
            confusion = np.array(chosen["confusion"])
            rows.append({
                **base, "selection": selection, "not_evaluable": "",
                "test_accuracy": chosen["test_accuracy"], "val_accuracy": chosen["val_accuracy"],
                "train_accuracy": chosen["train_accuracy"], "config": chosen["config"], "n_configs": chosen["n_configs"],
                "majority_rate": confusion.sum(axis=1).max() / confusion.sum(),
                "confusion": json.dumps(chosen["confusion"]),
            })
    frame = pd.DataFrame(rows)
    return frame.sort_values(["dataset", "task", "model", "experiment", "selection"], na_position="first").reset_index(drop=True)


def paired_wilcoxon(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p-value over paired experiments (NaN if undefined)."""
    from scipy.stats import wilcoxon

    mask = np.isfinite(a) & np.isfinite(b)
    if mask.sum() < 2 or np.allclose(a[mask], b[mask]):
        return float("nan")
    return float(wilcoxon(a[mask], b[mask]).pvalue)


def summary_table(results: "pd.DataFrame", *, dataset: str) -> "pd.DataFrame":  # noqa: F821
    """Mean and std (%) over experiments per task, model and selection, with the paired
    Wilcoxon p-value against Bimodal-LSTM, then the paper's reference rows."""
    import pandas as pd

    data = results[(results["dataset"] == dataset) & results["selection"].notna()]
    rows = []
    for (task, selection), group in data.groupby(["task", "selection"], sort=True):
        pivot = group.pivot(index="experiment", columns="model", values="test_accuracy")
        for model in [m for m in MODEL_LABELS if m in pivot.columns] + sorted(set(pivot.columns) - set(MODEL_LABELS)):
            values = pivot[model].to_numpy(dtype=float)
            p = (paired_wilcoxon(pivot[REFERENCE_MODEL].to_numpy(dtype=float), values)
                 if REFERENCE_MODEL in pivot.columns and model != REFERENCE_MODEL else float("nan"))
            majority = group.loc[group["model"] == model, "majority_rate"].to_numpy(dtype=float)
            rows.append({
                "task": task, "selection": selection, "model": model, "method": MODEL_LABELS.get(model, model),
                "mean_accuracy": 100 * np.nanmean(values), "std_accuracy": 100 * np.nanstd(values, ddof=1) if len(values) > 1 else float("nan"),
                "n_experiments": int(np.isfinite(values).sum()), "majority_class_rate": 100 * np.nanmean(majority),
                "wilcoxon_p_vs_bimodal_lstm": p, "source": "this run",
            })
    excluded = results[(results["dataset"] == dataset) & results["selection"].isna()]
    table = pd.DataFrame(rows, columns=[
        "task", "selection", "model", "method", "mean_accuracy", "std_accuracy", "n_experiments",
        "majority_class_rate", "wilcoxon_p_vs_bimodal_lstm", "source",
    ])
    reference = pd.read_csv(RESOURCES / "paper_reference.tsv", sep="\t", comment="#")
    reference = reference[reference["dataset"] == dataset].assign(selection="reported", n_experiments=np.nan,
                                                                  majority_class_rate=np.nan, wilcoxon_p_vs_bimodal_lstm=np.nan)
    reference = reference.rename(columns={"mean": "mean_accuracy", "std": "std_accuracy"})
    table = pd.concat([table, reference[table.columns.intersection(reference.columns).tolist() + ["note"]]], ignore_index=True)
    if not excluded.empty:
        log.warning("%d %s experiments not evaluable: %s", len(excluded), dataset, sorted(set(excluded["not_evaluable"])))
        table.attrs["excluded"] = sorted({f"{r.experiment} {r.task} ({r.model}): {r.not_evaluable}" for r in excluded.itertuples()})
    return table


def _format_number(value, digits=2) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if digits is None else f"{value:.{digits}f}"
    return str(value)


def write_table(table: "pd.DataFrame", stem: str, *, caption: str) -> None:  # noqa: F821
    """``stem``.csv (full precision), .md and .tex (rounded, for papers)."""
    columns = [c for c in table.columns if c != "model"]
    with atomic_path(f"{stem}.csv") as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    header = [c.replace("_", " ") for c in columns]

    def cells(row):
        return [_format_number(row[c], None if c.startswith("wilcoxon") else 0 if c.startswith("n_") else 2)
                for c in columns]

    notes = [f"Not evaluable: {e}" for e in table.attrs.get("excluded", [])]
    lines = [f"**{caption}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells(row)) + " |" for _, row in table.iterrows()]
    with atomic_path(f"{stem}.md") as tmp:
        tmp.write_text("\n".join(lines + [""] + notes) + "\n")

    def tex(text: str) -> str:
        return str(text).replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("%", r"\%").replace("&", r"\&")

    body = [" & ".join(tex(c) for c in cells(row)) + r" \\" for _, row in table.iterrows()]
    latex = [r"\begin{table}[t]", r"\centering", rf"\caption{{{tex(caption)}}}",
             r"\begin{tabular}{" + "l" * len(columns) + "}", r"\hline",
             " & ".join(tex(h) for h in header) + r" \\", r"\hline", *body, r"\hline", r"\end{tabular}",
             *[rf"\par\footnotesize {tex(n)}" for n in notes], r"\end{table}"]
    with atomic_path(f"{stem}.tex") as tmp:
        tmp.write_text("\n".join(latex) + "\n")


def _savefig(fig, path: str) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120, metadata={"Software": None})


def accuracy_figure(table, path: str, *, title: str) -> None:
    """Bar chart of mean accuracy with std error bars per model (Fig. 3 / Table 2)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ours = table[table["source"] == "this run"]
    tasks = sorted(ours["task"].unique())
    selections = sorted(ours["selection"].unique(), key=lambda s: s != "validation")
    fig, axes = plt.subplots(1, max(1, len(tasks)), figsize=(6 * max(1, len(tasks)), 4.5), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        part = ours[ours["task"] == task]
        methods = list(dict.fromkeys(part["method"]))
        width = 0.8 / max(1, len(selections))
        for i, selection in enumerate(selections):
            rows = part[part["selection"] == selection].set_index("method").reindex(methods)
            ax.bar(np.arange(len(methods)) + i * width, rows["mean_accuracy"], width, yerr=rows["std_accuracy"].fillna(0),
                   capsize=3, label=SELECTION_LABELS[selection], hatch=None if selection == "validation" else "//", alpha=0.85)
        refs = table[(table["source"] != "this run") & (table["task"] == task)]
        for _, ref in refs.iterrows():
            if np.isfinite(ref["mean_accuracy"]):
                ax.axhline(ref["mean_accuracy"], ls=":", lw=1, color="grey")
                ax.text(len(methods) - 0.5, ref["mean_accuracy"], f" {ref['method']} (reported)", fontsize=7, va="bottom", ha="right")
        chance = part["majority_class_rate"].mean()
        ax.axhline(chance, color="black", lw=1, ls="--", label=f"majority class ({chance:.1f}%)")
        ax.set_xticks(np.arange(len(methods)) + width * (len(selections) - 1) / 2, methods, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("test accuracy (%)")
        ax.set_ylim(0, 105)
        ax.set_title(f"{title}: {task}")
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    _savefig(fig, path)
    plt.close(fig)


def per_subject_figure(results, path: str, *, dataset: str, selection: str) -> None:
    """Test accuracy of every experiment per model (validation selection)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = results[(results["dataset"] == dataset) & (results["selection"] == selection)]
    tasks = sorted(data["task"].unique())
    fig, axes = plt.subplots(1, max(1, len(tasks)), figsize=(6 * max(1, len(tasks)), 4), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        pivot = data[data["task"] == task].pivot(index="experiment", columns="model", values="test_accuracy") * 100
        for model in pivot.columns:
            ax.plot(range(len(pivot)), pivot[model], marker="o", label=MODEL_LABELS.get(model, model))
        ax.set_xticks(range(len(pivot)), pivot.index, rotation=45, ha="right", fontsize=7)
        ax.set_ylabel("test accuracy (%)")
        ax.set_ylim(0, 105)
        ax.set_title(f"{dataset.upper()} {task}: per experiment ({selection} selection)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    _savefig(fig, path)
    plt.close(fig)


def confusion_figure(results, path: str, *, dataset: str, selection: str, class_names: Sequence[str]) -> None:
    """Confusion matrices summed over experiments, per model (rows: true class)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = results[(results["dataset"] == dataset) & (results["selection"] == selection)]
    keys = sorted({(t, m) for t, m in zip(data["task"], data["model"])})
    fig, axes = plt.subplots(1, max(1, len(keys)), figsize=(2.6 * max(1, len(keys)), 3), squeeze=False)
    for ax, (task, model) in zip(axes[0], keys):
        rows = data[(data["task"] == task) & (data["model"] == model)]
        total = sum(np.array(json.loads(c)) for c in rows["confusion"])
        normalised = total / np.maximum(total.sum(axis=1, keepdims=True), 1)
        ax.imshow(normalised, vmin=0, vmax=1, cmap="Blues")
        for (i, j), v in np.ndenumerate(normalised):
            ax.text(j, i, f"{100 * v:.0f}", ha="center", va="center", fontsize=7, color="white" if v > 0.5 else "black")
        ax.set_xticks(range(len(class_names)), class_names, fontsize=6, rotation=45)
        ax.set_yticks(range(len(class_names)), class_names, fontsize=6)
        ax.set_title(f"{MODEL_LABELS.get(model, model)}\n{task}", fontsize=7)
    fig.tight_layout()
    _savefig(fig, path)
    plt.close(fig)


def aggregate_stage(*, result_paths: Sequence[str], datasets: Sequence[str], tables_dir: str, figures_dir: str,
                    selections: Sequence[str], provenance: dict | None = None, provenance_path: str | None = None) -> None:
    """Write every table and figure (the rule ``aggregate``), and ``provenance.json``
    beside the tables: this run's provenance and the SHA-256 of every raw file behind them."""
    if provenance_path:
        sources = {}
        for path in result_paths:
            sources.update(json.loads(Path(path).read_text()).get("provenance", {}).get("source_files", {}))
        with atomic_path(provenance_path) as tmp:
            tmp.write_text(json.dumps({**dict(provenance or {}), "source_files": dict(sorted(sources.items()))}, indent=1))

    results = collect_results(result_paths)
    per_experiment = results.drop(columns=["confusion"], errors="ignore")
    write_table(per_experiment, f"{tables_dir}/experiments", caption="Test accuracy per experiment, model and selection")
    main_selection = "validation" if "validation" in selections else selections[0]
    for dataset in datasets:
        table = summary_table(results, dataset=dataset)
        module = dataset_module(dataset)
        write_table(table, f"{tables_dir}/{dataset}_accuracy",
                    caption=f"Mean/std test accuracy (%) over experiments: {module.TABLE_CAPTION}")
        accuracy_figure(table, f"{figures_dir}/{dataset}_accuracy.png", title=dataset.upper())
        per_subject_figure(results, f"{figures_dir}/{dataset}_per_subject.png", dataset=dataset, selection=main_selection)
        confusion_figure(results, f"{figures_dir}/{dataset}_confusion.png", dataset=dataset, selection=main_selection,
                         class_names=max((c.class_names for c in module.CLASSES.values()), key=len))
        log.info("Wrote %s tables and figures", dataset)
