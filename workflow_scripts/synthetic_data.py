"""Snakemake entry point: write one set of synthetic raw files."""
from multimodal_emotion import run_logged
from multimodal_emotion.synthetic import synthetic_stage

run_logged(
    snakemake.log[0],
    synthetic_stage,
    kind=snakemake.params.get("kind", "seed_labels"),
    outputs=dict(snakemake.output.items()),
    inputs={k: (list(v) if not isinstance(v, str) else v) for k, v in snakemake.input.items()},
    config=snakemake.params.get("config", {}),
    subject=snakemake.params.get("subject", 0),
    session=snakemake.params.get("session", 0),
    dataset=snakemake.params.get("dataset", ""),
    relpath=snakemake.params.get("relpath", ""),
    dataset_config=snakemake.params.get("dataset_config", {}),
)
