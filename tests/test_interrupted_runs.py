"""Interrupted runs and determinism: a feature job killed while it writes and a training
job killed while it trains leave no output under the final name, ``--rerun-incomplete`` then
gives what an uninterrupted run made at the same time gives, byte for byte (which is also
the determinism test: the same config twice, identical tables, predictions and searches)."""

from __future__ import annotations

import signal
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from support import bad_inputs
from support.runs import Run, incomplete_outputs, pause_env, processes_in, temp_files, wait_for_pause
from support.shared_runs import TRAIN_OUTPUT, repeated_run_config
from support.workflow import run_snakemake, write_config

pytestmark = pytest.mark.workflow


# =====================================================================================
# 2. Interrupted runs
# =====================================================================================


FEATURE_STEM = bad_inputs.seed_stem(1)
FEATURE_TARGET = f"results/features/seed/{FEATURE_STEM}.h5"


@pytest.fixture(scope="module")
def killed_feature_job(repeated_runs, tmp_path_factory) -> dict:
    """The clean repeated run's config, only FEATURE_TARGET, its job held at the
    ``feature_file_written_in_part`` pause point (datasets written and flushed into the
    temporary file, attributes not yet); then Snakemake and the job are SIGKILLed (their
    whole process group, as a crash or power loss would). The uninterrupted reference is
    that run's file (support/shared_runs.py)."""
    workdir, pauses = tmp_path_factory.mktemp("kill_features") / "killed", tmp_path_factory.mktemp("pauses")
    write_config(workdir, repeated_run_config(pack_models=True))
    run = Run(workdir, (FEATURE_TARGET,), env=pause_env(pauses, "feature_file_written_in_part")).start()
    try:
        marker = wait_for_pause(run, pauses, "feature_file_written_in_part")
        run.kill_group(signal.SIGKILL)
    except BaseException:
        run.kill_group(signal.SIGKILL)
        raise
    run.wait()
    temp = Path(marker["detail"])
    written = []
    if temp.exists():  # what the job had written when it was killed
        with h5py.File(temp, "r", locking=False) as f:
            written = sorted(name for name in ("eeg/de", "eeg/psd", "labels") if name in f)
    state = {"run": run, "temp_file": temp.name, "written": written,
             "temp_size": temp.stat().st_size if temp.exists() else None,
             "alive": [p.pid for p in processes_in(workdir)],
             "final_exists": (workdir / FEATURE_TARGET).exists(),
             "incomplete": incomplete_outputs(workdir),
             "temp_left": temp_files(workdir / "results")}
    # Recovery after a crash: release Snakemake's lock, then rerun what is incomplete.
    state["unlock"] = run_snakemake(workdir, "--unlock", check=False)
    state["rerun"] = run_snakemake(workdir, FEATURE_TARGET, "--rerun-incomplete", check=False)
    state["reference"] = repeated_runs["first"]
    state["workdir"] = workdir
    return state


def test_feature_job_killed_mid_write_leaves_no_half_written_file(killed_feature_job):
    state = killed_feature_job
    assert state["run"].returncode == -signal.SIGKILL
    assert not state["alive"], f"processes survived the kill: {state['alive']}"
    assert state["written"] == ["eeg/de", "eeg/psd", "labels"] and state["temp_size"], state  # died part-way
    assert not state["final_exists"] or f"{FEATURE_TARGET}" in state["incomplete"], (
        f"{FEATURE_TARGET} exists after the kill and is not marked incomplete"
    )
    assert FEATURE_TARGET in state["incomplete"]  # Snakemake knows the job did not finish


def test_rerun_incomplete_after_killed_feature_job_equals_uninterrupted_run(killed_feature_job):
    state = killed_feature_job
    assert state["unlock"].returncode == 0, state["unlock"].stderr[-2000:]
    assert state["rerun"].returncode == 0, state["rerun"].stderr[-3000:]
    with h5py.File(state["reference"] / FEATURE_TARGET) as ref, h5py.File(state["workdir"] / FEATURE_TARGET) as new:
        names = []
        ref.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
        assert set(names) == {"eeg/de", "eeg/psd", "other/features", "windows/segment", "windows/start_s", "labels",
                              "qc/channel_sd", "qc/freqs", "qc/psd_raw", "qc/psd_filtered", "qc/segment_ids",
                              "qc/segment_samples"}
        for name in names:
            assert new[name].dtype == ref[name].dtype and new[name].shape == ref[name].shape, name
            np.testing.assert_array_equal(new[name][()], ref[name][()], err_msg=name)
        assert dict(new.attrs) == dict(ref.attrs)


def test_no_temporary_file_survives_a_killed_feature_job_and_its_rerun(killed_feature_job):
    """The killed job's temporary file is half-written debris (tens of MB for real
    sessions); the rerun that replaces the output must not leave it behind."""
    state = killed_feature_job
    assert state["rerun"].returncode == 0
    left = temp_files(state["workdir"] / "results")
    assert not left, f"half-written temporary files left after the rerun: {left} (right after the kill: {state['temp_left']})"


# --- determinism and a training job killed part-way ----------------------------------


def _prediction_files(workdir: Path) -> list[Path]:
    """What training saved for evaluation: predictions, or a network's SVM layer and its inputs."""
    return sorted(p.relative_to(workdir) for p in workdir.glob("results/search/**/models/config*/fold*/*.npz"))


def assert_same_tables_and_predictions(a: Path, b: Path) -> None:
    tables = sorted(p.name for p in (a / "results/tables").glob("*.csv"))
    assert tables == sorted(p.name for p in (b / "results/tables").glob("*.csv")) and "experiments.csv" in tables
    for name in tables:
        assert (a / "results/tables" / name).read_bytes() == (b / "results/tables" / name).read_bytes(), name
    predictions = _prediction_files(a)
    # one SEED session and one DEAP task: one training job (its models/ folder) per experiment and model
    shard_jobs = {path.parents[2] for path in predictions}
    assert len(shard_jobs) == 2 * N_MODELS and predictions == _prediction_files(b)
    for path in predictions:
        with np.load(a / path) as x, np.load(b / path) as y:
            assert x.files == y.files and x.files, path
            for key in x.files:
                np.testing.assert_array_equal(x[key], y[key], err_msg=f"{path}:{key}")


N_MODELS = sum(spec["enabled"] for spec in repeated_run_config()["models"].values())


def test_training_job_killed_part_way_leaves_no_output(repeated_runs):
    state = repeated_runs["kill"]
    assert state.get("victims"), f"the training job was never caught running: {state}"
    assert "bimodal_lstm epoch 1/" in state["paused_at"]  # between its first and second epoch
    assert state["returncode"] != 0
    assert [job for job in state["failed_jobs"] if job[1] == TRAIN_OUTPUT], state["failed_jobs"]
    assert "epoch 1/" in state["log"] and "done in" not in state["log"]  # it died while training
    assert not state["final_exists"] or "IncompleteFilesException" in state["plain_dry_run"].stderr, (
        f"{TRAIN_OUTPUT} exists after the kill and a plain run does not refuse it"
    )


def test_rerun_incomplete_after_killed_training_equals_uninterrupted_run(repeated_runs):
    """The killed run, resumed, against the clean run made at the same time: identical
    tables, predictions (the TensorFlow models' random draws included) and search CSVs
    (minus timings). The runs are separate processes, so this is also the determinism
    test (the same config twice gives the same numbers), and the clean run trains each
    experiment's models in one job (search.pack_models) where the killed one has a job per
    model: the job layout changes no number either."""
    state = repeated_runs["kill"]
    assert state["rerun"].returncode == 0, state["rerun"].stderr[-3000:]
    first, resumed = repeated_runs["first"], repeated_runs["killed"]
    # the layouts compared: one train_models job per experiment against a train_shard job per model
    assert len(list(first.glob("results/logs/train_models/**/*.log"))) == 2
    assert len(list(first.glob("results/logs/merge_models/**/*.log"))) == 2
    assert not (first / "results/logs/merge_search").exists() and not (resumed / "results/logs/merge_models").exists()
    assert not (first / "results/logs/train_shard").exists() and not (resumed / "results/logs/train_models").exists()
    assert_same_tables_and_predictions(first, resumed)
    searches = sorted(first.glob("results/search/*/*/*/*.csv"))
    assert len(searches) == 2 * N_MODELS
    for path in searches:
        timing = ["seconds", "refit_seconds"]
        a = pd.read_csv(path).drop(columns=timing, errors="ignore")
        b = pd.read_csv(resumed / path.relative_to(first)).drop(columns=timing, errors="ignore")
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not temp_files(repeated_runs["killed"] / "results"), temp_files(repeated_runs["killed"] / "results")
