"""Settings of the synthetic datasets: seed, emotion effect, SEED clip lengths."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..datasets import seed as seed_format

DEFAULT_SEED_BANDS = {"delta": (1, 4), "theta": (4, 8), "alpha": (8, 14), "beta": (14, 31), "gamma": (31, 50)}


@dataclass(frozen=True)
class EffectSpec:
    """Where the emotion acts on the EEG: channels, bands, and (DEAP) which rating."""

    channels: Sequence[str]
    bands: Sequence[Sequence[float]]
    rating: str | None = None  # DEAP: "valence" | "arousal"; SEED uses the clip label


@dataclass(frozen=True)
class SyntheticConfig:
    seed: int = 2017
    effect_size: float = 1.0
    #: SD of a per-subject, per-channel log gain (and of a per-subject pupil offset in mm);
    #: 0 draws nothing, so the files are those of a config without it.
    subject_offset: float = 0.0
    clip_seconds: tuple[float, float] = seed_format.SYNTHETIC_CLIP_SECONDS  # SEED clip lengths vary in this range
    seed_effects: Sequence[EffectSpec] = field(
        default_factory=lambda: (
            # Lateral temporal beta/gamma rise with positive emotion (Zheng & Lu 2015).
            EffectSpec(
                channels=("F7", "F8", "FT7", "FT8", "FC5", "FC6", "T7", "T8", "C5", "C6", "TP7", "TP8", "CP5", "CP6", "P7", "P8"),
                bands=((14, 31), (31, 50)),
            ),
        )
    )
    deap_effects: Sequence[EffectSpec] = field(
        default_factory=lambda: (
            EffectSpec(channels=("F3", "F4", "AF3", "AF4", "Fz"), bands=((4, 8), (8, 14)), rating="valence"),
            EffectSpec(channels=("T7", "T8", "CP5", "CP6", "P7", "P8"), bands=((14, 31), (31, 45)), rating="arousal"),
        )
    )

    @classmethod
    def from_config(cls, cfg: Mapping) -> "SyntheticConfig":
        """Build from the ``synthetic`` section of config.yaml."""

        def effects(items, with_rating):
            return tuple(
                EffectSpec(
                    channels=tuple(e["channels"]),
                    bands=tuple(tuple(b) for b in e["bands"]),
                    rating=e.get("rating") if with_rating else None,
                )
                for e in items
            )

        base = cls()
        return cls(
            seed=int(cfg.get("seed", base.seed)),
            effect_size=float(cfg.get("effect_size", base.effect_size)),
            subject_offset=float(cfg.get("subject_offset", base.subject_offset)),
            clip_seconds=tuple(cfg.get("seed_clip_seconds", base.clip_seconds)),
            seed_effects=effects(cfg["seed_effects"], False) if "seed_effects" in cfg else base.seed_effects,
            deap_effects=effects(cfg["deap_effects"], True) if "deap_effects" in cfg else base.deap_effects,
        )




def subject_gains(cfg: SyntheticConfig, dataset_key: int, subject: int, n_channels: int) -> tuple[np.ndarray, float]:
    """Per-channel gains ``exp(subject_offset * z)`` and a shift ``subject_offset * z`` of
    one subject (its own random stream, so ``subject_offset: 0`` changes no other draw):
    a subject-specific distortion of every feature that the emotion effect does not explain."""
    if cfg.subject_offset == 0:
        return np.ones(n_channels), 0.0
    z = rng_for(cfg, 9, dataset_key, subject).standard_normal(n_channels + 1)
    return np.exp(cfg.subject_offset * z[:n_channels]), float(cfg.subject_offset * z[-1])


def rng_for(cfg: SyntheticConfig, *keys: int) -> np.random.Generator:
    """The random generator of one file: seeded from (seed, *keys), so any file can be
    regenerated alone and comes out identical."""
    return np.random.default_rng(np.random.SeedSequence([cfg.seed, *keys]))


def copy_root(output, relpath: str):
    """The synthetic copy's folder holding ``output``, the file at ``relpath`` inside it
    (where a file written from its path finds the files it is computed from)."""
    from pathlib import Path

    return Path(output).parents[len(Path(relpath).parts) - 1]
