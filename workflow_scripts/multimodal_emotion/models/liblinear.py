"""liblinear's L2-SVM (``-s 2 -B 1 -R``): training, its weights in class order, its objective.

The first step of every linear SVM of the workflow (:mod:`~.refit` finishes it with
the finite Newton solver of :mod:`~.finite_newton`).

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

from dataclasses import dataclass

import numpy as np

from .training import logger


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
