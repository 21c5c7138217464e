"""Figures of a run: accuracy per model with the paper's reference lines, one point per
experiment, confusion matrices and learning curves (PNG, written atomically)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..datasets import get as dataset_module
from ..store import atomic_path
from .labels import MODEL_LABELS, SELECTION_LABELS, TRAINING_LOSS_LABELS


def _savefig(fig, path: str) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120, metadata={"Software": None})


def label_positions(values: Sequence[float], *, gap: float = 3.5, top: float = 104.0) -> list[float]:
    """Heights for the labels of reference lines at ``values`` (ascending): each at its
    line unless that would overlap the one below (``gap`` percentage points), then just
    above it; shifted down together if the highest would leave the axis."""
    positions: list[float] = []
    for value in values:
        positions.append(max(value, positions[-1] + gap) if positions else value)
    overflow = positions[-1] - (top - gap) if positions else 0.0
    return [p - overflow for p in positions] if overflow > 0 else positions


def accuracy_figure(table, path: str, *, title: str) -> None:
    """Bar chart of mean accuracy with its 95 % interval per model (Fig. 3 / Table 2)."""
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
            mean = rows["mean_accuracy"].to_numpy(float)
            # the table's 95 % interval (none with one experiment); accuracy stays within [0, 100]
            below = np.nan_to_num(mean - np.maximum(rows["ci95_low"].to_numpy(float), 0.0))
            above = np.nan_to_num(np.minimum(rows["ci95_high"].to_numpy(float), 100.0) - mean)
            ax.bar(np.arange(len(methods)) + i * width, mean, width, yerr=[below, above],
                   capsize=3, label=SELECTION_LABELS[selection], hatch=None if selection == "validation" else "//", alpha=0.85)
        refs = table[(table["source"] != "this run") & (table["task"] == task)]
        refs = refs[np.isfinite(refs["mean_accuracy"].to_numpy(float))].sort_values("mean_accuracy")
        for (_, ref), y in zip(refs.iterrows(), label_positions(refs["mean_accuracy"].to_numpy(float))):
            ax.axhline(ref["mean_accuracy"], ls=":", lw=1, color="grey")
            label = ref["method"] if "reported" in ref["method"] else f"{ref['method']} (reported)"
            ax.text(len(methods) - 0.5, y, f" {label}", fontsize=7, va="bottom", ha="right")
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
    """Test accuracy of every experiment as one point per subject/session, per model,
    with the mean as a bar (a strip plot: experiments are not a time axis)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = results[(results["dataset"] == dataset) & (results["selection"] == selection)]
    tasks = sorted(data["task"].unique())
    fig, axes = plt.subplots(1, max(1, len(tasks)), figsize=(6 * max(1, len(tasks)), 4.5), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        pivot = data[data["task"] == task].pivot(index="experiment", columns="model", values="test_accuracy") * 100
        models = [m for m in MODEL_LABELS if m in pivot.columns] + sorted(set(pivot.columns) - set(MODEL_LABELS))
        jitter = np.linspace(-0.15, 0.15, max(1, len(pivot)))
        for i, model in enumerate(models):
            values = pivot[model].to_numpy(dtype=float)
            ax.scatter(i + jitter, values, s=14, alpha=0.75, zorder=3)
            if np.isfinite(values).any():
                ax.hlines(np.nanmean(values), i - 0.3, i + 0.3, color="black", lw=2, zorder=4)
        ax.set_xticks(range(len(models)), [MODEL_LABELS.get(m, m) for m in models], rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("test accuracy (%)")
        ax.set_ylim(0, 105)
        ax.set_title(f"{dataset_module(dataset).TITLE} {task}: one point per experiment, bar = mean ({selection} selection)",
                     fontsize=9)
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


def learning_curves_figure(result_paths: Sequence[str], path: str, *, dataset: str, selection: str) -> None:
    """Per epoch, what training optimises (top) and what early stopping monitors (bottom)
    for every selected configuration of a model trained by epochs (one thin line per
    experiment and fold; a dot at the restored epoch): the networks' training loss J and
    monitored accuracy; DCCA's training and held-out canonical correlation (sum over its
    components), which it maximises and stops on."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves: dict[str, list] = {}
    for result_path in result_paths:
        result = json.loads(Path(result_path).read_text())
        chosen = result.get("selections", {}).get(selection, {})
        if result["dataset"] != dataset or "learning_curves" not in chosen:
            continue
        for fold, curve in sorted(chosen["learning_curves"].items()):
            curves.setdefault(result["model"], []).append((f"{result['experiment']} {result['task']} {fold}", curve))
    models = [m for m in MODEL_LABELS if m in curves] + sorted(set(curves) - set(MODEL_LABELS))
    fig, axes = plt.subplots(2, max(1, len(models)), figsize=(4.2 * max(1, len(models)), 6), squeeze=False)
    for column, model in enumerate(models):
        loss_ax, acc_ax = axes[0, column], axes[1, column]
        correlation = "monitored_correlation" in curves[model][0][1]  # DCCA: correlation, not loss/accuracy
        top_key, bottom_key, scale = (("train_correlation", "monitored_correlation", 1.0) if correlation
                                      else ("loss", "monitored_accuracy", 100.0))
        for _, curve in curves[model]:
            top, bottom = np.asarray(curve[top_key], float), scale * np.asarray(curve[bottom_key], float)
            epochs = np.arange(1, len(top) + 1)
            best = curve.get("best_epoch") or 0
            line, = loss_ax.plot(epochs, top, lw=0.8, alpha=0.7)
            acc_ax.plot(epochs, bottom, lw=0.8, alpha=0.7, color=line.get_color())
            if 1 <= best <= len(epochs):
                loss_ax.plot(best, top[best - 1], "o", ms=3, color=line.get_color())
                acc_ax.plot(best, bottom[best - 1], "o", ms=3, color=line.get_color())
        monitor = curves[model][0][1].get("monitor") or "val"
        loss_ax.set_title(f"{MODEL_LABELS.get(model, model)} ({len(curves[model])} fits)", fontsize=9)
        acc_ax.set_xlabel("epoch (dot: restored weights)")
        if correlation:
            loss_ax.set_ylabel("training canonical corr. (sum)")
            acc_ax.set_ylabel(f"{monitor} canonical corr. (sum, held out)")
        else:
            loss_ax.set_yscale("log")
            loss_ax.set_ylabel(TRAINING_LOSS_LABELS.get(model, "training loss J (log)"))
            acc_ax.set_ylabel(f"{monitor} accuracy (%)")
            acc_ax.set_ylim(0, 105)
    if not models:
        axes[0, 0].text(0.5, 0.5, "no model trained by epochs in this run", ha="center", va="center")
    fig.suptitle(f"{dataset_module(dataset).TITLE}: learning curves of the selected configurations ({selection} selection)", fontsize=10)
    fig.tight_layout()
    _savefig(fig, path)
    plt.close(fig)
