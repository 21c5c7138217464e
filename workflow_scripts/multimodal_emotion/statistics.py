"""Intervals, paired comparisons and the protocol's floor for the accuracy tables.

The unit of every interval and test is the level at which the design randomises: the
*experiment* (one recording, or one subject-session, of the per-recording protocol; one
held-out *subject* of leave-one-subject-out). Windows and clips within an experiment
share a subject, a session and a trained model, so they are not independent; the
experiments are treated as independent replicates (documented in docs/results.md).

* :func:`t_interval`: the 95 % interval of the mean over experiments,
  ``mean +- t_{0.975, n-1} * sd / sqrt(n)`` (Student's t). Chosen over a bootstrap
  because the tables have 2-15 experiments, where a percentile/BCa bootstrap
  undercovers and resolves only a handful of distinct resamples; t is deterministic and
  checkable by hand.
* :func:`paired_wilcoxon`: two-sided exact Wilcoxon signed-rank test of a model against
  the Bimodal-LSTM over the experiments both have (no normality assumption on the
  differences); :func:`holm` corrects the p-values of one table's models (Holm 1979).
* :func:`balanced_accuracy`: scikit-learn's balanced accuracy (mean recall over the
  classes present in the test split) from a confusion matrix.
* :func:`training_majority`: the score of predicting each fold's training-split majority
  class, the floor a protocol sets when its splits are unbalanced.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CONFIDENCE = 0.95


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float, int]:
    """Return (mean, low, high, n) of the finite ``values``: Student's t interval of the mean.

    With one value the interval is undefined (NaN, NaN); with none, everything is NaN.
    """
    from scipy.stats import t

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(x.mean())
    if n == 1:
        return mean, float("nan"), float("nan"), 1
    half = float(t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half, n


def paired_wilcoxon(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided Wilcoxon signed-rank p over the pairs where both are finite (NaN if undefined:
    fewer than two pairs, or all differences zero)."""
    from scipy.stats import wilcoxon

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    mask = np.isfinite(a) & np.isfinite(b)
    if mask.sum() < 2 or np.allclose(a[mask], b[mask]):
        return float("nan")
    return float(wilcoxon(a[mask], b[mask]).pvalue)


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values; NaN entries stay NaN and do not count in m.

    Sorted ascending, ``p_adj(i) = max_{j <= i} min(1, (m - j + 1) p(j))`` (1-based j).
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full_like(p, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = len(order)
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return out


def confusion_counts(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts (n_classes, n_classes), rows the true class, of labels that are class indices:
    scikit-learn's ``confusion_matrix(..., labels=range(n_classes))``, in NumPy (importing
    scikit-learn cost each merge job more than its work; tests/test_experiments.py compares)."""
    y_true, y_pred = np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= n_classes):
        raise ValueError(f"labels outside the class indices 0..{n_classes - 1}")
    return np.bincount(n_classes * y_true + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def balanced_accuracy(confusion) -> float:
    """scikit-learn's balanced accuracy from a confusion matrix (rows: true class): the mean
    recall over the classes that have a test window, as ``balanced_accuracy_score`` computes
    it (the same division and mean; tests/test_statistics.py compares). Written out here
    because importing scikit-learn cost each merge job more than its work."""
    confusion = np.asarray(confusion, dtype=np.float64)
    if not confusion.sum():
        return float("nan")
    present = confusion.sum(axis=1) > 0
    return float(np.mean(np.diag(confusion)[present] / confusion.sum(axis=1)[present]))


def missing_test_classes(confusion) -> list[int]:
    """Class indices with no test window in a confusion matrix (rows: true class)."""
    return [int(k) for k in np.flatnonzero(np.asarray(confusion).sum(axis=1) == 0)]


def training_majority(train_counts: Sequence[Sequence[int]], test_labels: Sequence[np.ndarray],
                      n_classes: int) -> dict:
    """Score of predicting, in every fold, the majority class of its training split.

    Parameters
    ----------
    train_counts : per fold, the training windows per class (ties go to the lower index)
    test_labels : per fold, the test labels
    n_classes : int

    Returns
    -------
    dict with ``test_accuracy`` (over all test windows of the folds), ``balanced_accuracy``,
    ``confusion`` (list of lists) and ``majority_classes`` (per fold).
    """
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    majorities = []
    for counts, labels in zip(train_counts, test_labels):
        counts = np.pad(np.asarray(counts, dtype=np.int64), (0, max(0, n_classes - len(counts))))
        majority = int(np.argmax(counts))
        majorities.append(majority)
        confusion += confusion_counts(labels, np.full(len(labels), majority), n_classes)
    total = confusion.sum()
    return {
        "test_accuracy": float(np.trace(confusion) / total) if total else float("nan"),
        "balanced_accuracy": balanced_accuracy(confusion),
        "confusion": confusion.tolist(),
        "majority_classes": majorities,
    }
