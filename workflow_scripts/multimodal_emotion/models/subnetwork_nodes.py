"""Hierarchical network with subnetwork nodes (Yang, Wu, Zheng, Lu, IEEE TCDS 2017; the
paper's ref. [14]), EEG features only.

The published description (abstract; Yang & Wu's subnetwork-node ELM papers, IEEE
Trans. Cybern. 2016/2015, on which it builds) fixes: hidden "subnetwork nodes", each a
whole hidden layer of hundreds of units; their weights are not learned by gradient
descent but computed in closed form from the network's remaining error (least squares
through the pseudo-inverse and the inverse of the activation), adding one subnetwork
node at a time; a top layer combines the nodes' features and maps them to the output.

What is built here (``L`` = the number of nodes so far, ``T`` the one-hot targets,
``X`` the standardised EEG features with a column of ones appended):

(1) node 1: random input weights :math:`a_1` (uniform in [-1, 1]) and
    :math:`H_1 = u^{-1}(g(X a_1))`, :math:`g` the sigmoid; output weights
    :math:`\\beta_1 = H_1^{+} T` (ridge with ``C``); error :math:`E_1 = T - H_1\\beta_1`;
(2) node L (:func:`subnetwork_node_solve`): the hidden output that would cancel the
    error, :math:`P = E_{L-1}\\beta_{L-1}^{+}`; mapped into (0, 1) per unit by the
    affine :math:`u` (to [margin, 1 - margin]) and through the inverse sigmoid,
    :math:`Z = g^{-1}(u(P))`; input weights by least squares,
    :math:`a_L = X^{+} Z` (ridge with ``C``); the node's output
    :math:`H_L = u^{-1}(g(X a_L))`; :math:`\\beta_L = H_L^{+} E_{L-1}`;
    :math:`E_L = E_{L-1} - H_L\\beta_L` (so :math:`\\lVert E_L\\rVert \\le
    \\lVert E_{L-1}\\rVert`: the training error never rises);
(3) top layer: the nodes' outputs side by side, :math:`[H_1 \\dots H_L]`, mapped to
    the classes by one least-squares solve (ridge with ``C``); prediction = argmax.

Not the published method, or not known to be (docs/interpretations.md): the bias as a
column of ones solved with the weights (Yang & Wu set it from the fit's residual),
:math:`\\beta_{L-1}^{+}` instead of their regularised inverse, the affine ``u``, the
top layer as one ridge solve over all node outputs, the number of nodes chosen by
early stopping on the monitored accuracy (one "epoch" = one node added), and no
feature-level "hierarchy" beyond (1)-(3). NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from .base import EmotionModel
from .checks import check_range
from .data import WindowData
from .training import FeatureScaler, run_epochs
from .numpy_nets import logit, ridge_solve, sigmoid

ARRAYS_FILE = "subnetwork_nodes.npz"


def with_ones(x: np.ndarray) -> np.ndarray:
    """``x`` with a column of ones appended (the bias as a weight)."""
    return np.hstack([x, np.ones((x.shape[0], 1))])


@dataclass
class UnitScaling:
    """The affine map ``u`` of one node: per unit, ``[low, high]`` of the desired output
    to ``[margin, 1 - margin]``; :meth:`inverse` maps the sigmoid's output back."""

    low: np.ndarray
    high: np.ndarray
    margin: float

    @classmethod
    def fit(cls, p: np.ndarray, margin: float) -> UnitScaling:
        low, high = p.min(axis=0), p.max(axis=0)
        return cls(low, np.where(high > low, high, low + 1.0), margin)

    def forward(self, p: np.ndarray) -> np.ndarray:
        return self.margin + (1.0 - 2.0 * self.margin) * (p - self.low) / (self.high - self.low)

    def inverse(self, s: np.ndarray) -> np.ndarray:
        return self.low + (s - self.margin) * (self.high - self.low) / (1.0 - 2.0 * self.margin)


def subnetwork_node_solve(x1: np.ndarray, error: np.ndarray, beta: np.ndarray, *, C: float | None,
                          margin: float) -> dict:
    """Step (2): one new subnetwork node from the previous node's output weights and the error.

    Parameters
    ----------
    x1 : ndarray, shape (n, n_features + 1)
        Inputs with the column of ones (:func:`with_ones`).
    error : ndarray, shape (n, n_outputs)
        :math:`E_{L-1}`, the targets minus the network's output so far.
    beta : ndarray, shape (node_size, n_outputs)
        :math:`\\beta_{L-1}`, the previous node's output weights.
    C : float | None
        Ridge of the least-squares solves (None: pseudo-inverse).
    margin : float
        ``u`` maps to [margin, 1 - margin] (the inverse sigmoid needs (0, 1)).

    Returns
    -------
    node : dict
        ``weights`` (n_features + 1, node_size), ``scaling`` (:class:`UnitScaling`),
        ``desired`` P (n, node_size), ``hidden`` H_L (n, node_size), ``beta``
        (node_size, n_outputs) and ``error`` E_L (n, n_outputs).
    """
    desired = error @ np.linalg.pinv(beta)  # P with P beta ~ E
    scaling = UnitScaling.fit(desired, margin)
    weights = ridge_solve(x1, logit(scaling.forward(desired)), C=C)
    hidden = scaling.inverse(sigmoid(x1 @ weights))
    new_beta = ridge_solve(hidden, error, C=C)
    return {"weights": weights, "scaling": scaling, "desired": desired, "hidden": hidden, "beta": new_beta,
            "error": error - hidden @ new_beta}


class SubnetworkNodes(EmotionModel):
    """Subnetwork-node network on EEG features (after Yang, Wu, Zheng, Lu 2017).

    Parameters
    ----------
    node_size : int
        Hidden units per subnetwork node.
    C : float
        Ridge of every least-squares solve, :math:`(H^\\top H + I/C)^{-1}H^\\top T`
        (ELM's regularisation constant).
    margin : float
        ``u`` maps each node's desired output to [margin, 1 - margin], in (0, 0.5).
    n_classes, n_eeg_features : int | None
        As for every model (:class:`~.base.EmotionModel`).
    seed : int
        Seeds the first node's random input weights.
    max_epochs : int
        Most subnetwork nodes (one "epoch" adds one node).
    patience, min_delta :
        Stop after ``patience`` nodes without a gain of ``min_delta`` in the monitored
        accuracy; the best number of nodes is kept.
    batch_size : None
        Accepted for the common interface; the solves use every training window.
    """

    name = "subnetwork_nodes"
    default_space = {"node_size": {"int": [50, 200]}, "C": {"log10": [-3, 1]}}
    is_network: ClassVar[bool] = False
    needs_tensorflow: ClassVar[bool] = False

    nodes_: list[dict] = []
    top_: np.ndarray | None = None

    def __init__(
        self,
        *,
        node_size: int = 100,
        C: float = 1.0,
        margin: float = 0.05,
        n_classes: int | None = None,
        n_eeg_features: int | None = None,
        seed: int = 0,
        max_epochs: int = 20,
        patience: int = 5,
        min_delta: float = 0.001,
        batch_size: int | None = None,
    ) -> None:
        self._store_params(locals())

    def _check_params(self) -> None:
        super()._check_params()
        p = self._params
        check_range("node_size", p["node_size"], low=1, kind=int)
        check_range("C", p["C"], low=0.0, low_open=True)
        check_range("margin", p["margin"], low=0.0, high=0.49, low_open=True)
        if p["max_epochs"] < 1:
            raise ValueError(f"max_epochs (the most subnetwork nodes) must be >= 1, got {p['max_epochs']!r}.")

    def required_modalities(self) -> tuple[str, ...]:
        return ("eeg",)

    # ---- forward ---------------------------------------------------------------------
    def _x1(self, data: WindowData) -> np.ndarray:
        return with_ones(self.scalers_["eeg"].transform(data.eeg).astype(np.float64))

    @staticmethod
    def _node_output(node: dict, x1: np.ndarray) -> np.ndarray:
        return node["scaling"].inverse(sigmoid(x1 @ node["weights"])) if node["scaling"] else sigmoid(x1 @ node["weights"])

    def node_features(self, data: WindowData, n_nodes: int | None = None) -> np.ndarray:
        """The first ``n_nodes`` nodes' outputs side by side (all if None), shape (n, n_nodes * node_size)."""
        x1 = self._x1(data)
        return np.hstack([self._node_output(node, x1) for node in self.nodes_[:n_nodes]])

    def _decision_function(self, data: WindowData) -> np.ndarray:
        """The top layer's outputs (least-squares fit of one-hot targets), shape (n_windows, n_classes)."""
        self._check_fitted()
        return self.node_features(data) @ self.top_

    def squared_error(self, data: WindowData) -> float:
        """Mean squared error of the outputs against the one-hot targets on ``data``."""
        targets = np.eye(self.n_classes_)[data.y]
        return float(np.mean(np.square(targets - self._decision_function(data))))

    def split_figures(self, data: WindowData) -> dict[str, float]:
        """``squared_error`` of the split (search CSV: ``{split}_squared_error``)."""
        return {"squared_error": self.squared_error(data)}

    # ---- training --------------------------------------------------------------------
    def _fit(self, train: WindowData, val: WindowData | None = None) -> SubnetworkNodes:
        """Add subnetwork nodes one at a time (steps 1-2), refitting the top layer (3)
        after each; keep the number of nodes with the best monitored accuracy."""
        p = self._params
        rng = np.random.default_rng(p["seed"])
        self._set_n_classes(train)
        if train.eeg.shape[1] == 0:
            raise ValueError("subnetwork_nodes needs EEG features.")
        self.scalers_ = {"eeg": FeatureScaler("standard").fit(train.eeg)}
        x1 = self._x1(train)
        targets = np.eye(self.n_classes_)[train.y]
        monitored = train if val is None else val
        monitored_x1 = x1 if val is None else self._x1(val)
        state = {"error": targets, "beta": None, "hidden": [], "monitored_hidden": []}
        self.nodes_ = []

        def add_node(epoch: int) -> tuple[float, float]:
            if state["beta"] is None:  # (1) the first node: random input weights
                node = {"weights": rng.uniform(-1.0, 1.0, (x1.shape[1], p["node_size"])), "scaling": None}
                hidden = self._node_output(node, x1)
                beta = ridge_solve(hidden, targets, C=p["C"])
                state["error"] = targets - hidden @ beta
            else:  # (2) the node that best cancels the remaining error
                solved = subnetwork_node_solve(x1, state["error"], state["beta"], C=p["C"], margin=p["margin"])
                node = {"weights": solved["weights"], "scaling": solved["scaling"]}
                hidden, beta, state["error"] = solved["hidden"], solved["beta"], solved["error"]
            self.nodes_.append(node)
            state["beta"] = beta
            state["hidden"].append(hidden)
            state["monitored_hidden"].append(self._node_output(node, monitored_x1))
            features = np.hstack(state["hidden"])  # (3) the top layer over every node so far
            self.top_ = ridge_solve(features, targets, C=p["C"])
            outputs = features @ self.top_
            loss = float(np.mean(np.square(targets - outputs)))
            return loss, float(np.mean(outputs.argmax(1) == train.y))

        def monitor() -> float:
            scores = np.hstack(state["monitored_hidden"]) @ self.top_
            return float(np.mean(scores.argmax(1) == monitored.y))

        def get_weights():
            return len(self.nodes_), self.top_.copy()

        def set_weights(saved) -> None:
            n_nodes, top = saved
            del self.nodes_[n_nodes:]
            self.top_ = top

        self.history = run_epochs(
            train_epoch=add_node, monitor=monitor, get_weights=get_weights, set_weights=set_weights,
            max_epochs=p["max_epochs"], patience=p["patience"], min_delta=p["min_delta"],
            monitor_name="train" if val is None else "val", model_name=self.name,
        )
        self.history["nodes"] = len(self.nodes_)
        return self

    # ---- persistence -----------------------------------------------------------------
    def _save_files(self, directory: Path) -> None:
        arrays = {"top": self.top_}
        for i, node in enumerate(self.nodes_):
            arrays[f"node{i}_weights"] = node["weights"]
            if node["scaling"] is not None:
                arrays[f"node{i}_low"], arrays[f"node{i}_high"] = node["scaling"].low, node["scaling"].high
        np.savez(directory / ARRAYS_FILE, **arrays)

    def _load_files(self, directory: Path) -> None:
        with np.load(directory / ARRAYS_FILE) as arrays:
            stored = {k: arrays[k] for k in arrays.files}
        self.top_ = stored["top"]
        n_nodes = sum(1 for k in stored if k.endswith("_weights"))
        self.nodes_ = [{"weights": stored[f"node{i}_weights"],
                        "scaling": UnitScaling(stored[f"node{i}_low"], stored[f"node{i}_high"], self._params["margin"])
                        if f"node{i}_low" in stored else None} for i in range(n_nodes)]


__all__ = ["SubnetworkNodes", "subnetwork_node_solve", "UnitScaling", "with_ones"]
