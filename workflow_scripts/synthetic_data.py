"""Snakemake entry point: write one file of a synthetic dataset copy, from its path."""
from multimodal_emotion import run_logged
from multimodal_emotion.synthetic import synthetic_stage

run_logged(
    snakemake.log[0],
    synthetic_stage,
    outputs=dict(snakemake.output.items()),
    config=snakemake.params.config,
    dataset=snakemake.params.dataset,
    relpath=snakemake.params.relpath,
    dataset_config=snakemake.params.dataset_config,
)
