"""Multiple-fusion-layer ensemble of stacked autoencoders (MESAE) of Yin, Zhao, Wang, Yang
and Zhang, Comput. Methods Prog. Biomed. 140 (2017) 93-110 (the paper's ref. [15]).

What the published description fixes (abstract and Tang et al.'s summary), and how it
is built here:

(1) the physiological features are split into subsets "according to different feature
    extraction approaches" and each subset is encoded by its own stacked autoencoder
    (SAE) of three hidden layers: here the EEG features are split by frequency band
    (``eeg_subsets``: column ``j`` goes to subset ``j mod eeg_subsets``; the feature
    files are channel-major with the bands fastest, so ``eeg_subsets`` = the number
    of bands gives one SAE per band) and the other modality into ``other_subsets``
    contiguous blocks (DEAP's 48 peripheral features are channel-major, 6 statistics
    per channel: 4 blocks = hEOG+vEOG, zEMG+tEMG, GSR+RSP, BVP+TEMP; SEED's 41 eye
    features: 2 near-equal blocks = the 20 pupil features + 1 dispersion feature, then
    the other 20 fixation/saccade/blink statistics);
(2) each SAE is pre-trained greedily, one sigmoid autoencoder layer at a time, on its
    subset's reconstruction (MSE; a linear decoder for the standardised inputs,
    sigmoid decoders above) and then frozen: its top layer is the subset's encoding;
(3) the encodings, ordered EEG bands then other-modality blocks, feed a three-layer
    fusion network: an *adjacent-graph* layer whose unit group ``g`` sees only the
    encodings ``g`` and ``g + 1`` (neighbouring subsets; :func:`adjacency_mask`), a
    dense sigmoid fusion layer over all groups, and a softmax output, trained on the
    cross-entropy with Adam and early stopping on the monitored accuracy;
(4) the ensemble is the set of member SAEs, combined by the fusion network (the
    abstract: "an additional deep model is used to achieve the SAE ensembles"), not a
    vote of separate classifiers.

Open choices, ours (docs/interpretations.md): the subsets (1), the adjacency graph (3)
as neighbouring subsets in that order, frozen members (no end-to-end fine-tuning),
layer sizes, optimiser, epochs. NumPy only (:mod:`.numpy_nets`).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np

from .base import EmotionModel
from .checks import check_range
from .data import WindowData
from .training import logger, minibatches, n_minibatches, run_epochs
from .numpy_nets import (
    Adam,
    Dense,
    layers_from_arrays,
    layers_to_arrays,

    pretrain_autoencoder_layer,
    softmax,
)

ARRAYS_FILE = "mesae.npz"


def feature_subsets(n_eeg: int, n_other: int, *, eeg_subsets: int, other_subsets: int) -> list[tuple[str, np.ndarray]]:
    """Column indices of every member SAE's subset: ``("eeg", idx)`` strided by band, then
    ``("other", idx)`` contiguous blocks. Empty subsets (more subsets than features) are dropped."""
    subsets = [("eeg", np.arange(s, n_eeg, eeg_subsets)) for s in range(eeg_subsets)]
    subsets += [("other", block) for block in np.array_split(np.arange(n_other), other_subsets)]
    return [(m, idx) for m, idx in subsets if idx.size]


def adjacency_mask(n_sets: int, set_width: int, group_units: int) -> np.ndarray:
    """0/1 connections of the adjacent-graph fusion layer, shape (n_sets * set_width, n_groups * group_units).

    Encoding sets are nodes of a path graph (set ``s`` next to ``s + 1``); fusion group
    ``g`` (``n_groups = n_sets - 1``, or 1 for a single set) is wired to the sets of
    the edge ``(g, g + 1)`` and to nothing else.
    """
    n_groups = max(n_sets - 1, 1)
    mask = np.zeros((n_sets * set_width, n_groups * group_units))
    for g in range(n_groups):
        rows = slice(g * set_width, min(g + 2, n_sets) * set_width)
        mask[rows, g * group_units:(g + 1) * group_units] = 1.0
    return mask


class MESAE(EmotionModel):
    """Multiple-fusion-layer ensemble of stacked autoencoders (Yin et al. 2017).

    Parameters
    ----------
    eeg_subsets, other_subsets : int
        Member SAEs on the EEG (strided, one per band when equal to the number of
        bands) and on the other modality (contiguous blocks); see the module notes.
    sae_hidden : list of int
        Hidden layer sizes of every member SAE (the paper: three hidden layers).
    pretrain_epochs : int
        Adam epochs of each autoencoder layer's greedy pre-training.
    pretrain_learning_rate : float
        Adam learning rate of the pre-training.
    group_units : int
        Units per group of the adjacent-graph fusion layer.
    fusion_units : int
        Units of the dense fusion layer.
    learning_rate : float
        Adam learning rate of the fusion network.
    l2 : float
        L2 penalty on the fusion network's weights (added to the mean cross-entropy).
    n_classes, n_eeg_features : int | None
        As for every model (:class:`~.base.EmotionModel`).
    seed : int
        Seeds initial weights and mini-batch orders.
    max_epochs, patience, min_delta :
        Fusion-network epochs and early stopping on the monitored accuracy.
    batch_size : int | None
        Windows per Adam step; None = full batch.
    """

    name = "mesae"
    default_space = {"pretrain_learning_rate": {"log10": [-2.5, -1.5]}, "learning_rate": {"log10": [-2.5, -1.5]},
                     "group_units": {"int": [4, 16]}, "fusion_units": {"int": [8, 32]}, "l2": {"log10": [-5, -2]}}
    is_network: ClassVar[bool] = False
    needs_tensorflow: ClassVar[bool] = False

    subsets_: list[tuple[str, np.ndarray]] = []
    members_: list[list[Dense]] = []
    fusion_: list[Dense] = []

    def __init__(
        self,
        *,
        eeg_subsets: int = 4,
        other_subsets: int = 2,
        sae_hidden: int | list[int] = (32, 16, 8),
        pretrain_epochs: int = 10,
        pretrain_learning_rate: float = 1e-2,
        group_units: int = 8,
        fusion_units: int = 16,
        learning_rate: float = 1e-2,
        l2: float = 1e-4,
        n_classes: int | None = None,
        n_eeg_features: int | None = None,
        seed: int = 0,
        max_epochs: int = 50,
        patience: int = 15,
        min_delta: float = 0.001,
        batch_size: int | None = 64,
    ) -> None:
        self._store_params(locals())

    def _normalised(self, params: dict) -> dict:
        sizes = params["sae_hidden"]
        sizes = [sizes] if isinstance(sizes, (int, np.integer)) and not isinstance(sizes, bool) else sizes
        if not isinstance(sizes, (list, tuple)) or not sizes:
            raise TypeError(f"sae_hidden must be an int or a non-empty list of int, got {params['sae_hidden']!r} instead.")
        for size in sizes:
            check_range("sae_hidden layer size", size, low=1, kind=(int, np.integer))
        return {**params, "sae_hidden": [int(s) for s in sizes]}

    def _check_params(self) -> None:
        super()._check_params()
        p = self._params
        for key in ("eeg_subsets", "other_subsets", "group_units", "fusion_units"):
            check_range(key, p[key], low=1, kind=int)
        check_range("pretrain_epochs", p["pretrain_epochs"], low=0, kind=int)
        for key in ("pretrain_learning_rate", "learning_rate"):
            check_range(key, p[key], low=0.0, low_open=True)
        check_range("l2", p["l2"], low=0.0)

    def required_modalities(self) -> tuple[str, ...]:
        return ("eeg", "other")

    # ---- forward passes --------------------------------------------------------------
    def _inputs(self, data: WindowData) -> dict[str, np.ndarray]:
        return {key: self.scalers_[key].transform(getattr(data, key)).astype(np.float64) for key in ("eeg", "other")}

    def encodings(self, data: WindowData) -> np.ndarray:
        """The member SAEs' top-layer codes side by side, shape (n_windows, n_sets * sae_hidden[-1])."""
        inputs = self._inputs(data)
        codes = []
        for (modality, idx), member in zip(self.subsets_, self.members_):
            x = inputs[modality][:, idx]
            for layer in member:
                x = layer.forward(x)
            codes.append(x)
        return np.hstack(codes)

    def _fusion_forward(self, codes: np.ndarray) -> np.ndarray:
        x = codes
        for layer in self.fusion_:
            x = layer.forward(x)
        return x  # logits

    def _decision_function(self, data: WindowData) -> np.ndarray:
        """Softmax class probabilities of the fusion network, shape (n_windows, n_classes)."""
        self._check_fitted()
        return softmax(self._fusion_forward(self.encodings(data)))

    def cross_entropy(self, data: WindowData) -> float:
        """Mean cross-entropy of the fusion network's softmax on ``data``."""
        probabilities = self._decision_function(data)
        return float(-np.mean(np.log(np.clip(probabilities[np.arange(data.n_windows), data.y], 1e-12, None))))

    def split_figures(self, data: WindowData) -> dict[str, float]:
        """``cross_entropy`` of the split (search CSV: ``{split}_cross_entropy``)."""
        return {"cross_entropy": self.cross_entropy(data)}

    # ---- training --------------------------------------------------------------------
    def pretrain(self, train: WindowData) -> None:
        """Steps (1)-(2): scalers, subsets and the greedily pre-trained member SAEs."""
        p = self._params
        rng = np.random.default_rng(p["seed"])
        self._set_n_classes(train)
        self._fit_bimodal_scalers(train)
        inputs = self._inputs(train)
        self.subsets_ = feature_subsets(train.eeg.shape[1], train.other.shape[1],
                                        eeg_subsets=p["eeg_subsets"], other_subsets=p["other_subsets"])
        self.members_, curves = [], []
        for modality, idx in self.subsets_:
            x, member = inputs[modality][:, idx], []
            for depth, units in enumerate(p["sae_hidden"]):
                layer, curve = pretrain_autoencoder_layer(
                    x, units, epochs=p["pretrain_epochs"], learning_rate=p["pretrain_learning_rate"],
                    batch_size=p["batch_size"], rng=rng, output="linear" if depth == 0 else "sigmoid")
                member.append(layer)
                curves.append(curve)
                x = layer.forward(x)
            self.members_.append(member)
        self.history = {"pretrain_mse": curves}
        logger.info("%s: %d member SAEs (%s) pre-trained", self.name, len(self.members_),
                    ", ".join(f"{m}:{idx.size}" for m, idx in self.subsets_))

    def build_fusion(self, rng: np.random.Generator) -> list[Dense]:
        """Step (3): the adjacent-graph layer, the dense fusion layer and the output layer."""
        p = self._params
        n_sets, width = len(self.subsets_), p["sae_hidden"][-1]
        mask = adjacency_mask(n_sets, width, p["group_units"])
        self.fusion_ = [Dense.create(rng, mask.shape[0], mask.shape[1], "sigmoid", mask=mask),
                        Dense.create(rng, mask.shape[1], p["fusion_units"], "sigmoid"),
                        Dense.create(rng, p["fusion_units"], self.n_classes_, "linear")]
        return self.fusion_

    def _fit(self, train: WindowData, val: WindowData | None = None) -> MESAE:
        """Pre-train the members, then train the fusion network with early stopping on
        the accuracy of ``val`` (None: the training split)."""
        p = self._params
        self.pretrain(train)
        pretrain_mse = self.history["pretrain_mse"]
        rng = np.random.default_rng(p["seed"] + 1)
        fusion = self.build_fusion(rng)
        codes = self.encodings(train)
        targets = np.eye(self.n_classes_)[train.y]
        params = [q for layer in fusion for q in layer.params]
        optimizer = Adam(params, learning_rate=p["learning_rate"])
        monitored = train if val is None else val
        monitored_codes = codes if val is None else self.encodings(val)

        def train_epoch(epoch: int) -> tuple[float, float]:
            batches = minibatches(train.n_windows, p["batch_size"], rng)
            losses, hits = [], 0
            for idx in batches:
                probabilities = softmax(self._fusion_forward(codes[idx]))
                penalty = p["l2"] * sum(float(np.sum(np.square(layer.weights))) for layer in fusion)
                losses.append(float(-np.mean(np.log(np.clip(probabilities[np.arange(len(idx)), train.y[idx]],
                                                            1e-12, None)))) + penalty)
                hits += int(np.sum(probabilities.argmax(1) == train.y[idx]))
                grad = (probabilities - targets[idx]) / len(idx)
                for layer in reversed(fusion):
                    grad = layer.backward(grad)
                grads = []
                for layer in fusion:
                    grads += [layer.grads[0] + 2.0 * p["l2"] * layer.effective_weights(), layer.grads[1]]
                optimizer.step(grads)
            return float(np.average(losses, weights=[len(b) for b in batches])), hits / train.n_windows

        def monitor() -> float:
            return float(np.mean(self._fusion_forward(monitored_codes).argmax(1) == monitored.y))

        self.history = run_epochs(
            train_epoch=train_epoch, monitor=monitor,
            get_weights=lambda: [q.copy() for q in params],
            set_weights=lambda ws: [q.__setitem__(Ellipsis, w) for q, w in zip(params, ws)],
            max_epochs=p["max_epochs"], patience=p["patience"], min_delta=p["min_delta"],
            monitor_name="train" if val is None else "val", model_name=self.name,
            steps_per_epoch=n_minibatches(train.n_windows, p["batch_size"]),
        )
        self.history["pretrain_mse"] = pretrain_mse
        return self

    # ---- persistence -----------------------------------------------------------------
    def _save_files(self, directory: Path) -> None:
        arrays = layers_to_arrays("fusion", self.fusion_)
        for i, ((modality, idx), member) in enumerate(zip(self.subsets_, self.members_)):
            arrays.update(layers_to_arrays(f"member{i}_", member))
            arrays[f"subset{i}_{modality}"] = idx
        np.savez(directory / ARRAYS_FILE, **arrays)

    def _load_files(self, directory: Path) -> None:
        with np.load(directory / ARRAYS_FILE) as arrays:
            stored = {k: arrays[k] for k in arrays.files}
        depth = len(self._params["sae_hidden"])
        subsets = sorted((int(k.split("_")[0][6:]), k.split("_", 1)[1], v) for k, v in stored.items()
                         if k.startswith("subset"))
        self.subsets_ = [(modality, idx) for _, modality, idx in subsets]
        self.members_ = [layers_from_arrays(f"member{i}_", stored, ["sigmoid"] * depth) for i in range(len(subsets))]
        self.fusion_ = layers_from_arrays("fusion", stored, ["sigmoid", "sigmoid", "linear"])


__all__ = ["MESAE", "adjacency_mask", "feature_subsets"]
