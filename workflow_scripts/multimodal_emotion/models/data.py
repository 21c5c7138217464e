"""The models' input: one split's window features (:class:`WindowData`) and its segment runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .checks import check_option

#: ``modality`` values: both modalities concatenated (EEG first), or one alone.
MODALITIES = ("both", "eeg", "other")


@dataclass(frozen=True, eq=False)  # eq on arrays would be ambiguous
class WindowData:
    """Features of one split, one row per window.

    Parameters
    ----------
    eeg : ndarray, shape (n_windows, n_eeg_features)
        EEG features, e.g. 310 = 62 channels x 5 bands of DE (SEED), 128 (DEAP).
    other : ndarray, shape (n_windows, n_other_features)
        The other modality: 41 eye-movement features (SEED) or 48 peripheral (DEAP).
    y : ndarray of int, shape (n_windows,)
        Class index ``0 .. n_classes - 1`` of every window.
    segment : ndarray of int, shape (n_windows,)
        Clip (SEED) or trial (DEAP) id. The windows of one segment are contiguous
        and in time order; sequence models never cut across two segments.
    """

    eeg: np.ndarray
    other: np.ndarray
    y: np.ndarray
    segment: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.y)
        for name in ("eeg", "other"):
            arr = getattr(self, name)
            if not isinstance(arr, np.ndarray) or arr.ndim != 2 or arr.shape[0] != n:
                raise ValueError(
                    f"WindowData.{name} must be an ndarray of shape (n_windows={n}, "
                    f"n_features), got {getattr(arr, 'shape', type(arr))}."
                )
            if not np.issubdtype(arr.dtype, np.floating):
                raise TypeError(f"WindowData.{name} must be float, got {arr.dtype}.")
        for name in ("y", "segment"):
            arr = getattr(self, name)
            if not isinstance(arr, np.ndarray) or arr.shape != (n,):
                raise ValueError(f"WindowData.{name} must have shape ({n},).")
            if not np.issubdtype(arr.dtype, np.integer):
                raise TypeError(f"WindowData.{name} must be integer, got {arr.dtype}.")
        if n and self.y.min() < 0:
            raise ValueError("WindowData.y must hold class indices >= 0.")
        segment_runs(self.segment)  # raises if a segment is not contiguous

    @property
    def n_windows(self) -> int:
        return len(self.y)

    def features(self, modality: Literal["both", "eeg", "other"] = "both") -> np.ndarray:
        """Return the features of ``modality``, shape (n_windows, n_features)."""
        check_option("modality", modality, MODALITIES)
        if modality == "eeg":
            return self.eeg
        if modality == "other":
            return self.other
        return np.hstack([self.eeg, self.other])


def segment_runs(segment: np.ndarray) -> list[tuple[int, int]]:
    """Split window indices into the ``[start, stop)`` runs of equal segment id.

    Raises ``ValueError`` if one id occurs in two separate runs (the windows of a
    segment must be contiguous).
    """
    segment = np.asarray(segment)
    if segment.size == 0:
        return []
    cut = np.flatnonzero(segment[1:] != segment[:-1]) + 1
    starts = np.concatenate([[0], cut])
    stops = np.concatenate([cut, [segment.size]])
    ids = segment[starts]
    unique, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        raise ValueError(
            "The windows of a segment must be contiguous, but segment ids "
            f"{unique[counts > 1].tolist()} occur in more than one run."
        )
    return list(zip(starts.tolist(), stops.tolist()))

