"""The dataset registry: one module per dataset, all behind the same contract.

A dataset module (``seed.py``, ``deap.py``) provides:

- identity: ``NAME``, ``TITLE``, ``FOLDER`` (of the synthetic copy), ``TABLE_CAPTION``,
  ``RECORDING_PATTERN`` (regex of its recording names), ``subject_of(recording)``;
  optionally ``RECORDING_IS_SESSION`` (each recording is one of the block's ``sessions``,
  listed subject-major: ``cross_session`` protocols apply);
- ``DEFAULT_PROTOCOL``: the experiment protocol when ``experiments.<name>_protocol`` is not set;
- format facts: ``SFREQ``, ``CHANNELS`` (EEG), ``N_SEGMENTS``, ``LABEL_NAMES``,
  ``CLASSES`` (label name -> :class:`~..recording.LabelClasses`);
- discovery: ``recordings(config, root)``, ``input_files(config, root, recording)``
  (files by role for the configured entry), ``shortest_segment_s(config)``;
- reading: ``read(files, entry=..., **options)`` -> :class:`~..recording.Recording` (plus
  ``recording=`` when one file holds several recordings, as DREAMER.mat does), the reader
  chosen by the configured entry (options: the block's ``READ_OPTIONS``). An entry whose
  files hold features rather than signals (SEED ``extracted``, ``multimodal``) returns
  them in ``Recording.shipped`` / ``Segment.shipped``; the feature stage then writes them
  as they are (``features.shipped_feature_file``).

The lab's family (SEED, SEED-IV, SEED-V) shares its file formats: :mod:`.bcmi` holds one
reader per format, driven by each dataset's frozen :class:`.bcmi.Spec`.

Adding a dataset: its module here, its line in :data:`REGISTRY`, its block in
``resources/config.schema.yaml``, and its docs page (docs/adding-a-dataset.md; + a synthetic
module for an embedded copy). Protocol,
number of configurations and search spaces fall back to defaults.

Code outside this package asks the registry, never which dataset it is.
"""

from __future__ import annotations

from types import ModuleType

from . import deap, dreamer, seed, seed_iv, seed_v, seed_vii
from ..recording import check_option
from ._resources import RESOURCES

REGISTRY: dict[str, ModuleType] = {module.NAME: module for module in (seed, deap, seed_iv, seed_v, dreamer, seed_vii)}
NAMES: tuple[str, ...] = tuple(REGISTRY)


def get(name: str) -> ModuleType:
    """The module of dataset ``name``."""
    check_option("dataset", name, NAMES)
    return REGISTRY[name]


def recording_pattern() -> str:
    """Regex matching the recording names of every dataset (Snakemake wildcard constraint)."""
    return "|".join(f"(?:{module.RECORDING_PATTERN})" for module in REGISTRY.values())
