"""Snakemake entry point: refit (networks) and evaluate one search shard's models."""
from multimodal_emotion import run_logged
from multimodal_emotion.experiments import evaluate_shard

run_logged(
    snakemake.log[0],
    evaluate_shard,
    features_path=list(snakemake.input.features),
    training_dir=snakemake.input.models,
    task=snakemake.wildcards.task,
    protocol=snakemake.params.protocol,
    seed=snakemake.params.seed,
    refit=snakemake.params.refit,
    output_csv=snakemake.output.csv,
    output_predictions=snakemake.output.predictions,
    output_curves=snakemake.output.curves,
)
