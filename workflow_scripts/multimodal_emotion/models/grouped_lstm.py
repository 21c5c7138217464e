"""Train several Bimodal-LSTM configurations of one experiment in one graph.

One configuration of the paper's search is a tiny network: its recurrent step (Eqs.
(1)-(2), ~36 sequences x 128 units times a 128 x 512 matrix) cannot fill two CPU
cores, and the sequential steps are where the time goes. :func:`fit_grouped` stacks
the weights of G configurations on a leading axis and runs every product of
Eqs. (1)-(2) and of the SVM layer as one batched matrix product over the G
configurations, so each recurrent step does G configurations' work at once.

Every configuration keeps its own

* initial weights -- exactly those :meth:`BimodalLSTM.fit` would draw (each network is
  built by :meth:`BimodalLSTM._setup` with its own seed and copied in);
* hidden sizes -- padded to the group's largest; padded units have zero weights,
  stay exactly zero (``i = f = o = 1/2``, ``g = 0`` so ``c = h = 0``), get zero
  gradients, and their updates are masked as well;
* learning rate, L2 strength and dropout rate;
* Adam state (moments and step count; Keras' Adam formula, epsilon 1e-7);
* mini-batch order (its own ``default_rng(seed)``, as the single run);
* early stopping (:class:`~.training.EarlyStopping` rule): a configuration that stops is
  set back to its best weights and frozen -- its Adam step is masked, not just its
  gradient, since Adam moves weights on a zero gradient -- while the others go on.

After training, each configuration's best weights are copied back into its own
:class:`BimodalLSTM`, so saving, loading, the SVM refit and evaluation are unchanged.
Inside :func:`~.reuse.reusing_networks` (a ``train_shard`` job) each configuration then
hands its weights to the inference network of its slot in the group, which every fold
shares (:meth:`_GroupGraph.share_inference`): the feature function that writes the
refit's inputs is traced once per job and slot, not once per fold.

Dropout masks are the ones each configuration's Keras ``Dropout`` layer would draw
(its seed generator's initial state + the step number, ``stateless_dropout`` on the
unpadded features), so a configuration trained in a group equals the same
configuration trained alone up to float rounding, dropout included
(tests/test_grouped_training.py). ``precision="bfloat16"`` runs the matrix products
in bfloat16 (float32 weights, states, gates and optimiser: mixed precision).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..pause_points import pause_point
from .checks import check_option
from .data import WindowData
from .reuse import reusing
from .training import EarlyStopping, minibatches, n_minibatches, phase, spec_like, traced
from .bimodal_lstm import BimodalLSTM

logger = logging.getLogger("multimodal_emotion.models")

PRECISIONS = ("float32", "bfloat16")
#: Hyper-parameters a group may vary; all others must be equal within a group.
PER_CONFIG = ("eeg_hidden", "other_hidden", "dropout", "l2", "learning_rate", "seed")
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7  # keras.optimizers.Adam defaults


def select_device(device: str = "auto") -> str:
    """Return the TF device to train on and log the choice.

    ``"auto"`` takes the first GPU TensorFlow sees, else the CPU; ``"cpu"`` / ``"gpu"``
    force one (``"gpu"`` raises if none is visible).
    """
    import tensorflow as tf

    check_option("device", device, ("auto", "cpu", "gpu"))
    gpus = tf.config.list_physical_devices("GPU")
    if device == "gpu" and not gpus:
        raise RuntimeError("device='gpu' but TensorFlow sees no GPU; use 'auto' or 'cpu'.")
    name = "/GPU:0" if gpus and device != "cpu" else "/CPU:0"
    logger.info("grouped training on %s (GPUs visible to TensorFlow: %d)", name, len(gpus))
    return name


def _pad_gates(w: np.ndarray, u: int, width: int) -> np.ndarray:
    """Spread the fused (i, f, g, o) blocks of width ``u`` to blocks of ``width``."""
    out = np.zeros(w.shape[:-1] + (4 * width,), w.dtype)
    for k in range(4):
        out[..., k * width:k * width + u] = w[..., k * u:(k + 1) * u]
    return out


def _unpad_gates(w: np.ndarray, u: int, width: int) -> np.ndarray:
    return np.concatenate([w[..., k * width:k * width + u] for k in range(4)], axis=-1)


class _Stack:
    """Stacked, padded weights of G Bimodal-LSTMs, and their masks.

    Names: ``{e,o}_{wx,wh,b}`` (kernel (G, n_in, 4U), recurrent kernel (G, U, 4U),
    bias (G, 4U) of the EEG / other encoder), ``s_w`` (G, Ue + Uo, C), ``s_b`` (G, C).
    """

    NAMES = ("e_wx", "e_wh", "e_b", "o_wx", "o_wh", "o_b", "s_w", "s_b")

    def __init__(self, models: Sequence[BimodalLSTM]):
        self.ue = [m._params["eeg_hidden"] for m in models]
        self.uo = [m._params["other_hidden"] for m in models]
        self.Ue, self.Uo = max(self.ue), max(self.uo)
        arrays = {k: [] for k in self.NAMES}
        masks = {k: [] for k in self.NAMES}
        for m, ue, uo in zip(models, self.ue, self.uo):
            w = self.pad(m, ue, uo)
            ones = self.pad_ones(m, ue, uo)
            for k in self.NAMES:
                arrays[k].append(w[k])
                masks[k].append(ones[k])
        self.arrays = {k: np.stack(v).astype(np.float32) for k, v in arrays.items()}
        self.masks = {k: np.stack(v).astype(np.float32) for k, v in masks.items()}

    def pad(self, model: BimodalLSTM, ue: int, uo: int, ones: bool = False) -> dict:
        Ue, Uo = self.Ue, self.Uo
        net = model.model_
        out = {}
        for prefix, layer, u, U in (("e", "eeg_lstm", ue, Ue), ("o", "other_lstm", uo, Uo)):
            wx, wh, b = net.get_layer(layer).get_weights()
            if ones:
                wx, wh, b = np.ones_like(wx), np.ones_like(wh), np.ones_like(b)
            out[f"{prefix}_wx"] = _pad_gates(wx, u, U)
            rec = np.zeros((U, wh.shape[1]), wh.dtype)
            rec[:u] = wh
            out[f"{prefix}_wh"] = _pad_gates(rec, u, U)
            out[f"{prefix}_b"] = _pad_gates(b, u, U)
        k, b = net.get_layer("svm").get_weights()
        if ones:
            k, b = np.ones_like(k), np.ones_like(b)
        sw = np.zeros((Ue + Uo, k.shape[1]), k.dtype)
        sw[:ue], sw[Ue:Ue + uo] = k[:ue], k[ue:]
        out["s_w"], out["s_b"] = sw, b
        return out

    def pad_ones(self, model, ue, uo):
        return self.pad(model, ue, uo, ones=True)

    def unpad(self, values: dict, g: int) -> dict:
        """Weights of configuration ``g`` in Keras' layout, per layer."""
        ue, uo, Ue, Uo = self.ue[g], self.uo[g], self.Ue, self.Uo
        out = {}
        for prefix, layer, u, U in (("e", "eeg_lstm", ue, Ue), ("o", "other_lstm", uo, Uo)):
            out[layer] = [
                _unpad_gates(values[f"{prefix}_wx"][g], u, U),
                _unpad_gates(values[f"{prefix}_wh"][g][:u], u, U),
                _unpad_gates(values[f"{prefix}_b"][g], u, U),
            ]
        sw = values["s_w"][g]
        out["svm"] = [np.concatenate([sw[:ue], sw[Ue:Ue + uo]]), values["s_b"][g]]
        return out


def _check_group(models: Sequence[BimodalLSTM]) -> None:
    if not models:
        raise ValueError("fit_grouped needs at least one BimodalLSTM.")
    for m in models:
        if not isinstance(m, BimodalLSTM):
            raise TypeError(f"models must be BimodalLSTM instances, got {type(m)} instead.")
    shared = {k: v for k, v in models[0]._params.items() if k not in PER_CONFIG}
    for m in models[1:]:
        other = {k: v for k, v in m._params.items() if k not in PER_CONFIG}
        if other != shared:
            diff = sorted(k for k in shared if shared[k] != other.get(k))
            raise ValueError(
                f"Configurations trained in one group may differ only in {PER_CONFIG}; "
                f"they differ in {diff}."
            )


@dataclass
class _GroupGraph:
    """The variables and traced steps of one group of configurations, reused by every
    fold the group is trained on (:func:`_group_graph`)."""

    var: dict
    best: dict
    mom: dict
    vel: dict
    steps: object
    lr: object
    lam: object
    n_total: object
    seed_states: list
    train_step: object
    monitor: object
    keep_best: object
    restore: object
    #: Per slot (configuration g of the group), inside reusing_networks: the inference network
    #: its fitted models share, with its traced functions and the model now using it.
    inference: list = field(default_factory=list)

    def start(self, models: Sequence[BimodalLSTM], stack: _Stack, n_total: float) -> None:
        """Set the state a fresh fit starts from: each configuration's initial weights
        (as its seeded build drew them), zero Adam state, its learning rate and L2, the
        number of training windows, and where its Dropout layer's seed generator starts
        (Keras makes no seed generator for rate 0, and draws nothing then)."""
        for k, a in stack.arrays.items():
            self.var[k].assign(a)
            self.best[k].assign(a)
            self.mom[k].assign(np.zeros_like(a))
            self.vel[k].assign(np.zeros_like(a))
        self.steps.assign(np.zeros(len(models), np.float32))
        self.lr.assign(np.array([m._params["learning_rate"] for m in models], np.float32))
        self.lam.assign(np.array([m._params["l2"] for m in models], np.float32))
        self.n_total.assign(n_total)
        for state, m in zip(self.seed_states, models):
            gen = getattr(m.model_.get_layer("dropout"), "seed_generator", None)
            state.assign(np.asarray(gen.state.numpy() if gen is not None else [0, 0], np.int64))

    def share_inference(self, g: int, model: BimodalLSTM) -> None:
        """Point fitted ``model`` (slot ``g``) at the slot's inference network, holding its
        weights: the first fold's model lends its own network (its feature function traced
        now), later folds' models copy every weight into it, so what they save and extract is
        computed by the same Keras network and traced function as with their own network. The
        slot's previous model is marked stale (it would answer with the new weights)."""
        slot = self.inference[g]
        model._network_taken = False
        if slot is None:
            with phase("trace"):  # train_shard's save extracts features with it on every split
                model._feature_fn.get_concrete_function()
            self.inference[g] = {"net": model.model_, "predict": model._predict_fn,
                                 "features": model._feature_fn, "owner": model}
            return
        slot["net"].set_weights(model.model_.get_weights())
        if slot["owner"] is not model:
            slot["owner"]._network_taken = True
        model.model_, model._predict_fn, model._feature_fn = slot["net"], slot["predict"], slot["features"]
        slot["owner"] = model


#: The last group's graph: train_shard trains a group on all folds in a row.
_GRAPH_CACHE: dict = {}


def release_group_graph() -> None:
    """Free the cached group graph (its variables, traced steps and shared inference networks):
    ``search.train_shard`` does when its shard ends, so a model trained next in the same process
    (``search.train_models``) starts without it."""
    _GRAPH_CACHE.clear()


def _group_graph(models, stack, tr, *, precision, device, jit_compile, full) -> _GroupGraph:
    """The traced steps for this group, from the cache when the previous fit (the same
    configurations on another fold) built them, else built and traced now."""
    p = models[0]._params
    key = (tuple((m._params["eeg_hidden"], m._params["other_hidden"], m._params["dropout"]) for m in models),
           tuple(tr["eeg"].shape[1:]), tuple(tr["other"].shape[1:]), models[0].n_classes_, p["batch_size"],
           precision, device, jit_compile, full)
    if key not in _GRAPH_CACHE:
        _GRAPH_CACHE.clear()  # one group at a time: its variables are freed with it
        _GRAPH_CACHE[key] = _build_group_graph(models, stack, tr, precision=precision, dev=device,
                                               jit_compile=jit_compile, full=full)
    return _GRAPH_CACHE[key]


def _build_group_graph(models, stack, tr, *, precision, dev, jit_compile, full) -> _GroupGraph:
    import tensorflow as tf

    G, C = len(models), models[0].n_classes_
    cdt = tf.bfloat16 if precision == "bfloat16" else tf.float32
    # Everything a fit sets is a variable (assigned by _GroupGraph.start), so the traced
    # steps serve every fold of the group; shapes, sizes and dropout rates are in the key.
    with tf.device(dev):
        var = {k: tf.Variable(a, name=k) for k, a in stack.arrays.items()}
        mask = {k: tf.constant(a) for k, a in stack.masks.items()}
        best = {k: tf.Variable(a, name=f"best_{k}") for k, a in stack.arrays.items()}
        mom = {k: tf.Variable(tf.zeros_like(a)) for k, a in stack.arrays.items()}
        vel = {k: tf.Variable(tf.zeros_like(a)) for k, a in stack.arrays.items()}
        steps = tf.Variable(tf.zeros(G), name="adam_steps")
        lr, lam = (tf.Variable(tf.zeros(G), name=k) for k in ("learning_rate", "l2"))
        n_total_var = tf.Variable(0.0, name="n_training_windows")
        seed_states = [tf.Variable(tf.zeros(2, tf.int64), name=f"dropout_seed_{g}") for g in range(G)]
    n_total = n_total_var
    names = list(var)

    def lstm(x, wx, wh, b, U):
        # x (G|1, B, T, F). Eqs. (1)-(2), Keras' fused gate order (i, f, g, o)
        B, T, F = tf.shape(x)[1], x.shape[2], x.shape[3]
        if x.shape[0] == 1:  # inputs shared by the group: one GEMM (B*T, F) x (F, G*4U)
            w2 = tf.reshape(tf.transpose(tf.cast(wx, cdt), (1, 0, 2)), (F, G * 4 * U))
            xz = tf.matmul(tf.reshape(tf.cast(x, cdt), (-1, F)), w2)
            xz = tf.transpose(tf.reshape(xz, (B, T, G, 4 * U)), (2, 0, 1, 3))
        else:  # each configuration its own mini-batch
            xz = tf.reshape(tf.matmul(tf.reshape(tf.cast(x, cdt), (G, -1, F)), tf.cast(wx, cdt)), (G, B, T, 4 * U))
        xz = tf.cast(xz, tf.float32) + b[:, None, None, :]
        whc = tf.cast(wh, cdt)
        h = c = tf.zeros((G, B, U))
        outs = []
        # unstack (not slicing): its gradient is one stack, where T slices would each
        # scatter into a full-size zero tensor
        for xz_t in tf.unstack(xz, num=T, axis=2):
            z = xz_t + tf.cast(tf.matmul(tf.cast(h, cdt), whc), tf.float32)
            i, f, g, o = tf.split(z, 4, axis=-1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)  # Eq. (1)
            h = tf.sigmoid(o) * tf.tanh(c)  # Eq. (2)
            outs.append(h)
        return tf.stack(outs, axis=2)

    def forward(w, eeg, other, training, step):
        h = tf.concat([lstm(eeg, w["e_wx"], w["e_wh"], w["e_b"], stack.Ue),
                       lstm(other, w["o_wx"], w["o_wh"], w["o_b"], stack.Uo)], axis=-1)
        if training:
            h = h * dropout_masks(tf.shape(h)[1], tf.shape(h)[2], step)
        shape = tf.shape(h)
        s = tf.matmul(tf.reshape(tf.cast(h, cdt), (G, -1, shape[3])), tf.cast(w["s_w"], cdt))
        return tf.reshape(tf.cast(s, tf.float32), (G, shape[1], shape[2], C)) + w["s_b"][:, None, None, :]

    def dropout_masks(B, T, step):
        """(G, B, T, Ue + Uo) inverted-dropout masks, each the one Keras' Dropout layer
        of that configuration draws at this step (its seed generator's state + [0, step],
        ``stateless_dropout`` on the unpadded features); zero on padded units."""
        masks = []
        for g, m in enumerate(models):
            ue, uo, rate_g = stack.ue[g], stack.uo[g], m._params["dropout"]
            if rate_g == 0.0:  # Keras draws nothing
                mask = tf.ones((B, T, ue + uo))
            else:
                seed = tf.cast(tf.math.floormod(seed_states[g] + tf.stack([tf.constant(0, tf.int64), step]),
                                                tf.int32.max - 1), tf.int32)
                mask = tf.nn.experimental.stateless_dropout(tf.ones((B, T, ue + uo)), rate=rate_g, seed=seed)
            masks.append(tf.concat([mask[..., :ue], tf.zeros((B, T, stack.Ue - ue)),
                                    mask[..., ue:], tf.zeros((B, T, stack.Uo - uo))], axis=-1))
        return tf.stack(masks)

    def train_step(eeg, other, y, weight, active, step):
        with tf.GradientTape() as tape:
            scores = forward(var, eeg, other, True, step)
            t = 2.0 * tf.one_hot(y, C) - 1.0
            per_window = tf.reduce_sum(tf.square(tf.nn.relu(1.0 - t * scores)), -1)
            data = tf.reduce_sum(weight * per_window, [1, 2])
            scale = n_total / tf.reduce_sum(weight, [1, 2])
            losses = scale * data + lam * tf.reduce_sum(tf.square(var["s_w"]), [1, 2])
            total = tf.reduce_sum(losses)
        grads = tape.gradient(total, [var[k] for k in names])
        # Adam (Keras' formula) per configuration, masked for stopped ones
        local = steps + 1.0
        alpha = lr * tf.sqrt(1.0 - tf.pow(BETA_2, local)) / (1.0 - tf.pow(BETA_1, local))
        for k, g in zip(names, grads):
            nd = len(var[k].shape)
            a = tf.reshape(active, (G,) + (1,) * (nd - 1))
            al = tf.reshape(alpha, (G,) + (1,) * (nd - 1))
            # a = 1: Keras' update exactly; a = 0 (stopped): moments and weights unchanged
            mom[k].assign_add((g - mom[k]) * (1.0 - BETA_1) * a)
            vel[k].assign_add((tf.square(g) - vel[k]) * (1.0 - BETA_2) * a)
            var[k].assign_sub(a * mask[k] * (mom[k] * al) / (tf.sqrt(vel[k]) + EPSILON))
        steps.assign_add(active)
        hit = tf.cast(tf.equal(tf.argmax(scores, -1, output_type=tf.int32), y), tf.float32)
        return losses, tf.reduce_sum(hit * weight, [1, 2]), tf.reduce_sum(weight * tf.ones_like(hit), [1, 2])

    def monitor(eeg, other, y, owner):
        scores = forward(var, eeg, other, False, tf.constant(0, tf.int64))
        hit = tf.cast(tf.equal(tf.argmax(scores, -1, output_type=tf.int32), y), tf.float32)
        return tf.reduce_sum(hit * owner, [1, 2])  # hits; divided in float64 below

    def keep_best(improved):
        for k in names:
            m = tf.reshape(improved, (G,) + (1,) * (len(var[k].shape) - 1)) > 0
            best[k].assign(tf.where(m, var[k], best[k]))

    def restore(which):
        for k in names:
            m = tf.reshape(which, (G,) + (1,) * (len(var[k].shape) - 1)) > 0
            var[k].assign(tf.where(m, best[k], var[k]))

    # One trace each (fixed signatures): the group axis is 1 (full batch: inputs shared by
    # the group) or G (mini-batches); the batch axis is open, so the short last batch and
    # every fold reuse the trace (sequence length T stays fixed: the recurrence is
    # unrolled over it).
    keys = ("eeg", "other", "y", "weight")
    example = {k: tf.gather(tr[k], tf.zeros((1 if full else G, 1), tf.int32)) for k in keys}
    per_group = tf.TensorSpec((G,), tf.float32)
    owner = tf.TensorSpec((1, None, example["weight"].shape[2]), tf.float32)
    with tf.device(dev):
        train_step = traced(train_step, *(spec_like(example[k], (1,)) for k in keys), per_group,
                            tf.TensorSpec((), tf.int64), jit_compile=jit_compile)
        monitor = traced(monitor, *(spec_like(example[k][:1], (1,)) for k in keys[:3]), owner)
        keep_best, restore = traced(keep_best, per_group), traced(restore, per_group)
    return _GroupGraph(var=var, best=best, mom=mom, vel=vel, steps=steps, lr=lr, lam=lam, n_total=n_total_var,
                       seed_states=seed_states, train_step=train_step, monitor=monitor, keep_best=keep_best,
                       restore=restore, inference=[None] * G)



def fit_grouped(
    models: Sequence[BimodalLSTM],
    train: WindowData,
    val: WindowData | None = None,
    *,
    precision: str = "float32",
    device: str = "auto",
    jit_compile: bool = False,
) -> list[BimodalLSTM]:
    """Train ``models`` (unfitted Bimodal-LSTMs) together; return them fitted.

    Each model ends exactly as :meth:`BimodalLSTM.fit` leaves it (best weights,
    scalers, ``history``), trained on the same objective J with its own Adam,
    mini-batch order and early stopping; see the module docstring for what differs.
    A call for the same configurations as the previous one (the next fold) reuses its
    variables and traced steps, set back to this fit's start (:class:`_GroupGraph`).
    Inside :func:`~.reuse.reusing_networks` the fitted models also share one inference
    network per slot with the next call's (:meth:`_GroupGraph.share_inference`), so each
    is valid until then (a stale one raises); outside, each keeps its own network.

    Parameters
    ----------
    models : sequence of BimodalLSTM
        Configurations differing only in eeg_hidden, other_hidden, dropout, l2,
        learning_rate and seed.
    train, val : WindowData
        As :meth:`BimodalLSTM.fit`.
    precision : {"float32", "bfloat16"}
        Data type of the matrix products (weights, states and Adam stay float32).
    device : {"auto", "cpu", "gpu"}
        See :func:`select_device`.
    jit_compile : bool
        Compile the training step with XLA (benchmarks/bench_search.py compares).
    """
    import tensorflow as tf

    check_option("precision", precision, PRECISIONS)
    _check_group(models)
    dev = select_device(device)
    for m in models:
        m._check_params()
        m._setup(train)  # seeds and builds each network as fit() would
    stack = _Stack(models)
    p = models[0]._params
    G = len(models)
    lead = models[0]
    tr = lead._sequences(train)
    mon = tr if val is None else lead._sequences(val)
    n_total = float(train.n_windows)

    n_sequences = int(tr["eeg"].shape[0])
    rngs = [np.random.default_rng(m._params["seed"]) for m in models]
    n_steps = n_minibatches(n_sequences, p["batch_size"])
    full = n_steps == 1
    data = {k: tr[k][None] for k in ("eeg", "other", "y", "weight")}
    mon_args = (mon["eeg"][None], mon["other"][None], mon["y"][None],
                tf.constant(mon["layout"].owner.astype(np.float32))[None])
    graph = _group_graph(models, stack, tr, precision=precision, device=dev, jit_compile=jit_compile, full=full)
    graph.start(models, stack, n_total)
    var, train_step, monitor, keep_best, restore = (graph.var, graph.train_step, graph.monitor, graph.keep_best,
                                                    graph.restore)

    n_monitored = float(mon["layout"].owner.sum())
    # Keras' EarlyStopping rule, not its callback: the G configurations' best weights are slices of
    # stacked variables, kept and restored inside the graph (keep_best / restore), not get/set_weights
    stoppers = [EarlyStopping(patience=p["patience"], min_delta=p["min_delta"]) for _ in models]
    hist = [{"loss": [], "train_accuracy": [], "monitored_accuracy": []} for _ in models]
    active = np.ones(G, np.float32)
    stopped = np.zeros(G, bool)
    last_epoch = np.zeros(G, int)
    step = 0
    start = time.perf_counter()
    with phase("training_steps"):
        for epoch in range(1, p["max_epochs"] + 1):
            losses, hits, counts = np.zeros(G), np.zeros(G), np.zeros(G)
            for idx in zip(*(minibatches(n_sequences, p["batch_size"], rng) for rng in rngs)):
                if full:
                    args = [data[k] for k in ("eeg", "other", "y", "weight")]
                else:
                    idx = tf.constant(np.stack(idx))
                    args = [tf.gather(tr[k], idx) for k in ("eeg", "other", "y", "weight")]
                with tf.device(dev):
                    loss, h, c = train_step(*args, tf.constant(active), tf.constant(step, tf.int64))
                step += 1
                losses, hits, counts = losses + loss.numpy(), hits + h.numpy(), counts + c.numpy()
            acc = monitor(*mon_args).numpy().astype(np.float64) / n_monitored
            improved = np.zeros(G, np.float32)
            stop_now = np.zeros(G, np.float32)
            for g in np.flatnonzero(active):
                hist[g]["loss"].append(float(losses[g] / n_steps))
                hist[g]["train_accuracy"].append(float(hits[g] / counts[g]))
                hist[g]["monitored_accuracy"].append(float(acc[g]))
                last_epoch[g] = epoch
                before = stoppers[g].best_epoch
                # the weights are kept on the device (keep_best below), not by the stopper
                stop = stoppers[g].update(epoch, float(acc[g]), lambda: None)
                improved[g] = float(stoppers[g].best_epoch != before)
                if stop:
                    stopped[g], stop_now[g] = True, 1.0
            if improved.any():
                keep_best(tf.constant(improved))
            if stop_now.any():  # frozen with their best weights from now on
                restore(tf.constant(stop_now))
                active = active * (1.0 - stop_now)
            logger.info(
                "grouped bimodal_lstm epoch %d/%d: %d of %d configurations training; monitored acc %s",
                epoch, p["max_epochs"], int(active.sum()), G, np.round(acc, 4).tolist(),
            )
            if not active.any():
                break
            if epoch < p["max_epochs"]:
                pause_point("between_epochs", detail=f"grouped bimodal_lstm epoch {epoch}/{p['max_epochs']}")
        restore(tf.constant(np.array([s.best_epoch > 0 for s in stoppers], np.float32)))
    logger.info("grouped bimodal_lstm: %d configurations, %d epochs, %.1f s",
                G, int(last_epoch.max(initial=0)), time.perf_counter() - start)

    values = {k: v.numpy() for k, v in var.items()}
    monitor_name = "train" if val is None else "val"
    share = reusing()  # a training job: one inference network per slot for all folds
    for g, m in enumerate(models):
        for layer, weights in stack.unpad(values, g).items():
            m.model_.get_layer(layer).set_weights(weights)
        if share:
            graph.share_inference(g, m)
        s = stoppers[g]
        m.history = {
            **hist[g],
            "epochs": int(last_epoch[g]),
            "best_epoch": s.best_epoch,
            "best_monitored_accuracy": None if s.best_epoch == 0 else s.best,
            "monitor": monitor_name,
            "stopped_early": bool(stopped[g]),
            "steps_per_epoch": int(n_steps),
            "optimizer_steps": int(last_epoch[g] * n_steps),
            "restored_steps": int(s.best_epoch * n_steps),
            "grouped": {"size": G, "precision": precision, "device": dev},
        }
        m.classes_ = np.arange(m.n_classes_)
    return list(models)
