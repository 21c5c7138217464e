"""``cross_session``: per subject, train on some sessions and test on others."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np

from ..recording import ConfigError
from .folds import DatasetFacts, Fold, random_state
from .pool import POOLED_PROPERTIES, Pool, check_normalisation, pooled_folds

log = logging.getLogger(__name__)

KIND = "cross_session"
POOLED = True
DESCRIPTION = ("cross_session = per subject, train on train_sessions, test on test_sessions (validation_folds; SEED "
               "and SEED-IV only, where a recording is one session)")
LABEL = "cross-session (per subject: trained on some sessions, tested on another)"
#: What one row of the per-subject table stands for.
UNIT = "experiments"
_SESSIONS = {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1, "uniqueItems": True}
PROPERTIES = {
    **POOLED_PROPERTIES,
    "train_sessions": {**_SESSIONS, "description": "cross_session - sessions (as numbered in <dataset>.sessions) the "
                       "model trains on"},
    "test_sessions": {**_SESSIONS, "description": "cross_session - sessions it is tested on"},
    "validation_folds": {"type": "integer", "minimum": 0, "description": "cross_session - the validation split is one "
                         "of this many seeded stratified folds of the training trials, whole trials (default 5, i.e. "
                         "about a fifth; 0 = none)"},
}
REQUIRED = ["train_sessions", "test_sessions"]


def check(protocol: Mapping, key: str, facts: DatasetFacts) -> bool:
    check_normalisation(protocol, key)
    if not facts.recording_is_session:
        raise ConfigError(f"{key}.kind", f"cross_session needs one recording per session; a {facts.title} "
                          "recording holds all of a subject's data (one session, or all sessions together): use loso")
    overlap = sorted(set(protocol["train_sessions"]) & set(protocol["test_sessions"]))
    if overlap:
        raise ConfigError(f"{key}.test_sessions", f"sessions {overlap} are also in train_sessions")
    for name in ("train_sessions", "test_sessions"):
        absent = sorted(set(protocol[name]) - set(facts.sessions))
        if absent:
            raise ConfigError(f"{key}.{name}", f"sessions {absent} are not read ({facts.name}.sessions is "
                              f"{sorted(facts.sessions)})")
    return protocol.get("validation_folds", 5) > 0


def members(protocol: Mapping, subject: str, recordings: Sequence[Mapping]) -> list[Mapping]:
    """The recordings the experiment of ``subject`` reads: its own, of the train and test sessions."""
    sessions = set(protocol["train_sessions"]) | set(protocol["test_sessions"])
    return [m for m in recordings if m["subject"] == subject and m["session"] in sessions]


def folds(pool: Pool, *, protocol: Mapping, task: str, seed: int) -> list[Fold]:
    """The subject's ``train_sessions`` train and its ``test_sessions`` test; the validation
    split is one fold of a seeded ``StratifiedGroupKFold`` (``validation_folds`` folds,
    whole trials) of the training trials."""
    return pooled_folds(pool, protocol=protocol, task=task, seed=seed, split=_split,
                        normalisation_groups=lambda p: np.char.add(p.subject, "/" + p.session.astype(str)))


def _split(pool: Pool, y: np.ndarray, protocol: Mapping, task: str, seed: int):
    from sklearn.model_selection import StratifiedGroupKFold

    target = str(protocol["subject"])
    mine = pool.subject == target
    test = mine & np.isin(pool.session, protocol["test_sessions"])
    candidates = mine & np.isin(pool.session, protocol["train_sessions"])
    val = np.zeros_like(test)
    k = int(protocol.get("validation_folds", 5))
    if k:
        rows = np.flatnonzero(candidates)
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True,
                                        random_state=random_state(seed, f"cross_session/{target}/{task}"))
        _, held = next(splitter.split(rows, y[rows], groups=pool.segment[rows]))
        val[rows[held]] = True
    log.info("cross_session: subject %s, sessions %s train (%d validation trials), %s test", target,
             protocol["train_sessions"], len(np.unique(pool.segment[val])), protocol["test_sessions"])
    return candidates & ~val, val, test
