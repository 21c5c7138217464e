"""The workflow runs that several test modules read (session-scoped: each runs once per
pytest session, registered in conftest.py).

``tiny_run``: the tiny config with every model, end to end (tables, figures, QC pages),
each experiment's models trained in one job (``search.pack_models``). Every test that only
reads a tiny run's outputs, or dry-runs a changed config against it (``scheduled_jobs(...,
config=...)``, which leaves its ``config.yaml`` alone), uses it.

``repeated_runs``: the same small config twice at once, a clean run and one whose
Bimodal-LSTM training job is SIGKILLed between two epochs (a pause point, no timing),
then resumed with ``--rerun-incomplete``. Every output of either run comes from a process
of its own, so comparing them byte for byte tests determinism and the resume at once.
"""

from __future__ import annotations

import os
import signal

import pytest

from support.runs import Run, checked, failed_jobs, incomplete_outputs, only_models, pause_env, release_pauses, \
    wait_for_pause
from support.workflow import packed, run_snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow


def tiny_run_config() -> dict:
    """``.test/config_tiny.yaml`` with every model on (the ablation too), packed: one
    training job per experiment (one TensorFlow start-up instead of four, 4 training jobs
    instead of 40). The default job layout (a job per experiment and model) is run, killed,
    resumed and dry-run for its rerun scope in ``repeated_runs["killed"]``."""
    config = tiny_config()
    config["models"]["bimodal_lstm_no_context"]["enabled"] = True
    return packed(config)


@pytest.fixture(scope="session")
def tiny_run(request, tmp_path_factory):
    """Working directory of one complete tiny run (config: ``tiny_run_config()``). When the
    session runs the live SLURM test, its runs (``support.slurm_runs``) start first, in the
    background: they mostly wait, and test_slurm.py, last in this worker group, waits for them."""
    if any("slurm_runs" in item.fixturenames for item in request.session.items):
        request.getfixturevalue("slurm_runs")
    workdir = tmp_path_factory.mktemp("tiny_run")
    write_config(workdir, tiny_run_config())
    run_snakemake(workdir)
    return workdir


def short_training(config: dict, epochs: int = 4) -> dict:
    """Every network model trained for a few epochs: enough to exercise every random draw
    (initial weights, dropout, mini-batch order, early stopping) without learning much."""
    for spec in config["models"].values():
        fixed = spec.get("fixed", {})
        for key in ("max_epochs", "pretrain_epochs"):
            if key in fixed:
                fixed[key] = epochs
        if "patience" in fixed:
            fixed["patience"] = epochs // 2
    return config


def repeated_run_config(*, pack_models: bool = False) -> dict:
    """Smaller than tiny: one SEED session and one DEAP subject and rating (3 folds); the
    linear SVM and the TensorFlow models (their random draws: initial weights, dropout,
    mini-batch order, corruption) for a few epochs. The NumPy models' seeding is tested
    model by model (test_models.py: test_same_seed_same_model). ``pack_models``: one
    training job per experiment (``search.pack_models``), the clean run's layout."""
    config = only_models(short_training(tiny_config()), "linear_svm", "bimodal_lstm", "bddae", "dcca")
    config["seed"]["sessions"] = [1]
    config["experiments"]["deap_protocol"].update(n_folds=3, tasks=["valence"])
    return packed(config) if pack_models else config


# The job the killed run loses: its output and log (rule names from the DAG would not
# change these paths; they are the train rule's, whatever the jobs around it).
TRAIN_JOB = "seed/1_20131027/emotion/bimodal_lstm/shard0"
TRAIN_OUTPUT = f"results/search/{TRAIN_JOB}/models"
TRAIN_LOG = f"results/logs/train_shard/{TRAIN_JOB}.log"


@pytest.fixture(scope="session")
def repeated_runs(tmp_path_factory) -> dict:
    """Two runs of ``repeated_run_config()`` at the same time: ``first`` clean, its models
    packed (one training job per experiment: the numbers must not depend on the job
    layout either); ``killed`` (one job per model, the default)
    first runs only up to TRAIN_OUTPUT with its jobs held at the
    ``between_epochs`` pause point, and the training job (alone: as the OOM killer or a
    node failure would) is SIGKILLed there; then the whole workflow is rerun with
    ``--rerun-incomplete``. ``kill``: what the kill left behind."""
    tmp = tmp_path_factory.mktemp("repeated_runs")
    pauses = tmp / "pauses"
    runs = {"first": Run(tmp / "first")}
    runs["killed"] = Run(tmp / "killed", (TRAIN_OUTPUT,), env=pause_env(pauses, "between_epochs"))
    for name, run in runs.items():
        write_config(run.workdir, repeated_run_config(pack_models=name == "first"))
        run.start()
    killed, state = runs["killed"], {}
    try:
        marker = wait_for_pause(killed, pauses, "between_epochs")
        os.kill(marker["pid"], signal.SIGKILL)
        state = {"paused_at": marker["detail"], "victims": 1}
        release_pauses(pauses, "between_epochs")  # nothing else should be held; if it is, let it go on
        killed.wait()
    except BaseException:
        for run in runs.values():
            run.kill_group()
        raise
    log = killed.workdir / TRAIN_LOG
    state.update(
        returncode=killed.returncode, output=killed.output, log=log.read_text() if log.exists() else "",
        final_exists=(killed.workdir / TRAIN_OUTPUT).exists(), incomplete=incomplete_outputs(killed.workdir),
        failed_jobs=failed_jobs(killed.output),
    )
    if state["final_exists"]:
        state["plain_dry_run"] = run_snakemake(killed.workdir, "--dry-run", check=False)
    state["rerun"] = run_snakemake(killed.workdir, "--rerun-incomplete", check=False)
    checked(runs["first"].wait())
    return {"first": runs["first"].workdir, "killed": killed.workdir, "kill": state}
