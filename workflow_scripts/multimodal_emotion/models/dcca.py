"""Deep canonical correlation analysis (DCCA) for multimodal emotion recognition.

The lab's successor to the BDDAE: Liu, Qiu, Zheng, Lu, "Comparing recognition
performance and robustness of multimodal deep learning models for multimodal emotion
recognition", IEEE TCDS 2021 (arXiv:1908.05349), after Andrew et al., "Deep canonical
correlation analysis", ICML 2013. The steps, with their symbols:

(1) one feed-forward network per modality, sigmoid hidden layers and a linear output
    of ``k`` units: :math:`H_1 = f_1(X_{EEG})`, :math:`H_2 = f_2(X_{Other})`, shape
    (n, k) each;
(2) the networks maximise the canonical correlation of their outputs: with the
    centred outputs :math:`\\bar H_v`, the regularised covariances
    :math:`\\Sigma_{11} = \\frac{1}{m-1}\\bar H_1^\\top \\bar H_1 + r I`,
    :math:`\\Sigma_{22} = \\frac{1}{m-1}\\bar H_2^\\top \\bar H_2 + r I`,
    :math:`\\Sigma_{12} = \\frac{1}{m-1}\\bar H_1^\\top \\bar H_2` and
    :math:`T = \\Sigma_{11}^{-1/2}\\Sigma_{12}\\Sigma_{22}^{-1/2}`, the correlation is
    the sum of the top ``top_k`` singular values of T (all ``k``: the total
    correlation, the trace norm of T); the loss is minus it, on mini-batches of m
    windows;
(3) after training, a linear CCA of the training outputs gives directions
    :math:`A, B` (k x c) with :math:`U = \\bar H_1 A`, :math:`V = \\bar H_2 B`;
(4) weighted-sum fusion :math:`O = \\alpha U + (1 - \\alpha) V` (``fusion_weight``);
(5) a linear L2-SVM (liblinear ``-s 2``'s problem, solved to its minimum by
    :func:`~.refit.fit_certified_svm`) on O classifies.

DCCA's classifier is the linear SVM itself, fitted once on the fused training
features: there is no network layer for Sec. 3.2's refit, so the model is not an
``is_network`` model and ``evaluate_shard`` never refits it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

from .base import EmotionModel, load_network, save_network
from .checks import check_range
from .data import WindowData
from .reuse import reinitialise, reset_optimizer, shared_graph
from .training import KerasEarlyStopping, keras_input_specs, logger, phase, seed_everything, spec_like, traced

#: The file of the fitted CCA directions and SVM weights, beside the network's weights.
ARRAYS_FILE = "dcca.npz"


# --------------------------------------------------------------------------------------
# The correlation objective (2), in TensorFlow
# --------------------------------------------------------------------------------------
def correlation_objective(h1, h2, *, r: float, top_k: int | None = None):
    """Return the sum of the top ``top_k`` canonical correlations of ``h1`` and ``h2`` (TF).

    Parameters
    ----------
    h1, h2 : float tensor, shape (m, k1) and (m, k2)
        The two networks' outputs for the same m windows.
    r : float
        Ridge added to both covariance diagonals (:math:`\\Sigma_{vv} + r I`).
    top_k : int | None
        Singular values summed; None sums all ``min(k1, k2)`` (the total correlation).

    Returns
    -------
    corr : float64 scalar tensor
        :math:`\\sum_{i \\le top_k} \\sigma_i(T)`, differentiable in ``h1`` and ``h2``.

    Notes
    -----
    Computed in float64 whatever the networks' dtype (the k x k algebra is cheap).
    T is formed with Cholesky factors, :math:`L_1^{-1}\\Sigma_{12}L_2^{-\\top}`, which
    has the singular values of :math:`\\Sigma_{11}^{-1/2}\\Sigma_{12}\\Sigma_{22}^{-1/2}`
    (:math:`L^{-1} = Q\\Sigma^{-1/2}` with Q orthogonal) and a gradient without the
    :math:`1/(\\lambda_i - \\lambda_j)` terms of an eigen-decomposition. The sum is
    written as :math:`\\sum_i u_i^\\top T v_i` with the singular vectors held constant:
    its value is :math:`\\sum_i \\sigma_i` and its gradient
    :math:`U_k V_k^\\top`, the derivative of the sum of singular values.
    """
    import tensorflow as tf

    h1 = tf.cast(h1, tf.float64)
    h2 = tf.cast(h2, tf.float64)
    m = tf.cast(tf.shape(h1)[0], tf.float64)
    c1 = h1 - tf.reduce_mean(h1, axis=0, keepdims=True)
    c2 = h2 - tf.reduce_mean(h2, axis=0, keepdims=True)
    s11 = tf.matmul(c1, c1, transpose_a=True) / (m - 1.0) + r * tf.eye(tf.shape(h1)[1], dtype=tf.float64)
    s22 = tf.matmul(c2, c2, transpose_a=True) / (m - 1.0) + r * tf.eye(tf.shape(h2)[1], dtype=tf.float64)
    s12 = tf.matmul(c1, c2, transpose_a=True) / (m - 1.0)
    l1 = tf.linalg.cholesky(s11)
    l2 = tf.linalg.cholesky(s22)
    left = tf.linalg.triangular_solve(l1, s12, lower=True)  # L1^-1 S12
    t = tf.transpose(tf.linalg.triangular_solve(l2, tf.transpose(left), lower=True))  # L1^-1 S12 L2^-T
    _, u, v = tf.linalg.svd(tf.stop_gradient(t))  # singular values in descending order
    n = int(min(h1.shape[1], h2.shape[1])) if top_k is None else int(top_k)
    u, v = u[:, :n], v[:, :n]
    return tf.reduce_sum(u * tf.matmul(t, v))  # sum_i u_i^T T v_i = sum_i sigma_i


# --------------------------------------------------------------------------------------
# Linear CCA (3), in NumPy
# --------------------------------------------------------------------------------------
def _inverse_sqrt(sigma: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(sigma)
    return (vectors / np.sqrt(values)) @ vectors.T


def linear_cca(h1: np.ndarray, h2: np.ndarray, *, r: float, n_components: int) -> dict:
    """Fit regularised linear CCA of two views (the lab's ``linear_cca``, our code).

    Parameters
    ----------
    h1, h2 : ndarray, shape (n, k1) and (n, k2)
    r : float
        Ridge on both covariance diagonals, as in :func:`correlation_objective`.
    n_components : int
        Canonical pairs kept (<= min(k1, k2)).

    Returns
    -------
    cca : dict
        ``mean1`` (k1,), ``mean2`` (k2,), ``a`` (k1, c), ``b`` (k2, c) with
        :math:`U = (H_1 - \\mu_1) A` and :math:`V = (H_2 - \\mu_2) B`, and
        ``correlations`` (c,), the singular values of
        :math:`\\Sigma_{11}^{-1/2}\\Sigma_{12}\\Sigma_{22}^{-1/2}` (descending).
    """
    h1, h2 = np.asarray(h1, np.float64), np.asarray(h2, np.float64)
    n = h1.shape[0]
    mean1, mean2 = h1.mean(axis=0), h2.mean(axis=0)
    c1, c2 = h1 - mean1, h2 - mean2
    s11 = c1.T @ c1 / (n - 1) + r * np.eye(h1.shape[1])
    s22 = c2.T @ c2 / (n - 1) + r * np.eye(h2.shape[1])
    s12 = c1.T @ c2 / (n - 1)
    w1, w2 = _inverse_sqrt(s11), _inverse_sqrt(s22)
    u, s, vt = np.linalg.svd(w1 @ s12 @ w2)
    return {"mean1": mean1, "mean2": mean2, "a": w1 @ u[:, :n_components],
            "b": w2 @ vt.T[:, :n_components], "correlations": s[:n_components]}


def paired_correlations(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Pearson correlation of each column of ``u`` with the same column of ``v``, shape (c,)."""
    u = u - u.mean(axis=0)
    v = v - v.mean(axis=0)
    denominator = np.sqrt((u**2).sum(axis=0) * (v**2).sum(axis=0))
    return np.where(denominator > 0, (u * v).sum(axis=0) / np.where(denominator > 0, denominator, 1.0), 0.0)


# --------------------------------------------------------------------------------------
# The two networks (1)
# --------------------------------------------------------------------------------------
def _layer_sizes(value, name: str) -> list[int]:
    sizes = [value] if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    if not isinstance(sizes, (list, tuple)):
        raise TypeError(f"{name} must be an instance of int or list of int, got {type(value)} instead.")
    for size in sizes:
        check_range(f"{name} layer size", size, low=1, kind=int)
    return [int(s) for s in sizes]


def build_dcca_networks(*, n_eeg: int, n_other: int, eeg_hidden: Sequence[int], other_hidden: Sequence[int],
                        output_size: int):
    """Build the two view networks of step (1) as one Keras model.

    Returns
    -------
    model : keras.Model
        Inputs ``eeg`` (batch, n_eeg), ``other`` (batch, n_other); outputs
        ``[h1, h2]``, each (batch, output_size). Hidden layers: affine + sigmoid;
        outputs: affine (linear). Weights Glorot-uniform (Keras' default, as in the
        authors' code), biases zero.
    """
    import keras
    from keras import layers

    def view(x, sizes, prefix):
        for i, units in enumerate(sizes, start=1):
            x = layers.Dense(units, activation="sigmoid", name=f"{prefix}_hidden{i}")(x)
        return layers.Dense(output_size, name=f"{prefix}_output")(x)

    x_eeg = keras.Input((n_eeg,), name="eeg")
    x_other = keras.Input((n_other,), name="other")
    return keras.Model([x_eeg, x_other], [view(x_eeg, eeg_hidden, "eeg"), view(x_other, other_hidden, "other")],
                       name="dcca")


def _equal_batches(n: int, batch_size: int | None, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled index batches of near-equal size (no tiny remainder batch: a covariance
    of a handful of windows would be all noise)."""
    if batch_size is None or batch_size >= n:
        return [np.arange(n)]
    return np.array_split(rng.permutation(n), max(1, n // batch_size))


# --------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------
class DCCA(EmotionModel):
    """DCCA with weighted-sum fusion and a linear SVM (Liu et al. 2021; Andrew et al. 2013).

    Parameters
    ----------
    eeg_hidden, other_hidden : int | list of int
        Sigmoid hidden layers of the EEG and other-modality networks: an int is one
        layer of that width, a list one layer per entry, ``[]`` none (linear CCA by
        gradient descent). Default ``[389, 218, 115]``, the authors' code.
    output_size : int
        k, the linear output units of each network (authors' code: 20).
    top_k : int | None
        Canonical correlations summed in the loss and components kept for fusion;
        None = all ``output_size`` (the total correlation).
    r : float
        Ridge on both covariance diagonals, in the loss and the linear CCA (authors'
        code: 1e-5).
    learning_rate : float
        Adam learning rate (authors' code: 1e-3).
    weight_decay : float
        L2 penalty on every kernel, added to the loss (authors' code: 1e-7).
    fusion_weight : float
        alpha in :math:`O = \\alpha U + (1 - \\alpha) V`, in [0, 1]; 0.5 averages the
        views (authors' code).
    C : float
        Cost of the L2-SVM on the fused features (authors' code: 100).
    eps : float
        liblinear's tolerance ``-e`` for the SVM's warm start.
    n_classes, n_eeg_features : int | None
        As for every model (:class:`~.base.EmotionModel`).
    seed : int
        Seeds Python, NumPy and Keras (the initial weights) and the mini-batch order.
    max_epochs, patience, min_delta :
        Early stopping on the monitored canonical correlation (sum over the kept
        components): stop after ``patience`` epochs without a gain of ``min_delta``,
        restore the best epoch's weights.
    batch_size : int | None
        Windows per Adam step (authors' code: 100); None = full batch. Every batch
        must be larger than ``output_size`` for a full-rank covariance.

    Notes
    -----
    Inputs are standardised per feature with training-split statistics. The
    monitored correlation is *held out*: the linear CCA directions are fitted on the
    training windows' outputs and the correlations of the projected validation
    windows are summed, so it rewards only correlation that generalises (on the
    training split itself it is the objective).
    """

    name = "dcca"
    #: config.yaml's SEED space (one hidden layer per view; ranges ours, see docs/interpretations.md).
    default_space = {"eeg_hidden": {"int": [32, 128]}, "other_hidden": {"int": [16, 64]}, "output_size": {"int": [5, 20]},
                     "r": {"log10": [-5, -2]}, "learning_rate": {"log10": [-3, -2]},
                     "fusion_weight": {"uniform": [0.2, 0.8]}, "C": {"log10": [-2, 2]}}
    #: Not a Sec. 3.2 network: its classifier is the linear SVM, fitted once.
    is_network: ClassVar[bool] = False
    needs_tensorflow: ClassVar[bool] = True

    model_ = None
    cca_: dict | None = None
    svm_: tuple[np.ndarray, np.ndarray] | None = None

    def __init__(
        self,
        *,
        eeg_hidden: int | list[int] = (389, 218, 115),
        other_hidden: int | list[int] = (389, 218, 115),
        output_size: int = 20,
        top_k: int | None = None,
        r: float = 1e-5,
        learning_rate: float = 1e-3,
        weight_decay: float = 1e-7,
        fusion_weight: float = 0.5,
        C: float = 100.0,
        eps: float = 0.01,
        n_classes: int | None = None,
        n_eeg_features: int | None = None,
        seed: int = 0,
        max_epochs: int = 100,
        patience: int = 20,
        min_delta: float = 0.001,
        batch_size: int | None = 100,
    ) -> None:
        self._store_params(locals())

    def _normalised(self, params: dict) -> dict:
        return {**params, "eeg_hidden": _layer_sizes(params["eeg_hidden"], "eeg_hidden"),
                "other_hidden": _layer_sizes(params["other_hidden"], "other_hidden")}

    def _check_params(self) -> None:
        super()._check_params()
        p = self._params
        check_range("output_size", p["output_size"], low=1, kind=int)
        if p["top_k"] is not None:
            check_range("top_k", p["top_k"], low=1, high=p["output_size"], kind=int)
        check_range("r", p["r"], low=0.0, low_open=True)
        check_range("learning_rate", p["learning_rate"], low=0.0, low_open=True)
        check_range("weight_decay", p["weight_decay"], low=0.0)
        check_range("fusion_weight", p["fusion_weight"], low=0.0, high=1.0)
        check_range("C", p["C"], low=0.0, low_open=True)
        check_range("eps", p["eps"], low=0.0, low_open=True)
        if p["batch_size"] is not None and p["batch_size"] < 2:
            raise ValueError(f"batch_size must be >= 2 (a covariance needs two windows), got {p['batch_size']!r}.")

    @property
    def n_pairs(self) -> int:
        """Canonical pairs in the loss and in the fused features (``top_k`` or ``output_size``)."""
        return self._params["top_k"] or self._params["output_size"]

    def required_modalities(self) -> tuple[str, ...]:
        return ("eeg", "other")

    # ---- data ------------------------------------------------------------------------
    def _inputs(self, data: WindowData) -> tuple[np.ndarray, np.ndarray]:
        return self.scalers_["eeg"].transform(data.eeg), self.scalers_["other"].transform(data.other)

    def network_outputs(self, data: WindowData) -> tuple[np.ndarray, np.ndarray]:
        """Return the networks' outputs (H1, H2), each (n_windows, output_size), float64."""
        if self.model_ is None:
            raise RuntimeError("DCCA is not fitted; call fit() first.")
        h1, h2 = self._predict_fn(*self._inputs(data))
        return h1.numpy().astype(np.float64), h2.numpy().astype(np.float64)

    def project(self, data: WindowData) -> tuple[np.ndarray, np.ndarray]:
        """Return the canonical variates (U, V), each (n_windows, n_components), step (3)."""
        self._check_fitted()
        h1, h2 = self.network_outputs(data)
        return (h1 - self.cca_["mean1"]) @ self.cca_["a"], (h2 - self.cca_["mean2"]) @ self.cca_["b"]

    def fused_features(self, data: WindowData) -> np.ndarray:
        """Return :math:`\\alpha U + (1 - \\alpha) V`, shape (n_windows, n_components), step (4)."""
        u, v = self.project(data)
        alpha = self._params["fusion_weight"]
        return alpha * u + (1.0 - alpha) * v

    def correlations(self, data: WindowData) -> np.ndarray:
        """Correlation of each canonical pair on ``data`` with the training directions, (n_components,)."""
        return paired_correlations(*self.project(data))

    def split_figures(self, data: WindowData) -> dict[str, float]:
        """``correlation``: the sum of :meth:`correlations` (held out unless ``data`` is the training split)."""
        return {"correlation": float(self.correlations(data).sum())}

    # ---- training --------------------------------------------------------------------
    def _fit(self, train: WindowData, val: WindowData | None = None) -> DCCA:
        """Train the networks (early stopping on the monitored correlation), then the
        linear CCA on the training outputs and the SVM on the fused training features.

        Parameters
        ----------
        train : WindowData
            Training split; also supplies the standardisation statistics.
        val : WindowData | None
            Split whose held-out correlation early stopping monitors; None monitors
            the training split.
        """
        import tensorflow as tf

        from .refit import fit_certified_svm

        p = self._params
        with phase("build"):
            seed_everything(p["seed"])
            self._set_n_classes(train)
            self._fit_bimodal_scalers(train)
            eeg, other = (tf.constant(x) for x in self._inputs(train))
            specs = (spec_like(eeg), spec_like(other))
            key = ("dcca", specs, tuple(p["eeg_hidden"]), tuple(p["other_hidden"]), p["output_size"], self.n_pairs)
        graph, fresh = shared_graph(self, key, lambda: self._build_graph(*specs))
        with phase("build"):
            if not fresh:  # the weights and optimizer state a fresh build would start from
                reinitialise(graph["net"], graph["build_order"])
            reset_optimizer(graph["optimizer"], p["learning_rate"])
            net = self.model_ = graph["net"]
            self._predict_fn = graph["predict"]
        ridge, decay = tf.constant(p["r"], tf.float64), tf.constant(p["weight_decay"], tf.float64)
        step = graph["step"]
        monitored = train if val is None else val
        rng = np.random.default_rng(p["seed"] + 1)
        stopper = KerasEarlyStopping(patience=p["patience"], min_delta=p["min_delta"], get_weights=net.get_weights,
                                     set_weights=net.set_weights)
        history: dict = {"loss": [], "train_correlation": [], "monitored_correlation": []}
        stopped, epoch, steps = False, 0, 1
        monitor_name = "train" if val is None else "val"
        with phase("training_steps"):
            for epoch in range(1, p["max_epochs"] + 1):
                batches = _equal_batches(train.n_windows, p["batch_size"], rng)
                steps = len(batches)
                losses = [float(step(tf.gather(eeg, idx), tf.gather(other, idx), ridge, decay)) for idx in batches]
                train_corr, held_out = self._epoch_correlations(train, monitored)
                history["loss"].append(float(np.average(losses, weights=[len(b) for b in batches])))
                history["train_correlation"].append(train_corr)
                history["monitored_correlation"].append(held_out)
                stopped = stopper.update(epoch, held_out, net.get_weights)
                logger.info("%s epoch %d/%d loss %.6g train_corr %.4f monitored_%s_corr %.4f (best %.4f @ %d)",
                            self.name, epoch, p["max_epochs"], history["loss"][-1], train_corr, monitor_name,
                            held_out, stopper.best, stopper.best_epoch)
                if stopped:
                    logger.info("%s: no gain of %g in %s correlation for %d epochs; stopping at epoch %d",
                                self.name, p["min_delta"], monitor_name, p["patience"], epoch)
                    break
        stopper.restore()
        # (3) linear CCA of the restored networks' training outputs
        self.cca_ = linear_cca(*self.network_outputs(train), r=p["r"], n_components=self.n_pairs)
        # (4) + (5) fusion and the linear SVM
        fused = self.fused_features(train)
        solved = fit_certified_svm(fused, train.y, C=p["C"], eps=p["eps"], name=f"{self.name} SVM")
        self.svm_ = (solved.kernel, solved.bias)
        history.update(
            epochs=epoch, best_epoch=stopper.best_epoch,
            best_monitored_correlation=None if stopper.best_weights is None else stopper.best,
            monitor=monitor_name, stopped_early=stopped, steps_per_epoch=int(steps),
            optimizer_steps=int(epoch * steps), restored_steps=int(stopper.best_epoch * steps),
            canonical_correlations=self.cca_["correlations"].tolist(),
            svm_certificate=solved.certificate, svm_train_accuracy=self.score(train), svm_val_accuracy=None if val is None else self.score(val),
        )
        self.history = history
        logger.info("%s fitted: restored epoch %d, training canonical correlations %s, train_acc %.4f%s",
                    self.name, stopper.best_epoch, np.round(self.cca_["correlations"], 3).tolist(),
                    history["svm_train_accuracy"],
                    "" if val is None else f" val_acc {history['svm_val_accuracy']:.4f}")
        return self

    def _build_graph(self, eeg_spec, other_spec) -> dict:
        """Build the networks, Adam and the traced training step (ridge and weight decay are
        its arguments, so configurations of one architecture share it; :mod:`~.reuse`)."""
        import keras
        import tensorflow as tf

        p = self._params
        with phase("build"):
            net = build_dcca_networks(n_eeg=eeg_spec.shape[1], n_other=other_spec.shape[1],
                                      eeg_hidden=p["eeg_hidden"], other_hidden=p["other_hidden"],
                                      output_size=p["output_size"])
            variables = net.trainable_variables
            kernels = [layer.kernel for layer in net.layers if hasattr(layer, "kernel")]
            optimizer = keras.optimizers.Adam(learning_rate=p["learning_rate"])
            optimizer.build(variables)
        top_k = self.n_pairs

        def step(eeg, other, ridge, decay):
            with tf.GradientTape() as tape:
                h1, h2 = net([eeg, other], training=True)
                corr = correlation_objective(h1, h2, r=ridge, top_k=top_k)
                loss = -corr + decay * tf.add_n([tf.cast(tf.reduce_sum(tf.square(k)), tf.float64) for k in kernels])
            grads = tape.gradient(loss, variables)
            optimizer.apply_gradients(zip(grads, variables))
            return loss

        scalar = tf.TensorSpec((), tf.float64)
        # the layers in the order build_dcca_networks makes them (the order their seeds are drawn)
        build_order = [f"{view}_{layer}" for view in ("eeg", "other")
                       for layer in [f"hidden{i}" for i in range(1, len(p[f"{view}_hidden"]) + 1)] + ["output"]]
        return {"net": net, "optimizer": optimizer, "build_order": build_order,
                "step": traced(step, eeg_spec, other_spec, scalar, scalar),
                "predict": traced(lambda e, o: net([e, o], training=False), *keras_input_specs(net), now=False)}

    def _epoch_correlations(self, train: WindowData, monitored: WindowData) -> tuple[float, float]:
        """Training correlation (the objective on all training windows) and the held-out
        correlation of ``monitored`` with the training windows' CCA directions."""
        h1, h2 = self.network_outputs(train)
        try:
            cca = linear_cca(h1, h2, r=self._params["r"], n_components=self.n_pairs)
        except np.linalg.LinAlgError:  # pragma: no cover - degenerate outputs
            return float("nan"), -math.inf
        train_corr = float(cca["correlations"].sum())
        if monitored is train:
            return train_corr, train_corr
        m1, m2 = self.network_outputs(monitored)
        held_out = paired_correlations((m1 - cca["mean1"]) @ cca["a"], (m2 - cca["mean2"]) @ cca["b"])
        return train_corr, float(held_out.sum())

    # ---- inference -------------------------------------------------------------------
    def _make_functions(self) -> None:
        import tensorflow as tf

        model = self.model_
        self._predict_fn = traced(lambda e, o: model([e, o], training=False), *keras_input_specs(model), now=False)

    def _decision_function(self, data: WindowData) -> np.ndarray:
        """Return the SVM's one-vs-rest scores on the fused features, (n_windows, n_classes)."""
        self._check_fitted()
        kernel, bias = self.svm_
        return self.fused_features(data) @ kernel + bias

    # ---- persistence -----------------------------------------------------------------
    def _save_files(self, directory: Path) -> None:
        save_network(self.model_, directory)
        np.savez(directory / ARRAYS_FILE, **{f"cca_{k}": np.asarray(v) for k, v in self.cca_.items()},
                 svm_kernel=self.svm_[0], svm_bias=self.svm_[1])

    def _build_network(self):
        n_eeg, n_other = self._input_sizes()
        p = self._params
        return build_dcca_networks(n_eeg=n_eeg, n_other=n_other, eeg_hidden=p["eeg_hidden"],
                                   other_hidden=p["other_hidden"], output_size=p["output_size"])

    def _load_files(self, directory: Path) -> None:
        self.model_ = load_network(directory, self._build_network)
        self._make_functions()
        with np.load(directory / ARRAYS_FILE) as arrays:
            self.cca_ = {k[4:]: arrays[k] for k in arrays.files if k.startswith("cca_")}
            self.svm_ = (arrays["svm_kernel"], arrays["svm_bias"])


__all__ = ["DCCA", "build_dcca_networks", "correlation_objective", "linear_cca", "paired_correlations"]
