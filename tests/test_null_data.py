"""Honesty on null data: with no emotion effect in the synthetic data, every model's
validation-selected test accuracy stays within chance (a run of its own, so it can go to
another pytest-xdist worker than the shared tiny run)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from support.runs import only_models
from support.workflow import packed, run_snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow


# Test units per experiment row (windows of a clip/trial share its state, so the independent
# units are clips and trials): k-fold over SEED's 15 clips tests every clip of the session once
# (the paper's clips protocol tests 6); DEAP's k-fold tests each of a subject's 40 trials once.
TEST_UNITS = {"seed": 15, "deap": 40}
CHANCE = {"seed": 1 / 3, "deap": 0.5}


@pytest.fixture(scope="module")
def null_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("null_run")
    config = tiny_config()
    config["synthetic"]["effect_size"] = 0.0
    config["qc"]["enabled"] = False  # no test here reads the QC pages
    # One SEED subject (2 sessions) and two DEAP subjects (2 ratings each): six experiments, each
    # one packed training job. k-fold over clips tests 30 SEED clips (two subjects under the clips
    # protocol tested 24); DEAP 40 trials x 2 ratings x 2 subjects (the synthetic ratings are
    # drawn independently, so the two tasks' test units are independent). The paper's clips protocol
    # is not null-tested end to end (its 6 test clips a session would need 5 sessions, 10 jobs, for the
    # same width); test_leakage.py checks that its test clips enter nothing fitted.
    config["seed"]["subjects"] = [1]
    config["deap"]["subjects"] = [1, 2]
    config["experiments"]["seed_protocol"] = {"kind": "kfold", "tasks": ["emotion"], "n_folds": 3,
                                              "fold_unit": "trial", "validation": True}
    config["experiments"]["deap_protocol"]["n_folds"] = 3
    config["experiments"]["selection"] = ["validation"]
    # The pipeline's paths to a test accuracy: the refit networks, a network classified by its
    # own liblinear SVM (DCCA; BDAE takes the same path), the SVMs. The comparison systems'
    # null behaviour is tested model by model (test_models.py: test_no_effect_gives_chance).
    only_models(config, "bimodal_lstm", "bddae", "dcca", "feature_fusion", "linear_svm")
    write_config(workdir, packed(config))
    run_snakemake(workdir)
    return workdir


def experiments_table(workdir) -> pd.DataFrame:
    return pd.read_csv(workdir / "results/tables/experiments.csv")


def test_null_data_stays_at_chance(null_run):
    """Leakage guard: on effect_size 0 every model's validation-selected test accuracy is
    within chance +/- 2.5 standard errors of its test units (clips, trials); a per-window
    standard error would be far too small."""
    table = experiments_table(null_run)
    assert set(table["dataset"]) == {"seed", "deap"} and len(table) == (2 + 4) * 5  # experiments x models
    for (dataset, model), group in table.groupby(["dataset", "model"]):
        units = len(group) * TEST_UNITS[dataset]
        chance = CHANCE[dataset]
        tolerance = 2.5 * math.sqrt(chance * (1 - chance) / units)
        if dataset == "deap":  # an always-majority classifier is not a leak: widen by the imbalance
            tolerance += abs(group["majority_rate"].mean() - 0.5)
        mean = group["test_accuracy"].mean()
        assert abs(mean - chance) < tolerance, (dataset, model, mean, chance, tolerance)
