"""Certified linear L2-SVMs: every linear SVM of the workflow ends at J's minimiser, with a certificate.

* :func:`fit_certified_svm`: liblinear (:mod:`~.liblinear`) as the warm start, then the
  finite Newton solver of :mod:`~.finite_newton` (:class:`LinearSVM`, DCCA's and the
  BDAE's classifiers).
* :func:`refit_last_layer` / :func:`refit_svm_layer`: the SVM refit of Sec. 3.2, which
  retrains a network's last layer as an L2-SVM on the features of its encoders and
  copies the weights back.

The objective and its relation to liblinear's ``C`` are derived in :mod:`~.liblinear`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from .data import WindowData
from .liblinear import (
    liblinear_ovr_weights,
    ovr_targets,
    primal_objective,
    svm_cost,
    train_l2svm,
)
from .training import logger

if TYPE_CHECKING:  # the array-level refit (merge jobs) needs no model class
    from .base import SVMNetwork


@dataclass(frozen=True)
class CertifiedSVM:
    """A linear L2-SVM solved to J's minimum (see :func:`fit_certified_svm`)."""

    kernel: np.ndarray  # (n_features, n_classes)
    bias: np.ndarray  # (n_classes,)
    objective_liblinear: float  # J at liblinear's point (the warm start)
    objective: float  # J at the returned weights
    newton_steps: int
    converged: bool
    certificate: float  # worst of relative gradient, KKT violation, duality gap


def fit_certified_svm(features: np.ndarray, y: np.ndarray, *, C: float, eps: float = 0.01,
                      name: str = "linear SVM") -> CertifiedSVM:
    """Every linear SVM of the workflow: liblinear ``-s 2 -B 1 -R`` as a warm start, then the
    finite Newton solver (:func:`~.finite_newton.minimise_ovr`) to the minimiser of
    ``J = sum_n sum_k max(0, 1 - t_nk s_nk)^2 + lambda ||W||^2``, ``lambda = 1 / (2 C)``,
    with a certificate. The bias is not regularised (one choice for all models: the
    networks' J, liblinear's ``-R``; docs/interpretations.md).

    ``eps`` is liblinear's tolerance for the warm start only; the result does not depend
    on it (J is strictly convex). liblinear's warnings reach the log (:func:`train_l2svm`).
    """
    from .finite_newton import minimise_ovr

    y = np.asarray(y)
    features = np.asarray(features, np.float64)
    lam = 1.0 / (2.0 * C)
    n_classes = int(y.max()) + 1
    lib = train_l2svm(features, y, C=C, eps=eps)
    start = liblinear_ovr_weights(lib, n_classes)
    j_liblinear = 2 * lam * primal_objective(*start, features, y, C=C)
    solution = minimise_ovr(features, y, lam=lam, start=start)
    result = CertifiedSVM(kernel=solution.kernel, bias=solution.bias, objective_liblinear=j_liblinear,
                          objective=solution.objective, newton_steps=solution.steps,
                          converged=solution.converged, certificate=solution.certificate.worst)
    logger.info("%s (C %g): J liblinear (-e %g) %.8g, finite Newton %.8g in %d steps, certificate %.2g",
                name, C, eps, j_liblinear, result.objective, result.newton_steps, result.certificate)
    if not result.converged or result.certificate > CERTIFICATE_TOLERANCE:
        logger.warning("%s: certificate %.2g above %.0e (converged %s, C %g)", name, result.certificate,
                       CERTIFICATE_TOLERANCE, result.converged, C)
    return result


# --------------------------------------------------------------------------------------
# Sec. 3.2: SVM refit of a trained network's last layer
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RefitReport:
    """Outcome of :func:`refit_last_layer`.

    Attributes
    ----------
    lam, C : float
        The network's L2 strength and liblinear's cost ``C = 1 / (2 lam)``.
    eps : float
        liblinear's tolerance ``-e`` (its default, 0.01, is the paper's tool as shipped).
    exact : bool
        liblinear's point was finished by the finite Newton solver
        (:mod:`~.finite_newton`); False keeps liblinear's point (the paper's tool alone).
    n_windows : int
        Training windows (samples of the SVM).
    objective_before : float
        The network's objective J (:meth:`SVMNetwork.objective`) before the refit.
    objective_liblinear : float
        J at liblinear's solution (float64, on the extracted features).
    objective_after : float
        J at the refit's final weights (float64, on the extracted features): the
        number the certificate is about.
    objective_after_network : float
        J with the weights as the network's float32 layer holds them after the
        copy-back (float32 scores, as the network computes them).
    train_accuracy_before, train_accuracy_after : float
    liblinear_iterations : int
        liblinear's Newton iterations (its ``iter`` lines) over the one-vs-rest problems.
    liblinear_hit_iteration_limit : bool
        liblinear stopped at its own cap (information only when ``exact``: the finite
        Newton solver finishes from wherever liblinear stopped).
    newton_steps : int
        Steps of the finite Newton solver over all problems (0 when not ``exact``).
    converged : bool
        Every problem ended by the finite Newton method's exact termination (its
        active set repeated).
    relative_gradient, kkt_violation, duality_gap : float
        The certificate of the final weights, worst over the problems
        (:class:`~.finite_newton.Certificate`).
    liblinear_labels : tuple of int
        ``model.get_labels()`` of the liblinear model (its class order).
    liblinear_model : liblinear model
        liblinear's SVM (the first step), e.g. for :func:`liblinear_predict`.
    """

    lam: float
    C: float
    eps: float
    exact: bool
    n_windows: int
    objective_before: float
    objective_liblinear: float
    objective_after: float
    objective_after_network: float
    train_accuracy_before: float
    train_accuracy_after: float
    liblinear_iterations: int
    liblinear_hit_iteration_limit: bool
    newton_steps: int
    converged: bool
    relative_gradient: float
    kkt_violation: float
    duality_gap: float
    liblinear_labels: tuple[int, ...]
    liblinear_model: Any = field(default=None, repr=False, compare=False)

    @property
    def certificate(self) -> float:
        """The largest of the three certificate measures."""
        return max(self.relative_gradient, self.kkt_violation, self.duality_gap)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "liblinear_model"}
        d["liblinear_labels"] = list(self.liblinear_labels)
        return d


#: liblinear's default tolerance for ``-s 2``: the first step runs the paper's tool as shipped.
REFIT_EPS = 0.01
#: A refit whose certificate exceeds this is logged as a warning.
CERTIFICATE_TOLERANCE = 1e-8


def layer_scores(features: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Scores of an SVM layer held in float32, as the network computes them (float32)."""
    return np.asarray(features, np.float32) @ np.asarray(kernel, np.float32) + np.asarray(bias, np.float32)


def layer_objective(features, y, kernel, bias, lam: float) -> float:
    """The network's J for a float32 layer: summed squared hinge of :func:`layer_scores`
    (accumulated in float64) + lam ||W||^2."""
    scores = layer_scores(features, kernel, bias).astype(np.float64)
    slack = np.maximum(0.0, 1.0 - ovr_targets(y, kernel.shape[1]) * scores)
    return float(np.sum(slack**2) + lam * np.sum(np.asarray(kernel, np.float32).astype(np.float64) ** 2))


def refit_svm_layer(
    features: np.ndarray,
    y: np.ndarray,
    *,
    kernel: np.ndarray,
    bias: np.ndarray,
    lam: float,
    eps: float = REFIT_EPS,
    exact: bool = True,
    name: str = "network",
) -> tuple[np.ndarray, np.ndarray, RefitReport]:
    """The refit of Sec. 3.2 on a network's last-layer inputs, without the network.

    Parameters
    ----------
    features : ndarray, shape (n_windows, n_features)
        The inputs of the SVM layer on the training windows (``extract_features``).
    y : ndarray of int, shape (n_windows,)
    kernel, bias : ndarray, shapes (n_features, n_classes), (n_classes,)
        The layer's current weights (the network alone).
    lam, eps, exact :
        As :func:`refit_last_layer`.
    name : str
        For the log lines.

    Returns
    -------
    kernel, bias : ndarray (float64)
        The refitted layer.
    report : RefitReport
        Objectives and accuracies are computed from ``features``: J of the layer is a
        function of its inputs and weights only.
    """
    from .finite_newton import minimise_ovr, ovr_certificate

    lam = float(lam)
    C = svm_cost(lam)
    y = np.asarray(y)
    n_classes = kernel.shape[1]
    if sorted(np.unique(y).tolist()) != list(range(n_classes)):
        raise ValueError(
            f"The refit needs windows of all {n_classes} classes; the training labels "
            f"hold {np.unique(y).tolist()}."
        )
    features32 = np.asarray(features, np.float32)
    features = features32.astype(np.float64)

    def layer_accuracy(k, b):
        return float(np.mean(np.argmax(layer_scores(features32, k, b), axis=1) == y))

    before, acc_before = layer_objective(features32, y, kernel, bias, lam), layer_accuracy(kernel, bias)
    lib, run = train_l2svm(features, y, C=C, eps=eps, return_run=True)
    lib_kernel, lib_bias = liblinear_ovr_weights(lib, n_classes)
    j_liblinear = 2 * lam * primal_objective(lib_kernel, lib_bias, features, y, C=C)
    if exact:
        solution = minimise_ovr(features, y, lam=lam, start=(lib_kernel, lib_bias))
        new_kernel, new_bias, j_after = solution.kernel, solution.bias, solution.objective
        steps, converged, cert = solution.steps, solution.converged, solution.certificate
    else:
        new_kernel, new_bias, j_after, steps = lib_kernel, lib_bias, j_liblinear, 0
        cert, converged = ovr_certificate(lib_kernel, lib_bias, features, y, lam), False
    report = RefitReport(
        lam=lam, C=C, eps=eps, exact=exact, n_windows=len(y),
        objective_before=before, objective_liblinear=j_liblinear, objective_after=j_after,
        objective_after_network=layer_objective(features32, y, new_kernel, new_bias, lam),
        train_accuracy_before=acc_before, train_accuracy_after=layer_accuracy(new_kernel, new_bias),
        liblinear_iterations=run.newton_iterations, liblinear_hit_iteration_limit=run.hit_iteration_limit,
        newton_steps=steps, converged=converged, relative_gradient=cert.relative_gradient,
        kkt_violation=cert.kkt_violation, duality_gap=cert.duality_gap,
        liblinear_labels=tuple(lib.get_labels()), liblinear_model=lib,
    )
    logger.info(
        "%s SVM refit (C = 1/(2*%g) = %g): J network %.6g, liblinear (-e %g, %d iterations) %.6g, "
        "%s %.6g in %d Newton steps; certificate: relative gradient %.2g, KKT %.2g, duality gap %.2g; "
        "train_acc %.4f -> %.4f",
        name, lam, C, before, eps, run.newton_iterations, j_liblinear,
        "finite Newton" if exact else "kept liblinear's", j_after, steps, cert.relative_gradient,
        cert.kkt_violation, cert.duality_gap, acc_before, report.train_accuracy_after,
    )
    if exact and (not converged or report.certificate > CERTIFICATE_TOLERANCE):
        logger.warning("%s SVM refit: certificate %.2g above %.0e (converged %s, lambda %g)",
                       name, report.certificate, CERTIFICATE_TOLERANCE, converged, lam)
    return new_kernel, new_bias, report


def refit_last_layer(
    model: SVMNetwork,
    train: WindowData,
    *,
    lam: float | None = None,
    eps: float = REFIT_EPS,
    exact: bool = True,
) -> RefitReport:
    """Retrain a network's SVM layer as an L2-SVM and copy the weights back (Sec. 3.2).

    "We used the trained LSTM encoders to extract high-level features ... at each
    time step ... trained [the SVM] using the scaled high-level features ... and set
    the cost of the SVM classifier equal to 1/(2 lambda) ... After training the SVM
    classifier, we copied the trained weights back into the last classification
    layer".

    Parameters
    ----------
    model : BimodalLSTM | BDDAE
        A fitted (or loaded) network; modified in place.
    train : WindowData
        The training split the network was fitted on.
    lam : float | None
        L2 strength lambda; None uses the model's ``l2``. Must be > 0.
    eps : float
        liblinear's stopping tolerance ``-e`` (default its own, :data:`REFIT_EPS`).
    exact : bool
        Finish from liblinear's point with the finite Newton solver
        (:func:`~.finite_newton.minimise_ovr`), which ends at J's minimiser with a
        certificate; False keeps liblinear's point (the paper's tool alone, whose
        relative stopping rule ends far above the optimum at the large C of Table 1).

    Returns
    -------
    report : RefitReport
        Also stored as ``model.history["refit"]`` (without the liblinear model). The
        work is :func:`refit_svm_layer`'s, on ``model.extract_features(train)``.

    Notes
    -----
    **Features.** ``model.extract_features`` returns the inputs of the SVM layer in
    inference mode, one row per window. Keras uses *inverted* dropout (scaled by
    ``1 / keep`` in training, identity at inference), so these are already the
    features the last layer sees at test time; the paper's multiplication "by the
    dropout probability" belongs to non-inverted dropout and is **not** applied
    (see ``BimodalLSTM.extract_features``).

    **Objective and C.** See the module docstring: the network's J (data term summed
    over windows, kernel-only L2) equals ``2 lam * sum_k f_k`` of liblinear
    ``-s 2 -B 1 -R`` with ``C = 1 / (2 lam)``; ``-R`` keeps the bias unregularised in
    liblinear as it is in the network. Multi-class is one-vs-rest; liblinear's
    label order (``get_labels()``) is mapped back to class indices.

    **Reaching the optimum.** J is strictly convex in the layer's weights, so its
    minimiser is unique and does not depend on where the solver starts: liblinear's
    point is the first step (what the paper's tool gives), the finite Newton method
    the exact finish, and the certificate (relative gradient, largest KKT violation,
    relative duality gap) says how close the returned weights are.
    """
    model._check_fitted()
    lam = model.get_params()["l2"] if lam is None else float(lam)
    kernel, bias = model.svm_weights()
    new_kernel, new_bias, report = refit_svm_layer(
        model.extract_features(train), train.y, kernel=kernel, bias=bias, lam=lam, eps=eps, exact=exact,
        name=model.name)
    model.set_svm_weights(new_kernel, new_bias)
    model.history["refit"] = report.to_dict()
    return report

