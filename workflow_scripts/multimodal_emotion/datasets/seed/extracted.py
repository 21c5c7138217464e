"""SEED's entry ``extracted``: the lab's ``ExtractedFeatures`` (smoothed DE/PSD on 1 s
windows), with the labels and, where given, our eye tables."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ...recording import Recording, Segment, ShippedFeatures, ShippedWindows
from .. import bcmi
from ..bcmi import feature_mat
from .preprocessed import read_eye, read_labels
from .spec import CHANNELS, EXTRACTED_PSD, EXTRACTED_WINDOW_S, LAB_BANDS, SPEC, subject_of


def read_extracted(path: str | Path, feature: str = "de_LDS") -> list[tuple[np.ndarray, np.ndarray]]:
    """Read ``ExtractedFeatures/{subject}_{date}.mat``: per clip (de, psd), each (n_windows, 62, 5)."""
    return feature_mat.read_smoothed(path, SPEC, feature)


def read_extracted_session(files: Mapping[str, str], *, feature: str = "de_LDS") -> Recording:
    """One session from the lab's extracted features, labels, and (optional) our eye tables.

    The EEG features are the lab's, on 1 s windows; eye features are computed later by
    the feature stage on the same windows from ``Eye_movements/`` when it is given.
    """
    path = Path(files["extracted"])
    clips = read_extracted(path, feature)
    labels = read_labels(files["labels"])
    eye = read_eye(files["eye"]) if files.get("eye") else None
    segments = []
    for k, (de, psd) in enumerate(clips):
        start_s = np.arange(de.shape[0]) * EXTRACTED_WINDOW_S
        segments.append(Segment(
            index=k + 1, eeg=np.empty((len(CHANNELS), 0)), other=None if eye is None else eye[k],
            labels=np.array([labels[k]], dtype=np.float64),
            shipped=ShippedWindows(de=de, psd=psd, other=None, start_s=start_s)))
    sources = [path, Path(files["labels"])] + ([Path(files["eye"])] if files.get("eye") else [])
    return bcmi.recording(
        SPEC, name=path.stem, subject=subject_of(path.stem), segments=segments, sources=sources,
        other_kind="none" if eye is None else "eye_movements",
        shipped=ShippedFeatures(
            window_s=EXTRACTED_WINDOW_S, step_s=EXTRACTED_WINDOW_S, bands=dict(LAB_BANDS),
            origin=(f"the SEED lab's ExtractedFeatures {feature} / {EXTRACTED_PSD[feature]} "
                    f"({path.name}), not computed by this workflow"
                    + ("; eye features computed by this workflow on the same 1 s windows" if eye else ""))),
    )
