"""Run the Snakemake workflow from tests, in a scratch folder with its own config."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def tiny_config(**overrides) -> dict:
    """The default config, shrunk: one SEED subject x 2 sessions of short clips, one DEAP subject."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["seed"]["subjects"] = [1]
    config["seed"]["sessions"] = [1, 2]
    config["deap"]["subjects"] = [1]
    config["synthetic"]["seed_clip_seconds"] = [40, 48]  # long enough for the LSTM to generalise from 6 clips
    config["search"]["n_configs"] = {"seed": 2, "deap": 1}  # selection has a choice on SEED
    config["experiments"]["deap_protocol"]["n_folds"] = 5
    config["models"]["bimodal_lstm"]["fixed_per_dataset"]["seed"]["sequence_length"] = 8
    for name in ("linear_svm_eeg", "linear_svm_other", "bimodal_lstm_no_context"):
        config["models"][name]["enabled"] = False
    config["models"]["bimodal_lstm"]["fixed"].update(max_epochs=30, patience=10)
    config["models"]["bimodal_lstm_no_context"]["fixed"].update(max_epochs=30, patience=10)
    config["models"]["bddae"]["fixed"].update(max_epochs=30, patience=10, pretrain_epochs=30)
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        if name:
            config[section][name] = value
        else:
            config[section] = value
    return config


def write_config(workdir: Path, config: dict) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def run_snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    command = [
        *SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(workdir / "config.yaml"), "--cores", "2", *args,
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


def scheduled_jobs(workdir: Path, *args: str) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job a dry run would execute, sorted."""
    out = run_snakemake(workdir, "--dry-run", *args).stdout
    jobs, rule = [], None
    for line in out.splitlines():
        match = re.match(r"^(?:local)?rule (\w+):$", line)
        if match:
            rule = match.group(1)
            jobs.append((rule, ""))
        elif rule and line.startswith("    wildcards: "):
            jobs[-1] = (rule, line.split(": ", 1)[1].strip())
    return sorted(jobs)
