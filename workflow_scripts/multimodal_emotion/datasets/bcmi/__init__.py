"""The SEED lab's (BCMI, SJTU) file formats, shared by SEED, SEED-IV, SEED-V and SEED-VII.

A dataset of the family is a :class:`Spec` (trials per session, labels per session,
channels, the lab's bands and windows, eye-feature names) plus the *entries* it offers;
each entry is put together from readers of a few shared formats, one module each:

=====================  ==============================================================
module                 format
=====================  ==============================================================
:mod:`.eeg_mat`        ``{initials}_eeg{t}`` .mat EEG (SEED ``Preprocessed_EEG``,
                       SEED-IV ``eeg_raw_data``) and ``label.mat``
:mod:`.feature_mat`    smoothed-feature .mat (``de_LDS{t}``, ``de_movingAve{t}``, ...;
                       SEED ``ExtractedFeatures``, SEED-IV ``eeg_feature_smooth``) and
                       eye-feature .mat (``eye_{t}``, SEED-IV ``eye_feature_smooth``)
:mod:`.pickled`        pickled dicts in .npz / pickle files (SEED_Multimodal; SEED-V
                       ``EEG_DE_features`` and ``Eye_movement_features``), read with a
                       restricted unpickler
:mod:`.cnt`            Neuroscan .cnt recordings
:mod:`.trial_times`    trial times as text (SEED ``time.txt`` in samples, SEED-V
                       ``trial_start_end_timestamp.txt`` in seconds)
:mod:`.video_mat`      per-subject .mat files keyed by video (SEED-VII ``EEG_preprocessed``
                       ``'{v}'``, ``EEG_features`` ``de_LDS_{v}``..., ``EYE_features``) and
                       the label workbook (``emotion_label_and_stimuli_order.xlsx``)
=====================  ==============================================================

A reader never uses a dataset's module constant: how many trials, which labels, which
channels come from the :class:`Spec` it is given. Every problem with a file raises
:class:`~..recording.DataFormatError` (raw files: ``RawFormatError``), one line naming
the file and the problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...recording import (
    ConfigError,
    DataFormatError,
    LabelClasses,
    Recording,
    Segment,
    ShippedFeatures,
    ShippedWindows,
    sha256_of,
)

# The lab's bands as its readmes state them (inclusive edges, Hz), in the order of the
# last axis of every smoothed-feature variable (SEED and SEED-IV alike).
LAB_BANDS = {"delta": (1.0, 3.0), "theta": (4.0, 7.0), "alpha": (8.0, 13.0), "beta": (14.0, 30.0),
             "gamma": (31.0, 50.0)}

#: ``Recording.other_kind`` of the lab's eye features as it ships them (one row per window).
LAB_EYE_KIND = "lab_eye_features"
#: ``<dataset>.nan_windows``: a window with NaN/inf in the shipped features stops the job or is left out.
NAN_WINDOWS = ("error", "drop")


def subject_of(recording: str) -> str:
    """Subject id of a recording named ``{subject}_...`` (``"12_20131127"`` -> ``"12"``), as the
    lab names its files."""
    return recording.split("_")[0]


@dataclass(frozen=True)
class Spec:
    """What the format readers need to know about one dataset of the lab's family.

    name : str
        Dataset name (``Recording.dataset``).
    channels : tuple of str
        EEG channels in file order.
    sfreq : float
        Sampling rate of the preprocessed EEG (Hz).
    n_trials : int
        Trials (film clips) per session.
    session_labels : tuple of tuple of int
        Label of every trial, per session (session k uses entry k - 1; a single entry
        serves every session).
    classes : LabelClasses
        Categorical: label value ``values[i]`` is class ``class_names[i]``.
    label_name : str
        The task's name (``"emotion"``).
    bands : dict of str -> (float, float)
        The lab's bands, in the order of the features' band axis.
    eye_feature_names : tuple of str
        Names of the lab's eye features, in file order (empty when it ships none).
    """

    name: str
    channels: tuple[str, ...]
    sfreq: float
    n_trials: int
    session_labels: tuple[tuple[int, ...], ...]
    classes: LabelClasses
    label_name: str = "emotion"
    bands: Mapping[str, tuple[float, float]] = field(default_factory=lambda: dict(LAB_BANDS))
    eye_feature_names: tuple[str, ...] = ()

    def labels(self, session: int = 1) -> tuple[int, ...]:
        """Labels of the trials of ``session`` (1-based)."""
        if len(self.session_labels) == 1:
            return self.session_labels[0]
        if not 1 <= session <= len(self.session_labels):
            raise ValueError(f"session must be 1-{len(self.session_labels)}, got {session!r}")
        return self.session_labels[session - 1]

    @property
    def label_set(self) -> frozenset[int]:
        return frozenset(int(v) for v in self.classes.values)


def synthetic_shortest_trial_s(config: Mapping, name: str, default: tuple[float, float]) -> float | None:
    """Shortest trial of a synthetic copy (``{name}.synthetic_trial_seconds``, else ``default``);
    None for a user's copy, whose trials are as long as they are."""
    cfg = config[name]
    if cfg["source"] != "synthetic":
        return None
    low, high = cfg.get("synthetic_trial_seconds", default)
    if low > high:
        raise ConfigError(f"{name}.synthetic_trial_seconds", f"minimum {low} exceeds maximum {high}")
    return low


def check_labels(path: Path, what: str, labels: np.ndarray, expected: Sequence[int]) -> None:
    """One line when a file's per-trial labels differ from the dataset's."""
    labels = np.asarray(labels).ravel()
    if labels.size != len(expected) or not np.array_equal(labels.astype(float), np.asarray(expected, dtype=float)):
        first = next((i for i, (a, b) in enumerate(zip(labels.tolist(), expected)) if a != b), min(labels.size,
                                                                                                    len(expected)))
        raise DataFormatError(path, f"{what} {labels.astype(int).tolist()[:30]} do not match the dataset's labels "
                              f"{list(expected)} (first difference at trial {first + 1})")


def recording(
    spec: Spec, *, name: str, subject: str, segments: list[Segment], sources: Sequence[str | Path],
    other_kind: str = "none", shipped: ShippedFeatures | None = None, trials_per_session: int = 0,
) -> Recording:
    """A :class:`Recording` of a family dataset (channels, classes and label name from ``spec``)."""
    return Recording(
        name=name, sfreq=spec.sfreq, ch_names=spec.channels, label_names=(spec.label_name,), segments=segments,
        other_kind=other_kind, source_files={str(p): sha256_of(p) for p in sources},
        classes={spec.label_name: spec.classes}, subject=subject, dataset=spec.name, shipped=shipped,
        trials_per_session=trials_per_session,
    )


def nan_windows_left_out(finite: np.ndarray, *, nan_windows: str, config_key: str, path: Path | None, what: str,
                         empty_path: Path | None = None, empty_what: str | None = None) -> int:
    """How many windows of a trial ``finite`` leaves out (NaN/inf in its shipped features).

    With ``nan_windows`` ``"error"`` any such window is one line naming ``path`` and ``what``
    (the trial) and the config key that drops them (``{config_key}.nan_windows``); with
    ``"drop"`` their count, unless no window is left (one line naming ``empty_path`` and
    ``empty_what``, by default ``path`` and ``what``)."""
    if finite.all():
        return 0
    if nan_windows == "error":
        raise DataFormatError(path, f"{what}: {int((~finite).sum())} window(s) with NaN/inf (first window "
                              f"{int(np.argmin(finite))}); set {config_key}.nan_windows: drop to leave them out")
    if not finite.any():
        raise DataFormatError(empty_path or path, f"{empty_what or what}: no window without NaN/inf")
    return int((~finite).sum())


def shipped_segment(spec: Spec, *, index: int, label: float, de: np.ndarray, psd: np.ndarray | None,
                    other: np.ndarray | None, finite: np.ndarray, window_s: float) -> Segment:
    """A segment of the lab's shipped features (no signal): the windows ``finite`` keeps,
    each starting at its position x ``window_s``."""
    return Segment(
        index=index, eeg=np.empty((len(spec.channels), 0)), other=None, labels=np.array([label], dtype=np.float64),
        shipped=ShippedWindows(de=np.ascontiguousarray(de[finite]), psd=None if psd is None else psd[finite],
                               other=None if other is None else other[finite],
                               start_s=np.arange(de.shape[0])[finite] * window_s))
