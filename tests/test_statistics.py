"""The tables' statistics (multimodal_emotion/statistics.py) against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from multimodal_emotion import reporting
from multimodal_emotion.statistics import balanced_accuracy, holm, t_interval, training_majority

#: Student's t quantiles t(0.975, df) from a printed table (df = 2: 4.303, df = 5: 2.571).
T_975 = {2: 4.302652729911275, 5: 2.570581835636314}


def test_t_interval_by_hand():
    mean, low, high, n = t_interval([70.0, 80.0, 90.0, float("nan")])
    half = T_975[2] * 10.0 / math.sqrt(3)  # sd = 10
    assert (mean, n) == (80.0, 3)
    assert low == pytest.approx(80.0 - half, abs=1e-9) and high == pytest.approx(80.0 + half, abs=1e-9)
    assert math.isnan(t_interval([50.0])[1])  # one experiment: no interval


def test_holm_by_hand():
    # m = 3 finite p: sorted 0.01, 0.03, 0.04 -> 3 * 0.01, 2 * 0.03, max(0.06, 1 * 0.04)
    adjusted = holm([0.01, 0.04, 0.03, float("nan")])
    np.testing.assert_allclose(adjusted[:3], [0.03, 0.06, 0.06])
    assert math.isnan(adjusted[3])
    assert holm([0.6, 0.9]).tolist() == [1.0, 1.0]  # capped at 1


def test_balanced_accuracy_and_training_majority_by_hand():
    # class 1 has no test window: recall of classes 0 and 2 only, (2/3 + 3/4) / 2
    assert balanced_accuracy([[2, 1, 0], [0, 0, 0], [1, 0, 3]]) == pytest.approx((2 / 3 + 3 / 4) / 2)
    # fold 1: training majority 0, test labels 0 1 1 -> 1 right; fold 2: majority 2, test 2 2 0 -> 2 right
    floor = training_majority([[5, 3, 1], [1, 1, 4]], [np.array([0, 1, 1]), np.array([2, 2, 0])], 3)
    assert floor["test_accuracy"] == pytest.approx(3 / 6)
    assert floor["majority_classes"] == [0, 2]
    assert floor["confusion"] == [[1, 0, 1], [2, 0, 0], [0, 0, 2]]
    assert floor["balanced_accuracy"] == pytest.approx((1 / 2 + 0 + 2 / 2) / 3)  # recalls of classes 0, 1, 2


def small_table() -> pd.DataFrame:
    """Six experiments: the Bimodal-LSTM, model a (always better: exact Wilcoxon p = 2/64),
    model b (differences +1..+5 and -6: W- = 6, p = 2 * 14/64) and model c (equal: no test)."""
    lstm = np.array([60.0, 62.0, 64.0, 66.0, 68.0, 70.0])
    models = {"bimodal_lstm": lstm, "model_a": lstm + [1, 2, 3, 4, 5, 6], "model_b": lstm + [1, 2, 3, 4, 5, -6],
              "model_c": lstm.copy()}
    rows = []
    for model, values in models.items():
        for i, value in enumerate(values):
            rows.append({"dataset": "seed", "experiment": f"e{i}", "task": "emotion", "model": model,
                         "selection": "validation", "test_accuracy": value / 100, "balanced_accuracy": value / 200,
                         "majority_rate": 0.5, "svm_certificate": 1e-12, "network_test_accuracy": float("nan"),
                         "missing_test_classes": "1" if i == 2 else ""})
    return pd.DataFrame(rows)


def test_summary_table_interval_and_holm_by_hand():
    table = reporting.summary_table(small_table(), dataset="seed", reference=False).set_index("model")
    a = np.array([61.0, 64.0, 67.0, 70.0, 73.0, 76.0])
    half = T_975[5] * a.std(ddof=1) / math.sqrt(6)
    assert table.loc["model_a", "n_experiments"] == 6 and table.loc["model_a", "unit"] == "experiments"
    assert table.loc["model_a", "mean_accuracy"] == pytest.approx(a.mean())
    assert table.loc["model_a", "ci95_low"] == pytest.approx(a.mean() - half)
    assert table.loc["model_a", "ci95_high"] == pytest.approx(a.mean() + half)
    assert table.loc["model_a", "balanced_accuracy"] == pytest.approx(a.mean() / 2)
    assert table.loc["model_a", "wilcoxon_p_vs_bimodal_lstm"] == pytest.approx(2 / 64)
    assert table.loc["model_b", "wilcoxon_p_vs_bimodal_lstm"] == pytest.approx(2 * 14 / 64)
    # Holm over the two defined p: 2 * 2/64, then max(that, 1 * 28/64)
    assert table.loc["model_a", "holm_p_vs_bimodal_lstm"] == pytest.approx(4 / 64)
    assert table.loc["model_b", "holm_p_vs_bimodal_lstm"] == pytest.approx(28 / 64)
    assert math.isnan(table.loc["model_c", "holm_p_vs_bimodal_lstm"])
    assert math.isnan(table.loc["bimodal_lstm", "holm_p_vs_bimodal_lstm"])
    notes = reporting.summary_table(small_table(), dataset="seed", reference=False).attrs["notes"]
    assert any("e2 (emotion) has no 'neutral' window" in n for n in notes)


def test_interval_is_clipped_to_the_accuracy_range():
    near_ceiling = small_table()
    near_ceiling.loc[near_ceiling["model"] == "model_a", "test_accuracy"] = [1.0, 1.0, 1.0, 1.0, 1.0, 0.7]
    row = reporting.summary_table(near_ceiling, dataset="seed", reference=False).set_index("model").loc["model_a"]
    assert row["ci95_high"] == 100.0 and t_interval([100, 100, 100, 100, 100, 70])[2] > 100
    assert row["ci95_low"] == pytest.approx(95.0 - T_975[5] * np.std([100] * 5 + [70], ddof=1) / math.sqrt(6))


def test_balanced_accuracy_equals_scikit_learns():
    """The same float as balanced_accuracy_score on the windows the matrix counts, empty
    classes (no test window) included, which scikit-learn leaves out of the mean."""
    import warnings

    from sklearn.metrics import balanced_accuracy_score

    rng = np.random.default_rng(0)
    for n_classes in (2, 3, 5):
        for _ in range(20):
            confusion = rng.integers(0, 6, size=(n_classes, n_classes)) * (rng.random((n_classes, n_classes)) < 0.7)
            true, pred = np.nonzero(confusion)
            if not len(true):
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                expected = float(balanced_accuracy_score(true, pred, sample_weight=confusion[true, pred]))
            assert balanced_accuracy(confusion) == expected, confusion
