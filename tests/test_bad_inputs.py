"""Bad inputs through Snakemake: every way a user's copy of SEED/DEAP can be broken
(``tests/support/bad_inputs.py``) stops its job with one line ``ERROR: <file>: <problem>`` and
leaves no output of the failed job; config checks test_config.py lacks; one-class recordings
are not evaluable, not a crash."""

from __future__ import annotations

import json
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from support import bad_inputs
from support.bad_inputs import CASES, BadCase
from multimodal_emotion.datasets import deap as deap_ds
from multimodal_emotion import workflow_config as wc
from support.workflow import REPO, write_config
from support.runs import (
    Run,
    checked,
    failed_jobs,
    only_models,
    run_all,
    user_copy_config,
)


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


@pytest.mark.workflow
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


@pytest.mark.workflow
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
        # a dataset without a space of its own falls back to the model's default; a misspelt one is refused
        ("models.bddae.space", {"seed": {"l2": {"value": 0.001}}, "deep": {"l2": {"value": 0.001}}},
         r"config key 'models\.bddae\.space\.deep': 'deep' is not a dataset"),
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


@pytest.mark.workflow
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


@pytest.mark.workflow
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


