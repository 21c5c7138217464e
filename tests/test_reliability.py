"""Reliability: nothing lost, nothing half-written, nothing leaked.

1. Bad inputs, through Snakemake: every way a user's copy of SEED/DEAP can be broken
   (``tests/bad_inputs.py``) stops its job with one line ``ERROR: <file>: <problem>``
   and leaves no output of the failed job. A DEAP subject with one valence class is
   reported as not evaluable, not a crash. Config problems are tested in
   ``tests/test_config.py`` (unknown keys and wrong types:
   ``test_schema_rejects_bad_keys_and_types``; inverted bands and bandpass, Nyquist,
   window longer than the clip: ``test_semantic_checks_name_the_key``; results inside the
   raw data: ``test_results_inside_raw_data_is_refused``; start-up failure:
   ``test_bad_config_fails_snakemake_at_start_up``); the checks it lacks are here.
2. Interrupted runs: a feature job killed while it writes and a training job killed
   while it trains leave no output under the final name, and ``--rerun-incomplete``
   then gives what an uninterrupted run gives.
3. Raw data are read-only to the workflow.
4. Determinism: two clean runs give byte-identical tables and identical predictions.
5. Leakage: no statistic of the test split enters scaling or training.
6. Provenance of features, experiment results and tables.

Runs are kept small (one SEED session of short clips, one DEAP subject, SVMs or one
short network) and independent runs go in parallel.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import pickle
import re
import select
import signal
import stat
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

import bad_inputs
from bad_inputs import CASES, BadCase
from multimodal_emotion import __version__, experiments, features, synthetic
from multimodal_emotion import datasets, recording, synthetic  # noqa: F401
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds  # noqa: F401
from multimodal_emotion import workflow_config as wc
from multimodal_emotion.models import build_model, refit_last_layer
from multimodal_emotion.store import FeatureFile, write_features
from workflow_helpers import REPO, SNAKEMAKE, run_snakemake, tiny_config, write_config

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

    def start(self) -> "Run":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._out = open(self.workdir.parent / f"{self.workdir.name}.{self.name}.stdout", "w+")
        self._err = open(self.workdir.parent / f"{self.workdir.name}.{self.name}.stderr", "w+")
        self.process = subprocess.Popen(
            snakemake_command(self.workdir, *self.args), stdout=self._out, stderr=self._err, env=ENV,
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


@pytest.fixture(scope="module")
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


# =====================================================================================
# 1. Bad inputs through Snakemake
# =====================================================================================


@dataclass
class CaseRun:
    case: BadCase
    recording: str
    path: Path  # the broken (or missing) raw file
    run: Run = None


@dataclass
class Scenario:
    name: str
    workdir: Path
    raw: Path
    cases: list[CaseRun] = field(default_factory=list)


def build_scenario(name: str, cases: list[BadCase], pristine: bad_inputs.Pristine, raw: bad_inputs.PristineRaw,
                   tmp: Path) -> Scenario:
    """A user's copy holding one broken recording per case (SEED subject k / DEAP subject k)."""
    scenario = Scenario(name, tmp / "work" / name, tmp / "raw" / name)
    seed_root, deap_root = scenario.raw / "SEED", scenario.raw / "DEAP"
    seed_cases = [c for c in cases if c.dataset == "seed"]
    deap_cases = [c for c in cases if c.dataset == "deap"]
    fmt = deap_cases[0].fmt if deap_cases else "python"
    entry = cases[0].entry
    for subject, case in enumerate(seed_cases, start=1):
        stem = bad_inputs.seed_stem(subject)
        if entry == "raw":
            paths = bad_inputs.copy_seed_raw_session(pristine, raw, seed_root, stem)
        else:
            paths = bad_inputs.copy_seed_session(pristine, seed_root, stem)
        case.breaks(paths[case.role])
        scenario.cases.append(CaseRun(case, stem, paths[case.role]))
    for subject, case in enumerate(deap_cases, start=1):
        if entry == "raw":
            path = bad_inputs.copy_deap_raw_subject(raw, deap_root, subject)[case.role]
        else:
            path = bad_inputs.copy_deap_subject(pristine, deap_root, subject, fmt=fmt)
        case.breaks(path)
        scenario.cases.append(CaseRun(case, deap_ds.subject_stem(subject), path))
    config = user_copy_config(
        seed_root=seed_root if seed_cases else None, deap_root=deap_root if deap_cases else None,
        seed_subjects=range(1, len(seed_cases) + 1) or (1,), deap_subjects=range(1, len(deap_cases) + 1) or (1,),
        deap_format=fmt,
    )
    config["seed"]["entry"] = config["deap"]["entry"] = entry
    write_config(scenario.workdir, config)
    return scenario


@pytest.fixture(scope="module")
def pristine_raw(pristine, tmp_path_factory) -> bad_inputs.PristineRaw:
    return bad_inputs.write_pristine_raw(pristine, tmp_path_factory.mktemp("pristine_raw"))


@pytest.fixture(scope="module")
def bad_runs(pristine, pristine_raw, tmp_path_factory) -> dict[str, CaseRun]:
    """Every bad case fed through Snakemake, up to the feature files only."""
    tmp = tmp_path_factory.mktemp("bad_inputs")
    groups: dict[str, list[BadCase]] = {}
    for case in CASES:
        groups.setdefault(case.scenario, []).append(case)
    scenarios = [build_scenario(name, cases, pristine, pristine_raw, tmp) for name, cases in groups.items()]
    runs = []
    for scenario in scenarios:
        targets = [f"results/features/{c.case.dataset}/{c.recording}.h5" for c in scenario.cases]
        run = Run(scenario.workdir, ("--keep-going", *targets))
        for c in scenario.cases:
            c.run = run
        runs.append(run)
    run_all(runs)
    return {c.case.name: c for s in scenarios for c in s.cases}


def _bad_run_ids():
    return sorted({c.scenario for c in CASES})


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_stops_its_job_with_one_line_and_leaves_nothing(bad_runs, case):
    item = bad_runs[case.name]
    run, workdir, dataset, stem = item.run, item.run.workdir, case.dataset, item.recording
    # (a) Snakemake fails
    assert run.returncode != 0, run.output[-3000:]
    if case.rule is None:
        # A missing file stops the run before any job: Snakemake (missing input) or the
        # config check (no session file) names the file or its folder and the problem.
        named = str(item.path.parent if case.role in ("eeg", "cnt") else item.path)
        assert named in run.output, run.output[-3000:]
        assert re.search(case.problem, run.output), run.output[-3000:]
        assert not list(workdir.glob("results/**/*.h5")) and not list(workdir.glob("results/logs/**/*.log"))
        return
    folders = ["features"]  # one job per recording: its only output
    output = f"results/features/{dataset}/{stem}.h5"
    assert any(rule == case.rule and output in outputs for rule, outputs in failed_jobs(run.output)), (
        f"no failed {case.rule} job for {stem}:\n{run.output[-4000:]}"
    )
    # (b) exactly one line on stderr, ERROR: <file>: <problem>
    prefix = f"ERROR: {item.path}: "
    lines = [line for line in run.stderr.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, (lines, [ln for ln in run.stderr.splitlines() if ln.startswith("ERROR")])
    assert re.fullmatch(re.escape(prefix) + case.problem, lines[0]), lines[0]
    # ... and the details (traceback) in the job's log
    log = workdir / f"results/logs/{case.rule}/{dataset}/{stem}.log"
    assert lines[0][len("ERROR: "):] in log.read_text()
    # (c) no output of the failed job (nor of the jobs after it): neither the final name nor a temporary file
    for folder in folders:
        left = sorted(p.name for p in (workdir / "results" / folder / dataset).glob(f"*{stem}*"))
        assert not left, f"left in results/{folder}/{dataset}: {left}"


@pytest.mark.parametrize("scenario", _bad_run_ids())
def test_bad_inputs_put_only_the_error_lines_on_the_terminal(bad_runs, scenario):
    """Besides Snakemake's own report (stderr), the failed jobs show their one-line errors
    and nothing else: no traceback (it stays in the job's log), no Python warning and no
    library chatter (MNE's readers), which belong in the log too."""
    run = next(c.run for c in bad_runs.values() if c.case.scenario == scenario)
    assert "Traceback (most recent call last)" not in run.output, run.output[-4000:]
    warnings = [line for line in run.output.splitlines() if re.search(r"\b\w*Warning: ", line)]
    assert not warnings, warnings
    assert not run.stdout.strip(), f"jobs wrote to stdout: {run.stdout.splitlines()[:5]}"


# --- config checks that tests/test_config.py lacks -----------------------------------


def _validated_default_config() -> dict:
    from snakemake.utils import validate

    config = yaml.safe_load((REPO / "config.yaml").read_text())
    validate(config, str(REPO / "resources" / "config.schema.yaml"), set_default=True)
    return config


def _set(config: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        config = config[key]
    config[last] = value


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("models.linear_svm.space.seed.C", {"log10": [0, -4]},
         r"config key 'models\.linear_svm\.space\.seed\.C': range \[0, -4\] is inverted"),
        ("synthetic.seed_clip_seconds", [30, 20], r"config key 'synthetic\.seed_clip_seconds': minimum 30 exceeds maximum 20"),
        ("experiments.seed_protocol.validation_clips", [6, 7, 8],
         r"config key 'experiments\.seed_protocol': a clip is in more than one of train_clips, validation_clips, test_clips"),
        ("experiments.seed_protocol.test_clips", [10, 11, 12, 13, 14, 16],
         r"config key 'experiments\.seed_protocol': clip 16 does not exist \(SEED has 15\)"),
        ("experiments.seed_protocol.tasks", ["valence"],
         r"config key 'experiments\.seed_protocol\.tasks': \['valence'\] are not SEED labels"),
        ("experiments.seed_protocol.validation_clips", [],
         r"config key 'experiments\.selection': 'validation' needs a validation split, which experiments\.seed_protocol does not define"),
        ("experiments.deap_protocol.n_folds", 41, r"config key 'experiments\.deap_protocol\.n_folds': 41 folds exceed the 40 trials"),
        ("synthetic.seed_effects", [{"channels": ["FP1", "XX9"], "bands": [[14, 31]]}],
         r"config key 'synthetic\.seed_effects\[0\]\.channels': unknown SEED channels \['XX9'\]"),
        ("synthetic.deap_effects", [{"channels": ["Fz"], "bands": [[4, 8]]}],
         r"config key 'synthetic\.deap_effects\[0\]': needs 'rating'"),
        ("models.bddae.space", {"seed": {"l2": {"value": 0.001}}}, r"config key 'models\.bddae\.space': no search space for \['deap'\]"),
    ],
)
def test_config_checks_missing_from_test_config(key, value, message):
    config = _validated_default_config()
    _set(config, key, value)
    with pytest.raises(wc.ConfigError, match=message):
        wc.check_config(config)


@pytest.mark.parametrize("inside", ["same folder", "subfolder"])
def test_results_inside_the_deap_copy_is_refused(tmp_path, inside):
    """test_config.py covers results inside the SEED copy; the DEAP side and the copy's own folder here."""
    config = _validated_default_config()
    config["deap"]["source"] = str(tmp_path)
    config["results"] = str(tmp_path if inside == "same folder" else tmp_path / "a" / "results")
    with pytest.raises(wc.ConfigError, match=r"config key 'results': .* lies inside the raw data folder .*; raw data are read-only"):
        wc.check_config(config)


# --- one class only ------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_class_runs(pristine, tmp_path_factory) -> dict[str, Run]:
    """A DEAP subject whose valence ratings are all above 5 (arousal has both classes),
    and a SEED copy whose label.mat gives every clip the same label."""
    tmp = tmp_path_factory.mktemp("one_class")
    deap_root = tmp / "raw_deap" / "DEAP"
    path = bad_inputs.copy_deap_subject(pristine, deap_root, 1)
    rng = np.random.default_rng(5)
    bad_inputs.deap_edit("labels", lambda a: np.column_stack([np.round(rng.uniform(5.5, 9.0, len(a)), 2), a[:, 1:]]))(path)
    with open(path, "rb") as f:
        labels = pickle.load(f, encoding="latin1")["labels"]
    assert (labels[:, 0] > 5).all() and (labels[:, 1] > 5).any() and (labels[:, 1] <= 5).any()
    deap_config = only_models(user_copy_config(seed_root=None, deap_root=deap_root), "linear_svm")
    write_config(tmp / "deap", deap_config)

    seed_root = tmp / "raw_seed" / "SEED"
    paths = bad_inputs.copy_seed_session(pristine, seed_root, bad_inputs.seed_stem(1))
    bad_inputs.edit_mat(lambda v: {"label": np.ones_like(v["label"])})(paths["labels"])
    seed_config = only_models(user_copy_config(seed_root=seed_root, deap_root=None), "linear_svm")
    write_config(tmp / "seed", seed_config)
    runs = {"deap": Run(tmp / "deap"), "seed": Run(tmp / "seed")}
    run_all(list(runs.values()))
    runs["seed"].label_path = paths["labels"]
    return runs


def test_deap_subject_with_one_valence_class_is_not_evaluable_not_a_crash(one_class_runs):
    run = checked(one_class_runs["deap"])
    results = run.workdir / "results"
    reason = r"all 40 trials are in class 'high' for valence \(threshold 5\); a binary task needs trials of both classes"
    result = json.loads((results / "experiments/deap/s01/valence/linear_svm.json").read_text())
    assert re.fullmatch(reason, result["not_evaluable"]) and result["selections"] == {}
    table = pd.read_csv(results / "tables/experiments.csv", keep_default_na=False)
    valence = table[(table["task"] == "valence")]
    assert len(valence) == 1 and re.fullmatch(reason, valence["not_evaluable"].iloc[0]) and valence["selection"].iloc[0] == ""
    arousal = table[(table["task"] == "arousal")]
    assert set(arousal["selection"]) == {"validation", "test"} and (arousal["not_evaluable"] == "").all()
    assert np.isfinite(arousal["test_accuracy"].astype(float)).all()
    summary = pd.read_csv(results / "tables/deap_accuracy.csv")
    assert not ((summary["source"] == "this run") & (summary["task"] == "valence")).any()
    notes = (results / "tables/deap_accuracy.md").read_text()
    assert re.search(r"Not evaluable: s01 valence \(linear_svm\): " + reason, notes), notes
    assert "Not evaluable: s01 valence" in (results / "tables/deap_accuracy.tex").read_text()


def test_seed_session_with_one_emotion_class_names_the_file_or_is_not_evaluable(one_class_runs):
    """SEED's counterpart: a label.mat whose 15 labels are all the same (values in the
    allowed set). Either the reader refuses it (one line naming label.mat) or the
    experiment is reported as not evaluable like DEAP's; an error naming no file is neither."""
    run = one_class_runs["seed"]
    stem = bad_inputs.seed_stem(1)
    if run.returncode == 0:
        results = run.workdir / "results"
        result = json.loads((results / f"experiments/seed/{stem}/emotion/linear_svm.json").read_text())
        assert result["not_evaluable"] and result["selections"] == {}, result
        table = pd.read_csv(results / "tables/experiments.csv", keep_default_na=False)
        assert table["not_evaluable"].tolist() == [result["not_evaluable"]]
        notes = (results / "tables/seed_accuracy.md").read_text()
        assert f"Not evaluable: {stem} emotion (linear_svm): {result['not_evaluable']}" in notes, notes
        return
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR: ")]
    assert errors == [line for line in errors if line.startswith(f"ERROR: {run.label_path}: ")] and errors, (
        f"expected one line naming {run.label_path}, got {errors}"
    )


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
        assert set(names) == {"eeg/de", "eeg/psd", "other/features", "windows/segment", "windows/start_s", "labels"}
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


def seed_run_config() -> dict:
    """SEED only (one session), Linear SVM and Bimodal-LSTM; 30 epochs so training can be caught."""
    config = tiny_config()
    config["seed"]["sessions"] = [1]
    config["deap"]["enabled"] = False
    only_models(config, "linear_svm", "bimodal_lstm")
    config["models"]["bimodal_lstm"]["fixed"].update(max_epochs=30, patience=30)
    return config


TRAIN_JOB = "seed/1_20131027/emotion/bimodal_lstm/shard0"
TRAIN_OUTPUT = f"results/search/{TRAIN_JOB}/models"
TRAIN_LOG = f"results/logs/train_shard/{TRAIN_JOB}.log"


@pytest.fixture(scope="module")
def seed_runs(tmp_path_factory) -> dict:
    """Two clean runs and one whose Bimodal-LSTM training job is SIGKILLed part-way (as
    the OOM killer or a node failure would), then resumed with ``--rerun-incomplete``.
    The three run at the same time."""
    tmp = tmp_path_factory.mktemp("seed_runs")
    runs = {name: Run(tmp / name) for name in ("first", "second", "killed")}
    for run in runs.values():
        write_config(run.workdir, seed_run_config())
        run.start()
    killed, log, state = runs["killed"], runs["killed"].workdir / TRAIN_LOG, {}
    try:
        while killed.running():
            text = log.read_text() if log.exists() else ""
            epochs = [int(e) for e in re.findall(r"bimodal_lstm epoch (\d+)/30", text)]
            if not state and epochs and max(epochs) >= 3 and "done in" not in text:
                victims = job_processes(killed, "train_shard.py")
                for proc in victims:
                    proc.send_signal(signal.SIGKILL)
                state = {"killed_at_epoch": max(epochs), "victims": len(victims)}
            time.sleep(0.05)
    except BaseException:
        for run in runs.values():
            run.kill_group()
        raise
    killed.wait()
    state.update(
        returncode=killed.returncode, output=killed.output, log=log.read_text(),
        final_exists=(killed.workdir / TRAIN_OUTPUT).exists(), incomplete=incomplete_outputs(killed.workdir),
    )
    if state["final_exists"]:
        state["plain_dry_run"] = run_snakemake(killed.workdir, "--dry-run", check=False)
    state["rerun"] = run_snakemake(killed.workdir, "--rerun-incomplete", check=False)
    for name in ("first", "second"):
        checked(runs[name].wait())
    return {"first": runs["first"].workdir, "second": runs["second"].workdir, "killed": killed.workdir, "kill": state}


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


# =====================================================================================
# 3. Raw data are read-only to the workflow
# =====================================================================================


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


@pytest.fixture(scope="module")
def readonly_run(pristine, pristine_raw, tmp_path_factory) -> dict:
    """The tiny workflow on user copies whose files are 0o444 and folders 0o555: the
    preprocessed files (one SEED session, one DEAP subject, the two SVM baselines, up to
    the tables) and, at the same time, the raw recordings (``entry: raw``, up to the
    feature files). (As root the permissions do not stop writes; the before/after state
    of every file is what the test checks.)"""
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
        targets = () if entry == "preprocessed" else (
            f"results/features/seed/{bad_inputs.seed_stem(1)}.h5", "results/features/deap/s01.h5")
        runs[entry] = Run(tmp / entry / "work", targets)
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


@pytest.mark.parametrize("entry", ["preprocessed", "raw"])
def test_workflow_completes_on_a_read_only_copy_and_leaves_it_untouched(readonly_run, entry):
    copy = readonly_run[entry]
    checked(copy["run"])
    if entry == "preprocessed":
        for name in ("seed_accuracy", "deap_accuracy", "experiments"):
            assert (copy["workdir"] / f"results/tables/{name}.csv").stat().st_size > 0
    else:
        assert len(list(copy["workdir"].glob("results/features/*/*.h5"))) == 2
    before, after = copy["before"], copy["after"]
    assert sorted(after) == sorted(before), "files appeared in or vanished from the raw copy"
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"raw files changed (mode, size, mtime, sha256): {changed}"
    assert all(mode[0] == "d" and mode[1:].count("w") == 0 or mode == "-r--r--r--" for mode, *_ in after.values())


# test_config.py::test_results_inside_raw_data_is_refused covers a results folder inside
# the SEED copy; test_results_inside_the_deap_copy_is_refused (above) the DEAP side.


# =====================================================================================
# 4. Determinism: see test_two_clean_runs_give_identical_tables_and_predictions above.
# =====================================================================================


# =====================================================================================
# 5. Leakage: no statistic of the test split enters scaling or training
# =====================================================================================

SEED_PROTOCOL = yaml.safe_load((REPO / "config.yaml").read_text())["experiments"]["seed_protocol"]
TINY_MODELS = {
    "linear_svm": {"C": 0.05},
    "feature_fusion": {"C": 1.0, "gamma": 0.01},
    "bimodal_lstm": {"eeg_hidden": 8, "other_hidden": 4, "sequence_length": 5, "max_epochs": 3, "patience": 3, "seed": 3},
    "bddae": {"eeg_hidden": 8, "other_hidden": 4, "shared_hidden": 4, "pretrain_epochs": 2, "max_epochs": 3,
              "patience": 3, "seed": 3, "batch_size": 64},
}


def perturb(features: FeatureFile, rows: np.ndarray) -> FeatureFile:
    """The same features with the windows in ``rows`` moved far away (offset and scale)."""
    de, psd, other = features.de.copy(), features.psd.copy(), features.other.copy()
    de[rows] = de[rows] * 7.0 + 100.0
    psd[rows] = psd[rows] * 1e3 + 5.0
    other[rows] = other[rows] * -3.0 + 1e3
    return FeatureFile(de=de, psd=psd, other=other, segment=features.segment, start_s=features.start_s,
                       labels=features.labels, attrs=features.attrs)


@pytest.fixture(scope="module")
def session_features(seed_files) -> FeatureFile:
    recording = seed_ds.read_session(seed_files["eeg"], seed_files["labels"], seed_files["eye"])
    filtered = features.bandpass_recording(recording, l_freq=1.0, h_freq=50.0)
    bands = synthetic.DEFAULT_SEED_BANDS
    return features.extract_features(filtered, bands=bands, window_s=4.0, step_s=1.0)


@pytest.fixture(scope="module")
def leakage_folds(session_features):
    """The SEED protocol's fold, and the same fold built from features whose test clips were perturbed."""
    test_rows = np.isin(session_features.segment, SEED_PROTOCOL["test_clips"])
    (fold,) = experiments.experiment_folds(session_features, protocol=SEED_PROTOCOL, task="emotion", seed=1)
    (moved,) = experiments.experiment_folds(perturb(session_features, test_rows), protocol=SEED_PROTOCOL, task="emotion", seed=1)
    return fold, moved


def _same_window_data(a, b) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("eeg", "other", "y", "segment"))


def test_folds_do_not_depend_on_the_test_windows(session_features, leakage_folds):
    fold, moved = leakage_folds
    assert _same_window_data(fold.train, moved.train) and _same_window_data(fold.val, moved.val)
    assert not np.array_equal(fold.test.eeg, moved.test.eeg) and not np.array_equal(fold.test.other, moved.test.other)
    # k-fold (the DEAP protocol, here on the SEED clips): perturbing fold 0's test windows
    # leaves fold 0's training and validation windows as they were.
    protocol = {"kind": "kfold", "n_folds": 5, "fold_unit": "trial", "threshold": 5.0, "validation": True, "eeg_feature": "de+psd"}
    folds = experiments.experiment_folds(session_features, protocol=protocol, task="emotion", seed=4)
    test_clips = np.unique(folds[0].test.segment)
    moved_folds = experiments.experiment_folds(
        perturb(session_features, np.isin(session_features.segment, test_clips)), protocol=protocol, task="emotion", seed=4
    )
    assert folds[0].index == moved_folds[0].index == 0
    assert _same_window_data(folds[0].train, moved_folds[0].train) and _same_window_data(folds[0].val, moved_folds[0].val)
    assert not np.array_equal(folds[0].test.eeg, moved_folds[0].test.eeg)


def _scaler_stats(model) -> dict:
    return {k: (s.kind, s.offset.copy(), s.scale.copy()) for k, s in model.scalers_.items()}


def _assert_same_stats(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key][0] == b[key][0]
        np.testing.assert_array_equal(a[key][1], b[key][1], err_msg=f"{key} offset")
        np.testing.assert_array_equal(a[key][2], b[key][2], err_msg=f"{key} scale")


def _expected_train_stats(model_class: str, train) -> dict:
    """What each model's scaler must hold: statistics of the training windows alone."""

    def standard(x):
        x = np.asarray(x, np.float64)
        std = x.std(axis=0)
        return ("standard", x.mean(axis=0), np.where(std > 0, std, 1.0))

    def minmax(x):
        x = np.asarray(x, np.float64)
        ptp = x.max(axis=0) - x.min(axis=0)
        return ("minmax", x.min(axis=0), np.where(ptp > 0, ptp, 1.0))

    if model_class == "bimodal_lstm":
        return {"eeg": standard(train.eeg), "other": standard(train.other)}
    if model_class == "bddae":
        return {"eeg": minmax(train.eeg), "other": minmax(train.other)}
    return {"features": standard(train.features("both"))}


@pytest.mark.parametrize("model_class", list(TINY_MODELS))
def test_no_test_statistic_enters_scaling_or_training(leakage_folds, model_class):
    fold, moved = leakage_folds
    model = build_model(model_class, **TINY_MODELS[model_class]).fit(fold.train, fold.val)
    stats = _scaler_stats(model)
    expected = _expected_train_stats(model_class, fold.train)
    for key, (kind, offset, scale) in expected.items():
        assert stats[key][0] == kind
        np.testing.assert_allclose(stats[key][1], offset, rtol=1e-12, atol=1e-12, err_msg=f"{key} offset")
        np.testing.assert_allclose(stats[key][2], scale, rtol=1e-12, atol=1e-12, err_msg=f"{key} scale")
    scores = {split: model.decision_function(getattr(fold, split)) for split in ("train", "val")}

    # (a) scoring the test split, as it was and perturbed, changes nothing fitted
    model.decision_function(fold.test)
    model.decision_function(moved.test)
    _assert_same_stats(stats, _scaler_stats(model))
    for split, before in scores.items():
        np.testing.assert_array_equal(model.decision_function(getattr(fold, split)), before, err_msg=split)

    # (b) the same model trained on the fold whose test windows were perturbed is identical
    again = build_model(model_class, **TINY_MODELS[model_class]).fit(moved.train, moved.val)
    _assert_same_stats(stats, _scaler_stats(again))
    for split, before in scores.items():
        np.testing.assert_array_equal(again.decision_function(getattr(moved, split)), before, err_msg=split)
    history = {k: v for k, v in model.history.items() if "second" not in k}
    assert history == {k: v for k, v in again.history.items() if "second" not in k}
    if hasattr(model, "svm_weights"):  # the networks' SVM refit (Sec. 3.2) sees the training split only
        refit_last_layer(model, fold.train)
        refit_last_layer(again, moved.train)
        for w, v in zip(model.svm_weights(), again.svm_weights()):
            np.testing.assert_array_equal(w, v)


@pytest.mark.parametrize("model_class", ["linear_svm", "bimodal_lstm"])
def test_train_and_evaluate_shard_ignore_the_test_features(tmp_path, session_features, model_class):
    """The experiment stage end to end (feature file -> train_shard -> evaluate_shard):
    perturbing the test clips' features changes test accuracy at most, nothing else."""
    test_rows = np.isin(session_features.segment, SEED_PROTOCOL["test_clips"])
    space = {k: {"value": v} for k, v in TINY_MODELS[model_class].items() if k not in ("seed", "max_epochs", "patience")}
    fixed = {k: v for k, v in TINY_MODELS[model_class].items() if k in ("max_epochs", "patience")}
    outcome = {}
    for name, feats in (("as_is", session_features), ("moved", perturb(session_features, test_rows))):
        path = tmp_path / name / "features.h5"
        write_features(path, feats)
        models = tmp_path / name / "models"
        experiments.train_shard(
            features_path=str(path), experiment="seed/x", task="emotion", protocol=SEED_PROTOCOL, model_name=model_class,
            model_class=model_class, space=space, fixed=fixed, n_configs=1, shard=0, n_shards=1, seed=1, output_dir=str(models),
        )
        experiments.evaluate_shard(
            features_path=str(path), training_dir=str(models), task="emotion", protocol=SEED_PROTOCOL, seed=1,
            refit={"enabled": True, "eps": 1e-4}, output_csv=str(tmp_path / name / "evaluation.csv"),
            output_predictions=str(tmp_path / name / "predictions.npz"),
        )
        training = json.loads((models / "training.json").read_text())
        for run in training["runs"]:
            run.pop("seconds")
        state = json.loads((models / "config0000" / "fold00" / "state.json").read_text())
        state["history"].pop("refit", None)
        frame = pd.read_csv(tmp_path / name / "evaluation.csv").drop(columns=["seconds", "refit_seconds"], errors="ignore")
        outcome[name] = (training, state, frame)
    (training, state, frame), (training2, state2, frame2) = outcome["as_is"], outcome["moved"]
    assert training == training2
    assert state == state2  # scalers and training history
    pd.testing.assert_frame_equal(frame.drop(columns=["test_accuracy"]), frame2.drop(columns=["test_accuracy"]), check_exact=True)


# =====================================================================================
# 6. Provenance
# =====================================================================================

PROVENANCE_KEYS = ("package_version", "git_commit", "config_sha256", "seed", "source_files")


def _head_commit() -> str | None:
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _check_provenance(where: str, record: dict, config: dict, workdir: Path, head: str | None) -> dict:
    missing = [k for k in PROVENANCE_KEYS if k not in record]
    assert not missing, f"{where}: provenance lacks {missing} (has {sorted(record)})"
    assert record["package_version"] == __version__, where
    commit = record["git_commit"]
    assert commit is None or re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", commit), f"{where}: git_commit {commit!r}"
    if head is not None:  # the workflow runs from a git checkout: its commit must be recorded
        assert commit is not None and commit.split("+")[0] == head, f"{where}: git_commit {commit!r}, HEAD {head}"
    assert re.fullmatch(r"[0-9a-f]{64}", str(record["config_sha256"])), f"{where}: config_sha256 {record['config_sha256']!r}"
    seed = record["seed"]
    experiments_seed = seed.get("experiments") if isinstance(seed, dict) else seed
    assert experiments_seed == config["experiments"]["seed"], f"{where}: seed {seed!r}"
    sources = record["source_files"]
    assert isinstance(sources, dict) and sources, f"{where}: source_files {sources!r}"
    resolved = {}
    for path, digest in sources.items():
        file = Path(path) if Path(path).is_absolute() else workdir / path
        assert file.is_file(), f"{where}: source file {path} does not exist"
        assert digest == hashlib.sha256(file.read_bytes()).hexdigest(), f"{where}: SHA-256 of {path} is not the file's"
        resolved[str(file.resolve())] = digest
    return resolved


def _feature_provenance(path: Path) -> dict:
    """Provenance attributes of a feature file (top level, or grouped under ``provenance``)."""
    with h5py.File(path) as f:
        attrs = {k: json.loads(v) if isinstance(v, str) else v for k, v in f.attrs.items()}
    grouped = attrs.get("provenance") if isinstance(attrs.get("provenance"), dict) else {}
    return {**{k: attrs[k] for k in PROVENANCE_KEYS if k in attrs}, **grouped,
            **({"source_files": attrs["source_files"]} if "source_files" in attrs else {})}


@pytest.fixture(params=["user_copy", "user_copy_raw_entry", "synthetic"])
def provenance_run(request) -> tuple[Path, dict, dict[str, set[str]], bool]:
    """A finished run, its config, the raw files behind each recording (resolved paths),
    and whether the run went up to the tables (the raw-entry run stops at the features)."""
    if request.param.startswith("user_copy"):
        run = request.getfixturevalue("readonly_run")["raw" if request.param.endswith("raw_entry") else "preprocessed"]
        checked(run["run"])
        raw = run["raw_files"]
        expected = {f"seed/{bad_inputs.seed_stem(1)}": {str(Path(p).resolve()) for p in raw["seed"]},
                    "deap/s01": {str(Path(p).resolve()) for p in raw["deap"]}}
        return run["workdir"], run["config"], expected, not request.param.endswith("raw_entry")
    workdir = request.getfixturevalue("seed_runs")["first"]
    stem = bad_inputs.seed_stem(1)
    root = workdir / "results/synthetic/SEED"
    expected = {f"seed/{stem}": {str(p.resolve()) for p in bad_inputs.seed_paths(root, stem).values()}}
    return workdir, seed_run_config(), expected, True


# provenance contract
def test_features_experiments_and_tables_record_their_provenance(provenance_run):
    workdir, config, expected, up_to_tables = provenance_run
    results, head = workdir / "results", _head_commit()
    seen, by_recording = [], {}
    for key, raw in expected.items():
        path = results / "features" / f"{key}.h5"
        sources = _check_provenance(str(path.relative_to(workdir)), _feature_provenance(path), config, workdir, head)
        assert set(sources) == raw, f"{path}: source_files {sorted(sources)}, raw files {sorted(raw)}"
        by_recording[key] = sources
        seen.append(_feature_provenance(path))
    if not up_to_tables:
        return
    result_files = sorted(results.glob("experiments/**/*.json"))
    assert result_files
    for path in result_files:
        record = json.loads(path.read_text())
        assert "provenance" in record, f"{path.relative_to(workdir)} has no 'provenance'"
        dataset, recording = path.relative_to(results / "experiments").parts[:2]
        sources = _check_provenance(str(path.relative_to(workdir)), record["provenance"], config, workdir, head)
        assert sources == by_recording[f"{dataset}/{recording}"], path
        seen.append(record["provenance"])
    sidecar = results / "tables" / "provenance.json"
    assert sidecar.is_file(), "results/tables/provenance.json is missing"
    record = json.loads(sidecar.read_text())
    sources = _check_provenance("results/tables/provenance.json", record, config, workdir, head)
    assert sources == {k: v for s in by_recording.values() for k, v in s.items()}
    seen.append(record)
    # One clean run: every output records the same code, config and seed.
    for key in ("package_version", "git_commit", "config_sha256", "seed"):
        values = {json.dumps(s[key], sort_keys=True) for s in seen}
        assert len(values) == 1, f"{key} differs between outputs of one run: {values}"
