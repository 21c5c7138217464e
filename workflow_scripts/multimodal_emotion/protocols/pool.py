"""What the pooled kinds (one experiment per subject over many recordings) share: the
pool of windows, per-subject standardisation and the checks of the one fold."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..recording import ConfigError
from .folds import ExperimentError, Fold, class_labels, missing_classes, warn_missing_test_classes, window_data

log = logging.getLogger(__name__)

NORMALISATIONS = ("training", "per_subject")

#: Keys every pooled kind takes, beside :data:`~.folds.COMMON_PROPERTIES`.
POOLED_PROPERTIES = {
    "name": {"type": "string", "pattern": "^[a-z][a-z_]*$", "description": "loso, cross_session - the protocol's "
             "name in experiment names (name-s{subject}), tables and figures; default the kind (two protocols of one "
             "dataset need different names)"},
    "normalisation": {"type": "string", "enum": list(NORMALISATIONS), "description": "loso, cross_session - "
                      "training (default) = scalers fitted on the training split only; per_subject = every subject "
                      "(cross_session: every session) first standardised by its own statistics, the test subject's "
                      "included (transductive on its unlabelled features; flagged in the tables)"},
}


@dataclass(frozen=True, eq=False)
class Pool:
    """The windows of several recordings, one row each, as the models take them.

    Segment ids are renumbered to be unique over the pool (each recording's ids are
    shifted past the previous recording's largest); ``subject`` and ``session`` say
    where every row came from. ``labels`` and ``attrs`` play the part of a
    :class:`~..store.FeatureFile`'s for :func:`~.folds.class_labels`.
    """

    eeg: np.ndarray  # (n_windows, n_eeg_features) float32
    other: np.ndarray  # (n_windows, n_other_features) float32
    segment: np.ndarray  # (n_windows,) int64, unique across recordings
    labels: np.ndarray  # (n_windows, n_label_names)
    subject: np.ndarray  # (n_windows,) str
    session: np.ndarray  # (n_windows,) int
    attrs: dict


def subject_order(subject: str):
    return (len(subject), subject)


def read_pool(paths: Sequence[str], members: Sequence[Mapping], *, eeg_feature: str = "de") -> Pool:
    """Read the recordings of a pooled experiment (``members[i]``: ``subject`` and ``session``
    of ``paths[i]``), keeping float32 and only the columns the models use."""
    from ..recording import DataFormatError
    from ..store import read_model_inputs

    if len(paths) != len(members):
        raise ExperimentError(f"{len(paths)} feature files for {len(members)} pool members")
    arrays: dict = {}
    first, sources, row, offset = None, {}, 0, 0
    for path, member in zip(paths, members):
        part = read_model_inputs(path, eeg_feature=eeg_feature)
        if first is None:
            first = part
            total = sum(_n_windows(p) for p in paths)  # one array for the pool, filled file by file
            arrays = {"eeg": np.empty((total, part["eeg"].shape[1]), np.float32),
                      "other": np.empty((total, part["other"].shape[1]), np.float32),
                      "labels": np.empty((total, part["labels"].shape[1]), part["labels"].dtype),
                      "segment": np.empty(total, np.int64), "subject": np.empty(total, object),
                      "session": np.empty(total, np.int64)}
        elif part["attrs"].get("label_names") != first["attrs"].get("label_names"):
            raise DataFormatError(path, f"label names {part['attrs'].get('label_names')} differ from "
                                        f"{first['attrs'].get('label_names')} of {paths[0]}")
        elif part["eeg"].shape[1] != first["eeg"].shape[1] or part["other"].shape[1] != first["other"].shape[1]:
            raise DataFormatError(path, f"{part['eeg'].shape[1]} EEG / {part['other'].shape[1]} other features, but "
                                        f"{paths[0]} has {first['eeg'].shape[1]} / {first['other'].shape[1]}")
        rows = slice(row, row + len(part["segment"]))
        for key in ("eeg", "other", "labels"):
            arrays[key][rows] = part[key]
        arrays["segment"][rows] = part["segment"] + offset
        arrays["subject"][rows] = str(member["subject"])
        arrays["session"][rows] = int(member["session"])
        offset = int(arrays["segment"][rows].max(initial=offset))
        row = rows.stop
        sources.update(part["attrs"].get("source_files", {}))
    arrays["subject"] = arrays["subject"].astype(str)
    return Pool(**arrays, attrs={**first["attrs"], "source_files": sources})


def _n_windows(path) -> int:
    from ..store import _open_h5

    with _open_h5(Path(path)) as f:
        return int(f["windows/segment"].shape[0])


def standardise_per_group(pool: Pool, groups: np.ndarray) -> Pool:
    """Each group's windows (a subject, or a subject's session) scaled by its own mean and
    standard deviation (scikit-learn ``StandardScaler``). Transductive: the held-out
    subject's unlabelled features set its own statistics; a named option, flagged in the tables."""
    from sklearn.preprocessing import StandardScaler

    eeg, other = pool.eeg.copy(), pool.other.copy()
    for group in np.unique(groups):
        rows = groups == group
        eeg[rows] = StandardScaler().fit_transform(pool.eeg[rows])
        other[rows] = StandardScaler().fit_transform(pool.other[rows])
    return Pool(eeg=eeg, other=other, segment=pool.segment, labels=pool.labels, subject=pool.subject,
                session=pool.session, attrs=pool.attrs)


#: ``split(pool, y, protocol, task, seed) -> (train, val, test)`` row masks of a pooled kind's one fold.
Split = Callable[[Pool, np.ndarray, Mapping, str, int], tuple[np.ndarray, np.ndarray, np.ndarray]]


def pooled_folds(pool: Pool, *, protocol: Mapping, task: str, seed: int, split: Split,
                 normalisation_groups: Callable[[Pool], np.ndarray]) -> list[Fold]:
    """The one fold of a pooled experiment (``protocol["subject"]``): the kind's ``split``
    after the protocol's ``normalisation``.

    ``normalisation: per_subject`` first scales every group of ``normalisation_groups``
    (a subject; for cross_session a subject's session) by its own statistics
    (:func:`standardise_per_group`); the default (``training``) leaves scaling to the
    models, which fit it on the training split only.
    """
    if not isinstance(pool, Pool):
        raise ExperimentError(f"protocol kind {protocol['kind']!r} needs the feature files of several recordings "
                              "(a Pool)")
    target = str(protocol["subject"])
    y, classes = class_labels(pool, task=task, threshold=protocol.get("threshold"))
    if target not in set(pool.subject.tolist()):
        raise ExperimentError(f"subject {target} is not in the pooled recordings ({sorted(set(pool.subject.tolist()))})")
    normalisation = protocol.get("normalisation", "training")
    if normalisation not in NORMALISATIONS:
        raise ExperimentError(f"normalisation {normalisation!r} is unknown (known: {', '.join(NORMALISATIONS)})")
    if normalisation == "per_subject":
        pool = standardise_per_group(pool, normalisation_groups(pool))
    train, val, test = split(pool, y, protocol, task, seed)
    for name, rows in (("train", train), ("test", test)):
        if not rows.any():
            raise ExperimentError(f"the {name} split of subject {target} holds no windows")
    missing = missing_classes(y, train, classes)
    if missing:
        raise ExperimentError(f"the training split holds no window of class {missing}")
    warn_missing_test_classes(y, test, classes)
    part = lambda rows: window_data(pool.eeg, pool.other, y, pool.segment, rows)  # noqa: E731
    return [Fold(0, part(train), part(val) if val.any() else None, part(test))]


def check_normalisation(protocol: Mapping, key: str) -> None:
    if protocol.get("normalisation", "training") not in NORMALISATIONS:
        raise ConfigError(f"{key}.normalisation", f"{protocol['normalisation']!r} is not training or per_subject")
