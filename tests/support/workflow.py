"""Run the Snakemake workflow from tests, in a scratch folder with its own config."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]

# The test being set up or run (conftest.py sets it): Snakemake may start only for a test
# marked ``workflow``, so that ``pytest -m "not workflow"`` (the fast lane) runs none.
current_test = None


def check_workflow_marker() -> None:
    if current_test is not None and current_test.get_closest_marker("workflow") is None:
        raise AssertionError(f"{current_test.nodeid} runs Snakemake but is not marked @pytest.mark.workflow")


def merged(base: dict, override: dict) -> dict:
    """``override`` merged into ``base`` key by key (nested dicts merged, the rest replaced),
    as Snakemake merges a --configfile over the Snakefile's configfile."""
    out = dict(base)
    for key, value in override.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def tiny_config(**overrides) -> dict:
    """The default config shrunk by ``.test/config_tiny.yaml``: one SEED subject x 2 sessions
    of short clips, one DEAP subject, small budgets."""
    config = merged(yaml.safe_load((REPO / "config.yaml").read_text()),
                    yaml.safe_load((REPO / ".test" / "config_tiny.yaml").read_text()))
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


def run_snakemake(workdir: Path, *args: str, check: bool = True, config: dict | None = None) -> subprocess.CompletedProcess:
    """Snakemake in ``workdir`` with its ``config.yaml``, or with ``config`` (written beside it
    as ``config.variant.yaml``: the workdir's own config, which other tests share, is left as is)."""
    check_workflow_marker()
    configfile = workdir / "config.yaml"
    if config is not None:
        configfile = workdir / "config.variant.yaml"
        configfile.write_text(yaml.safe_dump(config))
    command = [
        *SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(configfile), "--cores", "2", *args,
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


def scheduled_jobs(workdir: Path, *args: str, config: dict | None = None) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job a dry run would execute (with ``config`` in place of
    the workdir's own, if given), sorted."""
    out = run_snakemake(workdir, "--dry-run", *args, config=config).stdout
    jobs, rule = [], None
    for line in out.splitlines():
        match = re.match(r"^(?:local)?rule (\w+):$", line)
        if match:
            rule = match.group(1)
            jobs.append((rule, ""))
        elif rule and line.startswith("    wildcards: "):
            jobs[-1] = (rule, line.split(": ", 1)[1].strip())
    return sorted(jobs)


@contextmanager
def touched(path: Path):
    """``path`` made newer than every output (mtime 5 s ahead) inside the block, its times
    restored to the nanosecond after it: a shared run stays up to date for the next test."""
    before = path.stat()
    later = time.time() + 5
    os.utime(path, (later, later))
    try:
        yield path
    finally:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def raw_file(workdir: Path, config: dict, dataset: str, recording: str, role: str) -> Path:
    """The input file of one recording as the workflow resolves it (``role``: ``eeg``,
    ``labels``, ``eye`` for SEED, ``data`` for DEAP): tests never spell out the
    synthetic datasets' folder layout, which follows the real datasets'."""
    from multimodal_emotion import workflow_config

    return workdir / workflow_config.recording_inputs(config, dataset, recording)[role]


def packed(config: dict) -> dict:
    """``config`` with ``search.pack_models``: one training job per experiment for all its
    models, so one Python and TensorFlow start-up instead of one per model, and the same
    numbers (test_interrupted_runs.py compares a packed run with an unpacked one). The runs
    that test the jobs themselves (the killed repeated run: kills, pauses and the per-model
    rerun scope; SLURM) keep one job per experiment and model, the default."""
    config["search"]["pack_models"] = True
    return config


def every_model_quickly(config: dict, *, lstm: tuple[str, dict] | None = None) -> dict:
    """``config`` with every model enabled for a few epochs (3, patience 2; BDDAE's
    pre-training 3): a dataset's run of every model to the tables. ``lstm``: (dataset,
    fixed settings) of the Bimodal-LSTM on it (``fixed_per_dataset``)."""
    for spec in config["models"].values():
        spec["enabled"] = True
        spec.setdefault("fixed", {}).update(max_epochs=3, patience=2)
        if spec["class"] == "bddae":
            spec["fixed"].update(pretrain_epochs=3)
        if lstm is not None and spec["class"] == "bimodal_lstm":
            spec["fixed_per_dataset"] = {lstm[0]: lstm[1]}
    return config


def assert_every_model_reached_the_tables(workdir: Path, config: dict, dataset: str):
    """Every model of ``config`` has a test accuracy in the run's experiments table and
    ``dataset``'s figures exist; returns the table."""
    import pandas as pd

    table = pd.read_csv(workdir / "results/tables/experiments.csv")
    assert set(table["model"]) == set(config["models"]) and table["test_accuracy"].notna().all()
    for kind in ("accuracy", "per_subject", "confusion", "learning_curves"):
        assert (workdir / f"results/figures/{dataset}_{kind}.png").is_file()
    return table


def run_every_model_on(workdir: Path, dataset: str, block: dict, *, lstm: dict | None = None) -> dict:
    """A tiny run of every model (:func:`every_model_quickly`) on ``dataset`` alone (its
    config block ``block``, SEED and DEAP off), one configuration each, selection on the
    validation clips, checked to the tables (:func:`assert_every_model_reached_the_tables`).
    ``lstm``: the Bimodal-LSTM's settings on the dataset. Returns the config."""
    config = tiny_config()
    config["seed"]["enabled"] = config["deap"]["enabled"] = False
    config[dataset] = {"enabled": True, **block}
    config["experiments"]["selection"] = ["validation"]
    config["search"]["n_configs"][dataset] = 1
    every_model_quickly(config, lstm=None if lstm is None else (dataset, lstm))
    write_config(workdir, packed(config))
    run_snakemake(workdir)
    assert_every_model_reached_the_tables(workdir, config, dataset)
    return config
