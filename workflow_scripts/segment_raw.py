"""Snakemake entry point: cut a raw recording (.cnt / .bdf) into clips/trials at the preprocessed rate."""
from multimodal_emotion import run_logged
from multimodal_emotion.features import segment_stage

run_logged(
    snakemake.log[0],
    segment_stage,
    dataset=snakemake.wildcards.dataset,
    inputs=dict(snakemake.input.items()),
    output=snakemake.output.segmented,
)
