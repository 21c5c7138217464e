"""Training utilities shared by the models: scaling, seeding, mini-batches, early stopping, traced steps.

TensorFlow and Keras are imported inside the functions that need them, so the NumPy
models and the SVM baselines (and the Snakemake DAG) do not pay for importing them.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..pause_points import pause_point
from .checks import check_option

logger = logging.getLogger("multimodal_emotion.models")


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
        # hand-written mean/std/min/max (docs/interpretations.md). Why not their transform:
        # MinMaxScaler computes x * scale_ + min_ (other rounding than (x - min) / range) and
        # StandardScaler sets scale 1 for near-constant features by a relative-variance test,
        # not only for constant ones; either would change the scaled features, hence the tables.
        from sklearn.preprocessing import MinMaxScaler, StandardScaler

        check_option("kind", self.kind, ("standard", "minmax"))
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
    """Fix the randomness of one training run: Python ``random``, NumPy, Keras; TF op determinism.

    Does what ``keras.utils.set_random_seed`` does except ``tf.random.set_seed``: seeds
    Python ``random`` and NumPy's global state, records ``seed`` as Keras' global random
    seed and drops Keras' global ``SeedGenerator`` (it is recreated from Python ``random``).
    If ``deterministic_ops``, calls ``tf.config.experimental.enable_op_determinism()``:
    process-wide, it cannot be switched off again, and it only sets a flag (calling it
    again clears no cache); on CPU it costs little.

    TensorFlow's global seed is deliberately not set. Nothing the networks compute draws
    from it: Keras 3's random ops are stateless (``tf.random.stateless_*``), its unseeded
    initializers and Dropout layers take their seeds from Python ``random``
    (``SeedGenerator``'s ``make_default_seed``), our own TensorFlow code passes explicit
    seeds (``stateless_dropout`` in the grouped LSTM), mini-batch orders come from NumPy
    Generators, and nothing uses ``tf.data`` or ``Model.fit``. Setting it would cost time
    and guard nothing: ``tf.random.set_seed`` clears the eager context's caches, so each
    ``tf.function`` traced before (the steps DCCA, BDDAE and the grouped LSTM reuse across
    a job's folds) is re-instantiated on its next call, 0.1-0.2 s per fit. Left unset,
    with op determinism on, a stateful TF random op without an explicit seed raises
    ("Random ops require a seed to be set when determinism is enabled") instead of
    drawing from a global seed whose op counter depends on the fits that ran before (if
    nothing else in the process set the global seed). So the same seed gives the same
    model, byte for byte, whatever ran before it in the process (tests/test_seeding.py),
    on the same machine and library versions.
    """
    import tensorflow as tf
    from keras.src.backend.common import global_state  # what keras.utils.set_random_seed sets (keras pinned)
    from keras.src.random.seed_generator import GLOBAL_SEED_GENERATOR
    from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED

    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)
    if deterministic_ops:
        try:
            tf.config.experimental.enable_op_determinism()
        except Exception as err:  # pragma: no cover - depends on the TF build
            logger.warning("Could not enable TF op determinism: %s", err)


# --------------------------------------------------------------------------------------
# Mini-batches
# --------------------------------------------------------------------------------------
def minibatches(n: int, batch_size: int | None, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled index batches covering ``range(n)`` once; one ordered batch if ``batch_size`` is None or >= n.

    Called once per epoch (each call draws one permutation from ``rng``)."""
    if batch_size is None or batch_size >= n:
        return [np.arange(n)]  # full batch: no shuffling needed
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def n_minibatches(n: int, batch_size: int | None) -> int:
    """Optimiser steps per epoch of :func:`minibatches` (no random draw)."""
    if batch_size is None or batch_size >= n:
        return 1
    return math.ceil(n / batch_size)


# --------------------------------------------------------------------------------------
# Early stopping (Sec. 4.3)
# --------------------------------------------------------------------------------------
@dataclass
class EarlyStopping:
    """Stop when the monitored accuracy has not improved by ``min_delta`` in ``patience`` epochs.

    Sec. 4.3: "EarlyStopping was also adopted to stop training when the accuracy had
    not increased 0.1% in the last 120 epochs", i.e. ``min_delta=0.001`` (0.1
    percentage points of accuracy as a fraction) and ``patience=120``.

    An epoch counts as an improvement when ``score - min_delta > best`` (compared in
    float32, as Keras does); its weights are
    the ones restored at the end. Smaller gains neither reset the patience nor replace
    the restored weights. This is ``keras.callbacks.EarlyStopping``'s rule (mode "max",
    ``restore_best_weights=True``), written as Keras writes it so that the float rounding
    agrees too: the Keras models use Keras' callback itself (:class:`KerasEarlyStopping`);
    this copy serves the NumPy models, which must not import TensorFlow, and the grouped
    LSTM, whose best weights stay inside its graph (tests/test_models.py checks the two
    decide alike).
    """

    patience: int = 120
    min_delta: float = 0.001
    best: float = -math.inf
    best_epoch: int = 0
    best_weights: Any = None
    wait: int = 0

    def update(self, epoch: int, score: float, get_weights: Callable[[], Any]) -> bool:
        """Record ``score`` of ``epoch`` (1-based); return True when training should stop."""
        # Keras: ops.greater(score - min_delta, best), which compares in float32 (floatx)
        if np.float32(score - self.min_delta) > np.float32(self.best):
            self.best, self.best_epoch, self.wait = score, epoch, 0
            self.best_weights = get_weights()
            return False
        self.wait += 1
        return self.wait >= self.patience

    def restore(self, set_weights: Callable[[Any], None]) -> bool:
        """Set the best epoch's weights (if an epoch ran); return whether it did."""
        if self.best_weights is None:
            return False
        set_weights(self.best_weights)
        return True


class _WeightsHandle:
    """What ``keras.callbacks.EarlyStopping`` uses of a model: its weights and ``stop_training``
    (our loops train custom steps, and BDDAE's restored weights are two networks' own)."""

    def __init__(self, get_weights: Callable[[], Any], set_weights: Callable[[Any], None]):
        self.get_weights, self.set_weights = get_weights, set_weights
        self.stop_training = False


class KerasEarlyStopping:
    """``keras.callbacks.EarlyStopping`` (mode "max", ``restore_best_weights=True``) driven by a
    custom training loop, with :class:`EarlyStopping`'s interface (epochs 1-based)."""

    def __init__(self, *, patience: int, min_delta: float, get_weights: Callable[[], Any],
                 set_weights: Callable[[Any], None]):
        import keras

        self._model = _WeightsHandle(get_weights, set_weights)
        self._callback = keras.callbacks.EarlyStopping(monitor="monitored", mode="max", patience=patience,
                                                       min_delta=min_delta, restore_best_weights=True)
        self._callback.set_model(self._model)
        self._callback.on_train_begin()

    def update(self, epoch: int, score: float, get_weights: Callable[[], Any] | None = None) -> bool:
        """Record ``score`` of ``epoch`` (1-based); return True when training should stop."""
        self._callback.on_epoch_end(epoch - 1, {"monitored": float(score)})
        return self._model.stop_training

    @property
    def best(self) -> float:
        return -math.inf if self._callback.best is None else float(self._callback.best)

    @property
    def best_epoch(self) -> int:
        return 0 if self._callback.best is None else self._callback.best_epoch + 1

    @property
    def best_weights(self) -> Any:
        return self._callback.best_weights

    def restore(self, set_weights: Callable[[Any], None] | None = None) -> bool:
        """Keras' restore at the end of training (the best epoch's weights); return whether it did."""
        restored = self._callback.best_weights is not None
        self._callback.on_train_end()
        return restored


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
    keras_model: bool = False,
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
    keras_model : bool
        The weights are a Keras model's: stop and restore with ``keras.callbacks.EarlyStopping``
        (:class:`KerasEarlyStopping`); else :class:`EarlyStopping` (same rule, no TensorFlow).

    Returns
    -------
    history : dict
        ``epochs`` (run), ``best_epoch`` (restored), ``best_monitored_accuracy``,
        ``monitor``, ``stopped_early``, ``steps_per_epoch``, ``optimizer_steps`` (run),
        ``restored_steps`` (steps up to the restored epoch), and per-epoch lists
        ``loss``, ``train_accuracy``, ``monitored_accuracy``.
    """
    stopper = (KerasEarlyStopping(patience=patience, min_delta=min_delta, get_weights=get_weights,
                                  set_weights=set_weights) if keras_model
               else EarlyStopping(patience=patience, min_delta=min_delta))
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
    if stopper.restore(set_weights):
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


