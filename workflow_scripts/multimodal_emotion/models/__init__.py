"""Models of Tang et al. (2017) and the baselines they are compared with.

=====================  ===========================================================
name                   class
=====================  ===========================================================
``bimodal_lstm``       :class:`~.bimodal_lstm.BimodalLSTM` (Sec. 3)
``bddae``              :class:`~.bddae.BDDAE` (Sec. 2)
``dcca``               :class:`~.dcca.DCCA` (Liu et al. 2021, the lab's successor)
``linear_svm``         :class:`~.svm.LinearSVM` (certified L2-SVM; ``modality``)
``feature_fusion``     :class:`~.svm.FeatureFusionSVM` (RBF SVC, Fig. 3)
``bdae``               :class:`~.bdae.BDAE` (after Liu et al. 2016, ref. [6]; NumPy; ``setup``)
``mesae``              :class:`~.mesae.MESAE` (Yin et al. 2017, ref. [15]; NumPy)
``subnetwork_nodes``   :class:`~.subnetwork_nodes.SubnetworkNodes` (Yang 2017, [14]; EEG)
``clip_duration``      :class:`~.clip_duration.ClipDuration` (trial duration only: the clip-identity leak)
=====================  ===========================================================

:data:`MODELS` is the registry: each class declares ``is_network`` (it ends in the
refittable SVM layer; DCCA is not: its classifier is a linear SVM fitted once) and
``needs_tensorflow``; rules, experiments and the config
schema read it (adding a model = one module + one entry here + one config entry).

All are scikit-learn classifiers sharing :class:`~.base.EmotionModel`'s interface:
``fit(X, y, groups=...)`` on arrays (docs/using-a-model.md) or ``fit(train, val=None)`` on
the workflow's :class:`~.data.WindowData` splits, ``predict``, ``decision_function``,
``score``, ``save``, ``load``, ``history``. :func:`~.refit.refit_last_layer` is the SVM
refit of Sec. 3.2 for the two networks. Modules besides the models: :mod:`~.base` (the
interface), :mod:`~.data` (WindowData), :mod:`~.training` (scaling, seeding,
mini-batches, early stopping, traced steps), :mod:`~.checks`, :mod:`~.liblinear`,
:mod:`~.refit`, :mod:`~.finite_newton`, :mod:`~.numpy_nets`, :mod:`~.grouped_lstm`.
TensorFlow is imported only when a network is built or loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

from .base import HYPERPARAMETER_FILE, EmotionModel
from .checks import check_option as _check_option
from .data import WindowData
from .bdae import BDAE
from .bddae import BDDAE
from .bimodal_lstm import BimodalLSTM
from .clip_duration import ClipDuration
from .dcca import DCCA
from .mesae import MESAE
from .subnetwork_nodes import SubnetworkNodes
from .refit import RefitReport, refit_last_layer
from .svm import FeatureFusionSVM, LinearSVM

MODELS: dict[str, type[EmotionModel]] = {
    cls.name: cls for cls in (BimodalLSTM, BDDAE, LinearSVM, FeatureFusionSVM, DCCA, BDAE, MESAE, SubnetworkNodes,
                                 ClipDuration)
}


def is_network(name: str) -> bool:
    """True for a model class ending in the SVM layer that Sec. 3.2 refits."""
    _check_option("model class", name, tuple(MODELS))
    return MODELS[name].is_network


def needs_tensorflow(name: str) -> bool:
    """True if building or loading model class ``name`` imports TensorFlow."""
    _check_option("model class", name, tuple(MODELS))
    return MODELS[name].needs_tensorflow


def trains_grouped(name: str) -> bool:
    """True if several configurations of model class ``name`` train together in one graph
    (``search.group_size``; the class says so with ``trains_grouped = True``)."""
    _check_option("model class", name, tuple(MODELS))
    return getattr(MODELS[name], "trains_grouped", False)


def default_space(name: str) -> dict:
    """The search space of model class ``name`` for a dataset the config gives none."""
    _check_option("model class", name, tuple(MODELS))
    return dict(MODELS[name].default_space)


def build_model(name: str, **hyperparams) -> EmotionModel:
    """Return an unfitted model ``name`` (a key of :data:`MODELS`) with ``hyperparams``."""
    _check_option("name", name, tuple(MODELS))
    return MODELS[name](**hyperparams)


def load_model(directory: str | Path) -> EmotionModel:
    """Load any model written by :meth:`EmotionModel.save`."""
    meta = json.loads((Path(directory) / HYPERPARAMETER_FILE).read_text())
    _check_option("model", meta["model"], tuple(MODELS))
    return MODELS[meta["model"]].load(directory)


__all__ = [
    "MODELS",
    "BDAE",
    "BDDAE",
    "BimodalLSTM",
    "ClipDuration",
    "DCCA",
    "EmotionModel",
    "FeatureFusionSVM",
    "LinearSVM",
    "MESAE",
    "RefitReport",
    "SubnetworkNodes",
    "WindowData",
    "build_model",
    "default_space",
    "is_network",
    "needs_tensorflow",
    "trains_grouped",
    "load_model",
    "refit_last_layer",
]
