"""Seconds and final J of the SVM refit (Sec. 3.2): liblinear alone, the lambda path, finite Newton.

Three solvers of the same problem, J(W, b) = sum of squared hinges + lambda ||W||^2
(bias free, one-vs-rest), all measured in this one run:

* ``liblinear``: liblinear -s 2 once at the paper's settings (C = 1/(2 lambda), its
  default tolerance 0.01): what the paper's tool gives;
* ``lambda path``: the refit up to a9c7ebf, copied here verbatim as the baseline:
  liblinear along decades of lambda with warm starts and restarts at -e 1e-10, plus a
  second start from the network's last layer;
* ``finite Newton``: today's refit, liblinear's point finished by the modified finite
  Newton method (models/finite_newton.py), with its certificate; its seconds include
  liblinear's first run.

Shapes: ``seed``, one SEED session under our clip protocol (6 training clips of 235
windows = 1,410 windows, 3 classes, 128 + 32 last-layer units); ``deap``, one DEAP
fold (32 training trials of 30 windows = 960, 2 classes, 256 + 128 units). Feature
sets: ``network``, the last-layer features of a Bimodal-LSTM trained a few epochs on
windows with a class effect at that shape (its own last layer is the lambda path's
second start); ``separable`` and ``overlapping``, tanh features with a small and a
large within-class spread (training accuracy 1.0 / below 1.0).

Usage::

    python benchmarks/bench_refit.py [--shapes seed deap] [--lambdas 1e-2 1e-5 1e-9] [--repeats 3]

Each time is the fastest of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

import numpy as np  # noqa: E402
from multimodal_emotion.models import BimodalLSTM, WindowData  # noqa: E402
from multimodal_emotion.models.finite_newton import minimise_ovr, ovr_certificate  # noqa: E402
from multimodal_emotion.models.liblinear import (  # noqa: E402
    liblinear_ovr_weights,
    primal_objective,
    svm_cost,
    train_l2svm,
)

SHAPES = {  # windows, classes, EEG units, other units, windows per sequence
    "seed": (1410, 3, 128, 32, 20),
    "deap": (960, 2, 256, 128, 5),
}


def objective(kernel, bias, features, y, lam):
    return 2 * lam * primal_objective(kernel, bias, features, y, C=svm_cost(lam))


# ---- the refit up to a9c7ebf, verbatim (the baseline) --------------------------------
INTERMEDIATE_EPS = 1e-3


def lambda_path(features, y, *, lam, eps=1e-10, init=None, max_restarts=5):
    features = np.asarray(features, np.float64)
    n_classes = int(np.max(y)) + 1
    stages = [s for s in (10.0 ** -e for e in range(1, 10)) if s > lam * (1 + 1e-9)] + [lam]

    def stage_objective(kernel, bias, stage_lam):
        return objective(kernel, bias, features, y, stage_lam)

    def solve(stage_lam, start, *, stage_eps=eps, restarts=max_restarts):
        current = start
        j_current = np.inf if start is None else stage_objective(*start, stage_lam)
        for _ in range(restarts + 1):
            model, run = train_l2svm(features, y, C=svm_cost(stage_lam), eps=stage_eps, init=current,
                                     return_run=True)
            candidate = liblinear_ovr_weights(model, n_classes)
            j_new = stage_objective(*candidate, stage_lam)
            gain = j_current - j_new
            if j_new <= j_current:
                current, j_current = candidate, j_new
            if gain <= 1e-9 * abs(j_new) and not run.hit_iteration_limit:
                return current, j_current
        return current, j_current

    path = None
    for stage_lam in stages[:-1]:
        path, _ = solve(stage_lam, path, stage_eps=max(eps, INTERMEDIATE_EPS), restarts=0)
    best, j_best = solve(lam, path)
    if init is not None:
        start = (np.asarray(init[0], np.float64), np.asarray(init[1], np.float64))
        from_init, j_init = solve(lam, start)
        if j_init < j_best:
            best, j_best = from_init, j_init
    return best
# --------------------------------------------------------------------------------------


def network_features(shape: str, seed: int = 0):
    """Last-layer features (and the last layer) of a Bimodal-LSTM trained a few epochs."""
    n, k, eeg_units, other_units, seq = SHAPES[shape]
    rng = np.random.default_rng(seed)
    segments = n // 30
    y = np.repeat(np.arange(segments) % k, 30)[:n]
    y = np.concatenate([y, np.full(n - len(y), y[-1])])
    means = rng.normal(size=(k, 40))
    eeg = means[y] * 0.5 + rng.standard_normal((n, 40))
    other = means[y][:, :12] * 0.5 + rng.standard_normal((n, 12))
    data = WindowData(eeg=eeg, other=other, y=y, segment=np.repeat(np.arange(segments + 1), 30)[:n])
    model = BimodalLSTM(eeg_hidden=eeg_units, other_hidden=other_units, sequence_length=seq, dropout=0.2,
                        l2=1e-3, learning_rate=1e-2, batch_size=16, max_epochs=6, patience=100, seed=seed)
    model.fit(data)
    return model.extract_features(data).astype(np.float64), y, model.svm_weights()


def tanh_features(shape: str, *, spread: float, seed: int = 0):
    n, k, eeg_units, other_units, _ = SHAPES[shape]
    d = eeg_units + other_units
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    return np.tanh(0.6 * rng.normal(size=(k, d))[y] + spread * rng.standard_normal((n, d))), y


def timed(function, repeats: int):
    """Value and the fastest of ``repeats`` runs (other jobs on a shared machine only slow runs down)."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return value, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--lambdas", nargs="+", type=float, default=[1e-2, 1e-5, 1e-9])
    parser.add_argument("--repeats", type=int, default=3, help="the fastest of this many runs counts")
    args = parser.parse_args()
    print(f"{'shape':6} {'features':11} {'lambda':>7} | {'liblinear s':>11} {'J':>11} | "
          f"{'path s':>8} {'J':>11} | {'+Newton s':>8} {'J':>11} {'steps':>5} {'cert':>8} | "
          f"{'path/Newton':>11} {'J lib/N':>9} {'J path/N':>9}")
    for shape in args.shapes:
        sets = {"network": network_features(shape),
                "separable": (*tanh_features(shape, spread=0.15), None),
                "overlapping": (*tanh_features(shape, spread=1.5), None)}
        for name, (features, y, last_layer) in sets.items():
            for lam in args.lambdas:
                C = svm_cost(lam)
                lib, t_lib = timed(lambda: liblinear_ovr_weights(train_l2svm(features, y, C=C), int(y.max()) + 1),
                                   args.repeats)
                j_lib = objective(*lib, features, y, lam)
                path, t_path = timed(lambda: lambda_path(features, y, lam=lam, init=last_layer), args.repeats)
                j_path = objective(*path, features, y, lam)

                def newton():
                    start = liblinear_ovr_weights(train_l2svm(features, y, C=C), int(y.max()) + 1)
                    return minimise_ovr(features, y, lam=lam, start=start)

                solution, t_newton = timed(newton, args.repeats)
                cert = ovr_certificate(solution.kernel, solution.bias, features, y, lam).worst
                print(f"{shape:6} {name:11} {lam:7.0e} | {t_lib:11.3f} {j_lib:11.5g} | {t_path:8.2f} {j_path:11.5g} | "
                      f"{t_newton:8.3f} {solution.objective:11.5g} {solution.steps:5d} {cert:8.1e} | "
                      f"{t_path / t_newton:10.1f}x {j_lib / solution.objective:9.4g} {j_path / solution.objective:9.4g}",
                      flush=True)


if __name__ == "__main__":
    main()
