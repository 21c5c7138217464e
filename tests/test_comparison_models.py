"""The paper's comparison systems (issue 22): BDAE (Liu et al. 2016), MESAE (Yin et al.
2017), subnetwork nodes (Yang et al. 2017).

Each model's distinctive piece against an independent computation (the RBM's free
energy by enumerating the hidden states, its CD-1 update written out per window; the
MESAE fusion layer as a loop over its groups; the subnetwork-node solve by
``numpy.linalg.lstsq``), then learning and null data on the tiny windows of
``test_models``; through the workflow in ``test_workflow_experiments``.

Run: ``python -m pytest tests/test_comparison_models.py -q`` (NumPy models: seconds).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from multimodal_emotion.models import MODELS, WindowData, build_model, is_network, needs_tensorflow
from multimodal_emotion.models.bdae import BDAE, BimodalAutoencoder
from multimodal_emotion.models.mesae import MESAE, adjacency_mask, feature_subsets
from multimodal_emotion.models.numpy_nets import RBM, Dense, logit, sigmoid
from multimodal_emotion.models.subnetwork_nodes import SubnetworkNodes, subnetwork_node_solve, with_ones

from test_models import SMALL, chance_tolerance, make_windows


# --------------------------------------------------------------------------------------
# BDAE: the RBM
# --------------------------------------------------------------------------------------
def _random_rbm(visible: str, n_visible=3, n_hidden=4, seed=0) -> RBM:
    rng = np.random.default_rng(seed)
    return RBM(rng.normal(0, 0.7, (n_visible, n_hidden)), rng.normal(0, 0.5, n_visible),
               rng.normal(0, 0.5, n_hidden), visible)


@pytest.mark.parametrize("visible", ["gaussian", "bernoulli"])
def test_rbm_free_energy_equals_the_sum_over_hidden_states(visible):
    """F(v) = -log sum_h exp(-E(v, h)), by enumerating all 2^4 hidden vectors."""
    rbm = _random_rbm(visible)
    rng = np.random.default_rng(1)
    v = rng.normal(size=(5, 3)) if visible == "gaussian" else (rng.random((5, 3)) < 0.5).astype(float)
    w, b, c = rbm.weights, rbm.visible_bias, rbm.hidden_bias

    def energy(vi, h):
        visible_term = 0.5 * np.sum((vi - b) ** 2) if visible == "gaussian" else -vi @ b
        return visible_term - c @ h - vi @ w @ h

    for vi, ours in zip(v, rbm.free_energy(v)):
        energies = [energy(vi, np.array(h, float)) for h in itertools.product([0, 1], repeat=4)]
        assert ours == pytest.approx(-np.log(np.sum(np.exp(-np.array(energies)))), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("visible", ["gaussian", "bernoulli"])
def test_rbm_cd1_update_equals_a_per_window_numpy_reference(visible):
    """One CD-1 step: positive statistics v0 p0^T, one binary hidden sample (same uniforms),
    mean reconstruction, negative statistics v1 p1^T; averaged over windows."""
    rbm = _random_rbm(visible)
    before = [p.copy() for p in rbm.params]
    v0 = np.random.default_rng(2).normal(size=(6, 3))
    lr, decay = 0.1, 0.01
    rbm.cd1_update(v0, np.random.default_rng(3), learning_rate=lr, weight_decay=decay)

    w, b, c = before
    uniforms = np.random.default_rng(3).random((6, 4))
    dw, db, dc = np.zeros_like(w), np.zeros_like(b), np.zeros_like(c)
    for vi, ui in zip(v0, uniforms):
        p0 = 1 / (1 + np.exp(-(vi @ w + c)))
        h0 = (ui < p0).astype(float)
        mean = w @ h0 + b
        v1 = mean if visible == "gaussian" else 1 / (1 + np.exp(-mean))
        p1 = 1 / (1 + np.exp(-(v1 @ w + c)))
        dw += np.outer(vi, p0) - np.outer(v1, p1)
        db += vi - v1
        dc += p0 - p1
    expected = [w + lr * (dw / 6 - decay * w), b + lr * db / 6, c + lr * dc / 6]
    for ours, ref in zip(rbm.params, expected):
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def test_cd1_lowers_the_free_energy_of_the_data_relative_to_noise():
    """Training moves probability mass to the data: their free energy falls below that of
    windows it never saw that are drawn from another distribution."""
    rng = np.random.default_rng(4)
    data = np.repeat(rng.normal(0, 1, (4, 6)), 50, axis=0) + 0.1 * rng.normal(size=(200, 6))
    noise = rng.normal(0, 1, (200, 6))
    rbm = RBM.create(rng, 6, 8, "gaussian", init_scale=0.1)
    gap_before = rbm.free_energy(noise).mean() - rbm.free_energy(data).mean()
    curve = rbm.train(data, epochs=30, learning_rate=0.05, batch_size=20, rng=rng)
    gap_after = rbm.free_energy(noise).mean() - rbm.free_energy(data).mean()
    assert curve[-1] < 0.5 * curve[0] and gap_after > gap_before + 1.0, (curve[0], curve[-1], gap_before, gap_after)


def test_unfolded_autoencoder_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    rbms = [RBM.create(rng, 4, 3, "gaussian", init_scale=0.5), RBM.create(rng, 2, 2, "gaussian", init_scale=0.5),
            RBM.create(rng, 5, 3, "bernoulli", init_scale=0.5)]
    ae = BimodalAutoencoder.unfold(*rbms)
    eeg, other = rng.normal(size=(7, 4)), rng.normal(size=(7, 2))
    np.testing.assert_allclose(ae.layers[4].weights, rbms[0].weights.T)  # decoders = transposed RBM weights
    _, grads = ae.gradients(eeg, other)
    step = 1e-6
    for param, grad in zip(ae.params, grads):
        numeric = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            old = param[idx]
            param[idx] = old + step
            plus = ae.reconstruction_mse(eeg, other)
            param[idx] = old - step
            minus = ae.reconstruction_mse(eeg, other)
            param[idx] = old
            numeric[idx] = (plus - minus) / (2 * step)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-9)


# --------------------------------------------------------------------------------------
# MESAE: subsets and the adjacent-graph fusion layer
# --------------------------------------------------------------------------------------
def test_feature_subsets_follow_bands_and_blocks():
    subsets = feature_subsets(12, 7, eeg_subsets=4, other_subsets=2)  # 3 channels x 4 bands, channel-major
    assert [m for m, _ in subsets] == ["eeg"] * 4 + ["other"] * 2
    assert subsets[1][1].tolist() == [1, 5, 9]  # band 1 of every channel
    assert [idx.tolist() for _, idx in subsets[4:]] == [[0, 1, 2, 3], [4, 5, 6]]


def test_adjacent_graph_fusion_layer_equals_a_loop_over_neighbouring_sets():
    """Group g of the first fusion layer sees encodings g and g + 1 only: its output is
    sigmoid([E_g, E_{g+1}] W_g + b_g) with W_g the group's own block of weights."""
    rng = np.random.default_rng(6)
    n_sets, width, units = 4, 3, 2
    mask = adjacency_mask(n_sets, width, units)
    layer = Dense.create(rng, n_sets * width, (n_sets - 1) * units, "sigmoid", mask=mask)
    layer.weights += rng.normal(size=layer.weights.shape)  # non-zero where masked: must not matter
    codes = rng.random((5, n_sets * width))
    ours = layer.forward(codes)
    for g in range(n_sets - 1):
        block = layer.weights[g * width:(g + 2) * width, g * units:(g + 1) * units]
        expected = 1 / (1 + np.exp(-(codes[:, g * width:(g + 2) * width] @ block + layer.bias[g * units:(g + 1) * units])))
        np.testing.assert_allclose(ours[:, g * units:(g + 1) * units], expected, rtol=1e-12)
    # the gradient never reaches a masked-out connection, and matches finite differences where it does
    layer.backward(np.ones_like(ours))
    assert np.all(layer.grads[0][mask == 0] == 0)
    i, j = 0, 0  # set 0 -> group 0: connected
    step, old = 1e-6, layer.weights[i, j]
    layer.weights[i, j] = old + step
    plus = layer.forward(codes).sum()
    layer.weights[i, j] = old - step
    minus = layer.forward(codes).sum()
    layer.weights[i, j] = old
    assert layer.grads[0][i, j] == pytest.approx((plus - minus) / (2 * step), rel=1e-6)
    assert adjacency_mask(1, 3, 2).all()  # a single set: one group that sees it


# --------------------------------------------------------------------------------------
# Subnetwork nodes: the closed-form solve
# --------------------------------------------------------------------------------------
def test_subnetwork_node_solve_equals_lstsq_and_never_raises_the_error():
    rng = np.random.default_rng(7)
    x1 = with_ones(rng.normal(size=(40, 5)))
    error = rng.normal(size=(40, 3))
    beta = rng.normal(size=(6, 3))
    node = subnetwork_node_solve(x1, error, beta, C=None, margin=0.05)
    # desired hidden output: the minimum-norm P with P beta = E (least squares)
    desired = np.linalg.lstsq(beta.T, error.T, rcond=None)[0].T
    np.testing.assert_allclose(node["desired"], desired, atol=1e-10)
    # input weights: least squares of the inverse-activated, rescaled desired output on [X, 1]
    low, high = desired.min(0), desired.max(0)
    z = logit(0.05 + 0.9 * (desired - low) / (high - low))
    np.testing.assert_allclose(node["weights"], np.linalg.lstsq(x1, z, rcond=None)[0], atol=1e-8)
    hidden = low + (sigmoid(x1 @ node["weights"]) - 0.05) * (high - low) / 0.9
    np.testing.assert_allclose(node["hidden"], hidden, atol=1e-10)
    new_beta = np.linalg.lstsq(hidden, error, rcond=None)[0]
    np.testing.assert_allclose(node["beta"], new_beta, atol=1e-8)
    np.testing.assert_allclose(node["error"], error - hidden @ new_beta, atol=1e-8)
    # the new node's least-squares output weights can only lower the residual
    assert np.linalg.norm(node["error"]) <= np.linalg.norm(error) + 1e-12
    # ridge: (H^T H + I/C)^-1 H^T E
    ridge = subnetwork_node_solve(x1, error, beta, C=0.5, margin=0.05)
    h = ridge["hidden"]
    np.testing.assert_allclose(ridge["beta"], np.linalg.solve(h.T @ h + np.eye(6) / 0.5, h.T @ error), atol=1e-10)


def test_subnetwork_node_training_error_falls_node_by_node():
    train = make_windows(30, effect=1.5, seed=1)
    model = SubnetworkNodes(node_size=30, C=1e4, max_epochs=8, patience=8, seed=0).fit(train)
    loss = np.array(model.history["loss"])
    assert len(loss) == 8 and np.all(np.diff(loss) <= 1e-9) and loss[-1] < loss[0]


# --------------------------------------------------------------------------------------
# Each model on its own: learning, null data, save/load, registry
# --------------------------------------------------------------------------------------
COMPARISON = ("bdae", "mesae", "subnetwork_nodes")


@pytest.mark.parametrize("name", COMPARISON)
def test_learns_above_chance_with_a_validation_split_and_its_loss_falls(name):
    """(Null data and fitting without a validation split: test_models.py, which runs every
    registered model with the same SMALL settings.)"""
    train, val, test = (make_windows(n, effect=1.5, seed=s) for n, s in ((30, 1), (12, 11), (60, 2)))
    model = build_model(name, seed=0, **SMALL[name]).fit(train, val)
    pred = model.predict(test)
    chance, tol, _ = chance_tolerance(pred, test, 3)
    assert float(np.mean(pred == test.y)) > chance + max(tol, 0.2), name
    loss = model.history["loss"]
    assert loss[-1] < loss[0], (name, loss)


@pytest.mark.parametrize("name", COMPARISON)
def test_deterministic_history_and_registry(name):
    """(Save/load: test_models.py::test_save_load_roundtrip.)"""
    train, val = make_windows(12, effect=1.5, seed=1), make_windows(9, effect=1.5, seed=2)
    params = {**SMALL[name], "max_epochs": 4}
    model = build_model(name, seed=5, **params).fit(train, val)
    again = build_model(name, seed=5, **params).fit(train, val)
    np.testing.assert_array_equal(model.decision_function(val), again.decision_function(val))
    assert model.history == again.history
    assert type(model) is MODELS[name]
    history = model.history
    assert len(history["loss"]) == len(history["monitored_accuracy"]) == history["epochs"]
    assert history["monitor"] == "val" and 1 <= history["best_epoch"] <= history["epochs"]
    assert not is_network(name) and not needs_tensorflow(name)
    figures = model.split_figures(val)
    assert len(figures) == 1 and np.isfinite(list(figures.values())[0])
    expected = ("eeg",) if name == "subnetwork_nodes" else ("eeg", "other")
    assert model.required_modalities() == expected


def test_bad_hyperparameters_name_the_key():
    # __init__ only stores them (scikit-learn's contract); fit refuses them before using the data
    windows = WindowData(np.zeros((4, 2)), np.zeros((4, 1)), np.array([0, 1, 0, 1]), np.arange(4))
    with pytest.raises(ValueError, match="margin must be <= 0.49"):
        SubnetworkNodes(margin=0.6).fit(windows)
    with pytest.raises(TypeError, match="sae_hidden"):
        MESAE(sae_hidden="wide").fit(windows)
    with pytest.raises(ValueError, match="rbm_learning_rate must be > 0"):
        BDAE(rbm_learning_rate=0.0).fit(windows)


# The three models' rows, search columns and curves through the workflow are checked on the tiny
# run of every model in test_workflow_experiments.py (one end-to-end run, not one per model).


def test_a_diverging_rbm_keeps_its_last_finite_weights(caplog):
    rng = np.random.default_rng(8)
    data = rng.normal(0, 1, (100, 50))
    rbm = RBM.create(rng, 50, 40, "gaussian", init_scale=0.1)
    curve = rbm.train(data, epochs=20, learning_rate=2.0, batch_size=20, rng=rng)
    assert len(curve) < 20 and all(np.isfinite(curve)) and all(np.isfinite(p).all() for p in rbm.params)
    assert "RBM diverged" in caplog.text


def test_bdae_encoders_compute_what_the_bddae_encoders_compute():
    """The BDAE's unfolded encoders are the BDDAE's (Fig. 1(b) of Tang et al.): with the same
    weights, Keras' classifier-network encoders give the same h3; and the reconstruction
    MSE is the BDDAE's definition (over windows and all features of both modalities)."""
    import keras

    from multimodal_emotion.models.bddae import ENCODER_LAYERS, _reconstruction_mse, build_classifier

    rng = np.random.default_rng(9)
    rbms = [RBM.create(rng, 5, 4, "gaussian", init_scale=0.5), RBM.create(rng, 3, 2, "gaussian", init_scale=0.5),
            RBM.create(rng, 6, 3, "bernoulli", init_scale=0.5)]
    ae = BimodalAutoencoder.unfold(*rbms)
    eeg, other = rng.normal(size=(8, 5)), rng.normal(size=(8, 3))
    keras_model = build_classifier(n_eeg=5, n_other=3, n_classes=2, eeg_hidden=4, other_hidden=2, shared_hidden=3)
    for name in ENCODER_LAYERS:
        keras_model.get_layer(name).set_weights([ae.layer(name).weights, ae.layer(name).bias])
    h3 = keras.Model(keras_model.inputs, keras_model.get_layer("shared_encoder").output)([eeg, other])
    np.testing.assert_allclose(np.asarray(h3), ae.encode(eeg, other), rtol=1e-5, atol=1e-6)
    eeg_hat, other_hat = ae.forward(eeg, other)
    assert float(_reconstruction_mse(eeg, other, eeg_hat, other_hat)) == pytest.approx(ae.reconstruction_mse(eeg, other))


# --------------------------------------------------------------------------------------
# BDAE: the set-up of the authors' public code (csliuwei/CrossCultureCode, BDAE/bdae_chinese.py)
# --------------------------------------------------------------------------------------
def test_rmsprop_step_by_hand():
    from multimodal_emotion.models.numpy_nets import RMSprop

    p = np.array([1.0, -2.0])
    opt = RMSprop([p], learning_rate=0.1)
    g = np.array([0.5, -4.0])
    opt.step([g])
    v = 0.1 * g * g  # rho 0.9 from zero
    np.testing.assert_allclose(p, [1.0, -2.0] - 0.1 * g / (np.sqrt(v) + 1e-7))


def test_bdae_lab_code_setup_and_its_transductive_fit(tmp_path):
    """Bernoulli RBMs on [0, 1]-scaled inputs, sigmoid decoders, RMSprop; learns above chance;
    the train+test fit is off by default, refused without test windows, and with them the
    scalers span the test windows too (never their labels: the SVM sees training windows only)."""
    from multimodal_emotion.models import load_model

    train, val, test = (make_windows(n, effect=1.5, seed=s) for n, s in ((30, 1), (12, 11), (60, 2)))
    params = dict(SMALL["bdae"], setup="lab_code", learning_rate=1e-3)
    model = build_model("bdae", seed=0, **params).fit(train, val)
    assert model.scalers_["eeg"].kind == "minmax"
    np.testing.assert_allclose(model.scalers_["eeg"].offset, train.eeg.min(axis=0))
    assert [layer.activation for layer in model.autoencoder_.layers] == ["sigmoid"] * 6
    pred = model.predict(test)
    chance, tol, _ = chance_tolerance(pred, test, 3)
    assert float(np.mean(pred == test.y)) > chance + max(tol, 0.1)
    assert model.history["svm_certificate"] <= 1e-8
    model.save(tmp_path / "lab")
    np.testing.assert_array_equal(load_model(tmp_path / "lab").decision_function(test), model.decision_function(test))
    assert not BDAE().uses_test_windows
    with pytest.raises(ValueError, match="fit_on_test_windows is True but the test windows were not given"):
        build_model("bdae", fit_on_test_windows=True, **params).fit(train, val)
    with pytest.raises(ValueError, match="fit_on_test_windows is False but the test windows were given"):
        build_model("bdae", **params).fit(train, val, unlabelled=test)
    both = build_model("bdae", fit_on_test_windows=True, max_epochs=2, **{k: v for k, v in params.items()
                                                                         if k != "max_epochs"})
    both.fit(train, val, unlabelled=test)
    np.testing.assert_allclose(both.scalers_["eeg"].offset, np.minimum(train.eeg.min(axis=0), test.eeg.min(axis=0)))
