"""Snakemake entry point: train every packed model of one experiment (search.pack_models)."""
from multimodal_emotion import exit_without_teardown, run_logged
from multimodal_emotion.search import train_models

run_logged(
    snakemake.log[0],
    train_models,
    features_path=list(snakemake.input.features),
    experiment=f"{snakemake.wildcards.dataset}/{snakemake.wildcards.recording}",
    task=snakemake.wildcards.task,
    models=snakemake.params.models,
    output_dirs=list(snakemake.output.models),
    threads=snakemake.threads,
)
exit_without_teardown()  # outputs are in place and closed; skip the slow interpreter teardown
