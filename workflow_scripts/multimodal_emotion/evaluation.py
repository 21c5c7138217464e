"""Evaluation and selection: every trained model of a search scored on its fold (the
networks before and after the SVM refit), the shards joined, and the configuration
picked per selection mode (validation accuracy, honest; or test accuracy, the paper's
best-of-N; both come from the same runs).

Nothing here knows a file format except through :mod:`.store`, nor a protocol kind
except through :mod:`.protocols`.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .protocols import ExperimentError, experiment_features, experiment_folds, is_pooled
from .search import PREDICTIONS_FILE, SVM_INPUTS_FILE, model_of_folder, run_packed
from .store import atomic_path

log = logging.getLogger(__name__)


# Accuracy in NumPy, not sklearn.metrics (accuracy_score is np.average of the hits, the same
# float): importing scikit-learn cost each merge job about 0.7 s, more than its refit and
# evaluation (tests/test_experiments.py compares the two on random labels).
def _accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.average(np.asarray(y_true) == np.asarray(y_pred))) if np.size(y_true) else float("nan")


#: Per-epoch series of a model's history kept for the learning-curve figure.
CURVE_KEYS = ("loss", "train_accuracy", "monitored_accuracy", "train_correlation", "monitored_correlation",
              "best_epoch", "monitor")


def evaluate_shard(
    *, features_path: str, training_dir: str, task: str, protocol: Mapping, seed: int, refit: Mapping,
    output_csv: str, output_predictions: str, output_curves: str | None = None,
) -> None:
    """Evaluate every trained model of a shard, networks before and after the SVM refit.

    One CSV row per configuration and fold: hyper-parameters; epochs run, restored
    epoch and optimiser steps; for networks the accuracy (train/val/test) and
    training objective J of the network alone (``network_*``), then the refit
    (``refit_*``: J at liblinear's point and at the final one, both float64, and as the
    network computes it after the copy-back; liblinear's iterations and the finite
    Newton steps; the certificate: relative gradient, largest KKT violation, relative
    duality gap); and the final train/val/test accuracy (after the refit when it is
    enabled), and a model's own figures per split (``{split}_{key}`` from
    ``split_figures``, e.g. DCCA's ``test_correlation``). Test predictions go to an
    ``.npz`` keyed ``c{config}_f{fold}_{true|pred}`` for confusion matrices; the
    per-epoch curves of every model trained by epochs (networks, DCCA) to ``output_curves``
    (JSON, keyed ``c{config}_f{fold}``).
    """
    import pandas as pd

    from .models.files import HYPERPARAMETER_FILE, STATE_FILE
    from .models.refit import REFIT_EPS, layer_objective, layer_scores, refit_svm_layer

    training = json.loads((Path(training_dir) / "training.json").read_text())
    features = experiment_features(features_path, protocol) if training["runs"] else None
    folds = {f.index: f for f in experiment_folds(features, protocol=protocol, task=task, seed=seed)} if training["runs"] else {}
    rows, predictions, curves = [], {}, {}
    splits = ("train", "val", "test")
    for run in training["runs"]:
        fold = folds[run["fold"]]
        directory = Path(training_dir) / f"config{run['config']:04d}" / f"fold{run['fold']:02d}"
        row = {"config": run["config"], "fold": run["fold"], **{f"hp_{k}": v for k, v in sorted(run["hyperparameters"].items())},
               "epochs": run["epochs"], "best_epoch": run.get("best_epoch", 0), "optimizer_steps": run.get("optimizer_steps", 0),
               "restored_steps": run.get("restored_steps", 0), "seconds": run["seconds"]}
        network = (directory / SVM_INPUTS_FILE).exists()
        if network:  # the layer and its inputs: no TensorFlow needed (see _save_svm_inputs)
            with np.load(directory / SVM_INPUTS_FILE) as saved:
                inputs = {k: saved[k] for k in saved.files}
            kernel, bias = inputs["kernel"], inputs["bias"]
            lam = float(json.loads((directory / HYPERPARAMETER_FILE).read_text())["hyperparameters"]["l2"])

            def predict(data, split):  # with the layer as it is when called: before, then after the refit
                return np.argmax(layer_scores(inputs[f"features_{split}"], kernel, bias), axis=1).astype(np.int64)

            for split in splits:  # the network alone, before any refit
                data = getattr(fold, split)
                row[f"network_{split}_accuracy"] = float("nan") if data is None else _accuracy(data.y, predict(data, split))
            row["network_objective"] = layer_objective(inputs["features_train"], fold.train.y, kernel, bias, lam)
            history = json.loads((directory / STATE_FILE).read_text())["history"]
            curves[f"c{run['config']}_f{run['fold']}"] = {key: history[key] for key in CURVE_KEYS if key in history}
            if refit.get("enabled", True):
                start = time.perf_counter()
                kernel, bias, report = refit_svm_layer(
                    inputs["features_train"], fold.train.y, kernel=kernel, bias=bias, lam=lam,
                    eps=refit.get("eps", REFIT_EPS), exact=refit.get("exact", True),
                    name=f"config {run['config']} fold {run['fold']}")
                row.update(refit_objective=report.objective_after, refit_objective_liblinear=report.objective_liblinear,
                           refit_objective_network=report.objective_after_network,
                           refit_liblinear_iterations=report.liblinear_iterations,
                           refit_newton_steps=report.newton_steps, refit_converged=report.converged,
                           refit_relative_gradient=report.relative_gradient,
                           refit_kkt_violation=report.kkt_violation, refit_duality_gap=report.duality_gap,
                           refit_seconds=round(time.perf_counter() - start, 3), svm_certificate=report.certificate)
            else:  # the network's own layer, as trained: its distance from J's minimum
                from .models.finite_newton import ovr_certificate

                row["svm_certificate"] = ovr_certificate(kernel, bias, inputs["features_train"], fold.train.y, lam).worst
        else:  # no refit: predictions and figures were fixed at training time
            with np.load(directory / PREDICTIONS_FILE) as saved:
                stored = {k: saved[k] for k in saved.files}
            predict = lambda data, split: stored[f"pred_{split}"]  # noqa: E731
            history = json.loads((directory / STATE_FILE).read_text())["history"]
            row["svm_certificate"] = history.get("svm_certificate", float("nan"))  # NaN: no linear SVM in the model
            if isinstance(history.get("loss"), list):  # trained by epochs, e.g. DCCA
                curves[f"c{run['config']}_f{run['fold']}"] = {key: history[key] for key in CURVE_KEYS if key in history}
            for key in sorted(stored):  # model-specific figures, e.g. DCCA's held-out canonical correlation
                if key.startswith("figure_"):
                    row[key[len("figure_"):]] = float(stored[key])
        for split in splits:
            data = getattr(fold, split)
            if data is None:
                row[f"{split}_accuracy"] = float("nan")
                continue
            predicted = predict(data, split)
            row[f"{split}_accuracy"] = _accuracy(data.y, predicted)
            if split == "test":
                predictions[f"c{run['config']}_f{run['fold']}_true"] = data.y
                predictions[f"c{run['config']}_f{run['fold']}_pred"] = predicted
                predictions[f"f{run['fold']}_train_counts"] = np.bincount(fold.train.y)  # for the training-majority floor
        if network:
            log.info("config %d fold %d: network alone train %.3f val %.3f test %.3f (J %.4g); final train %.3f val %.3f test %.3f%s",
                     run["config"], run["fold"], row["network_train_accuracy"], row["network_val_accuracy"],
                     row["network_test_accuracy"], row["network_objective"], row["train_accuracy"], row["val_accuracy"],
                     row["test_accuracy"], f" (refit J {row['refit_objective']:.4g})" if "refit_objective" in row else "")
        else:
            log.info("config %d fold %d: train %.3f val %.3f test %.3f", run["config"], run["fold"],
                     row["train_accuracy"], row["val_accuracy"], row["test_accuracy"])
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not rows:
        frame = pd.DataFrame(columns=["config", "fold", "epochs", "seconds", "train_accuracy", "val_accuracy", "test_accuracy"])
        if training["not_evaluable"]:  # one row, so that merge_search sees the reason
            frame.loc[0] = np.nan
    frame["not_evaluable"] = training["not_evaluable"]
    with atomic_path(output_csv) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_path(output_predictions) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **predictions)
    if output_curves:
        with atomic_path(output_curves) as tmp:
            tmp.write_text(json.dumps(curves))



# --- merge and selection -------------------------------------------------------------


#: Per-configuration figures (means over folds) carried into the result of the chosen one.
SELECTED_FIGURES = (
    "network_train_accuracy", "network_val_accuracy", "network_test_accuracy", "network_objective",
    "refit_objective", "refit_objective_liblinear", "epochs", "best_epoch", "optimizer_steps",
    "refit_newton_steps", "train_correlation", "val_correlation", "test_correlation",
)


#: The certificate columns of a refit row (:class:`~.models.finite_newton.Certificate`).
REFIT_CERTIFICATE = ("refit_relative_gradient", "refit_kkt_violation", "refit_duality_gap")


def select_configuration(search: "pd.DataFrame", *, selection: str) -> dict:  # noqa: F821
    """Mean accuracy over folds per configuration, and the configuration picked by
    ``selection`` ("validation": highest mean validation accuracy; "test": highest mean
    test accuracy, the paper's best-of-N). Ties go to the lower configuration index."""
    key = {"validation": "val_accuracy", "test": "test_accuracy"}[selection]
    extra = [c for c in SELECTED_FIGURES if c in search.columns]
    per_config = search.groupby("config")[["train_accuracy", "val_accuracy", "test_accuracy", *extra]].mean(numeric_only=True)
    if per_config[key].isna().all():
        raise ExperimentError(f"selection by {selection} needs {key}, which no run has (no validation split?)")
    best = int(per_config[key].idxmax())
    chosen = per_config.loc[best]
    return {
        "selection": selection, "config": best, "n_configs": int(len(per_config)),
        "train_accuracy": float(chosen["train_accuracy"]), "val_accuracy": float(chosen["val_accuracy"]),
        "test_accuracy": float(chosen["test_accuracy"]),
        **{c: _plain(np.float64(chosen[c])) for c in extra},
        "test_accuracy_folds": search.loc[search["config"] == best].sort_values("fold")["test_accuracy"].tolist(),
    }


def merge_shards(
    *, shard_csvs: Sequence[str], shard_predictions: Sequence[str], experiment: str, dataset: str, task: str,
    model: str, selections: Sequence[str], n_classes: int, output_csv: str, output_json: str,
    features_path: "str | Sequence[str] | None" = None, provenance: Mapping | None = None,
    shard_curves: Sequence[str] = (), protocol: Mapping | None = None,
) -> None:
    """Join a search's shards into one CSV and pick the configuration per selection mode.

    The result JSON records the provenance of the run and the raw files' SHA-256 (from
    the feature files). An experiment of a pooled protocol (``loso``, ``cross_session``)
    also records the protocol's name, its normalisation and the experiment's subject."""
    import pandas as pd

    from .statistics import confusion_counts

    search = pd.concat([pd.read_csv(p) for p in shard_csvs], ignore_index=True).sort_values(["config", "fold"])
    reasons = sorted({str(r) for r in search.get("not_evaluable", pd.Series(dtype=str)).dropna() if str(r)})
    curves = {}
    for path in shard_curves:
        curves.update(json.loads(Path(path).read_text()))
    predictions = {}
    for path in shard_predictions:
        with np.load(path) as content:
            predictions.update({k: content[k] for k in content.files})
    from .store import read_attrs

    sources = {}
    for path in ([features_path] if isinstance(features_path, (str, Path)) else features_path or []):
        sources.update(read_attrs(path).get("source_files", {}))
    result = {"dataset": dataset, "experiment": experiment, "task": task, "model": model, "not_evaluable": "; ".join(reasons),
              "selections": {}, "provenance": {**dict(provenance or {}), "source_files": sources}}
    if protocol is not None and is_pooled(protocol):
        result.update(protocol=protocol.get("name", protocol["kind"]), protocol_kind=protocol["kind"],
                      subject=str(protocol["subject"]), normalisation=protocol.get("normalisation", "training"))
    if not search.empty and not reasons:
        for selection in selections:
            chosen = select_configuration(search, selection=selection)
            confusion = sum(confusion_counts(predictions[f"c{chosen['config']}_f{fold}_true"],
                                             predictions[f"c{chosen['config']}_f{fold}_pred"], n_classes)
                            for fold in search.loc[search["config"] == chosen["config"], "fold"])
            chosen["confusion"] = confusion.tolist()
            hp_columns = [c for c in search.columns if c.startswith("hp_")]
            first = search.loc[search["config"] == chosen["config"]].iloc[0]
            chosen["hyperparameters"] = {c[3:]: _plain(first[c]) for c in hp_columns}
            if "svm_certificate" in search.columns:  # the worst over the chosen configuration's folds
                chosen["svm_certificate"] = _plain(np.float64(
                    search.loc[search["config"] == chosen["config"], "svm_certificate"].max()))
            if "refit_converged" in search.columns:
                rows = search.loc[search["config"] == chosen["config"]]
                chosen["refit_converged"] = bool(rows["refit_converged"].astype(bool).all())
                chosen["refit_certificate"] = _plain(np.float64(rows[list(REFIT_CERTIFICATE)].max().max()))
            fold_curves = {f"fold{int(f)}": curves[f"c{chosen['config']}_f{int(f)}"]
                           for f in search.loc[search["config"] == chosen["config"], "fold"]
                           if f"c{chosen['config']}_f{int(f)}" in curves}
            if fold_curves:
                chosen["learning_curves"] = fold_curves
            result["selections"][selection] = chosen
        result["training_majority"] = _training_majority(search, predictions, n_classes)
    with atomic_path(output_csv) as tmp:
        search.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_path(output_json) as tmp:
        tmp.write_text(json.dumps(result, indent=1, sort_keys=True))


def merge_search(
    *, features_path: "str | Sequence[str]", training_dirs: Sequence[str], task: str, protocol: Mapping, seed: int,
    refit: Mapping, experiment: str, dataset: str, model: str, selections: Sequence[str], n_classes: int,
    output_csv: str, output_json: str, provenance: Mapping | None = None,
) -> None:
    """The second (and last) job of an experiment x model: evaluate every shard's trained
    models (the networks' SVM refit included, :func:`evaluate_shard`), then join the shards
    and select (:func:`merge_shards`).

    The refit lives here rather than in the training job so that a change of the refit
    settings re-evaluates without retraining; it reads only what training saved (layer
    inputs, predictions), so this job never imports TensorFlow. Each shard's evaluation
    goes through the same CSV text as the former ``evaluate_shard`` job wrote (a temporary
    folder under $TMPDIR, removed afterwards), so selection sees the same rounded figures and the
    tables are byte-identical to the three-job layout."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="evaluation-") as scratch:
        csvs, npzs, curves = [], [], []
        for index, training_dir in enumerate(training_dirs):
            log.info("evaluating shard %d of %d (%s)", index + 1, len(training_dirs), training_dir)
            csvs.append(f"{scratch}/shard{index}.csv")
            npzs.append(f"{scratch}/shard{index}.npz")
            curves.append(f"{scratch}/shard{index}.json")
            evaluate_shard(features_path=features_path, training_dir=training_dir, task=task, protocol=protocol,
                           seed=seed, refit=refit, output_csv=csvs[-1], output_predictions=npzs[-1],
                           output_curves=curves[-1])
        merge_shards(shard_csvs=csvs, shard_predictions=npzs, shard_curves=curves, experiment=experiment,
                     dataset=dataset, task=task, model=model, selections=selections, n_classes=n_classes,
                     output_csv=output_csv, output_json=output_json, features_path=features_path,
                     provenance=provenance, protocol=protocol)


def merge_models(
    *, features_path: "str | Sequence[str]", training_dirs: Sequence[str], models: Sequence[str],
    refit: Mapping[str, Mapping], output_csvs: Sequence[str], output_jsons: Sequence[str], **common,
) -> None:
    """:func:`merge_search` for several one-shard models of one experiment, one after the
    other, in this process (``search.pack_models``, beside ``train_models``): one start-up
    for all of them. ``training_dirs``, ``output_csvs`` and ``output_jsons`` are in the order
    of ``models`` (each path names its model; all are checked before anything is evaluated);
    ``refit``: model -> its refit settings; ``common``: the rest of :func:`merge_search`'s
    arguments. Each model's files are exactly what its own ``merge_search`` job writes."""

    def merge(index: int, name: str) -> None:
        merge_search(features_path=features_path, training_dirs=[training_dirs[index]], model=name,
                     refit=refit[name], output_csv=output_csvs[index], output_json=output_jsons[index], **common)

    def stem(path: str) -> str:
        return Path(path).stem

    run_packed("merge", models, {"training folder": (training_dirs, model_of_folder), "search CSV": (output_csvs, stem),
                                 "result JSON": (output_jsons, stem)}, merge)


def _training_majority(search, predictions: Mapping, n_classes: int) -> dict | None:
    """The floor of the experiment's protocol (:func:`~.statistics.training_majority`):
    every fold's test windows predicted as its training split's majority class. The folds
    do not depend on the configuration, so the first configuration's test labels serve."""
    from .statistics import training_majority

    config = int(search["config"].min())
    folds = sorted(int(f) for f in search.loc[search["config"] == config, "fold"])
    if not all(f"f{f}_train_counts" in predictions for f in folds):
        return None
    return training_majority([predictions[f"f{f}_train_counts"] for f in folds],
                             [predictions[f"c{config}_f{f}_true"] for f in folds], n_classes)


def _plain(value):
    if isinstance(value, np.bool_):  # e.g. a boolean hyper-parameter read back from the search CSV
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if math.isnan(value) else float(value)
    return value
