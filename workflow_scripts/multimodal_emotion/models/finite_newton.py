"""Exact minimiser of the L2-loss linear SVM primal: the refit's solver.

For one one-vs-rest problem with features :math:`h_n` (N x D), targets
:math:`t_n = \\pm 1` and L2 strength :math:`\\lambda > 0`,

.. math:: J(w, b) = \\sum_n \\max(0, 1 - t_n(h_n^\\top w + b))^2 + \\lambda\\lVert w\\rVert^2

(bias not regularised: the network's objective, liblinear ``-s 2 -R`` times
:math:`2\\lambda`). J is a strictly convex piecewise quadratic, and the modified finite
Newton method (Keerthi and DeCoste, JMLR 6, 2005, Algorithm 1) finds its minimiser in a
finite number of steps:

1. active set :math:`A = \\{n : t_n s_n < 1\\}` at the current point;
2. solve the regularised least squares restricted to A,
   :math:`\\min \\lVert [H_A, 1](w; b) - t_A\\rVert^2 + \\lambda\\lVert w\\rVert^2`;
3. if the active set at that solution is A again, it is the minimiser; otherwise an
   exact line search along the piecewise quadratic J moves towards it, and 1-3 repeat.

Step 2 is a (D + 1)-square Cholesky solve when more windows are active than half the
features, or the equivalent bordered kernel system of the active windows when fewer are
(the separable, tiny-:math:`\\lambda` case, where the normal matrix is near-singular),
each refined against the true residual (:func:`_regularised_least_squares`). From a poor start
at tiny :math:`\\lambda` the method takes many short steps, so the refit follows
:math:`\\lambda` down from 1 by decades, each stage an exact solve started at the last
one's minimiser (:func:`minimise_binary_path`).

Certificate
-----------
:func:`certificate` measures optimality three ways, each relative, so a reader can
check the returned point without trusting the solver:

* ``relative_gradient``: :math:`\\lVert\\nabla J\\rVert / \\lVert\\nabla J(0, 0)\\rVert`
  (liblinear's own scale);
* ``kkt_violation``: the largest KKT violation. The primal is unconstrained and J is
  continuously differentiable, so its KKT conditions are stationarity alone: the
  largest gradient component :math:`\\lVert\\nabla J\\rVert_\\infty`, relative to
  :math:`\\lVert\\nabla J(0, 0)\\rVert_\\infty`. Both gradient measures shrink with
  :math:`\\lambda` at any point, so on their own they certify little at tiny
  :math:`\\lambda`; hence
* ``duality_gap``, the scale-free one: with the dual variables :math:`\\alpha_n = 2\\xi_n`
  (:math:`\\xi_n` the slacks) that the point implies,
  :math:`(J - D(\\tilde\\alpha)) / J`, where :math:`\\tilde\\alpha` is
  :math:`\\alpha` rescaled per class side to satisfy :math:`\\sum\\tilde\\alpha_n t_n = 0`
  and :math:`D(\\alpha) = \\sum\\alpha_n - \\tfrac14\\sum\\alpha_n^2
  - \\lVert\\sum_n\\alpha_n t_n h_n\\rVert^2 / (4\\lambda)` is the dual objective; since
  :math:`D(\\tilde\\alpha) \\le J^* \\le J`, J is within that factor of the optimum. At
  tiny :math:`\\lambda` the slacks are ~1e-12 and their rounding makes that
  :math:`\\alpha` noisy, so a second feasible dual point, solved from the weights, is
  tried too and the larger lower bound counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Certificate:
    """Relative optimality measures of a point (see the module docstring)."""

    relative_gradient: float
    kkt_violation: float
    duality_gap: float

    @property
    def worst(self) -> float:
        return max(self.relative_gradient, self.kkt_violation, self.duality_gap)


@dataclass(frozen=True)
class NewtonResult:
    """Outcome of :func:`minimise_binary` for one problem."""

    weights: np.ndarray
    bias: float
    objective: float
    steps: int
    converged: bool  # the active set repeated (exact termination), not the step cap
    n_active: int  # windows on or inside the margin at the solution
    certificate: Certificate


def binary_objective(weights: np.ndarray, bias: float, features: np.ndarray, targets: np.ndarray,
                     lam: float) -> float:
    """Return J(w, b) of the module docstring, float64."""
    slack = np.maximum(0.0, 1.0 - targets * (features @ weights + bias))
    return float(slack @ slack + lam * (weights @ weights))


def certificate(weights: np.ndarray, bias: float, features: np.ndarray, targets: np.ndarray,
                lam: float) -> Certificate:
    """Return the :class:`Certificate` of the point (w, b) for one binary problem."""
    weights, features = np.asarray(weights, np.float64), np.asarray(features, np.float64)
    targets = np.asarray(targets, np.float64)
    slack = np.maximum(0.0, 1.0 - targets * (features @ weights + bias))
    alpha = 2.0 * slack
    pulled = features.T @ (alpha * targets)  # sum_n alpha_n t_n h_n
    grad_w = 2.0 * lam * weights - pulled
    grad_b = -float(alpha @ targets)
    grad_zero_w = -2.0 * (features.T @ targets)  # at w = 0, b = 0 every slack is 1
    grad_zero_b = -2.0 * float(targets.sum())
    zero_norm = np.sqrt(grad_zero_w @ grad_zero_w + grad_zero_b**2)
    relative_gradient = float(np.sqrt(grad_w @ grad_w + grad_b**2) / max(zero_norm, np.finfo(float).tiny))

    zero_largest = max(np.max(np.abs(grad_zero_w), initial=0.0), abs(grad_zero_b))
    largest = max(np.max(np.abs(grad_w), initial=0.0), abs(grad_b))
    kkt_violation = float(largest / max(zero_largest, np.finfo(float).tiny))

    objective = float(slack @ slack + lam * (weights @ weights))
    dual = max(_dual_objective(_balanced_dual(alpha, targets), features, targets, lam),
               _dual_objective(_dual_from_weights(weights, slack > 0, features, targets, lam),
                               features, targets, lam))
    duality_gap = max(0.0, (objective - dual) / objective) if objective > 0 else 0.0
    return Certificate(relative_gradient, kkt_violation, float(duality_gap))


def _dual_objective(alpha: np.ndarray, features: np.ndarray, targets: np.ndarray, lam: float) -> float:
    """D(alpha) = sum alpha - sum alpha^2 / 4 - ||sum alpha_n t_n h_n||^2 / (4 lam), a lower
    bound of J's minimum for every alpha >= 0 with sum alpha_n t_n = 0."""
    pulled = features.T @ (alpha * targets)
    return float(alpha.sum() - 0.25 * (alpha @ alpha) - (pulled @ pulled) / (4.0 * lam))


def _dual_from_weights(weights, active, features, targets, lam) -> np.ndarray:
    """A second dual point, from the weights rather than the slacks.

    At tiny lambda the slacks are ~1e-12 and 1 - t s rounds them to a few digits, so
    alpha = 2 xi is noisy; the weights are not. Solve 2 lam w = sum_A alpha_n t_n h_n,
    sum_A alpha_n t_n = 0 for alpha on the active windows (least squares), then clip at
    0 and balance: feasible, so D of it is a valid lower bound too.
    """
    alpha = np.zeros(len(targets))
    if not 0 < active.sum() <= features.shape[1]:
        return alpha
    from scipy.linalg import lstsq

    system = np.vstack([(features[active] * targets[active, None]).T, targets[active][None, :]])
    rhs = np.append(2.0 * lam * weights, 0.0)
    solution, *_ = lstsq(system, rhs, lapack_driver="gelsy", check_finite=False)
    alpha[active] = np.maximum(solution, 0.0)
    return _balanced_dual(alpha, targets)


def _balanced_dual(alpha: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Rescale alpha on each side so that sum(alpha * t) = 0 (a feasible dual point)."""
    positive, negative = targets > 0, targets < 0
    mass_pos, mass_neg = alpha[positive].sum(), alpha[negative].sum()
    if mass_pos == 0 or mass_neg == 0:
        return np.zeros_like(alpha)
    mean = 0.5 * (mass_pos + mass_neg)
    out = alpha.copy()
    out[positive] *= mean / mass_pos
    out[negative] *= mean / mass_neg
    return out


class _ActiveGram:
    """X_A^T X_A of the current active set, X = [H, 1], updated by the rows that enter
    and leave it (a few per Newton step) instead of rebuilt; rebuilt when many change
    and every ``rebuild_every`` updates, so rounding cannot accumulate. Refinement
    against the true residual makes the solve exact even where the update rounds."""

    def __init__(self, features: np.ndarray, rebuild_every: int = 16) -> None:
        self.design = np.hstack([features, np.ones((len(features), 1))])
        self.rebuild_every = rebuild_every
        self.active: np.ndarray | None = None
        self.gram: np.ndarray | None = None
        self.updates = 0

    def of(self, active: np.ndarray) -> np.ndarray:
        if self.active is not None and self.updates < self.rebuild_every:
            entering, leaving = active & ~self.active, self.active & ~active
            if entering.sum() + leaving.sum() < active.sum() // 2:
                rows_in, rows_out = self.design[entering], self.design[leaving]
                self.gram = self.gram + rows_in.T @ rows_in - rows_out.T @ rows_out
                self.active, self.updates = active.copy(), self.updates + 1
                return self.gram
        rows = self.design[active]
        self.gram, self.active, self.updates = rows.T @ rows, active.copy(), 0
        return self.gram


def _regularised_least_squares(features_active: np.ndarray, targets_active: np.ndarray,
                               lam: float, refinements: int = 2, gram: np.ndarray | None = None) -> np.ndarray:
    """Solve min ||[H_A, 1] theta - t_A||^2 + lam ||theta[:-1]||^2 for theta = (w, b).

    The cheaper of two exact forms for the active set's size, each followed by
    ``refinements`` steps of iterative refinement against the true residual (which
    restores the accuracy a factorisation loses to conditioning):

    * more active windows than half the features: the (D + 1)-square system
      (X_A^T X_A + lam P) theta = X_A^T t_A, X_A = [H_A, 1], P = diag(1, ..., 1, 0),
      by Cholesky (``gram``: X_A^T X_A if already known, see :class:`_ActiveGram`);
    * fewer (the separable, tiny-lambda case, where few windows are active; there the
      normal matrix is near-singular and this system is not): w = H_A^T beta with [K + lam I, 1; 1^T, 0] (beta; b) = (t_A; 0),
      K = H_A H_A^T, an (|A| + 1)-square system, by LU.

    When a factorisation fails (a singular system), QR with column pivoting of the
    stacked matrix [H_A, 1; sqrt(lam) I, 0] solves it instead.
    """
    import scipy.linalg as la

    n_active, n_features = features_active.shape
    design = np.hstack([features_active, np.ones((n_active, 1))])
    penalty = np.full(n_features + 1, lam)
    penalty[-1] = 0.0

    def negative_gradient(theta):  # of the least-squares objective / 2
        return design.T @ (targets_active - design @ theta) - penalty * theta

    try:
        if 2 * n_active > n_features:
            normal = (design.T @ design if gram is None else gram) + np.diag(penalty)
            factor = la.cho_factor(normal, check_finite=False)
            theta = la.cho_solve(factor, design.T @ targets_active, check_finite=False)
            for _ in range(refinements):
                theta = theta + la.cho_solve(factor, negative_gradient(theta), check_finite=False)
            return theta
        if n_active > 0:
            bordered = np.empty((n_active + 1, n_active + 1))
            bordered[:n_active, :n_active] = features_active @ features_active.T
            bordered[np.arange(n_active), np.arange(n_active)] += lam
            bordered[:n_active, n_active] = bordered[n_active, :n_active] = 1.0
            bordered[n_active, n_active] = 0.0
            factor = la.lu_factor(bordered, check_finite=False)
            dual = la.lu_solve(factor, np.append(targets_active, 0.0), check_finite=False)
            for _ in range(refinements):  # w stays in the row space of H_A: correct beta and b
                beta = dual[:n_active]
                residual = targets_active - features_active @ (features_active.T @ beta) - dual[n_active]
                dual = dual + la.lu_solve(factor, np.append(residual - lam * beta, -beta.sum()),
                                          check_finite=False)
            return np.append(features_active.T @ dual[:n_active], dual[n_active])
    except (la.LinAlgError, ValueError):
        pass
    stacked = np.vstack([design, np.sqrt(penalty[:, None]) * np.eye(n_features + 1)])
    rhs = np.concatenate([targets_active, np.zeros(n_features + 1)])
    theta, *_ = la.lstsq(stacked, rhs, lapack_driver="gelsy", check_finite=False)
    return theta


def _exact_line_search(weights, direction_w, margins_gap, direction_scores, targets, lam) -> float:
    """Return the minimiser over delta >= 0 of J(theta + delta * d).

    ``margins_gap`` is 1 - t_n s_n at delta = 0 and ``direction_scores`` the change of
    the scores per unit delta. J'(delta) is continuous, piecewise linear and increasing;
    the root lies in the first interval between breakpoints where J' turns >= 0.
    """
    a = margins_gap
    c = targets * direction_scores  # slack_n(delta) = max(0, a_n - delta c_n)
    base = lam * float(weights @ direction_w)  # J'/2 = base + delta * curvature - S1 + delta * S2
    curvature = lam * float(direction_w @ direction_w)
    active = (a > 0) | ((a == 0) & (c < 0))
    s1 = float(np.sum(c[active] * a[active]))
    s2 = float(np.sum(c[active] ** 2))
    # breakpoints ahead: a_n - delta c_n changes sign at delta = a_n / c_n > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        where = a / c
    ahead = (c != 0) & (where > 0) & np.isfinite(where)
    order = np.argsort(where[ahead], kind="stable")
    points = where[ahead][order]
    c_ahead, a_ahead = c[ahead][order], a[ahead][order]
    # at a breakpoint a point with c > 0 leaves the active set, one with c < 0 enters it
    sign = np.where(c_ahead > 0, -1.0, 1.0)
    s1_after = s1 + np.cumsum(sign * c_ahead * a_ahead)
    s2_after = s2 + np.cumsum(sign * c_ahead**2)
    s1_segments = np.concatenate([[s1], s1_after])
    s2_segments = np.concatenate([[s2], s2_after])
    ends = np.concatenate([points, [np.inf]])
    slope_at_end = base - s1_segments + ends * (curvature + s2_segments)
    segment = int(np.argmax(slope_at_end >= 0)) if np.any(slope_at_end >= 0) else len(ends) - 1
    denominator = curvature + s2_segments[segment]
    if denominator <= 0:
        return 0.0
    return max(0.0, (s1_segments[segment] - base) / denominator)


def minimise_binary(features: np.ndarray, targets: np.ndarray, *, lam: float,
                    start: tuple[np.ndarray, float] | None = None, max_steps: int = 100,
                    _gram: _ActiveGram | None = None) -> NewtonResult:
    """Minimise J(w, b) of one problem by the modified finite Newton method.

    Parameters
    ----------
    features : ndarray, shape (n_samples, n_features)
        float64 is used throughout.
    targets : ndarray, shape (n_samples,)
        +1 / -1.
    lam : float
        L2 strength of the kernel (> 0); the bias is not regularised.
    start : (weights, bias) | None
        Starting point (e.g. liblinear's solution); None starts at zero.
    max_steps : int
        Cap on Newton steps; the method normally ends in a handful.

    Returns
    -------
    NewtonResult
    """
    if not lam > 0:
        raise ValueError(f"lam must be > 0, got {lam!r}.")
    features = np.asarray(features, np.float64)
    targets = np.asarray(targets, np.float64)
    n_features = features.shape[1]
    if start is None:
        weights, bias = np.zeros(n_features), 0.0
    else:
        weights, bias = np.asarray(start[0], np.float64).copy(), float(start[1])
    scores = features @ weights + bias
    gram = _ActiveGram(features) if _gram is None else _gram
    converged, steps = False, 0
    for steps in range(1, max_steps + 1):
        active = targets * scores < 1.0
        known = gram.of(active) if 2 * active.sum() > n_features else None
        theta = _regularised_least_squares(features[active], targets[active], lam, gram=known)
        new_w, new_b = theta[:-1], float(theta[-1])
        new_scores = features @ new_w + new_b
        if np.array_equal(targets * new_scores < 1.0, active):
            weights, bias, scores, converged = new_w, new_b, new_scores, True
            break
        delta = _exact_line_search(weights, new_w - weights, 1.0 - targets * scores,
                                   new_scores - scores, targets, lam)
        if delta == 0.0:  # no descent along the Newton direction: rounding; the certificate says how close
            break
        weights = weights + delta * (new_w - weights)
        bias = bias + delta * (new_b - bias)
        scores = scores + delta * (new_scores - scores)
    scores = features @ weights + bias  # recompute: no drift from the incremental updates
    return NewtonResult(
        weights=weights, bias=bias, objective=binary_objective(weights, bias, features, targets, lam),
        steps=steps, converged=converged, n_active=int(np.sum(targets * scores < 1.0)),
        certificate=certificate(weights, bias, features, targets, lam),
    )


def continuation_stages(lam: float) -> list[float]:
    """Decades from 1 down to ``lam``, then ``lam`` itself (a single stage when lam >= 1)."""
    return [s for s in (10.0 ** -e for e in range(0, 16)) if s > lam * (1 + 1e-9)] + [float(lam)]


def minimise_binary_path(features: np.ndarray, targets: np.ndarray, *, lam: float,
                         start: tuple[np.ndarray, float] | None = None, max_steps: int = 100) -> NewtonResult:
    """:func:`minimise_binary` along decreasing lambda, each stage started at the last one's minimiser.

    From a poor start at tiny lambda (near-separable features, an active set smaller
    than the number of unknowns), the least-squares point interpolates the active
    windows and throws the others far off, so the line search takes short steps
    (hundreds of them, measured). Between neighbouring decades the minimisers are close
    and their active sets nearly equal, so each stage ends in one to four steps. Every
    stage is an exact solve; only the last one is returned (its certificate is at ``lam``).
    """
    features = np.asarray(features, np.float64)
    total, result, gram = 0, None, _ActiveGram(features)  # the Gram does not depend on lambda
    for stage in continuation_stages(lam):
        result = minimise_binary(features, targets, lam=stage, start=start, max_steps=max_steps, _gram=gram)
        start, total = (result.weights, result.bias), total + result.steps
    return NewtonResult(weights=result.weights, bias=result.bias, objective=result.objective, steps=total,
                        converged=result.converged, n_active=result.n_active, certificate=result.certificate)


@dataclass(frozen=True)
class OvRSolution:
    """One-vs-rest solution over classes, in class-index order (see :func:`minimise_ovr`)."""

    kernel: np.ndarray  # (n_features, n_classes)
    bias: np.ndarray  # (n_classes,)
    objective: float  # J summed over the network's units (two mirrored units for 2 classes)
    steps: int  # Newton steps over all problems
    converged: bool
    certificate: Certificate  # the worst over the problems, measure by measure
    n_active: tuple[int, ...]


def minimise_ovr(features: np.ndarray, y: np.ndarray, *, lam: float,
                 start: tuple[np.ndarray, np.ndarray] | None = None, max_steps: int = 100) -> OvRSolution:
    """Minimise the network's one-vs-rest J over (kernel, bias), one problem per class.

    Each problem is solved by :func:`minimise_binary_path` (finite Newton along
    decreasing lambda, started at ``start``).

    For two classes there is one problem (class 0 positive) and the second unit is its
    mirror image, as with liblinear and :func:`~.svm.liblinear_ovr_weights`.

    Parameters
    ----------
    features : ndarray, shape (n_samples, n_features)
    y : ndarray of int, shape (n_samples,)
    lam : float
    start : (kernel (n_features, n_classes), bias (n_classes,)) | None
    max_steps : int
        Per problem and stage.
    """
    from threadpoolctl import threadpool_limits

    # small dense factorisations: one BLAS thread is fastest, and a multi-threaded BLAS
    # on busy cores spins (measured 200x slower for a 150-square LU under load)
    with threadpool_limits(limits=1, user_api="blas"):
        return _minimise_ovr(np.asarray(features, np.float64), np.asarray(y), lam=lam, start=start,
                             max_steps=max_steps)


def _minimise_ovr(features, y, *, lam, start, max_steps) -> OvRSolution:
    n_classes = int(y.max()) + 1
    kernel = np.zeros((features.shape[1], n_classes))
    bias = np.zeros(n_classes)
    results = []
    for k in _problems(n_classes):
        targets = np.where(y == k, 1.0, -1.0)
        first = None if start is None else (np.asarray(start[0])[:, k], float(np.asarray(start[1])[k]))
        result = minimise_binary_path(features, targets, lam=lam, start=first, max_steps=max_steps)
        kernel[:, k], bias[k] = result.weights, result.bias
        results.append(result)
    if n_classes == 2:
        kernel[:, 1], bias[1] = -kernel[:, 0], -bias[0]
    objective = sum(r.objective for r in results) * (2 if n_classes == 2 else 1)
    return OvRSolution(kernel=kernel, bias=bias, objective=float(objective),
                       steps=sum(r.steps for r in results), converged=all(r.converged for r in results),
                       certificate=_worst([r.certificate for r in results]),
                       n_active=tuple(r.n_active for r in results))


def _problems(n_classes: int) -> list[int]:
    """One-vs-rest problems: one for two classes (class 0 positive), else one per class."""
    return [0] if n_classes == 2 else list(range(n_classes))


def _worst(certificates: list[Certificate]) -> Certificate:
    return Certificate(*(max(getattr(c, f) for c in certificates)
                         for f in ("relative_gradient", "kkt_violation", "duality_gap")))


def ovr_certificate(kernel: np.ndarray, bias: np.ndarray, features: np.ndarray, y: np.ndarray,
                    lam: float) -> Certificate:
    """The worst :class:`Certificate` over the one-vs-rest problems of (kernel, bias)."""
    features = np.asarray(features, np.float64)
    kernel, bias = np.asarray(kernel, np.float64), np.asarray(bias, np.float64)
    return _worst([certificate(kernel[:, k], float(bias[k]), features, np.where(y == k, 1.0, -1.0), lam)
                   for k in _problems(kernel.shape[1])])
