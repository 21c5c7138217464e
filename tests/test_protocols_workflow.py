"""The DAG of pooled protocols (issue 20): an experiment reads every recording it pools, so a
changed raw file reschedules exactly the experiments that use it; and a small real run."""

from __future__ import annotations

import os
import re

import pandas as pd
import pytest
import yaml

from support.workflow import REPO, merged, run_snakemake, scheduled_jobs, write_config

pytestmark = pytest.mark.workflow

#: Rules in the order their outputs are made (older outputs first).
RULE_RANK = {"synthetic_seed_labels": 0, "synthetic_seed_session": 0, "synthetic_deap_subject": 0, "features": 1,
             "train_shard": 2, "evaluate_shard": 3, "merge_search": 4, "aggregate": 5}


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
    seed_2_1 = next((tmp_path / "results" / "synthetic" / "SEED" / "Preprocessed_EEG").glob("2_*.mat"))
    os.utime(seed_2_1, (1e9 + 10, 1e9 + 10))
    # every loso experiment pools subject 2; of cross_session only subject 2's own
    assert experiments_scheduled(tmp_path) == {("seed", "loso-s1"), ("seed", "loso-s2"), ("seed", "loso-s3"),
                                               ("seed", "cross_session-s2")}
    os.utime(seed_2_1, (1e9, 1e9))
    os.utime(tmp_path / "results" / "synthetic" / "DEAP" / "data_preprocessed_python" / "s03.dat", (1e9 + 10,) * 2)
    assert experiments_scheduled(tmp_path) == {("deap", "loso-s1"), ("deap", "loso-s2"), ("deap", "loso-s3")}


def test_loso_and_cross_session_run_end_to_end_with_per_protocol_tables(tmp_path):
    """A shrunk .test/config_loso.yaml (SEED only, two models; the full one, every model on
    SEED and DEAP, is the command in docs/workflow.md): tables per protocol, per subject."""
    config = loso_config(deap={"enabled": False},
                         models={name: {"enabled": name in ("linear_svm", "bimodal_lstm")}
                                 for name in yaml.safe_load((REPO / "config.yaml").read_text())["models"]})
    write_config(tmp_path, config)
    run_snakemake(tmp_path)
    tables = tmp_path / "results" / "tables"
    for protocol in ("loso", "cross_session"):
        per_subject = pd.read_csv(tables / f"seed_{protocol}_per_subject.csv")
        assert sorted(per_subject["subject"].unique().tolist()) == [1, 2, 3]
        assert set(per_subject["model"]) == {"linear_svm", "bimodal_lstm"}
        summary = pd.read_csv(tables / f"seed_{protocol}_accuracy.csv")
        assert set(summary["source"]) == {"this run"}  # the paper's reference rows belong to its protocol only
        assert (summary["n_experiments"] == 3).all()
        assert protocol in (tables / f"seed_{protocol}_accuracy.md").read_text().splitlines()[0]
        assert (tmp_path / "results" / "figures" / f"seed_{protocol}_per_subject.png").stat().st_size > 0
    assert not (tables / "seed_accuracy.csv").exists()  # no per-recording protocol in this config
