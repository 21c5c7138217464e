"""Small NumPy networks shared by the comparison systems (BDAE, MESAE, subnetwork nodes).

The three comparison systems of the paper's Fig. 3 / Table 2 are small, per-window
networks trained on a few hundred to a few thousand windows; NumPy trains them in a
fraction of the time it takes to import TensorFlow, and keeps every step (contrastive
divergence, layer-wise pre-training, back-propagation) visible and testable:

* :func:`sigmoid`, :func:`softplus`, :func:`logit`: numerically stable elementwise maps;
* :class:`Dense`: an affine layer with a sigmoid or linear output and its backward pass;
* :class:`Adam`: the Adam update (Kingma & Ba 2015) on a list of arrays, in place;
  :class:`RMSprop` likewise (the BDAE lab code's optimiser);
* :class:`RBM`: a restricted Boltzmann machine with Bernoulli hidden units and
  Gaussian (unit variance) or Bernoulli visible units: free energy, CD-1 gradients;
* :func:`pretrain_autoencoder_layer`: one sigmoid autoencoder layer trained on its
  reconstruction (greedy layer-wise pre-training of a stacked autoencoder);
* :func:`mean_squared_error` (mini-batches: :func:`~.training.minibatches`).

Everything is float64 and seeded by an explicit ``numpy.random.Generator``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .training import minibatches

logger = logging.getLogger("multimodal_emotion.models")


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, written with tanh (no overflow for large |x|)."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x))`` without overflow."""
    return np.logaddexp(0.0, x)


def logit(p: np.ndarray) -> np.ndarray:
    """Inverse of :func:`sigmoid` for ``0 < p < 1``."""
    return np.log(p) - np.log1p(-p)


def mean_squared_error(target: np.ndarray, output: np.ndarray) -> float:
    """Mean over windows and features of the squared error (BDDAE's reconstruction MSE)."""
    return float(np.mean(np.square(output - target)))


def glorot_uniform(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    """Glorot/Xavier uniform initial weights, shape (n_in, n_out)."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out))


# --------------------------------------------------------------------------------------
# Layers and the optimiser
# --------------------------------------------------------------------------------------
@dataclass(eq=False)
class Dense:
    """``y = act(x @ weights + bias)`` with ``act`` sigmoid or identity.

    ``mask`` (same shape as ``weights``, 0/1) fixes some connections at zero: the
    forward pass uses ``weights * mask`` and the gradient is masked too (MESAE's
    adjacency-graph fusion layer).
    """

    weights: np.ndarray
    bias: np.ndarray
    activation: Literal["sigmoid", "linear"] = "sigmoid"
    mask: np.ndarray | None = None
    _input: np.ndarray | None = field(default=None, repr=False)
    _output: np.ndarray | None = field(default=None, repr=False)
    grads: list = field(default_factory=list, repr=False)

    @classmethod
    def create(cls, rng: np.random.Generator, n_in: int, n_out: int, activation="sigmoid", mask=None) -> Dense:
        weights = glorot_uniform(rng, n_in, n_out)
        if mask is not None:
            weights = weights * mask
        return cls(weights, np.zeros(n_out), activation, mask)

    @property
    def params(self) -> list[np.ndarray]:
        return [self.weights, self.bias]

    def effective_weights(self) -> np.ndarray:
        return self.weights if self.mask is None else self.weights * self.mask

    def forward(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.effective_weights() + self.bias
        out = sigmoid(z) if self.activation == "sigmoid" else z
        self._input, self._output = x, out
        return out

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Store the gradients of ``weights`` and ``bias`` in ``grads``; return the input's gradient."""
        grad_z = grad_output * self._output * (1.0 - self._output) if self.activation == "sigmoid" else grad_output
        grad_w = self._input.T @ grad_z
        if self.mask is not None:
            grad_w = grad_w * self.mask
        self.grads = [grad_w, grad_z.sum(axis=0)]
        return grad_z @ self.effective_weights().T


@dataclass(eq=False)
class Adam:
    """Adam (Kingma & Ba 2015; Keras' defaults beta1 0.9, beta2 0.999, eps 1e-7) on a list of arrays."""

    params: list[np.ndarray]
    learning_rate: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-7
    step_count: int = 0
    _m: list = field(default_factory=list, repr=False)
    _v: list = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._m = [np.zeros_like(p) for p in self.params]
        self._v = [np.zeros_like(p) for p in self.params]

    def step(self, grads: list[np.ndarray]) -> None:
        self.step_count += 1
        t = self.step_count
        lr = self.learning_rate * np.sqrt(1.0 - self.beta2**t) / (1.0 - self.beta1**t)
        for p, g, m, v in zip(self.params, grads, self._m, self._v):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= lr * m / (np.sqrt(v) + self.eps)


@dataclass(eq=False)
class RMSprop:
    """RMSprop (Tieleman & Hinton 2012; Keras' defaults rho 0.9, eps 1e-7) on a list of arrays:
    ``v = rho v + (1 - rho) g^2; p -= lr g / (sqrt(v) + eps)``."""

    params: list[np.ndarray]
    learning_rate: float = 1e-3
    rho: float = 0.9
    eps: float = 1e-7
    _v: list = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._v = [np.zeros_like(p) for p in self.params]

    def step(self, grads: list[np.ndarray]) -> None:
        for p, g, v in zip(self.params, grads, self._v):
            v *= self.rho
            v += (1.0 - self.rho) * g * g
            p -= self.learning_rate * g / (np.sqrt(v) + self.eps)


# --------------------------------------------------------------------------------------
# Restricted Boltzmann machine
# --------------------------------------------------------------------------------------
@dataclass(eq=False)
class RBM:
    """A restricted Boltzmann machine with binary hidden units.

    Energies (``W`` = ``weights``, ``b`` = ``visible_bias``, ``c`` = ``hidden_bias``):

    * Bernoulli visible units: :math:`E(v, h) = -b^\\top v - c^\\top h - v^\\top W h`;
    * Gaussian visible units of unit variance (inputs standardised per feature, as
      Hinton's practical guide recommends instead of learning the variances):
      :math:`E(v, h) = \\tfrac12\\lVert v - b\\rVert^2 - c^\\top h - v^\\top W h`.

    Then :math:`p(h_j = 1 | v) = \\sigma(c_j + v^\\top W_{:j})` for both, and
    :math:`E[v | h] = \\sigma(b + W h)` (Bernoulli) or :math:`b + W h` (Gaussian).
    """

    weights: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray
    visible: Literal["gaussian", "bernoulli"] = "gaussian"

    @classmethod
    def create(cls, rng: np.random.Generator, n_visible: int, n_hidden: int, visible="gaussian",
               init_scale: float = 0.01) -> RBM:
        """Random weights N(0, init_scale^2) (Hinton's practical guide: 0.01), zero biases."""
        return cls(init_scale * rng.standard_normal((n_visible, n_hidden)), np.zeros(n_visible), np.zeros(n_hidden),
                   visible)

    @property
    def params(self) -> list[np.ndarray]:
        return [self.weights, self.visible_bias, self.hidden_bias]

    def hidden_probabilities(self, v: np.ndarray) -> np.ndarray:
        return sigmoid(v @ self.weights + self.hidden_bias)

    def visible_mean(self, h: np.ndarray) -> np.ndarray:
        z = h @ self.weights.T + self.visible_bias
        return z if self.visible == "gaussian" else sigmoid(z)

    def free_energy(self, v: np.ndarray) -> np.ndarray:
        """:math:`F(v) = -\\log \\sum_h e^{-E(v, h)}` per row of ``v``, shape (n,)."""
        hidden_term = softplus(v @ self.weights + self.hidden_bias).sum(axis=1)
        if self.visible == "gaussian":
            return 0.5 * np.sum(np.square(v - self.visible_bias), axis=1) - hidden_term
        return -(v @ self.visible_bias) - hidden_term

    def cd1_gradients(self, v0: np.ndarray, rng: np.random.Generator) -> tuple[list[np.ndarray], float]:
        """One step of contrastive divergence (CD-1) on the batch ``v0`` (n, n_visible).

        Positive phase :math:`p_0 = p(h | v_0)`; a binary sample :math:`h_0 \\sim p_0`
        (uniforms drawn from ``rng``, shape of :math:`p_0`); the reconstruction
        :math:`v_1 = E[v | h_0]` (the mean, not a sample: the usual choice for both
        visible types); negative phase :math:`p_1 = p(h | v_1)`. Returns the ascent
        directions averaged over the batch,
        :math:`[\\langle v_0 p_0^\\top\\rangle - \\langle v_1 p_1^\\top\\rangle,
        \\langle v_0 - v_1\\rangle, \\langle p_0 - p_1\\rangle]`, and the batch's
        reconstruction MSE.
        """
        n = v0.shape[0]
        p0 = self.hidden_probabilities(v0)
        h0 = (rng.random(p0.shape) < p0).astype(np.float64)
        v1 = self.visible_mean(h0)
        p1 = self.hidden_probabilities(v1)
        grads = [(v0.T @ p0 - v1.T @ p1) / n, (v0 - v1).mean(axis=0), (p0 - p1).mean(axis=0)]
        return grads, mean_squared_error(v0, v1)

    def cd1_update(self, v0: np.ndarray, rng: np.random.Generator, *, learning_rate: float,
                   weight_decay: float = 0.0, momentum: float = 0.0, velocity: list | None = None) -> float:
        """Apply one CD-1 step in place; return the batch's reconstruction MSE.

        The step is ``velocity = momentum * velocity + learning_rate * (grad - weight_decay * W)``
        (decay on W only), then ``param += velocity`` (Hinton's practical guide, Sec. 9-10);
        ``velocity`` (a list like ``params``) is updated in place; None = no momentum.
        """
        grads, mse = self.cd1_gradients(v0, rng)
        grads[0] = grads[0] - weight_decay * self.weights
        if velocity is None:
            velocity = [np.zeros_like(p) for p in self.params]
        for param, grad, vel in zip(self.params, grads, velocity):
            vel *= momentum
            vel += learning_rate * grad
            param += vel
        return mse

    def train(self, data: np.ndarray, *, epochs: int, learning_rate: float, batch_size: int | None,
              rng: np.random.Generator, weight_decay: float = 0.0, momentum: float = 0.5) -> list[float]:
        """CD-1 over ``epochs`` passes of shuffled mini-batches, with ``momentum``; per-epoch reconstruction MSE.

        An epoch whose MSE is not finite or exceeds 1e6 times the first epoch's (CD with
        Gaussian visible units diverges at too large a step) is undone and training stops,
        with a warning: the search then sees the RBM as it was, not NaNs.
        """
        curve = []
        velocity = [np.zeros_like(p) for p in self.params]
        for epoch in range(epochs):
            saved = [p.copy() for p in self.params]
            batches = minibatches(len(data), batch_size, rng)
            with np.errstate(over="ignore", invalid="ignore"):
                errors = [self.cd1_update(data[idx], rng, learning_rate=learning_rate, weight_decay=weight_decay,
                                          momentum=momentum, velocity=velocity) for idx in batches]
            mse = float(np.average(errors, weights=[len(b) for b in batches]))
            if not np.isfinite(mse) or (curve and mse > 1e6 * curve[0]):
                for p, old in zip(self.params, saved):
                    p[...] = old
                logger.warning("RBM diverged in CD-1 epoch %d (reconstruction MSE %.3g) at learning rate %g; "
                               "kept the weights of epoch %d", epoch + 1, mse, learning_rate, epoch)
                break
            curve.append(mse)
        return curve


# --------------------------------------------------------------------------------------
# Autoencoder layers (stacked autoencoders)
# --------------------------------------------------------------------------------------
def pretrain_autoencoder_layer(
    data: np.ndarray, n_hidden: int, *, epochs: int, learning_rate: float, batch_size: int | None,
    rng: np.random.Generator, output: Literal["sigmoid", "linear"],
) -> tuple[Dense, list[float]]:
    """Train ``x -> sigmoid encoder -> decoder (output activation) -> x`` on the MSE with Adam.

    Returns the encoder layer and the per-epoch training MSE. ``output="linear"`` for
    standardised real-valued inputs, ``"sigmoid"`` for the codes of a lower sigmoid
    layer (values in (0, 1)). The decoder (untied) is discarded after pre-training.
    """
    encoder = Dense.create(rng, data.shape[1], n_hidden, "sigmoid")
    decoder = Dense.create(rng, n_hidden, data.shape[1], output)
    optimizer = Adam(encoder.params + decoder.params, learning_rate=learning_rate)
    curve = []
    for _ in range(epochs):
        batches = minibatches(len(data), batch_size, rng)
        errors = []
        for idx in batches:
            x = data[idx]
            reconstruction = decoder.forward(encoder.forward(x))
            errors.append(mean_squared_error(x, reconstruction))
            grad = 2.0 * (reconstruction - x) / x.size
            encoder.backward(decoder.backward(grad))
            optimizer.step(encoder.grads + decoder.grads)
        curve.append(float(np.average(errors, weights=[len(b) for b in batches])))
    return encoder, curve


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def ridge_solve(h: np.ndarray, targets: np.ndarray, *, C: float | None) -> np.ndarray:
    """Least-squares weights ``beta`` with ``h @ beta ~ targets``: :math:`(H^\\top H + I/C)^{-1} H^\\top T`
    (ELM's regularised solution), or the minimum-norm pseudo-inverse solution
    :math:`H^{+} T` if ``C`` is None."""
    if C is None:
        return np.linalg.pinv(h) @ targets
    gram = h.T @ h + np.eye(h.shape[1]) / C
    return np.linalg.solve(gram, h.T @ targets)


def layers_to_arrays(prefix: str, layers: list[Dense]) -> dict[str, np.ndarray]:
    """Arrays of ``layers`` for ``np.savez`` under ``{prefix}{i}_w``/``_b``/``_m`` keys."""
    arrays = {}
    for i, layer in enumerate(layers):
        arrays[f"{prefix}{i}_w"], arrays[f"{prefix}{i}_b"] = layer.weights, layer.bias
        if layer.mask is not None:
            arrays[f"{prefix}{i}_m"] = layer.mask
    return arrays


def layers_from_arrays(prefix: str, arrays, activations: list[str]) -> list[Dense]:
    """Inverse of :func:`layers_to_arrays`."""
    return [Dense(arrays[f"{prefix}{i}_w"], arrays[f"{prefix}{i}_b"], act, arrays.get(f"{prefix}{i}_m"))
            for i, act in enumerate(activations)]
