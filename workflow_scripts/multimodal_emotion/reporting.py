"""Accuracy tables (the paper's Fig. 3 and Table 2) and figures from experiment results.

Reads only the per-experiment JSON files written by ``evaluation.merge_shards`` and the
paper's reference numbers in ``resources/paper_reference.tsv``; never opens a model.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .datasets import RESOURCES
from .datasets import get as dataset_module
from .statistics import CONFIDENCE, balanced_accuracy, holm, missing_test_classes, paired_wilcoxon, t_interval
from .store import atomic_path

log = logging.getLogger(__name__)

MODEL_LABELS = {
    "feature_fusion": "Feature fusion (RBF-SVM)",
    "linear_svm": "Linear SVM",
    "linear_svm_eeg": "Linear SVM, EEG only",
    "linear_svm_other": "Linear SVM, other modality only",
    "bddae": "BDDAE",
    "dcca": "DCCA, after Liu et al. 2021 (re-implemented)",
    "bdae": "BDAE, after Liu et al. 2016 (re-implemented)",
    "bdae_lab_code": "BDAE, set-up of the authors' public code (re-implemented)",
    "mesae": "MESAE, after Yin et al. 2017 (re-implemented)",
    "subnetwork_nodes": "Subnetwork nodes, EEG, after Yang et al. 2017 (re-implemented)",
    "bimodal_lstm": "Bimodal-LSTM",
    "bimodal_lstm_no_context": "Bimodal-LSTM, no temporal context",
    "training_majority": "Training majority (floor: predicts the training split's majority class)",
}
#: The pseudo-model of the floor rows (:func:`~.statistics.training_majority`); no paired test.
TRAINING_MAJORITY = "training_majority"
SELECTION_LABELS = {
    "validation": "selected on validation (honest)",
    "test": "best of N on test (paper's protocol, optimistic)",
}
REFERENCE_MODEL = "bimodal_lstm"
#: What the top row of the learning-curve figure shows for models not trained on J.
TRAINING_LOSS_LABELS = {
    "bdae": "fine-tuning reconstruction MSE (log)",
    "mesae": "fusion network cross-entropy (log)",
    "subnetwork_nodes": "squared error per node added (log)",
}


def collect_results(paths: Sequence[str]) -> "pd.DataFrame":  # noqa: F821
    """One row per experiment, model and selection mode."""
    import pandas as pd

    rows, floors = [], set()
    for path in paths:
        result = json.loads(Path(path).read_text())
        base = {k: result[k] for k in ("dataset", "experiment", "task", "model")}
        # a pooled experiment (loso, cross_session) names its protocol and subject; the others are one recording
        base["subject"] = result.get("subject") or dataset_module(result["dataset"]).subject_of(result["experiment"])
        base["protocol"] = result.get("protocol", "")
        base["normalisation"] = result.get("normalisation", "")
        if result["not_evaluable"]:
            rows.append({**base, "selection": None, "not_evaluable": result["not_evaluable"]})
            continue
        floor = result.get("training_majority")
        for selection, chosen in sorted(result["selections"].items()):
            confusion = np.array(chosen["confusion"])
            if floor and (base["experiment"], base["task"], selection, base["protocol"]) not in floors:
                floors.add((base["experiment"], base["task"], selection, base["protocol"]))
                rows.append({**base, "model": TRAINING_MAJORITY, "selection": selection, "not_evaluable": "",
                             "test_accuracy": floor["test_accuracy"], "balanced_accuracy": floor["balanced_accuracy"],
                             "majority_rate": confusion.sum(axis=1).max() / confusion.sum(),
                             "missing_test_classes": _missing(floor["confusion"]),
                             "confusion": json.dumps(floor["confusion"])})
            rows.append({
                **base, "selection": selection, "not_evaluable": "",
                "test_accuracy": chosen["test_accuracy"], "val_accuracy": chosen["val_accuracy"],
                "balanced_accuracy": balanced_accuracy(confusion), "missing_test_classes": _missing(confusion),
                "svm_certificate": chosen.get("svm_certificate", float("nan")),
                "train_accuracy": chosen["train_accuracy"],
                # the network alone, before the SVM refit (NaN for the SVM baselines)
                **{key: chosen.get(key, float("nan")) for key in (
                    "network_test_accuracy", "network_val_accuracy", "network_train_accuracy",
                    "network_objective", "refit_objective", "val_correlation", "test_correlation")},
                "refit_converged": chosen.get("refit_converged"),
                "config": chosen["config"], "n_configs": chosen["n_configs"],
                "epochs": chosen.get("epochs"), "best_epoch": chosen.get("best_epoch"),
                "hyperparameters": json.dumps(chosen.get("hyperparameters", {}), sort_keys=True),
                "majority_rate": confusion.sum(axis=1).max() / confusion.sum(),
                "confusion": json.dumps(chosen["confusion"]),
            })
    frame = pd.DataFrame(rows)
    return frame.sort_values(["dataset", "task", "model", "experiment", "selection"], na_position="first").reset_index(drop=True)


def _missing(confusion) -> str:
    """Class indices without a test window, space-separated ('' if none)."""
    return " ".join(str(k) for k in missing_test_classes(confusion))


#: Columns of the summary tables (then, with ``reference``, the paper's rows' ``note``).
SUMMARY_COLUMNS = [
    "task", "selection", "model", "method", "n_experiments", "unit", "mean_accuracy", "ci95_low", "ci95_high",
    "std_accuracy", "balanced_accuracy", "holm_p_vs_bimodal_lstm", "wilcoxon_p_vs_bimodal_lstm",
    "mean_accuracy_network_alone", "majority_class_rate", "svm_certificate", "source",
]


def summary_table(results: "pd.DataFrame", *, dataset: str, reference: bool = True,  # noqa: F821
                  unit: str = "experiments") -> "pd.DataFrame":  # noqa: F821
    """Per task, selection and model, over the ``unit`` (experiments, or held-out subjects):
    n, mean test accuracy (%) with its 95 % t interval (:func:`~.statistics.t_interval`),
    std, mean balanced accuracy (%), the two-sided Wilcoxon signed-rank p against the
    Bimodal-LSTM over the experiments both have and its Holm correction across the models
    of the (task, selection) group (:func:`~.statistics.holm`; the training-majority row
    takes no test), the worst SVM certificate; then (``reference``: the paper's protocol
    only) the paper's reference rows. ``attrs["notes"]`` names the method and every test
    split that lacks a class."""
    import pandas as pd

    data = results[(results["dataset"] == dataset) & results["selection"].notna()]
    rows = []
    for (task, selection), group in data.groupby(["task", "selection"], sort=True):
        pivot = group.pivot(index="experiment", columns="model", values="test_accuracy")
        balanced = group.pivot(index="experiment", columns="model", values="balanced_accuracy")
        first = len(rows)
        for model in [m for m in MODEL_LABELS if m in pivot.columns] + sorted(set(pivot.columns) - set(MODEL_LABELS)):
            values = pivot[model].to_numpy(dtype=float)
            p = (paired_wilcoxon(pivot[REFERENCE_MODEL].to_numpy(dtype=float), values)
                 if REFERENCE_MODEL in pivot.columns and model not in (REFERENCE_MODEL, TRAINING_MAJORITY) else float("nan"))
            own = group[group["model"] == model]
            majority = own["majority_rate"].to_numpy(dtype=float)
            alone = own["network_test_accuracy"].to_numpy(dtype=float) if "network_test_accuracy" in own else np.array([np.nan])
            certificates = own["svm_certificate"].to_numpy(dtype=float) if "svm_certificate" in own else np.array([np.nan])
            mean, low, high, n = t_interval(100 * values)
            low, high = max(low, 0.0), min(high, 100.0)  # an accuracy interval stays within [0, 100] % (NaN stays NaN)
            rows.append({
                "task": task, "selection": selection, "model": model, "method": MODEL_LABELS.get(model, model),
                "n_experiments": n, "unit": unit, "mean_accuracy": mean, "ci95_low": low, "ci95_high": high,
                "std_accuracy": 100 * np.nanstd(values, ddof=1) if n > 1 else float("nan"),
                "balanced_accuracy": 100 * np.nanmean(balanced[model].to_numpy(dtype=float)),
                "wilcoxon_p_vs_bimodal_lstm": p, "holm_p_vs_bimodal_lstm": float("nan"),
                "mean_accuracy_network_alone": 100 * np.nanmean(alone) if np.isfinite(alone).any() else float("nan"),
                "majority_class_rate": 100 * np.nanmean(majority),
                "svm_certificate": float(np.nanmax(certificates)) if np.isfinite(certificates).any() else float("nan"),
                "source": "this run",
            })
        adjusted = holm([r["wilcoxon_p_vs_bimodal_lstm"] for r in rows[first:]])
        for r, q in zip(rows[first:], adjusted):
            r["holm_p_vs_bimodal_lstm"] = float(q)
    excluded = results[(results["dataset"] == dataset) & results["selection"].isna()]
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    table.attrs["notes"] = summary_notes(data, dataset=dataset, unit=unit)
    if reference:
        ref = pd.read_csv(RESOURCES / "paper_reference.tsv", sep="\t", comment="#")
        ref = ref[ref["dataset"] == dataset].assign(selection="reported")
        ref = ref.rename(columns={"mean": "mean_accuracy", "std": "std_accuracy"})
        notes = table.attrs["notes"]
        table = pd.concat([table, ref[table.columns.intersection(ref.columns).tolist() + ["note"]]], ignore_index=True)
        table = reference_rows_beside_models(table)
        table.attrs["notes"] = notes
    return _with_excluded(table, excluded, dataset)


def summary_notes(data: "pd.DataFrame", *, dataset: str, unit: str) -> list[str]:  # noqa: F821
    """The method of the interval and the tests, and every test split that lacks a class."""
    notes = [
        f"{100 * CONFIDENCE:.0f} % interval: Student's t over the n {unit} (mean +- t(n-1) sd / sqrt(n), "
        "clipped to [0, 100]); "
        "p: two-sided Wilcoxon signed-rank test against the Bimodal-LSTM over the same "
        f"{unit}, Holm-corrected across the models of each task and selection; balanced accuracy: "
        "mean recall over the classes present in the test split (scikit-learn)."
    ]
    if "missing_test_classes" not in data:
        return notes
    module = dataset_module(dataset)
    missing = data[data["missing_test_classes"].fillna("") != ""].drop_duplicates(["experiment", "task"])
    for row in missing.sort_values(["task", "experiment"], key=lambda c: c.map(_natural)).itertuples():
        names = _class_names(module, row.task)
        absent = [names[int(k)] if int(k) < len(names) else k for k in row.missing_test_classes.split()]
        notes.append(f"Test split without a class: {row.experiment} ({row.task}) has no "
                     + ", ".join(f"'{a}'" for a in absent) + " window.")
    return notes


def _class_names(module, task: str) -> tuple:
    classes = getattr(module, "CLASSES", {})
    chosen = classes.get(task) if isinstance(classes, Mapping) else None
    return tuple(chosen.class_names) if chosen is not None else ()


def _with_excluded(table, excluded, dataset: str):
    if not excluded.empty:
        log.warning("%d %s experiments not evaluable: %s", len(excluded), dataset, sorted(set(excluded["not_evaluable"])))
        table.attrs["excluded"] = sorted({f"{r.experiment} {r.task} ({r.model}): {r.not_evaluable}" for r in excluded.itertuples()})
    return table


def reference_rows_beside_models(table: "pd.DataFrame") -> "pd.DataFrame":  # noqa: F821
    """Order the rows by task, then model (in their first order), each model's measured rows
    (validation selection, then test) followed by its reported rows (``model`` column of
    paper_reference.tsv), so a re-run comparison system sits beside its paper's number;
    reported rows of a model this run did not measure come last, in file order."""
    measured = (table["source"] == "this run").to_numpy()
    models = list(dict.fromkeys(table.loc[measured, "model"]))
    selection_rank = {"validation": 0, "test": 1}
    keys = []
    for i, row in enumerate(table.itertuples(index=False)):
        if row.model in models and (measured[i] or ((table["task"] == row.task) & (table["model"] == row.model)
                                                    & measured).any()):
            keys.append((0, row.task, models.index(row.model), selection_rank.get(row.selection, 2), i))
        else:
            keys.append((1, row.task, 0, 0, i))
    order = sorted(range(len(table)), key=keys.__getitem__)
    return table.iloc[order].reset_index(drop=True)


#: Columns of experiments.md/.tex (the CSV has every column).
EXPERIMENT_PRINT_COLUMNS = (
    "dataset", "experiment", "task", "model", "selection", "test_accuracy", "network_test_accuracy",
    "val_accuracy", "network_val_accuracy", "config", "best_epoch", "hyperparameters",
)


def _compact_hyperparameters(text) -> str:
    """'{"l2": 0.000312, "eeg_hidden": 104}' -> 'eeg_hidden=104 l2=0.000312' (seed left out)."""
    if not isinstance(text, str) or not text:
        return ""
    values = json.loads(text)
    return " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in sorted(values.items()) if k != "seed")


def _format_number(value, digits=2) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if digits is None else f"{value:.{digits}f}"
    return str(value)


def write_table(table: "pd.DataFrame", stem: str, *, caption: str,  # noqa: F821
                print_columns: Sequence[str] | None = None) -> None:
    """``stem``.csv (every column, full precision), .md and .tex (rounded, for papers;
    ``print_columns`` if given, else every column)."""
    columns = [c for c in (print_columns or table.columns) if c in table.columns]
    with atomic_path(f"{stem}.csv") as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    header = [c.replace("_", " ") for c in columns]

    def cells(row):
        return [_format_number(row[c], None if c.startswith(("wilcoxon", "holm", "svm_certificate", "network_objective",
                                                            "refit_objective"))
                               else 0 if c.startswith(("n_", "config", "epochs", "best_epoch")) else 2)
                for c in columns]

    notes = list(table.attrs.get("notes", [])) + [f"Not evaluable: {e}" for e in table.attrs.get("excluded", [])]
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


def aggregate_stage(*, result_paths: Sequence[str], datasets: Sequence[str], tables_dir: str, figures_dir: str,
                    selections: Sequence[str], provenance: dict | None = None, provenance_path: str | None = None,
                    protocols: Mapping | None = None) -> None:
    """Write every table and figure (the rule ``aggregate``), and ``provenance.json``
    beside the tables: this run's provenance and the SHA-256 of every raw file behind them.

    ``protocols`` (dataset -> ``per_recording``: bool, ``pooled``: [{name, kind,
    normalisation}]) says what to report; without it, every dataset has its per-recording
    protocol only. The per-recording (paper's) protocol gets ``experiments`` and
    ``{dataset}_accuracy`` with the paper's reference rows; every pooled protocol its own
    ``{dataset}_{name}_accuracy`` (no reference rows: the paper's numbers are of another
    protocol) and ``{dataset}_{name}_per_subject`` tables and figures."""
    if provenance_path:
        sources = {}
        for path in result_paths:
            sources.update(json.loads(Path(path).read_text()).get("provenance", {}).get("source_files", {}))
        with atomic_path(provenance_path) as tmp:
            tmp.write_text(json.dumps({**dict(provenance or {}), "source_files": dict(sorted(sources.items()))}, indent=1))

    everything = collect_results(result_paths)
    protocols = protocols or {d: {"per_recording": True, "pooled": []} for d in datasets}
    results = everything[everything["protocol"] == ""].drop(columns=["protocol", "normalisation"])
    # one row per trained model: the training-majority floor is a summary-table row, not a model
    per_experiment = results[results["model"] != TRAINING_MAJORITY].drop(columns=["confusion"], errors="ignore")
    printed = per_experiment.assign(hyperparameters=per_experiment["hyperparameters"].map(_compact_hyperparameters)
                                    if "hyperparameters" in per_experiment else None)
    write_table(printed, f"{tables_dir}/experiments",
                caption="Test accuracy per experiment, model and selection; 'network' = the network alone, "
                        "before the SVM refit of its last layer",
                print_columns=EXPERIMENT_PRINT_COLUMNS)
    main_selection = "validation" if "validation" in selections else selections[0]
    for dataset in datasets:
        module = dataset_module(dataset)
        for pooled in protocols[dataset]["pooled"]:
            pooled_report(everything[(everything["dataset"] == dataset) & (everything["protocol"] == pooled["name"])],
                          dataset=dataset, protocol=pooled, tables_dir=tables_dir, figures_dir=figures_dir,
                          selection=main_selection)
        if not protocols[dataset]["per_recording"]:
            continue
        table = summary_table(results, dataset=dataset)
        write_table(table, f"{tables_dir}/{dataset}_accuracy",
                    caption=f"Mean test accuracy (%) with 95 % interval over experiments: {module.TABLE_CAPTION}")
        accuracy_figure(table, f"{figures_dir}/{dataset}_accuracy.png", title=dataset_module(dataset).TITLE)
        per_subject_figure(results, f"{figures_dir}/{dataset}_per_subject.png", dataset=dataset, selection=main_selection)
        learning_curves_figure(result_paths, f"{figures_dir}/{dataset}_learning_curves.png", dataset=dataset,
                               selection=main_selection)
        confusion_figure(results, f"{figures_dir}/{dataset}_confusion.png", dataset=dataset, selection=main_selection,
                         class_names=max((c.class_names for c in module.CLASSES.values()), key=len))
        log.info("Wrote %s tables and figures", dataset)


NORMALISATION_LABELS = {
    "training": "scalers fitted on the training split only",
    "per_subject": "PER-SUBJECT STANDARDISATION: every subject (cross_session: session) scaled by its own "
                   "statistics, the test subject's included (transductive)",
}
PER_SUBJECT_COLUMNS = ("protocol", "normalisation", "task", "selection", "subject", "experiment", "model",
                       "test_accuracy", "val_accuracy", "train_accuracy", "majority_rate", "config", "best_epoch",
                       "hyperparameters", "not_evaluable")


def pooled_report(results, *, dataset: str, protocol: Mapping, tables_dir: str, figures_dir: str,
                  selection: str) -> None:
    """Tables and figures of one pooled protocol of ``dataset``: the mean over subjects
    (``{dataset}_{name}_accuracy``, with the protocol and normalisation in columns and
    caption, without the paper's reference rows) and one row per subject and model
    (``{dataset}_{name}_per_subject``)."""
    from .protocols import get as protocol_kind

    name, module, kind = protocol["name"], dataset_module(dataset), protocol_kind(protocol["kind"])
    what = f"{module.TITLE}, protocol '{name}': {kind.LABEL}; {NORMALISATION_LABELS[protocol['normalisation']]}"
    table = summary_table(results, dataset=dataset, reference=False, unit=kind.UNIT)
    table.insert(0, "normalisation", protocol["normalisation"])
    table.insert(0, "protocol", name)
    write_table(table, f"{tables_dir}/{dataset}_{name}_accuracy",
                caption=f"Mean test accuracy (%) with 95 % interval over held-out subjects/experiments: {what}")
    rows = results.drop(columns=["confusion"], errors="ignore").sort_values(
        ["task", "selection", "subject", "model"], key=lambda c: c.map(_natural) if c.name == "subject" else c,
        na_position="first")
    rows = rows.assign(hyperparameters=rows["hyperparameters"].map(_compact_hyperparameters)
                       if "hyperparameters" in rows else None)
    per_subject = rows[[c for c in PER_SUBJECT_COLUMNS if c in rows.columns]].reset_index(drop=True)
    write_table(per_subject, f"{tables_dir}/{dataset}_{name}_per_subject",
                caption=f"Test accuracy per subject and model: {what}")
    title = f"{module.TITLE} {name}" + (" (per-subject standardisation)" if protocol["normalisation"] == "per_subject" else "")
    accuracy_figure(table, f"{figures_dir}/{dataset}_{name}_accuracy.png", title=title)
    per_subject_figure(results, f"{figures_dir}/{dataset}_{name}_per_subject.png", dataset=dataset, selection=selection)


def _natural(value) -> str:
    """Subject ids in numeric order ("2" before "10")."""
    return str(value).zfill(8)


# --- per-recording quality report ------------------------------------------------------

#: A channel is flat below this fraction of the median channel SD, outlying above this multiple.
FLAT_SD_FRACTION = 1e-3
OUTLYING_SD_FACTOR = 10.0
#: A segment shorter than this fraction of the recording's median segment is flagged.
SHORT_SEGMENT_FRACTION = 0.5


def quality_checks(features, qc: dict, *, class_balance: dict | None = None) -> list[dict]:
    """One verdict per check of one recording: ``{"check", "ok", "verdict"}``.

    ``features`` is the recording's :class:`~.store.FeatureFile`, ``qc`` the arrays the
    feature job stored for it (:func:`~.store.read_qc`); ``class_balance`` maps
    ``"<task>/<split>"`` to window counts per class name.
    """
    checks = []
    names = list(features.attrs.get("ch_names", []))
    sd = np.asarray(qc["channel_sd"], dtype=float)
    median_sd = float(np.median(sd)) if sd.size else 0.0

    def channel_names(mask):
        picked = [names[i] if i < len(names) else str(i) for i in np.flatnonzero(mask)]
        return ", ".join(picked[:5]) + (f" and {len(picked) - 5} more" if len(picked) > 5 else "")

    if sd.size == 0:  # features shipped by the lab: no signal was read
        origin = features.attrs.get("feature_origin", "no signal read by this workflow")
        for name in ("flat channels", "outlying channels"):
            checks.append({"check": name, "ok": True, "verdict": f"not measured: {origin}"})
    else:
        flat = sd <= FLAT_SD_FRACTION * median_sd
        checks.append({"check": "flat channels", "ok": not flat.any(),
                       "verdict": f"{int(flat.sum())} flat channel(s): {channel_names(flat)}" if flat.any()
                       else f"none (median channel SD {median_sd:.3g})"})
        outlying = sd >= OUTLYING_SD_FACTOR * median_sd
        checks.append({"check": "outlying channels", "ok": not outlying.any(),
                       "verdict": f"{int(outlying.sum())} channel(s) with SD >= {OUTLYING_SD_FACTOR:g} x the median: "
                                  f"{channel_names(outlying)}" if outlying.any() else "none"})
    sfreq = float(features.attrs["sfreq"])
    window_s, step_s = float(features.attrs["window_s"]), float(features.attrs["step_s"])
    ids, samples = np.asarray(qc["segment_ids"]), np.asarray(qc["segment_samples"], dtype=float)
    seconds = samples / sfreq
    expected = np.where(seconds >= window_s, np.floor((seconds - window_s) / step_s + 1e-9) + 1, 0).astype(int)
    counted = np.array([int(np.sum(features.segment == i)) for i in ids])
    mismatch = expected != counted
    checks.append({"check": "windows per segment", "ok": not mismatch.any(),
                   "verdict": "every segment has the windows its length gives" if not mismatch.any() else
                   "segments " + ", ".join(f"{i} ({c} windows, length gives {e})"
                                           for i, c, e in zip(ids[mismatch], counted[mismatch], expected[mismatch]))})
    short = seconds < SHORT_SEGMENT_FRACTION * np.median(seconds)
    checks.append({"check": "segment lengths", "ok": not short.any(),
                   "verdict": (f"segment(s) {', '.join(str(i) for i in ids[short])} shorter than "
                               f"{SHORT_SEGMENT_FRACTION:.0%} of the median ({np.median(seconds):.1f} s): "
                               + ", ".join(f"{s:.1f} s" for s in seconds[short])) if short.any()
                   else f"{seconds.min():.1f}-{seconds.max():.1f} s"})
    de = np.asarray(features.de, dtype=float)
    bad = ~np.isfinite(de)
    checks.append({"check": "DE features", "ok": not bad.any(),
                   "verdict": f"{int(bad.sum())} non-finite values" if bad.any() else
                   "finite; median per band " + ", ".join(
                       f"{b} {np.median(de[..., k]):.2f}" for k, b in enumerate(features.attrs.get("bands", {})))})
    other = np.asarray(features.other, dtype=float)
    if other.shape[1] == 0:
        checks.append({"check": "other modality", "ok": False, "verdict": "no other-modality features"})
    else:
        constant = np.nanstd(other, axis=0) == 0
        nonfinite = ~np.isfinite(other)
        checks.append({"check": "other modality", "ok": not (constant.all() or nonfinite.any()),
                       "verdict": f"{other.shape[1]} features, {int(constant.sum())} constant, "
                                  f"{int(nonfinite.sum())} non-finite values"})
    for key, counts in (class_balance or {}).items():
        missing = [name for name, n in counts.items() if n == 0]
        checks.append({"check": f"class balance {key}", "ok": not missing,
                       "verdict": ", ".join(f"{name} {n}" for name, n in counts.items())
                       + (f" (no window of {', '.join(missing)})" if missing else "")})
    return checks


def _png_base64(fig) -> str:
    import base64
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode()


def agreement_section(features) -> str:
    """HTML of the agreement between our DE and the lab's released DE of the same windows
    (the feature file's ``lab_agreement``, see ``features.lab_agreement``): a table and a
    small figure of the correlation and the offset per band; "" when there is none."""
    import html

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    agreement = features.attrs.get("lab_agreement")
    if not agreement:
        return ""
    bands = agreement.get("bands") or [str(k) for k in range(len(agreement["correlation"]))]
    recipe = features.attrs.get("feature_recipe", {})
    fig, axes = plt.subplots(1, 2, figsize=(8, 2.6))
    axes[0].bar(bands, agreement["correlation"], color="tab:blue")
    axes[0].set_ylim(min(0.0, np.nanmin(agreement["correlation"])), 1.0)
    axes[0].set_title("correlation (ours vs the lab's)", fontsize=9)
    axes[1].bar(bands, agreement["offset"], color="tab:orange")
    axes[1].axhline(0, color="black", lw=0.5)
    axes[1].set_title("mean offset (ours - the lab's)", fontsize=9)
    fig.tight_layout()
    png = _png_base64(fig)
    plt.close(fig)
    rows = "".join(f"<tr><td>{html.escape(str(b))}</td><td>{c:.3f}</td><td>{o:.3g}</td></tr>"
                   for b, c, o in zip(bands, agreement["correlation"], agreement["offset"]))
    differ = agreement.get("window_counts_differ") or []
    note = (f"<p>Window counts differ in {len(differ)} clip(s) (clip, ours, theirs): {differ}; the first windows "
            "of each are paired.</p>" if differ else "")
    return f"""<h2>Agreement with the lab's released features</h2>
<p>Our DE (recipe: {html.escape(json.dumps(recipe))}) against {html.escape(str(agreement['origin']))}, on the same
{agreement['n_windows']} windows: Pearson correlation over windows and channels, and the mean difference, per band.
A high correlation with an offset is a difference of scale; a low correlation with our smoothing set to the lab's
(de_scale lab, smoothing lds) points at the data.</p>{note}
<table><tr><th>band</th><th>correlation</th><th>offset</th></tr>{rows}</table>
<img src="data:image/png;base64,{png}" alt="agreement per band">
"""


def quality_page(features, qc: dict, output_html: str, *, class_balance: dict | None = None) -> list[dict]:
    """Write one self-contained HTML page for one recording; return its checks."""
    import html

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    checks = quality_checks(features, qc, class_balance=class_balance)
    freqs = np.asarray(qc["freqs"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
    for ax, key, title in ((axes[0], "psd_raw", "before the bandpass"), (axes[1], "psd_filtered", "after the bandpass")):
        psd = np.asarray(qc[key])
        if freqs.size == 0 or psd.size == 0:
            ax.text(0.5, 0.5, "not measured: no signal was read\n(features shipped by the lab)", ha="center",
                    va="center", transform=ax.transAxes)
            ax.set_title(f"PSD {title}", fontsize=9)
            continue
        ax.semilogy(freqs, psd.T, lw=0.5, alpha=0.5)
        ax.semilogy(freqs, np.median(psd, axis=0), color="black", lw=1.5, label="median channel")
        ax.set_title(f"PSD of every channel, {title}", fontsize=9)
        ax.set_xlabel("frequency (Hz)")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("PSD (unit²/Hz)")
    fig.tight_layout()
    psd_png = _png_base64(fig)
    plt.close(fig)
    de = np.asarray(features.de, dtype=float)
    bands = list(features.attrs.get("bands", {})) or [str(k) for k in range(de.shape[-1])]
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.boxplot([de[..., k].ravel() for k in range(de.shape[-1])], showfliers=False)
    ax.set_xticks(range(1, len(bands) + 1), bands)
    ax.set_ylabel("DE (nats)")
    ax.set_title("DE over windows and channels, per band", fontsize=9)
    fig.tight_layout()
    de_png = _png_base64(fig)
    plt.close(fig)
    other = np.asarray(features.other, dtype=float)
    other_names = list(features.attrs.get("other_feature_names", [])) or [str(i) for i in range(other.shape[1])]
    other_rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{np.nanmin(other[:, i]):.4g}</td><td>{np.nanmedian(other[:, i]):.4g}</td>"
        f"<td>{np.nanmax(other[:, i]):.4g}</td></tr>" for i, n in enumerate(other_names))
    ids, samples = np.asarray(qc["segment_ids"]), np.asarray(qc["segment_samples"])
    segment_rows = "".join(
        f"<tr><td>{i}</td><td>{n / float(features.attrs['sfreq']):.1f}</td><td>{int(np.sum(features.segment == i))}</td></tr>"
        for i, n in zip(ids, samples))
    check_rows = "\n".join(
        f"<tr class='{'ok' if c['ok'] else 'flag'}'><td>{'ok' if c['ok'] else 'FLAG'}</td><td>{html.escape(c['check'])}</td>"
        f"<td>{html.escape(c['verdict'])}</td></tr>" for c in checks)
    recording = html.escape(str(features.attrs.get("recording", "")))
    n_flags = sum(not c["ok"] for c in checks)
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>QC {recording}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:1em auto}} td,th{{padding:2px 8px;text-align:left}}
tr.flag td{{background:#fdd}} tr.ok td:first-child{{color:#070}} table{{border-collapse:collapse;font-size:13px}}</style></head>
<body><h1>Quality report: {recording}</h1>
<p>{n_flags} check(s) flagged. Sampling rate {features.attrs['sfreq']} Hz, {len(features.attrs.get('ch_names', []))} EEG
channels, {de.shape[0]} windows of {features.attrs['window_s']} s (step {features.attrs['step_s']} s).</p>
<h2>Checks</h2><table><tr><th></th><th>check</th><th>verdict</th></tr>{check_rows}</table>
<h2>Power spectra</h2><img src="data:image/png;base64,{psd_png}" alt="PSD before and after the bandpass">
<h2>Windows per segment</h2><table><tr><th>segment</th><th>length (s)</th><th>windows</th></tr>{segment_rows}</table>
<h2>DE features</h2><img src="data:image/png;base64,{de_png}" alt="DE distribution per band">
{agreement_section(features)}
<h2>Other modality ({html.escape(str(features.attrs.get('other_kind', '')))})</h2>
<table><tr><th>feature</th><th>min</th><th>median</th><th>max</th></tr>{other_rows}</table>
</body></html>
"""
    with atomic_path(output_html) as tmp:
        tmp.write_text(page)
    return checks


def quality_stage(*, features_path: str, output_html: str, protocol: Mapping, seed: int) -> None:
    """The rule ``quality_report``: one QC page for one recording, from what the feature
    job stored (never re-reads raw data). Class balance per split of each experiment."""
    from .protocols import ExperimentError, experiment_folds
    from .store import read_features, read_qc

    features = read_features(features_path)
    qc = read_qc(features_path)
    if not qc:
        raise ValueError(f"{features_path}: no qc/ arrays; rerun the features rule (feature files before QC)")
    balance = {}
    for task in protocol.get("tasks", []):
        try:
            folds = experiment_folds(features, protocol=protocol, task=task, seed=seed)
        except ExperimentError as err:
            balance[f"{task}"] = {"not evaluable: " + str(err): 0}
            continue
        names = features.attrs["classes"][task]["class_names"]
        for split in ("train", "val", "test"):
            counts = np.zeros(len(names), dtype=int)
            for fold in folds:
                data = getattr(fold, split)
                if data is not None:
                    counts += np.bincount(data.y, minlength=len(names))[:len(names)]
            if counts.sum():
                balance[f"{task}/{split}"] = dict(zip(names, counts.tolist()))
    checks = quality_page(features, qc, output_html, class_balance=balance)
    for check in checks:
        log.info("%s: %s: %s", "ok" if check["ok"] else "FLAG", check["check"], check["verdict"])


# --- the README's results block, generated from a run's tables ---------------------------------

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
            lines += [f"**{dataset_module(dataset).TITLE}, {task}** (selected on {selection}; n = {unit})", "",
                      "| model | n | accuracy % [95 % CI] | balanced accuracy % | Holm p vs Bimodal-LSTM |",
                      "|---|---|---|---|---|"]
            for row in rows.itertuples():
                interval = ("" if not np.isfinite(row.ci95_low)
                            else f" [{row.ci95_low:.1f}, {row.ci95_high:.1f}]")
                lines.append(f"| {row.method} | {int(row.n_experiments)} | {row.mean_accuracy:.1f}{interval} | "
                             f"{row.balanced_accuracy:.1f} | {_p_text(row.holm_p_vs_bimodal_lstm)} |")
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
    if snapshot_dir is not None:
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


if __name__ == "__main__":
    raise SystemExit(main())
