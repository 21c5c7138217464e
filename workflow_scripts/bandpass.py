"""Snakemake entry point: read one recording, bandpass its EEG, write it to HDF5."""
from multimodal_emotion import run_logged
from multimodal_emotion.features import bandpass_stage

run_logged(
    snakemake.log[0],
    bandpass_stage,
    dataset=snakemake.wildcards.dataset,
    inputs=dict(snakemake.input.items()),
    l_freq=snakemake.params.l_freq,
    h_freq=snakemake.params.h_freq,
    output=snakemake.output.filtered,
)
