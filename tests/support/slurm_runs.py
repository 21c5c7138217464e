"""The live SLURM test's cluster and runs (``tests/test_slurm.py``), as a session fixture
registered in conftest.py: ``support.shared_runs.tiny_run`` starts it first when the session
runs that test, so the SLURM run's waits (about 90 of its 115 s on 2 cores) overlap the tiny
run instead of holding a pytest worker idle."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from support.runs import Run
from support.slurm_cluster import SlurmCluster
from support.workflow import REPO, tiny_config, write_config

PROFILE = REPO / "profiles" / "slurm"

# Options for this throw-away cluster on top of the profile (all verified with plugin 2.8.0):
SLURM_TEST_ARGS = (
    "--profile", str(PROFILE),
    "--executor", "slurm",
    # No slurmdbd (AccountingStorageType=accounting_storage/none): job status from squeue,
    # which keeps finished jobs for MinJobAge (3600 s here).
    "--slurm-status-command", "squeue",
    # No accounts on this cluster. (In 2.8.0 the flag is accepted but unused: without a
    # slurm_account resource the plugin tries `sacct` for a guess and submits without -A.)
    "--slurm-no-account",
    # First status check after 2 s instead of 40 s (then +10 s per check that finds no
    # finished job, back to 2 s after one that does): ~14 s per DAG level instead of ~50.
    "--slurm-init-seconds-before-status-checks", "2",
    "--seconds-between-status-checks", "2",
    # Keep every job's SLURM log: the test checks that each rule went through sbatch.
    "--slurm-keep-successful-logs",
    "--retries", "0",  # a failure must fail the test, not be retried away
    "--latency-wait", "10",
)

# Watchdog: a SLURM run still going after this many seconds is stopped (SIGTERM to its
# Snakemake process, which scancels its jobs) and the test fails instead of hanging.
# A hang guard, not a timing check: ~2 min alone on 2 cores, more beside the tiny run and
# another xdist worker.
SLURM_RUN_TIMEOUT = float(os.environ.get("SLURM_TEST_TIMEOUT", "900"))

# How many of the enabled models (config order) the SLURM test trains. 1 (feature_fusion
# at 44b7f12) keeps the whole test at ~2 min on 2 cores; the first and last together
# (adding bimodal_lstm, a TensorFlow network) took ~3.75 min, with byte-identical tables.
SLURM_TEST_MODELS = 1


def slurm_test_config() -> dict:
    """``tiny_config()`` with fewer experiments, but the same rules.

    Under SLURM every job pays the Snakemake start-up twice (the sbatch job, then its srun
    step), ~6 s on 2 cores, and each DAG level waits for a status check; the whole tiny
    workflow (84 jobs at 44b7f12) took ~7 min there. So: the first SEED session only and
    the first SLURM_TEST_MODELS enabled models. Every rule still runs, results/tables/ is
    still written.
    """
    config = tiny_config()
    sessions = config.get("seed", {}).get("sessions")
    if isinstance(sessions, list) and len(sessions) > 1:
        config["seed"]["sessions"] = sessions[:1]
    models = config.get("models")
    if isinstance(models, dict):
        enabled = [name for name, spec in models.items() if isinstance(spec, dict) and spec.get("enabled", True)]
        for name in enabled[SLURM_TEST_MODELS:]:
            models[name]["enabled"] = False
    return config


class SlurmRuns:
    """The cluster, and a local and a SLURM run of ``slurm_test_config()`` going in the
    background (``support.runs.Run``: each its own Snakemake process group)."""

    def __init__(self, cluster: SlurmCluster, root: Path):
        self.cluster = cluster
        self.local_dir, self.slurm_dir = root / "local", root / "slurm"
        config = slurm_test_config()
        write_config(self.local_dir, config)
        write_config(self.slurm_dir, config)
        # Snakemake, sbatch/squeue and (through sbatch --export=ALL) the jobs see the cluster.
        self.local = Run(self.local_dir, name="local").start()
        try:
            self.remote = Run(self.slurm_dir, SLURM_TEST_ARGS, name="slurm", env=cluster.env()).start()
        except BaseException:
            self.local.kill_group()
            raise
        self.started = time.monotonic()
        self.timed_out = False

    def wait(self) -> "SlurmRuns":
        """Both runs finished; the SLURM run stopped (SIGTERM, then SIGKILL: Snakemake scancels
        its jobs on SIGTERM) if it is still going SLURM_RUN_TIMEOUT s after its start."""
        while self.remote.process.poll() is None and time.monotonic() - self.started < SLURM_RUN_TIMEOUT:
            time.sleep(0.5)
        if self.remote.process.poll() is None:
            self.timed_out = True
            self.stop(signal.SIGTERM)
        self.remote.wait()
        self.local.wait()
        self.elapsed = time.monotonic() - self.started
        return self

    def stop(self, first=signal.SIGKILL) -> None:
        """Stop the runs still going (at teardown, if the test never waited for them)."""
        for sig, grace in ((first, 30), (signal.SIGKILL, 0)):
            for run in (self.remote, self.local):
                run.kill_group(sig)
            deadline = time.monotonic() + grace
            while any(run.process.poll() is None for run in (self.remote, self.local)) and time.monotonic() < deadline:
                time.sleep(0.5)


@pytest.fixture(scope="session")
def slurm_runs(tmp_path_factory):
    """A one-node cluster and the two runs, started; the test calls ``wait()``. Made before
    the tiny run when the session makes one (``support.shared_runs.tiny_run``), so the SLURM
    run's waits overlap the tiny run and its tests on this worker."""
    cluster = SlurmCluster()
    runs = None
    try:
        cluster.start()
        runs = SlurmRuns(cluster, tmp_path_factory.mktemp("slurm_runs"))
        yield runs
    finally:
        try:
            if runs is not None:
                runs.stop()
            cluster.stop()
        finally:
            alive = cluster.daemons_alive()
            leftovers = cluster.leftover_processes()
            if not alive and not leftovers:
                cluster.remove()
        assert not alive, f"SLURM/MUNGE daemons still running after stop (by PID file): {alive}"
        assert not leftovers, f"processes of the test cluster still running: {leftovers}"
