"""Seeding a fit (models/training.py ``seed_everything``): same seed -> same model in any process history.

``seed_everything`` seeds Python, NumPy and Keras but leaves TensorFlow's global seed alone
(``tf.random.set_seed`` would clear TensorFlow's caches, which the training jobs' reused
steps need). These tests check that nothing the TensorFlow models compute depends on which
fits ran before in the process, and that the seeding does what Keras' own does otherwise.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from multimodal_emotion.models import BDDAE, DCCA, BimodalLSTM
from multimodal_emotion.models.grouped_lstm import fit_grouped
from multimodal_emotion.models.reuse import reusing_networks
from multimodal_emotion.models.training import seed_everything
from test_models import make_windows

TINY = {
    "bimodal_lstm": dict(eeg_hidden=5, other_hidden=3, dropout=0.3, sequence_length=5, max_epochs=3, patience=10),
    "bddae": dict(eeg_hidden=6, other_hidden=4, shared_hidden=4, dropout=0.2, pretrain_epochs=2, max_epochs=3,
                  batch_size=16, patience=10),
    "dcca": dict(eeg_hidden=6, other_hidden=4, output_size=3, batch_size=32, max_epochs=3, patience=10),
}
#: Grouped Bimodal-LSTM: two configurations in one graph (they differ in what a group may vary).
GROUP = [dict(eeg_hidden=5, other_hidden=3, dropout=0.3, l2=1e-3), dict(eeg_hidden=4, other_hidden=3, dropout=0.0,
                                                                        l2=1e-2, learning_rate=3e-3)]


def _saved(model, directory: Path) -> dict[str, bytes]:
    """Every file ``model.save`` writes, by name (what train_shard keeps of a fit)."""
    model.save(directory)
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _fit(kind: str, seed: int, train, val, directory: Path) -> list[dict[str, bytes]]:
    """Fit one model of ``kind`` (or the grouped LSTM's group) with ``seed``; its saved files."""
    if kind == "bimodal_lstm_grouped":
        common = dict(sequence_length=5, max_epochs=3, patience=10)
        models = fit_grouped([BimodalLSTM(**c, **common, seed=seed + i) for i, c in enumerate(GROUP)], train, val)
    else:
        cls = {"bimodal_lstm": BimodalLSTM, "bddae": BDDAE, "dcca": DCCA}[kind]
        models = [cls(**TINY[kind], seed=seed).fit(train, val)]
    return [_saved(m, directory / f"{kind}_{seed}_{i}") for i, m in enumerate(models)]


KINDS = ["bimodal_lstm", "bimodal_lstm_grouped", "bddae", "dcca"]


def test_same_seed_same_files_whatever_ran_before_in_the_process(tmp_path):
    """Each TensorFlow model fitted first, then again after fits of other seeds and other
    models (outside and inside train_shard's reusing_networks block, where DCCA and BDDAE
    reuse networks and traced steps): the saved files are byte-identical every time."""
    train, val = make_windows(8, effect=1.5, seed=1), make_windows(6, effect=1.5, seed=2)
    other_train = make_windows(7, effect=1.5, seed=7)  # another fold, another size
    first = {k: _fit(k, 3, train, val, tmp_path / "first") for k in KINDS}
    for k in KINDS:  # other seeds, another fold
        _fit(k, 11, other_train, val, tmp_path / "others")
    after_others = {k: _fit(k, 3, train, val, tmp_path / "after") for k in reversed(KINDS)}
    with reusing_networks():
        in_a_job = {}
        for k in KINDS:
            _fit(k, 12, other_train, val, tmp_path / "job_others")
            in_a_job[k] = _fit(k, 3, train, val, tmp_path / "job")
    for k in KINDS:
        assert after_others[k] == first[k], k
        assert in_a_job[k] == first[k], k
    # the check can fail: another seed gives other files
    assert _fit("bddae", 4, train, val, tmp_path / "seed4") != first["bddae"]


def test_seeds_python_numpy_and_keras_like_keras_set_random_seed(monkeypatch):
    """The same draws as after keras.utils.set_random_seed (Python, NumPy, Keras' global
    SeedGenerator for unseeded keras.random calls, Keras' recorded seed), without its
    tf.random.set_seed."""
    import keras
    from keras.src.utils.rng_utils import get_random_seed

    def draws():
        return random.random(), np.random.random(), keras.random.normal((3,)).numpy().tolist()

    seed_everything(7)
    ours = draws(), get_random_seed()
    calls = []
    monkeypatch.setattr("tensorflow.random.set_seed", calls.append)  # keep TF's global seed as it is
    keras.utils.set_random_seed(7)
    assert calls == [7]  # Keras' own seeding sets TF's global seed
    assert (draws(), get_random_seed()) == ours
    seed_everything(8)
    assert draws() != ours[0]


def test_leaves_tensorflow_global_seed_and_caches_alone(monkeypatch):
    """No tf.random.set_seed (it clears the eager context's caches); op determinism on; with
    no global seed, a stateful random op without a seed raises instead of depending on the
    fits before it."""
    import tensorflow as tf
    from tensorflow.python.eager import context
    from tensorflow.python.framework import config

    calls = []
    seed_before = context.global_seed()
    original = context.Context._set_global_seed
    monkeypatch.setattr(context.Context, "_set_global_seed", lambda self, seed: calls.append(seed))
    seed_everything(5)
    seed_everything(6)
    monkeypatch.setattr(context.Context, "_set_global_seed", original)
    assert calls == []
    assert context.global_seed() == seed_before is None, (
        "TensorFlow's global seed is set in this test process (by seed_everything, or another test): "
        "an unseeded stateful op would then draw from it instead of raising")
    assert config.is_op_determinism_enabled()
    with pytest.raises(RuntimeError, match="Random ops require a seed"):
        tf.random.uniform((2,))
    tf.random.stateless_uniform((2,), seed=[1, 2])  # what Keras draws with: explicit seeds


def test_the_same_files_as_keras_own_seeding_with_tensorflows_global_seed(tmp_path, monkeypatch):
    """Each TensorFlow model fitted with seed_everything and then with the seeding it replaced
    (keras.utils.set_random_seed, tf.random.set_seed included: recreated here by setting TF's
    global seed wherever Keras' seed is recorded): the saved files are byte-identical, so
    leaving TF's global seed unset changed no number."""
    import tensorflow as tf
    from keras.src.backend.common import global_state
    from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
    from tensorflow.python.eager import context

    train, val = make_windows(8, effect=1.5, seed=1), make_windows(6, effect=1.5, seed=2)
    ours = {k: _fit(k, 3, train, val, tmp_path / "ours") for k in KINDS}
    set_attribute = global_state.set_global_attribute

    def with_tensorflow_seed(name, value):
        set_attribute(name, value)
        if name == GLOBAL_RANDOM_SEED:
            tf.random.set_seed(value)

    monkeypatch.setattr(global_state, "set_global_attribute", with_tensorflow_seed)
    try:
        old = {k: _fit(k, 3, train, val, tmp_path / "old") for k in KINDS}
        assert context.global_seed() == 3  # the old seeding did run
    finally:
        context.context()._set_global_seed(None)  # leave the process as the other tests expect it
    assert context.global_seed() is None
    for k in KINDS:
        assert old[k] == ours[k], k
