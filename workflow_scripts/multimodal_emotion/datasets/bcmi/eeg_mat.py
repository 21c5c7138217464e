"""``{initials}_eeg{t}`` .mat EEG and ``label.mat`` (SEED ``Preprocessed_EEG``, SEED-IV ``eeg_raw_data``).

One Matlab v5 file per session; one variable per trial, ``{initials}_eeg{t}`` for
t = 1..n_trials (the initials differ per subject: parsed with ``.*_eeg(\\d+)``), each a
(n_channels, n_samples) array at the dataset's rate, values in µV.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ...recording import DataFormatError, check_eeg, check_finite, loadmat
from . import Spec

EEG_VARIABLE = r"^(?P<prefix>[A-Za-z0-9]+)_eeg(?P<clip>\d+)$"


def read_labels(path: str | Path, spec: Spec) -> np.ndarray:
    """Read a ``label.mat``: ``label`` of shape (1, n_trials) with values in the spec's label set."""
    path = Path(path)
    content = loadmat(path)
    if "label" not in content:
        raise DataFormatError(path, f"no variable 'label' (found: {sorted(content)})")
    labels = np.asarray(content["label"]).ravel()
    if labels.size != spec.n_trials:
        raise DataFormatError(
            path, f"'label' has {labels.size} entries, expected {spec.n_trials}"
        )
    check_finite(path, "'label'", labels.astype(float))
    bad = sorted(set(labels.tolist()) - spec.label_set)
    if bad:
        allowed = "{" + ", ".join(str(v) for v in sorted(spec.label_set)) + "}"
        raise DataFormatError(path, f"labels {bad} outside the allowed set {allowed}")
    return labels.astype(np.int64)


def read_eeg(path: str | Path, spec: Spec) -> tuple[str, list[np.ndarray]]:
    """Read one session file of ``{initials}_eeg{t}`` variables.

    The initials are not checked beyond being one common prefix.

    Returns
    -------
    prefix : str
        The subject's variable prefix (e.g. ``"djc"``).
    clips : list of ndarray, shape (n_channels, n_samples_t)
        The trials in trial order, float64 C-ordered, values as stored (µV).
    """
    path = Path(path)
    content = loadmat(path)
    pattern = re.compile(EEG_VARIABLE)
    found: dict[int, tuple[str, np.ndarray]] = {}
    for key, value in content.items():
        match = pattern.match(key)
        if match:
            found[int(match["clip"])] = (match["prefix"], value)
    if not found:
        raise DataFormatError(
            path,
            f"no EEG variables named '<initials>_eeg<k>' (found: {sorted(content)[:5]})",
        )
    prefixes = {prefix for prefix, _ in found.values()}
    if len(prefixes) > 1:
        raise DataFormatError(path, f"EEG variables use several prefixes {sorted(prefixes)}")
    expected = set(range(1, spec.n_trials + 1))
    if set(found) != expected:
        missing = sorted(expected - set(found))
        extra = sorted(set(found) - expected)
        raise DataFormatError(
            path,
            f"found {len(found)} clips, expected {spec.n_trials} "
            f"(missing {missing}, unexpected {extra})",
        )
    n_channels = len(spec.channels)
    del content  # each Matlab (column-major) array is freed once its C-ordered copy exists
    clips = []
    for k in sorted(found):
        prefix, value = found.pop(k)
        clips.append(check_eeg(path, f"{prefix}_eeg{k}", value, n_channels))
        del value
    return prefixes.pop(), clips
