"""Honesty on null data: with no emotion effect in the synthetic data, every model's
validation-selected test accuracy stays within chance (a run of its own, so it can go to
another pytest-xdist worker than the shared tiny run)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from support.runs import only_models
from support.workflow import run_snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def null_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("null_run")
    config = tiny_config()
    config["synthetic"]["effect_size"] = 0.0
    config["seed"]["subjects"] = [1, 2]
    config["deap"]["subjects"] = [1, 2]
    # Every trial is tested once whatever the fold count, so 3 folds keep the 40 test units
    # per subject and task and train 40 % less.
    config["experiments"]["deap_protocol"]["n_folds"] = 3
    config["experiments"]["selection"] = ["validation"]
    # The pipeline's paths to a test accuracy: the refit networks, a network classified by its
    # own liblinear SVM (DCCA; BDAE takes the same path), the SVMs. The comparison systems'
    # null behaviour is tested model by model (test_models.py: test_no_effect_gives_chance).
    only_models(config, "bimodal_lstm", "bddae", "dcca", "feature_fusion", "linear_svm")
    write_config(workdir, config)
    run_snakemake(workdir)
    return workdir


def experiments_table(workdir) -> pd.DataFrame:
    return pd.read_csv(workdir / "results/tables/experiments.csv")


def test_null_data_stays_at_chance(null_run):
    """Leakage guard: on effect_size 0 every model's validation-selected test accuracy is
    within chance +/- 2.5 standard errors. Windows of a clip/trial share its state, so the
    independent test units are clips (SEED: 6 per session) and trials (DEAP: 40 per
    subject and task); a per-window standard error would be far too small."""
    table = experiments_table(null_run)
    for (dataset, model), group in table.groupby(["dataset", "model"]):
        units = len(group) * (6 if dataset == "seed" else 40)
        chance = 1 / 3 if dataset == "seed" else 0.5
        tolerance = 2.5 * math.sqrt(chance * (1 - chance) / units)
        if dataset == "deap":  # an always-majority classifier is not a leak: widen by the imbalance
            tolerance += abs(group["majority_rate"].mean() - 0.5)
        mean = group["test_accuracy"].mean()
        assert abs(mean - chance) < tolerance, (dataset, model, mean, chance, tolerance)
