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

:data:`MODELS` is the registry (:data:`MODEL_CLASSES`, one line per class, imported on first
use): each class declares ``is_network`` (it ends in the refittable SVM layer; DCCA is not: its
classifier is a linear SVM fitted once; its registry line says the same, checked) and
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
from typing import TYPE_CHECKING, NamedTuple

from .files import HYPERPARAMETER_FILE
from .checks import check_option as _check_option
from .data import WindowData

if TYPE_CHECKING:
    from .base import EmotionModel


class Entry(NamedTuple):
    """A registry line: where the class is (``"module:Class"`` in this package) and whether it
    ends in the SVM layer that Sec. 3.2 refits (the class's ``is_network``)."""

    path: str
    is_network: bool


#: The registry: model class name (``models.<entry>.class``) -> :class:`Entry`. A class is
#: imported when first used, so a job that needs none (the merge jobs) does not pay for the
#: model modules and scikit-learn's estimator base (about 0.7 s). ``is_network`` is in the line
#: as well as on the class because Snakemake asks it for every merge job's refit settings
#: while it plans, where importing the classes cost about 0.9 s of its 2.2 s start-up; the
#: registry checks that the class agrees when it imports it.
MODEL_CLASSES: dict[str, Entry] = {
    "bimodal_lstm": Entry("bimodal_lstm:BimodalLSTM", is_network=True),
    "bddae": Entry("bddae:BDDAE", is_network=True),
    "linear_svm": Entry("svm:LinearSVM", is_network=False),
    "feature_fusion": Entry("svm:FeatureFusionSVM", is_network=False),
    "dcca": Entry("dcca:DCCA", is_network=False),
    "bdae": Entry("bdae:BDAE", is_network=False),
    "mesae": Entry("mesae:MESAE", is_network=False),
    "subnetwork_nodes": Entry("subnetwork_nodes:SubnetworkNodes", is_network=False),
    "clip_duration": Entry("clip_duration:ClipDuration", is_network=False),
}


def _load(path: str):
    """The object ``"module:name"`` of this package, its module imported now if not yet."""
    module, name = path.split(":")
    return getattr(importlib.import_module(f".{module}", __name__), name)


class _Registry(Mapping):
    """:data:`MODEL_CLASSES` as name -> class, each class imported on first access (and
    checked to carry its registry name and ``is_network``)."""

    def __init__(self, entries: Mapping[str, Entry]):
        self._entries = entries
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        if name not in self._classes:
            entry = self._entries[name]
            cls, cls_name = _load(entry.path), entry.path.split(":")[1]
            if cls.name != name:
                raise ValueError(f"models/__init__.py: MODEL_CLASSES[{name!r}] is {cls_name}, whose name is {cls.name!r}")
            if cls.is_network != entry.is_network:
                raise ValueError(f"models/__init__.py: MODEL_CLASSES[{name!r}] says is_network={entry.is_network}, "
                                 f"{cls_name} says {cls.is_network}")
            self._classes[name] = cls
        return self._classes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


MODELS: Mapping[str, type[EmotionModel]] = _Registry(MODEL_CLASSES)

#: What ``from multimodal_emotion.models import X`` finds, imported on first use (PEP 562).
_LAZY = {**{entry.path.split(":")[1]: entry.path for entry in MODEL_CLASSES.values()},
         "EmotionModel": "base:EmotionModel", "RefitReport": "refit:RefitReport",
         "refit_last_layer": "refit:refit_last_layer"}


def __getattr__(name: str):
    if name in _LAZY:
        return _load(_LAZY[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_network(name: str) -> bool:
    """True for a model class ending in the SVM layer that Sec. 3.2 refits (from the registry
    line: the class is not imported)."""
    _check_option("model class", name, tuple(MODELS))
    return MODEL_CLASSES[name].is_network


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
