"""What the Snakefile needs from config.yaml: semantic checks and the recording lists.

The JSON schema (:mod:`.config_schema`) checks keys and types; this module checks what a
schema cannot (band order, Nyquist, windows versus clip lengths, the results folder versus
the raw data; each protocol through its kind's module, :mod:`.protocols`) and lists the
recordings and experiments of each dataset.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from . import datasets, protocols
from .protocols import POOLED_KINDS, protocol_name, subject_order
from .recording import ConfigError, DataFormatError

DATASETS = datasets.NAMES

__all__ = ["ConfigError", "DATASETS", "DataFormatError", "check_config", "enabled_datasets", "recordings", "recording_inputs"]


def enabled_datasets(config: Mapping) -> list[str]:
    return [d for d in DATASETS if config.get(d, {}).get("enabled", True)]


# --- per-dataset settings outside the dataset's block, with their fallbacks ------------------
# A dataset added to the registry needs none of these in config.yaml: its protocol comes
# from its module, the number of configurations from ``search.n_configs.default``, a
# model's search space from ``models.<m>.space.default`` or else the model class.


def protocol_entries(value) -> list[dict]:
    """``experiments.<dataset>_protocol`` as a list (it is one protocol or a list of them)."""
    if value is None:
        return []
    return [dict(value)] if isinstance(value, Mapping) else [dict(entry) for entry in value]


def dataset_protocols(config: Mapping, dataset: str) -> list[dict]:
    """Every protocol of ``dataset``: ``experiments.<dataset>_protocol`` (one or a list),
    else the dataset module's ``DEFAULT_PROTOCOL``."""
    configured = config["experiments"].get(f"{dataset}_protocol")
    return protocol_entries(configured) if configured is not None else [dict(datasets.get(dataset).DEFAULT_PROTOCOL)]


def dataset_protocol(config: Mapping, dataset: str) -> dict | None:
    """The dataset's per-recording protocol (clips, kfold, trial_folds; the paper's), or
    None when it runs pooled protocols only."""
    per_recording = [p for p in dataset_protocols(config, dataset) if p["kind"] not in POOLED_KINDS]
    return per_recording[0] if per_recording else None


def pooled_protocols(config: Mapping, dataset: str) -> list[dict]:
    """The dataset's protocols over many recordings (``loso``, ``cross_session``)."""
    return [p for p in dataset_protocols(config, dataset) if p["kind"] in POOLED_KINDS]


def recording_members(config: Mapping, dataset: str) -> list[dict]:
    """``{recording, subject, session}`` of every configured recording. A recording is one
    session where the dataset module says so (``RECORDING_IS_SESSION``: the k-th listed
    recording of a subject is its k-th configured session); otherwise session 1."""
    module = datasets.get(dataset)
    sessions = config[dataset].get("sessions", [1]) if getattr(module, "RECORDING_IS_SESSION", False) else [1]
    seen: dict[str, int] = {}
    members = []
    for recording in recordings(config, dataset):
        subject = module.subject_of(recording)
        k = seen.get(subject, 0)
        seen[subject] = k + 1
        members.append({"recording": recording, "subject": subject, "session": int(sessions[k % len(sessions)])})
    return members


def pooled_experiments(config: Mapping, dataset: str) -> dict[str, dict]:
    """Experiment name (``{protocol name}-s{subject}``) -> its protocol, with ``subject`` and
    ``members`` (the recordings it reads, each with its subject and session) added.

    The recordings each reads are its kind's (``members`` of its module in :mod:`.protocols`)."""
    members = recording_members(config, dataset)
    subjects = sorted({m["subject"] for m in members}, key=subject_order)
    return {f"{protocol_name(protocol)}-s{subject}": {
                **protocol, "subject": subject, "members": protocols.experiment_members(protocol, subject, members)}
            for protocol in pooled_protocols(config, dataset) for subject in subjects}


def n_configs(config: Mapping, dataset: str) -> int:
    """``search.n_configs.<dataset>``, else ``search.n_configs.default``."""
    counts = config["search"]["n_configs"]
    return int(counts[dataset] if dataset in counts else counts.get("default", 2))


def search_space(config: Mapping, model: str, dataset: str) -> dict:
    """``models.<model>.space.<dataset>``, else ``.default``, else the model class's default space."""
    from .models import default_space

    spec = config["models"][model]
    space = spec.get("space", {})
    if dataset in space:
        return space[dataset]
    return space["default"] if "default" in space else default_space(spec["class"])


def fixed(config: Mapping, model: str, dataset: str) -> dict:
    """``models.<model>.fixed`` updated with ``fixed_per_dataset.<dataset>`` (or ``.default``)."""
    spec = config["models"][model]
    per_dataset = spec.get("fixed_per_dataset", {})
    return {**spec.get("fixed", {}), **per_dataset.get(dataset, per_dataset.get("default", {}))}


def is_synthetic(config: Mapping, dataset: str) -> bool:
    return config[dataset]["source"] == "synthetic"


def synthetic_root(config: Mapping) -> Path:
    return Path(config.get("results", "results")) / "synthetic"


def dataset_root(config: Mapping, dataset: str) -> Path:
    """Folder holding the dataset as it ships (its top folder), found from ``source``,
    which may be the root or any of its folders (``ROOT_FOLDERS`` of the module; SEED
    finds its two parts itself, :func:`~.datasets.seed.discover_seed_source`)."""
    if is_synthetic(config, dataset):
        return synthetic_root(config) / datasets.get(dataset).FOLDER
    source = Path(config[dataset]["source"])
    markers = getattr(datasets.get(dataset), "ROOT_FOLDERS", None)
    if markers:
        from .datasets.discovery import find_root

        return find_root(source, markers) or source
    return source


def check_source(config: Mapping, dataset: str) -> None:
    """A copy in which none of the dataset's folders is found: one line naming them and the key."""
    module = datasets.get(dataset)
    markers = getattr(module, "ROOT_FOLDERS", None)
    if is_synthetic(config, dataset) or not markers:
        return
    from .datasets.discovery import find_root

    if find_root(Path(config[dataset]["source"]), markers) is None:
        raise ConfigError(f"{dataset}.source", f"{config[dataset]['source']}: none of {module.TITLE}'s folders "
                          f"({', '.join(markers)}) found in it, above it or in its only subfolder")


def describe_sources(config: Mapping) -> list[str]:
    """One line per enabled dataset: the folders found, its entry, subjects and recordings
    (SEED: also the subjects with eye data). Raises the first problem as one line."""
    lines = []
    for dataset in enabled_datasets(config):
        module = datasets.get(dataset)
        root = dataset_root(config, dataset)
        check_source(config, dataset)
        if hasattr(module, "describe"):
            lines.append(module.describe(config, root))
        else:
            from .datasets.discovery import found_folders

            cfg = config[dataset]
            where = "synthetic" if is_synthetic(config, dataset) else \
                f"{root}: found {', '.join(found_folders(root, getattr(module, 'ROOT_FOLDERS', ()))) or 'nothing'}"
            lines.append(f"{module.TITLE}: {where}; entry {cfg.get('entry', 'preprocessed')}; subjects "
                         f"{cfg.get('subjects')}, {len(recordings(config, dataset))} recordings")
        check_inputs_exist(config, dataset)
    return lines


def check_inputs_exist(config: Mapping, dataset: str) -> None:
    """Every file the feature jobs of a user's copy will read exists; else one line naming
    the first missing one (before Snakemake builds its graph, so no MissingInputException)."""
    if is_synthetic(config, dataset):
        return
    for recording in recordings(config, dataset):
        for role, path in recording_inputs(config, dataset, recording).items():
            if not Path(path).is_file():
                raise DataFormatError(path, f"not found (the {role} file of {dataset} recording {recording}); "
                                      f"set {dataset}.source to the copy that holds it")


def feature_settings(config: Mapping, dataset: str) -> dict:
    """The config slice the feature rule uses (so unrelated edits do not rerun it): bands,
    windows (an entry may fix them, e.g. SEED ``recordings`` on the lab's windows),
    bandpass, reader options and the lab-recipe options."""
    cfg = config[dataset]
    window_s, step_s = cfg["window_s"], cfg["step_s"]
    fixed_windows = getattr(datasets.get(dataset), "feature_windows", None)
    if fixed_windows is not None:
        window_s, step_s = fixed_windows(config, dataset_root(config, dataset)) or (window_s, step_s)
    return {"bands": cfg["bands"], "window_s": window_s, "step_s": step_s, "bandpass": cfg["bandpass"],
            "read_options": read_options(config, dataset), "de_scale": cfg.get("de_scale", "natural"),
            "smoothing": cfg.get("smoothing", "none")}


def check_config(config: Mapping) -> None:
    """Raise :class:`ConfigError` naming the first key whose value cannot work."""
    from .features import band_problem, bandpass_problem  # the band rules live with the feature code
    results = Path(config.get("results", "results")).resolve()
    for dataset in enabled_datasets(config):
        cfg = config[dataset]
        module = datasets.get(dataset)
        if not is_synthetic(config, dataset):
            root = Path(cfg["source"]).resolve()
            if not root.is_dir():
                raise ConfigError(f"{dataset}.source", f"folder {cfg['source']!r} does not exist")
            if results == root or root in results.parents:
                raise ConfigError("results", f"{results} lies inside the raw data folder {root}; raw data are read-only")
        for name, (lo, hi) in cfg["bands"].items():
            problem = band_problem(lo, hi, sfreq=module.SFREQ, window_s=cfg["window_s"])
            if problem:
                raise ConfigError(f"{dataset}.bands.{name}", problem)
        band = cfg.get("bandpass", {})
        problem = bandpass_problem(band.get("l_freq"), band.get("h_freq"), sfreq=module.SFREQ)
        if problem:
            raise ConfigError(".".join(filter(None, (f"{dataset}.bandpass", problem[0]))), problem[1])
        shortest = module.shortest_segment_s(config)
        if shortest is not None and cfg["window_s"] > shortest:
            raise ConfigError(f"{dataset}.window_s", f"{cfg['window_s']} s is longer than the shortest clip/trial ({shortest} s)")
    check_experiments(config)
    check_dataset_keys(config)
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
        base = f"experiments.{dataset}_protocol"
        entries = dataset_protocols(config, dataset)
        listed = not isinstance(experiments.get(f"{dataset}_protocol"), Mapping | None)
        per_recording = [i for i, p in enumerate(entries) if p["kind"] not in POOLED_KINDS]
        if len(per_recording) > 1:
            raise ConfigError(f"{base}[{per_recording[1]}].kind", f"only one per-recording protocol "
                              f"({', '.join(protocols.PER_RECORDING_KINDS)}) per dataset; entry {per_recording[0]} "
                              "is one already")
        names = [protocol_name(p) for p in entries if p["kind"] in POOLED_KINDS]
        if len(names) != len(set(names)):
            duplicate = sorted(n for n in set(names) if names.count(n) > 1)[0]
            raise ConfigError(base, f"two pooled protocols are named {duplicate!r}: give one a different 'name'")
        for i, protocol in enumerate(entries):
            _check_protocol(config, dataset, f"{base}[{i}]" if listed else base, protocol)
    for name, spec in config["models"].items():
        for dataset, space in spec.get("space", {}).items():
            for param, entry in space.items():
                (kind, arg), = entry.items()
                if kind in ("log10", "uniform", "int") and arg[0] > arg[1]:
                    raise ConfigError(f"models.{name}.space.{dataset}.{param}", f"range {arg} is inverted")


def _check_protocol(config: Mapping, dataset: str, key: str, protocol: Mapping) -> None:
    """One protocol of ``dataset`` (``key`` names it in the config): its tasks here, the
    rest by its kind's module (:mod:`.protocols`)."""
    module = datasets.get(dataset)
    allowed = set(module.CLASSES)
    bad = sorted(set(protocol["tasks"]) - allowed)
    if bad:
        raise ConfigError(f"{key}.tasks", f"{bad} are not {module.TITLE} labels (allowed: {sorted(allowed)})")
    if protocol["kind"] not in protocols.REGISTRY:  # past the schema; still no silent fallback
        raise ConfigError(f"{key}.kind", f"{protocol['kind']!r} is not a protocol kind (known: "
                          f"{', '.join(protocols.KINDS)})")
    has_validation = protocols.get(protocol["kind"]).check(protocol, key, dataset_facts(config, dataset))
    if "validation" in config["experiments"].get("selection", ["validation"]) and not has_validation:
        raise ConfigError(
            "experiments.selection", f"'validation' needs a validation split, which {key} does not define"
        )


def dataset_facts(config: Mapping, dataset: str) -> protocols.DatasetFacts:
    """What a protocol's check needs of ``dataset`` as configured."""
    module = datasets.get(dataset)
    subjects = sorted({m["subject"] for m in recording_members(config, dataset)}, key=subject_order)
    return protocols.DatasetFacts(name=dataset, title=module.TITLE, n_segments=module.N_SEGMENTS,
                                  recording_is_session=getattr(module, "RECORDING_IS_SESSION", False),
                                  subjects=tuple(subjects), sessions=tuple(config[dataset].get("sessions", [])))


def check_dataset_keys(config: Mapping) -> None:
    """Keys named after a dataset outside its block must name a registered one."""
    known = set(DATASETS)
    places = [("search.n_configs", config["search"]["n_configs"], {"default"})]
    places += [("experiments", {k[: -len("_protocol")]: v for k, v in config["experiments"].items()
                                 if k.endswith("_protocol")}, set())]
    for name, spec in config["models"].items():
        places += [(f"models.{name}.space", spec.get("space", {}), {"default"}),
                   (f"models.{name}.fixed_per_dataset", spec.get("fixed_per_dataset", {}), {"default"})]
    for where, mapping, extra in places:
        unknown = sorted(set(mapping) - known - extra)
        if unknown:
            suffix = "_protocol" if where == "experiments" else ""
            raise ConfigError(f"{where}.{unknown[0]}{suffix}", f"{unknown[0]!r} is not a dataset (datasets: "
                              f"{', '.join(DATASETS)}{', or default' if extra else ''})")


def synthetic_by_path() -> dict[str, str]:
    """Synthetic folder -> dataset, for the datasets whose synthetic files one generic rule writes."""
    from .synthetic import BY_PATH

    return {datasets.get(name).FOLDER: name for name in BY_PATH}


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
    return max(len(classes[task].class_names) for protocol in dataset_protocols(config, dataset)
               for task in protocol["tasks"])
