"""Snakemake entry point: the quality-control page of one recording."""
from multimodal_emotion import run_logged
from multimodal_emotion.quality_report import quality_stage

run_logged(
    snakemake.log[0],
    quality_stage,
    features_path=snakemake.input.features,
    output_html=snakemake.output.html,
    protocol=snakemake.params.protocol,
    seed=snakemake.params.seed,
)
