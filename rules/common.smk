import sys

from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "workflow_scripts"))
from multimodal_emotion import workflow_config as wc  # noqa: E402
from multimodal_emotion.models import is_network  # noqa: E402

try:
    validate(config, schema="../resources/config.schema.yaml", set_default=True)
except (
    Exception
) as err:  # noqa: BLE001 - one line on the terminal; the schema dump goes to a log
    schema_error = (
        err.__context__
    )  # the jsonschema ValidationError that validate() wrapped
    if not hasattr(schema_error, "validator"):
        raise
    log_path = (
        Path(str(config.get("results", "results"))) / "logs" / "config_validation.log"
    )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(f"{schema_error}\n")
    config_files = getattr(workflow, "overwrite_configfiles", None) or ["config.yaml"]
    line = wc.schema_error_line(
        schema_error, config_name=Path(str(config_files[-1])).name
    )
    raise wc.ConfigError.from_line(f"{line} (details: {log_path})") from None
wc.check_config(config)

RESULTS = config["results"]
SYNTHETIC = str(wc.synthetic_root(config))
DATASETS = wc.enabled_datasets(config)
RECORDINGS = {dataset: wc.recordings(config, dataset) for dataset in DATASETS}


wildcard_constraints:
    dataset="|".join(wc.DATASETS),
    recording=wc.datasets.recording_pattern(),
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


def synthetic_deap_dat(wildcards=None):
    return [
        f"{SYNTHETIC}/DEAP/data_preprocessed_python/s{s:02d}.dat"
        for s in config["deap"]["subjects"]
    ]


def get_feature_params(wildcards):
    """Only the config slice the feature rule uses, so unrelated edits do not rerun it."""
    cfg = config[wildcards.dataset]
    return {
        "bands": cfg["bands"],
        "window_s": cfg["window_s"],
        "step_s": cfg["step_s"],
        "bandpass": cfg["bandpass"],
        "read_options": wc.read_options(config, wildcards.dataset),
    }


# --- experiments ---------------------------------------------------------------------
MODELS = [name for name, spec in config["models"].items() if spec.get("enabled", True)]


def shards_of(model):
    """Search jobs per experiment for ``model`` (models.<m>.shards, else search.shards)."""
    return config["models"][model].get("shards", config["search"]["shards"])


def protocol_of(dataset):
    return config["experiments"][f"{dataset}_protocol"]


def experiment_keys(dataset):
    """(recording, task) of every experiment of a dataset."""
    return [(r, t) for r in RECORDINGS[dataset] for t in protocol_of(dataset)["tasks"]]


def experiment_results():
    return [
        f"{RESULTS}/experiments/{dataset}/{recording}/{task}/{model}.json"
        for dataset in DATASETS
        for recording, task in experiment_keys(dataset)
        for model in MODELS
    ]


def search_params(wildcards):
    """Only the config slices one model's search uses, so editing another model's
    ranges (or the refit) does not retrain this one."""
    spec = config["models"][wildcards.model]
    return {
        "protocol": protocol_of(wildcards.dataset),
        "model_class": spec["class"],
        "space": spec["space"][wildcards.dataset],
        "fixed": {
            **spec.get("fixed", {}),
            **spec.get("fixed_per_dataset", {}).get(wildcards.dataset, {}),
        },
        "n_configs": config["search"]["n_configs"][wildcards.dataset],
        "n_shards": shards_of(wildcards.model),
        "seed": config["experiments"]["seed"],
        # grouped training (Bimodal-LSTM only): group == alone, so results do not change
        "group_size": config["search"]["group_size"],
        "precision": config["search"]["precision"],
        "device": config["search"]["device"],
    }


def refit_params(wildcards):
    """The refit applies to the networks only; other models do not depend on it."""
    if is_network(config["models"][wildcards.model]["class"]):
        return config["refit"]
    return {"enabled": False}


def shard_outputs(kind):
    def inputs(wildcards):
        base = f"{RESULTS}/search/{wildcards.dataset}/{wildcards.recording}/{wildcards.task}/{wildcards.model}"
        name = {
            "csv": "evaluation.csv",
            "npz": "predictions.npz",
            "curves": "curves.json",
        }[kind]
        return [f"{base}/shard{s}/{name}" for s in range(shards_of(wildcards.model))]

    return inputs


def n_classes(dataset):
    return wc.n_classes(config, dataset)


TABLES = [
    f"{RESULTS}/tables/{name}.{ext}"
    for name in [f"{d}_accuracy" for d in DATASETS] + ["experiments"]
    for ext in ("csv", "md", "tex")
]
FIGURES = [
    f"{RESULTS}/figures/{d}_{kind}.png"
    for d in DATASETS
    for kind in ("accuracy", "per_subject", "confusion", "learning_curves")
]
QC_PAGES = [
    f"{RESULTS}/qc/{dataset}/{recording}.html"
    for dataset in DATASETS
    for recording in RECORDINGS[dataset]
    if config.get("qc", {}).get("enabled", True)
]


def synthetic_seed_session_file(folder):
    """Input function: the synthetic SEED session file (real date name) behind a
    SEED_Multimodal {subject}_{session} file."""

    def path(wildcards):
        stem = wc.datasets.seed.real_session_stem(
            int(wildcards.subject), int(wildcards.session)
        )
        return f"{SYNTHETIC}/SEED/{folder}/{stem}.mat"

    return path
