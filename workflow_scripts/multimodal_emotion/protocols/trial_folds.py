"""``trial_folds``: folds by trial position over every session of a recording (SEED-V's protocol)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..recording import ConfigError
from .folds import (VALIDATION_PER_CLASS, DatasetFacts, ExperimentError, Fold, RecordingWindows, carve_validation,
                    missing_classes, warn_missing_test_classes)

KIND = "trial_folds"
POOLED = False
DESCRIPTION = ("trial_folds = one fold per entry of folds, by trial position within each session (a recording that "
               "holds several sessions)")
LABEL = "folds by trial position within each session"
PROPERTIES = {
    "folds": {"type": "array", "minItems": 2,
              "items": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1, "uniqueItems": True},
              "description": "trial_folds - trial positions (1-based, within a session) of each fold's test part"},
    "validation_per_class": VALIDATION_PER_CLASS,
}
REQUIRED = ["folds"]


def check(protocol: Mapping, key: str, facts: DatasetFacts) -> bool:
    trials = [t for fold in protocol["folds"] for t in fold]
    if len(trials) != len(set(trials)):
        raise ConfigError(f"{key}.folds", "a trial position is in more than one fold")
    if max(trials) > facts.n_segments:
        raise ConfigError(f"{key}.folds", f"trial {max(trials)} does not exist ({facts.title} has "
                          f"{facts.n_segments} per session)")
    return protocol.get("validation_per_class", 1) > 0


def folds(features, *, protocol: Mapping, task: str, seed: int) -> list[Fold]:
    return trial_folds(features, task=task, folds=protocol["folds"],
                       validation_per_class=protocol.get("validation_per_class", 1),
                       eeg_feature=protocol.get("eeg_feature", "de"), threshold=protocol.get("threshold"))


def trial_folds(
    features, *, task: str, folds: Sequence[Sequence[int]], validation_per_class: int = 1, eeg_feature: str = "de",
    threshold: float | None = None,
) -> list[Fold]:
    """Fold f tests the trials whose position within their session is in ``folds[f]``
    (e.g. 1-5, 6-10, 11-15 of each session) and trains on the rest, minus a validation
    split carved from them (:func:`~.folds.carve_validation`). The position of segment s is
    ``(s - 1) % trials_per_session + 1`` (the feature file's ``trials_per_session``).
    """
    data = RecordingWindows(features, task=task, protocol={"eeg_feature": eeg_feature, "threshold": threshold})
    y, classes, segment = data.y, data.classes, data.segment
    per_session = int(features.attrs.get("trials_per_session") or segment.max())
    position = (segment - 1) % per_session + 1
    out = []
    for f, positions in enumerate(folds):
        test = np.isin(position, positions)
        if not test.any():
            raise ExperimentError(f"fold {f} (trial positions {list(positions)}) holds no window")
        val = np.isin(segment, carve_validation(segment, y, ~test, validation_per_class)) if validation_per_class else \
            np.zeros_like(test)
        train = ~test & ~val
        missing = missing_classes(y, train, classes)
        if missing:
            raise ExperimentError(f"fold {f}: the training trials hold no window of class {missing}; every class "
                                  "is needed")
        warn_missing_test_classes(y, test, classes)
        out.append(data.fold(f, train, val, test))
    return out
