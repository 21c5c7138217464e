"""Leakage: no statistic of the test split enters scaling or training."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from multimodal_emotion import evaluation, features, protocols, search, synthetic
from multimodal_emotion.datasets import seed as seed_ds
from multimodal_emotion.models import MODELS, build_model, refit_last_layer
from multimodal_emotion.store import FeatureFile, write_features
from support.workflow import REPO
from test_models import FEATURE_MODELS

pytestmark = pytest.mark.workflow


# =====================================================================================
# 5. Leakage: no statistic of the test split enters scaling or training
# =====================================================================================

SEED_PROTOCOL = yaml.safe_load((REPO / "config.yaml").read_text())["experiments"]["seed_protocol"]
#: Small, but each model learns something: a model that predicts one class whatever its input
#: (the BDAE, BDDAE and MESAE at smaller budgets here) would hide the test features from the end-to-end check.
TINY_MODELS = {
    "linear_svm": {"C": 0.05},
    "feature_fusion": {"C": 1.0, "gamma": 0.01},
    "bimodal_lstm": {"eeg_hidden": 8, "other_hidden": 4, "sequence_length": 5, "max_epochs": 3, "patience": 3, "seed": 3},
    "bddae": {"eeg_hidden": 8, "other_hidden": 4, "shared_hidden": 6, "learning_rate": 0.1, "pretrain_learning_rate": 3e-2,
              "pretrain_epochs": 5, "max_epochs": 5, "patience": 5, "seed": 3, "batch_size": 32},
    "dcca": {"eeg_hidden": 8, "other_hidden": 4, "output_size": 3, "max_epochs": 3, "patience": 3, "seed": 3,
             "batch_size": 64, "C": 0.1},
    "bdae": {"eeg_hidden": 16, "other_hidden": 8, "shared_hidden": 8, "rbm_epochs": 5, "rbm_learning_rate": 0.05,
             "learning_rate": 1e-2, "C": 1.0, "max_epochs": 3, "patience": 3, "seed": 3},
    "mesae": {"eeg_subsets": 5, "other_subsets": 2, "sae_hidden": [16, 8], "pretrain_epochs": 5, "max_epochs": 10,
              "patience": 10, "seed": 3, "learning_rate": 0.1, "batch_size": 32},
    "subnetwork_nodes": {"node_size": 8, "max_epochs": 3, "patience": 3, "seed": 3},
}
#: Every model takes these (EmotionModel's uniform keywords): a registered class without an
#: entry above runs with its defaults and this budget, so it is covered without editing the test.
SMALL_BUDGET = {"max_epochs": 3, "patience": 3, "seed": 3}


#: Named set-ups of a class that change its scaling or training (config entries with ``fixed``).
VARIANTS = {"bdae_lab_code": ("bdae", {"setup": "lab_code"})}
# FEATURE_MODELS (test_models): the models that read feature columns. clip_duration reads
# none (each trial's duration only), so a perturbation of the test features cannot reach it;
# what it measures under each protocol is tested in tests/test_seed_vii.py.


def tiny(model_class: str) -> dict:
    return TINY_MODELS.get(model_class, SMALL_BUDGET)


def build_tiny(name: str):
    """A registered class, or a named variant of one, with the tiny hyper-parameters."""
    model_class, extra = VARIANTS.get(name, (name, {}))
    return build_model(model_class, **tiny(model_class), **extra)


def perturb(features: FeatureFile, rows: np.ndarray) -> FeatureFile:
    """The same features with the windows in ``rows`` moved far away (offset and scale)."""
    de, psd, other = features.de.copy(), features.psd.copy(), features.other.copy()
    de[rows] = de[rows] * 7.0 + 100.0
    psd[rows] = psd[rows] * 1e3 + 5.0
    other[rows] = other[rows] * -3.0 + 1e3
    return FeatureFile(de=de, psd=psd, other=other, segment=features.segment, start_s=features.start_s,
                       labels=features.labels, attrs=features.attrs)


@pytest.fixture(scope="module")
def session_features(seed_files) -> FeatureFile:
    recording = seed_ds.read_session(seed_files["eeg"], seed_files["labels"], seed_files["eye"])
    filtered = features.bandpass_recording(recording, l_freq=1.0, h_freq=50.0)
    bands = synthetic.DEFAULT_SEED_BANDS
    return features.extract_features(filtered, bands=bands, window_s=4.0, step_s=1.0)


@pytest.fixture(scope="module")
def leakage_folds(session_features):
    """The SEED protocol's fold, and the same fold built from features whose test clips were perturbed."""
    test_rows = np.isin(session_features.segment, SEED_PROTOCOL["test_clips"])
    (fold,) = protocols.experiment_folds(session_features, protocol=SEED_PROTOCOL, task="emotion", seed=1)
    (moved,) = protocols.experiment_folds(perturb(session_features, test_rows), protocol=SEED_PROTOCOL, task="emotion", seed=1)
    return fold, moved


def _same_window_data(a, b) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("eeg", "other", "y", "segment"))


def test_folds_do_not_depend_on_the_test_windows(session_features, leakage_folds):
    fold, moved = leakage_folds
    assert _same_window_data(fold.train, moved.train) and _same_window_data(fold.val, moved.val)
    assert not np.array_equal(fold.test.eeg, moved.test.eeg) and not np.array_equal(fold.test.other, moved.test.other)
    # k-fold (the DEAP protocol, here on the SEED clips): perturbing fold 0's test windows
    # leaves fold 0's training and validation windows as they were.
    protocol = {"kind": "kfold", "n_folds": 5, "fold_unit": "trial", "threshold": 5.0, "validation": True, "eeg_feature": "de+psd"}
    folds = protocols.experiment_folds(session_features, protocol=protocol, task="emotion", seed=4)
    test_clips = np.unique(folds[0].test.segment)
    moved_folds = protocols.experiment_folds(
        perturb(session_features, np.isin(session_features.segment, test_clips)), protocol=protocol, task="emotion", seed=4
    )
    assert folds[0].index == moved_folds[0].index == 0
    assert _same_window_data(folds[0].train, moved_folds[0].train) and _same_window_data(folds[0].val, moved_folds[0].val)
    assert not np.array_equal(folds[0].test.eeg, moved_folds[0].test.eeg)


def _scaler_stats(model) -> dict:
    return {k: (s.kind, s.offset.copy(), s.scale.copy()) for k, s in model.scalers_.items()}


def _assert_same_stats(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key][0] == b[key][0]
        np.testing.assert_array_equal(a[key][1], b[key][1], err_msg=f"{key} offset")
        np.testing.assert_array_equal(a[key][2], b[key][2], err_msg=f"{key} scale")


def _expected_train_stats(model_class: str, train) -> dict:
    """What each model's scaler must hold: statistics of the training windows alone."""

    def standard(x):
        x = np.asarray(x, np.float64)
        std = x.std(axis=0)
        return ("standard", x.mean(axis=0), np.where(std > 0, std, 1.0))

    def minmax(x):
        x = np.asarray(x, np.float64)
        ptp = x.max(axis=0) - x.min(axis=0)
        return ("minmax", x.min(axis=0), np.where(ptp > 0, ptp, 1.0))

    if model_class in ("bimodal_lstm", "dcca", "bdae", "mesae"):
        return {"eeg": standard(train.eeg), "other": standard(train.other)}
    if model_class == "subnetwork_nodes":
        return {"eeg": standard(train.eeg)}
    if model_class in ("bddae", "bdae_lab_code"):
        return {"eeg": minmax(train.eeg), "other": minmax(train.other)}
    return {"features": standard(train.features("both"))}


@pytest.mark.parametrize("model_class", FEATURE_MODELS + list(VARIANTS))
def test_no_test_statistic_enters_scaling_or_training(leakage_folds, model_class):
    fold, moved = leakage_folds
    model = build_tiny(model_class).fit(fold.train, fold.val)
    stats = _scaler_stats(model)
    expected = _expected_train_stats(model_class, fold.train)
    for key, (kind, offset, scale) in expected.items():
        assert stats[key][0] == kind
        np.testing.assert_allclose(stats[key][1], offset, rtol=1e-12, atol=1e-12, err_msg=f"{key} offset")
        np.testing.assert_allclose(stats[key][2], scale, rtol=1e-12, atol=1e-12, err_msg=f"{key} scale")
    scores = {split: model.decision_function(getattr(fold, split)) for split in ("train", "val")}

    # (a) scoring the test split, as it was and perturbed, changes nothing fitted
    model.decision_function(fold.test)
    model.decision_function(moved.test)
    _assert_same_stats(stats, _scaler_stats(model))
    for split, before in scores.items():
        np.testing.assert_array_equal(model.decision_function(getattr(fold, split)), before, err_msg=split)

    if hasattr(model, "svm_weights"):  # the networks' SVM refit (Sec. 3.2) sees the training split only
        refit_last_layer(model, fold.train)
        refitted = [w.copy() for w in model.svm_weights()]
        model.decision_function(moved.test)
        for w, v in zip(refitted, model.svm_weights()):
            np.testing.assert_array_equal(w, v)

    # (b) the checks of (a) can fail: the same perturbation applied to the *training*
    # windows reaches the fitted scalers and the scores (so "unchanged" above is evidence)
    train_rows = np.zeros(len(fold.train.y), dtype=bool)
    train_rows[::2] = True
    shifted = _perturbed_window_data(fold.train, train_rows)
    other = build_tiny(model_class).fit(shifted, fold.val)
    changed = [key for key in stats if not np.array_equal(stats[key][1], _scaler_stats(other)[key][1])]
    assert changed == list(stats), (model_class, changed)
    assert not np.array_equal(other.decision_function(fold.val), scores["val"])


def _perturbed_window_data(data, rows: np.ndarray):
    """``data`` with the windows in ``rows`` moved as :func:`perturb` moves features."""
    from dataclasses import replace

    eeg, other = data.eeg.copy(), data.other.copy()
    eeg[rows] = eeg[rows] * 7.0 + 100.0
    other[rows] = other[rows] * -3.0 + 1e3
    return replace(data, eeg=eeg, other=other)

def _run_stage(folder, feats, model_class: str):
    """feature file -> train_shard -> evaluate_shard; returns (training.json, state.json, evaluation CSV)."""
    space = {k: {"value": v} for k, v in tiny(model_class).items() if k not in ("seed", "max_epochs", "patience")}
    fixed = {k: v for k, v in tiny(model_class).items() if k in ("max_epochs", "patience")}
    path = folder / "features.h5"
    write_features(path, feats)
    models = folder / "models"
    search.train_shard(
        features_path=str(path), experiment="seed/x", task="emotion", protocol=SEED_PROTOCOL, model_name=model_class,
        model_class=model_class, space=space, fixed=fixed, n_configs=1, shard=0, n_shards=1, seed=1, output_dir=str(models),
    )
    evaluation.evaluate_shard(
        features_path=str(path), training_dir=str(models), task="emotion", protocol=SEED_PROTOCOL, seed=1,
        refit={"enabled": True, "eps": 1e-4}, output_csv=str(folder / "evaluation.csv"),
        output_predictions=str(folder / "predictions.npz"),
    )
    training = json.loads((models / "training.json").read_text())
    for run in training["runs"]:
        run.pop("seconds")
    state = json.loads((models / "config0000" / "fold00" / "state.json").read_text())
    state["history"].pop("refit", None)
    frame = pd.read_csv(folder / "evaluation.csv").drop(columns=["seconds", "refit_seconds"], errors="ignore")
    return training, state, frame


def leakage_verdict(as_is, moved) -> list[str]:
    """What the perturbation of the test clips' features changed that it must not, and
    whether it failed to change the test accuracy it must change ([] = sound)."""
    (training, state, frame), (training2, state2, frame2) = as_is, moved
    problems = []
    if training != training2:
        problems.append("training runs differ")
    if state != state2:
        problems.append("saved state (scalers, history) differs")
    on_test = [c for c in frame.columns if c.startswith(("test_", "network_test_"))]  # the columns that read test windows
    try:
        pd.testing.assert_frame_equal(frame.drop(columns=on_test), frame2.drop(columns=on_test), check_exact=True)
    except AssertionError as err:
        problems.append(f"columns that do not read the test split differ: {err}")
    if frame["test_accuracy"].equals(frame2["test_accuracy"]):
        problems.append("test accuracy unchanged: the evaluation did not read the perturbed test features")
    return problems


@pytest.mark.parametrize("model_class", FEATURE_MODELS)
def test_train_and_evaluate_shard_ignore_the_test_features(tmp_path, session_features, model_class):
    """The experiment stage end to end (feature file -> train_shard -> evaluate_shard):
    perturbing the test clips' features changes the test accuracy, and nothing else."""
    test_rows = np.isin(session_features.segment, SEED_PROTOCOL["test_clips"])
    as_is = _run_stage(tmp_path / "as_is", session_features, model_class)
    moved = _run_stage(tmp_path / "moved", perturb(session_features, test_rows), model_class)
    assert leakage_verdict(as_is, moved) == []


def test_the_end_to_end_check_fails_when_evaluation_ignores_the_test_features(tmp_path, session_features, monkeypatch):
    """A deliberately broken stage that reads the unperturbed features whatever file it is
    given (it ignores the test features handed to it): the verdict says so."""
    test_rows = np.isin(session_features.segment, SEED_PROTOCOL["test_clips"])
    as_is = _run_stage(tmp_path / "as_is", session_features, "linear_svm")
    original = evaluation.experiment_features
    for stage in (search, evaluation):  # training saves the predictions of models without a refit
        monkeypatch.setattr(stage, "experiment_features",
                            lambda path, protocol: original(str(tmp_path / "as_is" / "features.h5"), protocol))
    moved = _run_stage(tmp_path / "moved", perturb(session_features, test_rows), "linear_svm")
    assert leakage_verdict(as_is, moved) == [
        "test accuracy unchanged: the evaluation did not read the perturbed test features"]
