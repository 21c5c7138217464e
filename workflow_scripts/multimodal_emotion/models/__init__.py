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

import importlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .files import HYPERPARAMETER_FILE
from .checks import check_option as _check_option
from .data import WindowData

if TYPE_CHECKING:
    from .base import EmotionModel

#: The registry: model class name (``models.<entry>.class``) -> ``"module:Class"`` in this
#: package. A class is imported when first used, so a job that needs none (the merge jobs)
#: does not pay for the model modules and scikit-learn's estimator base (about 0.7 s).
MODEL_CLASSES: dict[str, str] = {
    "bimodal_lstm": "bimodal_lstm:BimodalLSTM",
    "bddae": "bddae:BDDAE",
    "linear_svm": "svm:LinearSVM",
    "feature_fusion": "svm:FeatureFusionSVM",
    "dcca": "dcca:DCCA",
    "bdae": "bdae:BDAE",
    "mesae": "mesae:MESAE",
    "subnetwork_nodes": "subnetwork_nodes:SubnetworkNodes",
    "clip_duration": "clip_duration:ClipDuration",
}


class _Registry(Mapping):
    """:data:`MODEL_CLASSES` as name -> class, each class imported on first access (and
    checked to carry its registry name)."""

    def __init__(self, entries: Mapping[str, str]):
        self._entries = entries
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        if name not in self._classes:
            module, cls_name = self._entries[name].split(":")
            cls = getattr(importlib.import_module(f".{module}", __name__), cls_name)
            if cls.name != name:
                raise ValueError(f"models/__init__.py: MODEL_CLASSES[{name!r}] is {cls_name}, whose name is {cls.name!r}")
            self._classes[name] = cls
        return self._classes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


MODELS: Mapping[str, type[EmotionModel]] = _Registry(MODEL_CLASSES)

#: What ``from multimodal_emotion.models import X`` finds, imported on first use (PEP 562).
_LAZY = {**{entry.split(":")[1]: entry for entry in MODEL_CLASSES.values()},
         "EmotionModel": "base:EmotionModel", "RefitReport": "refit:RefitReport",
         "refit_last_layer": "refit:refit_last_layer"}


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name].split(":")
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
