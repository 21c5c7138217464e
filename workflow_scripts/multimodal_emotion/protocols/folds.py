"""What every protocol kind shares: the fold, the class labels, the model inputs of a
feature file, the validation split carved from training trials, and the checks every
fold passes. Nothing here knows a protocol kind."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..store import FeatureFile, eeg_parts, flatten_eeg

log = logging.getLogger(__name__)


class ExperimentError(ValueError):
    """An experiment cannot be run as configured (e.g. a task with one class only)."""


@dataclass(frozen=True)
class Fold:
    """One train/validation/test partition of an experiment's windows."""

    index: int
    train: "WindowData"  # noqa: F821 - models.data.WindowData
    val: "WindowData | None"  # noqa: F821
    test: "WindowData"  # noqa: F821


@dataclass(frozen=True)
class DatasetFacts:
    """What a protocol's config check needs to know of the dataset it is configured for."""

    name: str
    title: str
    n_segments: int  # clips / trials per recording (SEED-V: per session)
    recording_is_session: bool  # every recording is one of the block's sessions
    subjects: tuple[str, ...]  # the configured subjects, in order
    sessions: tuple[int, ...]  # the configured sessions (``<dataset>.sessions``)


#: Keys every protocol kind takes (each kind's module adds its own).
COMMON_PROPERTIES = {
    "tasks": {
        "description": "label names to classify, one experiment each (checked against the dataset module: emotion "
                       "for the SEED family; arousal, valence, dominance, liking for DEAP)",
        "type": "array", "items": {"type": "string", "pattern": "^[a-z_]+$"}, "minItems": 1, "uniqueItems": True,
    },
    "threshold": {"type": "number", "minimum": 1, "maximum": 9, "description": "threshold labels (DEAP ratings) - "
                  "class high if the rating exceeds it; a rating equal to it is low"},
    "eeg_feature": {"type": "string", "enum": ["de", "psd", "de+psd"], "description": "EEG input of the models: DE, "
                    "PSD or both (SEED_Multimodal and SEED-V ship DE only)"},
}


#: The validation split carved from the training trials (clips, trial_folds).
VALIDATION_PER_CLASS = {"type": "integer", "minimum": 0, "description": "clips (when validation_clips is not given) and "
                        "trial_folds - the last N training trials of every class form the validation split (labels "
                        "differ per session, so fixed clip numbers cannot be balanced)"}


def stable_hash(text: str) -> int:
    """A hash of ``text`` that is the same on every machine and Python (seeds, not security)."""
    return zlib.crc32(text.encode())


def random_state(seed: int, key: str) -> int:
    """An integer seed for a scikit-learn splitter, fixed by (seed, key)."""
    return int(np.random.SeedSequence([seed, stable_hash(key)]).generate_state(1)[0] % (2**31 - 1))


def class_labels(features, *, task: str, threshold: float | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class index per window and class names, as the feature file's ``classes``
    attribute (written from the dataset module) defines them for ``task``.

    Categorical labels map value ``values[i]`` to class ``i`` (SEED: -1, 0, 1 -> negative,
    neutral, positive). Threshold labels (DEAP ratings) are class 1 if the label is above
    ``threshold``, else class 0; a label equal to the threshold counts as class 0. Without
    one, the dataset's ``default_threshold`` (DEAP 5 on 1-9, DREAMER 3 on 1-5).
    """
    names = list(features.attrs["label_names"])
    if task not in names:
        raise ExperimentError(f"task {task!r} is not a label of this recording (labels: {names})")
    spec = features.attrs.get("classes", {}).get(task)
    if spec is None:
        raise ExperimentError(f"the feature file does not say what label {task!r} means (no 'classes' attribute; "
                              "it was written by an older version: rerun the features rule)")
    values = features.labels[:, names.index(task)]
    if spec["kind"] == "categorical":
        matches = values[:, None] == np.asarray(spec["values"], dtype=float)[None, :]
        if not matches.any(axis=1).all():
            unknown = sorted(set(values[~matches.any(axis=1)].tolist()))
            raise ExperimentError(f"label {task!r} has values {unknown[:5]} outside {spec['values']}")
        return matches.argmax(axis=1).astype(np.int64), tuple(spec["class_names"])
    if threshold is None:
        threshold = spec.get("default_threshold") or 5.0
    return (values > threshold).astype(np.int64), tuple(spec["class_names"])


def eeg_matrix(features: FeatureFile, kind: str = "de") -> np.ndarray:
    """EEG features per window, flattened channel-major: (n_windows, n_channels * n_bands [* 2])."""
    return flatten_eeg([getattr(features, part) for part in eeg_parts(kind)]).astype(np.float64)


class RecordingWindows:
    """One recording's model inputs and class labels, cut into folds by row masks."""

    def __init__(self, features: FeatureFile, *, task: str, protocol) -> None:
        self.y, self.classes = class_labels(features, task=task, threshold=protocol.get("threshold"))
        self.eeg = eeg_matrix(features, protocol.get("eeg_feature", "de"))
        self.other = features.other.astype(np.float64)
        self.segment = features.segment.astype(np.int64)

    def fold(self, index: int, train: np.ndarray, val: np.ndarray, test: np.ndarray) -> Fold:
        return Fold(index, window_data(self.eeg, self.other, self.y, self.segment, train),
                    window_data(self.eeg, self.other, self.y, self.segment, val) if val.any() else None,
                    window_data(self.eeg, self.other, self.y, self.segment, test))


def window_data(eeg, other, y, segment, rows):
    from ..models.data import WindowData

    return WindowData(eeg=eeg[rows], other=other[rows], y=y[rows], segment=segment[rows])


def carve_validation(segment: np.ndarray, y: np.ndarray, rows: np.ndarray, per_class: int) -> list[int]:
    """Segments for validation out of the training ``rows``: the last ``per_class``
    segments (by index) of every class, leaving at least one of each class to train on."""
    chosen = []
    segments = np.unique(segment[rows])
    segment_class = np.array([y[rows & (segment == s)][0] for s in segments], dtype=np.int64)
    for c in np.unique(segment_class):
        members = segments[segment_class == c]
        take = min(per_class, members.size - 1)
        chosen += members[members.size - take:].tolist() if take > 0 else []
    return sorted(chosen)


def missing_classes(y: np.ndarray, rows: np.ndarray, classes: Sequence[str]) -> list[str]:
    """Names of the classes no window of ``rows`` has."""
    return [classes[c] for c in sorted(set(range(len(classes))) - set(np.unique(y[rows]).tolist()))]


def warn_missing_test_classes(y: np.ndarray, test: np.ndarray, classes: Sequence[str]) -> None:
    missing = missing_classes(y, test, classes)
    if missing:  # reported, not an error: accuracy is still defined (e.g. SEED-IV session 1, trials 17-24)
        log.warning("the test split holds no window of class %s; its accuracy covers the other classes only", missing)
