"""The model interface: :class:`EmotionModel` (every model) and :class:`SVMNetwork` (the networks).

Every model of :mod:`multimodal_emotion.models` follows one interface::

    model = build_model("bimodal_lstm", seed=1, max_epochs=500)
    model.fit(train, val)            # val monitors early stopping; None -> train
    labels = model.predict(test)     # (n_windows,) class indices
    model.save("results/model")      # .keras / .npz / .pkl file + JSON
    model = load_model("results/model")

The two networks (Bimodal-LSTM and BDDAE) end in the same linear L2-SVM layer
(:class:`SVMNetwork`), so :func:`~multimodal_emotion.models.refit.refit_last_layer`
works on both. The input (:class:`~.data.WindowData`) lives in :mod:`~.data`, the
training utilities (scaling, seeding, mini-batches, early stopping, traced steps) in
:mod:`~.training`; the names the workflow imports from here are re-exported below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .checks import check_range
from .data import WindowData
from .training import FeatureScaler
# experiments.py and tests/test_experiments.py import these from here (their home is .training)
from .training import PHASE_SECONDS, phase, traced  # noqa: F401

FORMAT_VERSION = 1
HYPERPARAMETER_FILE = "hyperparameters.json"
STATE_FILE = "state.json"


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
            check_range(key, self._params[key], low=0, kind=int)
        check_range("seed", self._params["seed"], low=0, kind=int)
        check_range("min_delta", self._params["min_delta"], low=0)
        if self._params["batch_size"] is not None:
            check_range("batch_size", self._params["batch_size"], low=1, kind=int)
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
