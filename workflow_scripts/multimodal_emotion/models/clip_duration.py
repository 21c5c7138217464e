"""A baseline that sees only how long each trial is: what clip identity alone buys.

Where every subject watches the same clips (SEED-VII's 80, SEED's 15, ...), a clip's
length identifies it, and with it its label whenever the clip's label is the same in
training and test (leave-one-subject-out: always). A third-party study of SEED-VII
found a 1-nearest-neighbour on clip duration alone at 67.5 % across subjects. This
model measures that leak under each protocol, for any dataset: its only input is the
number of windows of the trial a window belongs to (the trial's duration in window
steps), counted within the split. It reads no EEG and no eye feature.

``fit`` stores (duration, class) of every training trial; a trial to predict gets the
class votes of the ``n_neighbors`` training trials nearest in duration (every training
trial as far as the k-th nearest counts, so ties are all in), each of its windows the
same scores.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from .base import EmotionModel
from .checks import check_range
from .data import WindowData

logger = logging.getLogger("multimodal_emotion.models")

ARRAYS_FILE = "clip_durations.npz"


def trial_durations(data: WindowData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trials of a split: their ids, their length in windows, and each window's trial position.

    Returns
    -------
    trials : ndarray of int, shape (n_trials,)
    durations : ndarray of float, shape (n_trials,)
    inverse : ndarray of int, shape (n_windows,)
        ``trials[inverse]`` is every window's trial.
    """
    trials, inverse, counts = np.unique(data.segment, return_inverse=True, return_counts=True)
    return trials, counts.astype(np.float64), inverse


class ClipDuration(EmotionModel):
    """k-nearest neighbours on trial duration alone (no EEG, no eye features).

    With arrays (``fit(X, y, groups=trials)``) the trial of every window comes from
    ``groups``; ``X`` is validated but not read.

    Parameters
    ----------
    n_neighbors : int
        Training trials consulted (1 = the third-party study's 1-NN); trials tied with
        the k-th nearest are consulted too.
    n_classes : int | None
        None infers ``max(train.y) + 1``.
    n_eeg_features, seed, max_epochs, patience, min_delta, batch_size :
        Accepted for the common interface; unused (the fit is deterministic).
    """

    name = "clip_duration"
    default_space = {"n_neighbors": {"value": 1}}

    def __init__(
        self,
        *,
        n_neighbors: int = 1,
        n_classes: int | None = None,
        n_eeg_features: int | None = None,
        seed: int = 0,
        max_epochs: int = 0,
        patience: int = 0,
        min_delta: float = 0.0,
        batch_size: int | None = None,
    ) -> None:
        self._store_params(locals())

    def _check_params(self) -> None:
        super()._check_params()
        check_range("n_neighbors", self._params["n_neighbors"], low=1, kind=int)

    def required_modalities(self) -> tuple[str, ...]:
        return ()  # the trial's duration only

    def _fit(self, train: WindowData, val: WindowData | None = None) -> ClipDuration:
        self._set_n_classes(train)
        trials, durations, inverse = trial_durations(train)
        classes = np.zeros(trials.size, dtype=np.int64)
        classes[inverse] = train.y  # a trial's windows share its label
        self.durations_, self.trial_classes_ = durations, classes
        self.history = {"epochs": 0, "train_accuracy": float(np.mean(self._predicted(train) == train.y)),
                        "val_accuracy": None if val is None else float(np.mean(self._predicted(val) == val.y))}
        logger.info("%s fitted on %d trials: train_acc %.4f", self.name, trials.size, self.history["train_accuracy"])
        return self

    def _predicted(self, data: WindowData) -> np.ndarray:
        return np.argmax(self._decision_function(data), axis=1)

    def _decision_function(self, data: WindowData) -> np.ndarray:
        """Class vote shares of the nearest training trials, shape (n_windows, n_classes)."""
        _, durations, inverse = trial_durations(data)
        distance = np.abs(durations[:, None] - self.durations_[None, :])
        k = min(self._params["n_neighbors"], self.durations_.size)
        kth = np.sort(distance, axis=1)[:, k - 1:k]
        near = distance <= kth
        votes = np.zeros((durations.size, self.n_classes_))
        for c in range(self.n_classes_):
            votes[:, c] = (near & (self.trial_classes_ == c)[None, :]).sum(axis=1)
        return (votes / votes.sum(axis=1, keepdims=True))[inverse]

    def _save_files(self, directory: Path) -> None:
        np.savez(directory / ARRAYS_FILE, durations=self.durations_, classes=self.trial_classes_)

    def _load_files(self, directory: Path) -> None:
        with np.load(directory / ARRAYS_FILE) as saved:
            self.durations_, self.trial_classes_ = saved["durations"], saved["classes"]


__all__ = ["ClipDuration", "trial_durations"]
