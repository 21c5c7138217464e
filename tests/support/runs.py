"""Running the workflow in the background for the reliability tests: runs, kills, raw
copies of SEED/DEAP (fixtures shared by several test modules through conftest.py)."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import bad_inputs, workflow
from multimodal_emotion import datasets, recording  # noqa: F401
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds  # noqa: F401
from support.workflow import REPO, SNAKEMAKE, run_snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
TIMEOUT_S = 900


# --- running Snakemake in the background ---------------------------------------------


def snakemake_command(workdir: Path, *args: str) -> list[str]:
    return [
        *SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(workdir / "config.yaml"), "--cores", "2", *args,
    ]


@dataclass
class Run:
    """One Snakemake process started in its own process group; output goes to files."""

    workdir: Path
    args: tuple[str, ...] = ()
    process: subprocess.Popen | None = None
    name: str = "run"
    env: dict | None = None  # added to the environment (e.g. pause_env())

    def start(self) -> "Run":
        workflow.check_workflow_marker()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._out = open(self.workdir.parent / f"{self.workdir.name}.{self.name}.stdout", "w+")
        self._err = open(self.workdir.parent / f"{self.workdir.name}.{self.name}.stderr", "w+")
        self.process = subprocess.Popen(
            snakemake_command(self.workdir, *self.args), stdout=self._out, stderr=self._err, env={**ENV, **(self.env or {})},
            start_new_session=True,  # its own process group: the test can kill Snakemake and its jobs at once
        )
        self.started = time.monotonic()
        return self

    def running(self) -> bool:
        if self.process.poll() is None and time.monotonic() - self.started > TIMEOUT_S:
            self.kill_group()
            raise AssertionError(f"snakemake in {self.workdir} ran longer than {TIMEOUT_S} s")
        return self.process.poll() is None

    def kill_group(self, sig=signal.SIGKILL) -> None:
        """Signal Snakemake and its jobs (the process group this run started), if still running."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self) -> "Run":
        while self.running():
            time.sleep(0.1)
        for f in (self._out, self._err):
            f.flush()
            f.seek(0)
        self.stdout, self.stderr = self._out.read(), self._err.read()
        self._out.close()
        self._err.close()
        return self

    @property
    def returncode(self) -> int:
        return self.process.returncode

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_all(runs: list[Run], *, parallel: int = 3) -> list[Run]:
    """Run Snakemake processes, ``parallel`` at a time; return them finished."""
    pending, active = list(runs), []
    try:
        while pending or active:
            while pending and len(active) < parallel:
                active.append(pending.pop(0).start())
            for run in [r for r in active if not r.running()]:
                run.wait()
                active.remove(run)
            time.sleep(0.1)
    except BaseException:
        for run in active:
            run.kill_group()
        raise
    return runs


def checked(run: Run) -> Run:
    if run.returncode != 0:
        raise AssertionError(f"snakemake in {run.workdir} failed ({run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-5000:]}")
    return run


def failed_jobs(output: str) -> list[tuple[str, str]]:
    """(rule, output files) of every ``Error in rule`` block Snakemake printed."""
    jobs = []
    for match in re.finditer(r"^Error in rule (\w+):\n((?:    .*(?:\n|$))*)", output, re.M):
        outputs = re.search(r"^    output: (.*)$", match.group(2), re.M)
        jobs.append((match.group(1), outputs.group(1) if outputs else ""))
    return jobs


def job_processes(run: Run, script: str):
    """Live processes of ``run``'s jobs whose command line runs the rule script ``script``."""
    import psutil

    found = []
    for child in psutil.Process(run.process.pid).children(recursive=True):
        try:
            if any(script in part for part in child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


def processes_in(workdir: Path):
    """Any process still running a command that names ``workdir`` (left over after a kill)."""
    import psutil

    alive = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(str(workdir) in part for part in proc.info["cmdline"] or []):
                alive.append(proc)
        except psutil.Error:
            pass
    return alive


# --- pause points (multimodal_emotion.pause_points): kill a job at a known place -------


def pause_env(folder: Path, *points: str) -> dict:
    """Environment that makes every job of a run hold at ``points`` (see pause_points)."""
    from multimodal_emotion import pause_points

    folder.mkdir(parents=True, exist_ok=True)
    return {pause_points.PAUSE_AT: ",".join(points), pause_points.PAUSE_DIR: str(folder)}


def wait_for_pause(run: Run, folder: Path, point: str) -> dict:
    """The marker of the first job of ``run`` held at ``point`` (point, pid, detail); fails
    if the run ends, or runs TIMEOUT_S, without reaching it."""
    import json

    while run.running():
        markers = sorted(folder.glob(f"{point}.*.paused"))
        if markers:
            return json.loads(markers[0].read_text())
        time.sleep(0.05)
    run.wait()
    raise AssertionError(f"snakemake in {run.workdir} ended ({run.returncode}) before a job paused at {point}:\n"
                         f"{run.stderr[-3000:]}")


def release_pauses(folder: Path, point: str) -> None:
    """Let every job held at ``point`` go on (and later ones pass it)."""
    (folder / f"{point}.release").touch()


def temp_files(results: Path) -> list[str]:
    """Files/folders left under temporary names (atomic writes: ``.{name}.*.tmp``, ``.{name}.tmp``)."""
    return sorted(str(p.relative_to(results)) for p in results.rglob(".*") if p.name.endswith(".tmp"))


def incomplete_outputs(workdir: Path) -> set[str]:
    """Outputs Snakemake has marked incomplete (``.snakemake/incomplete/<base64 of path>``)."""
    import base64

    folder = workdir / ".snakemake" / "incomplete"
    names = set()
    for marker in folder.iterdir() if folder.exists() else []:
        try:
            names.add(base64.urlsafe_b64decode(marker.name).decode())
        except ValueError:
            pass
    return names


# --- raw copies ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> bad_inputs.Pristine:
    return bad_inputs.write_pristine(tmp_path_factory.mktemp("pristine"))


def user_copy_config(*, seed_root: Path | None, deap_root: Path | None, seed_subjects=(1,), deap_subjects=(1,),
                     deap_format: str = "python") -> dict:
    """tiny_config() pointed at a user's copy; datasets without a copy are disabled."""
    config = tiny_config()
    config["seed"].update(enabled=seed_root is not None, subjects=list(seed_subjects), sessions=[1])
    config["deap"].update(enabled=deap_root is not None, subjects=list(deap_subjects), format=deap_format)
    if seed_root is not None:
        config["seed"]["source"] = str(seed_root)
    if deap_root is not None:
        config["deap"]["source"] = str(deap_root)
    config["experiments"]["deap_protocol"]["n_folds"] = 3
    return config


def only_models(config: dict, *names: str) -> dict:
    for name, spec in config["models"].items():
        spec["enabled"] = name in names
    return config



@pytest.fixture(scope="session")
def pristine_raw(pristine, tmp_path_factory) -> bad_inputs.PristineRaw:
    return bad_inputs.write_pristine_raw(pristine, tmp_path_factory.mktemp("pristine_raw"))




def tree_state(root: Path) -> dict:
    """Every file and folder under ``root``: mode, size, mtime (ns) and SHA-256 of files."""
    state = {}
    for path in sorted([root, *root.rglob("*")]):
        st = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        state[str(path.relative_to(root))] = (stat.filemode(st.st_mode), st.st_size if digest else None, st.st_mtime_ns, digest)
    return state


def chmod_tree(root: Path, *, files: int, folders: int) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        path.chmod(folders if path.is_dir() else files)
    root.chmod(folders)


@pytest.fixture(scope="session")
def readonly_run(pristine, pristine_raw, tmp_path_factory) -> dict:
    """The tiny workflow on user copies whose files are 0o444 and folders 0o555, up to the
    tables (one SEED session, one DEAP subject, the two SVM baselines): the preprocessed
    files and, at the same time, the raw recordings of the same signals (``entry: raw``;
    test_raw_path.py compares the two runs). (As root the permissions do not stop writes;
    the before/after state of every file is what the test checks.)"""
    tmp = tmp_path_factory.mktemp("readonly")
    copies, runs = {}, {}
    for entry in ("preprocessed", "raw"):
        raw = tmp / entry / "raw"
        if entry == "raw":
            seed = bad_inputs.copy_seed_raw_session(pristine, pristine_raw, raw / "SEED", bad_inputs.seed_stem(1))
            deap = bad_inputs.copy_deap_raw_subject(pristine_raw, raw / "DEAP", 1)
        else:
            seed = bad_inputs.copy_seed_session(pristine, raw / "SEED", bad_inputs.seed_stem(1))
            deap = {"data": bad_inputs.copy_deap_subject(pristine, raw / "DEAP", 1)}
        config = only_models(user_copy_config(seed_root=raw / "SEED", deap_root=raw / "DEAP"), "linear_svm", "feature_fusion")
        config["seed"]["entry"] = config["deap"]["entry"] = entry
        write_config(tmp / entry / "work", config)
        runs[entry] = Run(tmp / entry / "work")
        copies[entry] = {"raw": raw, "config": config, "workdir": tmp / entry / "work",
                         "raw_files": {"seed": sorted(str(p) for p in seed.values()), "deap": sorted(str(p) for p in deap.values())}}
        chmod_tree(raw, files=0o444, folders=0o555)
        copies[entry]["before"] = tree_state(raw)
    try:
        run_all(list(runs.values()))
        for entry, copy in copies.items():
            copy["after"] = tree_state(copy["raw"])
            copy["run"] = runs[entry]
    finally:
        for copy in copies.values():
            chmod_tree(copy["raw"], files=0o644, folders=0o755)
    return copies
