"""Protocols across people and days (issue 20): leave one subject out, cross-session.

Config checks, fold construction over pooled recordings, leakage (the held-out subject's
features replaced by huge constants or NaN change nothing fitted or selected), the null
dataset, and a per-subject offset that subject-independent recognition pays for.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml
from multimodal_emotion import evaluation, features, protocols, search, synthetic
from multimodal_emotion import workflow_config as wc
from multimodal_emotion.config_schema import validate_config
from multimodal_emotion.datasets import seed as seed_ds
from multimodal_emotion.models import MODELS, build_model
from multimodal_emotion.store import FeatureFile, read_features, write_features
from support.workflow import REPO, merged

LOSO = {"kind": "loso", "tasks": ["emotion"], "validation_subjects": 1, "eeg_feature": "de"}
CROSS = {"kind": "cross_session", "tasks": ["emotion"], "train_sessions": [1], "test_sessions": [2],
         "validation_folds": 3, "eeg_feature": "de"}


def loso_config(**experiments_override) -> dict:
    """config.yaml merged with .test/config_loso.yaml, schema defaults set."""
    base = yaml.safe_load((REPO / "config.yaml").read_text())
    override = yaml.safe_load((REPO / ".test" / "config_loso.yaml").read_text())
    base = merged(base, override)
    base["experiments"].update(experiments_override)
    validate_config(base)
    return base


# --- config --------------------------------------------------------------------------


def test_loso_config_lists_pooled_experiments_with_the_recordings_they_read():
    config = loso_config()
    wc.check_config(config)
    seed = wc.pooled_experiments(config, "seed")
    assert sorted(seed) == ["cross_session-s1", "cross_session-s2", "cross_session-s3", "loso-s1", "loso-s2", "loso-s3"]
    assert len(seed["loso-s2"]["members"]) == 6  # every subject's two sessions
    assert [(m["subject"], m["session"]) for m in seed["cross_session-s2"]["members"]] == [("2", 1), ("2", 2)]
    assert wc.dataset_protocol(config, "seed") is None  # the list holds no per-recording protocol
    deap = wc.pooled_experiments(config, "deap")
    assert sorted(deap) == ["loso-s1", "loso-s2", "loso-s3"]
    assert {m["session"] for m in deap["loso-s1"]["members"]} == {1}


@pytest.mark.parametrize(
    ("dataset", "protocols", "message"),
    [
        ("deap", [{"kind": "cross_session", "tasks": ["valence"], "train_sessions": [1], "test_sessions": [2]}],
         r"config key 'experiments\.deap_protocol\[0\]\.kind': cross_session needs one recording per session"),
        ("seed", [dict(LOSO, validation_subjects=2)],
         r"config key 'experiments\.seed_protocol\[0\]\.validation_subjects': loso with 2 validation subjects "
         r"needs at least 4 subjects"),
        ("seed", [dict(CROSS, test_sessions=[3])],
         r"config key 'experiments\.seed_protocol\[0\]\.test_sessions': sessions \[3\] are not read"),
        ("seed", [LOSO, dict(LOSO, tasks=["emotion"])],
         r"config key 'experiments\.seed_protocol': two pooled protocols are named 'loso'"),
        ("seed", [{"kind": "clips", "tasks": ["emotion"], "train_clips": [1], "test_clips": [2], "validation_clips": [3]},
                  {"kind": "kfold", "tasks": ["emotion"], "n_folds": 3}],
         r"config key 'experiments\.seed_protocol\[1\]\.kind': only one per-recording protocol"),
    ],
)
def test_pooled_protocols_that_cannot_work_are_config_errors(dataset, protocols, message):
    config = loso_config(**{f"{dataset}_protocol": protocols})
    with pytest.raises(wc.ConfigError, match=message):
        wc.check_config(config)


@pytest.mark.parametrize(("protocols", "line"), [
    ([{"kind": "lososs", "tasks": ["emotion"]}],
     "config.yaml: experiments.seed_protocol.0.kind: 'lososs' is not allowed (allowed: one of 'clips', 'kfold', "
     "'trial_folds', 'loso', 'cross_session', 'video_folds')"),
    ([dict(LOSO, validation_subject=1)],
     "config.yaml: experiments.seed_protocol.0: unknown key 'validation_subject' (did you mean 'validation_subjects'?)"),
    # each kind owns its keys (its module's schema block): another kind's key is an unknown key
    ({"kind": "clips", "tasks": ["emotion"], "train_clips": [1], "test_clips": [2], "n_folds": 3},
     "config.yaml: experiments.seed_protocol: unknown key 'n_folds' (known keys: kind, tasks, threshold, eeg_feature, "
     "train_clips, validation_clips, validation_per_class, test_clips)"),
    ({"kind": "cross_session", "tasks": ["emotion"], "train_sessions": [1]},
     "config.yaml: experiments.seed_protocol: 'test_sessions' is a required property"),
])
def test_schema_errors_in_a_protocol_list_name_the_entry_and_key(protocols, line):
    with pytest.raises(wc.ConfigError) as raised:
        loso_config(seed_protocol=protocols)
    assert str(raised.value) == line


def test_an_unknown_protocol_kind_is_an_error_naming_the_key_never_kfold():
    config = loso_config(seed_protocol=dict(LOSO))
    config["experiments"]["seed_protocol"]["kind"] = "leave_one_out"  # past the schema, which lists the kinds
    with pytest.raises(wc.ConfigError, match=r"config key 'experiments\.seed_protocol\.kind': 'leave_one_out' is not"):
        wc.check_config(config)
    with pytest.raises(protocols.ExperimentError, match="protocol kind 'leave_one_out' is unknown"):
        protocols.experiment_folds(None, protocol={"kind": "leave_one_out"}, task="emotion", seed=1)


# --- pooled folds on small feature files ------------------------------------------------------


def fake_session(subject: int, session: int, *, offset: float = 0.0, windows_per_clip: int = 5) -> FeatureFile:
    """A SEED-like feature file: 15 clips with the SEED labels, a class effect on a few DE
    features, and a per-subject ``offset`` on all of them."""
    rng = np.random.default_rng([subject, session])
    labels = np.repeat(np.asarray(seed_ds.CLIP_LABELS, float), windows_per_clip)
    n = labels.size
    de = rng.normal(size=(n, 4, 5)) + offset * np.random.default_rng(100 + subject).normal(size=(1, 4, 5))
    de[:, 0, :2] += 0.8 * labels[:, None]
    other = rng.normal(size=(n, 3)) + 0.5 * labels[:, None]
    return FeatureFile(de=de, psd=np.exp(de), other=other, segment=np.repeat(np.arange(1, 16), windows_per_clip),
                       start_s=np.tile(np.arange(windows_per_clip, dtype=float), 15), labels=labels[:, None],
                       attrs={"label_names": ["emotion"], "classes": {"emotion": seed_ds.CLASSES["emotion"].as_attrs()},
                              "source_files": {f"{subject}_{session}.mat": f"sha{subject}{session}"}})


def write_pool(folder: Path, n_subjects: int, sessions=(1,), **kwargs) -> tuple[list[str], list[dict]]:
    paths, members = [], []
    for subject in range(1, n_subjects + 1):
        for session in sessions:
            path = folder / f"{subject}_{session}.h5"
            write_features(path, fake_session(subject, session, **kwargs))
            paths.append(str(path))
            members.append({"recording": path.stem, "subject": str(subject), "session": session})
    return paths, members


def corrupt(paths: list[str], members: list[dict], subject: str, value: float, folder: Path) -> list[str]:
    """Copies of ``paths`` where ``subject``'s EEG and other features are all ``value``."""
    out = []
    folder.mkdir(parents=True, exist_ok=True)
    for path, member in zip(paths, members):
        target = folder / Path(path).name
        target.write_bytes(Path(path).read_bytes())
        if member["subject"] == subject:
            with h5py.File(target, "r+") as f:
                for name in ("eeg/de", "eeg/psd", "other/features"):
                    f[name][...] = value
        out.append(str(target))
    return out


@pytest.fixture(scope="module")
def pool_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pool")
    return folder, *write_pool(folder, 4, sessions=(1, 2))


def pooled_fold(paths, members, protocol, subject, seed=1):
    protocol = {**protocol, "subject": subject, "members": members}
    (fold,) = protocols.experiment_folds(protocols.experiment_features(paths, protocol), protocol=protocol,
                                           task="emotion", seed=seed)
    return fold


def subjects_of(data, pool) -> set:
    return set(pool.subject[np.isin(pool.segment, np.unique(data.segment))].tolist())


def test_loso_tests_on_the_held_out_subject_and_validates_on_a_seeded_other(pool_files):
    _, paths, members = pool_files
    pool = protocols.experiment_features(paths, {**LOSO, "members": members})
    assert pool.eeg.dtype == np.float32 and pool.eeg.shape[1] == 20  # DE only: psd is not read
    assert np.unique(pool.segment).size == 8 * 15  # segment ids unique across the 8 recordings
    chosen = {}
    for subject in ("1", "2", "3", "4"):
        fold = pooled_fold(paths, members, LOSO, subject)
        assert subjects_of(fold.test, pool) == {subject}
        assert fold.test.n_windows == 2 * 75  # both sessions
        (val_subject,) = subjects_of(fold.val, pool)
        assert val_subject != subject
        assert subjects_of(fold.train, pool) == {"1", "2", "3", "4"} - {subject, val_subject}
        chosen[subject] = val_subject
        assert pooled_fold(paths, members, LOSO, subject).val.segment.tolist() == fold.val.segment.tolist()
    assert len(set(chosen.values())) > 1  # seeded per held-out subject, not one fixed subject for all


def test_cross_session_trains_on_one_session_and_tests_on_another(pool_files):
    _, paths, members = pool_files
    mine = [i for i, m in enumerate(members) if m["subject"] == "3"]
    paths3, members3 = [paths[i] for i in mine], [members[i] for i in mine]
    fold = pooled_fold(paths3, members3, CROSS, "3")
    pool = protocols.experiment_features(paths3, {**CROSS, "members": members3})
    session_of = lambda data: set(pool.session[np.isin(pool.segment, np.unique(data.segment))].tolist())  # noqa: E731
    assert session_of(fold.train) == session_of(fold.val) == {1} and session_of(fold.test) == {2}
    assert not set(fold.train.segment.tolist()) & set(fold.val.segment.tolist())  # whole trials
    assert np.unique(fold.val.segment).size == 5  # one of 3 stratified folds of 15 trials
    assert set(fold.val.y.tolist()) == {0, 1, 2}


def test_per_subject_standardisation_scales_every_subject_by_its_own_statistics(pool_files):
    _, paths, members = pool_files
    per_subject = dict(LOSO, normalisation="per_subject")
    fold = pooled_fold(paths, members, per_subject, "2")
    np.testing.assert_allclose(fold.test.eeg.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(fold.test.eeg.std(axis=0), 1, atol=1e-4)
    assert np.abs(pooled_fold(paths, members, LOSO, "2").test.eeg.mean(axis=0)).max() > 0.1  # not so by default
    # cross_session: each session by its own statistics, so the test session alone is standardised
    mine = [i for i, m in enumerate(members) if m["subject"] == "2"]
    fold = pooled_fold([paths[i] for i in mine], [members[i] for i in mine], dict(CROSS, normalisation="per_subject"), "2")
    np.testing.assert_allclose(fold.test.other.mean(axis=0), 0, atol=1e-5)


# --- leakage: the held-out subject changes nothing fitted or selected ----------------------------

TINY = {
    "linear_svm": ({"C": {"log10": [-2, 0]}}, {}),
    "feature_fusion": ({"C": {"log10": [-1, 1]}, "gamma": {"log10": [-3, -1]}}, {}),
    "bimodal_lstm": ({"eeg_hidden": {"int": [4, 8]}, "other_hidden": {"int": [2, 4]}, "l2": {"log10": [-4, -3]},
                      "learning_rate": {"log10": [-2.5, -2]}},
                     {"sequence_length": 3, "batch_size": 8, "max_epochs": 3, "patience": 2}),
    "bddae": ({"eeg_hidden": {"int": [4, 8]}, "other_hidden": {"int": [2, 4]}, "shared_hidden": {"int": [2, 4]},
               "l2": {"log10": [-4, -3]}},
              {"pretrain_epochs": 2, "max_epochs": 3, "patience": 2, "batch_size": 64}),
    "dcca": ({"eeg_hidden": {"int": [4, 8]}, "other_hidden": {"int": [2, 4]}, "output_size": {"int": [2, 3]}},
             {"max_epochs": 3, "patience": 2, "batch_size": 64}),
    "bdae": ({"C": {"log10": [-1, 0]}}, {"eeg_hidden": 8, "other_hidden": 4, "shared_hidden": 4, "rbm_epochs": 2,
                                         "max_epochs": 3, "patience": 2}),
    "mesae": ({"learning_rate": {"log10": [-2.5, -2]}}, {"eeg_subsets": 5, "other_subsets": 2, "sae_hidden": [4, 2],
                                                         "pretrain_epochs": 2, "max_epochs": 3, "patience": 2}),
    "subnetwork_nodes": ({"C": {"log10": [-1, 0]}}, {"node_size": 8, "max_epochs": 3, "patience": 2}),
}
#: A registered class without an entry above runs with its defaults and this budget.
SMALL_BUDGET = ({}, {"max_epochs": 3, "patience": 2})
TEST_ONLY = ("pred_test", "features_test", "figure_test_")


def _fitted(directory: Path) -> dict:
    """Everything fitted in a trained shard, keyed by file (and array): saved models and
    their state (scalers, early stopping), the networks' weights, the SVM layer and its
    inputs on the training and validation splits, predictions on them. The test split's
    own predictions and network outputs are left out: they are allowed to differ."""
    out = {}
    for path in sorted(directory.rglob("*")):
        key = str(path.relative_to(directory))
        if path.is_dir():
            continue
        if path.suffix == ".npz":
            with np.load(path) as saved:
                out.update({f"{key}:{k}": saved[k] for k in saved.files if not k.startswith(TEST_ONLY)})
        elif path.suffix == ".keras":
            with zipfile.ZipFile(path) as archive, archive.open("model.weights.h5") as raw:
                with h5py.File(raw, "r") as weights:
                    weights.visititems(lambda name, item: out.__setitem__(f"{key}:{name}", item[()])
                                       if isinstance(item, h5py.Dataset) else None)
        elif path.name == "training.json":
            runs = json.loads(path.read_text())["runs"]
            out[key] = [{k: v for k, v in run.items() if k != "seconds"} for run in runs]
        else:
            out[key] = path.read_bytes()
    return out


def _run_experiment(paths, members, protocol, subject, model_class, folder: Path) -> tuple[dict, dict]:
    space, fixed = TINY.get(model_class, SMALL_BUDGET)
    protocol = {**protocol, "subject": subject, "members": members}
    models = folder / "models"
    search.train_shard(features_path=paths, experiment=f"seed/loso-s{subject}", task="emotion", protocol=protocol,
                            model_name=model_class, model_class=model_class, space=space, fixed=fixed, n_configs=2,
                            shard=0, n_shards=1, seed=3, output_dir=str(models))
    evaluation.evaluate_shard(features_path=paths, training_dir=str(models), task="emotion", protocol=protocol,
                               seed=3, refit={"enabled": True, "exact": False}, output_csv=str(folder / "e.csv"),
                               output_predictions=str(folder / "p.npz"), output_curves=str(folder / "c.json"))
    evaluation.merge_shards(shard_csvs=[str(folder / "e.csv")], shard_predictions=[str(folder / "p.npz")],
                             experiment=f"loso-s{subject}", dataset="seed", task="emotion", model=model_class,
                             selections=["validation"], n_classes=3, output_csv=str(folder / "m.csv"),
                             output_json=str(folder / "r.json"), features_path=paths, protocol=protocol)
    return _fitted(models), json.loads((folder / "r.json").read_text())["selections"]["validation"]


@pytest.mark.parametrize(("normalisation", "model_classes"), [
    ("training", tuple(MODELS)),  # every registered model class
    ("per_subject", ("linear_svm", "bimodal_lstm")),  # the scaling step differs, the models do not
])
def test_the_held_out_subject_changes_nothing_fitted_or_selected(pool_files, tmp_path, normalisation, model_classes):
    """Its features replaced by 1e6 everywhere: scalers, early-stopping epochs, weights, the
    SVM layers, the chosen configuration and its validation accuracy are bit-identical;
    only its own test predictions may move (and they do: the test is not vacuous)."""
    folder, paths, members = pool_files
    protocol = dict(LOSO, normalisation=normalisation)
    moved = corrupt(paths, members, "4", 1e6, tmp_path / "moved")
    test_moved = []
    for model_class in model_classes:
        real, real_choice = _run_experiment(paths, members, protocol, "4", model_class, tmp_path / model_class / "real")
        fake, fake_choice = _run_experiment(moved, members, protocol, "4", model_class, tmp_path / model_class / "fake")
        assert real.keys() == fake.keys(), model_class
        # the saved weights are among what is compared (Keras, pickled SVC, or a model's own arrays)
        assert any(".keras:" in k or k.endswith("svc.pkl") or (".npz:" in k and "fold_predictions" not in k
                                                              and "svm_inputs" not in k) for k in real), sorted(real)[:5]
        for key in real:
            if isinstance(real[key], np.ndarray):
                np.testing.assert_array_equal(real[key], fake[key], err_msg=f"{model_class} {key}")
            else:
                assert real[key] == fake[key], f"{model_class} {key}"
        for key in ("config", "val_accuracy", "train_accuracy", "hyperparameters", "epochs", "best_epoch"):
            assert real_choice.get(key) == fake_choice.get(key), (model_class, key)
        test_moved.append(real_choice["confusion"] != fake_choice["confusion"])
    assert any(test_moved)  # the corrupted features did reach the test predictions


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the NaN subject's own scaler
def test_nan_features_of_the_held_out_subject_reach_no_training_or_validation_window(pool_files, tmp_path):
    _, paths, members = pool_files
    nan = corrupt(paths, members, "1", np.nan, tmp_path)
    for normalisation in ("training", "per_subject"):
        protocol = dict(LOSO, normalisation=normalisation)
        real, fake = pooled_fold(paths, members, protocol, "1"), pooled_fold(nan, members, protocol, "1")
        for split in ("train", "val"):
            for key in ("eeg", "other", "y", "segment"):
                np.testing.assert_array_equal(getattr(getattr(real, split), key), getattr(getattr(fake, split), key))
        assert np.isnan(fake.test.eeg).all()


# --- the synthetic generator: null dataset, and a per-subject offset ----------------------------

N_SUBJECTS = 4


def synthetic_pool(folder: Path, cfg: synthetic.SyntheticConfig) -> tuple[list[str], list[dict]]:
    """Session 1 of subjects 1-4 (EEG and eye movements) through the generator and the feature stage."""
    labels = folder / "label.mat"
    synthetic.seed.write_labels(labels)
    paths, members = [], []
    for subject in range(1, N_SUBJECTS + 1):
        mat, eye = folder / f"{subject}_1.mat", folder / f"{subject}_1_eye.mat"
        synthetic.seed.write_session(mat, eye, subject=subject, session=1, cfg=cfg)
        recording = features.bandpass_recording(seed_ds.read_session(mat, labels, eye), l_freq=1.0, h_freq=50.0)
        out = features.extract_features(recording, bands=synthetic.DEFAULT_SEED_BANDS, window_s=4.0, step_s=2.0)
        out.attrs.update(label_names=["emotion"], classes={"emotion": seed_ds.CLASSES["emotion"].as_attrs()})
        write_features(folder / f"{subject}_1.h5", out)
        paths.append(str(folder / f"{subject}_1.h5"))
        members.append({"recording": f"{subject}_1", "subject": str(subject), "session": 1})
    return paths, members


NULL_MODELS = {
    "linear_svm": {"C": 0.01},
    "feature_fusion": {"C": 1.0, "gamma": 0.001},
    "bimodal_lstm": {"eeg_hidden": 16, "other_hidden": 4, "sequence_length": 4, "batch_size": 8, "max_epochs": 5,
                     "patience": 3, "seed": 2},
    "bddae": {"eeg_hidden": 16, "other_hidden": 4, "shared_hidden": 8, "pretrain_epochs": 3, "max_epochs": 5,
              "patience": 3, "seed": 2, "batch_size": 64},
    "dcca": {"eeg_hidden": 16, "other_hidden": 4, "output_size": 4, "max_epochs": 5, "patience": 3, "seed": 2,
             "batch_size": 64, "C": 0.1},
    "bdae": {"eeg_hidden": 16, "other_hidden": 8, "shared_hidden": 8, "rbm_epochs": 5, "rbm_learning_rate": 0.05,
             "learning_rate": 1e-2, "max_epochs": 5, "patience": 3, "seed": 2, "C": 0.1},
    "mesae": {"eeg_subsets": 5, "other_subsets": 2, "sae_hidden": [8, 4], "pretrain_epochs": 3, "max_epochs": 5,
              "patience": 3, "seed": 2},
    "subnetwork_nodes": {"node_size": 16, "max_epochs": 5, "patience": 3, "seed": 2},
}


#: A registered class without an entry above runs with its defaults and this budget.
NULL_BUDGET = {"max_epochs": 5, "patience": 3, "seed": 2}


def loso_accuracy(paths, members, model_class, hyper, **protocol) -> float:
    """Mean over held-out subjects of the test accuracy of ``model_class`` under loso."""
    accuracies = []
    for subject in (m["subject"] for m in members):
        fold = pooled_fold(paths, members, dict(LOSO, **protocol), subject)
        model = build_model(model_class, **hyper).fit(fold.train, fold.val)
        accuracies.append(float(np.mean(model.predict(fold.test) == fold.test.y)))
    return float(np.mean(accuracies))


@pytest.fixture(scope="module")
def null_pool(tmp_path_factory):
    return synthetic_pool(tmp_path_factory.mktemp("null"), synthetic.SyntheticConfig(
        seed=11, effect_size=0.0, clip_seconds=(16.0, 20.0)))


@pytest.mark.parametrize("model_class", list(MODELS))
def test_null_dataset_loso_stays_at_chance_for_every_model(null_pool, model_class):
    paths, members = null_pool
    chance = 1 / 3
    # windows of a clip share its state: the independent test units are the held-out clips
    tolerance = 2.5 * math.sqrt(chance * (1 - chance) / (15 * N_SUBJECTS))
    accuracy = loso_accuracy(paths, members, model_class, NULL_MODELS.get(model_class, NULL_BUDGET))
    if not MODELS[model_class]().required_modalities():  # clip_duration: every subject's clips have the same
        assert accuracy > chance + tolerance, (model_class, accuracy)  # lengths, so they leak the label in null data
        return
    assert abs(accuracy - chance) < tolerance, (model_class, accuracy, tolerance)


def test_a_per_subject_offset_costs_loso_and_per_subject_standardisation_recovers_part(tmp_path):
    cfg = synthetic.SyntheticConfig(seed=11, subject_offset=1.0, clip_seconds=(16.0, 20.0))
    paths, members = synthetic_pool(tmp_path, cfg)
    svm = {"C": 0.01}
    within = []
    for path in paths:  # the paper's subject-dependent protocol on each session
        (fold,) = protocols.experiment_folds(read_features(path), protocol={
            "kind": "clips", "tasks": ["emotion"], "train_clips": list(range(1, 7)), "validation_clips": [7, 8, 9],
            "test_clips": list(range(10, 16))}, task="emotion", seed=1)
        within.append(float(np.mean(build_model("linear_svm", **svm).fit(fold.train, fold.val).predict(fold.test)
                                    == fold.test.y)))
    across = loso_accuracy(paths, members, "linear_svm", svm)
    standardised = loso_accuracy(paths, members, "linear_svm", svm, normalisation="per_subject")
    assert across < np.mean(within) - 0.08, (across, within)  # measured: 0.55 vs 0.67
    assert standardised > across + 0.1, (standardised, across)  # measured: 0.81
