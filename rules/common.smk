import sys

sys.path.insert(0, str(Path(workflow.basedir) / "workflow_scripts"))
from multimodal_emotion import workflow_config as wc  # noqa: E402
from multimodal_emotion.config_schema import validate_config  # noqa: E402
from multimodal_emotion.models import is_network  # noqa: E402
from multimodal_emotion import synthetic as synthetic_copies  # noqa: E402

config_files = getattr(workflow, "overwrite_configfiles", None) or ["config.yaml"]
# The config against the schema (with the registries' parts; its full error goes to a log),
# the checks across keys, then one line per dataset: what was found, the entry, subjects
# (and eye data). Any problem, a missing or partial tree included, stops here with one
# line naming it and the key to set, and no stack listing.
try:
    validate_config(
        config,
        config_name=Path(str(config_files[-1])).name,
        log_path=Path(str(config.get("results", "results")))
        / "logs"
        / "config_validation.log",
    )
    wc.check_config(config)
    for _line in wc.describe_sources(config):
        print(_line, file=sys.stderr)
except (wc.ConfigError, wc.DataFormatError) as _err:
    print(f"ERROR: {_err}", file=sys.stderr)
    sys.exit(1)

RESULTS = config["results"]
SYNTHETIC = str(wc.synthetic_root(config))
DATASETS = wc.enabled_datasets(config)
RECORDINGS = {dataset: wc.recordings(config, dataset) for dataset in DATASETS}
# synthetic folder -> dataset, for the synthetic_file rule
SYNTHETIC_BY_PATH = wc.synthetic_by_path()


wildcard_constraints:
    dataset="|".join(wc.DATASETS),
    recording=wc.datasets.recording_pattern() + r"|[a-z][a-z_]*-s\d+",
    subject=r"\d+",
    task=r"[a-z]+",
    model=r"[a-z_]+",
    shard=r"\d+",


def get_final_outputs():
    return (
        [
            f"{RESULTS}/features/{dataset}/{recording}.h5"
            for dataset in DATASETS
            for recording in RECORDINGS[dataset]
        ]
        + experiment_results()
        + TABLES
        + FIGURES
        + QC_PAGES
    )


def get_raw_inputs(wildcards):
    """Files of one recording by role, for its dataset's configured entry (preprocessed or raw)."""
    return wc.recording_inputs(config, wildcards.dataset, wildcards.recording)


def get_feature_params(wildcards):
    """Only the config slice the features job uses, so unrelated edits do not rerun it."""
    return wc.feature_settings(config, wildcards.dataset)


# --- experiments ---------------------------------------------------------------------
MODELS = [name for name, spec in config["models"].items() if spec.get("enabled", True)]


def shards_of(model):
    """Search jobs per experiment for ``model`` (models.<m>.shards, else search.shards)."""
    return config["models"][model].get("shards", config["search"]["shards"])


# search.pack_models: one job per experiment trains these models (those with one shard)
PACKED_MODELS = (
    [m for m in MODELS if shards_of(m) == 1] if config["search"]["pack_models"] else []
)
if len(PACKED_MODELS) < 2:
    if config["search"]["pack_models"]:
        print(
            f"search.pack_models: {len(PACKED_MODELS)} model(s) with one shard, nothing to "
            "pack: every model trains in its own train_shard jobs",
            file=sys.stderr,
        )
    PACKED_MODELS = []  # a pack of one is the train_shard job


def packed_search_params(wildcards):
    return {model: search_params(wildcards, model) for model in PACKED_MODELS}


def packed_refit_params(wildcards):
    """refit_params of every packed model (merge_models)."""
    return {model: refit_params(wildcards, model) for model in PACKED_MODELS}


def packed_models(wildcards):
    """The trained-model folder of every packed model of one experiment, in PACKED_MODELS' order."""
    return [
        folder for model in PACKED_MODELS for folder in shard_models(wildcards, model)
    ]


def protocol_of(dataset):
    """The dataset's per-recording protocol (None if it runs pooled protocols only)."""
    return wc.dataset_protocol(config, dataset)


# experiment name ({protocol}-s{subject}) -> protocol with its subject and recordings
POOLED = {dataset: wc.pooled_experiments(config, dataset) for dataset in DATASETS}


def experiment_protocol(dataset, experiment):
    """The protocol of one experiment (the {recording} wildcard): pooled, or per recording."""
    return POOLED[dataset].get(experiment) or protocol_of(dataset)


def experiment_keys(dataset):
    """(experiment, task) of every experiment of a dataset: its recordings under the
    per-recording protocol, then the pooled protocols' experiments."""
    names = (RECORDINGS[dataset] if protocol_of(dataset) else []) + list(
        POOLED[dataset]
    )
    return [(e, t) for e in names for t in experiment_protocol(dataset, e)["tasks"]]


def experiment_features(wildcards):
    """Feature files one experiment reads: its recording's, or every recording a pooled
    experiment uses (so a changed raw file reruns exactly the experiments that read it).
    """
    pooled = POOLED[wildcards.dataset].get(wildcards.recording)
    names = (
        [m["recording"] for m in pooled["members"]] if pooled else [wildcards.recording]
    )
    return [f"{RESULTS}/features/{wildcards.dataset}/{r}.h5" for r in names]


def experiment_results():
    return [
        f"{RESULTS}/experiments/{dataset}/{recording}/{task}/{model}.json"
        for dataset in DATASETS
        for recording, task in experiment_keys(dataset)
        for model in MODELS
    ]


def search_params(wildcards, model=None):
    """Only the config slices one model's search uses, so editing another model's
    ranges (or the refit) does not retrain this one (unless both are packed)."""
    model = model or wildcards.model
    spec = config["models"][model]
    return {
        "protocol": experiment_protocol(wildcards.dataset, wildcards.recording),
        "model_class": spec["class"],
        "space": wc.search_space(config, model, wildcards.dataset),
        "fixed": wc.fixed(config, model, wildcards.dataset),
        "n_configs": wc.n_configs(config, wildcards.dataset),
        "n_shards": shards_of(model),
        "seed": config["experiments"]["seed"],
        # grouped training (Bimodal-LSTM only): group == alone, so results do not change
        "group_size": config["search"]["group_size"],
        "precision": config["search"]["precision"],
        "device": config["search"]["device"],
    }


def refit_params(wildcards, model=None):
    """The refit applies to the networks only; other models do not depend on it."""
    if is_network(config["models"][model or wildcards.model]["class"]):
        return config["refit"]
    return {"enabled": False}


def shard_models(wildcards, model=None):
    """The trained-model folders of every search shard of one experiment x model."""
    model = model or wildcards.model
    base = f"{RESULTS}/search/{wildcards.dataset}/{wildcards.recording}/{wildcards.task}/{model}"
    return [f"{base}/shard{s}/models" for s in range(shards_of(model))]


def n_classes(dataset):
    return wc.n_classes(config, dataset)


# what aggregate reports per dataset (the per-recording protocol's tables, and
# one accuracy and one per-subject table and figure per pooled protocol)
REPORTED_PROTOCOLS = {
    d: {
        "per_recording": protocol_of(d) is not None,
        "pooled": [
            {
                "name": wc.protocol_name(p),
                "kind": p["kind"],
                "normalisation": p.get("normalisation", "training"),
            }
            for p in wc.pooled_protocols(config, d)
        ],
    }
    for d in DATASETS
}
POOLED_NAMES = {
    d: [p["name"] for p in REPORTED_PROTOCOLS[d]["pooled"]] for d in DATASETS
}
TABLES = [
    f"{RESULTS}/tables/{name}.{ext}"
    for name in [f"{d}_accuracy" for d in DATASETS if protocol_of(d)]
    + ["experiments"]
    + [
        f"{d}_{n}_{kind}"
        for d in DATASETS
        for n in POOLED_NAMES[d]
        for kind in ("accuracy", "per_subject")
    ]
    for ext in ("csv", "md", "tex")
]
FIGURES = [
    f"{RESULTS}/figures/{d}_{kind}.png"
    for d in DATASETS
    if protocol_of(d)
    for kind in ("accuracy", "per_subject", "confusion", "learning_curves")
] + [
    f"{RESULTS}/figures/{d}_{n}_{kind}.png"
    for d in DATASETS
    for n in POOLED_NAMES[d]
    for kind in ("accuracy", "per_subject")
]
QC_PAGES = [
    f"{RESULTS}/qc/{dataset}/{recording}.html"
    for dataset in DATASETS
    for recording in RECORDINGS[dataset]
    if config.get("qc", {}).get("enabled", True)
]


# What one synthetic file depends on (the generic synthetic_file job, rules/data.smk).
def synthetic_file_settings(wildcards):
    """The slice of the dataset's block that this file depends on (an unrelated edit does not rewrite it)."""
    dataset = SYNTHETIC_BY_PATH[wildcards.folder]
    return synthetic_copies.file_settings(dataset, wildcards.path, config[dataset])


def synthetic_file_inputs(wildcards):
    """The files of the same synthetic copy that this file is computed from."""
    dataset = SYNTHETIC_BY_PATH[wildcards.folder]
    relpaths = synthetic_copies.file_inputs(
        dataset, wildcards.path, synthetic_file_settings(wildcards)
    )
    return [f"{SYNTHETIC}/{wildcards.folder}/{relpath}" for relpath in relpaths]
