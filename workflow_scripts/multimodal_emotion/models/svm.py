"""The SVM baselines of Sec. 5, on concatenated (or single-modality) standardised features.

* :class:`LinearSVM`: the L2-SVM (liblinear ``-s 2``'s problem, solved to its minimum by
  :func:`~.refit.fit_certified_svm`), the "baseline method" of Sec. 5.
* :class:`FeatureFusionSVM`: "directly concatenated features as inputs and ... SVM
  with a radial basis function (RBF) kernel" (Fig. 3), scikit-learn ``SVC``.

The refit of Sec. 3.2 and the certified solver are in :mod:`~.refit`, liblinear's
helpers in :mod:`~.liblinear`.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Literal

import numpy as np

from .base import EmotionModel
from .checks import check_option, check_range
from .data import MODALITIES, WindowData
from .refit import fit_certified_svm
from .training import FeatureScaler, logger


# --------------------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------------------
class _SVMBaseline(EmotionModel):
    """Shared parts of the SVM baselines: modality choice and standardisation.

    ``seed``, ``max_epochs``, ``patience``, ``min_delta`` and ``batch_size`` are
    accepted so that every model takes the same keyword arguments; only ``seed`` is
    used (``FeatureFusionSVM``'s ``random_state``); liblinear is deterministic.
    ``history`` holds ``epochs = 0`` and the final training / validation accuracy.
    """

    def _standardised(self, data: WindowData) -> np.ndarray:
        return self.scalers_["features"].transform(data.features(self._params["modality"]))

    def _start_fit(self, train: WindowData) -> np.ndarray:
        self._set_n_classes(train)
        x = train.features(self._params["modality"])
        self.scalers_ = {"features": FeatureScaler("standard").fit(x)}
        return self._standardised(train)

    def _finish_fit(self, train: WindowData, val: WindowData | None) -> None:
        self.history = {
            "epochs": 0,
            "train_accuracy": self.score(train),
            "val_accuracy": None if val is None else self.score(val),
        }
        logger.info("%s fitted: train_acc %.4f%s", self.name, self.history["train_accuracy"],
                    "" if val is None else f" val_acc {self.history['val_accuracy']:.4f}")


class LinearSVM(_SVMBaseline):
    """Linear L2-SVM baseline on standardised features: liblinear ``-s 2 -B 1 -R``'s problem,
    solved to its minimum by :func:`fit_certified_svm` (liblinear the warm start).

    Parameters
    ----------
    C : float
        liblinear cost.
    modality : {"both", "eeg", "other"}
        Concatenated EEG + other features, or one modality alone.
    eps : float
        liblinear's stopping tolerance ``-e`` for the warm start (the result does not
        depend on it).
    n_classes, n_eeg_features : int | None
        As for every model (:class:`~.base.EmotionModel`).
    seed, max_epochs, patience, min_delta, batch_size :
        Accepted for a uniform interface; unused (see :class:`_SVMBaseline`).
    """

    name = "linear_svm"
    default_space = {"C": {"log10": [-4, 0]}}

    _weights = None

    def __init__(
        self,
        *,
        C: float = 1.0,
        modality: Literal["both", "eeg", "other"] = "both",
        eps: float = 0.01,
        n_classes: int | None = None,
        n_eeg_features: int | None = None,
        seed: int = 0,
        max_epochs: int = 1000,
        patience: int = 120,
        min_delta: float = 0.001,
        batch_size: int | None = None,
    ) -> None:
        self._store_params(locals())

    def _check_params(self) -> None:
        super()._check_params()
        p = self._params
        check_range("C", p["C"], low=0.0, low_open=True)
        check_range("eps", p["eps"], low=0.0, low_open=True)
        check_option("modality", p["modality"], MODALITIES)

    def _fit(self, train: WindowData, val: WindowData | None = None) -> LinearSVM:
        """Fit on ``train``; ``val`` is only scored (no early stopping)."""
        x = self._start_fit(train)
        solved = fit_certified_svm(x, train.y, C=self._params["C"], eps=self._params["eps"], name=self.name)
        self._weights = (solved.kernel, solved.bias)
        self._finish_fit(train, val)
        self.history["svm_certificate"] = solved.certificate
        return self

    def _decision_function(self, data: WindowData) -> np.ndarray:
        """Return one-vs-rest scores, shape (n_windows, n_classes)."""
        self._check_fitted()
        kernel, bias = self._weights
        return self._standardised(data).astype(np.float64) @ kernel + bias

    def _save_files(self, directory: Path) -> None:
        np.savez(directory / "svm_weights.npz", kernel=self._weights[0], bias=self._weights[1])

    def _load_files(self, directory: Path) -> None:
        with np.load(directory / "svm_weights.npz") as saved:
            self._weights = (saved["kernel"], saved["bias"])


class FeatureFusionSVM(_SVMBaseline):
    """"Feature Fusion" baseline (Fig. 3): RBF-kernel SVM on concatenated standardised features.

    Parameters
    ----------
    C : float
        SVC cost.
    gamma : float | {"scale", "auto"}
        RBF kernel width, as in :class:`sklearn.svm.SVC`.
    modality : {"both", "eeg", "other"}
        "both" is the paper's feature fusion; the others give single-modality RBF SVMs.
    n_classes, n_eeg_features : int | None
        As for every model (:class:`~.base.EmotionModel`).
    seed : int
        ``random_state`` of the SVC.
    max_epochs, patience, min_delta, batch_size :
        Accepted for a uniform interface; unused.
    """

    name = "feature_fusion"
    default_space = {"C": {"log10": [-1, 2]}, "gamma": {"log10": [-4, -2]}}

    svc_ = None

    def __init__(
        self,
        *,
        C: float = 1.0,
        gamma: float | Literal["scale", "auto"] = "scale",
        modality: Literal["both", "eeg", "other"] = "both",
        n_classes: int | None = None,
        n_eeg_features: int | None = None,
        seed: int = 0,
        max_epochs: int = 1000,
        patience: int = 120,
        min_delta: float = 0.001,
        batch_size: int | None = None,
    ) -> None:
        self._store_params(locals())

    def _check_params(self) -> None:
        super()._check_params()
        p = self._params
        check_range("C", p["C"], low=0.0, low_open=True)
        if isinstance(p["gamma"], str):
            check_option("gamma", p["gamma"], ("scale", "auto"))
        else:
            check_range("gamma", p["gamma"], low=0.0, low_open=True)
        check_option("modality", p["modality"], MODALITIES)

    def _fit(self, train: WindowData, val: WindowData | None = None) -> FeatureFusionSVM:
        """Fit on ``train``; ``val`` is only scored (no early stopping)."""
        from sklearn.svm import SVC

        x = self._start_fit(train)
        p = self._params
        self.svc_ = SVC(kernel="rbf", C=p["C"], gamma=p["gamma"],
                        decision_function_shape="ovr", random_state=p["seed"])
        self.svc_.fit(x, train.y)
        self._finish_fit(train, val)
        return self

    def _decision_function(self, data: WindowData) -> np.ndarray:
        """Return scores, shape (n_windows, n_classes) (binary: ``[-d, d]``)."""
        self._check_fitted()
        d = self.svc_.decision_function(self._standardised(data))
        scores = np.column_stack([-d, d]) if d.ndim == 1 else d
        out = np.full((len(scores), self.n_classes_), -np.inf)
        out[:, self.svc_.classes_] = scores  # classes absent from train never win
        return out

    def _save_files(self, directory: Path) -> None:
        with open(directory / "svc.pkl", "wb") as f:
            pickle.dump(self.svc_, f)

    def _load_files(self, directory: Path) -> None:
        with open(directory / "svc.pkl", "rb") as f:
            self.svc_ = pickle.load(f)
