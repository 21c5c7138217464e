"""Linear L2-SVMs with liblinear: the SVM refit of Sec. 3.2 and the SVM baselines.

* :func:`refit_last_layer` retrains a network's last layer with liblinear ``-s 2``
  on the features of its encoders and copies the weights back (Sec. 3.2).
* :class:`LinearSVM`: liblinear ``-s 2`` on concatenated (or single-modality)
  standardised features, the "baseline method" of Sec. 5.
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
    if not return_run:
        return model
    text = "".join(messages)
    run = LiblinearRun(
        newton_iterations=sum(1 for line in text.splitlines() if line.startswith("iter")),
        hit_iteration_limit="max number of Newton iterations" in text,
        line_search_failures=text.count("line search fails"),
    )
    return model, run


#: liblinear tolerance of the lambda path's intermediate stages (warm starts only).
INTERMEDIATE_EPS = 1e-3


def minimise_l2svm(
    features: np.ndarray,
    y: np.ndarray,
    *,
    lam: float,
    eps: float = 1e-10,
    init: tuple[np.ndarray, np.ndarray] | None = None,
    max_restarts: int = 5,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Minimise J = sum of squared hinges + lam ||W||^2 with liblinear, to its optimum.

    liblinear ``-s 2`` alone stops far above the optimum at the large costs
    ``C = 1/(2 lam)`` of Table 1 (lam down to 1e-9): its tolerance is relative to the
    gradient at w = 0, which grows with C, and its line search stalls on the badly
    conditioned problem. Here the problem is solved along a path of decreasing
    lam (decades from 0.1 down to ``lam``), each stage warm-started from the previous
    one (one loose run, :data:`INTERMEDIATE_EPS`); the final stage runs at ``eps`` and
    is restarted from its own solution while that still lowers J (at most
    ``max_restarts`` times); every stage is then a mildly harder problem started
    close to its solution. ``init`` (e.g. the network's last layer) is a second
    candidate for the final stage, so the result is never worse than it.

    Returns
    -------
    kernel : ndarray, shape (n_features, n_classes)
    bias : ndarray, shape (n_classes,)
    info : dict
        ``newton_iterations`` (all runs), ``liblinear_runs``, ``hit_iteration_limit``
        (any run stopped at liblinear's cap), ``line_search_failures``, ``converged``
        (the last run of the final stage changed J by less than 1e-9 relative and did
        not stop at the cap), ``objective`` (J), ``liblinear_model`` (the run that gave
        the weights; None if no run improved on ``init``).
    """
    features = np.asarray(features, np.float64)
    n_classes = int(np.max(y)) + 1
    stages = [s for s in (10.0 ** -e for e in range(1, 10)) if s > lam * (1 + 1e-9)] + [lam]
    totals = {"newton_iterations": 0, "liblinear_runs": 0, "hit_iteration_limit": False,
              "line_search_failures": 0}

    def objective(kernel, bias, stage_lam):
        return 2 * stage_lam * primal_objective(kernel, bias, features, y, C=svm_cost(stage_lam))

    def solve(stage_lam, start, *, stage_eps=eps, restarts=max_restarts):
        """Restart liblinear from its own solution while J still falls."""
        current, model_of_current = start, None
        j_current = np.inf if start is None else objective(*start, stage_lam)
        for _ in range(restarts + 1):
            model, run = train_l2svm(features, y, C=svm_cost(stage_lam), eps=stage_eps, init=current,
                                     return_run=True)
            totals["newton_iterations"] += run.newton_iterations
            totals["liblinear_runs"] += 1
            totals["hit_iteration_limit"] |= run.hit_iteration_limit
            totals["line_search_failures"] += run.line_search_failures
            candidate = liblinear_ovr_weights(model, n_classes)
            j_new = objective(*candidate, stage_lam)
            gain = j_current - j_new
            if j_new <= j_current:
                current, j_current, model_of_current = candidate, j_new, model
            if gain <= 1e-9 * abs(j_new) and not run.hit_iteration_limit:
                return current, j_current, model_of_current, True
        return current, j_current, model_of_current, False

    path = None
    for stage_lam in stages[:-1]:  # stepping stones: one loose run each is enough
        path, _, _, _ = solve(stage_lam, path, stage_eps=max(eps, INTERMEDIATE_EPS), restarts=0)
    best, j_best, model, converged = solve(lam, path)
    if init is not None:
        start = (np.asarray(init[0], np.float64), np.asarray(init[1], np.float64))
        from_init, j_init, model_init, converged_init = solve(lam, start)
        if j_init < j_best:
            best, j_best, model, converged = from_init, j_init, model_init, converged_init
    info = {**totals, "converged": bool(converged), "objective": float(j_best), "liblinear_model": model}
    return best[0], best[1], info


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
        liblinear's tolerance ``-e`` of every run.
    n_windows : int
        Training windows (samples of the SVM).
    objective_before, objective_after : float
        The network's objective J (:meth:`SVMNetwork.objective`) on the training
        windows before and after copying liblinear's weights back.
    train_accuracy_before, train_accuracy_after : float
    newton_iterations, liblinear_runs, line_search_failures : int
        Work done by liblinear over the whole lambda path (:func:`minimise_l2svm`).
    hit_iteration_limit : bool
        A liblinear run stopped at its iteration cap (also logged as a warning).
    converged : bool
        The final stage stopped because J no longer fell, not at a cap.
    liblinear_labels : tuple of int
        ``model.get_labels()`` of the liblinear model (its class order).
    liblinear_model : liblinear model
        The trained SVM, e.g. for :func:`liblinear_predict` (not serialised).
    """

    lam: float
    C: float
    eps: float
    n_windows: int
    objective_before: float
    objective_after: float
    train_accuracy_before: float
    train_accuracy_after: float
    newton_iterations: int
    liblinear_runs: int
    line_search_failures: int
    hit_iteration_limit: bool
    converged: bool
    liblinear_labels: tuple[int, ...]
    liblinear_model: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "liblinear_model"}
        d["liblinear_labels"] = list(self.liblinear_labels)
        return d


#: Default liblinear tolerance of the refit: tight, so the lambda path reaches J's
#: optimum (1e-4 stopped 2.6x above it in the median, up to 4800x at lambda = 1e-9).
REFIT_EPS = 1e-10


def refit_last_layer(
    model: SVMNetwork,
    train: WindowData,
    *,
    lam: float | None = None,
    eps: float = REFIT_EPS,
    warm_start: bool = True,
) -> RefitReport:
    """Retrain a network's SVM layer with liblinear and copy the weights back (Sec. 3.2).

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
        liblinear's stopping tolerance ``-e`` of every run (default
        :data:`REFIT_EPS`).
    warm_start : bool
        Also start liblinear from the network's current last layer (``init_sol``) and
        keep the better solution, which guarantees ``objective_after <=
        objective_before``.

    Returns
    -------
    report : RefitReport
        Also stored as ``model.history["refit"]`` (without the liblinear model).

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

    **Reaching the optimum.** :func:`minimise_l2svm` solves along a decreasing lambda
    path with warm starts and restarts, so J ends at its minimum for every lambda of
    Table 1 (1e-9 to 1), not where liblinear's relative tolerance first fires.
    """
    model._check_fitted()
    lam = model.get_params()["l2"] if lam is None else float(lam)
    C = svm_cost(lam)
    n_classes = model.n_classes_
    if sorted(np.unique(train.y).tolist()) != list(range(n_classes)):
        raise ValueError(
            f"The refit needs windows of all {n_classes} classes; the training labels "
            f"hold {np.unique(train.y).tolist()}."
        )
    features = model.extract_features(train).astype(np.float64)
    kernel, bias = model.svm_weights()
    before = model.objective(train, l2=lam)
    acc_before = model.score(train)
    new_kernel, new_bias, info = minimise_l2svm(
        features, train.y, lam=lam, eps=eps, init=(kernel, bias) if warm_start else None)
    model.set_svm_weights(new_kernel, new_bias)
    after = model.objective(train, l2=lam)
    lib = info["liblinear_model"]
    report = RefitReport(
        lam=lam, C=C, eps=eps, n_windows=train.n_windows,
        objective_before=before, objective_after=after,
        train_accuracy_before=acc_before, train_accuracy_after=model.score(train),
        newton_iterations=info["newton_iterations"], liblinear_runs=info["liblinear_runs"],
        line_search_failures=info["line_search_failures"],
        hit_iteration_limit=info["hit_iteration_limit"], converged=info["converged"],
        liblinear_labels=tuple(lib.get_labels()) if lib is not None else tuple(range(n_classes)),
        liblinear_model=lib,
    )
    logger.info(
        "%s SVM refit (liblinear -s 2, C = 1/(2*%g) = %g, eps %g): objective %.6g -> %.6g, "
        "train_acc %.4f -> %.4f, %d Newton iterations in %d runs, converged %s",
        model.name, lam, C, eps, before, after, report.train_accuracy_before,
        report.train_accuracy_after, report.newton_iterations, report.liblinear_runs,
        report.converged,
    )
    if report.hit_iteration_limit:
        logger.warning("%s SVM refit: liblinear stopped at its Newton iteration limit "
                       "(lambda %g); the refit may be above its optimum", model.name, lam)
    if after > before * (1 + 1e-6):
        logger.warning("%s SVM refit raised the objective (%.6g -> %.6g); warm_start=%s",
                       model.name, before, after, warm_start)
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
    """Linear L2-SVM baseline: liblinear ``-s 2 -B 1 -R`` on standardised features.

    Parameters
    ----------
    C : float
        liblinear cost.
    modality : {"both", "eeg", "other"}
        Concatenated EEG + other features, or one modality alone.
    eps : float
        liblinear stopping tolerance ``-e``.
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
        self.liblinear_model_ = None

    def fit(self, train: WindowData, val: WindowData | None = None) -> LinearSVM:
        """Fit on ``train``; ``val`` is only scored (no early stopping)."""
        x = self._start_fit(train)
        self.liblinear_model_ = train_l2svm(x, train.y, C=self._params["C"],
                                            eps=self._params["eps"])
        self._weights = liblinear_ovr_weights(self.liblinear_model_, self.n_classes_)
        self._finish_fit(train, val)
        return self

    def decision_function(self, data: WindowData) -> np.ndarray:
        """Return one-vs-rest scores, shape (n_windows, n_classes)."""
        self._check_fitted()
        kernel, bias = self._weights
        return self._standardised(data).astype(np.float64) @ kernel + bias

    def _save_files(self, directory: Path) -> None:
        from liblinear import liblinearutil

        liblinearutil.save_model(str(directory / "liblinear.model"), self.liblinear_model_)

    def _load_files(self, directory: Path) -> None:
        from liblinear import liblinearutil

        self.liblinear_model_ = liblinearutil.load_model(str(directory / "liblinear.model"))
        self._weights = liblinear_ovr_weights(self.liblinear_model_, self.n_classes_)


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
