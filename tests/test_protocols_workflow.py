"""The DAG of pooled protocols (issue 20): an experiment reads every recording it pools, so a
changed raw file reschedules exactly the experiments that use it; and a small real run."""

from __future__ import annotations

import os
import re

import pandas as pd
import pytest
import yaml

from support import layout
from support.workflow import REPO, merged, run_snakemake, scheduled_jobs, write_config

pytestmark = pytest.mark.workflow

#: Rules in the order their outputs are made (older outputs first).
RULE_RANK = {"synthetic_file": 0, "features": 1,
             "train_shard": 2, "merge_search": 3, "aggregate": 4}


def loso_config(**changes) -> dict:
    config = merged(yaml.safe_load((REPO / "config.yaml").read_text()),
                    yaml.safe_load((REPO / ".test" / "config_loso.yaml").read_text()))
    config["results"] = "results"
    return merged(config, changes)


def fake_complete_run(workdir) -> None:
    """Every output of the dry run created empty, each rule's newer than its inputs', as if
    the workflow had run (the DAG's mtime logic is what is under test, not the jobs)."""
    out = run_snakemake(workdir, "--dry-run").stdout
    rule = None
    for line in out.splitlines():
        match = re.match(r"^(?:local)?rule (\w+):$", line)
        if match:
            rule = match.group(1)
        elif rule in RULE_RANK and line.startswith("    output: "):
            for name in line.split(": ", 1)[1].split(", "):
                path = workdir / name
                if rule == "train_shard":
                    path.mkdir(parents=True, exist_ok=True)
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.touch()
                os.utime(path, (1e9 + RULE_RANK[rule], 1e9 + RULE_RANK[rule]))


def experiments_scheduled(workdir, *args) -> set[tuple[str, str]]:
    """(dataset, experiment) of every train_shard job a dry run would execute."""
    jobs = scheduled_jobs(workdir, "--rerun-triggers", "mtime", *args)
    out = set()
    for rule, wildcards in jobs:
        if rule == "train_shard":
            values = dict(item.split("=") for item in wildcards.split(", "))
            out.add((values["dataset"], values["recording"]))
    return out


def test_a_changed_raw_file_reschedules_exactly_the_experiments_that_pool_it(tmp_path):
    write_config(tmp_path, loso_config())
    fake_complete_run(tmp_path)
    assert experiments_scheduled(tmp_path) == set()
    seed_2_1 = next(layout.synthetic_seed_eeg_dir(tmp_path).glob("2_*.mat"))
    os.utime(seed_2_1, (1e9 + 10, 1e9 + 10))
    # every loso experiment pools subject 2; of cross_session only subject 2's own
    assert experiments_scheduled(tmp_path) == {("seed", "loso-s1"), ("seed", "loso-s2"), ("seed", "loso-s3"),
                                               ("seed", "cross_session-s2")}
    os.utime(seed_2_1, (1e9, 1e9))
    os.utime(tmp_path / "results" / "synthetic" / "DEAP" / "data_preprocessed_python" / "s03.dat", (1e9 + 10,) * 2)
    assert experiments_scheduled(tmp_path) == {("deap", "loso-s1"), ("deap", "loso-s2"), ("deap", "loso-s3")}


def validation_mean(tables, stem: str) -> float:
    table = pd.read_csv(tables / f"{stem}.csv")
    row = table[(table["selection"] == "validation") & (table["model"] == "linear_svm")]
    return float(row["mean_accuracy"].iloc[0])


def test_offset_subjects_make_loso_harder_and_per_subject_standardisation_recovers(tmp_path):
    """.test/config_subject_offset.yaml end to end (synthetic SEED, 4 subjects x 2 sessions,
    subject_offset 2, the linear SVM): the paper's per-session protocol, loso, loso with
    per-subject standardisation and cross_session, each in its own tables. Measured (%):
    61 per session, 33 loso, 93 loso per-subject, 64 cross-session. The full
    .test/config_loso.yaml (every model, SEED and DEAP) is the command in docs/workflow.md."""
    config = merged(yaml.safe_load((REPO / "config.yaml").read_text()),
                    yaml.safe_load((REPO / ".test" / "config_subject_offset.yaml").read_text()))
    config["results"] = "results"
    write_config(tmp_path, config)
    run_snakemake(tmp_path)
    tables = tmp_path / "results" / "tables"
    within = validation_mean(tables, "seed_accuracy")
    across = validation_mean(tables, "seed_loso_accuracy")
    standardised = validation_mean(tables, "seed_loso_per_subject_accuracy")
    assert across < within - 10, (across, within)
    assert standardised > across + 10, (standardised, across)
    assert "reported" in set(pd.read_csv(tables / "seed_accuracy.csv")["selection"])  # paper lines: its protocol
    for name, normalisation in (("loso", "training"), ("loso_per_subject", "per_subject"),
                                ("cross_session", "training")):
        summary = pd.read_csv(tables / f"seed_{name}_accuracy.csv")
        assert set(summary["source"]) == {"this run"} and set(summary["normalisation"]) == {normalisation}
        assert (summary["n_experiments"] == 4).all()
        per_subject = pd.read_csv(tables / f"seed_{name}_per_subject.csv")
        assert sorted(per_subject["subject"].unique().tolist()) == [1, 2, 3, 4]
        caption = (tables / f"seed_{name}_accuracy.md").read_text().splitlines()[0]
        assert f"protocol '{name}'" in caption and ("PER-SUBJECT" in caption) == (normalisation == "per_subject")
        assert (tmp_path / "results" / "figures" / f"seed_{name}_per_subject.png").stat().st_size > 0
