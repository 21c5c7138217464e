"""``kfold``: k-fold cross-validation over trials or windows, stratified by class (DEAP's protocol)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np

from ..recording import ConfigError, check_option
from .folds import DatasetFacts, ExperimentError, Fold, RecordingWindows, stable_hash

log = logging.getLogger(__name__)

KIND = "kfold"
POOLED = False
DESCRIPTION = "kfold = k-fold cross-validation over trials or windows (n_folds, fold_unit, validation)"
LABEL = "k-fold cross-validation, stratified by class"
PROPERTIES = {
    "n_folds": {"type": "integer", "minimum": 2, "description": "kfold - number of folds"},
    "fold_unit": {"type": "string", "enum": ["trial", "window"], "description": "kfold - trial (all windows of a trial "
                  "in one fold) or window (windows dealt independently, which leaks trial identity; only to compare "
                  "with window-level papers)"},
    "validation": {"type": "boolean", "description": "kfold - fold f+1 of the training part is fold f's validation "
                   "split"},
}
REQUIRED = ["n_folds"]


def check(protocol: Mapping, key: str, facts: DatasetFacts) -> bool:
    if protocol.get("fold_unit", "trial") == "trial" and protocol["n_folds"] > facts.n_segments:
        raise ConfigError(f"{key}.n_folds", f"{protocol['n_folds']} folds exceed the {facts.n_segments} trials")
    return protocol.get("validation", True) and protocol["n_folds"] > 2


def folds(features, *, protocol: Mapping, task: str, seed: int) -> list[Fold]:
    return kfold_folds(features, task=task, threshold=protocol.get("threshold"), n_folds=protocol["n_folds"],
                       fold_unit=protocol.get("fold_unit", "trial"), seed=seed,
                       eeg_feature=protocol.get("eeg_feature", "de"), validation=protocol.get("validation", True))


def kfold_folds(
    features, *, task: str, threshold: float | None, n_folds: int, fold_unit: str, seed: int, eeg_feature: str = "de",
    validation: bool = True,
) -> list[Fold]:
    """k-fold cross-validation, stratified by class, at trial (default) or window level.

    ``fold_unit="trial"``: all windows of a trial fall in one fold, so no trial is on
    both sides of a split. ``fold_unit="window"``: windows are dealt to folds
    independently, as window-level papers do; windows of one trial then appear in
    training and test, which leaks trial identity (use only to compare with them).
    With ``validation``, fold ``(f + 1) % k`` of the training part is the validation
    split of fold ``f``.
    """
    check_option("fold_unit", fold_unit, ("trial", "window"))
    data = RecordingWindows(features, task=task, protocol={"eeg_feature": eeg_feature, "threshold": threshold})
    y, classes, segment = data.y, data.classes, data.segment
    trials = np.unique(segment)
    trial_class = np.array([y[segment == t][0] for t in trials])
    counts = np.bincount(trial_class, minlength=len(classes))
    if (counts == 0).any():
        only = classes[int(np.argmax(counts))]
        raise ExperimentError(
            f"all {len(trials)} trials are in class '{only}' for {task} (threshold "
            f"{'the dataset default' if threshold is None else f'{threshold:g}'}); "
            "a binary task needs trials of both classes"
        )
    rng = np.random.default_rng(np.random.SeedSequence([seed, stable_hash(task)]))
    if fold_unit == "trial":
        window_fold = stratified_assignment(trial_class, n_folds, rng)[np.searchsorted(trials, segment)]
    else:
        window_fold = stratified_assignment(y, n_folds, rng)
    out = []
    for f in range(n_folds):
        test = window_fold == f
        val = (window_fold == (f + 1) % n_folds) if validation and n_folds > 2 else np.zeros_like(test)
        train = ~test & ~val
        if len(np.unique(y[train])) < len(classes):
            log.warning("fold %d skipped: its training part lacks a class", f)
            continue
        out.append(data.fold(f, train, val, test))
    if not out:
        raise ExperimentError(f"no fold of {task} has both classes in its training part")
    return out


def stratified_assignment(labels: np.ndarray, n_folds: int, rng: np.random.Generator) -> np.ndarray:
    """Fold index per unit: each class shuffled and dealt round-robin (sizes differ by <= 1).

    Kept rather than scikit-learn's StratifiedKFold, which deals other units to other folds
    (every published DEAP fold and table would change); the deal is this function, tested."""
    fold = np.empty(labels.size, dtype=np.int64)
    offset = 0
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        fold[members] = (np.arange(members.size) + offset) % n_folds
        offset += members.size  # continue the deal so small classes spread over folds
    return fold
