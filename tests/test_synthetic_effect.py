"""The synthetic emotion effect is learnable from DE features; the null dataset is not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from multimodal_emotion import features, synthetic
from multimodal_emotion import datasets, recording, synthetic  # noqa: F401
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds  # noqa: F401

SESSIONS = (1, 2, 3)  # subjects, session 1 each
N_TEST_CLIPS = 6 * len(SESSIONS)  # clips 10-15 of every session
CHANCE = 1 / 3
# Windows of one clip share the clip's state, so the independent test units are clips:
# 2.5 binomial standard errors at clip level.
TOLERANCE = 2.5 * math.sqrt(CHANCE * (1 - CHANCE) / N_TEST_CLIPS)


def held_out_accuracy(tmp_path, effect_size: float) -> float:
    """Mean accuracy of a linear classifier trained on clips 1-9, tested on clips 10-15."""
    labels = tmp_path / "label.mat"
    synthetic.seed.write_labels(labels)
    cfg = synthetic.SyntheticConfig(effect_size=effect_size, clip_seconds=(30.0, 40.0))
    accuracies = []
    for subject in SESSIONS:
        path = tmp_path / f"{subject}_session.mat"
        synthetic.seed.write_session(path, None, subject=subject, session=1, cfg=cfg)
        recording = features.bandpass_recording(seed_ds.read_session(path, labels), l_freq=1.0, h_freq=50.0)
        out = features.extract_features(recording, bands=synthetic.DEFAULT_SEED_BANDS, window_s=4.0, step_s=2.0)
        x, y, train = out.de.reshape(len(out.de), -1), out.labels[:, 0], out.segment <= 9
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=2000))
        model.fit(x[train], y[train])
        accuracies.append(float(np.mean(model.predict(x[~train]) == y[~train])))
    return float(np.mean(accuracies))


def test_default_effect_is_learnable_on_held_out_clips(tmp_path):
    accuracy = held_out_accuracy(tmp_path, synthetic.SyntheticConfig().effect_size)
    assert accuracy > CHANCE + TOLERANCE, accuracy


def test_null_dataset_stays_at_chance(tmp_path):
    accuracy = held_out_accuracy(tmp_path, 0.0)
    assert abs(accuracy - CHANCE) < TOLERANCE, accuracy


def test_effect_shifts_band_de_by_the_configured_amount():
    # The generator multiplies the band amplitude by (1 + e) ** score, so DE moves by
    # score * ln(1 + e) nats; check it on the signal itself.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 200 * 120))
    scaled = synthetic.signals.scale_bands(x, sfreq=200.0, bands=[(31, 50)], gain=(1 + 1.0) ** 1)
    bands = {"beta": (14, 31), "gamma": (31, 50)}
    before, _ = features.band_power(x, sfreq=200.0, bands=bands, window_s=4.0, step_s=4.0)
    after, _ = features.band_power(scaled, sfreq=200.0, bands=bands, window_s=4.0, step_s=4.0)
    shift = features.differential_entropy(after) - features.differential_entropy(before)
    assert shift[..., 1].mean() == pytest.approx(math.log(2.0), abs=0.02)
    assert abs(shift[..., 0].mean()) < 0.02


def test_null_dataset_pupil_and_gsr_do_not_depend_on_labels(tmp_path):
    cfg = synthetic.SyntheticConfig(effect_size=0.0, clip_seconds=(20.0, 22.0))
    eye = tmp_path / "eye.mat"
    synthetic.seed.write_session(tmp_path / "eeg.mat", eye, subject=2, session=1, cfg=cfg)
    clips = seed_ds.read_eye(eye)
    means = {lab: [] for lab in (-1, 0, 1)}
    for clip, label in zip(clips, seed_ds.CLIP_LABELS):
        means[label].append(clip.pupil[:, 1].mean())
    spread = max(np.mean(v) for v in means.values()) - min(np.mean(v) for v in means.values())
    assert spread < 0.15  # mm; with the default effect the class means differ by 0.3 mm per step
