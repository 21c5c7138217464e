"""Bimodal Deep AutoEncoder (BDAE) of Liu, Zheng and Lu, ICONIP 2016 (the paper's ref. [6]).

The BDDAE's predecessor (after Ngiam et al., "Multimodal deep learning", ICML 2011),
re-run under this workflow's protocol. The steps:

(1) one restricted Boltzmann machine per modality, Gaussian visible units (the
    features are real-valued and standardised per feature on the training split) and
    binary hidden units: EEG -> h1, other -> h2;
(2) a shared RBM, Bernoulli visible units, on the concatenated hidden probabilities
    [h1, h2] -> h3;
(3) greedy layer-wise pre-training: (1) by CD-1, then (2) by CD-1 on (1)'s outputs;
(4) the stack is unfolded into a bimodal autoencoder: the encoders are the RBMs'
    weights and hidden biases, the decoders their transposes and visible biases
    (sigmoid for the shared layer, linear for the two Gaussian input layers);
    the same layout as the BDDAE's autoencoder network (Fig. 1(a) of Tang et al.,
    :func:`.bddae.build_autoencoder`: ``eeg_encoder``, ``other_encoder``,
    ``shared_encoder`` and three mirrored decoders), without a corruption layer;
(5) the autoencoder is fine-tuned by back-propagation of the reconstruction MSE
    (the BDDAE's :func:`.bddae._reconstruction_mse`, averaged over windows and all
    features of both modalities), with Adam;
(6) h3, the shared representation, goes to a linear L2-SVM (:func:`~.refit.fit_certified_svm`).

What differs from the BDDAE: RBM pre-training by contrastive divergence instead of
denoising (no corruption layer); Gaussian inputs standardised instead of min-max
scaled to [0, 1]; the classifier is a linear SVM on frozen features, not an SVM layer
trained jointly with the encoders, so the model is not an ``is_network`` model
(no Sec. 3.2 refit). Early stopping of step (5): after every fine-tuning epoch the
SVM is fitted on the training windows' h3 and scored on the validation split; the
epoch with the best validation accuracy is restored (the workflow's selection rule;
Liu et al. give a fixed number of epochs).

Set-ups (``setup``)
-------------------
``"paper"`` (default) is the description above: Gaussian visible units on standardised
inputs, linear input decoders, Adam. ``"lab_code"`` is the set-up of the first author's
public code (``csliuwei/CrossCultureCode``, ``BDAE/bdae_chinese.py``, read as a source of
facts): inputs min-max scaled to [0, 1], Bernoulli RBMs for both modalities, sigmoid
decoders throughout, fine-tuning by RMSprop. That code also fits the scaler and the
autoencoder on the training and test windows together (unsupervised, transductive); here
that is the separate switch ``fit_on_test_windows``, off by default (with it on, the
experiment stage hands the model its test windows, without labels). What stays ours in
both set-ups: CD-1 instead of scikit-learn's persistent CD, separate hidden sizes per RBM,
the pooled reconstruction MSE, early stopping on validation, the certified SVM
(docs/models.md).

NumPy only (no TensorFlow): :mod:`.numpy_nets` holds the RBM, layers, Adam and RMSprop.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np

from .base import EmotionModel
from .checks import check_option, check_range
from .data import WindowData
from .training import FeatureScaler, logger, minibatches, n_minibatches, run_epochs
from .bddae import ENCODER_LAYERS
from .numpy_nets import RBM, Adam, Dense, RMSprop, layers_from_arrays, layers_to_arrays

#: Layer names, as in the BDDAE's autoencoder network (encoders first).
DECODER_LAYERS = ("shared_decoder", "eeg_decoder", "other_decoder")
LAYER_ACTIVATIONS = ("sigmoid", "sigmoid", "sigmoid", "sigmoid", "linear", "linear")
#: The lab code's layers: Bernoulli inputs, so the input decoders are sigmoid too.
LAB_CODE_ACTIVATIONS = ("sigmoid",) * 6
SETUPS = ("paper", "lab_code")
ARRAYS_FILE = "bdae.npz"


class BimodalAutoencoder:
    """The unfolded BDAE of step (4): six :class:`~.numpy_nets.Dense` layers.

    ``layers`` in the order of :data:`ENCODER_LAYERS` + :data:`DECODER_LAYERS`.
    """

    def __init__(self, layers: list[Dense], eeg_hidden: int):
        self.layers = layers
        self.eeg_hidden = eeg_hidden

    @classmethod
    def unfold(cls, eeg_rbm: RBM, other_rbm: RBM, shared_rbm: RBM) -> BimodalAutoencoder:
        """Encoders = the RBMs' (W, c); decoders = (W^T, b) of the same RBMs (copies: untied)."""
        def enc(rbm):
            return Dense(rbm.weights.copy(), rbm.hidden_bias.copy(), "sigmoid")

        def dec(rbm):
            act = "linear" if rbm.visible == "gaussian" else "sigmoid"
            return Dense(rbm.weights.T.copy(), rbm.visible_bias.copy(), act)

        layers = [enc(eeg_rbm), enc(other_rbm), enc(shared_rbm), dec(shared_rbm), dec(eeg_rbm), dec(other_rbm)]
        return cls(layers, eeg_rbm.weights.shape[1])

    @property
    def params(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.params]

    def layer(self, name: str) -> Dense:
        """The layer of that BDDAE name (``eeg_encoder`` ... ``other_decoder``)."""
        return self.layers[(ENCODER_LAYERS + DECODER_LAYERS).index(name)]

    def encode(self, eeg: np.ndarray, other: np.ndarray) -> np.ndarray:
        """h3, the shared representation, shape (n, shared_hidden)."""
        eeg_enc, other_enc, shared_enc = self.layers[:3]
        return shared_enc.forward(np.hstack([eeg_enc.forward(eeg), other_enc.forward(other)]))

    def forward(self, eeg: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Reconstructions (eeg_hat, other_hat)."""
        shared_dec, eeg_dec, other_dec = self.layers[3:]
        h12 = shared_dec.forward(self.encode(eeg, other))
        return eeg_dec.forward(h12[:, :self.eeg_hidden]), other_dec.forward(h12[:, self.eeg_hidden:])

    def reconstruction_mse(self, eeg: np.ndarray, other: np.ndarray) -> float:
        """MSE over windows and all features of both modalities (the BDDAE's definition)."""
        eeg_hat, other_hat = self.forward(eeg, other)
        sse = np.sum(np.square(eeg_hat - eeg)) + np.sum(np.square(other_hat - other))
        return float(sse / (eeg.size + other.size))

    def gradients(self, eeg: np.ndarray, other: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """The reconstruction MSE of the batch and its gradient for every parameter (back-propagation)."""
        eeg_hat, other_hat = self.forward(eeg, other)
        n_total = eeg.size + other.size
        loss = float((np.sum(np.square(eeg_hat - eeg)) + np.sum(np.square(other_hat - other))) / n_total)
        eeg_enc, other_enc, shared_enc, shared_dec, eeg_dec, other_dec = self.layers
        g_h1_hat = eeg_dec.backward(2.0 * (eeg_hat - eeg) / n_total)
        g_h2_hat = other_dec.backward(2.0 * (other_hat - other) / n_total)
        g_h3 = shared_dec.backward(np.hstack([g_h1_hat, g_h2_hat]))
        g_h12 = shared_enc.backward(g_h3)
        eeg_enc.backward(g_h12[:, :self.eeg_hidden])
        other_enc.backward(g_h12[:, self.eeg_hidden:])
        return loss, [g for layer in self.layers for g in layer.grads]

    def get_weights(self) -> list[np.ndarray]:
        return [p.copy() for p in self.params]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        for p, w in zip(self.params, weights):
            p[...] = w


class BDAE(EmotionModel):
    """Bimodal Deep AutoEncoder + linear SVM (Liu, Zheng, Lu 2016).

    Parameters
    ----------
    eeg_hidden, other_hidden, shared_hidden : int
        Hidden units of the EEG RBM (h1), the other-modality RBM (h2) and the shared
        RBM (h3, the representation the SVM sees).
    rbm_epochs : int
        CD-1 epochs of each RBM (greedy layer-wise pre-training).
    rbm_learning_rate : float
        CD-1 step size (gradient ascent on mini-batches, momentum 0.5). Gaussian visible
        units diverge at large steps (0.1 did on 310 SEED features); keep it <= 0.03.
    rbm_weight_decay : float
        L2 weight decay of the CD-1 updates (Hinton's guide: 1e-4 .. 1e-2 times the step).
    learning_rate : float
        Learning rate of the fine-tuning (step 5): Adam (``setup="paper"``) or RMSprop
        (``"lab_code"``; Keras' default, which the lab code uses, is 1e-3).
    C : float
        Cost of the L2-SVM on h3 (solved to its minimum, :func:`~.refit.fit_certified_svm`).
    eps : float
        liblinear's tolerance ``-e`` for the SVM's warm start.
    setup : {"paper", "lab_code"}
        See the module docstring.
    fit_on_test_windows : bool
        The lab code's transductive fit: scalers, RBMs and autoencoder also see the test
        windows (never their labels). Off by default; the experiment stage passes them.
    n_classes, n_eeg_features : int | None
        As for every model (:class:`~.base.EmotionModel`).
    seed : int
        Seeds every random draw (initial RBM weights, CD samples, mini-batch order).
    max_epochs, patience, min_delta :
        Fine-tuning epochs and early stopping on the monitored SVM accuracy.
    batch_size : int | None
        Windows per CD-1 / Adam step; None = full batch.
    """

    name = "bdae"
    default_space = {"eeg_hidden": {"int": [32, 128]}, "other_hidden": {"int": [8, 32]},
                     "shared_hidden": {"int": [16, 64]}, "rbm_learning_rate": {"log10": [-2.5, -1.5]},
                     "learning_rate": {"log10": [-2.5, -1.5]}, "C": {"log10": [-3, 0]}}
    is_network: ClassVar[bool] = False
    needs_tensorflow: ClassVar[bool] = False

    autoencoder_: BimodalAutoencoder | None = None
    svm_: tuple[np.ndarray, np.ndarray] | None = None

    def __init__(
        self,
        *,
        eeg_hidden: int = 64,
        other_hidden: int = 16,
        shared_hidden: int = 32,
        rbm_epochs: int = 20,
        rbm_learning_rate: float = 0.01,
        rbm_weight_decay: float = 2e-4,
        learning_rate: float = 1e-2,
        C: float = 0.1,
        eps: float = 0.01,
        n_classes: int | None = None,
        n_eeg_features: int | None = None,
        seed: int = 0,
        max_epochs: int = 50,
        patience: int = 15,
        min_delta: float = 0.001,
        batch_size: int | None = 64,
        setup: str = "paper",
        fit_on_test_windows: bool = False,
    ) -> None:
        self._store_params(locals())

    def _check_params(self) -> None:
        super()._check_params()
        p = self._params
        check_option("setup", p["setup"], SETUPS)
        if not isinstance(p["fit_on_test_windows"], bool):
            raise TypeError(f"fit_on_test_windows must be true or false, got {p['fit_on_test_windows']!r}.")
        for key in ("eeg_hidden", "other_hidden", "shared_hidden"):
            check_range(key, p[key], low=1, kind=int)
        check_range("rbm_epochs", p["rbm_epochs"], low=0, kind=int)
        for key in ("rbm_learning_rate", "learning_rate", "C", "eps"):
            check_range(key, p[key], low=0.0, low_open=True)
        check_range("rbm_weight_decay", p["rbm_weight_decay"], low=0.0)

    def required_modalities(self) -> tuple[str, ...]:
        return ("eeg", "other")

    @property
    def uses_test_windows(self) -> bool:
        """True when :meth:`fit` wants the test windows (``fit_on_test_windows``)."""
        return bool(self._params["fit_on_test_windows"])

    # ---- data ------------------------------------------------------------------------
    def _inputs(self, data: WindowData) -> tuple[np.ndarray, np.ndarray]:
        return (self.scalers_["eeg"].transform(data.eeg).astype(np.float64),
                self.scalers_["other"].transform(data.other).astype(np.float64))

    def shared_representation(self, data: WindowData) -> np.ndarray:
        """h3 of every window, shape (n_windows, shared_hidden)."""
        if self.autoencoder_ is None:
            raise RuntimeError("BDAE is not fitted; call fit() first.")
        return self.autoencoder_.encode(*self._inputs(data))

    def reconstruction_mse(self, data: WindowData) -> float:
        """The autoencoder's reconstruction MSE on ``data`` (standardised features)."""
        if self.autoencoder_ is None:
            raise RuntimeError("BDAE is not fitted; call fit() first.")
        return self.autoencoder_.reconstruction_mse(*self._inputs(data))

    def split_figures(self, data: WindowData) -> dict[str, float]:
        """``reconstruction_mse`` of the split (search CSV: ``{split}_reconstruction_mse``)."""
        return {"reconstruction_mse": self.reconstruction_mse(data)}

    # ---- training --------------------------------------------------------------------
    def pretrain(self, train: WindowData, unlabelled: WindowData | None = None) -> BimodalAutoencoder:
        """Steps (1)-(4): scalers, the three RBMs by CD-1, the unfolded autoencoder, fitted on
        ``train`` (and ``unlabelled``'s windows too, when given: the transductive fit)."""
        p = self._params
        rng = np.random.default_rng(p["seed"])
        self._set_n_classes(train)
        self._fit_bimodal_scalers(train)
        if p["setup"] == "lab_code":
            self.scalers_ = {key: FeatureScaler("minmax").fit(np.vstack(
                [getattr(d, key) for d in (train, unlabelled) if d is not None])) for key in ("eeg", "other")}
        elif unlabelled is not None:
            self.scalers_ = {key: FeatureScaler("standard").fit(np.vstack([getattr(train, key), getattr(unlabelled, key)]))
                             for key in ("eeg", "other")}
        eeg, other = self._inputs_of(train, unlabelled)
        visible = "bernoulli" if p["setup"] == "lab_code" else "gaussian"
        cd = dict(epochs=p["rbm_epochs"], learning_rate=p["rbm_learning_rate"], batch_size=p["batch_size"],
                  rng=rng, weight_decay=p["rbm_weight_decay"])
        eeg_rbm = RBM.create(rng, eeg.shape[1], p["eeg_hidden"], visible)
        other_rbm = RBM.create(rng, other.shape[1], p["other_hidden"], visible)
        curves = {"eeg": eeg_rbm.train(eeg, **cd), "other": other_rbm.train(other, **cd)}
        hidden = np.hstack([eeg_rbm.hidden_probabilities(eeg), other_rbm.hidden_probabilities(other)])
        shared_rbm = RBM.create(rng, hidden.shape[1], p["shared_hidden"], "bernoulli")
        curves["shared"] = shared_rbm.train(hidden, **cd)
        for key, curve in curves.items():
            if curve:
                logger.info("%s %s RBM: CD-1 reconstruction MSE %.4g -> %.4g over %d epochs",
                            self.name, key, curve[0], curve[-1], len(curve))
        self.history = {"rbm_mse": curves}
        self.autoencoder_ = BimodalAutoencoder.unfold(eeg_rbm, other_rbm, shared_rbm)
        return self.autoencoder_

    def _fit_svm(self, features: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from .refit import fit_certified_svm

        solved = fit_certified_svm(features, y, C=self._params["C"], eps=self._params["eps"], name=f"{self.name} SVM")
        self.svm_certificate_ = solved.certificate
        return solved.kernel, solved.bias

    def _inputs_of(self, train: WindowData, unlabelled: WindowData | None) -> tuple[np.ndarray, np.ndarray]:
        """Scaled inputs of the training windows, then (transductive fit) the unlabelled ones."""
        eeg, other = self._inputs(train)
        if unlabelled is None:
            return eeg, other
        more = self._inputs(unlabelled)
        return np.vstack([eeg, more[0]]), np.vstack([other, more[1]])

    def _fit(self, train: WindowData, val: WindowData | None = None, unlabelled: WindowData | None = None) -> BDAE:
        """Pre-train (RBMs), fine-tune the autoencoder with early stopping on the SVM's
        monitored accuracy, then fit the SVM on the restored autoencoder's h3.

        ``val`` is the split early stopping monitors (None: the training split).
        ``unlabelled``: the test windows, required with ``fit_on_test_windows`` and
        refused without it; the autoencoder trains on them too, the SVM never.
        """
        p = self._params
        if p["fit_on_test_windows"] != (unlabelled is not None):
            raise ValueError("BDAE: fit_on_test_windows is "
                             f"{p['fit_on_test_windows']} but the test windows were "
                             f"{'not ' if unlabelled is None else ''}given to fit().")
        ae = self.pretrain(train, unlabelled)
        rbm_mse = self.history["rbm_mse"]
        eeg, other = self._inputs(train)
        ae_eeg, ae_other = self._inputs_of(train, unlabelled)
        monitored = train if val is None else val
        optimizer = (RMSprop if p["setup"] == "lab_code" else Adam)(ae.params, learning_rate=p["learning_rate"])
        rng = np.random.default_rng(p["seed"] + 1)
        n_autoencoder = len(ae_eeg)

        def train_epoch(epoch: int) -> tuple[float, float]:
            batches = minibatches(n_autoencoder, p["batch_size"], rng)
            losses = []
            for idx in batches:
                loss, grads = ae.gradients(ae_eeg[idx], ae_other[idx])
                optimizer.step(grads)
                losses.append(loss)
            self.svm_ = self._fit_svm(ae.encode(eeg, other), train.y)
            return float(np.average(losses, weights=[len(b) for b in batches])), self.score(train)

        self.history = run_epochs(
            train_epoch=train_epoch, monitor=lambda: self.score(monitored),
            get_weights=ae.get_weights, set_weights=ae.set_weights,
            max_epochs=p["max_epochs"], patience=p["patience"], min_delta=p["min_delta"],
            monitor_name="train" if val is None else "val", model_name=self.name,
            steps_per_epoch=n_minibatches(n_autoencoder, p["batch_size"]),
        )
        self.svm_ = self._fit_svm(ae.encode(eeg, other), train.y)  # on the restored weights
        self.history["rbm_mse"] = rbm_mse
        self.history["svm_certificate"] = self.svm_certificate_
        self.history["train_reconstruction_mse"] = ae.reconstruction_mse(eeg, other)
        return self

    # ---- inference -------------------------------------------------------------------
    def _decision_function(self, data: WindowData) -> np.ndarray:
        """SVM scores on h3, shape (n_windows, n_classes)."""
        self._check_fitted()
        if self.svm_ is None:
            raise RuntimeError("BDAE is not fitted; call fit() first.")
        kernel, bias = self.svm_
        return self.shared_representation(data) @ kernel + bias

    # ---- persistence -----------------------------------------------------------------
    def _save_files(self, directory: Path) -> None:
        np.savez(directory / ARRAYS_FILE, **layers_to_arrays("layer", self.autoencoder_.layers),
                 svm_kernel=self.svm_[0], svm_bias=self.svm_[1])

    def _load_files(self, directory: Path) -> None:
        with np.load(directory / ARRAYS_FILE) as arrays:
            stored = {k: arrays[k] for k in arrays.files}
        activations = LAB_CODE_ACTIVATIONS if self._params["setup"] == "lab_code" else LAYER_ACTIVATIONS
        self.autoencoder_ = BimodalAutoencoder(layers_from_arrays("layer", stored, list(activations)),
                                               self._params["eeg_hidden"])
        self.svm_ = (stored["svm_kernel"], stored["svm_bias"])


__all__ = ["BDAE", "BimodalAutoencoder", "ENCODER_LAYERS", "DECODER_LAYERS"]
