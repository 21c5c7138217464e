"""What the Snakefile needs from config.yaml: semantic checks and the recording lists.

The JSON schema (``resources/config.schema.yaml``) checks keys and types; this module
checks what a schema cannot (band order, Nyquist, windows versus clip lengths, the
results folder versus the raw data) and lists the recordings of each dataset.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

from . import formats, synthetic

DATASETS = ("seed", "deap")
SFREQ = {"seed": formats.SEED_SFREQ, "deap": formats.DEAP_SFREQ}
CHANNELS = {"seed": formats.SEED_CHANNELS, "deap": formats.DEAP_EEG_CHANNELS}
# Shortest segment each dataset can have: DEAP trials are 60 s; SEED clips vary.
DEAP_TRIAL_S = formats.DEAP_N_SAMPLES / formats.DEAP_SFREQ - formats.DEAP_BASELINE_S


class ConfigError(ValueError):
    """config.yaml holds a value the workflow cannot use."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"config key '{key}': {problem}")

    @classmethod
    def from_line(cls, line: str) -> ConfigError:
        """A ConfigError whose message is ``line`` as given (schema errors)."""
        error = cls.__new__(cls)
        ValueError.__init__(error, line)
        return error


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
        nyquist = SFREQ[dataset] / 2
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
        shortest = DEAP_TRIAL_S if dataset == "deap" else None
        if dataset == "seed" and is_synthetic(config, dataset):
            low, high = config.get("synthetic", {}).get("seed_clip_seconds", synthetic.SyntheticConfig().clip_seconds)
            if low > high:
                raise ConfigError("synthetic.seed_clip_seconds", f"minimum {low} exceeds maximum {high}")
            shortest = low
        if shortest is not None and cfg["window_s"] > shortest:
            raise ConfigError(f"{dataset}.window_s", f"{cfg['window_s']} s is longer than the shortest clip/trial ({shortest} s)")
    check_experiments(config)
    syn = config.get("synthetic", {})
    for dataset, key in (("seed", "seed_effects"), ("deap", "deap_effects")):
        for i, effect in enumerate(syn.get(key, [])):
            unknown = sorted({c.upper() for c in effect["channels"]} - {c.upper() for c in CHANNELS[dataset]})
            if unknown:
                raise ConfigError(f"synthetic.{key}[{i}].channels", f"unknown {dataset.upper()} channels {unknown}")
            if dataset == "deap" and "rating" not in effect:
                raise ConfigError(f"synthetic.{key}[{i}]", "needs 'rating' (valence, arousal, dominance or liking)")


def check_experiments(config: Mapping) -> None:
    """Protocols, selection and search spaces that cannot work."""
    experiments = config["experiments"]
    for dataset in enabled_datasets(config):
        key = f"experiments.{dataset}_protocol"
        protocol = experiments[f"{dataset}_protocol"]
        allowed = {"seed": {"emotion"}, "deap": set(formats.DEAP_LABEL_NAMES)}[dataset]
        bad = sorted(set(protocol["tasks"]) - allowed)
        if bad:
            raise ConfigError(f"{key}.tasks", f"{bad} are not {dataset.upper()} labels (allowed: {sorted(allowed)})")
        if protocol["kind"] == "clips":
            for name in ("train_clips", "test_clips"):
                if name not in protocol:
                    raise ConfigError(key, f"kind 'clips' needs '{name}'")
            n_segments = formats.SEED_N_CLIPS if dataset == "seed" else formats.DEAP_N_TRIALS
            clips = [c for name in ("train_clips", "validation_clips", "test_clips") for c in protocol.get(name, [])]
            if max(clips) > n_segments:
                raise ConfigError(key, f"clip {max(clips)} does not exist ({dataset.upper()} has {n_segments})")
            if len(clips) != len(set(clips)):
                raise ConfigError(key, "a clip is in more than one of train_clips, validation_clips, test_clips")
            has_validation = bool(protocol.get("validation_clips"))
        else:
            if "n_folds" not in protocol:
                raise ConfigError(key, "kind 'kfold' needs 'n_folds'")
            n_units = formats.DEAP_N_TRIALS if dataset == "deap" else formats.SEED_N_CLIPS
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


def seed_recordings(config: Mapping) -> list[str]:
    """Session stems ``{subject}_{date}`` (or ``{subject}_{session}`` for raw files named
    so) for the configured subjects and sessions; the k-th in sorted order is session k."""
    cfg = config["seed"]
    if is_synthetic(config, "seed"):
        return [
            formats.seed_session_stem(s, synthetic.seed_session_date(s, k))
            for s in cfg["subjects"] for k in cfg["sessions"]
        ]
    raw = is_raw(config, "seed")
    folder = dataset_root(config, "seed") / (formats.SEED_RAW_DIR if raw else formats.SEED_EEG_DIR)
    suffix = ".cnt" if raw else ".mat"
    stems = []
    for subject in cfg["subjects"]:
        dated = sorted(
            (p.stem for p in folder.glob(f"{subject}_*{suffix}") if re.fullmatch(rf"{subject}_\d+", p.stem)),
            key=lambda stem: int(stem.split("_")[1]),
        )
        for k in cfg["sessions"]:
            if k > len(dated):
                raise ConfigError(
                    "seed.sessions", f"subject {subject} has {len(dated)} session files in {folder}, session {k} requested"
                )
            stems.append(dated[k - 1])
    return stems


def deap_recordings(config: Mapping) -> list[str]:
    return [formats.deap_subject_stem(s) for s in config["deap"]["subjects"]]


def recordings(config: Mapping, dataset: str) -> list[str]:
    return seed_recordings(config) if dataset == "seed" else deap_recordings(config)


def recording_inputs(config: Mapping, dataset: str, recording: str) -> dict[str, str]:
    """Input files of the bandpass rule for one recording, by role: the preprocessed
    files, or for raw entry the segmented recording the ``segment_raw`` rule writes."""
    if is_raw(config, dataset):
        return {"segmented": str(Path(config.get("results", "results")) / "segmented" / dataset / f"{recording}.h5")}
    root = dataset_root(config, dataset)
    if dataset == "seed":
        files = {
            "eeg": root / formats.SEED_EEG_DIR / f"{recording}.mat",
            "labels": root / formats.SEED_EEG_DIR / formats.SEED_LABEL_FILE,
        }
        if config["seed"].get("eye_movements", True):
            files["eye"] = root / formats.SEED_EYE_DIR / f"{recording}.mat"
    else:
        if config["deap"].get("format", "python") == "matlab":
            files = {"data": root / formats.DEAP_MATLAB_DIR / f"{recording}.mat"}
        else:
            files = {"data": root / formats.DEAP_PYTHON_DIR / f"{recording}.dat"}
    return {role: str(path) for role, path in files.items()}


def synthetic_seed_session(recording: str) -> tuple[int, int]:
    """(subject, session) of a synthetic SEED stem, inverting ``seed_session_date``."""
    subject, date = recording.split("_")
    for session in (1, 2, 3):
        if synthetic.seed_session_date(int(subject), session) == date:
            return int(subject), session
    raise ConfigError("seed.source", f"{recording} is not a synthetic SEED session name")


def raw_recording_inputs(config: Mapping, dataset: str, recording: str) -> dict[str, str]:
    """Raw files of one recording (entry: raw), by role."""
    root = dataset_root(config, dataset)
    if dataset == "seed":
        files = {
            "cnt": root / formats.SEED_RAW_DIR / f"{recording}.cnt",
            "time": root / formats.SEED_RAW_DIR / formats.SEED_TIME_FILE,
            "labels": root / formats.SEED_EEG_DIR / formats.SEED_LABEL_FILE,
        }
        if config["seed"].get("eye_movements", True):
            files["eye"] = root / formats.SEED_EYE_DIR / f"{recording}.mat"
    else:
        files = {"bdf": root / formats.DEAP_RAW_DIR / f"{recording}.bdf", "ratings": root / formats.DEAP_RATINGS_FILE}
    return {role: str(path) for role, path in files.items()}


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
