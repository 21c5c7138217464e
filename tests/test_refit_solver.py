"""The refit's exact solver (models/finite_newton.py) against an independent minimiser.

The reference is written differently on purpose: a primal-dual active-set method on
the *dual* of the L2-loss SVM (a small linear KKT system over the support vectors),
where the package solves regularised least squares in the primal. Plain L-BFGS is no
reference: it stalls above the optimum at lambda = 1e-9 on separable features.
"""

from __future__ import annotations

import numpy as np
import pytest

from multimodal_emotion.models.finite_newton import (
    binary_objective,
    certificate,
    minimise_binary,
    minimise_ovr,
    ovr_certificate,
)
from multimodal_emotion.models.liblinear import liblinear_ovr_weights, svm_cost, train_l2svm

LAMBDAS = [1e-2, 1e-5, 1e-9]


def features_and_labels(*, separable: bool, n_classes: int, n=300, d=24, seed=0):
    """tanh features like a network's last hidden layer; separable = training accuracy 1.0."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % n_classes)
    prototypes = rng.normal(size=(n_classes, d))
    noise = 0.15 if separable else 1.5
    if not separable:
        d = 8
        prototypes = prototypes[:, :d]
    return np.tanh(0.6 * prototypes[y] + noise * rng.normal(size=(n, d))), y


def dual_active_set(features, targets, lam, start_support, max_iterations=2000):
    """Minimise J through its dual by a primal-dual active-set method; return (w, b).

    With beta = alpha / (2 lam), the KKT conditions on the support set S are
    [lam I + T K_SS T, t_S; t_S^T, 0] [beta_S; b] = [1; 0], beta_S > 0, and every window
    outside S has margin >= 1; then w = sum_S beta_n t_n h_n. ``start_support`` is a
    first guess of S (any: the method adds and removes windows until the conditions hold).
    """
    support = np.asarray(start_support, dtype=bool).copy()
    for _ in range(max_iterations):
        idx = np.flatnonzero(support)
        h, t = features[idx], targets[idx]
        system = np.zeros((len(idx) + 1, len(idx) + 1))
        system[:-1, :-1] = lam * np.eye(len(idx)) + (t[:, None] * t[None, :]) * (h @ h.T)
        system[:-1, -1] = t
        system[-1, :-1] = t
        solution = np.linalg.solve(system, np.concatenate([np.ones(len(idx)), [0.0]]))
        beta, bias = solution[:-1], solution[-1]
        weights = (beta * t) @ h
        if beta.min() < 0:  # leaves the support set
            support[idx[np.argmin(beta)]] = False
            continue
        margins = targets * (features @ weights + bias)
        outside = ~support & (margins < 1 - 1e-12)
        if not outside.any():
            return weights, bias
        support[np.flatnonzero(outside)[np.argmin(margins[outside])]] = True
    raise AssertionError("the reference active-set method did not terminate")


@pytest.mark.parametrize("lam", LAMBDAS)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("separable", [True, False], ids=["separable", "overlapping"])
def test_refit_solver_reaches_the_independent_optimum(lam, n_classes, separable):
    features, y = features_and_labels(separable=separable, n_classes=n_classes)
    liblinear = liblinear_ovr_weights(train_l2svm(features, y, C=svm_cost(lam)), n_classes)
    solution = minimise_ovr(features, y, lam=lam, start=liblinear)
    train_accuracy = np.mean(np.argmax(features @ solution.kernel + solution.bias, axis=1) == y)
    if separable:
        assert train_accuracy == 1.0
    else:
        assert train_accuracy < 1.0
    reference_j = 0.0
    for k in ([0] if n_classes == 2 else range(n_classes)):
        targets = np.where(y == k, 1.0, -1.0)
        start = targets * (features @ liblinear[0][:, k] + liblinear[1][k]) < 1
        w, b = dual_active_set(features, targets, lam, start)
        reference_j += binary_objective(w, b, features, targets, lam)
        mine = binary_objective(solution.kernel[:, k], solution.bias[k], features, targets, lam)
        assert mine <= binary_objective(w, b, features, targets, lam) * (1 + 1e-6)
    reference_j *= 2 if n_classes == 2 else 1  # two mirrored units
    assert solution.objective <= reference_j * (1 + 1e-6)
    assert solution.objective >= reference_j * (1 - 1e-6)  # and the reference is not worse either
    assert solution.converged
    assert solution.certificate.worst < 1e-8
    assert ovr_certificate(solution.kernel, solution.bias, features, y, lam).worst < 1e-8


@pytest.mark.parametrize("lam", [1e-5, 1e-9])
def test_certificate_fails_at_liblinear_alone_and_at_a_perturbed_optimum(lam):
    """The certificate can fail: liblinear's own stopping point at the paper's settings,
    and the optimum moved by 1e-4 relative, are both far above 1e-8."""
    features, y = features_and_labels(separable=True, n_classes=2)
    targets = np.where(y == 0, 1.0, -1.0)
    kernel, bias = liblinear_ovr_weights(train_l2svm(features, y, C=svm_cost(lam)), 2)
    assert certificate(kernel[:, 0], bias[0], features, targets, lam).duality_gap > 1e-3
    best = minimise_binary(features, targets, lam=lam)
    rng = np.random.default_rng(1)
    moved = best.weights * (1 + 1e-4 * rng.standard_normal(best.weights.shape))
    assert certificate(moved, best.bias, features, targets, lam).worst > 1e-8


def test_line_search_is_exact():
    """Each accepted step lands on the minimum of J along its direction."""
    from multimodal_emotion.models.finite_newton import _exact_line_search

    features, y = features_and_labels(separable=False, n_classes=2, n=120)
    targets = np.where(y == 0, 1.0, -1.0)
    rng = np.random.default_rng(3)
    d = features.shape[1]
    for lam in LAMBDAS:
        w, b = rng.normal(size=d), 0.3
        dw, db = rng.normal(size=d), -0.2
        scores, direction = features @ w + b, features @ dw + db
        delta = _exact_line_search(w, dw, 1 - targets * scores, direction, targets, lam)
        j = lambda s: binary_objective(w + s * dw, b + s * db, features, targets, lam)  # noqa: E731
        grid = np.linspace(0, 4 * max(delta, 1e-3), 4001)
        assert j(delta) <= min(j(s) for s in grid) * (1 + 1e-12) + 1e-300


def test_solver_is_independent_of_its_start():
    """J is strictly convex: from zero, from liblinear's point or from a random point
    the solver ends at the same weights."""
    features, y = features_and_labels(separable=True, n_classes=3)
    lam = 1e-5
    starts = [None, liblinear_ovr_weights(train_l2svm(features, y, C=svm_cost(lam)), 3),
              (np.random.default_rng(0).normal(size=(features.shape[1], 3)), np.ones(3))]
    solutions = [minimise_ovr(features, y, lam=lam, start=s) for s in starts]
    for other in solutions[1:]:
        np.testing.assert_allclose(other.kernel, solutions[0].kernel, rtol=1e-7, atol=1e-7 * np.abs(solutions[0].kernel).max())
        assert other.objective == pytest.approx(solutions[0].objective, rel=1e-10)


def test_every_linear_svm_is_certified_where_liblinear_stops_early(caplog):
    """The baselines', DCCA's and the BDAE's SVM (fit_certified_svm): on separable features at
    a large C, liblinear at -e 0.01 stops by its relative rule far above the minimum; the
    certified solver ends at a lower J with a certificate <= 1e-8, and liblinear's own
    messages, thrown away before, reach the log."""
    import logging

    from multimodal_emotion.models.liblinear import primal_objective
    from multimodal_emotion.models.refit import fit_certified_svm

    features, y = features_and_labels(separable=True, n_classes=3)
    C = svm_cost(1e-9)
    with caplog.at_level(logging.DEBUG, logger="multimodal_emotion"):
        solved = fit_certified_svm(features, y, C=C, eps=0.01, name="test SVM")
    assert any(r.getMessage().startswith("liblinear: iter") for r in caplog.records)
    liblinear = liblinear_ovr_weights(train_l2svm(features, y, C=C, eps=0.01), 3)
    j_liblinear = primal_objective(*liblinear, features, y, C=C) / C  # = J (2 lambda = 1 / C)
    assert solved.objective_liblinear == pytest.approx(j_liblinear, rel=1e-9)
    assert solved.objective < 1e-3 * j_liblinear
    assert solved.certificate <= 1e-8 and solved.converged


@pytest.mark.parametrize("message", ["\nWARNING: reaching max number of Newton iterations\n",
                                     "WARNING: line search fails\n"])
def test_liblinear_warnings_reach_the_log_as_warnings(message, caplog):
    """liblinear's two warnings (its exact words, newton.cpp), given to the handler its print
    callback feeds, are logged at WARNING; its iteration lines only at DEBUG."""
    import logging

    from multimodal_emotion.models.liblinear import _log_liblinear

    with caplog.at_level(logging.DEBUG, logger="multimodal_emotion"):
        _log_liblinear("iter  1 f 1.0e+00 |g| 1.0e-01 CG   2 step_size 1.00e+00\n" + message, eps=0.01)
    levels = {r.getMessage(): r.levelno for r in caplog.records}
    assert [lvl for text, lvl in levels.items() if "WARNING" in text] == [logging.WARNING]
    assert [lvl for text, lvl in levels.items() if text.startswith("liblinear: iter")] == [logging.DEBUG]
