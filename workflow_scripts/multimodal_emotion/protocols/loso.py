"""``loso``: leave one subject out, one experiment per subject over every recording."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np

from ..recording import ConfigError
from .folds import DatasetFacts, ExperimentError, Fold, random_state
from .pool import POOLED_PROPERTIES, Pool, check_normalisation, pooled_folds, subject_order

log = logging.getLogger(__name__)

KIND = "loso"
POOLED = True
DESCRIPTION = "loso = leave one subject out, one experiment per subject (validation_subjects)"
LABEL = "leave one subject out (one experiment per held-out subject; validation on other subjects)"
#: What one row of the per-subject table stands for.
UNIT = "subjects"
PROPERTIES = {
    **POOLED_PROPERTIES,
    "validation_subjects": {"type": "integer", "minimum": 0, "description": "loso - other subjects (a seeded, fixed "
                            "set per held-out subject) forming the validation split (default 2)"},
}
REQUIRED: list[str] = []


def check(protocol: Mapping, key: str, facts: DatasetFacts) -> bool:
    check_normalisation(protocol, key)
    n_val = protocol.get("validation_subjects", 2)
    if len(facts.subjects) < n_val + 2:
        raise ConfigError(f"{key}.validation_subjects", f"loso with {n_val} validation subjects needs at least "
                          f"{n_val + 2} subjects ({facts.name}.subjects has {len(facts.subjects)})")
    return n_val > 0


def members(protocol: Mapping, subject: str, recordings: Sequence[Mapping]) -> list[Mapping]:
    """The recordings the experiment of ``subject`` reads: all of them."""
    return list(recordings)


def folds(pool: Pool, *, protocol: Mapping, task: str, seed: int) -> list[Fold]:
    """The held-out subject's windows (all its sessions) are the test set; a seeded set of
    ``validation_subjects`` other subjects (scikit-learn ``GroupShuffleSplit`` over subject
    ids only, fixed by the seed and the held-out subject) is the validation split; the
    remaining subjects train."""
    return pooled_folds(pool, protocol=protocol, task=task, seed=seed, split=_split,
                        normalisation_groups=lambda p: p.subject)


def _split(pool: Pool, y: np.ndarray, protocol: Mapping, task: str, seed: int):
    from sklearn.model_selection import GroupShuffleSplit

    target = str(protocol["subject"])
    test = pool.subject == target
    others = np.array(sorted(set(pool.subject.tolist()) - {target}, key=subject_order))
    n_val = int(protocol.get("validation_subjects", 2))
    if n_val >= len(others):
        raise ExperimentError(f"{n_val} validation subjects leave none to train on ({len(others)} other subjects)")
    val_subjects = []
    if n_val:
        splitter = GroupShuffleSplit(n_splits=1, test_size=n_val, random_state=random_state(seed, f"loso/{target}"))
        _, chosen = next(splitter.split(others, groups=others))
        val_subjects = sorted(others[chosen].tolist())
    val = np.isin(pool.subject, val_subjects)
    log.info("loso: test subject %s, validation subjects %s, training subjects %s", target, val_subjects,
             sorted(set(others.tolist()) - set(val_subjects)))
    return ~test & ~val, val, test
