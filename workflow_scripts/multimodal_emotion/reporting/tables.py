"""Accuracy tables (the paper's Fig. 3 and Table 2) from experiment results.

Reads only the per-experiment JSON files written by ``evaluation.merge_shards`` and the
paper's reference numbers in ``resources/paper_reference.tsv``; never opens a model.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..datasets import RESOURCES
from ..datasets import get as dataset_module
from ..statistics import CONFIDENCE, balanced_accuracy, holm, missing_test_classes, paired_wilcoxon, t_interval
from ..store import atomic_path
from .labels import MODEL_LABELS, REFERENCE_MODEL, TRAINING_MAJORITY, natural_order

log = logging.getLogger(__name__)


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
    for row in missing.sort_values(["task", "experiment"], key=lambda c: c.map(natural_order)).itertuples():
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


def compact_hyperparameters(text) -> str:
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


def _digits(column: str) -> int | None:
    """Decimals printed for ``column``: None = 3 significant digits (p values, certificates, objectives)."""
    if column.startswith(("wilcoxon", "holm", "svm_certificate", "network_objective", "refit_objective")):
        return None
    return 0 if column.startswith(("n_", "config", "epochs", "best_epoch")) else 2


def _latex_text(text: str) -> str:
    """Caption and notes for LaTeX (the cells are escaped by pandas)."""
    return str(text).replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("%", r"\%").replace("&", r"\&")


def write_table(table: "pd.DataFrame", stem: str, *, caption: str,  # noqa: F821
                print_columns: Sequence[str] | None = None) -> None:
    """``stem``.csv (every column, full precision), .md and .tex (rounded, for papers;
    ``print_columns`` if given, else every column): pandas' ``to_markdown`` (GitHub pipe
    table) and ``Styler.to_latex`` (a ``table`` float with ``\\hline`` rules, notes below)."""
    import pandas as pd

    columns = [c for c in (print_columns or table.columns) if c in table.columns]
    with atomic_path(f"{stem}.csv") as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    printed = pd.DataFrame({c.replace("_", " "): [_format_number(v, _digits(c)) for v in table[c]] for c in columns},
                           columns=[c.replace("_", " ") for c in columns], dtype=object)
    notes = list(table.attrs.get("notes", [])) + [f"Not evaluable: {e}" for e in table.attrs.get("excluded", [])]
    markdown = printed.to_markdown(index=False, tablefmt="github", disable_numparse=True)
    with atomic_path(f"{stem}.md") as tmp:
        tmp.write_text("\n".join([f"**{caption}**", "", markdown, ""] + notes) + "\n")

    styler = printed.style.hide(axis="index").format(escape="latex").format_index(escape="latex", axis=1)
    styler.set_table_styles([{"selector": rule, "props": ":hline;"} for rule in ("toprule", "midrule", "bottomrule")])
    latex = styler.to_latex(position="t", position_float="centering", caption=_latex_text(caption),
                            column_format="l" * len(columns))
    footnotes = "".join(rf"\par\footnotesize {_latex_text(n)}" + "\n" for n in notes)
    with atomic_path(f"{stem}.tex") as tmp:
        tmp.write_text(latex.replace("\\end{table}", footnotes + "\\end{table}"))
