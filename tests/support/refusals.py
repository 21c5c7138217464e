"""A feature job refusing a bad input: one line naming the file, nothing written."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from multimodal_emotion import features
from multimodal_emotion.recording import DataFormatError


def assert_feature_stage_refuses(files: Mapping[str, str], message: str, *, output: Path, role: str | None = None,
                                 **stage) -> None:
    """``features.feature_stage(inputs=files, output=output, **stage)`` stops with a
    :class:`DataFormatError` matching ``message``, on one line that starts with the file
    of ``role`` (when given), and leaves no file in ``output``'s folder."""
    with pytest.raises(DataFormatError, match=message) as info:
        features.feature_stage(inputs=files, output=str(output), **stage)
    assert "\n" not in str(info.value)
    if role is not None:
        assert str(info.value).startswith(files[role])
    assert not output.parent.exists() or not any(output.parent.iterdir())  # nothing half-written
