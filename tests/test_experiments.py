"""Protocols, folds, the seeded random search and selection."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from multimodal_emotion import evaluation, search
from multimodal_emotion.protocols import class_labels, clips, kfold
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds
from multimodal_emotion.protocols import ExperimentError
from multimodal_emotion.store import FeatureFile
from support import load_script
from support.workflow import REPO


def deap_like(ratings: np.ndarray, windows_per_trial: int = 3) -> FeatureFile:
    """Feature file of 40 trials with the given (valence, arousal) ratings."""
    n_trials = len(ratings)
    segment = np.repeat(np.arange(1, n_trials + 1), windows_per_trial)
    n = segment.size
    rng = np.random.default_rng(0)
    labels = np.column_stack([np.repeat(ratings, windows_per_trial, axis=0), np.full((n, 2), 5.0)])
    return FeatureFile(
        de=rng.normal(size=(n, 4, 2)), psd=rng.normal(size=(n, 4, 2)), other=rng.normal(size=(n, 3)),
        segment=segment, start_s=np.tile(np.arange(windows_per_trial) * 2.0, n_trials), labels=labels,
        attrs={"label_names": ["valence", "arousal", "dominance", "liking"],
               "classes": {name: spec.as_attrs() for name, spec in deap_ds.CLASSES.items()}},
    )


#: The clips protocol of one synthetic SEED session (:func:`seed_like`): 6 training, 3
#: validation and 6 test clips.
SEED_CLIPS_PROTOCOL = {"kind": "clips", "train_clips": [1, 2, 3, 4, 5, 6], "validation_clips": [7, 8, 9],
                       "test_clips": [10, 11, 12, 13, 14, 15]}


def seed_like() -> FeatureFile:
    segment = np.repeat(np.arange(1, 16), 4)
    emotion = np.array([1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1], dtype=float)
    n = segment.size
    rng = np.random.default_rng(1)
    return FeatureFile(
        de=rng.normal(size=(n, 62, 5)), psd=rng.normal(size=(n, 62, 5)), other=rng.normal(size=(n, 41)),
        segment=segment, start_s=np.tile(np.arange(4.0), 15), labels=np.repeat(emotion, 4)[:, None],
        attrs={"label_names": ["emotion"], "classes": {name: spec.as_attrs() for name, spec in seed_ds.CLASSES.items()}},
    )


def test_seed_clip_protocol_splits_by_clip():
    (fold,) = clips.clip_folds(
        seed_like(), task="emotion", train_clips=range(1, 7), validation_clips=[7, 8, 9], test_clips=range(10, 16)
    )
    assert set(fold.train.segment) == set(range(1, 7)) and set(fold.val.segment) == {7, 8, 9}
    assert set(fold.test.segment) == set(range(10, 16))
    assert fold.train.eeg.shape == (24, 310) and fold.train.other.shape == (24, 41)
    # labels -1, 0, 1 -> classes 0, 1, 2; validation clips 7, 8, 9 hold one of each
    assert sorted(set(fold.val.y)) == [0, 1, 2]


def test_seed_overlapping_clips_are_refused():
    with pytest.raises(ExperimentError, match=r"clips \[9\] are in more than one split"):
        clips.clip_folds(seed_like(), task="emotion", train_clips=range(1, 10), validation_clips=[9], test_clips=[10])


def test_deap_threshold_and_tie_rule():
    ratings = np.column_stack([np.linspace(1, 9, 40), np.linspace(9, 1, 40)])
    ratings[0, 1] = 5.0  # exactly the threshold
    y, classes = class_labels(deap_like(ratings), task="arousal", threshold=5.0)
    assert classes == ("low", "high")
    assert y[0] == 0  # 5.0 is low
    assert y[3 * 39] == 0 and y[3 * 1] == 1


@pytest.mark.parametrize("fold_unit", ["trial", "window"])
def test_kfold_covers_every_window_once_and_trial_level_never_leaks(fold_unit):
    rng = np.random.default_rng(2)
    ratings = rng.uniform(1, 9, (40, 2))
    features = deap_like(ratings)
    folds = kfold.kfold_folds(features, task="valence", threshold=5.0, n_folds=10, fold_unit=fold_unit, seed=3)
    assert len(folds) == 10
    tested = np.concatenate([f.test.segment for f in folds])
    assert tested.size == features.segment.size  # every window tested exactly once
    leaks = [bool(set(f.train.segment) & set(f.test.segment)) for f in folds]
    if fold_unit == "trial":
        assert not any(leaks)
        for f in folds:
            assert not set(f.val.segment) & (set(f.train.segment) | set(f.test.segment))
    else:
        assert any(leaks)  # the leaky protocol mixes windows of a trial across splits


def test_kfold_is_stratified_and_seeded():
    ratings = np.column_stack([np.r_[np.full(30, 7.0), np.full(10, 2.0)], np.full(40, 5.0)])
    a = kfold.kfold_folds(deap_like(ratings), task="valence", threshold=5.0, n_folds=10, fold_unit="trial", seed=4)
    b = kfold.kfold_folds(deap_like(ratings), task="valence", threshold=5.0, n_folds=10, fold_unit="trial", seed=4)
    for fa, fb in zip(a, b):
        np.testing.assert_array_equal(fa.test.segment, fb.test.segment)
    for fold in a:  # 30 high / 10 low trials over 10 folds: 3 high + 1 low each
        trial_classes = [fold.test.y[fold.test.segment == t][0] for t in np.unique(fold.test.segment)]
        assert sorted(trial_classes) == [0, 1, 1, 1]


def test_one_class_subject_says_so():
    ratings = np.column_stack([np.full(40, 7.0), np.full(40, 3.0)])
    with pytest.raises(ExperimentError, match=r"all 40 trials are in class 'high' for valence \(threshold 5\)"):
        kfold.kfold_folds(deap_like(ratings), task="valence", threshold=5.0, n_folds=10, fold_unit="trial", seed=0)


SPACE = {
    "eeg_hidden": {"int": [16, 256]}, "other_hidden": {"int": [8, 64]}, "keep_prob": {"uniform": [0.3, 0.99]},
    "l2": {"log10": [-9, 0]}, "learning_rate": {"log10": [-4, -1.5]},
}


def test_random_search_is_seeded_per_experiment_and_index():
    one = search.sample_configuration(SPACE, seed=1, experiment="seed/1_20131027/emotion", model="bimodal_lstm", index=5)
    again = search.sample_configuration(SPACE, seed=1, experiment="seed/1_20131027/emotion", model="bimodal_lstm", index=5)
    other = search.sample_configuration(SPACE, seed=1, experiment="seed/1_20131027/emotion", model="bimodal_lstm", index=6)
    assert one == again and one != other
    # Fixed value on every machine: PCG64 streams from SeedSequence are platform-independent.
    assert json.dumps(one, sort_keys=True) == json.dumps(again, sort_keys=True)


def _former_sample(space, *, seed, experiment, model, index):
    """The hand-written sampler of the first releases, kept to show the draws never changed."""
    import zlib

    rng = np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(experiment.encode()),
                                                        zlib.crc32(model.encode()), index]))
    config = {}
    for name in sorted(space):
        (kind, arg), = space[name].items()
        config[name] = {"log10": lambda: float(10 ** rng.uniform(*arg)), "uniform": lambda: float(rng.uniform(*arg)),
                        "int": lambda: int(rng.integers(arg[0], arg[1] + 1)),
                        "choice": lambda: arg[int(rng.integers(len(arg)))], "value": lambda: arg}[kind]()
    if "keep_prob" in config:
        config["dropout"] = 1.0 - config.pop("keep_prob")
    config["seed"] = int(rng.integers(2**31 - 1))
    return config


def test_sampled_configurations_are_those_of_the_former_sampler():
    """The draws equal the first releases' ones, value and type: no sampled configuration,
    hence no table, changed (two integer draws in a row included)."""
    space = {**SPACE, "batch": {"choice": [4, 8, 16]}, "depth": {"int": [1, 3]}, "fixed": {"value": "x"}}
    for k in range(500):
        new = search.sample_configuration(space, seed=k % 3, experiment="seed/1/emotion", model="m", index=k)
        old = _former_sample(space, seed=k % 3, experiment="seed/1/emotion", model="m", index=k)
        assert new == old and [type(v) for v in new.values()] == [type(v) for v in old.values()]


def test_random_search_ranges_and_distributions():
    configs = [search.sample_configuration(SPACE, seed=0, experiment="e", model="m", index=k) for k in range(2000)]
    frame = pd.DataFrame(configs)
    assert frame["eeg_hidden"].between(16, 256).all() and {16, 256} <= set(frame["eeg_hidden"])
    assert frame["dropout"].between(0.01, 0.7).all()  # keep_prob in [0.3, 0.99] -> Keras rate
    log_l2 = np.log10(frame["l2"])
    assert log_l2.between(-9, 0).all()
    assert abs(log_l2.mean() - (-4.5)) < 0.2  # log-uniform: uniform in the exponent
    assert frame["seed"].nunique() == 2000


def test_shards_partition_the_configurations():
    shards = [search.shard_indices(10, shard=s, n_shards=3) for s in range(3)]
    assert sorted(sum(shards, [])) == list(range(10))


def test_selection_by_validation_and_by_test():
    search = pd.DataFrame({
        "config": [0, 0, 1, 1], "fold": [0, 1, 0, 1],
        "train_accuracy": [0.9, 0.9, 1.0, 1.0], "val_accuracy": [0.8, 0.6, 0.5, 0.5], "test_accuracy": [0.5, 0.5, 0.9, 0.7],
    })
    by_val = evaluation.select_configuration(search, selection="validation")
    by_test = evaluation.select_configuration(search, selection="test")
    assert by_val["config"] == 0 and by_val["test_accuracy"] == pytest.approx(0.5)
    assert by_test["config"] == 1 and by_test["test_accuracy"] == pytest.approx(0.8)
    assert by_test["test_accuracy_folds"] == [0.9, 0.7]


def test_search_csv_has_network_alone_and_refit_figures(tmp_path, caplog):
    """Every configuration row carries the network's own accuracy and J before the
    refit, liblinear's J, the final J with its certificate, epochs and steps; the
    paper's tool alone (exact: false) is reported with its own (failing) certificate."""
    from multimodal_emotion.store import write_features

    path = tmp_path / "1_20131027.h5"
    write_features(path, seed_like())
    protocol = dict(SEED_CLIPS_PROTOCOL)
    space = {"l2": {"value": 1e-5}, "learning_rate": {"value": 1e-2}}
    fixed = {"eeg_hidden": 4, "other_hidden": 2, "sequence_length": 2, "batch_size": 2, "max_epochs": 3}
    search.train_shard(features_path=str(path), experiment="seed/1_20131027", task="emotion", protocol=protocol,
                            model_name="bimodal_lstm", model_class="bimodal_lstm", space=space, fixed=fixed,
                            n_configs=1, shard=0, n_shards=1, seed=0, output_dir=str(tmp_path / "models"))
    rows = {}
    for exact in (True, False):
        csv = tmp_path / f"evaluation_{exact}.csv"
        with caplog.at_level("WARNING"):
            evaluation.evaluate_shard(features_path=str(path), training_dir=str(tmp_path / "models"), task="emotion",
                                       protocol=protocol, seed=0, refit={"enabled": True, "eps": 0.01, "exact": exact},
                                       output_csv=str(csv), output_predictions=str(tmp_path / "p.npz"),
                                       output_curves=str(tmp_path / "curves.json"))
        rows[exact] = pd.read_csv(csv).iloc[0]
    row = rows[True]
    for column in ("network_train_accuracy", "network_val_accuracy", "network_test_accuracy", "network_objective",
                   "refit_objective", "refit_objective_liblinear", "refit_objective_network",
                   "refit_liblinear_iterations", "refit_newton_steps", "best_epoch", "optimizer_steps",
                   "train_accuracy", *evaluation.REFIT_CERTIFICATE):
        assert np.isfinite(row[column]), column
    assert row["refit_objective"] <= row["network_objective"] * (1 + 1e-6)
    assert row["refit_objective"] <= row["refit_objective_liblinear"] * (1 + 1e-12)
    assert bool(row["refit_converged"]) and row[list(evaluation.REFIT_CERTIFICATE)].max() < 1e-8
    assert "certificate" not in caplog.text  # no refit warning when exact
    alone = rows[False]  # liblinear's point kept: its J and certificate, as measured
    assert alone["refit_objective"] == pytest.approx(row["refit_objective_liblinear"], rel=1e-5)
    assert alone["refit_newton_steps"] == 0 and not bool(alone["refit_converged"])
    assert alone["refit_duality_gap"] > 1e-8
    assert row["epochs"] == 3 and row["optimizer_steps"] == 3 * row["optimizer_steps"] // 3 > 3
    curves = json.loads((tmp_path / "curves.json").read_text())
    assert len(curves["c0_f0"]["loss"]) == 3


def test_model_without_its_modality_is_absent_with_a_note(tmp_path):
    """SEED without eye features: the other-modality-only SVM does not run (no number),
    and the tables say why."""
    from multimodal_emotion import reporting
    from multimodal_emotion.store import write_features

    features = seed_like()
    features.other = features.other[:, :0]
    path = tmp_path / "1_20131027.h5"
    write_features(path, features)
    protocol = dict(SEED_CLIPS_PROTOCOL)
    results = []
    for name, fixed in (("linear_svm_other", {"modality": "other"}), ("linear_svm_eeg", {"modality": "eeg"})):
        base = tmp_path / name
        search.train_shard(features_path=str(path), experiment="seed/1_20131027", task="emotion", protocol=protocol,
                                model_name=name, model_class="linear_svm", space={"C": {"value": 1.0}}, fixed=fixed,
                                n_configs=1, shard=0, n_shards=1, seed=0, output_dir=str(base / "models"))
        evaluation.evaluate_shard(features_path=str(path), training_dir=str(base / "models"), task="emotion",
                                   protocol=protocol, seed=0, refit={"enabled": False},
                                   output_csv=str(base / "e.csv"), output_predictions=str(base / "p.npz"),
                                   output_curves=str(base / "c.json"))
        evaluation.merge_shards(shard_csvs=[str(base / "e.csv")], shard_predictions=[str(base / "p.npz")],
                                 shard_curves=[str(base / "c.json")], experiment="1_20131027", dataset="seed",
                                 task="emotion", model=name, selections=["validation"], n_classes=3,
                                 output_csv=str(base / "search.csv"), output_json=str(base / "result.json"))
        results.append(str(base / "result.json"))
    other = json.loads((tmp_path / "linear_svm_other" / "result.json").read_text())
    assert "no other features" in other["not_evaluable"] and not other["selections"]
    table = reporting.summary_table(reporting.collect_results(results), dataset="seed")
    assert set(table.loc[table["source"] == "this run", "model"]) == {"linear_svm_eeg", "training_majority"}
    eeg = table.set_index("model").loc["linear_svm_eeg"]
    assert eeg["svm_certificate"] <= 1e-8 and eeg["n_experiments"] == 1 and np.isfinite(eeg["balanced_accuracy"])
    assert (pd.read_csv(tmp_path / "linear_svm_eeg" / "search.csv")["svm_certificate"] <= 1e-8).all()
    assert any("no other features" in note for note in table.attrs["excluded"])
    reporting.write_table(table, str(tmp_path / "seed_accuracy"), caption="SEED")
    markdown = (tmp_path / "seed_accuracy.md").read_text()
    assert "| model " in markdown and "linear_svm_eeg" in markdown  # the model column is printed
    assert "Not evaluable" in markdown and "no other features" in markdown
    assert "linear_svm_eeg" in (tmp_path / "seed_accuracy.tex").read_text().replace("\\_", "_")


def test_merge_search_equals_evaluating_each_shard_then_merging(tmp_path):
    """The workflow's second job (evaluation and refit inside merge_search) writes exactly
    what the former evaluate_shard + merge_search jobs wrote, shards included."""
    from multimodal_emotion.store import write_features

    path = tmp_path / "1_20131027.h5"
    write_features(path, seed_like())
    protocol = dict(SEED_CLIPS_PROTOCOL)
    shards = []
    for shard in range(2):
        shards.append(tmp_path / f"shard{shard}" / "models")
        search.train_shard(features_path=str(path), experiment="seed/1_20131027", task="emotion",
                                protocol=protocol, model_name="linear_svm", model_class="linear_svm",
                                space={"C": {"log10": [-3, 0]}}, fixed={}, n_configs=3, shard=shard, n_shards=2,
                                seed=0, output_dir=str(shards[-1]))
    common = dict(experiment="1_20131027", dataset="seed", task="emotion", model="linear_svm",
                  selections=["validation", "test"], n_classes=3, features_path=str(path), protocol=protocol)
    csvs, npzs, curves = [], [], []
    for s, models in enumerate(shards):
        csvs.append(str(tmp_path / f"e{s}.csv"))
        npzs.append(str(tmp_path / f"p{s}.npz"))
        curves.append(str(tmp_path / f"c{s}.json"))
        evaluation.evaluate_shard(features_path=str(path), training_dir=str(models), task="emotion", protocol=protocol,
                                   seed=0, refit={"enabled": False}, output_csv=csvs[-1], output_predictions=npzs[-1],
                                   output_curves=curves[-1])
    evaluation.merge_shards(shard_csvs=csvs, shard_predictions=npzs, shard_curves=curves,
                             output_csv=str(tmp_path / "apart.csv"), output_json=str(tmp_path / "apart.json"), **common)
    evaluation.merge_search(training_dirs=[str(m) for m in shards], seed=0, refit={"enabled": False},
                             output_csv=str(tmp_path / "joint.csv"), output_json=str(tmp_path / "joint.json"), **common)
    apart = pd.read_csv(tmp_path / "apart.csv").drop(columns="seconds")
    joint = pd.read_csv(tmp_path / "joint.csv").drop(columns="seconds")
    assert len(joint) == 3 and sorted(joint["config"]) == [0, 1, 2]
    pd.testing.assert_frame_equal(apart, joint)
    assert (tmp_path / "apart.json").read_text() == (tmp_path / "joint.json").read_text()


def test_train_shard_logs_its_phases_and_traces_each_step_once(tmp_path, caplog, monkeypatch):
    """The markers benchmarks/bench_network_job.py reads; a network's training step is
    traced once per fit (the short last mini-batch reuses it), and its inference
    functions once for every split."""
    from multimodal_emotion.models import BimodalLSTM, WindowData
    from multimodal_emotion.models.training import PHASE_SECONDS
    from multimodal_emotion.store import write_features

    path = tmp_path / "1_20131027.h5"
    write_features(path, seed_like())
    protocol = dict(SEED_CLIPS_PROTOCOL)
    PHASE_SECONDS.clear()
    with caplog.at_level("INFO"):
        search.train_shard(features_path=str(path), experiment="seed/1_20131027", task="emotion",
                                protocol=protocol, model_name="bimodal_lstm", model_class="bimodal_lstm",
                                space={"l2": {"value": 1e-4}, "learning_rate": {"value": 1e-2}},
                                fixed={"eeg_hidden": 4, "other_hidden": 2, "sequence_length": 2, "batch_size": 5,
                                       "max_epochs": 2}, n_configs=1, shard=0, n_shards=1, seed=0,
                                output_dir=str(tmp_path / "models"))
    bench = load_script(REPO / "benchmarks" / "bench_network_job.py")
    row = bench.breakdown(caplog.text, wall=1e6)
    for name in ("build", "trace", "training_steps", "save"):
        assert row[name] > 0, name
    # near 0 when an earlier test of this process imported TensorFlow already
    assert "import_tensorflow" in PHASE_SECONDS and row["import_tensorflow"] >= 0
    assert row["teardown"] > 0 and row["startup"] >= 0

    rng = np.random.default_rng(0)
    def split(n_segments):
        segment = np.repeat(np.arange(n_segments), 6)
        return WindowData(eeg=rng.normal(size=(segment.size, 5)), other=rng.normal(size=(segment.size, 3)),
                          y=np.repeat(np.arange(n_segments) % 3, 6), segment=segment)
    from multimodal_emotion.models import base, bimodal_lstm, training

    made = []
    def recording_traced(*args, **kwargs):
        made.append(training.traced(*args, **kwargs))
        return made[-1]
    for module in (base, bimodal_lstm):  # inference functions (SVMNetwork), training step
        monkeypatch.setattr(module, "traced", recording_traced)
    model = BimodalLSTM(eeg_hidden=3, other_hidden=2, sequence_length=4, batch_size=5, max_epochs=3, seed=1)
    train, val, test = split(6), split(3), split(5)  # 12 training sequences: mini-batches of 5, 5 and 2
    model.fit(train, val)
    for data in (train, val, test):
        model.extract_features(data)
        model.predict(data)
    assert len(made) == 3  # predict, features, training step
    assert [f.experimental_get_tracing_count() for f in made] == [1, 1, 1]


def test_result_values_are_plain_python_for_json():
    """The experiment result's hyperparameters come from search-CSV columns, whose cells
    are NumPy scalars (a boolean one made the tiny run's bdae_lab_code merge fail)."""
    import json

    from multimodal_emotion.evaluation import _plain

    values = [_plain(v) for v in (np.bool_(True), np.int64(3), np.float32(0.5), np.float64("nan"), "x")]
    assert values == [True, 3, 0.5, None, "x"] and type(values[0]) is bool
    json.dumps(values)


def test_job_modules_import_no_heavy_library_before_it_is_needed():
    """Every Snakemake job starts a Python process: the modules its entry script imports must
    not pull in the large libraries at import time (each costs 0.1-4 s); a job imports what
    it uses when it uses it. Snakemake itself asks the registry ``is_network`` for every merge
    job while it plans: answered without importing a model class (scikit-learn)."""
    import subprocess
    import sys

    heavy = ["scipy.stats", "scipy.signal", "tensorflow", "keras", "sklearn", "mne", "matplotlib", "pandas", "h5py",
             "neurokit2", "openpyxl"]
    entries = ["search", "evaluation", "features", "synthetic", "reporting", "quality_report"]
    code = ("import importlib, sys\n"
            f"for entry in {entries!r}:\n"
            "    importlib.import_module('multimodal_emotion.' + entry)\n"
            "from multimodal_emotion import models\n"
            "assert [models.is_network(name) for name in models.MODELS].count(True) == 2\n"
            f"print([name for name in {heavy!r} if name in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO / "workflow_scripts")})
    assert out.stdout.strip() == "[]", out.stdout


def test_accuracy_and_confusion_equal_scikit_learns():
    from sklearn.metrics import accuracy_score, confusion_matrix

    from multimodal_emotion.statistics import confusion_counts

    rng = np.random.default_rng(3)
    for n_classes in (2, 3, 7):
        y_true, y_pred = rng.integers(n_classes, size=(2, 101))
        assert evaluation._accuracy(y_true, y_pred) == float(accuracy_score(y_true, y_pred))
        np.testing.assert_array_equal(confusion_counts(y_true, y_pred, n_classes),
                                      confusion_matrix(y_true, y_pred, labels=range(n_classes)))
    with pytest.raises(ValueError, match="outside the class indices"):
        confusion_counts(np.array([0, 3]), np.array([0, 1]), 3)


def test_a_merge_job_imports_no_model_or_scikit_learn(tmp_path):
    """merge_search (the refit of a network's SVM layer included) reads what training saved:
    it needs neither TensorFlow nor the model classes nor scikit-learn, whose import alone
    cost each merge job more than its work."""
    import subprocess
    import sys

    from multimodal_emotion.store import write_features

    path = tmp_path / "1_20131027.h5"
    write_features(path, seed_like())
    protocol = dict(SEED_CLIPS_PROTOCOL)
    search.train_shard(features_path=str(path), experiment="seed/1_20131027", task="emotion", protocol=protocol,
                       model_name="bimodal_lstm", model_class="bimodal_lstm",
                       space={"l2": {"value": 1e-4}, "learning_rate": {"value": 1e-2}},
                       fixed={"eeg_hidden": 4, "other_hidden": 2, "sequence_length": 2, "max_epochs": 2}, n_configs=1,
                       shard=0, n_shards=1, seed=0, output_dir=str(tmp_path / "models"))
    merge = dict(features_path=[str(path)], training_dirs=[str(tmp_path / "models")], seed=0, protocol=protocol,
                 refit={"enabled": True}, experiment="1_20131027", dataset="seed", task="emotion", model="bimodal_lstm",
                 selections=["validation"], n_classes=3, output_csv=str(tmp_path / "m.csv"),
                 output_json=str(tmp_path / "m.json"))
    code = ("import json, sys\n"
            "from multimodal_emotion.evaluation import merge_search\n"
            f"merge_search(**json.loads({json.dumps(json.dumps(merge))}))\n"
            "print(sorted(m for m in ('sklearn', 'tensorflow', 'keras', 'multimodal_emotion.models.base') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO / "workflow_scripts")})
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout
    result = json.loads((tmp_path / "m.json").read_text())
    assert "validation" in json.dumps(result)


def test_packed_training_refuses_an_output_folder_of_another_model(tmp_path):
    """search.train_models pairs each model with its folder by name, not by position alone:
    a folder that is not ``<model>/shard0/models`` is an error before anything is trained
    (here the first pair matches: a model trained before the check would fail on its
    missing settings first)."""
    folders = [str(tmp_path / "bddae/shard0/models"), str(tmp_path / "dcca/shard0/models")]
    with pytest.raises(ValueError, match="is not model linear_svm's"):
        search.train_models(features_path=[], experiment="seed/x", task="emotion",
                            models={"bddae": {}, "linear_svm": {}}, output_dirs=folders)
    with pytest.raises(ValueError, match="2 models but 1 output folders"):
        search.train_models(features_path=[], experiment="seed/x", task="emotion",
                            models={"bddae": {}, "linear_svm": {}}, output_dirs=folders[:1])
    assert not any(tmp_path.iterdir())


def test_a_packed_jobs_error_names_its_model(tmp_path, monkeypatch):
    """One line for a failed packed job names the model (the job's own name does not)."""
    def refuse(**kwargs):
        raise ValueError(f"{kwargs['model_name']} refuses")

    monkeypatch.setattr(search, "train_shard", refuse)
    with pytest.raises(ValueError, match="^model bddae: bddae refuses$"):
        search.train_models(features_path=[], experiment="seed/x", task="emotion", models={"bddae": {}},
                            output_dirs=[str(tmp_path / "bddae/shard0/models")])


def test_packed_merge_refuses_paths_of_another_model(tmp_path):
    """evaluation.merge_models pairs each model with its training folder, search CSV and
    result JSON by name: a mismatch is an error before anything is evaluated or written."""
    models, refit = ["bddae", "linear_svm"], {"bddae": {}, "linear_svm": {}}
    right = {"training_dirs": [str(tmp_path / f"search/{m}/shard0/models") for m in models],
             "output_csvs": [str(tmp_path / f"search/{m}.csv") for m in models],
             "output_jsons": [str(tmp_path / f"experiments/{m}.json") for m in models]}
    wrong = {"training_dirs": ("training folder", str(tmp_path / "search/dcca/shard0/models")),
             "output_csvs": ("search CSV", str(tmp_path / "search/dcca.csv")),
             "output_jsons": ("result JSON", str(tmp_path / "experiments/dcca.json"))}
    for key, (kind, path) in wrong.items():
        paths = {**right, key: [right[key][0], path]}
        with pytest.raises(ValueError, match=f"^{kind} .* is not model linear_svm's$"):
            evaluation.merge_models(features_path=[], models=models, refit=refit, **paths)
    with pytest.raises(ValueError, match="2 models but 1 search CSVs"):
        evaluation.merge_models(features_path=[], models=models, refit=refit,
                                **{**right, "output_csvs": right["output_csvs"][:1]})
    assert not any(tmp_path.iterdir())


def test_a_packed_merges_error_names_its_model(monkeypatch):
    """One line for a failed packed merge names the model; each model gets its own refit settings."""
    seen = {}

    def refuse(**kwargs):
        seen[kwargs["model"]] = kwargs["refit"]
        if kwargs["model"] == "dcca":
            raise ValueError("dcca refuses")

    monkeypatch.setattr(evaluation, "merge_search", refuse)
    with pytest.raises(ValueError, match="^model dcca: dcca refuses$"):
        evaluation.merge_models(features_path=[], training_dirs=["s/bddae/shard0/models", "s/dcca/shard0/models"],
                                output_csvs=["s/bddae.csv", "s/dcca.csv"], output_jsons=["e/bddae.json", "e/dcca.json"],
                                models=["bddae", "dcca"], refit={"bddae": {"eps": 1}, "dcca": {"enabled": False}})
    assert seen == {"bddae": {"eps": 1}, "dcca": {"enabled": False}}

    def crash(**kwargs):  # a bug, not bad input: the traceback in the log names the model
        if kwargs["model"] == "dcca":
            raise KeyError("weights")

    monkeypatch.setattr(evaluation, "merge_search", crash)
    with pytest.raises(KeyError) as raised:
        evaluation.merge_models(features_path=[], training_dirs=["s/bddae/shard0/models", "s/dcca/shard0/models"],
                                output_csvs=["s/bddae.csv", "s/dcca.csv"], output_jsons=["e/bddae.json", "e/dcca.json"],
                                models=["bddae", "dcca"], refit={"bddae": {}, "dcca": {}})
    assert raised.value.__notes__ == ["in packed merge: model dcca (2 of 2)"]


def test_training_jobs_load_the_model_stack_without_what_they_do_not_use():
    """A training job loads scikit-learn, and for a network TensorFlow and Keras, without the
    modules they import only for features no job uses (search.UNUSED_IN_TRAINING: pandas,
    matplotlib); the process can still import those afterwards, and the models fit. A fresh
    process: this one has imported them already."""
    import subprocess
    import sys

    code = ("import sys, numpy as np; from multimodal_emotion import search; "
            "assert search.import_model_stack('bimodal_lstm') and not search.import_model_stack('linear_svm'); "
            "tf = search.import_tensorflow(); import keras; "
            "assert keras.layers.Dense(2)(tf.ones((1, 3))).shape == (1, 2); "
            "from multimodal_emotion.models import build_model; from multimodal_emotion.models.data import WindowData; "
            "rng = np.random.default_rng(0); y = np.arange(40) % 2; "
            "data = WindowData(eeg=rng.normal(size=(40, 3)) + y[:, None], other=rng.normal(size=(40, 2)), y=y, segment=np.arange(40)); "
            "model = build_model('linear_svm').fit(data, data); assert model.score(data) > 0.7; "
            "loaded = sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules); "
            "import pandas, matplotlib.pyplot; assert pandas.DataFrame({'a': [1]}).shape == (1, 1); print(loaded)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO / "workflow_scripts", env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[-2] == "[]"  # not loaded by the model stack; importable after
