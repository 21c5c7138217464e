"""Snakemake entry point: windowed EEG DE/PSD and other-modality features to HDF5."""
from multimodal_emotion import provenance, run_logged
from multimodal_emotion.features import feature_stage

run_logged(
    snakemake.log[0],
    feature_stage,
    filtered=snakemake.input.filtered,
    output=snakemake.output.features,
    provenance=provenance(snakemake.config),
    **snakemake.params.settings,
)
