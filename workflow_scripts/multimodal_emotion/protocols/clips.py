"""``clips``: the subject-dependent protocol of SEED and SEED-IV: one fold, fixed clips per split."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..recording import ConfigError
from .folds import (VALIDATION_PER_CLASS, DatasetFacts, ExperimentError, Fold, RecordingWindows, carve_validation,
                    missing_classes, warn_missing_test_classes)

KIND = "clips"
POOLED = False
DESCRIPTION = ("clips = one fold with fixed trials per split (train_clips, validation_clips or validation_per_class, "
               "test_clips)")
LABEL = "fixed clips per split (one fold per recording)"
PROPERTIES = {
    "train_clips": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1, "uniqueItems": True,
                    "description": "clips - trials (1-based) of the training part"},
    "validation_clips": {"type": "array", "items": {"type": "integer", "minimum": 1}, "uniqueItems": True,
                         "description": "clips - trials of the validation split (early stopping and selection)"},
    "validation_per_class": VALIDATION_PER_CLASS,
    "test_clips": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1, "uniqueItems": True,
                   "description": "clips - trials of the test part"},
}
REQUIRED = ["train_clips", "test_clips"]


def check(protocol: Mapping, key: str, facts: DatasetFacts) -> bool:
    """Clips that exist, each in one split; returns whether there is a validation split."""
    clips = [c for name in ("train_clips", "validation_clips", "test_clips") for c in protocol.get(name, [])]
    # a recording holding several sessions (SEED-V, SEED-VII) numbers its segments over all of them
    n_clips = facts.n_segments * (max(facts.sessions) if facts.sessions and not facts.recording_is_session else 1)
    if max(clips) > n_clips:
        raise ConfigError(key, f"clip {max(clips)} does not exist ({facts.title} has {n_clips})")
    if len(clips) != len(set(clips)):
        raise ConfigError(key, "a clip is in more than one of train_clips, validation_clips, test_clips")
    return bool(protocol.get("validation_clips")) or protocol.get("validation_per_class", 0) > 0


def folds(features, *, protocol: Mapping, task: str, seed: int) -> list[Fold]:
    return clip_folds(features, task=task, train_clips=protocol["train_clips"],
                      validation_clips=protocol.get("validation_clips", []), test_clips=protocol["test_clips"],
                      eeg_feature=protocol.get("eeg_feature", "de"),
                      validation_per_class=protocol.get("validation_per_class", 0),
                      threshold=protocol.get("threshold"))


def clip_folds(
    features, *, task: str, train_clips: Sequence[int], validation_clips: Sequence[int], test_clips: Sequence[int],
    eeg_feature: str = "de", validation_per_class: int = 0, threshold: float | None = None,
) -> list[Fold]:
    """One fold, fixed clips per split.

    Without ``validation_clips``, ``validation_per_class`` > 0 carves the validation split
    from the training clips (:func:`~.folds.carve_validation`).
    """
    data = RecordingWindows(features, task=task, protocol={"eeg_feature": eeg_feature, "threshold": threshold})
    y, classes, segment = data.y, data.classes, data.segment
    overlap = set(train_clips) & set(test_clips) | set(validation_clips) & (set(train_clips) | set(test_clips))
    if overlap:
        raise ExperimentError(f"clips {sorted(overlap)} are in more than one split")
    if not validation_clips and validation_per_class > 0:
        validation_clips = carve_validation(segment, y, np.isin(segment, train_clips), validation_per_class)
        train_clips = sorted(set(train_clips) - set(validation_clips))
    rows = {name: np.isin(segment, clips) for name, clips in
            (("train", train_clips), ("val", validation_clips), ("test", test_clips))}
    for name in ("train", "test"):
        if not rows[name].any():
            raise ExperimentError(f"the {name} split holds no windows (clips {sorted(set(segment.tolist()))} available)")
    missing = missing_classes(y, rows["train"], classes)
    if missing:
        raise ExperimentError(f"the training clips hold no window of class {missing}; every class is needed")
    warn_missing_test_classes(y, rows["test"], classes)
    return [data.fold(0, rows["train"], rows["val"], rows["test"])]
