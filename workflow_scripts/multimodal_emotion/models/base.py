"""Shared model machinery: window data, scaling, seeding, early stopping, save/load.

Every model of :mod:`multimodal_emotion.models` takes :class:`WindowData` and follows
one interface (:class:`EmotionModel`)::

    model = build_model("bimodal_lstm", seed=1, max_epochs=500)
    model.fit(train, val)            # val monitors early stopping; None -> train
    labels = model.predict(test)     # (n_windows,) class indices
    model.save("results/model")      # .keras / .npz / .pkl file + JSON
    model = load_model("results/model")

The two networks (Bimodal-LSTM and BDDAE) end in the same linear L2-SVM layer
(:class:`SVMNetwork`), so :func:`~multimodal_emotion.models.svm.refit_last_layer`
works on both.

TensorFlow and Keras are imported inside the functions that need them, so the SVM
baselines (and the Snakemake DAG) do not pay for importing them.
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np

from ..pause_points import pause_point

logger = logging.getLogger("multimodal_emotion.models")

MODALITIES = ("both", "eeg", "other")
FORMAT_VERSION = 1
HYPERPARAMETER_FILE = "hyperparameters.json"
STATE_FILE = "state.json"


# --------------------------------------------------------------------------------------
# Errors in the style of mne.utils._check_option / _validate_type
# --------------------------------------------------------------------------------------
def _check_option(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        allowed_txt = ", ".join(repr(a) for a in allowed[:-1]) + f" and {allowed[-1]!r}"
        raise ValueError(
            f"Invalid value for the {name!r} parameter. Allowed values are "
            f"{allowed_txt}, but got {value!r} instead."
        )


def _check_range(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    kind: type | tuple[type, ...] = (int, float),
) -> None:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise TypeError(f"{name} must be an instance of {names}, got {type(value)} instead.")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}.")


# --------------------------------------------------------------------------------------
# Input data
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)  # eq on arrays would be ambiguous
class WindowData:
    """Features of one split, one row per window.

    Parameters
    ----------
    eeg : ndarray, shape (n_windows, n_eeg_features)
        EEG features, e.g. 310 = 62 channels x 5 bands of DE (SEED), 128 (DEAP).
    other : ndarray, shape (n_windows, n_other_features)
        The other modality: 41 eye-movement features (SEED) or 48 peripheral (DEAP).
    y : ndarray of int, shape (n_windows,)
        Class index ``0 .. n_classes - 1`` of every window.
    segment : ndarray of int, shape (n_windows,)
        Clip (SEED) or trial (DEAP) id. The windows of one segment are contiguous
        and in time order; sequence models never cut across two segments.
    """

    eeg: np.ndarray
    other: np.ndarray
    y: np.ndarray
    segment: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.y)
        for name in ("eeg", "other"):
            arr = getattr(self, name)
            if not isinstance(arr, np.ndarray) or arr.ndim != 2 or arr.shape[0] != n:
                raise ValueError(
                    f"WindowData.{name} must be an ndarray of shape (n_windows={n}, "
                    f"n_features), got {getattr(arr, 'shape', type(arr))}."
                )
            if not np.issubdtype(arr.dtype, np.floating):
                raise TypeError(f"WindowData.{name} must be float, got {arr.dtype}.")
        for name in ("y", "segment"):
            arr = getattr(self, name)
            if not isinstance(arr, np.ndarray) or arr.shape != (n,):
                raise ValueError(f"WindowData.{name} must have shape ({n},).")
            if not np.issubdtype(arr.dtype, np.integer):
                raise TypeError(f"WindowData.{name} must be integer, got {arr.dtype}.")
        if n and self.y.min() < 0:
            raise ValueError("WindowData.y must hold class indices >= 0.")
        segment_runs(self.segment)  # raises if a segment is not contiguous

    @property
    def n_windows(self) -> int:
        return len(self.y)

    def features(self, modality: Literal["both", "eeg", "other"] = "both") -> np.ndarray:
        """Return the features of ``modality``, shape (n_windows, n_features)."""
        _check_option("modality", modality, MODALITIES)
        if modality == "eeg":
            return self.eeg
        if modality == "other":
            return self.other
        return np.hstack([self.eeg, self.other])


def segment_runs(segment: np.ndarray) -> list[tuple[int, int]]:
    """Split window indices into the ``[start, stop)`` runs of equal segment id.

    Raises ``ValueError`` if one id occurs in two separate runs (the windows of a
    segment must be contiguous).
    """
    segment = np.asarray(segment)
    if segment.size == 0:
        return []
    cut = np.flatnonzero(segment[1:] != segment[:-1]) + 1
    starts = np.concatenate([[0], cut])
    stops = np.concatenate([cut, [segment.size]])
    ids = segment[starts]
    unique, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        raise ValueError(
            "The windows of a segment must be contiguous, but segment ids "
            f"{unique[counts > 1].tolist()} occur in more than one run."
        )
    return list(zip(starts.tolist(), stops.tolist()))


# --------------------------------------------------------------------------------------
# Scaling (statistics from the training split only)
# --------------------------------------------------------------------------------------
@dataclass
class FeatureScaler:
    """Affine per-feature scaling ``(x - offset) / scale`` fitted on training data.

    Parameters
    ----------
    kind : {"standard", "minmax"}
        ``"standard"``: zero mean, unit variance (Bimodal-LSTM, SVM baselines, Sec. 4.2).
        ``"minmax"``: rescaled to [0, 1] (BDDAE, Sec. 4.2).
    clip : bool
        Only for ``"minmax"``: clip transformed values to [0, 1]. Test windows can fall
        outside the training range; clipping hides that, not clipping feeds values
        slightly outside [0, 1] to the sigmoid encoders (which accept any real).

    Notes
    -----
    A feature that is constant on the training split gets ``scale = 1``, so it maps
    to 0 instead of producing NaN.
    """

    kind: Literal["standard", "minmax"] = "standard"
    clip: bool = False
    offset: np.ndarray | None = None
    scale: np.ndarray | None = None

    def fit(self, x: np.ndarray) -> FeatureScaler:
        # The statistics are scikit-learn's (StandardScaler: mean and population variance;
        # MinMaxScaler: minimum and range), in float64; the zero rule and the transform stay
        # here, so fitted scalers and scaled features are bit-identical to the earlier
        # hand-written mean/std/min/max (docs/interpretations.md).
        from sklearn.preprocessing import MinMaxScaler, StandardScaler

        _check_option("kind", self.kind, ("standard", "minmax"))
        x = np.asarray(x, dtype=np.float64)
        if self.kind == "standard":
            fitted = StandardScaler().fit(x)
            offset, scale = fitted.mean_, np.sqrt(fitted.var_)
        else:
            fitted = MinMaxScaler().fit(x)
            offset, scale = fitted.data_min_, fitted.data_range_
        scale = np.where(scale > 0, scale, 1.0)
        self.offset, self.scale = offset, scale
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        if self.offset is None:
            raise RuntimeError("FeatureScaler.fit must be called before transform.")
        out = (np.asarray(x, dtype=np.float64) - self.offset) / self.scale
        if self.kind == "minmax" and self.clip:
            out = np.clip(out, 0.0, 1.0)
        return out.astype(np.float32)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "clip": self.clip,
            "offset": None if self.offset is None else self.offset.tolist(),
            "scale": None if self.scale is None else self.scale.tolist(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> FeatureScaler:
        return cls(
            kind=d["kind"],
            clip=d["clip"],
            offset=None if d["offset"] is None else np.asarray(d["offset"]),
            scale=None if d["scale"] is None else np.asarray(d["scale"]),
        )


# --------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------
def seed_everything(seed: int, *, deterministic_ops: bool = True) -> None:
    """Fix Python, NumPy and TensorFlow randomness for one training run.

    Calls ``keras.utils.set_random_seed`` (Python ``random``, NumPy global state, TF
    global seed) and, if ``deterministic_ops``, ``tf.config.experimental.
    enable_op_determinism()``. The latter is process-wide and cannot be switched off
    again; on CPU it costs little. Same seed + same machine + same library versions
    gives the same model.
    """
    random.seed(seed)
    np.random.seed(seed)
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic_ops:
        try:
            tf.config.experimental.enable_op_determinism()
        except Exception as err:  # pragma: no cover - depends on the TF build
            logger.warning("Could not enable TF op determinism: %s", err)


# --------------------------------------------------------------------------------------
# Early stopping (Sec. 4.3)
# --------------------------------------------------------------------------------------
@dataclass
class EarlyStopping:
    """Stop when the monitored accuracy has not improved by ``min_delta`` in ``patience`` epochs.

    Sec. 4.3: "EarlyStopping was also adopted to stop training when the accuracy had
    not increased 0.1% in the last 120 epochs", i.e. ``min_delta=0.001`` (0.1
    percentage points of accuracy as a fraction) and ``patience=120``.

    An epoch counts as an improvement when ``score > best + min_delta`` (the Keras
    ``EarlyStopping`` rule); its weights are the ones restored at the end. Smaller
    gains neither reset the patience nor replace the restored weights.
    """

    patience: int = 120
    min_delta: float = 0.001
    best: float = -math.inf
    best_epoch: int = 0
    best_weights: Any = None
    wait: int = 0

    def update(self, epoch: int, score: float, get_weights: Callable[[], Any]) -> bool:
        """Record ``score`` of ``epoch`` (1-based); return True when training should stop."""
        if score > self.best + self.min_delta:
            self.best, self.best_epoch, self.wait = score, epoch, 0
            self.best_weights = get_weights()
            return False
        self.wait += 1
        return self.wait >= self.patience


def run_epochs(
    *,
    train_epoch: Callable[[int], tuple[float, float]],
    monitor: Callable[[], float],
    get_weights: Callable[[], Any],
    set_weights: Callable[[Any], None],
    max_epochs: int,
    patience: int,
    min_delta: float,
    monitor_name: str,
    model_name: str,
    steps_per_epoch: int = 1,
) -> dict:
    """Run ``train_epoch`` until early stopping or ``max_epochs``; restore best weights.

    Parameters
    ----------
    train_epoch : callable
        ``train_epoch(epoch) -> (loss, train_accuracy)``, one pass over the training
        data. ``train_accuracy`` is measured in training mode (dropout active), as
        Keras reports it; the log line calls it ``train_acc``.
    monitor : callable
        ``monitor() -> accuracy`` of the monitored split in inference mode.
    steps_per_epoch : int
        Optimiser steps of one ``train_epoch`` (mini-batches), for the record.

    Returns
    -------
    history : dict
        ``epochs`` (run), ``best_epoch`` (restored), ``best_monitored_accuracy``,
        ``monitor``, ``stopped_early``, ``steps_per_epoch``, ``optimizer_steps`` (run),
        ``restored_steps`` (steps up to the restored epoch), and per-epoch lists
        ``loss``, ``train_accuracy``, ``monitored_accuracy``.
    """
    stopper = EarlyStopping(patience=patience, min_delta=min_delta)
    hist: dict = {"loss": [], "train_accuracy": [], "monitored_accuracy": []}
    stopped = False
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        loss, train_acc = train_epoch(epoch)
        acc = float(monitor())
        hist["loss"].append(float(loss))
        hist["train_accuracy"].append(float(train_acc))
        hist["monitored_accuracy"].append(acc)
        stopped = stopper.update(epoch, acc, get_weights)
        logger.info(
            "%s epoch %d/%d loss %.6g train_acc %.4f monitored_%s_acc %.4f (best %.4f @ %d)",
            model_name, epoch, max_epochs, loss, train_acc, monitor_name, acc,
            stopper.best, stopper.best_epoch,
        )
        if stopped:
            logger.info(
                "%s: no gain of %g in %s accuracy for %d epochs; stopping at epoch %d",
                model_name, min_delta, monitor_name, patience, epoch,
            )
            break
        if epoch < max_epochs:
            pause_point("between_epochs", detail=f"{model_name} epoch {epoch}/{max_epochs}")
    if stopper.best_weights is not None:
        set_weights(stopper.best_weights)
        logger.info(
            "%s: restored weights of epoch %d (%s_acc %.4f)",
            model_name, stopper.best_epoch, monitor_name, stopper.best,
        )
    hist.update(
        epochs=epoch,
        best_epoch=stopper.best_epoch,
        best_monitored_accuracy=None if stopper.best_weights is None else stopper.best,
        monitor=monitor_name,
        stopped_early=stopped,
        steps_per_epoch=int(steps_per_epoch),
        optimizer_steps=int(epoch * steps_per_epoch),
        restored_steps=int(stopper.best_epoch * steps_per_epoch),
    )
    return hist


# --------------------------------------------------------------------------------------
# The L2-SVM objective (Tang 2013), shared by both networks and the refit
# --------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------
# Traced functions (issue 27): one trace per function, whatever the batch
# --------------------------------------------------------------------------------------
#: Seconds per phase of the current process's training (build, trace, training_steps,
#: save), summed over configurations and folds; train_shard logs it and
#: benchmarks/bench_network_job.py reads the line.
PHASE_SECONDS: dict[str, float] = {}


class phase:
    """``with phase("trace"): ...`` adds the block's wall time to :data:`PHASE_SECONDS`."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        import time

        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        import time

        PHASE_SECONDS[self.name] = PHASE_SECONDS.get(self.name, 0.0) + time.perf_counter() - self.start
        return False


def spec_like(value, free_axes: tuple[int, ...] = (0,)):
    """A ``tf.TensorSpec`` of ``value``'s dtype and shape with ``free_axes`` left open
    (``None``): the batch axis by default, so the last short mini-batch, the monitored
    split and every split evaluated later reuse one trace."""
    import tensorflow as tf

    shape = [None if axis in free_axes else int(size) for axis, size in enumerate(value.shape)]
    return tf.TensorSpec(shape, tf.as_dtype(value.dtype))


def traced(function, *specs, now: bool = True, **options):
    """``tf.function`` with a fixed input signature, traced now (timed as phase "trace")
    or, with ``now=False``, at its first call (inference functions a job may not use);
    ``options`` go to ``tf.function`` (e.g. ``jit_compile``).

    A fixed signature never retraces (a new shape would otherwise cost a second trace:
    the short last batch, the validation split, the test split); ``autograph=False``
    because none of our steps has tensor-dependent Python control flow, and autograph's
    conversion is a large part of a trace."""
    import tensorflow as tf

    function = tf.function(function, input_signature=list(specs), autograph=False, **options)
    if now:
        with phase("trace"):
            function.get_concrete_function()
    return function


def keras_input_specs(model, free_axes: tuple[int, ...] = (0,)):
    """Specs of a Keras model's inputs (their declared shapes; ``free_axes`` open)."""
    import tensorflow as tf

    return [tf.TensorSpec([None if axis in free_axes or size is None else int(size)
                           for axis, size in enumerate(x.shape)], tf.as_dtype(x.dtype)) for x in model.inputs]


def squared_hinge_sum(y, scores, weights, n_classes: int):
    r"""One-vs-rest squared hinge loss summed over windows and classes (TF).

    .. math:: \sum_n w_n \sum_k \max(0, 1 - t_{nk} s_{nk})^2, \quad
              t_{nk} = +1 \text{ if } y_n = k \text{ else } -1

    This is the data term of liblinear ``-s 2`` (L2-regularised L2-loss SVC, primal)
    applied to each one-vs-rest problem: the L2-SVM of Tang (2013), ref. [9].

    Parameters
    ----------
    y : int tensor, shape (...)
    scores : float tensor, shape (..., n_classes)
    weights : float tensor, shape (...)
        1 for windows that count, 0 for padding / duplicated positions.
    """
    import tensorflow as tf

    t = 2.0 * tf.one_hot(y, n_classes, dtype=scores.dtype) - 1.0
    per_window = tf.reduce_sum(tf.square(tf.nn.relu(1.0 - t * scores)), axis=-1)
    return tf.reduce_sum(tf.cast(weights, scores.dtype) * per_window)


# --------------------------------------------------------------------------------------
# Common interface
# --------------------------------------------------------------------------------------
class EmotionModel:
    """Interface shared by all models.

    Subclasses define ``name``, a keyword-only ``__init__`` whose arguments are the
    hyper-parameters (stored with :meth:`_store_params`), :meth:`fit`,
    :meth:`decision_function`, and ``_save_files`` / ``_load_files``.

    Attributes
    ----------
    history : dict
        Epochs run and per-epoch loss / training / monitored accuracy (see
        :func:`run_epochs`); for the SVM baselines only ``epochs = 0``.
    n_classes_ : int
        Number of classes, set by :meth:`fit`.
    """

    name: ClassVar[str] = ""
    #: The search space a dataset gets when the config gives the model none for it
    #: (``models.<m>.space.<dataset>``): entries as in ``config.yaml`` (log10/uniform/int/choice/value).
    default_space: ClassVar[dict] = {}
    #: A network ends in the linear SVM layer that Sec. 3.2 refits (:class:`SVMNetwork`).
    is_network: ClassVar[bool] = False
    #: Building or loading the model imports TensorFlow (jobs then limit its threads).
    needs_tensorflow: ClassVar[bool] = False

    def __init__(self) -> None:  # pragma: no cover - subclasses override
        raise NotImplementedError

    # ---- hyper-parameters --------------------------------------------------------
    def _store_params(self, params: dict) -> None:
        # NumPy scalars (e.g. from a random search) become Python numbers: JSON-safe
        self._params = {
            k: v.item() if isinstance(v, np.generic) else v
            for k, v in params.items() if k not in ("self", "__class__")
        }
        for key in ("max_epochs", "patience"):
            _check_range(key, self._params[key], low=0, kind=int)
        _check_range("seed", self._params["seed"], low=0, kind=int)
        _check_range("min_delta", self._params["min_delta"], low=0)
        if self._params["batch_size"] is not None:
            _check_range("batch_size", self._params["batch_size"], low=1, kind=int)
        self.history: dict = {}
        self.n_classes_: int | None = None
        self.scalers_: dict[str, FeatureScaler] = {}

    def get_params(self) -> dict:
        """Return the hyper-parameters as a JSON-serialisable dict."""
        return dict(self._params)

    @property
    def hyperparameters(self) -> dict:
        return self.get_params()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{type(self).__name__}({args})"

    # ---- common helpers ----------------------------------------------------------
    def _set_n_classes(self, train: WindowData) -> None:
        n_classes = self._params.get("n_classes") or int(train.y.max()) + 1
        if n_classes < 2:
            raise ValueError(f"Need at least 2 classes, got n_classes={n_classes}.")
        if train.y.max() >= n_classes:
            raise ValueError(f"Labels must be < n_classes={n_classes}, got {train.y.max()}.")
        self.n_classes_ = n_classes

    def _fit_bimodal_scalers(self, train: WindowData) -> None:
        """Standardising scalers of both modalities, fitted on ``train`` (the models that
        fuse EEG with the other modality and cannot run without either)."""
        if min(train.eeg.shape[1], train.other.shape[1]) == 0:
            raise ValueError(f"{type(self).__name__} needs features of both modalities (EEG and other).")
        self.scalers_ = {key: FeatureScaler("standard").fit(getattr(train, key)) for key in ("eeg", "other")}

    def _check_fitted(self) -> None:
        if self.n_classes_ is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted; call fit() first.")

    # ---- interface ---------------------------------------------------------------
    def required_modalities(self) -> tuple[str, ...]:
        """Modalities that must have features for the model to run (networks: both)."""
        modality = self._params.get("modality", "both")
        if modality == "both":
            return ("eeg", "other") if self.is_network else ("eeg",)
        return (modality,)

    def input_problem(self, data: WindowData) -> str:
        """Why the model cannot run on ``data`` ("" if it can): a needed modality has no features."""
        empty = [m for m in self.required_modalities() if getattr(data, m).shape[1] == 0]
        if not empty:
            return ""
        return f"no {' or '.join(empty)} features in this feature file ({self.name} needs them)"

    def fit(self, train: WindowData, val: WindowData | None = None) -> EmotionModel:
        raise NotImplementedError

    def decision_function(self, data: WindowData) -> np.ndarray:
        """Return class scores, shape (n_windows, n_classes); argmax = prediction."""
        raise NotImplementedError

    def predict(self, data: WindowData) -> np.ndarray:
        """Return the predicted class index of every window, shape (n_windows,)."""
        return np.argmax(self.decision_function(data), axis=1).astype(np.int64)

    def score(self, data: WindowData) -> float:
        """Return the window accuracy on ``data``."""
        return float(np.mean(self.predict(data) == data.y))

    def split_figures(self, data: WindowData) -> dict[str, float]:
        """Model-specific figures of one split for the search CSV (column ``{split}_{key}``);
        none by default (DCCA: its held-out canonical correlation)."""
        return {}

    # ---- persistence -------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write the model to ``directory`` (created if needed).

        Files: ``hyperparameters.json`` (model name + hyper-parameters),
        ``state.json`` (n_classes, scaler statistics, history) and the model's own
        file(s) (``model.keras`` / ``svm_weights.npz`` and the other ``.npz`` / ``svc.pkl``).
        """
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        _write_json(
            directory / HYPERPARAMETER_FILE,
            {"model": self.name, "format_version": FORMAT_VERSION,
             "hyperparameters": self.get_params()},
        )
        _write_json(
            directory / STATE_FILE,
            {"n_classes": self.n_classes_,
             "scalers": {k: s.to_dict() for k, s in self.scalers_.items()},
             "history": self.history},
        )
        self._save_files(directory)
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> EmotionModel:
        """Load a model written by :meth:`save`."""
        directory = Path(directory)
        meta = json.loads((directory / HYPERPARAMETER_FILE).read_text())
        if meta["model"] != cls.name:
            raise ValueError(
                f"{directory} holds a {meta['model']!r} model, not {cls.name!r}; use "
                "multimodal_emotion.models.load_model to load any model."
            )
        model = cls(**meta["hyperparameters"])
        state = json.loads((directory / STATE_FILE).read_text())
        model.n_classes_ = state["n_classes"]
        model.scalers_ = {k: FeatureScaler.from_dict(d) for k, d in state["scalers"].items()}
        model.history = state["history"]
        model._load_files(directory)
        return model

    def _save_files(self, directory: Path) -> None:
        raise NotImplementedError

    def _load_files(self, directory: Path) -> None:
        raise NotImplementedError


def _write_json(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n")


# --------------------------------------------------------------------------------------
# Networks ending in a linear L2-SVM layer
# --------------------------------------------------------------------------------------
@dataclass
class _Batches:
    """Index batches over ``n`` training items, reshuffled every epoch (seeded)."""

    n: int
    batch_size: int | None
    rng: np.random.Generator = field(repr=False)

    def __len__(self) -> int:
        """Optimiser steps per epoch."""
        if self.batch_size is None or self.batch_size >= self.n:
            return 1
        return math.ceil(self.n / self.batch_size)

    def __iter__(self):
        if self.batch_size is None or self.batch_size >= self.n:
            yield np.arange(self.n)  # full batch: no shuffling needed
            return
        order = self.rng.permutation(self.n)
        for start in range(0, self.n, self.batch_size):
            yield order[start:start + self.batch_size]


class SVMNetwork(EmotionModel):
    """A Keras network whose last layer (named ``"svm"``) is a linear L2-SVM.

    Objective (summed over the N training windows; the one-vs-rest L2-SVM of Tang 2013):

    .. math:: J(W, b) = \\sum_{n=1}^{N} \\sum_{k} \\max(0, 1 - t_{nk}(w_k^\\top h_n + b_k))^2
              + \\lambda \\lVert W \\rVert_F^2

    with :math:`h_n` the features entering the SVM layer and :math:`\\lambda` the
    ``l2`` hyper-parameter. Only the kernel ``W`` is regularised, not the bias.
    Dividing by :math:`2\\lambda` gives, for every class ``k``, liblinear's primal
    ``-s 2`` problem with ``-B 1 -R`` (bias not regularised),
    :math:`\\frac12\\lVert w_k\\rVert^2 + C\\sum_n \\max(0, 1 - t_{nk}(w_k^\\top h_n + b_k))^2`,
    with :math:`C = 1/(2\\lambda)`, exactly the cost of Sec. 3.2. A mini-batch of
    :math:`B` windows uses ``(N / B) * batch_sum + lambda ||W||^2`` (exact for a full batch).

    Subclasses provide ``fit``, ``decision_function``, ``extract_features`` and
    ``_make_functions``.
    """

    is_network: ClassVar[bool] = True
    needs_tensorflow: ClassVar[bool] = True
    model_: Any = None  # the Keras classifier network

    # ---- the SVM layer -------------------------------------------------------------
    @property
    def svm_layer(self):
        self._check_fitted()
        return self.model_.get_layer("svm")

    def svm_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the SVM layer's kernel, shape (n_features, n_classes), and bias, (n_classes,)."""
        kernel, bias = self.svm_layer.get_weights()
        return kernel, bias

    def set_svm_weights(self, kernel: np.ndarray, bias: np.ndarray) -> None:
        """Overwrite the SVM layer's kernel (n_features, n_classes) and bias (n_classes,)."""
        old_k, old_b = self.svm_weights()
        if kernel.shape != old_k.shape or bias.shape != old_b.shape:
            raise ValueError(
                f"Expected kernel {old_k.shape} and bias {old_b.shape}, got "
                f"{kernel.shape} and {bias.shape}."
            )
        self.svm_layer.set_weights([kernel.astype(old_k.dtype), bias.astype(old_b.dtype)])

    def objective(self, data: WindowData, *, l2: float | None = None) -> float:
        """Return the network's objective J on ``data`` in inference mode.

        Same function as the training loss (:func:`squared_hinge_sum` plus
        ``l2 * ||W||^2``), evaluated on every window once, without dropout.
        ``l2`` defaults to the model's ``l2`` hyper-parameter.
        """
        import tensorflow as tf

        lam = self._params["l2"] if l2 is None else l2
        scores = tf.constant(self.decision_function(data), dtype=tf.float64)
        kernel = tf.constant(self.svm_weights()[0], dtype=tf.float64)
        data_term = squared_hinge_sum(
            tf.constant(data.y), scores, tf.ones(data.n_windows, tf.float64), self.n_classes_
        )
        return float(data_term + lam * tf.reduce_sum(tf.square(kernel)))

    def extract_features(self, data: WindowData) -> np.ndarray:
        """Return the features entering the SVM layer, shape (n_windows, n_features)."""
        raise NotImplementedError

    # ---- persistence ---------------------------------------------------------------
    def _save_files(self, directory: Path) -> None:
        self.model_.save(directory / "model.keras")

    def _load_files(self, directory: Path) -> None:
        import keras

        self.model_ = keras.models.load_model(directory / "model.keras", compile=False)
        self._make_functions()

    def _make_functions(self) -> None:
        """(Re)create the compiled inference functions after build or load."""
        raise NotImplementedError
