"""Grouped training: many Bimodal-LSTM configurations in one graph (models/grouped_lstm.py).

A configuration trained in a group must be the configuration trained alone (up to
float rounding), a stopped configuration must stay frozen while the rest go on, and
the search's results must not depend on how it is cut into shards.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from multimodal_emotion import search
from multimodal_emotion.models import BimodalLSTM, load_model
from multimodal_emotion.models.grouped_lstm import fit_grouped, select_device
from test_experiments import seed_like
from test_models import make_windows

#: Configurations that differ in everything a group may vary, hidden sizes included
#: (padding to the largest is exercised in both encoders).
CONFIGS = [
    dict(eeg_hidden=8, other_hidden=4, l2=1e-3, learning_rate=1e-2, dropout=0.3, seed=3),
    dict(eeg_hidden=5, other_hidden=6, l2=1e-1, learning_rate=3e-2, dropout=0.0, seed=11),
    dict(eeg_hidden=3, other_hidden=2, l2=0.0, learning_rate=1e-3, dropout=0.6, seed=5),
]
#: Scores of a grouped and a lone run after 8 epochs differ by float rounding only
#: (measured: < 4e-6 on scores of magnitude ~3; different summation order in padded
#: and batched products). The tolerance leaves a margin of ~25x.
ATOL, RTOL = 1e-4, 1e-4


@pytest.fixture(scope="module")
def splits():
    return make_windows(12, effect=1.5, seed=1), make_windows(9, effect=1.5, seed=2)


def _weights(model):
    return model.model_.get_weights()


@pytest.mark.parametrize("batch_size", [None, 4], ids=["full-batch", "mini-batch"])
def test_configuration_in_a_group_equals_it_alone(splits, batch_size):
    """Same scores (float tolerance), same per-epoch monitored accuracy and restored
    epoch at equal steps, dropout included (the group draws each Keras layer's masks)."""
    train, val = splits
    common = dict(sequence_length=10, max_epochs=8, patience=100, batch_size=batch_size)
    alone = [BimodalLSTM(**c, **common).fit(train, val) for c in CONFIGS]
    grouped = fit_grouped([BimodalLSTM(**c, **common) for c in CONFIGS], train, val)
    for a, g in zip(alone, grouped):
        np.testing.assert_allclose(g.decision_function(val), a.decision_function(val), atol=ATOL, rtol=RTOL)
        for wa, wg in zip(_weights(a), _weights(g)):
            np.testing.assert_allclose(wg, wa, atol=ATOL, rtol=RTOL)
        assert g.history["monitored_accuracy"] == a.history["monitored_accuracy"]
        for key in ("epochs", "best_epoch", "optimizer_steps", "restored_steps", "stopped_early"):
            assert g.history[key] == a.history[key], key


@pytest.mark.parametrize("batch_size", [None, 4], ids=["full-batch", "mini-batch"])
def test_next_fold_reuses_the_traced_steps_and_equals_a_fresh_graph(splits, batch_size):
    """train_shard fits a group on every fold in a row: the second fit reuses the first's
    traced steps (no new trace) and ends exactly where a freshly built graph ends."""
    from multimodal_emotion.models import grouped_lstm

    train, val = splits
    other_train = make_windows(10, effect=1.5, seed=7)  # another fold: other windows, other size
    common = dict(sequence_length=10, max_epochs=4, patience=100, batch_size=batch_size)
    grouped_lstm._GRAPH_CACHE.clear()
    fit_grouped([BimodalLSTM(**c, **common) for c in CONFIGS], train, val)
    (graph,) = grouped_lstm._GRAPH_CACHE.values()
    reused = fit_grouped([BimodalLSTM(**c, **common) for c in CONFIGS], other_train, val)
    assert list(grouped_lstm._GRAPH_CACHE.values()) == [graph]
    assert graph.train_step.experimental_get_tracing_count() == 1
    assert graph.monitor.experimental_get_tracing_count() == 1
    grouped_lstm._GRAPH_CACHE.clear()
    fresh = fit_grouped([BimodalLSTM(**c, **common) for c in CONFIGS], other_train, val)
    for r, f in zip(reused, fresh):
        for wr, wf in zip(_weights(r), _weights(f)):
            np.testing.assert_array_equal(wr, wf)
        assert r.history == f.history


def test_inside_a_job_the_folds_share_one_inference_network_per_slot(splits):
    """Inside reusing_networks (train_shard's block) the next fold's models take over the
    previous fold's inference networks, one per slot (their feature function traced once):
    same weights, features and scores as a model with its own network; the model whose
    network was taken refuses to answer, and release_group_graph frees the networks.
    Outside the block every fitted model keeps its own network."""
    from multimodal_emotion.models import grouped_lstm, reuse

    train, val = splits
    other_train = make_windows(10, effect=1.5, seed=7)
    common = dict(sequence_length=10, max_epochs=3, patience=100)
    grouped_lstm._GRAPH_CACHE.clear()
    with reuse.reusing_networks():
        first = fit_grouped([BimodalLSTM(**c, **common) for c in CONFIGS], train, val)
        (graph,) = grouped_lstm._GRAPH_CACHE.values()
        assert [slot["net"] for slot in graph.inference] == [m.model_ for m in first]
        later = fit_grouped([BimodalLSTM(**c, **common) for c in CONFIGS], other_train, val)
        assert [slot["net"] for slot in graph.inference] == [m.model_ for m in first]  # taken over, not built
        assert all(slot["owner"] is m for slot, m in zip(graph.inference, later))
        assert all(slot["features"].experimental_get_tracing_count() == 1 for slot in graph.inference)
        for stale in first:
            for use in (stale.extract_features, stale.decision_function):
                with pytest.raises(RuntimeError, match="re-initialised by a later fit"):
                    use(val)
        shared = [(m.extract_features(val), m.decision_function(val), _weights(m)) for m in later]
    grouped_lstm.release_group_graph()
    assert not grouped_lstm._GRAPH_CACHE
    own = fit_grouped([BimodalLSTM(**c, **common) for c in CONFIGS], other_train, val)
    again = fit_grouped([BimodalLSTM(**c, **common) for c in CONFIGS], other_train, val)
    (graph,) = grouped_lstm._GRAPH_CACHE.values()
    assert graph.inference == [None] * len(CONFIGS)  # outside a job: nothing shared, nothing stale
    assert len({id(m.model_) for m in own + again}) == 2 * len(CONFIGS)
    for m, (features, scores, weights) in zip(own, shared):
        assert m.extract_features(val).tobytes() == features.tobytes()
        assert m.decision_function(val).tobytes() == scores.tobytes()
        assert [w.tobytes() for w in _weights(m)] == [w.tobytes() for w in weights]
    grouped_lstm.release_group_graph()


def test_stopped_configuration_is_frozen_while_the_rest_go_on(splits):
    """A configuration that stops early keeps its best weights from then on: it ends
    equal to the same configuration trained alone (which stops at the same epoch),
    although its group partner trains for more epochs."""
    train, val = splits
    common = dict(dropout=0.0, sequence_length=10, max_epochs=25, patience=3)
    stuck = dict(eeg_hidden=4, other_hidden=3, l2=1e-3, learning_rate=1e-7, seed=2)  # cannot improve
    learner = dict(eeg_hidden=8, other_hidden=4, l2=1e-3, learning_rate=2e-2, seed=3)
    g_stuck, g_learner = fit_grouped([BimodalLSTM(**stuck, **common), BimodalLSTM(**learner, **common)], train, val)
    assert g_stuck.history["stopped_early"]
    assert g_stuck.history["epochs"] < g_learner.history["epochs"]
    alone = BimodalLSTM(**stuck, **common).fit(train, val)
    assert alone.history["epochs"] == g_stuck.history["epochs"]
    for wa, wg in zip(_weights(alone), _weights(g_stuck)):
        np.testing.assert_allclose(wg, wa, atol=1e-7, rtol=1e-6)


def test_bfloat16_trains_and_records_its_setting(splits):
    train, val = splits
    common = dict(sequence_length=10, max_epochs=30, patience=30)
    models = fit_grouped([BimodalLSTM(**c, **common) for c in CONFIGS[:2]], train, val, precision="bfloat16")
    assert all(m.history["grouped"]["precision"] == "bfloat16" for m in models)
    assert max(m.score(val) for m in models) > 0.6  # 3 classes: chance is 1/3


def test_group_must_share_everything_but_the_searched_values(splits):
    train, val = splits
    with pytest.raises(ValueError, match=r"differ in \['sequence_length'\]"):
        fit_grouped([BimodalLSTM(sequence_length=5), BimodalLSTM(sequence_length=6)], train, val)
    with pytest.raises(ValueError, match="Allowed values are 'float32' and 'bfloat16'"):
        fit_grouped([BimodalLSTM()], train, val, precision="float16")


def test_device_choice_is_explicit_and_logged(caplog):
    import tensorflow as tf

    with caplog.at_level("INFO", logger="multimodal_emotion.models"):
        assert select_device("cpu") == "/CPU:0"
    assert "grouped training on /CPU:0" in caplog.text
    expected = "/GPU:0" if tf.config.list_physical_devices("GPU") else "/CPU:0"
    assert select_device("auto") == expected
    if expected == "/CPU:0":
        with pytest.raises(RuntimeError, match="sees no GPU"):
            select_device("gpu")


# --------------------------------------------------------------------------------------
# The search: fixed groups, shards of whole groups
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_configs, group_size", [(10, 1), (10, 4), (7, 8), (16, 8), (40, 8)])
@pytest.mark.parametrize("by_size", [False, True])
def test_groups_do_not_depend_on_the_shard_count(n_configs, group_size, by_size):
    sizes = [((k * 37) % 11, k % 3) for k in range(n_configs)] if by_size else None
    groups = search.config_groups(n_configs, group_size=group_size, sizes=sizes)
    assert sorted(sum(groups, [])) == list(range(n_configs))
    assert all(len(g) == group_size for g in groups[:-1] if n_configs % group_size == 0)
    if by_size:  # a group holds neighbours in size order: no size lies between two groups' ranges
        spans = sorted((min(sizes[k] for k in g), max(sizes[k] for k in g)) for g in groups)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    for n_shards in (1, 2, 3, 5):
        shards = [search.shard_indices(n_configs, shard=s, n_shards=n_shards, group_size=group_size,
                                            sizes=sizes) for s in range(n_shards)]
        assert sorted(sum(shards, [])) == list(range(n_configs))
        for indices in shards:  # every shard holds whole groups
            assert all(set(g) <= set(indices) or not set(g) & set(indices) for g in groups)


def test_one_or_two_shards_give_identical_models(tmp_path):
    """search.shards 1 vs 2 with groups of 2: every saved network is byte-identical
    in its weights and its history (apart from the timing)."""
    from multimodal_emotion.store import write_features

    path = tmp_path / "1_20131027.h5"
    write_features(path, seed_like())
    protocol = {"kind": "clips", "train_clips": [1, 2, 3, 4, 5, 6], "validation_clips": [7, 8, 9],
                "test_clips": [10, 11, 12, 13, 14, 15]}
    space = {"eeg_hidden": {"int": [2, 6]}, "other_hidden": {"int": [2, 4]}, "keep_prob": {"uniform": [0.5, 0.9]},
             "l2": {"log10": [-4, -2]}, "learning_rate": {"log10": [-2.5, -1.5]}}
    fixed = {"sequence_length": 2, "batch_size": 2, "max_epochs": 4, "patience": 2}
    args = dict(features_path=str(path), experiment="seed/1_20131027", task="emotion", protocol=protocol,
                model_name="bimodal_lstm", model_class="bimodal_lstm", space=space, fixed=fixed,
                n_configs=4, seed=0, group_size=2)
    search.train_shard(**args, shard=0, n_shards=1, output_dir=str(tmp_path / "one"))
    for s in range(2):
        search.train_shard(**args, shard=s, n_shards=2, output_dir=str(tmp_path / f"two{s}"))
    runs_one = json.loads((tmp_path / "one" / "training.json").read_text())["runs"]
    runs_two = sum((json.loads((tmp_path / f"two{s}" / "training.json").read_text())["runs"] for s in range(2)), [])
    assert {r["config"] for r in runs_one} == {r["config"] for r in runs_two} == {0, 1, 2, 3}
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in runs_one]
    assert strip == sorted(({k: v for k, v in r.items() if k != "seconds"} for r in runs_two),
                           key=lambda r: (r["config"], r["fold"]))
    for k in range(4):
        (s,) = [s for s in range(2) if (tmp_path / f"two{s}" / f"config{k:04d}").exists()]
        one = load_model(tmp_path / "one" / f"config{k:04d}" / "fold00")
        two = load_model(tmp_path / f"two{s}" / f"config{k:04d}" / "fold00")
        for w1, w2 in zip(_weights(one), _weights(two)):
            assert w1.tobytes() == w2.tobytes()
        assert one.history == two.history


def test_train_shard_traces_the_feature_function_once_per_slot_and_saves_the_same_bytes(tmp_path, monkeypatch):
    """A DEAP-like job (k folds, groups of 2 and of 1): with the shared inference networks
    every saved file is byte-identical to a job whose models keep their own networks (no
    reusing_networks block), training.json up to the timing; the feature function is traced
    once per slot of each group graph instead of once per configuration and fold."""
    import contextlib

    from multimodal_emotion.models import base, reuse, training
    from multimodal_emotion.store import write_features
    from test_experiments import deap_like

    path = tmp_path / "s01.h5"
    write_features(path, deap_like(np.random.default_rng(3).uniform(1, 9, (40, 2))))
    protocol = {"kind": "kfold", "n_folds": 4, "fold_unit": "trial", "threshold": 5.0, "validation": True,
                "eeg_feature": "de"}
    space = {"eeg_hidden": {"int": [2, 6]}, "other_hidden": {"int": [2, 4]}, "keep_prob": {"uniform": [0.5, 0.9]},
             "l2": {"log10": [-4, -2]}, "learning_rate": {"log10": [-2.5, -1.5]}}
    args = dict(features_path=str(path), experiment="deap/s01", task="valence", protocol=protocol,
                model_name="bimodal_lstm", model_class="bimodal_lstm", space=space,
                fixed={"sequence_length": 2, "batch_size": 8, "max_epochs": 3, "patience": 2}, n_configs=3,
                shard=0, n_shards=1, seed=0, group_size=2)
    made = []

    def recording_traced(*a, **kw):
        made.append(training.traced(*a, **kw))
        return made[-1]

    monkeypatch.setattr(base, "traced", recording_traced)  # the inference functions (predict, features)
    traces = {}
    for name, block in (("shared", reuse.reusing_networks), ("own", contextlib.nullcontext)):
        made.clear()
        with monkeypatch.context() as m:
            m.setattr(reuse, "reusing_networks", block)
            search.train_shard(**args, output_dir=str(tmp_path / name))
        traces[name] = [f.experimental_get_tracing_count() for f in made]
    n_fits = 3 * 4  # configurations x folds
    assert len(traces["own"]) == len(traces["shared"]) == 2 * n_fits  # every member still built its network
    assert traces["own"][1::2] == [1] * n_fits and sum(traces["own"][::2]) == 0  # features once per fit
    assert sorted(traces["shared"][1::2]) == [0] * (n_fits - 3) + [1] * 3  # once per slot: 2 + 1
    assert sum(traces["shared"][::2]) == 0
    files = sorted(p.relative_to(tmp_path / "own") for p in (tmp_path / "own").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "shared") for p in (tmp_path / "shared").rglob("*")
                           if p.is_file())
    assert sum(p.name == search.SVM_INPUTS_FILE for p in files) == n_fits
    for rel in files:
        own, shared = (tmp_path / "own" / rel).read_bytes(), (tmp_path / "shared" / rel).read_bytes()
        if rel.name == "training.json":
            own, shared = (json.loads(x) for x in (own, shared))
            for runs in (own["runs"], shared["runs"]):
                for run in runs:
                    run.pop("seconds")
        assert own == shared, rel
