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

from . import deap, seed, seed_iv, seed_lab, seed_v, seed_vii
from .config import DEFAULT_SEED_BANDS, EffectSpec, SyntheticConfig

log = logging.getLogger(__name__)

__all__ = ["BY_PATH", "DEFAULT_SEED_BANDS", "EffectSpec", "SyntheticConfig", "deap", "seed", "seed_iv", "seed_lab",
           "seed_v", "seed_vii", "synthetic_stage"]

# Datasets whose synthetic module writes any of its files from the file's path alone
# (``write(relpath, output, cfg=, dataset_config=)``): one generic rule
# (``synthetic_file`` in rules/data.smk) serves them all.
BY_PATH = {"seed_iv": seed_iv, "seed_v": seed_v, "seed_vii": seed_vii}


def synthetic_stage(
    *, kind: str, outputs: Mapping[str, str], config: Mapping, subject: int = 0, session: int = 0,
    inputs: Mapping | None = None, dataset: str = "", relpath: str = "", dataset_config: Mapping | None = None,
) -> None:
    """Write one synthetic file set for a Snakemake rule.

    ``kind``: seed_labels, seed_session, seed_time, seed_raw, seed_extracted,
    seed_multimodal_eeg, seed_multimodal_eye, deap_subject, deap_raw, deap_ratings (one per
    rule of ``rules/data.smk``), or ``by_path``: file ``relpath`` of ``dataset`` (:data:`BY_PATH`).
    """
    cfg = SyntheticConfig.from_config(config)
    inputs = inputs or {}
    if kind == "by_path":
        (output,) = outputs.values()
        BY_PATH[dataset].write(relpath, output, cfg=cfg, dataset_config=dict(dataset_config or {}))
        log.info("Wrote synthetic %s file %s: %s", dataset, relpath, output)
        return
    writers = {
        "seed_labels": lambda: seed.write_labels(outputs["labels"]),
        "seed_session": lambda: seed.write_session(outputs["eeg"], None, subject=subject, session=session, cfg=cfg),
        "seed_eye_movements": lambda: seed.write_session(None, outputs["eye"], subject=subject, session=session,
                                                         cfg=cfg),
        "seed_time": lambda: seed.write_time(outputs["time"], cfg=cfg),
        "seed_raw": lambda: seed.write_raw(outputs["cnt"], mat_path=inputs["mat"], subject=subject, cfg=cfg),
        "seed_extracted": lambda: seed_lab.write_extracted(outputs["extracted"], mat_path=inputs["mat"]),
        "seed_multimodal_eeg": lambda: seed_lab.write_multimodal_eeg(outputs["npz"], mat_path=inputs["mat"]),
        "seed_multimodal_eye": lambda: seed_lab.write_multimodal_eye(outputs["eye"], mat_path=inputs["mat"],
                                                                     subject=subject, session=session, cfg=cfg),
        "deap_subject": lambda: deap.write_subject(outputs["data"], subject=subject, cfg=cfg),
        "deap_raw": lambda: deap.write_raw(outputs["bdf"], dat_path=inputs["dat"], subject=subject, cfg=cfg),
        "deap_ratings": lambda: deap.write_ratings(
            outputs["ratings"], dat_paths={int(Path(p).stem[1:]): p for p in inputs["dat"]}, cfg=cfg),
    }
    if kind not in writers:
        raise ValueError(f"Invalid value for 'kind'. Allowed values are {sorted(writers)}, but got {kind!r} instead.")
    writers[kind]()
    log.info("Wrote synthetic %s: %s", kind, sorted(outputs.values()))
