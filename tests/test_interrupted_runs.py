"""Interrupted runs and determinism: a feature job killed while it writes and a training
job killed while it trains leave no output under the final name, ``--rerun-incomplete`` then
gives what an uninterrupted run gives, and two clean runs give identical tables."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import select
import signal
import struct
import time
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from support import bad_inputs
from support.workflow import run_snakemake, tiny_config, write_config
from support.runs import (
    Run,
    TRAIN_OUTPUT,
    checked,
    failed_jobs,
    incomplete_outputs,
    processes_in,
    temp_files,
)

pytestmark = pytest.mark.workflow


# =====================================================================================
# 2. Interrupted runs
# =====================================================================================


class FolderWatch:
    """inotify (Linux) on one folder: which files are created/written/renamed in it."""

    IN_MODIFY, IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE = 0x2, 0x40, 0x80, 0x100

    def __init__(self, folder: Path):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        mask = self.IN_MODIFY | self.IN_MOVED_FROM | self.IN_MOVED_TO | self.IN_CREATE
        if libc.inotify_add_watch(self.fd, os.fsencode(folder), mask) < 0:
            os.close(self.fd)
            raise OSError(ctypes.get_errno(), f"inotify_add_watch({folder}) failed")

    def events(self, timeout: float) -> list[tuple[int, str]]:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        buffer, events, i = os.read(self.fd, 1 << 16), [], 0
        while i < len(buffer):
            _, mask, _, size = struct.unpack_from("iIII", buffer, i)
            events.append((mask, buffer[i + 16 : i + 16 + size].rstrip(b"\0").decode()))
            i += 16 + size
        return events

    def close(self) -> None:
        os.close(self.fd)


def feature_kill_config() -> dict:
    """SEED only, one session of longer clips and a small step: a feature file of ~30 MB,
    so the job spends tens of milliseconds writing it."""
    config = tiny_config()
    config["seed"]["sessions"] = [1]
    config["deap"]["enabled"] = False
    config["synthetic"]["seed_clip_seconds"] = [60, 64]
    config["seed"]["step_s"] = 0.2
    # entry preprocessed: our windows (step_s applies; the default entry uses the lab's 4 s)
    config["seed"].update(entry="preprocessed", eye_movements=False)
    return config


FEATURE_STEM = bad_inputs.seed_stem(1)
FEATURE_TARGET = f"results/features/seed/{FEATURE_STEM}.h5"


def start_and_kill_while_writing(workdir: Path, *, attempts: int = 3) -> dict:
    """Start the feature job; SIGKILL Snakemake and the job (its whole process group, as a
    crash or power loss would) once the job has written the first dataset(s) into its
    output's temporary file."""
    folder = workdir / "results/features/seed"
    folder.mkdir(parents=True, exist_ok=True)
    tmp_name = re.compile(rf"^\.{re.escape(FEATURE_STEM)}\.h5\..*tmp$")
    for attempt in range(attempts):
        watch = FolderWatch(folder)
        run = Run(workdir, (FEATURE_TARGET,), name=f"kill{attempt}").start()
        killed = None
        try:
            while killed is None and run.running():
                for mask, name in watch.events(0.2):
                    if not (mask & FolderWatch.IN_MODIFY and tmp_name.match(name)):
                        continue
                    try:  # past the HDF5 superblock: at least one dataset written
                        written = (folder / name).stat().st_size > 1_000_000
                    except FileNotFoundError:  # already renamed: too late this time
                        continue
                    if written:
                        run.kill_group(signal.SIGKILL)
                        killed = name
                        break
        finally:
            watch.close()
        run.wait()
        if killed:
            time.sleep(0.5)
            temp = folder / killed
            return {"run": run, "temp_file": killed, "attempts": attempt + 1,
                    "temp_size": temp.stat().st_size if temp.exists() else None,
                    "alive": [p.pid for p in processes_in(workdir)],
                    "final_exists": (workdir / FEATURE_TARGET).exists(),
                    "incomplete": incomplete_outputs(workdir),
                    "temp_left": temp_files(workdir / "results")}
        (workdir / FEATURE_TARGET).unlink(missing_ok=True)  # the job finished before we saw it write: again
    pytest.fail(f"never caught the feature job writing in {attempts} attempts")


@pytest.fixture(scope="module")
def killed_feature_job(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("kill_features")
    reference, killed = tmp / "reference", tmp / "killed"
    for workdir in (reference, killed):
        write_config(workdir, feature_kill_config())
    ref_run = Run(reference, (FEATURE_TARGET,)).start()
    state = start_and_kill_while_writing(killed)
    # Recovery after a crash: release Snakemake's lock, then rerun what is incomplete.
    state["unlock"] = run_snakemake(killed, "--unlock", check=False)
    state["rerun"] = run_snakemake(killed, FEATURE_TARGET, "--rerun-incomplete", check=False)
    state["reference"] = checked(ref_run.wait()).workdir
    state["workdir"] = killed
    return state


def test_feature_job_killed_mid_write_leaves_no_half_written_file(killed_feature_job):
    state = killed_feature_job
    assert state["run"].returncode == -signal.SIGKILL
    assert not state["alive"], f"processes survived the kill: {state['alive']}"
    assert state["temp_size"] and state["temp_size"] > 1_000_000, "the job was not caught writing"  # died part-way
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
    return sorted(p.relative_to(workdir) for p in workdir.glob("results/search/**/predictions.npz"))


def assert_same_tables_and_predictions(a: Path, b: Path) -> None:
    tables = sorted(p.name for p in (a / "results/tables").glob("*.csv"))
    assert tables == sorted(p.name for p in (b / "results/tables").glob("*.csv")) and "experiments.csv" in tables
    for name in tables:
        assert (a / "results/tables" / name).read_bytes() == (b / "results/tables" / name).read_bytes(), name
    predictions = _prediction_files(a)
    assert len(predictions) == 2 and predictions == _prediction_files(b)
    for path in predictions:
        with np.load(a / path) as x, np.load(b / path) as y:
            assert x.files == y.files and x.files, path
            for key in x.files:
                np.testing.assert_array_equal(x[key], y[key], err_msg=f"{path}:{key}")


def test_two_clean_runs_give_identical_tables_and_predictions(seed_runs):
    """Extends test_workflow_experiments' determinism test: here the two runs go at the
    same time, and the search CSVs (minus timings) must agree too."""
    assert_same_tables_and_predictions(seed_runs["first"], seed_runs["second"])
    searches = sorted(seed_runs["first"].glob("results/search/seed/*/*/*.csv"))
    assert len(searches) == 2
    for path in searches:
        rel = path.relative_to(seed_runs["first"])
        timing = ["seconds", "refit_seconds"]
        a = pd.read_csv(path).drop(columns=timing, errors="ignore")
        b = pd.read_csv(seed_runs["second"] / rel).drop(columns=timing, errors="ignore")
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_training_job_killed_part_way_leaves_no_output(seed_runs):
    state = seed_runs["kill"]
    assert state.get("victims"), f"the training job was never caught running: {state}"
    assert state["returncode"] != 0
    assert ("train_shard", TRAIN_OUTPUT) in failed_jobs(state["output"])
    assert "done in" not in state["log"]  # it died while training
    assert not state["final_exists"] or "IncompleteFilesException" in state["plain_dry_run"].stderr, (
        f"{TRAIN_OUTPUT} exists after the kill and a plain run does not refuse it"
    )


def test_rerun_incomplete_after_killed_training_equals_uninterrupted_run(seed_runs):
    state = seed_runs["kill"]
    assert state["rerun"].returncode == 0, state["rerun"].stderr[-3000:]
    assert_same_tables_and_predictions(seed_runs["first"], seed_runs["killed"])
    assert not temp_files(seed_runs["killed"] / "results"), temp_files(seed_runs["killed"] / "results")


