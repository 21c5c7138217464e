"""Argument checks of the models, in MNE's wording (``mne.utils._check_option`` / ``_validate_type``).

The option error has one definition in the package (:func:`~multimodal_emotion.recording.check_option`);
the models import it from here.
"""

from __future__ import annotations

from typing import Any

from ..recording import check_option

__all__ = ["check_option", "check_range"]


def check_range(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    kind: type | tuple[type, ...] = (int, float),
) -> None:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise TypeError(f"{name} must be an instance of {names}, got {type(value)} instead.")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}.")
