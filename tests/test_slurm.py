"""Live SLURM test: the tiny workflow through snakemake-executor-plugin-slurm on a
single-node cluster started here, with outputs equal to a local run's.

Needs slurm-wlm and munge (``.ci/slurm_install.sh``); skipped only when slurmctld is not
installed. The cluster (munged, slurmctld, slurmd; all state in a temporary folder) and the
two runs are the session fixture ``slurm_runs``: the runs start in the background (the SLURM
run mostly waits between status checks, about 90 of its 115 s on 2 cores), before the tiny
run when this session makes one (``support.shared_runs.tiny_run``), and the test waits for
them after the tiny run's tests. The fixture's finalizer stops the cluster by PID file, also
when the test fails, and then fails if any process of the cluster survived.
"""

from __future__ import annotations

import re
from pathlib import Path

import h5py
import numpy as np
import pytest

from support.slurm_cluster import find_tool
from support.slurm_runs import SLURM_RUN_TIMEOUT

if find_tool("slurmctld") is None:
    pytest.skip(
        "slurmctld is not installed: run .ci/slurm_install.sh (apt-get install slurm-wlm munge) "
        "to run the live SLURM test",
        allow_module_level=True,
    )

pytestmark = pytest.mark.workflow

# Output trees compared between the local and the SLURM run.
FEATURES_GLOB = "results/features/**/*.h5"
TABLES_DIR = "results/tables"
# Tables are compared numerically with this tolerance when they parse as CSV/TSV
# (models trained under different thread counts may differ in the last bits); any other
# file under results/tables/ must be byte-identical.
TABLE_RTOL, TABLE_ATOL = 1e-6, 1e-9


def _jobs(snakemake_output: str) -> list[tuple[str, str]]:
    """(kind, rule) of every job a run executed; kind is "rule" (submitted) or "localrule".

    Members of a group job (profile `groups:`) are printed indented under the group's header.
    """
    return sorted(re.findall(r"^[ \t]*(rule|localrule) (\w+):$", snakemake_output, flags=re.MULTILINE))


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


def test_slurm_run_equals_local_run(slurm_runs):
    runs = slurm_runs.wait()
    slurm, local, remote = runs.cluster, runs.local, runs.remote
    local_dir, slurm_dir, elapsed = runs.local_dir, runs.slurm_dir, runs.elapsed
    output = remote.output
    assert not runs.timed_out, f"SLURM run stopped after {SLURM_RUN_TIMEOUT:.0f} s:\n{output[-4000:]}\n{slurm.logs()}"
    assert remote.returncode == 0, f"SLURM run failed ({remote.returncode}):\n{output[-6000:]}\n{slurm.logs()}"
    assert local.returncode == 0, f"local run failed ({local.returncode}):\n{local.output[-6000:]}"

    # The same jobs ran; every one but local rules (`all`) was submitted with sbatch.
    local_jobs, slurm_jobs = _jobs(local.output), _jobs(output)
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
