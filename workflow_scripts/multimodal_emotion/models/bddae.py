"""Bimodal Deep Denoising AutoEncoder (BDDAE) of Tang et al. (2017), Sec. 2.

Two networks (Fig. 1):

(a) the autoencoder network: a corruption layer, three sigmoid encoders
    (EEG -> h1, other -> h2, [h1, h2] -> h3) and three mirrored sigmoid decoders,
    trained on the mean squared reconstruction error of the clean input;
(b) the classifier network: the same three encoders, initialised from (a), and a
    linear L2-SVM layer; the encoders learn at 1 % of the SVM layer's learning rate
    (Sec. 2.2).

BDDAE works per window (no sequences).
"""

from __future__ import annotations

import numpy as np

from .base import SVMNetwork, squared_hinge_sum, svm_layer
from .checks import check_range
from .data import WindowData
from .training import (
    FeatureScaler,
    logger,
    minibatches,
    n_minibatches,
    phase,
    seed_everything,
    spec_like,
    traced,
)
from .bimodal_lstm import INIT_STDDEV
from .reuse import reinitialise, reset_optimizer, shared_graph

#: Sec. 2.2: "The encoder layers' learning rate was set to one percent of the last
#: classification layer's learning rate".
ENCODER_LEARNING_RATE_FACTOR = 0.01
ENCODER_LAYERS = ("eeg_encoder", "other_encoder", "shared_encoder")


def _normal():
    import keras

    return keras.initializers.RandomNormal(mean=0.0, stddev=INIT_STDDEV)


def _sigmoid_dense(units: int, name: str):
    """An encoder / decoder: "an affine mapping followed by a sigmoid function" (Sec. 2.1)."""
    from keras import layers

    return layers.Dense(
        units, activation="sigmoid", kernel_initializer=_normal(),
        bias_initializer="zeros", name=name,
    )


def build_autoencoder(
    *,
    n_eeg: int,
    n_other: int,
    eeg_hidden: int,
    other_hidden: int,
    shared_hidden: int,
    dropout: float,
):
    """Build the BDDAE autoencoder network of Fig. 1(a).

    Parameters
    ----------
    n_eeg, n_other : int
        Input features per window.
    eeg_hidden, other_hidden, shared_hidden : int
        Units of h1 (EEG encoder), h2 (other encoder), h3 (shared encoder).
    dropout : float
        Fraction of inputs the corruption layer sets to zero (see :class:`BDDAE`).

    Returns
    -------
    model : keras.Model
        Inputs ``eeg`` (batch, n_eeg), ``other`` (batch, n_other); outputs the
        reconstructions ``[eeg_hat, other_hat]`` of the same shapes.

    Notes
    -----
    With :math:`\\tilde x` the corrupted input and :math:`\\sigma` the sigmoid:

    * encoders: :math:`h_1 = \\sigma(W_{EEG}\\tilde x_{EEG} + b_1)`,
      :math:`h_2 = \\sigma(W_{Other}\\tilde x_{Other} + b_2)`,
      :math:`h_3 = \\sigma(W[h_1, h_2] + b_3)`;
    * decoders, mirror images of the encoders (same shapes, untied weights):
      :math:`[\\hat h_1, \\hat h_2] = \\sigma(W' h_3 + b'_3)`,
      :math:`\\hat x_{EEG} = \\sigma(W'_{EEG}\\hat h_1 + b'_1)`,
      :math:`\\hat x_{Other} = \\sigma(W'_{Other}\\hat h_2 + b'_2)`.

    The corruption layer is Keras ``Dropout`` (inverted: kept inputs are scaled by
    ``1 / (1 - dropout)`` so their expectation equals the clean input the encoders
    see in the classifier network).
    """
    import keras
    from keras import layers

    x_eeg = keras.Input((n_eeg,), name="eeg")
    x_other = keras.Input((n_other,), name="other")
    # Corruption layer: "randomly sets some of the inputs to zeros" (Sec. 2.1)
    c_eeg = layers.Dropout(dropout, name="eeg_corruption")(x_eeg)
    c_other = layers.Dropout(dropout, name="other_corruption")(x_other)
    h1 = _sigmoid_dense(eeg_hidden, "eeg_encoder")(c_eeg)  # W_EEG
    h2 = _sigmoid_dense(other_hidden, "other_encoder")(c_other)  # W_Other
    h3 = _sigmoid_dense(shared_hidden, "shared_encoder")(  # W
        layers.Concatenate(name="concat")([h1, h2]))
    h12_hat = _sigmoid_dense(eeg_hidden + other_hidden, "shared_decoder")(h3)
    eeg_hat = _sigmoid_dense(n_eeg, "eeg_decoder")(h12_hat[:, :eeg_hidden])
    other_hat = _sigmoid_dense(n_other, "other_decoder")(h12_hat[:, eeg_hidden:])
    return keras.Model([x_eeg, x_other], [eeg_hat, other_hat], name="bddae_autoencoder")


def build_classifier(
    *,
    n_eeg: int,
    n_other: int,
    n_classes: int,
    eeg_hidden: int,
    other_hidden: int,
    shared_hidden: int,
):
    """Build the BDDAE classifier network of Fig. 1(b).

    The three encoders of :func:`build_autoencoder` (same layer names, no corruption
    layer) followed by the linear SVM layer ``svm`` on h3.

    Returns
    -------
    model : keras.Model
        Inputs ``eeg`` (batch, n_eeg), ``other`` (batch, n_other); output: SVM scores
        (batch, n_classes).
    """
    import keras
    from keras import layers

    x_eeg = keras.Input((n_eeg,), name="eeg")
    x_other = keras.Input((n_other,), name="other")
    h1 = _sigmoid_dense(eeg_hidden, "eeg_encoder")(x_eeg)
    h2 = _sigmoid_dense(other_hidden, "other_encoder")(x_other)
    h3 = _sigmoid_dense(shared_hidden, "shared_encoder")(
        layers.Concatenate(name="concat")([h1, h2]))
    scores = svm_layer(n_classes, _normal())(h3)
    return keras.Model([x_eeg, x_other], scores, name="bddae_classifier")


class BDDAE(SVMNetwork):
    """Bimodal Deep Denoising AutoEncoder classifier (Tang et al. 2017, Sec. 2).

    Parameters
    ----------
    eeg_hidden, other_hidden, shared_hidden : int
        Units of the EEG encoder (h1), other-modality encoder (h2) and shared
        encoder (h3).
    dropout : float
        Fraction of the inputs the corruption layer sets to zero during pre-training
        (Keras' ``rate``, in [0, 1)). As for
        :class:`~multimodal_emotion.models.bimodal_lstm.BimodalLSTM`, the paper's
        "dropout probability" is the keep probability ``1 - dropout``.
    l2 : float
        L2 strength lambda of the SVM layer's kernel (objective of :class:`SVMNetwork`).
    learning_rate : float
        Adam learning rate of the SVM layer in the classifier network; the encoders
        use ``0.01 * learning_rate`` (Sec. 2.2), with a second Adam optimizer
        (scaling gradients would not work: Adam's step is invariant to it).
    pretrain_learning_rate : float
        Adam learning rate of the autoencoder network.
    pretrain_epochs : int
        Epochs of autoencoder pre-training (fixed number, no early stopping).
    clip_inputs : bool
        Clip min-max scaled validation / test features to [0, 1]. Default False: the
        sigmoid encoders accept values slightly outside the training range.
    n_classes, n_eeg_features : int | None
        As for every model (:class:`~.base.EmotionModel`).
    seed, max_epochs, patience, min_delta :
        As for :class:`~multimodal_emotion.models.bimodal_lstm.BimodalLSTM`;
        ``max_epochs`` etc. apply to the classifier network.
    batch_size : int | None
        Windows per Adam step, in pre-training and fine-tuning; None = full batch.

    Notes
    -----
    The paper gives no BDDAE hyper-parameter values; the defaults are ours. Inputs
    are min-max scaled to [0, 1] per feature with training-split statistics
    (Sec. 4.2). The corruption layer is only part of the autoencoder network;
    Fig. 1(b) shows the classifier network as encoders + SVM layer.

    ``fit`` = :meth:`pretrain` (autoencoder, MSE) -> :meth:`build_classifier`
    (encoders copied from the autoencoder) -> fine-tuning of J with two Adam
    optimizers and early stopping.
    """

    name = "bddae"
    default_space = {"eeg_hidden": {"int": [32, 128]}, "other_hidden": {"int": [8, 32]},
                     "shared_hidden": {"int": [16, 64]}, "keep_prob": {"uniform": [0.5, 0.95]},
                     "l2": {"log10": [-5, -2]}, "learning_rate": {"log10": [-3, -1.5]},
                     "pretrain_learning_rate": {"log10": [-3, -1.5]}}

    model_ = None
    autoencoder_ = None
    encoder_optimizer_ = None
    svm_optimizer_ = None

    def __init__(
        self,
        *,
        eeg_hidden: int = 128,
        other_hidden: int = 32,
        shared_hidden: int = 64,
        dropout: float = 0.2,
        l2: float = 1e-3,
        learning_rate: float = 1e-2,
        pretrain_learning_rate: float = 1e-2,
        pretrain_epochs: int = 100,
        clip_inputs: bool = False,
        n_classes: int | None = None,
        n_eeg_features: int | None = None,
        seed: int = 0,
        max_epochs: int = 1000,
        patience: int = 120,
        min_delta: float = 0.001,
        batch_size: int | None = 128,
    ) -> None:
        self._store_params(locals())

    def _check_params(self) -> None:
        super()._check_params()
        p = self._params
        for key in ("eeg_hidden", "other_hidden", "shared_hidden"):
            check_range(key, p[key], low=1, kind=int)
        check_range("pretrain_epochs", p["pretrain_epochs"], low=0, kind=int)
        check_range("dropout", p["dropout"], low=0.0, high=1.0)
        if p["dropout"] == 1.0:
            raise ValueError("dropout must be < 1 (it is the fraction of inputs dropped).")
        check_range("l2", p["l2"], low=0.0)
        for key in ("learning_rate", "pretrain_learning_rate"):
            check_range(key, p[key], low=0.0, low_open=True)
        if not isinstance(p["clip_inputs"], bool):
            raise TypeError(f"clip_inputs must be a bool, got {type(p['clip_inputs'])} instead.")

    # ---- data ------------------------------------------------------------------------
    def _inputs(self, data: WindowData):
        import tensorflow as tf

        return (tf.constant(self.scalers_["eeg"].transform(data.eeg)),
                tf.constant(self.scalers_["other"].transform(data.other)))

    # ---- (a) autoencoder network -----------------------------------------------------
    def pretrain(self, train: WindowData) -> BDDAE:
        """Seed, fit the min-max scalers and pre-train the autoencoder network (Sec. 2.2).

        Minimises the mean squared error between the reconstruction of the corrupted
        input and the clean input, averaged over windows and over all
        ``n_eeg + n_other`` features, with Adam (``pretrain_learning_rate``) for
        ``pretrain_epochs`` epochs. Per-epoch training MSE (corruption active) goes
        to ``history["pretrain_mse"]``.
        """
        import keras
        import tensorflow as tf

        p = self._params
        with phase("build"):
            seed_everything(p["seed"])
            self._set_n_classes(train)
            self.scalers_ = {
                key: FeatureScaler("minmax", clip=p["clip_inputs"]).fit(getattr(train, key))
                for key in ("eeg", "other")
            }
            eeg, other = self._inputs(train)
            key = ("bddae", spec_like(eeg), spec_like(other), self.n_classes_,
                   *(p[k] for k in ("eeg_hidden", "other_hidden", "shared_hidden", "dropout")))
            graph = self._network_graph = shared_graph(self, key, dict)[0]  # filled below as built
            if "autoencoder" in graph:  # a previous fit's: the weights a fresh build draws now
                reinitialise(graph["autoencoder"], self._autoencoder_layers())
            else:
                ae = graph["autoencoder"] = build_autoencoder(
                    n_eeg=train.eeg.shape[1], n_other=train.other.shape[1],
                    eeg_hidden=p["eeg_hidden"], other_hidden=p["other_hidden"],
                    shared_hidden=p["shared_hidden"], dropout=p["dropout"],
                )
                graph["pretrain_optimizer"] = keras.optimizers.Adam(learning_rate=p["pretrain_learning_rate"])
                graph["pretrain_optimizer"].build(ae.trainable_variables)
            ae = self.autoencoder_ = graph["autoencoder"]
            optimizer = graph["pretrain_optimizer"]
            reset_optimizer(optimizer, p["pretrain_learning_rate"])
            self.model_ = None  # built from the pre-trained encoders by build_classifier

        def step(eeg, other):
            with tf.GradientTape() as tape:
                eeg_hat, other_hat = ae([eeg, other], training=True)
                loss = _reconstruction_mse(eeg, other, eeg_hat, other_hat)
            grads = tape.gradient(loss, ae.trainable_variables)
            optimizer.apply_gradients(zip(grads, ae.trainable_variables))
            return loss

        if "pretrain_step" not in graph:  # one trace, short last batch included
            graph["pretrain_step"] = traced(step, spec_like(eeg), spec_like(other))
        step = graph["pretrain_step"]
        rng = np.random.default_rng(p["seed"])
        mse = []
        with phase("training_steps"):
            for epoch in range(1, p["pretrain_epochs"] + 1):
                losses, sizes = [], []
                for idx in minibatches(train.n_windows, p["batch_size"], rng):
                    losses.append(float(step(tf.gather(eeg, idx), tf.gather(other, idx))))
                    sizes.append(len(idx))
                mse.append(float(np.average(losses, weights=sizes)))
                logger.info("%s pretrain epoch %d/%d mse %.6g",
                            self.name, epoch, p["pretrain_epochs"], mse[-1])
        self.history = {"pretrain_mse": mse}
        return self

    def reconstruction_mse(self, data: WindowData) -> float:
        """Return the autoencoder's reconstruction MSE on ``data`` (no corruption)."""
        if self.autoencoder_ is None:
            raise RuntimeError("Call pretrain() or fit() first; the autoencoder is not saved.")
        eeg, other = self._inputs(data)
        eeg_hat, other_hat = self.autoencoder_([eeg, other], training=False)
        return float(_reconstruction_mse(eeg, other, eeg_hat, other_hat))

    # ---- (b) classifier network ------------------------------------------------------
    def build_classifier(self):
        """Build the classifier network with the pre-trained encoders' weights (Sec. 2.2).

        Copies (not shares) W_EEG, W_Other, W and their biases from the autoencoder, so
        ``autoencoder_`` keeps the pre-trained values. Returns the Keras model, also
        stored as ``model_``.
        """
        if self.autoencoder_ is None:
            raise RuntimeError("Call pretrain() before build_classifier().")
        p, ae = self._params, self.autoencoder_
        graph = getattr(self, "_network_graph", None)
        graph = {} if graph is None else graph
        if "classifier" in graph:  # a previous fit's (see pretrain)
            reinitialise(graph["classifier"], [*ENCODER_LAYERS, "svm"])
            self.model_ = graph["classifier"]
            self._predict_fn, self._feature_fn = graph["predict"], graph["features"]
        else:
            self.model_ = graph["classifier"] = build_classifier(
                n_eeg=ae.inputs[0].shape[-1], n_other=ae.inputs[1].shape[-1],
                n_classes=self.n_classes_, eeg_hidden=p["eeg_hidden"],
                other_hidden=p["other_hidden"], shared_hidden=p["shared_hidden"],
            )
            self._make_functions()
            graph["predict"], graph["features"] = self._predict_fn, self._feature_fn
        for name in ENCODER_LAYERS:
            self.model_.get_layer(name).set_weights(ae.get_layer(name).get_weights())
        return self.model_

    def _build_network(self):
        n_eeg, n_other = self._input_sizes()
        p = self._params
        return build_classifier(n_eeg=n_eeg, n_other=n_other, n_classes=self.n_classes_, eeg_hidden=p["eeg_hidden"],
                                other_hidden=p["other_hidden"], shared_hidden=p["shared_hidden"])

    def _autoencoder_layers(self) -> list[str]:
        """The autoencoder's random layers in :func:`build_autoencoder`'s order (the order
        their seeds are drawn; Keras gives a Dropout of rate 0 no seed generator)."""
        corruption = ["eeg_corruption", "other_corruption"] if self._params["dropout"] > 0 else []
        return [*corruption, *ENCODER_LAYERS, "shared_decoder", "eeg_decoder", "other_decoder"]

    def _fit(self, train: WindowData, val: WindowData | None = None) -> BDDAE:
        """Pre-train, build the classifier, fine-tune with early stopping.

        Parameters
        ----------
        train : WindowData
            Training split; also supplies the min-max statistics.
        val : WindowData | None
            Split monitored by early stopping; None monitors the training split.

        Returns
        -------
        self : BDDAE
        """
        import keras
        import tensorflow as tf

        p = self._params
        self.pretrain(train)
        pretrain_mse = self.history["pretrain_mse"]
        with phase("build"):
            model = self.build_classifier()
            graph = self._network_graph
            n_classes = self.n_classes_
            svm = model.get_layer("svm")
            enc_vars = [v for n in ENCODER_LAYERS for v in model.get_layer(n).trainable_variables]
            svm_vars = list(svm.trainable_variables)
            if "svm_optimizer" not in graph:
                # Two optimizers: Adam's step size is set by its learning rate, not by the
                # gradient's scale, so the 1 % must be a learning rate (Sec. 2.2).
                graph["svm_optimizer"] = keras.optimizers.Adam(learning_rate=p["learning_rate"])
                graph["encoder_optimizer"] = keras.optimizers.Adam(
                    learning_rate=ENCODER_LEARNING_RATE_FACTOR * p["learning_rate"])
                graph["svm_optimizer"].build(svm_vars)
                graph["encoder_optimizer"].build(enc_vars)
            svm_optimizer = self.svm_optimizer_ = graph["svm_optimizer"]
            encoder_optimizer = self.encoder_optimizer_ = graph["encoder_optimizer"]
            reset_optimizer(svm_optimizer, p["learning_rate"])
            reset_optimizer(encoder_optimizer, ENCODER_LEARNING_RATE_FACTOR * p["learning_rate"])

        def train_step(eeg, other, y, n_total, lam):
            with tf.GradientTape() as tape:
                scores = model([eeg, other], training=True)
                scale = n_total / tf.cast(tf.shape(y)[0], tf.float32)
                loss = scale * squared_hinge_sum(y, scores, tf.ones_like(scores[:, 0]), n_classes)
                loss += lam * tf.reduce_sum(tf.square(svm.kernel))
            grads = tape.gradient(loss, enc_vars + svm_vars)
            encoder_optimizer.apply_gradients(zip(grads[:len(enc_vars)], enc_vars))
            svm_optimizer.apply_gradients(zip(grads[len(enc_vars):], svm_vars))
            hit = tf.equal(tf.argmax(scores, -1, output_type=tf.int32), y)
            return loss, tf.reduce_sum(tf.cast(hit, tf.float32))

        eeg, other = self._inputs(train)
        y = tf.constant(train.y.astype(np.int32))
        if "train_step" not in graph:  # the number of windows and L2 are arguments: every fold shares it
            scalar = tf.TensorSpec((), tf.float32)
            graph["train_step"] = traced(train_step, spec_like(eeg), spec_like(other), spec_like(y), scalar, scalar)
        n_total, lam = tf.constant(float(train.n_windows), tf.float32), tf.constant(p["l2"], tf.float32)
        step = graph["train_step"]
        mon = (eeg, other, train.y) if val is None else (*self._inputs(val), val.y)
        rng = np.random.default_rng(p["seed"] + 1)

        def train_epoch(epoch: int) -> tuple[float, float]:
            losses, hits = [], 0.0
            for idx in minibatches(train.n_windows, p["batch_size"], rng):
                loss, h = step(tf.gather(eeg, idx), tf.gather(other, idx), tf.gather(y, idx), n_total, lam)
                losses.append(float(loss))
                hits += float(h)
            return float(np.mean(losses)), hits / train.n_windows

        def monitor() -> float:
            scores = self._predict_fn(mon[0], mon[1]).numpy()
            return float(np.mean(scores.argmax(-1) == mon[2]))

        self.history = self._train_epochs(train_epoch=train_epoch, monitor=monitor, val=val,
                                          steps_per_epoch=n_minibatches(train.n_windows, p["batch_size"]))
        self.history["pretrain_mse"] = pretrain_mse
        return self

    # ---- inference -------------------------------------------------------------------
    def _make_functions(self) -> None:
        if self.model_ is not None:
            self._trace_inference("shared_encoder")

    def _decision_function(self, data: WindowData) -> np.ndarray:
        """Return SVM scores per window, shape (n_windows, n_classes)."""
        self._check_fitted()
        return self._predict_fn(*self._inputs(data)).numpy()

    def extract_features(self, data: WindowData) -> np.ndarray:
        """Return h3, the shared encoder's output, shape (n_windows, shared_hidden)."""
        self._check_fitted()
        return self._feature_fn(*self._inputs(data)).numpy()


def _reconstruction_mse(eeg, other, eeg_hat, other_hat):
    """Mean squared error over windows and all features of both modalities."""
    import tensorflow as tf

    sse = tf.reduce_sum(tf.square(eeg_hat - eeg)) + tf.reduce_sum(tf.square(other_hat - other))
    n = tf.cast(tf.size(eeg) + tf.size(other), eeg.dtype)
    return sse / n
