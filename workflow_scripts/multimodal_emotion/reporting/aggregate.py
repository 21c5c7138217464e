"""The rule ``aggregate``: every table and figure of a run, and its provenance."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..datasets import get as dataset_module
from ..store import atomic_path
from .figures import accuracy_figure, confusion_figure, learning_curves_figure, per_subject_figure
from .labels import NORMALISATION_LABELS, TRAINING_MAJORITY, natural_order
from .tables import EXPERIMENT_PRINT_COLUMNS, collect_results, compact_hyperparameters, summary_table, write_table

log = logging.getLogger(__name__)


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
    printed = per_experiment.assign(hyperparameters=per_experiment["hyperparameters"].map(compact_hyperparameters)
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


PER_SUBJECT_COLUMNS = ("protocol", "normalisation", "task", "selection", "subject", "experiment", "model",
                       "test_accuracy", "val_accuracy", "train_accuracy", "majority_rate", "config", "best_epoch",
                       "hyperparameters", "not_evaluable")


def pooled_report(results, *, dataset: str, protocol: Mapping, tables_dir: str, figures_dir: str,
                  selection: str) -> None:
    """Tables and figures of one pooled protocol of ``dataset``: the mean over subjects
    (``{dataset}_{name}_accuracy``, with the protocol and normalisation in columns and
    caption, without the paper's reference rows) and one row per subject and model
    (``{dataset}_{name}_per_subject``)."""
    from ..protocols import get as protocol_kind

    name, module, kind = protocol["name"], dataset_module(dataset), protocol_kind(protocol["kind"])
    what = f"{module.TITLE}, protocol '{name}': {kind.LABEL}; {NORMALISATION_LABELS[protocol['normalisation']]}"
    table = summary_table(results, dataset=dataset, reference=False, unit=kind.UNIT)
    table.insert(0, "normalisation", protocol["normalisation"])
    table.insert(0, "protocol", name)
    write_table(table, f"{tables_dir}/{dataset}_{name}_accuracy",
                caption=f"Mean test accuracy (%) with 95 % interval over held-out subjects/experiments: {what}")
    rows = results.drop(columns=["confusion"], errors="ignore").sort_values(
        ["task", "selection", "subject", "model"], key=lambda c: c.map(natural_order) if c.name == "subject" else c,
        na_position="first")
    rows = rows.assign(hyperparameters=rows["hyperparameters"].map(compact_hyperparameters)
                       if "hyperparameters" in rows else None)
    per_subject = rows[[c for c in PER_SUBJECT_COLUMNS if c in rows.columns]].reset_index(drop=True)
    write_table(per_subject, f"{tables_dir}/{dataset}_{name}_per_subject",
                caption=f"Test accuracy per subject and model: {what}")
    title = f"{module.TITLE} {name}" + (" (per-subject standardisation)" if protocol["normalisation"] == "per_subject" else "")
    accuracy_figure(table, f"{figures_dir}/{dataset}_{name}_accuracy.png", title=title)
    per_subject_figure(results, f"{figures_dir}/{dataset}_{name}_per_subject.png", dataset=dataset, selection=selection)
