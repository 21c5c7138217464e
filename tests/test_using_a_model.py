"""docs/using-a-model.md runs as written: its Python blocks, in order, on a feature file
written by the store's writer (no Snakemake run), with a known effect in the EEG
features, so the page's models must learn it and its numbers are checked."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pytest

from multimodal_emotion.store import FeatureFile, write_features

PAGE = Path(__file__).resolve().parents[1] / "docs" / "using-a-model.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def seed_like_file(path: Path, *, effect: float, seed: int = 0) -> None:
    """15 clips of 12 windows, 62 channels x 5 bands of DE and 33 eye features; the clip's
    emotion (-1/0/1, 5 clips each) shifts the DE of a few channels by ``effect``."""
    rng = np.random.default_rng(seed)
    n_clips, per_clip = 15, 12
    emotion = np.tile([1.0, 0.0, -1.0], n_clips // 3)
    segment = np.repeat(np.arange(1, n_clips + 1), per_clip)
    labels = np.repeat(emotion, per_clip)
    de = rng.normal(size=(segment.size, 62, 5))
    de[:, :8, :] += effect * labels[:, None, None]
    write_features(path, FeatureFile(
        de=de, psd=np.exp(de), other=rng.normal(size=(segment.size, 33)), segment=segment,
        start_s=np.tile(np.arange(per_clip) * 4.0, n_clips), labels=labels[:, None],
        attrs={"dataset": "seed", "label_names": ["emotion"],
               "classes": {"emotion": {"kind": "categorical", "values": [-1, 0, 1],
                                       "class_names": ["negative", "neutral", "positive"]}}}))


@pytest.fixture
def page_namespace(tmp_path, monkeypatch):
    def run(effect: float, only: tuple[int, ...] | None = None) -> dict:
        monkeypatch.chdir(tmp_path)
        path = tmp_path / "results" / "features" / "seed" / "1_20131027.h5"
        path.parent.mkdir(parents=True, exist_ok=True)
        seed_like_file(path, effect=effect)
        blocks = python_blocks(PAGE.read_text())
        blocks = blocks if only is None else [blocks[i] for i in only]
        namespace: dict = {}
        logging.disable(logging.INFO)  # the models log every epoch
        try:
            for block in blocks:
                exec(compile(block, f"{PAGE.name} block", "exec"), namespace)
        finally:
            logging.disable(logging.NOTSET)
        return namespace
    return run


def test_the_page_has_its_blocks():
    blocks = python_blocks(PAGE.read_text())
    assert len(blocks) == 4
    first = [line for line in blocks[0].splitlines() if line.strip()]
    assert len(first) == 5 and "read_model_inputs" in blocks[0]  # "five lines"
    assert "cross_val_score" in blocks[2]


def test_the_page_runs_and_learns_the_effect(page_namespace):
    ns = page_namespace(effect=1.0)
    assert set(ns["model"].classes_.tolist()) == {-1.0, 0.0, 1.0}
    assert ns["scores"].shape == (3,) and ns["scores"].mean() > 0.8  # held-out clips; chance 1/3
    assert ns["train_accuracy"] > 0.8
    assert len(ns["lstm_scores"]) == 3 and np.mean(ns["lstm_scores"]) > 0.6


def test_the_page_on_null_data_scores_chance(page_namespace):
    ns = page_namespace(effect=0.0, only=(0, 2))  # the linear SVM's blocks (the LSTM's cost time)
    assert ns["scores"].mean() < 0.6
