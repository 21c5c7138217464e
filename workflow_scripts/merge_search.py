"""Snakemake entry point: join an experiment's search shards and select a configuration."""
from multimodal_emotion import provenance, run_logged
from multimodal_emotion.experiments import merge_shards

run_logged(
    snakemake.log[0],
    merge_shards,
    features_path=list(snakemake.input.features),
    provenance=provenance(snakemake.config),
    shard_csvs=list(snakemake.input.csvs),
    shard_predictions=list(snakemake.input.predictions),
    shard_curves=list(snakemake.input.curves),
    experiment=snakemake.wildcards.recording,
    dataset=snakemake.wildcards.dataset,
    task=snakemake.wildcards.task,
    model=snakemake.wildcards.model,
    selections=snakemake.params.selections,
    protocol=snakemake.params.protocol,
    n_classes=snakemake.params.n_classes,
    output_csv=snakemake.output.csv,
    output_json=snakemake.output.result,
)
