"""The model interface: :class:`EmotionModel` (every model) and :class:`SVMNetwork` (the networks).

Every model of :mod:`multimodal_emotion.models` follows one interface::

    model = build_model("bimodal_lstm", seed=1, max_epochs=500)
    model.fit(train, val)            # val monitors early stopping; None -> train
    labels = model.predict(test)     # (n_windows,) class indices
    model.save("results/model")      # .npz / .pkl file + JSON
    model = load_model("results/model")

The two networks (Bimodal-LSTM and BDDAE) end in the same linear L2-SVM layer
(:class:`SVMNetwork`), so :func:`~multimodal_emotion.models.refit.refit_last_layer`
works on both. The input (:class:`~.data.WindowData`) lives in :mod:`~.data`, the
training utilities (scaling, seeding, mini-batches, early stopping, traced steps) in
:mod:`~.training`.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError

from .checks import check_range
from .data import WindowData
from .files import HYPERPARAMETER_FILE, STATE_FILE
from .training import FeatureScaler, keras_input_specs, phase, run_epochs, traced

#: 2: a Keras network is saved as its weights (NETWORK_WEIGHTS_FILE), no longer as ``model.keras``.
FORMAT_VERSION = 2


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
class EmotionModel(ClassifierMixin, BaseEstimator):
    """Interface shared by all models: a scikit-learn classifier that also takes the workflow's splits.

    Every model follows the scikit-learn estimator contract: ``__init__`` only stores the
    hyper-parameters (``get_params`` / ``set_params`` / ``clone`` work), they are checked
    in :meth:`fit`, and the fitted state ends in ``_``. Data reach it in one of two forms:

    * **Arrays** (scikit-learn, notebooks): ``fit(X, y, groups=trials)``. ``X`` has one
      row per window, shape (n_windows, n_features): the EEG features first, then the
      other modality's (eye movements / peripheral signals); the hyper-parameter
      ``n_eeg_features`` says where the EEG columns end (None: every column is EEG, no
      other modality). ``groups`` gives each window's trial (clip) id; a sequence model
      (Bimodal-LSTM) cuts sequences inside a trial only, in row order, so pass
      ``groups`` to ``predict`` / ``decision_function`` / ``score`` too; None makes every
      window its own trial. Labels can be any values (``classes_``). ``validation=(X_val,
      y_val[, groups_val])`` is the split that drives early stopping (None: the training
      split).
    * **WindowData** (the workflow): ``fit(train, val=None)`` with
      :class:`~.data.WindowData` splits; labels are class indices, ``predict`` returns
      them and ``decision_function`` is (n_windows, n_classes) even for two classes.

    Every model also takes ``n_classes`` (None infers ``max(train.y) + 1``) and
    ``n_eeg_features`` (array input only, above).

    Subclasses define ``name``, a keyword-only ``__init__`` that stores its arguments
    (:meth:`_store_params`), :meth:`_check_params`, ``_fit(train, val)``,
    ``_decision_function(data)`` and ``_save_files`` / ``_load_files``.

    Attributes
    ----------
    classes_ : ndarray
        The labels, set by :meth:`fit` (``0 .. n_classes - 1`` for WindowData).
    n_classes_ : int
        Number of classes, set by :meth:`fit`.
    history : dict
        Epochs run and per-epoch loss / training / monitored accuracy (see
        :func:`~.training.run_epochs`); for the SVM baselines only ``epochs = 0``.
        Stored as ``history_`` (fitted state).
    """

    name: ClassVar[str] = ""
    #: The search space a dataset gets when the config gives the model none for it
    #: (``models.<m>.space.<dataset>``): entries as in ``config.yaml`` (log10/uniform/int/choice/value).
    default_space: ClassVar[dict] = {}
    #: A network ends in the linear SVM layer that Sec. 3.2 refits (:class:`SVMNetwork`).
    is_network: ClassVar[bool] = False
    #: Building or loading the model imports TensorFlow (jobs then limit its threads).
    needs_tensorflow: ClassVar[bool] = False

    # Fitted state before fit (class defaults: __init__ stores the hyper-parameters only).
    n_classes_: int | None = None
    scalers_: dict[str, FeatureScaler] = {}
    history_: dict = {}

    def __init__(self) -> None:  # pragma: no cover - subclasses override
        raise NotImplementedError

    # ---- hyper-parameters --------------------------------------------------------
    def _store_params(self, params: dict) -> None:
        """Store ``__init__``'s arguments (its ``locals()``) unchanged, as scikit-learn requires."""
        for key, value in params.items():
            if key not in ("self", "__class__"):
                setattr(self, key, value)

    @property
    def _params(self) -> dict:
        """The hyper-parameters as the model uses them, in ``__init__``'s order: NumPy scalars
        (e.g. from a random search) as Python numbers (JSON-safe), see :meth:`_normalised`."""
        names = [n for n in inspect.signature(type(self).__init__).parameters if n != "self"]
        return self._normalised({k: (v.item() if isinstance(v, np.generic) else v)
                                 for k, v in ((n, getattr(self, n)) for n in names)})

    def _normalised(self, params: dict) -> dict:
        """Hook: canonical forms of hyper-parameters (e.g. a layer size list)."""
        return params

    def _check_params(self) -> None:
        """Raise TypeError / ValueError for a bad hyper-parameter (called by :meth:`fit`)."""
        p = self._params
        for key in ("max_epochs", "patience"):
            check_range(key, p[key], low=0, kind=int)
        check_range("seed", p["seed"], low=0, kind=int)
        check_range("min_delta", p["min_delta"], low=0)
        if p["batch_size"] is not None:
            check_range("batch_size", p["batch_size"], low=1, kind=int)
        if p["n_eeg_features"] is not None:
            check_range("n_eeg_features", p["n_eeg_features"], low=0, kind=int)

    @property
    def hyperparameters(self) -> dict:
        """The hyper-parameters as a JSON-serialisable dict (what :meth:`save` writes)."""
        return self._params

    @property
    def history(self) -> dict:
        return self.history_

    @history.setter
    def history(self, value: dict) -> None:
        self.history_ = value

    # ---- common helpers ----------------------------------------------------------
    def _set_n_classes(self, train: WindowData) -> None:
        n_classes = self._params.get("n_classes") or int(train.y.max()) + 1
        if n_classes < 2:
            raise ValueError(f"Need at least 2 classes, got {n_classes} class (n_classes={n_classes}).")
        if train.y.max() >= n_classes:
            raise ValueError(f"Labels must be < n_classes={n_classes}, got {train.y.max()}.")
        self.n_classes_ = n_classes

    def _input_sizes(self) -> tuple[int, int]:
        """EEG and other-modality feature counts of the fitted scalers."""
        return len(self.scalers_["eeg"].offset), len(self.scalers_["other"].offset)

    def _fit_bimodal_scalers(self, train: WindowData) -> None:
        """Standardising scalers of both modalities, fitted on ``train`` (the models that
        fuse EEG with the other modality and cannot run without either)."""
        if min(train.eeg.shape[1], train.other.shape[1]) == 0:
            raise ValueError(f"{type(self).__name__} needs features of both modalities (EEG and other).")
        self.scalers_ = {key: FeatureScaler("standard").fit(getattr(train, key)) for key in ("eeg", "other")}

    # ---- pickling (scikit-learn's clone-free copies, joblib) --------------------------
    def __getstate__(self) -> dict:
        # traced TF functions do not pickle (__setstate__ traces them again); optimisers and the
        # network graph shared between fits (models/reuse.py) are training state
        return {k: v for k, v in super().__getstate__().items()
                if not k.endswith(("_fn", "optimizer_")) and k != "_network_graph"}

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if getattr(self, "model_", None) is not None and hasattr(self, "_make_functions"):
            self._make_functions()

    def __sklearn_is_fitted__(self) -> bool:
        return self.n_classes_ is not None

    def _check_fitted(self) -> None:
        if self.n_classes_ is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit() first.")
        if getattr(self, "_network_taken", False):
            raise RuntimeError(f"{type(self).__name__}'s network was re-initialised by a later fit inside "
                               "reusing_networks(); save or use each model before fitting the next.")

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

    def fit(self, X, y=None, *, groups=None, validation=None, **fit_params) -> EmotionModel:
        """Fit the model.

        Parameters
        ----------
        X : array-like, shape (n_windows, n_features) | WindowData
            Window features, EEG columns first (``n_eeg_features``); or the workflow's
            training split.
        y : array-like, shape (n_windows,) | WindowData | None
            Labels; with a WindowData ``X``: the monitored split (``val``) or None.
        groups : array-like, shape (n_windows,) | None
            Trial (clip) id of every window (arrays only); None: every window its own trial.
        validation : tuple | None
            ``(X_val, y_val)`` or ``(X_val, y_val, groups_val)``: the split whose accuracy
            drives early stopping (arrays only); None monitors the training split. Never
            pass the test split.
        **fit_params :
            Model-specific (the BDAE's ``unlabelled`` windows).

        Returns
        -------
        self
        """
        accepted = inspect.signature(self._fit).parameters
        for key in fit_params:
            if key not in accepted or key in ("train", "val"):
                raise TypeError(f"{type(self).__name__}.fit() got an unexpected keyword argument {key!r}.")
        self._check_params()
        if isinstance(X, WindowData):
            if y is not None and not isinstance(y, WindowData):
                raise TypeError(f"With a WindowData X, y is the monitored WindowData split or None, got {type(y)}.")
            self._fit(X, y, **fit_params)
            self.classes_ = np.arange(self.n_classes_)
            return self
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import validate_data

        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        check_classification_targets(y)
        if self._params.get("n_classes"):  # labels are class indices 0 .. n_classes - 1
            classes = np.arange(self._params["n_classes"])
        else:
            classes = np.unique(y)
        train, _ = self._windows(X, groups, labels=self._encode(y, classes))
        val = None
        if validation is not None:
            X_val, y_val, *rest = validation
            X_val = validate_data(self, X_val, reset=False, dtype=(np.float64, np.float32))
            val, _ = self._windows(X_val, rest[0] if rest else None, labels=self._encode(np.asarray(y_val), classes))
        fit_params = {k: self._windows(validate_data(self, v, reset=False, dtype=(np.float64, np.float32)), None)[0]
                      if v is not None and not isinstance(v, WindowData) else v for k, v in fit_params.items()}
        self._fit(train, val, **fit_params)
        self.classes_ = classes
        return self

    @staticmethod
    def _encode(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
        index = np.searchsorted(classes, y)
        if ((index >= len(classes)) | (classes[np.minimum(index, len(classes) - 1)] != y)).any():
            raise ValueError(f"y holds labels outside the classes {classes.tolist()}.")
        return index.astype(np.int64)

    def _windows(self, X: np.ndarray, groups, *, labels: np.ndarray | None = None) -> tuple[WindowData, np.ndarray]:
        """WindowData of validated rows ``X`` (columns split at ``n_eeg_features``) and the row
        order that makes each trial of ``groups`` contiguous (stable: time order kept)."""
        n, n_features = X.shape
        n_eeg = n_features if self._params["n_eeg_features"] is None else self._params["n_eeg_features"]
        if n_eeg > n_features:
            raise ValueError(f"X has {n_features} feature(s), fewer than n_eeg_features={n_eeg}.")
        if groups is None:
            segment = np.arange(n)
        else:
            groups = np.asarray(groups)
            if groups.shape != (n,):
                raise ValueError(f"groups must have shape ({n},), got {groups.shape}.")
            _, first, codes = np.unique(groups, return_index=True, return_inverse=True)
            segment = np.argsort(np.argsort(first))[codes]  # trials numbered in order of appearance
        order = np.argsort(segment, kind="stable")
        y = np.zeros(n, np.int64) if labels is None else labels
        data = WindowData(eeg=X[order, :n_eeg], other=X[order, n_eeg:], y=y[order], segment=segment[order])
        problem = self.input_problem(data)
        if problem:
            raise ValueError(f"X has {n_features} feature(s), n_eeg_features={n_eeg}: {problem}.")
        return data, order

    def _scores(self, X, groups) -> np.ndarray:
        """Scores (n_windows, n_classes) of array rows ``X`` in their own order."""
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        data, order = self._windows(X, groups)
        scores = np.empty((len(order), self.n_classes_))
        scores[order] = self._decision_function(data)
        return scores

    def decision_function(self, X, *, groups=None) -> np.ndarray:
        """Return class scores; argmax = prediction.

        Arrays: shape (n_windows, n_classes), or (n_windows,) for two classes (positive:
        ``classes_[1]``), as scikit-learn. WindowData: always (n_windows, n_classes).
        """
        if isinstance(X, WindowData):
            self._check_fitted()
            return self._decision_function(X)
        scores = self._scores(X, groups)
        return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores

    def predict(self, X, *, groups=None) -> np.ndarray:
        """Return the predicted label of every window (WindowData: the class index, int64)."""
        if isinstance(X, WindowData):
            return np.argmax(self.decision_function(X), axis=1).astype(np.int64)
        scores = self._scores(X, groups)
        return self.classes_[np.argmax(scores, axis=1)]

    def score(self, X, y=None, sample_weight=None, *, groups=None) -> float:
        """Return the window accuracy (WindowData: on its own labels)."""
        if isinstance(X, WindowData):
            return float(np.mean(self.predict(X) == X.y))
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X, groups=groups), sample_weight=sample_weight))

    def _fit(self, train: WindowData, val: WindowData | None = None) -> EmotionModel:
        raise NotImplementedError

    def _decision_function(self, data: WindowData) -> np.ndarray:
        """Class scores of ``data``, shape (n_windows, n_classes)."""
        raise NotImplementedError

    def split_figures(self, data: WindowData) -> dict[str, float]:
        """Model-specific figures of one split for the search CSV (column ``{split}_{key}``);
        none by default (DCCA: its held-out canonical correlation)."""
        return {}

    # ---- persistence -------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write the model to ``directory`` (created if needed).

        Files: ``hyperparameters.json`` (model name + hyper-parameters),
        ``state.json`` (n_classes, scaler statistics, history) and the model's own
        file(s) (:data:`NETWORK_WEIGHTS_FILE` / ``svm_weights.npz`` and the other ``.npz`` / ``svc.pkl``).
        """
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        _write_json(
            directory / HYPERPARAMETER_FILE,
            {"model": self.name, "format_version": FORMAT_VERSION,
             "hyperparameters": self.hyperparameters},
        )
        state = {"n_classes": self.n_classes_,
                 "scalers": {k: s.to_dict() for k, s in self.scalers_.items()},
                 "history": self.history}
        # a model fitted on arrays also keeps its labels and width (the workflow's files stay as they were)
        classes = getattr(self, "classes_", None)
        if classes is not None and not np.array_equal(classes, np.arange(self.n_classes_)):
            state["classes"] = classes.tolist()
        if hasattr(self, "n_features_in_"):
            state["n_features_in"] = int(self.n_features_in_)
        _write_json(directory / STATE_FILE, state)
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
        model.classes_ = np.asarray(state["classes"]) if "classes" in state else np.arange(model.n_classes_)
        if "n_features_in" in state:
            model.n_features_in_ = state["n_features_in"]
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

    Subclasses provide ``_fit``, ``_decision_function``, ``extract_features`` and
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
        save_network(self.model_, directory)

    def _load_files(self, directory: Path) -> None:
        self.model_ = load_network(directory, self._build_network)
        self._make_functions()

    def _build_network(self):
        """Build the (untrained) Keras network of the fitted sizes, for :func:`load_network`."""
        raise NotImplementedError

    def _make_functions(self) -> None:
        """(Re)create the compiled inference functions after build or load."""
        raise NotImplementedError

    # ---- shared by the subclasses' training and inference ----------------------------
    def _train_epochs(self, *, train_epoch, monitor, val: WindowData | None, steps_per_epoch: int) -> dict:
        """Early-stopped epochs of ``model_`` (best epoch's weights restored), timed as training steps."""
        p, model = self._params, self.model_
        with phase("training_steps"):
            return run_epochs(
                train_epoch=train_epoch, monitor=monitor,
                get_weights=model.get_weights, set_weights=model.set_weights,
                max_epochs=p["max_epochs"], patience=p["patience"], min_delta=p["min_delta"],
                monitor_name="train" if val is None else "val", model_name=self.name, keras_model=True,
                steps_per_epoch=steps_per_epoch,
            )

    def _trace_inference(self, feature_layer: str, free_axes: tuple[int, ...] = (0,)) -> None:
        """Set ``_predict_fn`` (SVM scores) and ``_feature_fn`` (``feature_layer``'s output), traced once."""
        import keras

        model = self.model_
        features = keras.Model(model.inputs, model.get_layer(feature_layer).output)
        specs = keras_input_specs(model, free_axes=free_axes)
        self._predict_fn = traced(lambda e, o: model([e, o], training=False), *specs, now=False)
        self._feature_fn = traced(lambda e, o: features([e, o], training=False), *specs, now=False)


#: A Keras network's weights (``np.savez`` of ``get_weights()``, in order), beside the JSON files.
NETWORK_WEIGHTS_FILE = "network_weights.npz"


def save_network(model, directory: Path) -> None:
    """Save a Keras network's weights only: the architecture follows from the hyper-parameters
    and fitted sizes (a ``.keras`` archive costs tens of ms per fold, the weights about 1 ms)."""
    np.savez(directory / NETWORK_WEIGHTS_FILE, *model.get_weights())


def load_network(directory: Path, build):
    """The network :func:`save_network` saved, rebuilt by ``build()`` (a ``model.keras``
    of format version 1 is loaded as it is)."""
    if (directory / "model.keras").exists() and not (directory / NETWORK_WEIGHTS_FILE).exists():
        import keras

        return keras.models.load_model(directory / "model.keras", compile=False)
    model = build()
    with np.load(directory / NETWORK_WEIGHTS_FILE) as saved:
        model.set_weights([saved[f"arr_{i}"] for i in range(len(saved.files))])
    return model


def svm_layer(n_classes: int, kernel_initializer):
    """The linear SVM layer ``svm`` of the networks: scores ``w_k^T h + b_k``, zero bias at start."""
    from keras import layers

    return layers.Dense(n_classes, kernel_initializer=kernel_initializer, bias_initializer="zeros", name="svm")
