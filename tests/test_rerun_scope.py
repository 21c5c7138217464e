"""What a change reschedules in the default job layout (a training job per experiment and
model), dry-run against the killed-and-resumed repeated run (support/shared_runs.py), the
session's run in that layout. The packed layout's scope is tested on the tiny run
(test_workflow_experiments.py)."""

from __future__ import annotations

import pytest

from support.shared_runs import repeated_run_config
from support.workflow import raw_file, scheduled_jobs, touched

pytestmark = pytest.mark.workflow


@pytest.fixture
def default_layout_run(repeated_runs):
    """The killed repeated run, resumed to the end: one train_shard job per experiment and model."""
    workdir = repeated_runs["killed"]
    assert (workdir / "results/logs/train_shard").is_dir() and not (workdir / "results/logs/train_models").exists()
    return workdir


def test_the_resumed_run_is_up_to_date(default_layout_run):
    assert scheduled_jobs(default_layout_run) == []


def test_changing_one_models_range_reruns_only_that_model(default_layout_run):
    config = repeated_run_config()
    config["models"]["linear_svm"]["space"]["seed"]["C"] = {"log10": [-3, -1]}
    jobs = scheduled_jobs(default_layout_run, config=config)
    rules = {rule for rule, _ in jobs}
    assert rules == {"train_shard", "merge_search", "aggregate", "all"}
    assert all("model=linear_svm" in w and "dataset=seed" in w for r, w in jobs if r not in ("aggregate", "all"))


def test_changing_refit_settings_does_not_retrain(default_layout_run):
    config = repeated_run_config()
    config["refit"]["eps"] = 1e-3
    rules = {rule for rule, _ in scheduled_jobs(default_layout_run, config=config)}
    assert "merge_search" in rules and not rules & {"train_shard", "train_models", "features"}


def test_touching_one_raw_file_reruns_only_its_experiment(default_layout_run):
    raw = raw_file(default_layout_run, repeated_run_config(), "seed", "1_20131027", "eeg")
    with touched(raw):
        jobs = scheduled_jobs(default_layout_run)
    rules = {rule for rule, _ in jobs}
    assert {"features", "train_shard", "merge_search", "aggregate"} <= rules
    assert not any("dataset=deap" in w for _, w in jobs)
    # every model of that experiment retrains, each in its own job
    assert {w for r, w in jobs if r == "train_shard"} == {
        f"dataset=seed, recording=1_20131027, task=emotion, model={m}, shard=0"
        for m in ("linear_svm", "bimodal_lstm", "bddae", "dcca")}
