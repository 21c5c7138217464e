"""Embedded synthetic SEED and DEAP, written in the datasets' own formats.

One module per dataset (:mod:`.seed`, :mod:`.deap`) writes that dataset's files through
the constants of its reader module (``datasets/<name>.py``), so the two cannot drift
apart; :mod:`.signals` holds the shared EEG-like signal code and :mod:`.config` the
settings. The emotion effect is known and configurable: ``score`` is the clip's label
(-1, 0, 1) for SEED and ``(rating - 5) / 4`` of the chosen rating for DEAP;
``effect_size = 0`` gives a null dataset. Every file is seeded from (seed, dataset,
subject, session), so any one file can be regenerated alone and comes out identical.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from . import deap, dreamer, seed, seed_files, seed_iv, seed_lab, seed_v, seed_vii
from ..recording import check_option
from .config import DEFAULT_SEED_BANDS, EffectSpec, SyntheticConfig

log = logging.getLogger(__name__)

__all__ = ["BY_PATH", "DEFAULT_SEED_BANDS", "EffectSpec", "SyntheticConfig", "deap", "dreamer", "file_inputs", "file_mem_mb",
           "file_settings", "seed", "seed_files", "seed_iv", "seed_lab", "seed_v", "seed_vii", "synthetic_stage"]

# Every dataset's synthetic module writes any of its files from the file's path alone:
# ``write(relpath, output, cfg=, dataset_config=)``, optionally ``inputs(relpath,
# dataset_config)`` (files of the copy it is computed from) and ``settings_of(relpath)``
# (keys of the dataset block it depends on besides ``synthetic_*``). One generic rule
# (``synthetic_file`` in rules/data.smk) serves them all.
BY_PATH = {"seed": seed_files, "deap": deap, "seed_iv": seed_iv, "seed_v": seed_v, "dreamer": dreamer,
           "seed_vii": seed_vii}


def file_settings(dataset: str, relpath: str, dataset_block: Mapping) -> dict:
    """The slice of the dataset's config block that file ``relpath`` depends on (so an
    unrelated edit does not rewrite it): its ``synthetic_*`` keys and those the module names."""
    extra = getattr(BY_PATH[dataset], "settings_of", lambda _: ())(relpath)
    return {key: value for key, value in dataset_block.items() if key.startswith("synthetic_") or key in extra}


def file_inputs(dataset: str, relpath: str, settings: Mapping) -> list[str]:
    """Paths (relative to the copy's folder) of the synthetic files ``relpath`` is computed from."""
    return list(getattr(BY_PATH[dataset], "inputs", lambda *_: [])(relpath, settings))


def file_mem_mb(relpath: str) -> int:
    """Memory of one synthetic file's job: a raw recording holds a whole session at 512-1000 Hz."""
    return 6000 if Path(relpath).suffix in (".cnt", ".bdf") else 3000


def synthetic_stage(*, outputs: Mapping[str, str], config: Mapping, dataset: str, relpath: str,
                    dataset_config: Mapping | None = None) -> None:
    """Write file ``relpath`` of ``dataset``'s synthetic copy (:data:`BY_PATH`) for rule ``synthetic_file``."""
    cfg = SyntheticConfig.from_config(config)
    (output,) = outputs.values()
    check_option("dataset", dataset, sorted(BY_PATH))
    BY_PATH[dataset].write(relpath, output, cfg=cfg, dataset_config=dict(dataset_config or {}))
    log.info("Wrote synthetic %s file %s: %s", dataset, relpath, output)
