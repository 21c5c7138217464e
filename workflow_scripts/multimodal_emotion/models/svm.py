"""Linear L2-SVMs: the SVM refit of Sec. 3.2, the SVM baselines, and every other linear SVM.

Every linear SVM of the workflow (the refit, :class:`LinearSVM`, DCCA's and the BDAE's
classifiers) ends at the minimiser of the same J, found by the finite Newton solver of
:mod:`~.finite_newton` with a certificate; liblinear only supplies its starting point
(:func:`fit_certified_svm`, :func:`refit_svm_layer`).

* :func:`refit_last_layer` retrains a network's last layer as an L2-SVM on the
  features of its encoders (liblinear ``-s 2`` first, as the paper; then the exact
  finite Newton finish of :mod:`~.finite_newton`, with a certificate) and copies the
  weights back (Sec. 3.2).
* :class:`LinearSVM`: the L2-SVM (liblinear ``-s 2``'s problem, solved to its minimum)
  on concatenated (or single-modality) standardised features, the "baseline method" of Sec. 5.
* :class:`FeatureFusionSVM`: "directly concatenated features as inputs and ... SVM
  with a radial basis function (RBF) kernel" (Fig. 3), scikit-learn ``SVC``.

The objective shared by the networks and liblinear
--------------------------------------------------
The networks (:class:`~multimodal_emotion.models.base.SVMNetwork`) minimise, over
the N training windows with features :math:`h_n` and one-vs-rest targets
:math:`t_{nk} = \\pm 1`,

.. math:: J(W, b) = \\sum_n \\sum_k \\max(0, 1 - t_{nk}(w_k^\\top h_n + b_k))^2
          + \\lambda \\sum_k \\lVert w_k \\rVert^2 .

liblinear ``-s 2 -B 1 -R`` solves, for each class ``k`` (one-vs-rest; for two
classes one problem with the first label of ``model.get_labels()`` positive),

.. math:: f_k(w_k, b_k) = \\tfrac12 \\lVert w_k \\rVert^2
          + C \\sum_n \\max(0, 1 - t_{nk}(w_k^\\top h_n + b_k))^2 .

``-B 1`` appends a constant feature 1 whose weight is the bias; ``-R`` leaves it out
of the regulariser, as the network does. Hence
:math:`J = 2\\lambda \\sum_k f_k` exactly when :math:`C = 1/(2\\lambda)` — the cost of
Sec. 3.2 — because J's data term is a *sum* over windows. (Had J averaged the data
term over the N windows, C would be :math:`1/(2\\lambda N)`.) J and
:math:`\\sum_k f_k` separate over classes, so liblinear's per-class minimisers
minimise J. For two classes the network keeps two units; the second is the mirror
image of the first (:math:`w_1 = -w_0`, which is the minimiser of its own OvR
problem).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .base import (
    MODALITIES,
    EmotionModel,
    FeatureScaler,
    SVMNetwork,
    WindowData,
    _check_option,
    _check_range,
    logger,
)


# --------------------------------------------------------------------------------------
# liblinear helpers
# --------------------------------------------------------------------------------------
def svm_cost(lam: float) -> float:
    """Return liblinear's C for the network's L2 strength: ``C = 1 / (2 * lam)`` (Sec. 3.2)."""
    if not lam > 0:
        raise ValueError(f"The L2 strength must be > 0 to give a finite C, got {lam!r}.")
    return 1.0 / (2.0 * lam)


def ovr_targets(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Return one-vs-rest targets ``t``, shape (n, n_classes): +1 for the class, -1 otherwise."""
    return np.where(np.arange(n_classes)[None, :] == np.asarray(y)[:, None], 1.0, -1.0)


def primal_objective_terms(
    kernel: np.ndarray, bias: np.ndarray, features: np.ndarray, y: np.ndarray, *, C: float
) -> np.ndarray:
    """Return liblinear's ``-s 2 -B 1 -R`` primal objective of each one-vs-rest problem.

    Parameters
    ----------
    kernel : ndarray, shape (n_features, n_classes)
    bias : ndarray, shape (n_classes,)
    features : ndarray, shape (n_samples, n_features)
    y : ndarray of int, shape (n_samples,)
    C : float

    Returns
    -------
    f : ndarray, shape (n_classes,)
        :math:`f_k = \\frac12\\lVert w_k\\rVert^2
        + C\\sum_n \\max(0, 1 - t_{nk}(w_k^\\top x_n + b_k))^2`
        (float64), see the module docstring.
    """
    kernel = np.asarray(kernel, np.float64)
    scores = np.asarray(features, np.float64) @ kernel + np.asarray(bias, np.float64)
    t = ovr_targets(y, kernel.shape[1])
    hinge = np.maximum(0.0, 1.0 - t * scores) ** 2
    return 0.5 * np.sum(kernel**2, axis=0) + C * hinge.sum(axis=0)


def primal_objective(kernel, bias, features, y, *, C: float) -> float:
    """Return ``sum_k f_k`` of :func:`primal_objective_terms` (equals ``J / (2 lambda)``)."""
    return float(primal_objective_terms(kernel, bias, features, y, C=C).sum())


def _first_occurrence_labels(y: np.ndarray) -> list[int]:
    """liblinear orders classes by first occurrence in the training labels."""
    _, first = np.unique(y, return_index=True)
    return [int(y[i]) for i in sorted(first)]


@dataclass(frozen=True)
class LiblinearRun:
    """What liblinear's Newton solver said while training one model.

    Attributes
    ----------
    newton_iterations : int
        Newton iterations over all one-vs-rest problems (liblinear's ``iter`` lines).
    hit_iteration_limit : bool
        liblinear printed "reaching max number of Newton iterations": it stopped at
        its cap, not at its tolerance.
    line_search_failures : int
        "line search fails" messages: a Newton step found no decrease (liblinear then
        keeps the last point).
    """

    newton_iterations: int
    hit_iteration_limit: bool
    line_search_failures: int


def train_l2svm(
    features: np.ndarray,
    y: np.ndarray,
    *,
    C: float,
    eps: float = 0.01,
    init: tuple[np.ndarray, np.ndarray] | None = None,
    return_run: bool = False,
):
    """Train liblinear ``-s 2 -B 1 -R`` (L2-regularised L2-loss SVC, primal, bias not regularised).

    Parameters
    ----------
    features : ndarray, shape (n_samples, n_features)
    y : ndarray of int, shape (n_samples,)
        Class indices; every class ``0 .. n_classes - 1`` must occur.
    C : float
        Cost; :func:`svm_cost` maps the network's lambda to it.
    eps : float
        liblinear's ``-e``: stop when :math:`\\lVert\\nabla f(w)\\rVert \\le
        \\text{eps} \\cdot \\min(n_+, n_-)/n \\cdot \\lVert\\nabla f(0)\\rVert`.
    init : (kernel, bias) | None
        Warm start (liblinear's ``init_sol``) from kernel (n_features, n_classes) and
        bias (n_classes,) in class-index order, e.g. the network's last layer.
        liblinear's Newton method only accepts steps that lower f, so each
        :math:`f_k` ends no higher than at the start.
    return_run : bool
        Also return a :class:`LiblinearRun` read from liblinear's own messages.

    Returns
    -------
    model : liblinear.liblinear.model
        Read the weights with :func:`liblinear_ovr_weights`.
    run : LiblinearRun
        Only if ``return_run``.
    """
    from ctypes import c_double

    import scipy.sparse
    from liblinear import liblinear as liblinear_c
    from liblinear import liblinearutil

    y = np.asarray(y)
    n_classes = int(y.max()) + 1
    if sorted(np.unique(y).tolist()) != list(range(n_classes)):
        raise ValueError(
            f"Every class 0..{n_classes - 1} must occur in the training labels, got "
            f"{np.unique(y).tolist()}."
        )
    x = scipy.sparse.csr_matrix(np.asarray(features, np.float64))  # csr keeps n_features exact
    prob = liblinearutil.problem(y.astype(np.float64), x)
    param = liblinearutil.parameter(f"-s 2 -c {C!r} -e {eps!r} -B 1 -R")
    messages: list[str] = []
    # liblinear reports iterations and its warnings only through this callback
    printer = liblinear_c.PRINT_STRING_FUN(lambda text: messages.append(text.decode(errors="replace")))
    param.print_func = printer
    if init is not None:
        labels = _first_occurrence_labels(y)
        w = _init_solution(np.asarray(init[0], np.float64), np.asarray(init[1], np.float64),
                           features, y, labels, C)
        buffer = (c_double * w.size)(*w.tolist())
        param.init_sol = buffer
        param._init_sol_buffer = buffer  # keep the C array alive during train()
    model = liblinearutil.train(prob, param)
    text = "".join(messages)
    _log_liblinear(text, eps=eps)
    if not return_run:
        return model
    run = LiblinearRun(
        newton_iterations=sum(1 for line in text.splitlines() if line.startswith("iter")),
        hit_iteration_limit="max number of Newton iterations" in text,
        line_search_failures=text.count("line search fails"),
    )
    return model, run


#: liblinear messages that say it stopped short of its own tolerance.
LIBLINEAR_WARNINGS = ("reaching max number of Newton iterations", "line search fails")


def _log_liblinear(text: str, *, eps: float) -> None:
    """Send liblinear's messages to the job log: its warnings as warnings, the rest as debug."""
    for line in text.splitlines():
        if not line.strip():
            continue
        if any(w in line for w in LIBLINEAR_WARNINGS):
            logger.warning("liblinear (-s 2 -e %g): %s", eps, line.strip())
        else:
            logger.debug("liblinear: %s", line.strip())


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


def _init_solution(kernel, bias, features, y, labels, C) -> np.ndarray:
    """Arrange (kernel, bias) as liblinear's ``init_sol``.

    liblinear's w has ``w_size = n_features + 1`` rows (the bias last); with more than
    two classes ``init_sol[j * nr_class + i]`` is feature ``j`` of the i-th label of
    ``labels``; with two classes it is one vector for ``labels[0]`` (positive). For
    two classes the network's units give two candidates, ``w_{labels[0]}`` and
    ``-w_{labels[1]}``; take the one with the lower objective so that the refit never
    ends above the network's objective.
    """
    w_ext = np.vstack([kernel, bias[None, :]])  # (w_size, n_classes)
    if len(labels) > 2:
        return w_ext[:, labels].ravel()  # row-major (j, i) = j * nr_class + i
    pos, neg = labels
    candidates = [w_ext[:, pos], -w_ext[:, neg]]
    binary_y = np.where(y == pos, 0, 1)
    objectives = [
        primal_objective_terms(c[:-1, None], c[-1:], features, binary_y, C=C)[0]
        for c in candidates
    ]
    return candidates[int(np.argmin(objectives))]


def liblinear_ovr_weights(model, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Return a liblinear model's weights in class-index order.

    Parameters
    ----------
    model : liblinear model trained with ``-B 1`` on labels ``0 .. n_classes - 1``
    n_classes : int

    Returns
    -------
    kernel : ndarray, shape (n_features, n_classes)
    bias : ndarray, shape (n_classes,)
        Column ``k`` scores class ``k`` against the rest. For two classes liblinear
        stores one vector for ``model.get_labels()[0]``; the other class gets its
        negation, so ``argmax`` of the scores equals liblinear's prediction.
    """
    labels = model.get_labels()
    if sorted(labels) != list(range(n_classes)):
        raise ValueError(f"Expected liblinear labels 0..{n_classes - 1}, got {labels}.")
    n_features = model.get_nr_feature()
    kernel = np.zeros((n_features, n_classes))
    bias = np.zeros(n_classes)
    if n_classes == 2:
        w, b = model.get_decfun(0)
        kernel[:, labels[0]], bias[labels[0]] = w, b
        kernel[:, labels[1]], bias[labels[1]] = -np.asarray(w), -b
        return kernel, bias
    for i, label in enumerate(labels):
        w, b = model.get_decfun(i)
        kernel[:, label], bias[label] = w, b
    return kernel, bias


def liblinear_predict(model, features: np.ndarray) -> np.ndarray:
    """Return liblinear's own predicted labels for ``features`` (n_samples, n_features)."""
    import scipy.sparse
    from liblinear import liblinearutil

    x = scipy.sparse.csr_matrix(np.asarray(features, np.float64))
    labels, _, _ = liblinearutil.predict([], x, model, "-q")
    return np.asarray(labels, dtype=np.int64)


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


# --------------------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------------------
class _SVMBaseline(EmotionModel):
    """Shared parts of the SVM baselines: modality choice and standardisation.

    ``seed``, ``max_epochs``, ``patience``, ``min_delta`` and ``batch_size`` are
    accepted so that every model takes the same keyword arguments; only ``seed`` is
    used (``FeatureFusionSVM``'s ``random_state``); liblinear is deterministic.
    ``history`` holds ``epochs = 0`` and the final training / validation accuracy.
    """

    def _standardised(self, data: WindowData) -> np.ndarray:
        return self.scalers_["features"].transform(data.features(self._params["modality"]))

    def _start_fit(self, train: WindowData) -> np.ndarray:
        self._set_n_classes(train)
        x = train.features(self._params["modality"])
        self.scalers_ = {"features": FeatureScaler("standard").fit(x)}
        return self._standardised(train)

    def _finish_fit(self, train: WindowData, val: WindowData | None) -> None:
        self.history = {
            "epochs": 0,
            "train_accuracy": self.score(train),
            "val_accuracy": None if val is None else self.score(val),
        }
        logger.info("%s fitted: train_acc %.4f%s", self.name, self.history["train_accuracy"],
                    "" if val is None else f" val_acc {self.history['val_accuracy']:.4f}")


class LinearSVM(_SVMBaseline):
    """Linear L2-SVM baseline on standardised features: liblinear ``-s 2 -B 1 -R``'s problem,
    solved to its minimum by :func:`fit_certified_svm` (liblinear the warm start).

    Parameters
    ----------
    C : float
        liblinear cost.
    modality : {"both", "eeg", "other"}
        Concatenated EEG + other features, or one modality alone.
    eps : float
        liblinear's stopping tolerance ``-e`` for the warm start (the result does not
        depend on it).
    n_classes : int | None
        None infers ``max(train.y) + 1``.
    seed, max_epochs, patience, min_delta, batch_size :
        Accepted for a uniform interface; unused (see :class:`_SVMBaseline`).
    """

    name = "linear_svm"
    default_space = {"C": {"log10": [-4, 0]}}

    def __init__(
        self,
        *,
        C: float = 1.0,
        modality: Literal["both", "eeg", "other"] = "both",
        eps: float = 0.01,
        n_classes: int | None = None,
        seed: int = 0,
        max_epochs: int = 1000,
        patience: int = 120,
        min_delta: float = 0.001,
        batch_size: int | None = None,
    ) -> None:
        self._store_params(locals())
        _check_range("C", C, low=0.0, low_open=True)
        _check_range("eps", eps, low=0.0, low_open=True)
        _check_option("modality", modality, MODALITIES)
        self._weights = None

    def fit(self, train: WindowData, val: WindowData | None = None) -> LinearSVM:
        """Fit on ``train``; ``val`` is only scored (no early stopping)."""
        x = self._start_fit(train)
        solved = fit_certified_svm(x, train.y, C=self._params["C"], eps=self._params["eps"], name=self.name)
        self._weights = (solved.kernel, solved.bias)
        self._finish_fit(train, val)
        self.history["svm_certificate"] = solved.certificate
        return self

    def decision_function(self, data: WindowData) -> np.ndarray:
        """Return one-vs-rest scores, shape (n_windows, n_classes)."""
        self._check_fitted()
        kernel, bias = self._weights
        return self._standardised(data).astype(np.float64) @ kernel + bias

    def _save_files(self, directory: Path) -> None:
        np.savez(directory / "svm_weights.npz", kernel=self._weights[0], bias=self._weights[1])

    def _load_files(self, directory: Path) -> None:
        with np.load(directory / "svm_weights.npz") as saved:
            self._weights = (saved["kernel"], saved["bias"])


class FeatureFusionSVM(_SVMBaseline):
    """"Feature Fusion" baseline (Fig. 3): RBF-kernel SVM on concatenated standardised features.

    Parameters
    ----------
    C : float
        SVC cost.
    gamma : float | {"scale", "auto"}
        RBF kernel width, as in :class:`sklearn.svm.SVC`.
    modality : {"both", "eeg", "other"}
        "both" is the paper's feature fusion; the others give single-modality RBF SVMs.
    n_classes : int | None
        None infers ``max(train.y) + 1``.
    seed : int
        ``random_state`` of the SVC.
    max_epochs, patience, min_delta, batch_size :
        Accepted for a uniform interface; unused.
    """

    name = "feature_fusion"
    default_space = {"C": {"log10": [-1, 2]}, "gamma": {"log10": [-4, -2]}}

    def __init__(
        self,
        *,
        C: float = 1.0,
        gamma: float | Literal["scale", "auto"] = "scale",
        modality: Literal["both", "eeg", "other"] = "both",
        n_classes: int | None = None,
        seed: int = 0,
        max_epochs: int = 1000,
        patience: int = 120,
        min_delta: float = 0.001,
        batch_size: int | None = None,
    ) -> None:
        self._store_params(locals())
        _check_range("C", C, low=0.0, low_open=True)
        if isinstance(gamma, str):
            _check_option("gamma", gamma, ("scale", "auto"))
        else:
            _check_range("gamma", gamma, low=0.0, low_open=True)
        _check_option("modality", modality, MODALITIES)
        self.svc_ = None

    def fit(self, train: WindowData, val: WindowData | None = None) -> FeatureFusionSVM:
        """Fit on ``train``; ``val`` is only scored (no early stopping)."""
        from sklearn.svm import SVC

        x = self._start_fit(train)
        p = self._params
        self.svc_ = SVC(kernel="rbf", C=p["C"], gamma=p["gamma"],
                        decision_function_shape="ovr", random_state=p["seed"])
        self.svc_.fit(x, train.y)
        self._finish_fit(train, val)
        return self

    def decision_function(self, data: WindowData) -> np.ndarray:
        """Return scores, shape (n_windows, n_classes) (binary: ``[-d, d]``)."""
        self._check_fitted()
        d = self.svc_.decision_function(self._standardised(data))
        scores = np.column_stack([-d, d]) if d.ndim == 1 else d
        out = np.full((len(scores), self.n_classes_), -np.inf)
        out[:, self.svc_.classes_] = scores  # classes absent from train never win
        return out

    def _save_files(self, directory: Path) -> None:
        with open(directory / "svc.pkl", "wb") as f:
            pickle.dump(self.svc_, f)

    def _load_files(self, directory: Path) -> None:
        with open(directory / "svc.pkl", "rb") as f:
            self.svc_ = pickle.load(f)
