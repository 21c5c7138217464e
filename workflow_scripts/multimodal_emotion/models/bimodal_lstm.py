"""Bimodal-LSTM of Tang et al. (2017), Sec. 3.

Two LSTM encoders, one over the EEG feature sequence and one over the other
modality's sequence (Eqs. (1)-(2)), dropout on their outputs, concatenation, and one
linear classification layer trained with the L2-regularised squared hinge loss
(one-vs-rest L2-SVM, Tang 2013), so that the last layer "can be considered as a
linear kernel SVM" (Sec. 3.1). Sec. 3.2's SVM refit of that layer is
:func:`multimodal_emotion.models.svm.refit_last_layer`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import SVMNetwork, squared_hinge_sum, svm_layer
from .checks import check_range
from .data import WindowData, segment_runs
from .training import (
    FeatureScaler,
    minibatches,
    n_minibatches,
    phase,
    seed_everything,
    spec_like,
    traced,
)

#: Sec. 4.3: "All weights were initialized from a Gaussian distribution with a mean
#: of 0 and a standard deviation of 0.001. All biases were initialized to zero."
INIT_STDDEV = 0.001


# --------------------------------------------------------------------------------------
# Cutting segments into sequences
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SequenceLayout:
    """Where every window sits in the batch of sequences, and which position owns it.

    Each segment (clip / trial) is cut from its first window into consecutive,
    non-overlapping sequences of ``length`` windows; no sequence crosses a segment
    boundary. Every window gets exactly one prediction and contributes exactly once
    to the loss:

    * a segment shorter than ``length`` becomes one shorter sequence, padded at the
      end (the LSTM is causal, so end-padding cannot change the real steps);
    * a remainder of ``r < length`` windows at a segment's end is covered by one
      extra sequence made of the segment's *last* ``length`` windows; only its last
      ``r`` positions own their windows, the first ``length - r`` positions (already
      owned by the previous sequence) give context to the LSTM state and are masked
      out of the loss and of the predictions.

    Attributes
    ----------
    index : ndarray of int, shape (n_sequences, L)
        Window index at each position, ``-1`` for padding. ``L = min(length,
        longest segment)``.
    owner : ndarray of bool, shape (n_sequences, L)
        True where this position gives the window's prediction and loss term.
    """

    index: np.ndarray
    owner: np.ndarray

    @classmethod
    def from_segments(cls, segment: np.ndarray, length: int) -> SequenceLayout:
        runs = segment_runs(segment)
        seq_len = min(length, max((b - a for a, b in runs), default=1))
        rows, owners = [], []
        for start, stop in runs:
            n = stop - start
            if n <= seq_len:
                row = np.full(seq_len, -1)
                row[:n] = np.arange(start, stop)
                rows.append(row)
                owners.append(row >= 0)
                continue
            for a in range(start, stop - seq_len + 1, seq_len):
                rows.append(np.arange(a, a + seq_len))
                owners.append(np.ones(seq_len, bool))
            remainder = n % seq_len
            if remainder:
                rows.append(np.arange(stop - seq_len, stop))
                owners.append(np.arange(seq_len) >= seq_len - remainder)
        index = np.array(rows, dtype=np.int64).reshape(-1, seq_len)
        owner = np.array(owners, dtype=bool).reshape(-1, seq_len)
        return cls(index=index, owner=owner)

    @property
    def n_windows(self) -> int:
        return int(self.owner.sum())

    def gather(self, x: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """Arrange per-window rows ``x`` (n_windows, ...) as (n_sequences, L, ...)."""
        out = np.asarray(x)[np.maximum(self.index, 0)]
        out[self.index < 0] = fill
        return out

    def scatter(self, values: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`gather` at the owning positions.

        (n_sequences, L, ...) -> (n_windows, ...), windows in their original order.
        """
        out = np.empty((self.n_windows,) + values.shape[2:], dtype=values.dtype)
        out[self.index[self.owner]] = values[self.owner]
        return out


# --------------------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------------------
def build_bimodal_lstm(
    *,
    n_eeg: int,
    n_other: int,
    n_classes: int,
    eeg_hidden: int,
    other_hidden: int,
    dropout: float,
):
    """Build the Bimodal-LSTM network of Fig. 2.

    Parameters
    ----------
    n_eeg, n_other : int
        Input features per window of the two modalities.
    n_classes : int
        Output units, one linear one-vs-rest SVM score per class.
    eeg_hidden, other_hidden : int
        LSTM units of the two encoders (Table 1).
    dropout : float
        Fraction of LSTM outputs dropped in training (Keras' rate; the paper's
        "dropout probability" is the keep probability ``1 - dropout``, see
        :class:`BimodalLSTM`).

    Returns
    -------
    model : keras.Model
        Inputs ``eeg`` (batch, time, n_eeg) and ``other`` (batch, time, n_other);
        output: scores (batch, time, n_classes). Layers ``eeg_lstm``, ``other_lstm``,
        ``concat``, ``dropout`` (its output = the features of the SVM refit), ``svm``.

    Notes
    -----
    Each LSTM computes, at every step ``t`` and from zero initial states
    :math:`h_0 = c_0 = 0` (Keras' default when no ``initial_state`` is given):

    * Eq. (1): :math:`f_t = \\sigma(W_f[h_{t-1}, x_t] + b_f)`,
      :math:`i_t = \\sigma(W_i[h_{t-1}, x_t] + b_i)`,
      :math:`g_t = \\tanh(W_g[h_{t-1}, x_t] + b_g)`,
      :math:`c_t = c_{t-1} * f_t + i_t * g_t`
    * Eq. (2): :math:`o_t = \\sigma(W_o[h_{t-1}, x_t] + b_o)`,
      :math:`h_t = o_t * \\tanh(c_t)`

    Keras stores the four gates fused in the order (i, f, g, o): ``kernel`` (n_in,
    4u) multiplies :math:`x_t` and ``recurrent_kernel`` (u, 4u) multiplies
    :math:`h_{t-1}`, so :math:`W_f = [\\text{recurrent\\_kernel}[:, u:2u]^\\top,
    \\text{kernel}[:, u:2u]^\\top]` etc. ``unit_forget_bias=False`` keeps
    :math:`b_f = 0` at initialisation, ``recurrent_activation="sigmoid"`` is the
    exact :math:`\\sigma`.
    """
    import keras
    from keras import layers

    def normal():  # one initializer per layer: a shared instance repeats its values
        return keras.initializers.RandomNormal(mean=0.0, stddev=INIT_STDDEV)

    def lstm(units: int, name: str):
        return layers.LSTM(
            units,
            activation="tanh",  # Eq. (1) g_t and Eq. (2) tanh(c_t)
            recurrent_activation="sigmoid",  # Eq. (1)-(2) f_t, i_t, o_t
            return_sequences=True,  # the classifier acts on h_t at every step
            kernel_initializer=normal(),
            recurrent_initializer=normal(),
            bias_initializer="zeros",
            unit_forget_bias=False,
            name=name,
        )

    x_eeg = keras.Input((None, n_eeg), name="eeg")
    x_other = keras.Input((None, n_other), name="other")
    h_eeg = lstm(eeg_hidden, "eeg_lstm")(x_eeg)  # Eq. (1)-(2)
    h_other = lstm(other_hidden, "other_lstm")(x_other)  # Eq. (1)-(2)
    h = layers.Concatenate(name="concat")([h_eeg, h_other])
    # Inverted dropout: kept units x 1/(1 - dropout) in training, identity at inference
    h = layers.Dropout(dropout, name="dropout")(h)
    scores = svm_layer(n_classes, normal())(h)  # one score per class at every step
    return keras.Model([x_eeg, x_other], scores, name="bimodal_lstm")


class BimodalLSTM(SVMNetwork):
    """Bimodal-LSTM emotion classifier (Tang et al. 2017, Sec. 3, Fig. 2).

    Parameters
    ----------
    eeg_hidden : int
        LSTM units of the EEG encoder. Table 1: 16-256 (SEED), 32-256 (DEAP).
    other_hidden : int
        LSTM units of the other modality's encoder. Table 1: 8-64 (SEED), 16-256 (DEAP).
    dropout : float
        Fraction of the LSTM outputs set to zero in training (Keras' ``rate``, in
        [0, 1); 0 disables dropout). The paper's "dropout probability" of Table 1
        (0.3-0.99 SEED, 0.2-0.9 DEAP) is the TF 0.x ``keep_prob`` -- Sec. 3.2
        multiplies features by it "to simulate the effect of dropout at test time",
        which only makes sense for a keep probability -- so Table 1's value ``p``
        corresponds to ``dropout = 1 - p``.
    l2 : float
        L2 regularisation strength lambda of the SVM layer's kernel (Table 1:
        1e-9 to 1 SEED, 10**-4.5 to 0.1 DEAP). See :class:`SVMNetwork` for the
        objective.
    learning_rate : float
        Adam learning rate (Table 1: 1e-4 to 10**-1.5 SEED, 10**-2.5 to 10**-0.5 DEAP).
    sequence_length : int
        Windows per sequence: 60 for SEED, 5 for DEAP (Sec. 4.2). See
        :class:`SequenceLayout` for segment ends.
    n_classes, n_eeg_features : int | None
        As for every model (:class:`~.base.EmotionModel`).
    seed : int
        Seeds Python, NumPy and Keras (:func:`seed_everything`) at the start of ``fit``.
    max_epochs : int
        Cap on training epochs.
    patience, min_delta : int, float
        Early stopping (Sec. 4.3): stop when the monitored accuracy has not improved
        by ``min_delta`` (0.001 = 0.1 %) within ``patience`` (120) epochs.
    batch_size : int | None
        Sequences per Adam step; None (default) uses all training sequences in one
        batch, so each step minimises exactly the objective J (SEED: ~36 sequences).

    Notes
    -----
    The paper gives ranges (Table 1), not values; the defaults lie inside both the
    SEED and the DEAP ranges, except ``sequence_length`` (SEED's 60).

    Inputs are standardised per feature with the mean and standard deviation of the
    training split (Sec. 4.2) and cut into sequences (:class:`SequenceLayout`).
    Training minimises J of :class:`SVMNetwork` with Adam on all weights; the
    L2 term covers only the SVM kernel, as in Tang (2013).
    """

    name = "bimodal_lstm"
    #: ``search.group_size`` configurations train together in one graph (:mod:`.grouped_lstm`).
    trains_grouped = True
    #: Table 1 of the paper (SEED's ranges).
    default_space = {"eeg_hidden": {"int": [16, 256]}, "other_hidden": {"int": [8, 64]},
                     "keep_prob": {"uniform": [0.3, 0.99]}, "l2": {"log10": [-5, -2]},
                     "learning_rate": {"log10": [-3, -1.5]}}

    model_ = None

    def __init__(
        self,
        *,
        eeg_hidden: int = 128,
        other_hidden: int = 32,
        dropout: float = 0.5,
        l2: float = 1e-3,
        learning_rate: float = 1e-2,
        sequence_length: int = 60,
        n_classes: int | None = None,
        n_eeg_features: int | None = None,
        seed: int = 0,
        max_epochs: int = 1000,
        patience: int = 120,
        min_delta: float = 0.001,
        batch_size: int | None = None,
    ) -> None:
        self._store_params(locals())

    def _check_params(self) -> None:
        super()._check_params()
        p = self._params
        for key in ("eeg_hidden", "other_hidden", "sequence_length"):
            check_range(key, p[key], low=1, kind=int)
        check_range("dropout", p["dropout"], low=0.0, high=1.0)
        if p["dropout"] == 1.0:
            raise ValueError("dropout must be < 1 (it is the fraction of units dropped).")
        check_range("l2", p["l2"], low=0.0)
        check_range("learning_rate", p["learning_rate"], low=0.0, low_open=True)

    # ---- data ------------------------------------------------------------------------
    def _sequences(self, data: WindowData) -> dict:
        """Standardise ``data`` and arrange it as padded sequences (TF tensors)."""
        import tensorflow as tf

        layout = SequenceLayout.from_segments(data.segment, self._params["sequence_length"])
        eeg = self.scalers_["eeg"].transform(data.eeg)
        other = self.scalers_["other"].transform(data.other)
        return {
            "layout": layout,
            "eeg": tf.constant(layout.gather(eeg)),
            "other": tf.constant(layout.gather(other)),
            "y": tf.constant(layout.gather(data.y.astype(np.int32))),
            "weight": tf.constant(layout.owner.astype(np.float32)),
        }

    # ---- training --------------------------------------------------------------------
    def _setup(self, train: WindowData) -> None:
        """Seed, fit the scalers and build the initial network (the start of ``fit``).

        Shared with :func:`~.grouped_lstm.fit_grouped`, which trains several
        configurations in one graph from exactly these initial weights.
        """
        p = self._params
        with phase("build"):
            seed_everything(p["seed"])
            self._set_n_classes(train)
            self.scalers_ = {
                "eeg": FeatureScaler("standard").fit(train.eeg),
                "other": FeatureScaler("standard").fit(train.other),
            }
            self.model_ = build_bimodal_lstm(
                n_eeg=train.eeg.shape[1], n_other=train.other.shape[1],
                n_classes=self.n_classes_, eeg_hidden=p["eeg_hidden"],
                other_hidden=p["other_hidden"], dropout=p["dropout"],
            )
            self._make_functions()

    def _fit(self, train: WindowData, val: WindowData | None = None) -> BimodalLSTM:
        """Train with Adam and early stopping (Sec. 3.2, 4.3).

        Parameters
        ----------
        train : WindowData
            Training split; also supplies the standardisation statistics.
        val : WindowData | None
            Split whose window accuracy (inference mode) drives early stopping; None
            monitors the training split. Never pass the test split.

        Returns
        -------
        self : BimodalLSTM
        """
        import keras
        import tensorflow as tf

        p = self._params
        self._setup(train)
        tr = self._sequences(train)
        mon = tr if val is None else self._sequences(val)
        n_total = float(train.n_windows)
        model, n_classes, lam = self.model_, self.n_classes_, p["l2"]
        kernel = model.get_layer("svm").kernel
        optimizer = keras.optimizers.Adam(learning_rate=p["learning_rate"])
        optimizer.build(model.trainable_variables)

        def train_step(eeg, other, y, weight):
            with tf.GradientTape() as tape:
                scores = model([eeg, other], training=True)
                # batch sum scaled to the N training windows of J (exact for a full batch)
                scale = n_total / tf.reduce_sum(weight)
                loss = scale * squared_hinge_sum(y, scores, weight, n_classes)
                loss += lam * tf.reduce_sum(tf.square(kernel))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            hit = tf.cast(tf.equal(tf.argmax(scores, -1, output_type=tf.int32), y), tf.float32)
            return loss, tf.reduce_sum(hit * weight), tf.reduce_sum(weight)

        # batch axis open: the last short mini-batch reuses the trace
        train_step = traced(train_step, *(spec_like(tr[k]) for k in ("eeg", "other", "y", "weight")))
        rng = np.random.default_rng(p["seed"])
        n_sequences = int(tr["eeg"].shape[0])

        def train_epoch(epoch: int) -> tuple[float, float]:
            losses, hits, count = [], 0.0, 0.0
            for idx in minibatches(n_sequences, p["batch_size"], rng):
                args = [tr[k] if len(idx) == n_sequences else tf.gather(tr[k], idx)
                        for k in ("eeg", "other", "y", "weight")]
                loss, h, c = train_step(*args)
                losses.append(float(loss))
                hits, count = hits + float(h), count + float(c)
            return float(np.mean(losses)), hits / count

        def monitor() -> float:
            scores = self._predict_fn(mon["eeg"], mon["other"]).numpy()
            owner = mon["layout"].owner
            return float(np.mean(scores.argmax(-1)[owner] == mon["y"].numpy()[owner]))

        self.history = self._train_epochs(train_epoch=train_epoch, monitor=monitor, val=val,
                                          steps_per_epoch=n_minibatches(n_sequences, p["batch_size"]))
        return self

    def _build_network(self):
        n_eeg, n_other = self._input_sizes()
        p = self._params
        return build_bimodal_lstm(n_eeg=n_eeg, n_other=n_other, n_classes=self.n_classes_, eeg_hidden=p["eeg_hidden"],
                                  other_hidden=p["other_hidden"], dropout=p["dropout"])

    # ---- inference -------------------------------------------------------------------
    def _make_functions(self) -> None:
        self._trace_inference("dropout", free_axes=(0, 1))  # any number and length of sequences

    def _decision_function(self, data: WindowData) -> np.ndarray:
        """Return SVM scores per window, shape (n_windows, n_classes)."""
        self._check_fitted()
        seq = self._sequences(data)
        return seq["layout"].scatter(self._predict_fn(seq["eeg"], seq["other"]).numpy())

    def extract_features(self, data: WindowData) -> np.ndarray:
        """Return the LSTM features at every time step.

        Shape (n_windows, eeg_hidden + other_hidden).

        These are the outputs of the ``dropout`` layer in inference mode, i.e. the
        concatenated :math:`[h_t^{EEG}, h_t^{other}]` of Eq. (2), one row per window.

        Notes
        -----
        Sec. 3.2 multiplies the extracted features "by the dropout probability to
        simulate the effect of dropout layer at test time". That step belongs to
        *non-inverted* dropout (kept units unscaled during training, so the test-time
        expectation is ``keep * h``). Keras' ``Dropout`` is *inverted*: kept units are
        scaled by ``1 / keep`` during training and the layer is the identity at
        inference, so its training-mode expectation already equals ``h``. The
        features here therefore get **no** multiplication by the keep probability;
        multiplying would make the SVM refit see features that the network's last
        layer never sees. (``tf.nn.dropout(x, keep_prob)`` of TF 0.x/1.x was inverted
        too, so the paper's multiplication matches only a hand-written, unscaled
        dropout; we do not reproduce it.)
        """
        self._check_fitted()
        seq = self._sequences(data)
        return seq["layout"].scatter(self._feature_fn(seq["eeg"], seq["other"]).numpy())
