"""Snakemake entry point: one recording's files -> bandpass -> windowed features -> HDF5."""
from multimodal_emotion import provenance, run_logged
from multimodal_emotion.features import feature_stage

run_logged(
    snakemake.log[0],
    feature_stage,
    dataset=snakemake.wildcards.dataset,
    recording=snakemake.wildcards.recording,
    inputs=dict(snakemake.input.items()),
    output=snakemake.output.features,
    provenance=provenance(snakemake.config),
    **snakemake.params.settings,
)
