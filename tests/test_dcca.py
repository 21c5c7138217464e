"""DCCA (Liu et al. 2021): the correlation objective against NumPy, its gradient, linear
DCCA against closed-form CCA, non-linear DCCA against linear CCA, and classification.

Run: ``python -m pytest tests/test_dcca.py -q`` (tiny data; a few seconds per test).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from multimodal_emotion.models import DCCA, MODELS, WindowData, build_model, is_network, load_model
from multimodal_emotion.models.dcca import correlation_objective, linear_cca

from test_models import chance_tolerance, make_windows


# --------------------------------------------------------------------------------------
# An independent NumPy reference: singular values of S11^-1/2 S12 S22^-1/2
# --------------------------------------------------------------------------------------
def numpy_correlation(h1: np.ndarray, h2: np.ndarray, *, r: float, top_k: int | None = None) -> float:
    """Sum of the top_k singular values of S11^-1/2 S12 S22^-1/2 (symmetric inverse roots
    from eigen-decompositions; the model's objective uses Cholesky factors instead)."""

    def inverse_root(s):
        values, vectors = np.linalg.eigh(s)
        return vectors @ np.diag(values**-0.5) @ vectors.T

    n = len(h1)
    c1, c2 = h1 - h1.mean(0), h2 - h2.mean(0)
    s11 = c1.T @ c1 / (n - 1) + r * np.eye(h1.shape[1])
    s22 = c2.T @ c2 / (n - 1) + r * np.eye(h2.shape[1])
    s12 = c1.T @ c2 / (n - 1)
    t = inverse_root(s11) @ s12 @ inverse_root(s22)
    singular = np.linalg.svd(t, compute_uv=False)
    return float(singular[: (top_k or min(h1.shape[1], h2.shape[1]))].sum())


def correlated_views(n: int, rho, *, seed: int, extra1: int = 2, extra2: int = 1):
    """Two views whose population canonical correlations are ``rho`` (plus zeros):
    pairs (u_i, v_i) with corr rho_i, independent noise dimensions, random mixing."""
    rng = np.random.default_rng(seed)
    rho = np.asarray(rho, float)
    u = rng.standard_normal((n, rho.size))
    v = rho * u + np.sqrt(1 - rho**2) * rng.standard_normal((n, rho.size))
    x1 = np.hstack([u, rng.standard_normal((n, extra1))])
    x2 = np.hstack([v, rng.standard_normal((n, extra2))])
    mix = np.random.default_rng(99)  # the same mixing for every split
    return x1 @ mix.standard_normal((x1.shape[1],) * 2), x2 @ mix.standard_normal((x2.shape[1],) * 2)


def windows(x1: np.ndarray, x2: np.ndarray, y: np.ndarray | None = None) -> WindowData:
    n = len(x1)
    y = (np.arange(n) % 2) if y is None else y
    return WindowData(x1.astype(np.float64), x2.astype(np.float64), y.astype(np.int64), np.arange(n, dtype=np.int64))


# --------------------------------------------------------------------------------------
# The objective
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("top_k", [None, 2])
@pytest.mark.parametrize("r", [1e-4, 1e-1])
def test_objective_equals_numpy(top_k, r):
    rng = np.random.default_rng(0)
    h1 = rng.standard_normal((40, 4))
    h2 = 0.5 * h1[:, :3] @ rng.standard_normal((3, 3)) + rng.standard_normal((40, 3))
    ours = float(correlation_objective(h1, h2, r=r, top_k=top_k))
    assert ours == pytest.approx(numpy_correlation(h1, h2, r=r, top_k=top_k), abs=1e-6)
    # the float32 path the networks use casts to float64 first
    assert float(correlation_objective(h1.astype(np.float32), h2.astype(np.float32), r=r, top_k=top_k)) == \
        pytest.approx(numpy_correlation(h1.astype(np.float32).astype(float), h2.astype(np.float32).astype(float),
                                        r=r, top_k=top_k), abs=1e-6)
    # the linear CCA of step (3) has the same correlations
    cca = linear_cca(h1, h2, r=r, n_components=top_k or 3)
    assert cca["correlations"].sum() == pytest.approx(numpy_correlation(h1, h2, r=r, top_k=top_k), abs=1e-6)


@pytest.mark.parametrize("top_k", [None, 2])
def test_objective_gradient_matches_finite_differences(top_k):
    import tensorflow as tf

    rng = np.random.default_rng(1)
    h1 = rng.standard_normal((15, 3))
    h2 = 0.7 * h1 @ rng.standard_normal((3, 3)) + rng.standard_normal((15, 3))
    r = 1e-3
    v1, v2 = tf.Variable(h1), tf.Variable(h2)
    with tf.GradientTape() as tape:
        corr = correlation_objective(v1, v2, r=r, top_k=top_k)
    g1, g2 = (g.numpy() for g in tape.gradient(corr, [v1, v2]))
    step = 1e-6
    for h, g, which in ((h1, g1, 0), (h2, g2, 1)):
        numeric = np.zeros_like(h)
        for idx in np.ndindex(h.shape):
            plus, minus = h.copy(), h.copy()
            plus[idx] += step
            minus[idx] -= step
            args_plus = (plus, h2) if which == 0 else (h1, plus)
            args_minus = (minus, h2) if which == 0 else (h1, minus)
            numeric[idx] = (numpy_correlation(*args_plus, r=r, top_k=top_k)
                            - numpy_correlation(*args_minus, r=r, top_k=top_k)) / (2 * step)
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7)


# --------------------------------------------------------------------------------------
# Learning correlations
# --------------------------------------------------------------------------------------
def test_linear_dcca_reaches_closed_form_cca():
    """No hidden layer: DCCA is linear CCA by gradient descent, so its training
    correlations must reach the closed-form ones (same data, same r)."""
    rho = (0.9, 0.6, 0.3)
    x1, x2 = correlated_views(1000, rho, seed=2)
    train = windows(x1, x2)
    model = DCCA(eeg_hidden=[], other_hidden=[], output_size=3, r=1e-6, learning_rate=0.05, weight_decay=0.0,
                 batch_size=None, max_epochs=400, patience=400, seed=0, C=1.0).fit(train)
    standardised = [(x - x.mean(0)) / x.std(0) for x in (x1, x2)]
    closed_form = linear_cca(*standardised, r=1e-6, n_components=3)["correlations"]
    np.testing.assert_allclose(closed_form, rho, atol=0.06)  # the data are what they claim
    np.testing.assert_allclose(model.cca_["correlations"], closed_form, atol=0.02)
    assert model.history["train_correlation"][-1] == pytest.approx(closed_form.sum(), abs=0.03)


def test_nonlinear_dcca_beats_linear_cca():
    """View 2 is a non-linear function of view 1 (|z|, z^2-like) that linear CCA cannot
    see (corr(z, z^2) = 0 for symmetric z); DCCA's sigmoid layers can."""
    def views(n, seed):
        rng = np.random.default_rng(seed)
        z = rng.uniform(-2, 2, n)
        x1 = np.column_stack([z, rng.standard_normal(n)])
        x2 = np.column_stack([z**2 + 0.1 * rng.standard_normal(n), rng.standard_normal(n)])
        return windows(x1, x2)

    train, val, test = views(600, 3), views(300, 4), views(300, 5)
    model = DCCA(eeg_hidden=[16], other_hidden=[16], output_size=1, r=1e-4, learning_rate=0.02,
                 batch_size=100, max_epochs=150, patience=40, seed=0, C=1.0).fit(train, val)
    dcca_corr = model.correlations(test)[0]
    cca = linear_cca(train.eeg, train.other, r=1e-4, n_components=1)
    u = (test.eeg - cca["mean1"]) @ cca["a"]
    v = (test.other - cca["mean2"]) @ cca["b"]
    linear_corr = abs(np.corrcoef(u[:, 0], v[:, 0])[0, 1])
    assert linear_corr < 0.3 and dcca_corr > 0.8, (linear_corr, dcca_corr)
    curve = model.history["monitored_correlation"]
    best = curve[model.history["best_epoch"] - 1]  # the restored epoch: within min_delta of the best
    assert best >= max(curve) - model.get_params()["min_delta"] and best > curve[0] + 0.5


# --------------------------------------------------------------------------------------
# Classification, interface
# --------------------------------------------------------------------------------------
SMALL = dict(eeg_hidden=[16], other_hidden=[8], output_size=4, r=1e-3, learning_rate=1e-2, batch_size=64,
             max_epochs=60, patience=15, C=0.1)


def test_classifies_above_chance_and_at_chance_on_null_data():
    for effect, seed in ((1.5, 1), (0.0, 3)):
        train = make_windows(30, effect=effect, seed=seed)
        val = make_windows(12, effect=effect, seed=seed + 10)
        test = make_windows(60, effect=effect, seed=seed + 1)
        model = DCCA(seed=0, **SMALL).fit(train, val)
        pred = model.predict(test)
        acc = float(np.mean(pred == test.y))
        chance, tol, _ = chance_tolerance(pred, test, 3)
        if effect:
            assert acc > chance + max(tol, 0.25), acc
        else:
            assert abs(acc - chance) <= tol, (acc, tol)


def test_deterministic_save_load_and_registry(tmp_path):
    train, test = make_windows(12, effect=1.5, seed=1), make_windows(9, effect=1.5, seed=2)
    params = {**SMALL, "max_epochs": 4}
    model = build_model("dcca", seed=5, **params).fit(train, test)
    again = build_model("dcca", seed=5, **params).fit(train, test)
    np.testing.assert_array_equal(model.decision_function(test), again.decision_function(test))
    assert model.history == again.history
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert isinstance(loaded, DCCA) and loaded.hyperparameters == model.hyperparameters
    np.testing.assert_array_equal(loaded.decision_function(test), model.decision_function(test))
    assert loaded.history == model.history
    history = model.history
    assert len(history["train_correlation"]) == len(history["monitored_correlation"]) == history["epochs"]
    assert history["monitor"] == "val" and 1 <= history["best_epoch"] <= history["epochs"]
    # registry: TensorFlow, but not a network of the Sec. 3.2 refit
    assert MODELS["dcca"] is DCCA and not is_network("dcca") and DCCA.needs_tensorflow
    assert model.required_modalities() == ("eeg", "other")
    # bad hyper-parameters are stored by __init__ (scikit-learn's contract) and refused by fit
    bad = DCCA(output_size=4, top_k=5)
    with pytest.raises(ValueError, match="top_k must be <= 4"):
        bad.fit(train)
    with pytest.raises(ValueError, match="fusion_weight must be <= 1"):
        DCCA(fusion_weight=1.5).fit(train)
    with pytest.raises(TypeError, match="eeg_hidden"):
        DCCA(eeg_hidden="wide").fit(train)


# DCCA's rows, search columns and curves through the workflow are checked on the tiny
# run of every model in test_workflow_experiments.py (one end-to-end run, not one per model).


def test_next_fold_reuses_the_network_and_traced_step_and_equals_a_fresh_build():
    """Inside reusing_networks (train_shard's block) the next fit of the same architecture
    reuses the network, Adam and the traced step (no new build, no new trace), re-initialised
    to what a fresh build draws: it ends byte-identical to a fit outside the block, also for
    another configuration (learning rate, ridge, weight decay, seed) and another fold; the
    model whose network was taken refuses to answer."""
    from multimodal_emotion.models import reuse

    folds = [(make_windows(12, effect=1.5, seed=1), make_windows(9, effect=1.5, seed=2)),
             (make_windows(10, effect=1.5, seed=7), make_windows(8, effect=1.5, seed=8))]
    configs = [dict(seed=5), dict(seed=6, learning_rate=3e-3, r=1e-3, weight_decay=1e-4)]
    params = {**SMALL, "max_epochs": 3}
    with reuse.reusing_networks():
        first = DCCA(**{**params, **configs[0]}).fit(*folds[0])
        graph = reuse._CACHE["graph"]
        first_scores = first.decision_function(folds[0][1])
        reused = [DCCA(**{**params, **c}).fit(*fold) for c in configs for fold in folds]
        assert reuse._CACHE["graph"] is graph and graph["step"].experimental_get_tracing_count() == 1
        assert all(m.model_ is graph["net"] for m in reused)
        with pytest.raises(RuntimeError, match="re-initialised by a later fit"):
            first.decision_function(folds[0][1])
        last_scores = reused[-1].decision_function(folds[1][1])
    assert reuse._CACHE["graph"] is None  # the block frees its network
    fresh = [DCCA(**{**params, **c}).fit(*fold) for c in configs for fold in folds]
    np.testing.assert_array_equal(fresh[0].decision_function(folds[0][1]), first_scores)
    np.testing.assert_array_equal(fresh[-1].decision_function(folds[1][1]), last_scores)
    for r, f in zip(reused, fresh):
        assert r.history == f.history
        np.testing.assert_array_equal(r.svm_[0], f.svm_[0])
        for key in r.cca_:
            np.testing.assert_array_equal(r.cca_[key], f.cca_[key])
