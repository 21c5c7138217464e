"""What the Snakefile needs from config.yaml: semantic checks and the recording lists.

The JSON schema (``resources/config.schema.yaml``) checks keys and types; this module
checks what a schema cannot (band order, Nyquist, windows versus clip lengths, the
results folder versus the raw data) and lists the recordings of each dataset.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from . import datasets
from .recording import ConfigError

DATASETS = datasets.NAMES

__all__ = ["ConfigError", "DATASETS", "check_config", "enabled_datasets", "recordings", "recording_inputs"]


def enabled_datasets(config: Mapping) -> list[str]:
    return [d for d in DATASETS if config[d].get("enabled", True)]


def is_synthetic(config: Mapping, dataset: str) -> bool:
    return config[dataset]["source"] == "synthetic"


def synthetic_root(config: Mapping) -> Path:
    return Path(config.get("results", "results")) / "synthetic"


def dataset_root(config: Mapping, dataset: str) -> Path:
    """Folder holding the dataset as it ships (SEED's or DEAP's top folder)."""
    if is_synthetic(config, dataset):
        return synthetic_root(config) / dataset.upper()
    return Path(config[dataset]["source"])


def check_config(config: Mapping) -> None:
    """Raise :class:`ConfigError` naming the first key whose value cannot work."""
    results = Path(config.get("results", "results")).resolve()
    for dataset in enabled_datasets(config):
        cfg = config[dataset]
        module = datasets.get(dataset)
        nyquist = module.SFREQ / 2
        if not is_synthetic(config, dataset):
            root = Path(cfg["source"]).resolve()
            if not root.is_dir():
                raise ConfigError(f"{dataset}.source", f"folder {cfg['source']!r} does not exist")
            if results == root or root in results.parents:
                raise ConfigError("results", f"{results} lies inside the raw data folder {root}; raw data are read-only")
        for name, (lo, hi) in cfg["bands"].items():
            if not lo < hi:
                raise ConfigError(f"{dataset}.bands.{name}", f"lower edge {lo} is not below upper edge {hi}")
            if hi > nyquist:
                raise ConfigError(f"{dataset}.bands.{name}", f"upper edge {hi} Hz exceeds Nyquist ({nyquist} Hz)")
            if not math.ceil(lo * cfg["window_s"]) < hi * cfg["window_s"]:
                raise ConfigError(
                    f"{dataset}.bands.{name}",
                    f"holds no frequency bin at the {1 / cfg['window_s']:g} Hz resolution of a {cfg['window_s']} s window",
                )
        band = cfg.get("bandpass", {})
        lo, hi = band.get("l_freq"), band.get("h_freq")
        if hi is not None and hi >= nyquist:
            raise ConfigError(f"{dataset}.bandpass.h_freq", f"{hi} Hz is not below Nyquist ({nyquist} Hz)")
        if lo is not None and hi is not None and lo >= hi:
            raise ConfigError(f"{dataset}.bandpass", f"l_freq {lo} is not below h_freq {hi}")
        shortest = module.shortest_segment_s(config)
        if shortest is not None and cfg["window_s"] > shortest:
            raise ConfigError(f"{dataset}.window_s", f"{cfg['window_s']} s is longer than the shortest clip/trial ({shortest} s)")
    check_experiments(config)
    syn = config.get("synthetic", {})
    for dataset in datasets.NAMES:
        module, key = datasets.get(dataset), f"{dataset}_effects"
        # A dataset with several ratings needs to be told which one the effect follows.
        ratings = [name for name, spec in module.CLASSES.items() if spec.kind == "threshold"]
        for i, effect in enumerate(syn.get(key, [])):
            unknown = sorted({c.upper() for c in effect["channels"]} - {c.upper() for c in module.CHANNELS})
            if unknown:
                raise ConfigError(f"synthetic.{key}[{i}].channels", f"unknown {module.TITLE} channels {unknown}")
            if ratings and "rating" not in effect:
                raise ConfigError(f"synthetic.{key}[{i}]", f"needs 'rating' ({', '.join(ratings)})")
            if "rating" in effect and effect["rating"] not in ratings:
                raise ConfigError(f"synthetic.{key}[{i}].rating",
                                  f"{effect['rating']!r} is not a {module.TITLE} rating (allowed: {', '.join(ratings) or 'none'})")


def check_experiments(config: Mapping) -> None:
    """Protocols, selection and search spaces that cannot work."""
    experiments = config["experiments"]
    for dataset in enabled_datasets(config):
        key = f"experiments.{dataset}_protocol"
        protocol = experiments[f"{dataset}_protocol"]
        module = datasets.get(dataset)
        allowed = set(module.CLASSES)
        bad = sorted(set(protocol["tasks"]) - allowed)
        if bad:
            raise ConfigError(f"{key}.tasks", f"{bad} are not {module.TITLE} labels (allowed: {sorted(allowed)})")
        if protocol["kind"] == "clips":
            for name in ("train_clips", "test_clips"):
                if name not in protocol:
                    raise ConfigError(key, f"kind 'clips' needs '{name}'")
            n_segments = module.N_SEGMENTS
            clips = [c for name in ("train_clips", "validation_clips", "test_clips") for c in protocol.get(name, [])]
            if max(clips) > n_segments:
                raise ConfigError(key, f"clip {max(clips)} does not exist ({module.TITLE} has {n_segments})")
            if len(clips) != len(set(clips)):
                raise ConfigError(key, "a clip is in more than one of train_clips, validation_clips, test_clips")
            has_validation = bool(protocol.get("validation_clips"))
        else:
            if "n_folds" not in protocol:
                raise ConfigError(key, "kind 'kfold' needs 'n_folds'")
            n_units = module.N_SEGMENTS
            if protocol.get("fold_unit", "trial") == "trial" and protocol["n_folds"] > n_units:
                raise ConfigError(f"{key}.n_folds", f"{protocol['n_folds']} folds exceed the {n_units} trials")
            has_validation = protocol.get("validation", True) and protocol["n_folds"] > 2
        if "validation" in experiments.get("selection", ["validation"]) and not has_validation:
            raise ConfigError(
                "experiments.selection", f"'validation' needs a validation split, which {key} does not define"
            )
    for name, spec in config["models"].items():
        for dataset, space in spec["space"].items():
            for param, entry in space.items():
                (kind, arg), = entry.items()
                if kind in ("log10", "uniform", "int") and arg[0] > arg[1]:
                    raise ConfigError(f"models.{name}.space.{dataset}.{param}", f"range {arg} is inverted")
        missing = [d for d in enabled_datasets(config) if spec.get("enabled", True) and d not in spec["space"]]
        if missing:
            raise ConfigError(f"models.{name}.space", f"no search space for {missing}")


def is_raw(config: Mapping, dataset: str) -> bool:
    """Whether the dataset enters as raw recordings (.cnt / .bdf) rather than preprocessed files."""
    return config[dataset].get("entry", "preprocessed") == "raw"


def recordings(config: Mapping, dataset: str) -> list[str]:
    """Recording names (file stems) of the configured subjects/sessions of ``dataset``."""
    return datasets.get(dataset).recordings(config, dataset_root(config, dataset))


def recording_inputs(config: Mapping, dataset: str, recording: str) -> dict[str, str]:
    """Files of one recording by role for the feature rule (preprocessed or raw entry)."""
    return datasets.get(dataset).input_files(config, dataset_root(config, dataset), recording)


def read_options(config: Mapping, dataset: str) -> dict:
    """Reader options from the dataset's config block (``READ_OPTIONS`` of its module)."""
    cfg = config[dataset]
    return {key: cfg[key] for key in datasets.get(dataset).READ_OPTIONS if key in cfg}


def n_classes(config: Mapping, dataset: str) -> int:
    """Most classes any configured task of ``dataset`` has (confusion-matrix size)."""
    classes = datasets.get(dataset).CLASSES
    return max(len(classes[task].class_names) for task in config["experiments"][f"{dataset}_protocol"]["tasks"])


def schema_error_line(error, *, config_name: str = "config.yaml") -> str:
    """One line for a JSON-schema ``ValidationError`` of the config: where, what, what is allowed.

    ``config.yaml: seed: unknown key 'window_sec' (did you mean 'window_s'?)`` or
    ``config.yaml: seed.step_s: -1 is too small (allowed: > 0)``. The full error, with
    the schema, belongs in a log, not on the terminal.
    """
    import difflib

    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = list(schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(known))
        if unknown:
            key = unknown[0]
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(known)})"
            return f"{config_name}: {where}: unknown key '{key}'{hint}"
    if error.validator == "required":
        return f"{config_name}: {where}: {error.message}"
    allowed = {
        "type": lambda v: f"a value of type {v}",
        "enum": lambda v: "one of " + ", ".join(repr(x) for x in v),
        "minimum": lambda v: f">= {v}", "maximum": lambda v: f"<= {v}",
        "exclusiveMinimum": lambda v: f"> {v}", "exclusiveMaximum": lambda v: f"< {v}",
        "minItems": lambda v: f"at least {v} items", "maxItems": lambda v: f"at most {v} items",
        "minProperties": lambda v: f"at least {v} entries",
    }.get(error.validator)
    value = repr(error.instance)
    value = value if len(value) <= 60 else value[:57] + "..."
    if allowed is not None:
        return f"{config_name}: {where}: {value} is not allowed (allowed: {allowed(error.validator_value)})"
    return f"{config_name}: {where}: {error.message.splitlines()[0][:200]}"
