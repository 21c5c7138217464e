"""config.yaml is validated at start-up: schema (keys, types) and semantic checks."""

from __future__ import annotations

import copy
import re

import pytest
import yaml
from multimodal_emotion import workflow_config as wc
from multimodal_emotion.config_schema import load_schema, validate_config

from support import load_script
from support.workflow import REPO, run_snakemake, tiny_config, write_config

def validate(config: dict) -> None:
    """The start-up validation: the schema with the registries' parts, defaults filled in."""
    validate_config(config)


def default_config() -> dict:
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    validate(config)
    return config


def test_default_config_is_valid():
    config = default_config()
    wc.check_config(config)
    assert wc.recordings(config, "seed") == ["1_20131027", "1_20131030", "2_20140404", "2_20140413", "3_20140603", "3_20140611"]
    assert wc.recordings(config, "deap") == ["s01", "s02"]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("seed", "unknown_key"), 1, r"Additional properties are not allowed \('unknown_key' was unexpected\)"),
        (("deap", "window_s"), "two", r"'two' is not of type 'number'"),
        (("deap", "format"), "csv", r"'csv' is not one of \['python', 'matlab'\]"),
        (("seed", "sessions"), [4], r"4 is greater than the maximum of 3"),
        (("deap", "subjects"), [33], r"33 is greater than the maximum of 32"),
    ],
)
def test_schema_rejects_bad_keys_and_types(path, value, message):
    config = default_config()
    config[path[0]][path[1]] = value
    with pytest.raises(wc.ConfigError) as raised:
        validate(config)
    assert re.search(message, raised.value.schema_error.message)


@pytest.mark.parametrize(
    ("section", "change", "message"),
    [
        ("seed", {"bands": {"alpha": [14, 8]}}, r"config key 'seed.bands.alpha': lower edge 14 is not below upper edge 8"),
        ("deap", {"bands": {"gamma": [31, 70]}}, r"config key 'deap.bands.gamma': upper edge 70 Hz exceeds Nyquist \(64.0 Hz\)"),
        ("deap", {"window_s": 61.0}, r"config key 'deap.window_s': 61.0 s is longer than the shortest clip/trial \(60.0 s\)"),
        ("seed", {"window_s": 165.0}, r"config key 'seed.window_s': 165.0 s is longer than the shortest clip/trial \(160 s\)"),
        ("seed", {"bandpass": {"l_freq": 30.0, "h_freq": 4.0}}, r"config key 'seed.bandpass': l_freq 30.0 is not below h_freq 4.0"),
        ("seed", {"bandpass": {"l_freq": 1.0, "h_freq": 100.0}}, r"config key 'seed.bandpass.h_freq': 100.0 Hz is not below Nyquist"),
        ("seed", {"window_s": 1.0, "step_s": 1.0, "bands": {"narrow": [1.2, 1.8]}}, r"config key 'seed.bands.narrow': holds no frequency bin"),
    ],
)
def test_semantic_checks_name_the_key(section, change, message):
    config = default_config()
    config[section].update(change)
    with pytest.raises(wc.ConfigError, match=message):
        wc.check_config(config)


def test_results_inside_raw_data_is_refused(tmp_path):
    config = default_config()
    config["seed"]["source"] = str(tmp_path)
    config["results"] = str(tmp_path / "results")
    with pytest.raises(wc.ConfigError, match=r"config key 'results': .* lies inside the raw data folder"):
        wc.check_config(config)


def test_missing_raw_folder_is_refused(tmp_path):
    config = default_config()
    config["deap"]["source"] = str(tmp_path / "nope")
    with pytest.raises(wc.ConfigError, match=r"config key 'deap.source': folder .*nope' does not exist"):
        wc.check_config(config)


def test_real_seed_sessions_are_found_in_date_order(tmp_path):
    folder = tmp_path / "Preprocessed_EEG"
    folder.mkdir()
    for name in ("2_20140601.mat", "2_20140413.mat", "2_20140508.mat", "label.mat"):
        (folder / name).touch()
    config = default_config()
    config["seed"].update(source=str(tmp_path), subjects=[2], sessions=[1, 3])
    assert wc.recordings(config, "seed") == ["2_20140413", "2_20140601"]
    config["seed"]["subjects"] = [4]
    with pytest.raises(wc.ConfigError, match=r"subject 4 has 0 session files"):
        wc.recordings(config, "seed")


@pytest.mark.workflow
def test_bad_config_fails_snakemake_at_start_up(tmp_path):
    config = tiny_config()
    config["seed"]["bands"]["alpha"] = [14, 8]
    write_config(tmp_path, config)
    result = run_snakemake(tmp_path, "--dry-run", check=False)
    assert result.returncode != 0
    assert "config key 'seed.bands.alpha': lower edge 14 is not below upper edge 8" in result.stdout + result.stderr
    assert 'File "' not in result.stdout + result.stderr, "one line, no stack listing"
    config = tiny_config()
    config["typo_key"] = 1
    write_config(tmp_path, config)
    result = run_snakemake(tmp_path, "--dry-run", check=False)
    assert result.returncode != 0 and "config.yaml: (top level): unknown key 'typo_key'" in result.stdout + result.stderr


@pytest.mark.parametrize("change, line", [
    (lambda c: c["seed"].update(window_sec=4.0),
     "config.yaml: seed: unknown key 'window_sec' (did you mean 'window_s'?)"),
    (lambda c: c["seed"].update(step_s="one"),
     "config.yaml: seed.step_s: 'one' is not allowed (allowed: a value of type number)"),
    (lambda c: c["deap"].update(step_s=-1.0),
     "config.yaml: deap.step_s: -1.0 is not allowed (allowed: > 0)"),
])
@pytest.mark.workflow
def test_config_mistakes_are_one_line(tmp_path, change, line):
    """Schema errors: one line naming the key, the value and what is allowed; the
    schema dump only in the log."""
    config = tiny_config()
    change(config)
    write_config(tmp_path, config)
    result = run_snakemake(tmp_path, "--dry-run", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and line in output
    assert "Failed validating" not in output  # the schema dump
    assert "Failed validating" in (tmp_path / "results" / "logs" / "config_validation.log").read_text()


def test_configuration_reference_is_rendered_from_the_schema_and_current():
    """docs/configuration.md is the schema's descriptions rendered by .ci/config_reference.py
    (which refuses a key without a description); CI runs the same check."""
    reference = load_script(REPO / ".ci" / "config_reference.py")
    schema = load_schema()
    assert reference.render(schema) == (REPO / "docs" / "configuration.md").read_text(), (
        "docs/configuration.md is out of date: run python .ci/config_reference.py")
    schema["properties"]["seed"]["properties"]["window_s"].pop("description")
    with pytest.raises(reference.MissingDescription, match="seed.window_s"):
        reference.render(schema)


def test_schema_model_classes_and_protocol_kinds_are_the_registries():
    """Adding a model or a protocol kind is a module and a registry line: the schema's lists follow."""
    from multimodal_emotion import protocols
    from multimodal_emotion.models import MODELS, is_network, needs_tensorflow

    schema = load_schema()
    enum = schema["properties"]["models"]["additionalProperties"]["properties"]["class"]["enum"]
    assert enum == list(MODELS)
    assert schema["definitions"]["protocol"]["properties"]["kind"]["enum"] == list(protocols.KINDS)
    assert [branch["if"]["properties"]["kind"]["const"] for branch in schema["definitions"]["protocol"]["allOf"]] == \
        list(protocols.KINDS)
    config = default_config()
    config["models"]["bimodal_lstm"]["class"] = "lstm"
    with pytest.raises(wc.ConfigError, match=r"config\.yaml: models\.bimodal_lstm\.class: 'lstm' is not allowed"):
        validate(config)
    assert {name for name in MODELS if is_network(name)} == {"bimodal_lstm", "bddae"}
    # DCCA uses TensorFlow but is no Sec. 3.2 network: its classifier is the liblinear SVM itself
    assert {name for name in MODELS if needs_tensorflow(name)} == {"bimodal_lstm", "bddae", "dcca"}
    with pytest.raises(ValueError, match="model class"):
        is_network("lstm")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (("experiments", "deap_protocol", "tasks"), ["joy"],
         r"config key 'experiments.deap_protocol.tasks': \['joy'\] are not DEAP labels \(allowed: \['arousal', 'dominance', 'liking', 'valence'\]\)"),
        (("synthetic", "deap_effects"), [{"channels": ["Fz"], "bands": [[4, 8]], "rating": "joy"}],
         r"config key 'synthetic.deap_effects\[0\].rating': 'joy' is not a DEAP rating \(allowed: valence, arousal, dominance, liking\)"),
    ],
)
def test_label_names_are_checked_against_the_dataset_module(key, value, message):
    """The schema leaves label names to the dataset modules (one schema block per dataset)."""
    config = default_config()
    section = config
    for part in key[:-1]:
        section = section[part]
    section[key[-1]] = value
    validate(config)  # the schema accepts any label name
    with pytest.raises(wc.ConfigError, match=message):
        wc.check_config(config)


def test_a_dataset_without_its_own_settings_falls_back_to_defaults():
    """Protocol, n_configs and search space need no entry for a newly registered dataset."""
    from multimodal_emotion.datasets import seed_v
    from multimodal_emotion.models import BimodalLSTM

    config = default_config()
    config["seed_v"]["enabled"] = True
    wc.check_config(config)
    assert wc.dataset_protocol(config, "seed_v") == seed_v.DEFAULT_PROTOCOL
    assert wc.n_configs(config, "seed_v") == config["search"]["n_configs"]["default"] == 2
    assert wc.search_space(config, "bimodal_lstm", "seed_v") == BimodalLSTM.default_space
    assert wc.search_space(config, "bimodal_lstm", "seed") == config["models"]["bimodal_lstm"]["space"]["seed"]
    config["models"]["bimodal_lstm"]["space"]["default"] = {"l2": {"value": 0.01}}
    assert wc.search_space(config, "bimodal_lstm", "seed_v") == {"l2": {"value": 0.01}}
    assert wc.fixed(config, "bimodal_lstm", "seed_v") == config["models"]["bimodal_lstm"]["fixed"]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (("search", "n_configs", "seed_vi"), r"config key 'search.n_configs.seed_vi': 'seed_vi' is not a dataset"),
        (("models", "bddae", "space", "seedv"), r"config key 'models.bddae.space.seedv': 'seedv' is not a dataset"),
        (("experiments", "seediv_protocol"), r"config key 'experiments.seediv_protocol': 'seediv' is not a dataset"),
    ],
)
def test_dataset_names_outside_their_blocks_must_be_registered(key, message):
    config = default_config()
    section = config
    for part in key[:-1]:
        section = section[part]
    section[key[-1]] = {"kind": "clips", "tasks": ["emotion"], "train_clips": [1], "test_clips": [2]} \
        if key[0] == "experiments" else ({"C": {"value": 1}} if key[0] == "models" else 3)
    validate(config)
    with pytest.raises(wc.ConfigError, match=message):
        wc.check_config(config)


def test_the_registry_checks_a_class_against_its_line():
    """``is_network`` is answered from the registry line (Snakemake plans without importing the
    classes), so a line that disagrees with its class must fail when the class is imported."""
    from multimodal_emotion.models import MODEL_CLASSES, MODELS, Entry, _Registry

    assert all(MODELS[name].is_network == entry.is_network for name, entry in MODEL_CLASSES.items())
    with pytest.raises(ValueError, match=r"MODEL_CLASSES\['linear_svm'\] says is_network=True, LinearSVM says False"):
        _Registry({"linear_svm": Entry("svm:LinearSVM", is_network=True)})["linear_svm"]
    with pytest.raises(ValueError, match=r"MODEL_CLASSES\['bddae'\] is LinearSVM, whose name is 'linear_svm'"):
        _Registry({"bddae": Entry("svm:LinearSVM", is_network=False)})["bddae"]
