"""Experiments: the paper's protocols, seeded random search, evaluation and selection.

One *experiment* is one feature file and one task: a SEED session (3 emotions, clips
1-9 train, 10-15 test) or a DEAP subject and rating (high/low arousal or valence,
10-fold cross-validation over trials). Every model is trained on the training part of
each fold, early-stopped on a validation split carved from the training clips/trials,
and evaluated on the fold's test part. Selection of the hyper-parameter configuration
is by validation accuracy (honest) or, to reproduce the paper's best-of-N, by test
accuracy; both come from the same runs.

Nothing here knows a file format except through :mod:`.store`.
"""

from __future__ import annotations

import json
import logging
import math
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .store import FeatureFile, atomic_dir, atomic_path, read_features

log = logging.getLogger(__name__)


class ExperimentError(ValueError):
    """An experiment cannot be run as configured (e.g. a task with one class only)."""


@dataclass(frozen=True)
class Fold:
    """One train/validation/test partition of an experiment's windows."""

    index: int
    train: "WindowData"  # noqa: F821 - models.base.WindowData
    val: "WindowData | None"  # noqa: F821
    test: "WindowData"  # noqa: F821


# --- labels and inputs ---------------------------------------------------------------


def class_labels(features: FeatureFile, *, task: str, threshold: float = 5.0) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class index per window and class names, as the feature file's ``classes``
    attribute (written from the dataset module) defines them for ``task``.

    Categorical labels map value ``values[i]`` to class ``i`` (SEED: -1, 0, 1 -> negative,
    neutral, positive). Threshold labels (DEAP ratings) are class 1 if the label is above
    ``threshold``, else class 0; a label equal to the threshold counts as class 0.
    """
    names = list(features.attrs["label_names"])
    if task not in names:
        raise ExperimentError(f"task {task!r} is not a label of this recording (labels: {names})")
    spec = features.attrs.get("classes", {}).get(task)
    if spec is None:
        raise ExperimentError(f"the feature file does not say what label {task!r} means (no 'classes' attribute; "
                              "it was written by an older version: rerun the features rule)")
    values = features.labels[:, names.index(task)]
    if spec["kind"] == "categorical":
        matches = values[:, None] == np.asarray(spec["values"], dtype=float)[None, :]
        if not matches.any(axis=1).all():
            unknown = sorted(set(values[~matches.any(axis=1)].tolist()))
            raise ExperimentError(f"label {task!r} has values {unknown[:5]} outside {spec['values']}")
        return matches.argmax(axis=1).astype(np.int64), tuple(spec["class_names"])
    return (values > threshold).astype(np.int64), tuple(spec["class_names"])


def eeg_matrix(features: FeatureFile, kind: str = "de") -> np.ndarray:
    """EEG features per window, flattened channel-major: (n_windows, n_channels * n_bands [* 2])."""
    parts = {"de": [features.de], "psd": [features.psd], "de+psd": [features.de, features.psd]}[kind]
    return np.concatenate([p.reshape(len(p), -1) for p in parts], axis=1).astype(np.float64)


def _window_data(eeg, other, y, segment, rows):
    from .models.base import WindowData

    return WindowData(eeg=eeg[rows], other=other[rows], y=y[rows], segment=segment[rows])


# --- protocols -----------------------------------------------------------------------


def carve_validation(segment: np.ndarray, y: np.ndarray, rows: np.ndarray, per_class: int) -> list[int]:
    """Segments for validation out of the training ``rows``: the last ``per_class``
    segments (by index) of every class, leaving at least one of each class to train on."""
    chosen = []
    segments = np.unique(segment[rows])
    segment_class = np.array([y[rows & (segment == s)][0] for s in segments], dtype=np.int64)
    for c in np.unique(segment_class):
        members = segments[segment_class == c]
        take = min(per_class, members.size - 1)
        chosen += members[members.size - take:].tolist() if take > 0 else []
    return sorted(chosen)


def _missing_test_classes(y: np.ndarray, test: np.ndarray, classes: Sequence[str]) -> None:
    missing = sorted(set(range(len(classes))) - set(np.unique(y[test]).tolist()))
    if missing:  # reported, not an error: accuracy is still defined (e.g. SEED-IV session 1, trials 17-24)
        log.warning("the test split holds no window of class %s; its accuracy covers the other classes only",
                    [classes[c] for c in missing])


def clip_folds(
    features: FeatureFile, *, task: str, train_clips: Sequence[int], validation_clips: Sequence[int],
    test_clips: Sequence[int], eeg_feature: str = "de", validation_per_class: int = 0,
) -> list[Fold]:
    """Subject-dependent protocol of SEED and SEED-IV: one fold, fixed clips per split.

    Without ``validation_clips``, ``validation_per_class`` > 0 carves the validation split
    from the training clips (:func:`carve_validation`).
    """
    y, classes = class_labels(features, task=task)
    eeg, other, segment = eeg_matrix(features, eeg_feature), features.other.astype(np.float64), features.segment.astype(np.int64)
    overlap = set(train_clips) & set(test_clips) | set(validation_clips) & (set(train_clips) | set(test_clips))
    if overlap:
        raise ExperimentError(f"clips {sorted(overlap)} are in more than one split")
    if not validation_clips and validation_per_class > 0:
        validation_clips = carve_validation(segment, y, np.isin(segment, train_clips), validation_per_class)
        train_clips = sorted(set(train_clips) - set(validation_clips))
    rows = {name: np.isin(segment, clips) for name, clips in
            (("train", train_clips), ("val", validation_clips), ("test", test_clips))}
    for name in ("train", "test"):
        if not rows[name].any():
            raise ExperimentError(f"the {name} split holds no windows (clips {sorted(set(segment.tolist()))} available)")
    missing = sorted(set(range(len(classes))) - set(np.unique(y[rows["train"]]).tolist()))
    if missing:
        raise ExperimentError(
            f"the training clips hold no window of class {[classes[c] for c in missing]}; every class is needed"
        )
    _missing_test_classes(y, rows["test"], classes)
    val = _window_data(eeg, other, y, segment, rows["val"]) if rows["val"].any() else None
    return [Fold(0, _window_data(eeg, other, y, segment, rows["train"]), val, _window_data(eeg, other, y, segment, rows["test"]))]


def trial_folds(
    features: FeatureFile, *, task: str, folds: Sequence[Sequence[int]], validation_per_class: int = 1,
    eeg_feature: str = "de",
) -> list[Fold]:
    """Folds by trial position over every session of a recording (SEED-V's protocol).

    Fold f tests the trials whose position within their session is in ``folds[f]``
    (e.g. 1-5, 6-10, 11-15 of each session) and trains on the rest, minus a validation
    split carved from them (:func:`carve_validation`). The position of segment s is
    ``(s - 1) % trials_per_session + 1`` (the feature file's ``trials_per_session``).
    """
    y, classes = class_labels(features, task=task)
    eeg, other, segment = eeg_matrix(features, eeg_feature), features.other.astype(np.float64), features.segment.astype(np.int64)
    per_session = int(features.attrs.get("trials_per_session") or segment.max())
    position = (segment - 1) % per_session + 1
    out = []
    for f, positions in enumerate(folds):
        test = np.isin(position, positions)
        if not test.any():
            raise ExperimentError(f"fold {f} (trial positions {list(positions)}) holds no window")
        val = np.isin(segment, carve_validation(segment, y, ~test, validation_per_class)) if validation_per_class else \
            np.zeros_like(test)
        train = ~test & ~val
        missing = sorted(set(range(len(classes))) - set(np.unique(y[train]).tolist()))
        if missing:
            raise ExperimentError(f"fold {f}: the training trials hold no window of class "
                                  f"{[classes[c] for c in missing]}; every class is needed")
        _missing_test_classes(y, test, classes)
        out.append(Fold(f, _window_data(eeg, other, y, segment, train),
                        _window_data(eeg, other, y, segment, val) if val.any() else None,
                        _window_data(eeg, other, y, segment, test)))
    return out


def kfold_folds(
    features: FeatureFile, *, task: str, threshold: float, n_folds: int, fold_unit: str, seed: int,
    eeg_feature: str = "de", validation: bool = True,
) -> list[Fold]:
    """k-fold cross-validation, stratified by class, at trial (default) or window level.

    ``fold_unit="trial"``: all windows of a trial fall in one fold, so no trial is on
    both sides of a split. ``fold_unit="window"``: windows are dealt to folds
    independently, as window-level papers do; windows of one trial then appear in
    training and test, which leaks trial identity (use only to compare with them).
    With ``validation``, fold ``(f + 1) % k`` of the training part is the validation
    split of fold ``f``.
    """
    y, classes = class_labels(features, task=task, threshold=threshold)
    eeg, other, segment = eeg_matrix(features, eeg_feature), features.other.astype(np.float64), features.segment.astype(np.int64)
    trials = np.unique(segment)
    trial_class = np.array([y[segment == t][0] for t in trials])
    counts = np.bincount(trial_class, minlength=len(classes))
    if (counts == 0).any():
        only = classes[int(np.argmax(counts))]
        raise ExperimentError(
            f"all {len(trials)} trials are in class '{only}' for {task} (threshold {threshold:g}); "
            "a binary task needs trials of both classes"
        )
    rng = np.random.default_rng(np.random.SeedSequence([seed, _stable_hash(task)]))
    if fold_unit == "trial":
        unit_fold = _stratified_assignment(trial_class, n_folds, rng)
        window_fold = unit_fold[np.searchsorted(trials, segment)]
    elif fold_unit == "window":
        window_fold = _stratified_assignment(y, n_folds, rng)
    else:
        raise ValueError(f"Invalid value for 'fold_unit'. Allowed values are 'trial' and 'window', but got {fold_unit!r} instead.")
    folds = []
    for f in range(n_folds):
        test = window_fold == f
        val = (window_fold == (f + 1) % n_folds) if validation and n_folds > 2 else np.zeros_like(test)
        train = ~test & ~val
        if len(np.unique(y[train])) < len(classes):
            log.warning("fold %d skipped: its training part lacks a class", f)
            continue
        folds.append(
            Fold(
                f, _window_data(eeg, other, y, segment, train),
                _window_data(eeg, other, y, segment, val) if val.any() else None,
                _window_data(eeg, other, y, segment, test),
            )
        )
    if not folds:
        raise ExperimentError(f"no fold of {task} has both classes in its training part")
    return folds


def _stratified_assignment(labels: np.ndarray, n_folds: int, rng: np.random.Generator) -> np.ndarray:
    """Fold index per unit: each class shuffled and dealt round-robin (sizes differ by <= 1)."""
    fold = np.empty(labels.size, dtype=np.int64)
    offset = 0
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        fold[members] = (np.arange(members.size) + offset) % n_folds
        offset += members.size  # continue the deal so small classes spread over folds
    return fold


# --- protocols over many recordings (subject-independent, cross-session) -------------

#: Protocol kinds of one recording each (the paper's subject-dependent protocols).
PER_RECORDING_KINDS = ("clips", "kfold", "trial_folds")
#: Protocol kinds whose experiments pool several recordings: one experiment per subject.
POOLED_KINDS = ("loso", "cross_session")
NORMALISATIONS = ("training", "per_subject")


@dataclass(frozen=True, eq=False)
class Pool:
    """The windows of several recordings, one row each, as the models take them.

    Segment ids are renumbered to be unique over the pool (each recording's ids are
    shifted past the previous recording's largest); ``subject`` and ``session`` say
    where every row came from. ``labels`` and ``attrs`` play the part of a
    :class:`~.store.FeatureFile`'s for :func:`class_labels`.
    """

    eeg: np.ndarray  # (n_windows, n_eeg_features) float32
    other: np.ndarray  # (n_windows, n_other_features) float32
    segment: np.ndarray  # (n_windows,) int64, unique across recordings
    labels: np.ndarray  # (n_windows, n_label_names)
    subject: np.ndarray  # (n_windows,) str
    session: np.ndarray  # (n_windows,) int
    attrs: dict


def read_pool(paths: Sequence[str], members: Sequence[Mapping], *, eeg_feature: str = "de") -> Pool:
    """Read the recordings of a pooled experiment (``members[i]``: ``subject`` and ``session``
    of ``paths[i]``), keeping float32 and only the columns the models use."""
    from .recording import DataFormatError
    from .store import read_model_inputs

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
    from .store import _open_h5

    with _open_h5(Path(path)) as f:
        return int(f["windows/segment"].shape[0])


def _random_state(seed: int, key: str) -> int:
    """An integer seed for a scikit-learn splitter, fixed by (seed, key)."""
    return int(np.random.SeedSequence([seed, _stable_hash(key)]).generate_state(1)[0] % (2**31 - 1))


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


def pooled_folds(pool: Pool, *, protocol: Mapping, task: str, seed: int) -> list[Fold]:
    """The one fold of a ``loso`` or ``cross_session`` experiment (``protocol["subject"]``).

    ``loso``: the subject's windows (all its sessions) are the test set; a seeded set of
    ``validation_subjects`` other subjects (scikit-learn ``GroupShuffleSplit`` over subject
    ids only, fixed by the seed and the held-out subject) is the validation split; the
    remaining subjects train. ``cross_session``: the subject's ``train_sessions`` train and
    its ``test_sessions`` test; the validation split is one fold of a seeded
    ``StratifiedGroupKFold`` (``validation_folds`` folds, whole trials) of the training trials.

    ``normalisation: per_subject`` first scales every subject (``cross_session``: every
    session) by its own statistics (:func:`standardise_per_group`); the default
    (``training``) leaves scaling to the models, which fit it on the training split only.
    """
    from sklearn.model_selection import GroupShuffleSplit, StratifiedGroupKFold

    kind, target = protocol["kind"], str(protocol["subject"])
    y, classes = class_labels(pool, task=task, threshold=protocol.get("threshold", 5.0))
    if target not in set(pool.subject.tolist()):
        raise ExperimentError(f"subject {target} is not in the pooled recordings ({sorted(set(pool.subject.tolist()))})")
    normalisation = protocol.get("normalisation", "training")
    if normalisation not in NORMALISATIONS:
        raise ExperimentError(f"normalisation {normalisation!r} is unknown (known: {', '.join(NORMALISATIONS)})")
    if normalisation == "per_subject":
        groups = pool.subject if kind == "loso" else np.char.add(pool.subject, "/" + pool.session.astype(str))
        pool = standardise_per_group(pool, groups)
    if kind == "loso":
        test = pool.subject == target
        others = np.array(sorted(set(pool.subject.tolist()) - {target}, key=lambda s: (len(s), s)))
        n_val = int(protocol.get("validation_subjects", 2))
        if n_val >= len(others):
            raise ExperimentError(f"{n_val} validation subjects leave none to train on ({len(others)} other subjects)")
        val_subjects = []
        if n_val:
            splitter = GroupShuffleSplit(n_splits=1, test_size=n_val, random_state=_random_state(seed, f"loso/{target}"))
            _, chosen = next(splitter.split(others, groups=others))
            val_subjects = sorted(others[chosen].tolist())
        val = np.isin(pool.subject, val_subjects)
        log.info("loso: test subject %s, validation subjects %s, training subjects %s", target, val_subjects,
                 sorted(set(others.tolist()) - set(val_subjects)))
    else:
        mine = pool.subject == target
        test = mine & np.isin(pool.session, protocol["test_sessions"])
        candidates = mine & np.isin(pool.session, protocol["train_sessions"])
        val = np.zeros_like(test)
        k = int(protocol.get("validation_folds", 5))
        if k:
            rows = np.flatnonzero(candidates)
            splitter = StratifiedGroupKFold(n_splits=k, shuffle=True,
                                            random_state=_random_state(seed, f"cross_session/{target}/{task}"))
            _, held = next(splitter.split(rows, y[rows], groups=pool.segment[rows]))
            val[rows[held]] = True
        log.info("cross_session: subject %s, sessions %s train (%d validation trials), %s test", target,
                 protocol["train_sessions"], len(np.unique(pool.segment[val])), protocol["test_sessions"])
    train = ~test & ~val if kind == "loso" else candidates & ~val
    for name, rows in (("train", train), ("test", test)):
        if not rows.any():
            raise ExperimentError(f"the {name} split of subject {target} holds no windows")
    missing = sorted(set(range(len(classes))) - set(np.unique(y[train]).tolist()))
    if missing:
        raise ExperimentError(f"the training split holds no window of class {[classes[c] for c in missing]}")
    _missing_test_classes(y, test, classes)
    split = lambda rows: _window_data(pool.eeg, pool.other, y, pool.segment, rows)  # noqa: E731
    return [Fold(0, split(train), split(val) if val.any() else None, split(test))]


def experiment_features(features_path: "str | Sequence[str]", protocol: Mapping) -> "FeatureFile | Pool":
    """The features an experiment reads: one file (per-recording kinds) or a :class:`Pool`
    of the files of ``protocol["members"]`` (pooled kinds), in the order given."""
    paths = [features_path] if isinstance(features_path, (str, Path)) else list(features_path)
    if protocol["kind"] in POOLED_KINDS:
        return read_pool(paths, protocol["members"], eeg_feature=protocol.get("eeg_feature", "de"))
    if len(paths) != 1:
        raise ExperimentError(f"protocol kind {protocol['kind']!r} reads one feature file, got {len(paths)}")
    return read_features(paths[0])


def experiment_folds(features: "FeatureFile | Pool", *, protocol: Mapping, task: str, seed: int) -> list[Fold]:
    """Folds of one experiment from the dataset's ``protocol`` config section.

    ``features`` is one recording's :class:`~.store.FeatureFile` for the per-recording
    kinds (clips, trial_folds, kfold) and a :class:`Pool` of several for ``loso`` and
    ``cross_session`` (whose ``protocol`` then names the experiment's ``subject``).
    """
    kind = protocol["kind"]
    if kind in POOLED_KINDS:
        if not isinstance(features, Pool):
            raise ExperimentError(f"protocol kind {kind!r} needs the feature files of several recordings (a Pool)")
        return pooled_folds(features, protocol=protocol, task=task, seed=seed)
    if kind not in PER_RECORDING_KINDS:
        raise ExperimentError(f"protocol kind {kind!r} is unknown (known: {', '.join(PER_RECORDING_KINDS + POOLED_KINDS)})")
    if kind == "clips":
        return clip_folds(
            features, task=task, train_clips=protocol["train_clips"], validation_clips=protocol.get("validation_clips", []),
            test_clips=protocol["test_clips"], eeg_feature=protocol.get("eeg_feature", "de"),
            validation_per_class=protocol.get("validation_per_class", 0),
        )
    if protocol["kind"] == "trial_folds":
        return trial_folds(features, task=task, folds=protocol["folds"],
                           validation_per_class=protocol.get("validation_per_class", 1),
                           eeg_feature=protocol.get("eeg_feature", "de"))
    return kfold_folds(
        features, task=task, threshold=protocol.get("threshold", 5.0), n_folds=protocol["n_folds"],
        fold_unit=protocol.get("fold_unit", "trial"), seed=seed, eeg_feature=protocol.get("eeg_feature", "de"),
        validation=protocol.get("validation", True),
    )


# --- random search -------------------------------------------------------------------


def _stable_hash(text: str) -> int:
    return zlib.crc32(text.encode())


def sample_configuration(space: Mapping[str, Mapping], *, seed: int, experiment: str, model: str, index: int) -> dict:
    """Configuration ``index`` of ``model`` on ``experiment``; identical on every machine.

    Each entry of ``space`` is one of ``{log10: [a, b]}`` (10 ** uniform(a, b)),
    ``{uniform: [a, b]}``, ``{int: [a, b]}`` (uniform integer, both ends included),
    ``{choice: [...]}`` or ``{value: x}``. A ``keep_prob`` entry (the paper's "dropout
    probability", which in TensorFlow 0.x was the probability of keeping a unit) is
    turned into Keras' ``dropout = 1 - keep_prob``.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, _stable_hash(experiment), _stable_hash(model), index]))
    config = {}
    for name in sorted(space):
        spec = space[name]
        (kind, arg), = spec.items()
        if kind == "log10":
            value = float(10 ** rng.uniform(*arg))
        elif kind == "uniform":
            value = float(rng.uniform(*arg))
        elif kind == "int":
            value = int(rng.integers(arg[0], arg[1] + 1))
        elif kind == "choice":
            value = arg[int(rng.integers(len(arg)))]
        elif kind == "value":
            value = arg
        else:
            raise ValueError(f"search space entry {name!r}: unknown kind {kind!r}")
        config[name] = value
    if "keep_prob" in config:
        config["dropout"] = 1.0 - config.pop("keep_prob")
    config["seed"] = int(rng.integers(2**31 - 1))
    return config


def config_groups(n_configs: int, *, group_size: int = 1, sizes: Sequence | None = None) -> list[list[int]]:
    """Configurations trained together, ``group_size`` at a time.

    Without ``sizes``: consecutive indices ``[0..K-1], [K..2K-1], ...``. With
    ``sizes`` (one sortable key per configuration, e.g. its hidden sizes): the
    indices ordered by ``(size, index)`` and cut into runs of K, so a group pads its
    networks to similar sizes (padding is wasted work). Either way the groups are a
    fixed function of the configurations, not of ``search.shards``; each group is
    listed in index order and the groups in the order of their first index.
    """
    if group_size < 1:
        raise ValueError(f"group_size must be >= 1, got {group_size!r}.")
    order = list(range(n_configs)) if sizes is None else sorted(range(n_configs), key=lambda k: (sizes[k], k))
    groups = [sorted(order[a:a + group_size]) for a in range(0, n_configs, group_size)]
    return sorted(groups)


def shard_indices(n_configs: int, *, shard: int, n_shards: int, group_size: int = 1,
                  sizes: Sequence | None = None) -> list[int]:
    """Configurations run by one shard: whole groups ``shard, shard + n_shards, ...``
    of :func:`config_groups`.

    With ``group_size=1`` these are configurations ``shard, shard + n_shards, ...``.
    """
    groups = config_groups(n_configs, group_size=group_size, sizes=sizes)
    return [k for group in groups[shard::n_shards] for k in group]


# --- training and evaluation ---------------------------------------------------------


def _accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(y_true == y_pred)) if y_true.size else float("nan")


def train_shard(
    *, features_path: str, experiment: str, task: str, protocol: Mapping, model_name: str, model_class: str,
    space: Mapping, fixed: Mapping, n_configs: int, shard: int, n_shards: int, seed: int, output_dir: str,
    threads: int = 1, group_size: int = 1, precision: str = "float32", device: str = "auto",
) -> None:
    """Train every configuration of one shard on every fold; save the models.

    Writes ``output_dir/config{k:04d}/fold{f:02d}/`` (one saved model each; for the
    networks also :data:`SVM_INPUTS_FILE`, see :func:`_save_svm_inputs`, for the other
    models :data:`PREDICTIONS_FILE`, see :func:`_save_predictions`) and
    ``output_dir/training.json`` (hyper-parameters, epochs, seconds per run), the file
    Snakemake tracks; the folder is assembled under a temporary name and renamed.

    Bimodal-LSTM configurations are trained ``group_size`` at a time in one graph
    (:func:`~.models.grouped_lstm.fit_grouped`, with ``precision`` and ``device``);
    groups are configurations of similar hidden sizes (:func:`config_groups`, a fixed
    function of the sampled configurations) and shards hold whole groups, so neither the group nor the shard count a configuration lands in depends
    on ``n_shards``. Other models, and ``group_size=1``, train one at a time.
    """
    from .models import build_model, needs_tensorflow
    from .models.base import PHASE_SECONDS, phase

    log.info("job start: process started %.2f s ago (Python and package imports)", _process_age())
    if needs_tensorflow(model_class):
        with phase("import_tensorflow"):
            _limit_threads(threads)
    try:
        features = experiment_features(features_path, protocol)
        folds = experiment_folds(features, protocol=protocol, task=task, seed=seed)
    except ExperimentError as err:
        log.error("%s %s: %s", experiment, task, err)
        folds, reason = [], str(err)
    else:
        reason = build_model(model_class, **fixed).input_problem(folds[0].train) if folds else ""
        if reason:  # e.g. the "other modality only" SVM without eye features: absent, with a note
            log.error("%s %s: %s", experiment, task, reason)
            folds = []
    runs = []
    output = Path(output_dir)
    grouped = model_class == "bimodal_lstm" and group_size > 1
    every = [{**sample_configuration(space, seed=seed, experiment=f"{experiment}/{task}", model=model_name, index=k),
              **fixed} for k in range(n_configs)]
    sizes = [(h.get("eeg_hidden", 0), h.get("other_hidden", 0)) for h in every]  # similar sizes, little padding
    groups = config_groups(n_configs, group_size=group_size if grouped else 1, sizes=sizes)[shard::n_shards]
    n_in_shard = sum(len(g) for g in groups)
    shard_start = time.perf_counter()
    done = 0
    with atomic_dir(output) as tmp:
        for group in groups:
            hypers = {k: every[k] for k in group}
            for fold in folds:
                start = time.perf_counter()
                for k in group:
                    log.info("%s %s: config %d/%d fold %d: %s", experiment, model_name, k + 1, n_configs, fold.index,
                             hypers[k])
                if needs_tensorflow(model_class):  # phases inside: build, trace, training_steps
                    fitted = _fit_group(model_class, hypers, fold, grouped=grouped, precision=precision, device=device)
                else:  # no build or trace to tell apart: the whole fit is training
                    with phase("training_steps"):
                        fitted = _fit_group(model_class, hypers, fold, grouped=grouped, precision=precision,
                                            device=device)
                seconds = (time.perf_counter() - start) / len(group)  # a group's time is shared
                for k, model in fitted.items():
                    with phase("save"):
                        model.save(tmp / f"config{k:04d}" / f"fold{fold.index:02d}")
                        if model.is_network:
                            _save_svm_inputs(model, fold, tmp / f"config{k:04d}" / f"fold{fold.index:02d}")
                        else:
                            _save_predictions(model, fold, tmp / f"config{k:04d}" / f"fold{fold.index:02d}")
                    history = getattr(model, "history", None) or {}
                    epochs = int(history.get("epochs", 0))
                    runs.append({"config": k, "fold": fold.index, "hyperparameters": hypers[k], "epochs": epochs,
                                 "best_epoch": int(history.get("best_epoch", 0)),
                                 "optimizer_steps": int(history.get("optimizer_steps", 0)),
                                 "restored_steps": int(history.get("restored_steps", 0)),
                                 "group": group[0],  # first index of the configurations trained with it
                                 "seconds": round(seconds, 3)})
                    log.info("  config %d done, %.1f s, %d epochs (restored epoch %d)", k, seconds, epochs,
                             runs[-1]["best_epoch"])
            done += len(group)
            elapsed = time.perf_counter() - shard_start
            log.info("%d of %d configurations in this shard finished (last index %d of %d): %.0f s elapsed, about "
                     "%.0f s left", done, n_in_shard, group[-1], n_configs, elapsed,
                     elapsed / done * (n_in_shard - done))
        runs.sort(key=lambda r: (r["config"], r["fold"]))
        (tmp / "training.json").write_text(json.dumps({"experiment": experiment, "task": task, "model": model_name,
                                                        "not_evaluable": reason, "runs": runs}, indent=1))
    log.info("job phases (s): %s; job end: %.2f s after process start",
             json.dumps({k: round(v, 3) for k, v in sorted(PHASE_SECONDS.items())}), _process_age())


def _process_age() -> float:
    """Seconds since this process started (Linux /proc; NaN elsewhere), for the phase log
    that benchmarks/bench_network_job.py reads."""
    import os

    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


#: A network's last layer and its inputs on every split, saved by train_shard.
SVM_INPUTS_FILE = "svm_inputs.npz"


def _save_svm_inputs(model, fold: Fold, directory: Path) -> None:
    """Save the SVM layer's weights and its inputs (``extract_features``) on each split.

    The refit and the evaluation need nothing else of a network: its scores are these
    inputs times the layer's weights. Computing them here, where TensorFlow is loaded
    and the model built, lets ``evaluate_shard`` run without TensorFlow (measured: its
    jobs cost more in TensorFlow start-up, model loading and tracing than the refit).
    Nothing fitted reads the test inputs; they are the network's forward pass.
    """
    kernel, bias = model.svm_weights()
    arrays = {"kernel": kernel, "bias": bias}
    for split in ("train", "val", "test"):
        data = getattr(fold, split)
        if data is not None:
            arrays[f"features_{split}"] = model.extract_features(data).astype(np.float32)
    with open(directory / SVM_INPUTS_FILE, "wb") as f:
        np.savez(f, **arrays)


#: A model's predictions and own figures (e.g. DCCA's correlations) per split, saved by train_shard.
PREDICTIONS_FILE = "fold_predictions.npz"


def _save_predictions(model, fold: Fold, directory: Path) -> None:
    """Save the predicted classes and :meth:`~.models.base.EmotionModel.split_figures` of
    each split, for a model without a refit step: its evaluation is then fixed at training
    time, and ``evaluate_shard`` needs neither the model nor TensorFlow (DCCA's jobs
    spent most of their time starting TensorFlow to load it). Nothing fitted reads them."""
    arrays = {}
    for split in ("train", "val", "test"):
        data = getattr(fold, split)
        if data is not None:
            arrays[f"pred_{split}"] = model.predict(data)
            for key, value in model.split_figures(data).items():
                arrays[f"figure_{split}_{key}"] = np.asarray(value, np.float64)
    with open(directory / PREDICTIONS_FILE, "wb") as f:
        np.savez(f, **arrays)


def _fit_group(model_class: str, hypers: Mapping[int, dict], fold: Fold, *, grouped: bool, precision: str,
               device: str) -> dict:
    """Fit the configurations ``hypers`` (index -> hyper-parameters) on one fold."""
    from .models import build_model

    if not grouped:
        models = {k: build_model(model_class, **h) for k, h in hypers.items()}
        # a transductive variant (BDAE fit_on_test_windows, off by default) also gets the test windows, no labels
        return {k: m.fit(fold.train, fold.val, **({"unlabelled": fold.test} if getattr(m, "uses_test_windows", False)
                                                  else {})) for k, m in models.items()}
    from .models.grouped_lstm import fit_grouped

    models = [build_model(model_class, **h) for h in hypers.values()]
    fitted = fit_grouped(models, fold.train, fold.val, precision=precision, device=device)
    return dict(zip(hypers, fitted))


#: Per-epoch series of a model's history kept for the learning-curve figure.
CURVE_KEYS = ("loss", "train_accuracy", "monitored_accuracy", "train_correlation", "monitored_correlation",
              "best_epoch", "monitor")


def evaluate_shard(
    *, features_path: str, training_dir: str, task: str, protocol: Mapping, seed: int, refit: Mapping,
    output_csv: str, output_predictions: str, output_curves: str | None = None,
) -> None:
    """Evaluate every trained model of a shard, networks before and after the SVM refit.

    One CSV row per configuration and fold: hyper-parameters; epochs run, restored
    epoch and optimiser steps; for networks the accuracy (train/val/test) and
    training objective J of the network alone (``network_*``), then the refit
    (``refit_*``: J at liblinear's point and at the final one, both float64, and as the
    network computes it after the copy-back; liblinear's iterations and the finite
    Newton steps; the certificate: relative gradient, largest KKT violation, relative
    duality gap); and the final train/val/test accuracy (after the refit when it is
    enabled), and a model's own figures per split (``{split}_{key}`` from
    ``split_figures``, e.g. DCCA's ``test_correlation``). Test predictions go to an
    ``.npz`` keyed ``c{config}_f{fold}_{true|pred}`` for confusion matrices; the
    per-epoch curves of every model trained by epochs (networks, DCCA) to ``output_curves``
    (JSON, keyed ``c{config}_f{fold}``).
    """
    import pandas as pd

    from .models.base import HYPERPARAMETER_FILE, STATE_FILE
    from .models.svm import REFIT_EPS, layer_objective, layer_scores, refit_svm_layer

    training = json.loads((Path(training_dir) / "training.json").read_text())
    features = experiment_features(features_path, protocol) if training["runs"] else None
    folds = {f.index: f for f in experiment_folds(features, protocol=protocol, task=task, seed=seed)} if training["runs"] else {}
    rows, predictions, curves = [], {}, {}
    splits = ("train", "val", "test")
    for run in training["runs"]:
        fold = folds[run["fold"]]
        directory = Path(training_dir) / f"config{run['config']:04d}" / f"fold{run['fold']:02d}"
        row = {"config": run["config"], "fold": run["fold"], **{f"hp_{k}": v for k, v in sorted(run["hyperparameters"].items())},
               "epochs": run["epochs"], "best_epoch": run.get("best_epoch", 0), "optimizer_steps": run.get("optimizer_steps", 0),
               "restored_steps": run.get("restored_steps", 0), "seconds": run["seconds"]}
        network = (directory / SVM_INPUTS_FILE).exists()
        if network:  # the layer and its inputs: no TensorFlow needed (see _save_svm_inputs)
            with np.load(directory / SVM_INPUTS_FILE) as saved:
                inputs = {k: saved[k] for k in saved.files}
            kernel, bias = inputs["kernel"], inputs["bias"]
            lam = float(json.loads((directory / HYPERPARAMETER_FILE).read_text())["hyperparameters"]["l2"])

            def predict(data, split):  # with the layer as it is when called: before, then after the refit
                return np.argmax(layer_scores(inputs[f"features_{split}"], kernel, bias), axis=1).astype(np.int64)

            for split in splits:  # the network alone, before any refit
                data = getattr(fold, split)
                row[f"network_{split}_accuracy"] = float("nan") if data is None else _accuracy(data.y, predict(data, split))
            row["network_objective"] = layer_objective(inputs["features_train"], fold.train.y, kernel, bias, lam)
            history = json.loads((directory / STATE_FILE).read_text())["history"]
            curves[f"c{run['config']}_f{run['fold']}"] = {key: history[key] for key in CURVE_KEYS if key in history}
            if refit.get("enabled", True):
                start = time.perf_counter()
                kernel, bias, report = refit_svm_layer(
                    inputs["features_train"], fold.train.y, kernel=kernel, bias=bias, lam=lam,
                    eps=refit.get("eps", REFIT_EPS), exact=refit.get("exact", True),
                    name=f"config {run['config']} fold {run['fold']}")
                row.update(refit_objective=report.objective_after, refit_objective_liblinear=report.objective_liblinear,
                           refit_objective_network=report.objective_after_network,
                           refit_liblinear_iterations=report.liblinear_iterations,
                           refit_newton_steps=report.newton_steps, refit_converged=report.converged,
                           refit_relative_gradient=report.relative_gradient,
                           refit_kkt_violation=report.kkt_violation, refit_duality_gap=report.duality_gap,
                           refit_seconds=round(time.perf_counter() - start, 3), svm_certificate=report.certificate)
            else:  # the network's own layer, as trained: its distance from J's minimum
                from .models.finite_newton import ovr_certificate

                row["svm_certificate"] = ovr_certificate(kernel, bias, inputs["features_train"], fold.train.y, lam).worst
        else:  # no refit: predictions and figures were fixed at training time
            with np.load(directory / PREDICTIONS_FILE) as saved:
                stored = {k: saved[k] for k in saved.files}
            predict = lambda data, split: stored[f"pred_{split}"]  # noqa: E731
            history = json.loads((directory / STATE_FILE).read_text())["history"]
            row["svm_certificate"] = history.get("svm_certificate", float("nan"))  # NaN: no linear SVM in the model
            if isinstance(history.get("loss"), list):  # trained by epochs, e.g. DCCA
                curves[f"c{run['config']}_f{run['fold']}"] = {key: history[key] for key in CURVE_KEYS if key in history}
            for key in sorted(stored):  # model-specific figures, e.g. DCCA's held-out canonical correlation
                if key.startswith("figure_"):
                    row[key[len("figure_"):]] = float(stored[key])
        for split in splits:
            data = getattr(fold, split)
            if data is None:
                row[f"{split}_accuracy"] = float("nan")
                continue
            predicted = predict(data, split)
            row[f"{split}_accuracy"] = _accuracy(data.y, predicted)
            if split == "test":
                predictions[f"c{run['config']}_f{run['fold']}_true"] = data.y
                predictions[f"c{run['config']}_f{run['fold']}_pred"] = predicted
                predictions[f"f{run['fold']}_train_counts"] = np.bincount(fold.train.y)  # for the training-majority floor
        if network:
            log.info("config %d fold %d: network alone train %.3f val %.3f test %.3f (J %.4g); final train %.3f val %.3f test %.3f%s",
                     run["config"], run["fold"], row["network_train_accuracy"], row["network_val_accuracy"],
                     row["network_test_accuracy"], row["network_objective"], row["train_accuracy"], row["val_accuracy"],
                     row["test_accuracy"], f" (refit J {row['refit_objective']:.4g})" if "refit_objective" in row else "")
        else:
            log.info("config %d fold %d: train %.3f val %.3f test %.3f", run["config"], run["fold"],
                     row["train_accuracy"], row["val_accuracy"], row["test_accuracy"])
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not rows:
        frame = pd.DataFrame(columns=["config", "fold", "epochs", "seconds", "train_accuracy", "val_accuracy", "test_accuracy"])
        if training["not_evaluable"]:  # one row, so that merge_search sees the reason
            frame.loc[0] = np.nan
    frame["not_evaluable"] = training["not_evaluable"]
    with atomic_path(output_csv) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_path(output_predictions) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **predictions)
    if output_curves:
        with atomic_path(output_curves) as tmp:
            tmp.write_text(json.dumps(curves))


def _limit_threads(threads: int) -> None:
    """Keep TensorFlow to the cores the rule declared (it would take all of them)."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # already initialised in this process
        pass


# --- merge and selection -------------------------------------------------------------


#: Per-configuration figures (means over folds) carried into the result of the chosen one.
SELECTED_FIGURES = (
    "network_train_accuracy", "network_val_accuracy", "network_test_accuracy", "network_objective",
    "refit_objective", "refit_objective_liblinear", "epochs", "best_epoch", "optimizer_steps",
    "refit_newton_steps", "train_correlation", "val_correlation", "test_correlation",
)


#: The certificate columns of a refit row (:class:`~.models.finite_newton.Certificate`).
REFIT_CERTIFICATE = ("refit_relative_gradient", "refit_kkt_violation", "refit_duality_gap")


def select_configuration(search: "pd.DataFrame", *, selection: str) -> dict:  # noqa: F821
    """Mean accuracy over folds per configuration, and the configuration picked by
    ``selection`` ("validation": highest mean validation accuracy; "test": highest mean
    test accuracy, the paper's best-of-N). Ties go to the lower configuration index."""
    key = {"validation": "val_accuracy", "test": "test_accuracy"}[selection]
    extra = [c for c in SELECTED_FIGURES if c in search.columns]
    per_config = search.groupby("config")[["train_accuracy", "val_accuracy", "test_accuracy", *extra]].mean(numeric_only=True)
    if per_config[key].isna().all():
        raise ExperimentError(f"selection by {selection} needs {key}, which no run has (no validation split?)")
    best = int(per_config[key].idxmax())
    chosen = per_config.loc[best]
    return {
        "selection": selection, "config": best, "n_configs": int(len(per_config)),
        "train_accuracy": float(chosen["train_accuracy"]), "val_accuracy": float(chosen["val_accuracy"]),
        "test_accuracy": float(chosen["test_accuracy"]),
        **{c: _plain(np.float64(chosen[c])) for c in extra},
        "test_accuracy_folds": search.loc[search["config"] == best].sort_values("fold")["test_accuracy"].tolist(),
    }


def merge_shards(
    *, shard_csvs: Sequence[str], shard_predictions: Sequence[str], experiment: str, dataset: str, task: str,
    model: str, selections: Sequence[str], n_classes: int, output_csv: str, output_json: str,
    features_path: "str | Sequence[str] | None" = None, provenance: Mapping | None = None,
    shard_curves: Sequence[str] = (), protocol: Mapping | None = None,
) -> None:
    """Join a search's shards into one CSV and pick the configuration per selection mode.

    The result JSON records the provenance of the run and the raw files' SHA-256 (from
    the feature files). An experiment of a pooled protocol (``loso``, ``cross_session``)
    also records the protocol's name, its normalisation and the experiment's subject."""
    import pandas as pd

    search = pd.concat([pd.read_csv(p) for p in shard_csvs], ignore_index=True).sort_values(["config", "fold"])
    reasons = sorted({str(r) for r in search.get("not_evaluable", pd.Series(dtype=str)).dropna() if str(r)})
    curves = {}
    for path in shard_curves:
        curves.update(json.loads(Path(path).read_text()))
    predictions = {}
    for path in shard_predictions:
        with np.load(path) as content:
            predictions.update({k: content[k] for k in content.files})
    from .store import read_attrs

    sources = {}
    for path in ([features_path] if isinstance(features_path, (str, Path)) else features_path or []):
        sources.update(read_attrs(path).get("source_files", {}))
    result = {"dataset": dataset, "experiment": experiment, "task": task, "model": model, "not_evaluable": "; ".join(reasons),
              "selections": {}, "provenance": {**dict(provenance or {}), "source_files": sources}}
    if protocol is not None and protocol["kind"] in POOLED_KINDS:
        result.update(protocol=protocol.get("name", protocol["kind"]), protocol_kind=protocol["kind"],
                      subject=str(protocol["subject"]), normalisation=protocol.get("normalisation", "training"))
    if not search.empty and not reasons:
        for selection in selections:
            chosen = select_configuration(search, selection=selection)
            confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
            for fold in search.loc[search["config"] == chosen["config"], "fold"]:
                y_true = predictions[f"c{chosen['config']}_f{fold}_true"]
                y_pred = predictions[f"c{chosen['config']}_f{fold}_pred"]
                np.add.at(confusion, (y_true, y_pred), 1)
            chosen["confusion"] = confusion.tolist()
            hp_columns = [c for c in search.columns if c.startswith("hp_")]
            first = search.loc[search["config"] == chosen["config"]].iloc[0]
            chosen["hyperparameters"] = {c[3:]: _plain(first[c]) for c in hp_columns}
            if "svm_certificate" in search.columns:  # the worst over the chosen configuration's folds
                chosen["svm_certificate"] = _plain(np.float64(
                    search.loc[search["config"] == chosen["config"], "svm_certificate"].max()))
            if "refit_converged" in search.columns:
                rows = search.loc[search["config"] == chosen["config"]]
                chosen["refit_converged"] = bool(rows["refit_converged"].astype(bool).all())
                chosen["refit_certificate"] = _plain(np.float64(rows[list(REFIT_CERTIFICATE)].max().max()))
            fold_curves = {f"fold{int(f)}": curves[f"c{chosen['config']}_f{int(f)}"]
                           for f in search.loc[search["config"] == chosen["config"], "fold"]
                           if f"c{chosen['config']}_f{int(f)}" in curves}
            if fold_curves:
                chosen["learning_curves"] = fold_curves
            result["selections"][selection] = chosen
        result["training_majority"] = _training_majority(search, predictions, n_classes)
    with atomic_path(output_csv) as tmp:
        search.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_path(output_json) as tmp:
        tmp.write_text(json.dumps(result, indent=1, sort_keys=True))


def merge_search(
    *, features_path: "str | Sequence[str]", training_dirs: Sequence[str], task: str, protocol: Mapping, seed: int,
    refit: Mapping, experiment: str, dataset: str, model: str, selections: Sequence[str], n_classes: int,
    output_csv: str, output_json: str, provenance: Mapping | None = None,
) -> None:
    """The second (and last) job of an experiment x model: evaluate every shard's trained
    models (the networks' SVM refit included, :func:`evaluate_shard`), then join the shards
    and select (:func:`merge_shards`).

    The refit lives here rather than in the training job so that a change of the refit
    settings re-evaluates without retraining; it reads only what training saved (layer
    inputs, predictions), so this job never imports TensorFlow. Each shard's evaluation
    goes through the same CSV text as the former ``evaluate_shard`` job wrote (a temporary
    folder under $TMPDIR, removed afterwards), so selection sees the same rounded figures and the
    tables are byte-identical to the three-job layout."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="evaluation-") as scratch:
        csvs, npzs, curves = [], [], []
        for index, training_dir in enumerate(training_dirs):
            log.info("evaluating shard %d of %d (%s)", index + 1, len(training_dirs), training_dir)
            csvs.append(f"{scratch}/shard{index}.csv")
            npzs.append(f"{scratch}/shard{index}.npz")
            curves.append(f"{scratch}/shard{index}.json")
            evaluate_shard(features_path=features_path, training_dir=training_dir, task=task, protocol=protocol,
                           seed=seed, refit=refit, output_csv=csvs[-1], output_predictions=npzs[-1],
                           output_curves=curves[-1])
        merge_shards(shard_csvs=csvs, shard_predictions=npzs, shard_curves=curves, experiment=experiment,
                     dataset=dataset, task=task, model=model, selections=selections, n_classes=n_classes,
                     output_csv=output_csv, output_json=output_json, features_path=features_path,
                     provenance=provenance, protocol=protocol)


def _training_majority(search, predictions: Mapping, n_classes: int) -> dict | None:
    """The floor of the experiment's protocol (:func:`~.statistics.training_majority`):
    every fold's test windows predicted as its training split's majority class. The folds
    do not depend on the configuration, so the first configuration's test labels serve."""
    from .statistics import training_majority

    config = int(search["config"].min())
    folds = sorted(int(f) for f in search.loc[search["config"] == config, "fold"])
    if not all(f"f{f}_train_counts" in predictions for f in folds):
        return None
    return training_majority([predictions[f"f{f}_train_counts"] for f in folds],
                             [predictions[f"c{config}_f{f}_true"] for f in folds], n_classes)


def _plain(value):
    if isinstance(value, np.bool_):  # e.g. a boolean hyper-parameter read back from the search CSV
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if math.isnan(value) else float(value)
    return value
