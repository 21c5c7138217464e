"""Snakemake entry point: train one shard of an experiment's random search."""
from multimodal_emotion import exit_without_teardown, run_logged
from multimodal_emotion.search import train_shard

run_logged(
    snakemake.log[0],
    train_shard,
    features_path=list(snakemake.input.features),
    experiment=f"{snakemake.wildcards.dataset}/{snakemake.wildcards.recording}",
    task=snakemake.wildcards.task,
    model_name=snakemake.wildcards.model,
    shard=int(snakemake.wildcards.shard),
    threads=snakemake.threads,
    output_dir=snakemake.output.models,
    **snakemake.params.search,
)
exit_without_teardown()  # outputs are in place and closed; skip the slow interpreter teardown
