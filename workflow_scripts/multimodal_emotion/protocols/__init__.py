"""The protocol registry: how an experiment's windows are cut into folds.

One module per kind (``clips.py``, ``kfold.py``, ...), each providing:

- ``KIND`` (its name in ``experiments.<dataset>_protocol.kind``), ``POOLED`` (its
  experiments pool several recordings, one per subject) and ``DESCRIPTION``;
- ``PROPERTIES`` and ``REQUIRED``: its keys' schema (beside :data:`~.folds.COMMON_PROPERTIES`);
  :func:`schema` assembles the config schema's protocol block from them;
- ``check(protocol, key, facts)``: what a schema cannot check (raises
  :class:`~..recording.ConfigError` naming ``key``), returning whether the protocol
  defines a validation split;
- ``folds(features, *, protocol, task, seed)`` -> list of :class:`~.folds.Fold`;
- ``LABEL``: its description in tables and figures;
- for pooled kinds: ``members(protocol, subject, recordings)``, the recordings the
  experiment of one subject reads, and ``UNIT``, what a row of the per-subject table is.

Adding a kind: its module here and its name in :data:`KIND_MODULES` (docs/adding-a-protocol.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import import_module
from pathlib import Path
from types import ModuleType

from .folds import (COMMON_PROPERTIES, DatasetFacts, ExperimentError, Fold, carve_validation, class_labels,
                    eeg_matrix, random_state, stable_hash)
from .pool import NORMALISATIONS, Pool, read_pool, standardise_per_group, subject_order

#: The protocol kinds, in the order the docs list them.
KIND_MODULES = ("clips", "kfold", "trial_folds", "loso", "cross_session", "video_folds")

REGISTRY: dict[str, ModuleType] = {
    module.KIND: module for module in (import_module(f".{name}", __name__) for name in KIND_MODULES)
}
KINDS: tuple[str, ...] = tuple(REGISTRY)
#: Kinds of one recording each (subject-dependent), and those whose experiments pool recordings.
PER_RECORDING_KINDS: tuple[str, ...] = tuple(k for k, m in REGISTRY.items() if not m.POOLED)
POOLED_KINDS: tuple[str, ...] = tuple(k for k, m in REGISTRY.items() if m.POOLED)


def get(kind: str) -> ModuleType:
    """The module of protocol ``kind``."""
    if kind not in REGISTRY:
        raise ExperimentError(f"protocol kind {kind!r} is unknown (known: {', '.join(KINDS)})")
    return REGISTRY[kind]


def is_pooled(protocol: Mapping) -> bool:
    return get(protocol["kind"]).POOLED


def protocol_name(protocol: Mapping) -> str:
    return protocol.get("name", protocol["kind"])


def schema() -> dict:
    """The config schema of one protocol: ``kind`` and the common keys, then per kind
    (``if`` kind ``then``) exactly its keys, so a key of another kind is an unknown key."""
    common = {"kind": {"type": "string", "enum": list(KINDS), "x-registry": "protocols.REGISTRY",
                       "description": "; ".join(m.DESCRIPTION for m in REGISTRY.values())},
              **COMMON_PROPERTIES}
    return {
        "type": "object",
        "properties": common,
        "required": ["kind", "tasks"],
        "allOf": [{"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                   "then": {"properties": {**common, **module.PROPERTIES}, "additionalProperties": False,
                            **({"required": list(module.REQUIRED)} if module.REQUIRED else {})}}
                  for kind, module in REGISTRY.items()],
    }


def experiment_members(protocol: Mapping, subject: str, recordings: Sequence[Mapping]) -> list[Mapping]:
    """The recordings (``{recording, subject, session}``) the pooled experiment of ``subject`` reads."""
    return get(protocol["kind"]).members(protocol, subject, recordings)


def experiment_features(features_path: "str | Sequence[str]", protocol: Mapping):
    """The features an experiment reads: one file (per-recording kinds) or a :class:`Pool`
    of the files of ``protocol["members"]`` (pooled kinds), in the order given."""
    from ..store import read_features

    paths = [features_path] if isinstance(features_path, (str, Path)) else list(features_path)
    if is_pooled(protocol):
        return read_pool(paths, protocol["members"], eeg_feature=protocol.get("eeg_feature", "de"))
    if len(paths) != 1:
        raise ExperimentError(f"protocol kind {protocol['kind']!r} reads one feature file, got {len(paths)}")
    return read_features(paths[0])


def experiment_folds(features, *, protocol: Mapping, task: str, seed: int) -> list[Fold]:
    """Folds of one experiment from the dataset's ``protocol`` config section.

    ``features`` is one recording's :class:`~..store.FeatureFile` for the per-recording
    kinds and a :class:`Pool` of several for the pooled ones (whose ``protocol`` then
    names the experiment's ``subject``).
    """
    return get(protocol["kind"]).folds(features, protocol=protocol, task=task, seed=seed)


__all__ = [
    "COMMON_PROPERTIES", "DatasetFacts", "ExperimentError", "Fold", "KINDS", "KIND_MODULES", "NORMALISATIONS",
    "PER_RECORDING_KINDS", "POOLED_KINDS", "Pool", "REGISTRY", "carve_validation", "class_labels", "eeg_matrix",
    "experiment_features", "experiment_folds", "experiment_members", "get", "is_pooled", "protocol_name",
    "random_state", "read_pool", "schema", "stable_hash", "standardise_per_group", "subject_order",
]
