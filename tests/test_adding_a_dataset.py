"""Adding a dataset, a model and a protocol kind costs the places docs/adding-a-*.md state,
and nothing else: in a temporary full copy of the repository (tests and docs included), a
toy dataset, a toy model and a toy protocol kind are registered, each in its stated places
only, and a tiny run goes through to the tables; the suite's registry-derived lists take them
in that copy. Skipping any one place stops the run with one line naming what is missing (a
dataset's docs page: the test that every registered dataset has one fails)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.io
import yaml

from conftest import REPO

SNAKEMAKE = [sys.executable, "-m", "snakemake"]

#: The toy protocol kind: odd trials train (one per class carved out for validation), even trials test.
TOY_PROTOCOL = '''"""``odd_even``: odd trials train, even trials test (a toy kind for the extension test)."""

from ..recording import ConfigError
from .folds import RecordingWindows, carve_validation

KIND = "odd_even"
POOLED = False
DESCRIPTION = "odd_even = odd trials train, even trials test (validation_per_class)"
LABEL = "odd trials train, even trials test"
PROPERTIES = {"validation_per_class": {"type": "integer", "minimum": 0, "description": "odd_even - validation trials "
                                       "per class, carved from the odd ones"}}
REQUIRED = []


def check(protocol, key, facts):
    if facts.n_segments < 2:
        raise ConfigError(key, f"odd_even needs two trials ({facts.title} has {facts.n_segments})")
    return protocol.get("validation_per_class", 1) > 0


def folds(features, *, protocol, task, seed):
    data = RecordingWindows(features, task=task, protocol=protocol)
    odd = data.segment % 2 == 1
    val = np.isin(data.segment, carve_validation(data.segment, data.y, odd, protocol.get("validation_per_class", 1)))
    return [data.fold(0, odd & ~val, val, ~odd)]


import numpy as np  # noqa: E402
'''

#: The toy model: a registered class of its own (a linear SVM under another name).
TOY_MODEL = '''"""``toy_model``: a linear SVM under its own name (a toy model for the extension test)."""

from .svm import LinearSVM


class ToyModel(LinearSVM):
    name = "toy_model"
'''


def _register_dataset(copy, skip):
    package = copy / "workflow_scripts" / "multimodal_emotion" / "datasets"
    if "dataset module" not in skip:  # SEED-IV's spec and entries under another name (what a user copies and edits)
        source = (package / "seed_iv.py").read_text()
        for old, new in (('NAME = "seed_iv"', 'NAME = "toy"'), ('TITLE = "SEED-IV"', 'TITLE = "Toy"'),
                         ('FOLDER = "SEED_IV"', 'FOLDER = "TOY"')):
            source = re.sub(rf"^{re.escape(old)}", new, source, flags=re.M)
        (package / "toy.py").write_text(source)
    if "dataset registry line" not in skip:
        init = (package / "__init__.py").read_text()
        init, n = re.subn(r"^from \. import (.*)$", r"from . import \1, toy", init, count=1, flags=re.M)
        init, m = re.subn(r"(\{module\.NAME: module for module in \([^)]*)\)", r"\1, toy)", init)
        assert n == m == 1
        (package / "__init__.py").write_text(init)
    if "dataset docs page" not in skip:
        (copy / "docs" / "datasets" / "toy.md").write_text("# Toy\n\nA toy dataset for tests/test_adding_a_dataset.py.\n")
    if "dataset schema block" not in skip:
        schema_path = copy / "resources" / "config.schema.yaml"
        schema = yaml.safe_load(schema_path.read_text())
        schema["properties"]["toy"] = schema["properties"]["seed_iv"]
        schema_path.write_text(yaml.safe_dump(schema, sort_keys=False))


def _add_module_and_registry_line(package, skip, *, what, module, source, edits):
    """Write ``module`` into ``package`` (unless "<what> module" is skipped) and edit its
    ``__init__.py`` registry (unless "<what> registry line" is skipped): each regex once."""
    if f"{what} module" not in skip:
        (package / module).write_text(source)
    if f"{what} registry line" not in skip:
        init = (package / "__init__.py").read_text()
        for pattern, replacement, flags in edits:
            init, n = re.subn(pattern, replacement, init, flags=flags)
            assert n == 1, pattern
        (package / "__init__.py").write_text(init)


def _register_model(copy, skip):
    _add_module_and_registry_line(
        copy / "workflow_scripts" / "multimodal_emotion" / "models", skip, what="model", module="toy_model.py",
        source=TOY_MODEL,
        edits=[(r"^(MODEL_CLASSES: dict\[str, Entry\] = \{)$", r'\1\n    "toy_model": Entry("toy_model:ToyModel", is_network=False),',
                re.M)])


def _register_protocol(copy, skip):
    _add_module_and_registry_line(
        copy / "workflow_scripts" / "multimodal_emotion" / "protocols", skip, what="protocol", module="odd_even.py",
        source=TOY_PROTOCOL, edits=[(r'^(KIND_MODULES = \(.*)\)$', r'\1, "odd_even")', re.M)])


def toy_copy(tmp_path, skip=()):
    """A full copy of the repository with the toy dataset, model and protocol registered
    (less the places in ``skip``), a copy of the toy data, and its config."""
    copy = tmp_path / "workflow"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(".git", "results", ".snakemake", "__pycache__", ".venv",
                                                              ".pytest_cache"))
    _register_dataset(copy, skip)
    _register_model(copy, skip)
    _register_protocol(copy, skip)
    # the lab's smoothed features of one SEED-IV-like session, 2 windows per trial
    data = tmp_path / "toy_data"
    rng = np.random.default_rng(0)
    for folder, variables in (("eeg_feature_smooth", {f"{k}{t}": rng.normal(size=(62, 2, 5)) for t in range(1, 25)
                                                       for k in ("de_LDS", "de_movingAve", "psd_LDS", "psd_movingAve")}),
                              ("eye_feature_smooth", {f"eye_{t}": rng.normal(size=(31, 2)) for t in range(1, 25)})):
        (data / folder / "1").mkdir(parents=True)
        scipy.io.savemat(data / folder / "1" / "5_20150101.mat", variables)
    config = yaml.safe_load((copy / "config.yaml").read_text())
    config["seed"]["enabled"] = config["deap"]["enabled"] = False
    if "model config entry" not in skip:  # the model's third place: its entry in config.yaml
        config["models"]["toy_model"] = {"class": "toy_model"}
    (copy / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    # the run's own settings (not places): the toy dataset on the toy protocol, the toy model alone
    run = {"toy": {"enabled": True, "source": str(data), "subjects": [5], "sessions": [1]},
           "experiments": {"toy_protocol": {"kind": "odd_even", "tasks": ["emotion"]}},
           "search": {"n_configs": {"default": 1}}, "qc": {"enabled": False},
           "models": {name: {"enabled": name == "toy_model"} for name in {*config["models"], "toy_model"}}}
    (copy / "config.toy.yaml").write_text(yaml.safe_dump(run))
    return copy


def snakemake(copy, *args):
    return subprocess.run([*SNAKEMAKE, "--cores", "2", "--configfile", "config.toy.yaml", *args], capture_output=True,
                          text=True, cwd=copy)


@pytest.mark.workflow
def test_a_toy_dataset_model_and_protocol_in_their_stated_places_run_to_the_tables(tmp_path):
    copy = toy_copy(tmp_path)
    result = snakemake(copy)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    tables = copy / "results" / "tables"
    accuracy = pd.read_csv(tables / "toy_accuracy.csv")
    assert "toy_model" in set(accuracy["model"])
    assert (tables / "toy_accuracy.md").is_file() and (copy / "results" / "figures" / "toy_confusion.png").is_file()
    search = pd.read_csv(copy / "results" / "search" / "toy" / "5_20150101" / "emotion" / "toy_model.csv")
    assert list(search["fold"]) == [0]  # the toy kind's one fold
    assert search["test_accuracy"].notna().all() and search["val_accuracy"].notna().all()
    # the suite's lists follow the registries: the toy model runs the estimator checks, the schema lists it and the
    # kind, the toy dataset has its docs page
    suite = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_estimator_checks.py",
                            "tests/test_config.py", "tests/test_adding_a_dataset.py::test_every_registered_dataset_has_its_docs_page",
                            "-k", "toy_model or registries or every_registered_dataset"], capture_output=True, text=True,
                           cwd=copy)
    assert suite.returncode == 0 and " passed" in suite.stdout, suite.stdout[-3000:]


@pytest.mark.workflow
@pytest.mark.parametrize(("skip", "message"), [
    ("dataset registry line", r"'toy' is not a dataset|unknown key 'toy'"),
    ("dataset schema block", r"config\.toy\.yaml: \(top level\): unknown key 'toy'"),
    ("model registry line", r"models\.toy_model\.class: 'toy_model' is not allowed"),
    ("model config entry", r"config\.toy\.yaml: models\.toy_model: 'class' is a required property"),
    ("protocol registry line", r"experiments\.toy_protocol\.kind: 'odd_even' is not allowed"),
])
def test_skipping_one_place_stops_the_run_naming_it(tmp_path, skip, message):
    result = snakemake(toy_copy(tmp_path, skip={skip}), "-n")
    assert result.returncode != 0
    assert re.search(message, result.stderr + result.stdout), (result.stdout[-1000:] + result.stderr[-2000:])


def test_every_registered_dataset_has_its_docs_page():
    """A dataset's fourth place: docs/datasets/<name>.md (what its entries read, how its protocol splits it)."""
    from multimodal_emotion import datasets

    missing = [name for name in datasets.NAMES if not (REPO / "docs" / "datasets" / f"{name}.md").is_file()]
    assert not missing, f"registered datasets without docs/datasets/<name>.md: {missing}"


@pytest.mark.workflow
def test_a_toy_dataset_without_its_docs_page_fails_the_docs_page_test(tmp_path):
    copy = toy_copy(tmp_path, skip={"dataset docs page"})
    suite = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "tests/test_adding_a_dataset.py::test_every_registered_dataset_has_its_docs_page"],
                           capture_output=True, text=True, cwd=copy)
    assert suite.returncode == 1 and "['toy']" in suite.stdout, suite.stdout[-2000:]
