import sys

from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "workflow_scripts"))
from multimodal_emotion import workflow_config as wc  # noqa: E402

validate(config, schema="../resources/config.schema.yaml", set_default=True)
wc.check_config(config)

RESULTS = config["results"]
SYNTHETIC = str(wc.synthetic_root(config))
DATASETS = wc.enabled_datasets(config)
RECORDINGS = {dataset: wc.recordings(config, dataset) for dataset in DATASETS}


wildcard_constraints:
    dataset="|".join(wc.DATASETS),
    recording=r"\d+_\d{8}|s\d\d",
    subject=r"\d+",


def get_final_outputs():
    return [
        f"{RESULTS}/features/{dataset}/{recording}.h5"
        for dataset in DATASETS
        for recording in RECORDINGS[dataset]
    ]


def get_raw_inputs(wildcards):
    """Raw files of one recording by role (eeg/labels/eye for SEED, data for DEAP)."""
    return wc.recording_inputs(config, wildcards.dataset, wildcards.recording)


def get_feature_params(wildcards):
    """Only the config slice the feature rule uses, so unrelated edits do not rerun it."""
    cfg = config[wildcards.dataset]
    return {"bands": cfg["bands"], "window_s": cfg["window_s"], "step_s": cfg["step_s"]}
