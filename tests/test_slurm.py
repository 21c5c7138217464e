"""Live SLURM test: the tiny workflow through snakemake-executor-plugin-slurm on a
single-node cluster started here, with outputs equal to a local run's.

Needs slurm-wlm and munge (``.ci/slurm_install.sh``); skipped only when slurmctld is not
installed. The cluster (munged, slurmctld, slurmd; all state in a temporary folder) is
started by the ``slurm`` fixture and stopped by PID file in its finalizer, also when the
test fails; the finalizer then fails the test if any process of the cluster survived.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np
import pytest

from support.slurm_cluster import SlurmCluster, find_tool
from support.workflow import REPO, run_snakemake, tiny_config, write_config

if find_tool("slurmctld") is None:
    pytest.skip(
        "slurmctld is not installed: run .ci/slurm_install.sh (apt-get install slurm-wlm munge) "
        "to run the live SLURM test",
        allow_module_level=True,
    )

pytestmark = pytest.mark.workflow

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

# Watchdog: a SLURM run still going after this many seconds is stopped (SIGTERM to the
# Snakemake child process, which scancels its jobs) and the test fails instead of hanging.
# A hang guard, not a timing check: ~2 min alone on 2 cores, more beside another xdist worker.
SLURM_RUN_TIMEOUT = float(os.environ.get("SLURM_TEST_TIMEOUT", "900"))

# Output trees compared between the local and the SLURM run.
FEATURES_GLOB = "results/features/**/*.h5"
TABLES_DIR = "results/tables"
# Tables are compared numerically with this tolerance when they parse as CSV/TSV
# (models trained under different thread counts may differ in the last bits); any other
# file under results/tables/ must be byte-identical.
TABLE_RTOL, TABLE_ATOL = 1e-6, 1e-9


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


@pytest.fixture(scope="module")
def slurm(request):
    cluster = SlurmCluster()

    def finalize():
        try:
            cluster.stop()
        finally:
            alive = cluster.daemons_alive()
            leftovers = cluster.leftover_processes()
            if not alive and not leftovers:
                cluster.remove()
        assert not alive, f"SLURM/MUNGE daemons still running after stop (by PID file): {alive}"
        assert not leftovers, f"processes of the test cluster still running: {leftovers}"

    request.addfinalizer(finalize)  # registered before start: a half-started cluster is stopped too
    cluster.start()
    return cluster


def _jobs(snakemake_output: str) -> list[tuple[str, str]]:
    """(kind, rule) of every job a run executed; kind is "rule" (submitted) or "localrule".

    Members of a group job (profile `groups:`) are printed indented under the group's header.
    """
    return sorted(re.findall(r"^[ \t]*(rule|localrule) (\w+):$", snakemake_output, flags=re.MULTILINE))


class _Watchdog:
    """SIGTERM (then SIGKILL) this process's Snakemake children after ``timeout`` seconds."""

    def __init__(self, timeout: float):
        self.fired = False
        self._timer = threading.Timer(timeout, self._fire)
        self._timer.daemon = True

    @staticmethod
    def _snakemake_children() -> list[int]:
        me, pids = os.getpid(), []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me and b"snakemake" in cmdline:
                pids.append(int(entry))
        return pids

    def _fire(self) -> None:
        self.fired = True
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 0)):
            for pid in self._snakemake_children():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            time.sleep(wait)

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        return False


def _compare_h5(local: Path, slurm: Path) -> None:
    with h5py.File(local, "r") as a, h5py.File(slurm, "r") as b:
        assert sorted(a.attrs) == sorted(b.attrs), f"{slurm}: attribute names differ"
        for key in a.attrs:
            assert np.array_equal(a.attrs[key], b.attrs[key]), f"{slurm}: attribute {key} differs"
        names_a, names_b = [], []
        a.visit(names_a.append)
        b.visit(names_b.append)
        assert sorted(names_a) == sorted(names_b), f"{slurm}: different groups/datasets"
        for name in names_a:
            if not isinstance(a[name], h5py.Dataset):
                continue
            x, y = a[name][()], b[name][()]
            assert x.dtype == y.dtype and x.shape == y.shape, f"{slurm}:/{name}: dtype or shape differs"
            if np.issubdtype(x.dtype, np.number):
                np.testing.assert_array_equal(x, y, err_msg=f"{slurm}:/{name}")
            else:
                assert np.array_equal(x, y), f"{slurm}:/{name}"


def _compare_table(local: Path, slurm: Path) -> None:
    if local.read_bytes() == slurm.read_bytes():
        return
    if local.suffix in (".csv", ".tsv"):
        import pandas as pd

        sep = "\t" if local.suffix == ".tsv" else ","
        a, b = pd.read_csv(local, sep=sep), pd.read_csv(slurm, sep=sep)
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=TABLE_RTOL, atol=TABLE_ATOL, obj=str(slurm))
        return
    raise AssertionError(f"{slurm} differs from the local run's {local}")


def _relative_files(root: Path, pattern: str) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.glob(pattern) if p.is_file())


def test_slurm_run_equals_local_run(slurm, tmp_path, monkeypatch):
    config = slurm_test_config()
    local_dir, slurm_dir = tmp_path / "local", tmp_path / "slurm"
    write_config(local_dir, config)
    write_config(slurm_dir, config)

    # Snakemake, sbatch/squeue and (through sbatch --export=ALL) the jobs see the cluster.
    for key, value in slurm.env().items():
        monkeypatch.setenv(key, value)
    started = time.monotonic()
    # The local reference run goes alongside: the SLURM run mostly waits between status checks.
    with ThreadPoolExecutor(max_workers=1) as pool, _Watchdog(SLURM_RUN_TIMEOUT) as watchdog:
        local_run = pool.submit(run_snakemake, local_dir)
        remote = run_snakemake(slurm_dir, *SLURM_TEST_ARGS, check=False)
        local = local_run.result()
    elapsed = time.monotonic() - started
    output = remote.stdout + remote.stderr
    assert not watchdog.fired, f"SLURM run stopped after {SLURM_RUN_TIMEOUT:.0f} s:\n{output[-4000:]}\n{slurm.logs()}"
    assert remote.returncode == 0, f"SLURM run failed ({remote.returncode}):\n{output[-6000:]}\n{slurm.logs()}"

    # The same jobs ran; every one but local rules (`all`) was submitted with sbatch.
    local_jobs, slurm_jobs = _jobs(local.stdout + local.stderr), _jobs(output)
    assert local_jobs, "the local run executed no jobs"
    assert sorted(rule for _, rule in slurm_jobs) == sorted(rule for _, rule in local_jobs)
    remote_jobs = [rule for kind, rule in slurm_jobs if kind == "rule"]
    rules = set(remote_jobs)
    assert rules, f"no job was submitted to SLURM:\n{output[-3000:]}"
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", output)
    assert submitted, f"no sbatch submission:\n{output[-3000:]}"
    slurm_logs = slurm_dir / ".snakemake" / "slurm_logs"  # the plugin's default log folder
    assert len(list(slurm_logs.rglob("*.log"))) == len(submitted)
    logged_rules = {p.name.removeprefix("rule_") for p in slurm_logs.glob("rule_*") if p.is_dir()}
    if not list(slurm_logs.glob("group_*")):  # one SLURM job per job unless the profile groups rules
        assert len(submitted) == len(remote_jobs), f"{len(submitted)} sbatch calls for {len(remote_jobs)} jobs"
        assert logged_rules == rules, f"SLURM logs for {sorted(logged_rules)}, expected {sorted(rules)}"
    assert logged_rules <= rules
    finished = slurm.run("squeue", "--noheader", "--states=all", "--format=%i %T").stdout.split("\n")
    states = dict(line.split() for line in finished if line.strip())
    not_completed = {job: states.get(job) for job in submitted if states.get(job) != "COMPLETED"}
    assert not not_completed, f"SLURM jobs not COMPLETED: {not_completed}"

    # Same outputs: feature HDF5 numerically, every table file.
    features = _relative_files(local_dir, FEATURES_GLOB)
    assert features, "no feature files from the local run"
    assert _relative_files(slurm_dir, FEATURES_GLOB) == features
    for rel in features:
        _compare_h5(local_dir / rel, slurm_dir / rel)
    tables = _relative_files(local_dir, f"{TABLES_DIR}/**/*")
    assert _relative_files(slurm_dir, f"{TABLES_DIR}/**/*") == tables
    for rel in tables:
        _compare_table(local_dir / rel, slurm_dir / rel)

    print(f"SLURM run ({len(remote_jobs)} SLURM jobs) and local run: {elapsed:.0f} s")
