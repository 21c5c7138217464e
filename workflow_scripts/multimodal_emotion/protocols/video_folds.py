"""``video_folds``: SEED-VII's subject-dependent protocol, fold = ((video - 1) mod 20) // 5.

A recording holds a subject's sessions, its segments numbered by video
(``(session - 1) * clips_per_session + clip``); fold f tests the videos whose clip
position falls in the f-th block of ``clips_per_fold`` (SEED-VII: 4 folds, each 5 clips
of every session, emotions balanced) and trains on the rest, minus one clip per class
carved out for validation (:func:`~.folds.carve_validation`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..recording import ConfigError
from .folds import DatasetFacts, Fold
from .trial_folds import trial_folds

KIND = "video_folds"
POOLED = False
DESCRIPTION = ("video_folds = fold ((video - 1) mod clips per session) // clips_per_fold over every session of a "
               "recording (SEED-VII: 4 folds of 5 clips per session)")
LABEL = "folds by video: ((video - 1) mod clips per session) // clips_per_fold"
PROPERTIES = {
    "clips_per_fold": {"type": "integer", "minimum": 1, "description": "video_folds - clips of each session per fold "
                       "(default 5: SEED-VII's 20 clips make 4 folds)"},
    "validation_per_class": {"type": "integer", "minimum": 0, "description": "video_folds - the last N training clips "
                             "of every class form the validation split (default 1)"},
}
REQUIRED: list[str] = []
CLIPS_PER_FOLD = 5


def video_fold(video: int, *, clips_per_session: int, clips_per_fold: int = CLIPS_PER_FOLD) -> int:
    """The fold of a video (1-based): ((video - 1) mod clips_per_session) // clips_per_fold."""
    if video < 1:
        raise ValueError(f"video numbers start at 1, got {video!r}")
    return ((video - 1) % clips_per_session) // clips_per_fold


def fold_positions(clips_per_session: int, clips_per_fold: int = CLIPS_PER_FOLD) -> list[list[int]]:
    """The clip positions (1-based, within a session) each fold of :func:`video_fold` tests."""
    n_folds = -(-clips_per_session // clips_per_fold)
    return [[p for p in range(1, clips_per_session + 1)
             if video_fold(p, clips_per_session=clips_per_session, clips_per_fold=clips_per_fold) == f]
            for f in range(n_folds)]


def check(protocol: Mapping, key: str, facts: DatasetFacts) -> bool:
    per_fold = protocol.get("clips_per_fold", CLIPS_PER_FOLD)
    if 2 * per_fold > facts.n_segments:
        raise ConfigError(f"{key}.clips_per_fold", f"{per_fold} clips per fold leave fewer than 2 folds ({facts.title} "
                          f"has {facts.n_segments} clips per session)")
    return protocol.get("validation_per_class", 1) > 0


def folds(features, *, protocol: Mapping, task: str, seed: int) -> list[Fold]:
    segment = np.asarray(features.segment)
    per_session = int(features.attrs.get("trials_per_session") or segment.max())
    return trial_folds(features, task=task, folds=fold_positions(per_session, protocol.get("clips_per_fold",
                                                                                           CLIPS_PER_FOLD)),
                       validation_per_class=protocol.get("validation_per_class", 1),
                       eeg_feature=protocol.get("eeg_feature", "de"), threshold=protocol.get("threshold"))
