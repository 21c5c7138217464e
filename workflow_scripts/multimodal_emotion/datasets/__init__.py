"""The dataset registry: one module per dataset, all behind the same contract.

A dataset module (``seed.py``, ``deap.py``) provides:

- identity: ``NAME``, ``TITLE``, ``TABLE_CAPTION``, ``RECORDING_PATTERN`` (regex of its
  recording names), ``subject_of(recording)``;
- format facts: ``SFREQ``, ``CHANNELS`` (EEG), ``N_SEGMENTS``, ``LABEL_NAMES``,
  ``CLASSES`` (label name -> :class:`~..recording.LabelClasses`);
- discovery: ``recordings(config, root)``, ``input_files(config, root, recording)``
  (files by role for the configured entry), ``shortest_segment_s(config)``;
- reading: ``read(files, **options)`` -> :class:`~..recording.Recording`. An entry whose
  files hold features rather than signals (SEED ``extracted``, ``multimodal``) returns
  them in ``Recording.shipped`` / ``Segment.shipped``; the feature stage then writes them
  as they are (``features.shipped_feature_file``).

Code outside this package asks the registry, never which dataset it is.
"""

from __future__ import annotations

from types import ModuleType

from . import deap, seed
from ._resources import RESOURCES

REGISTRY: dict[str, ModuleType] = {module.NAME: module for module in (seed, deap)}
NAMES: tuple[str, ...] = tuple(REGISTRY)


def get(name: str) -> ModuleType:
    """The module of dataset ``name``."""
    if name not in REGISTRY:
        raise ValueError(
            f"Invalid value for 'dataset'. Allowed values are {', '.join(map(repr, NAMES))}, but got {name!r} instead."
        )
    return REGISTRY[name]


def recording_pattern() -> str:
    """Regex matching the recording names of every dataset (Snakemake wildcard constraint)."""
    return "|".join(f"(?:{module.RECORDING_PATTERN})" for module in REGISTRY.values())
