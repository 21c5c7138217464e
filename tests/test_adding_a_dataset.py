"""Adding a dataset is a dataset module, a registry line and one schema block: a toy dataset
registered in a temporary copy of the workflow gets every model's jobs in a dry run, with
nothing else edited (no protocol, search space, n_configs or rule of its own)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import scipy.io
import yaml

from conftest import REPO

SNAKEMAKE = [sys.executable, "-m", "snakemake"]


@pytest.mark.workflow
def test_a_toy_dataset_needs_a_module_a_registry_line_and_a_schema_block(tmp_path):
    copy = tmp_path / "workflow"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(".git", "results", ".snakemake", "__pycache__", ".venv",
                                                              "tests", "benchmarks", "docs"))
    package = copy / "workflow_scripts" / "multimodal_emotion" / "datasets"
    # 1. the dataset module: SEED-IV's spec and entries under another name (what a user would copy and edit)
    source = (package / "seed_iv.py").read_text()
    source = re.sub(r'^NAME = "seed_iv"', 'NAME = "toy"', source, flags=re.M)
    source = re.sub(r'^TITLE = "SEED-IV"', 'TITLE = "Toy"', source, flags=re.M)
    source = re.sub(r'^FOLDER = "SEED_IV"', 'FOLDER = "TOY"', source, flags=re.M)
    (package / "toy.py").write_text(source)
    # 2. the registry line
    init = (package / "__init__.py").read_text()
    init = re.sub(r"^(from \. import .*)$", r"\1, toy", init, count=1, flags=re.M)
    init = re.sub(r"(for module in \([^)]*)\)\}", r"\1, toy)}", init, count=1)
    assert "toy)}" in init
    (package / "__init__.py").write_text(init)
    # 3. one schema block
    schema_path = copy / "resources" / "config.schema.yaml"
    schema = yaml.safe_load(schema_path.read_text())
    schema["properties"]["toy"] = schema["properties"]["seed_iv"]
    schema_path.write_text(yaml.safe_dump(schema, sort_keys=False))
    # a copy of the data (the lab's smoothed features, 2 trials' worth of windows each)
    data = tmp_path / "toy_data"
    rng = np.random.default_rng(0)
    for folder, variables in (("eeg_feature_smooth", {f"{k}{t}": rng.normal(size=(62, 3, 5)) for t in range(1, 25)
                                                       for k in ("de_LDS", "de_movingAve", "psd_LDS", "psd_movingAve")}),
                              ("eye_feature_smooth", {f"eye_{t}": rng.normal(size=(31, 3)) for t in range(1, 25)})):
        (data / folder / "1").mkdir(parents=True)
        scipy.io.savemat(data / folder / "1" / "5_20150101.mat", variables)
    config = yaml.safe_load((copy / "config.yaml").read_text())
    config["seed"]["enabled"] = config["deap"]["enabled"] = False
    config["toy"] = {"enabled": True, "source": str(data), "subjects": [5], "sessions": [1]}
    (copy / "config.yaml").write_text(yaml.safe_dump(config))
    result = subprocess.run([*SNAKEMAKE, "-n", "--cores", "1", "--directory", str(copy)], capture_output=True,
                            text=True, cwd=copy)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    enabled = [name for name, spec in config["models"].items() if spec.get("enabled", True)]
    assert enabled
    for model in config["models"]:
        scheduled = f"experiments/toy/5_20150101/emotion/{model}.json" in result.stdout
        assert scheduled == (model in enabled), model
    assert "tables/toy_accuracy.csv" in result.stdout and "figures/toy_confusion.png" in result.stdout
