"""Snakemake entry point: evaluate an experiment's search shards (refit included), join them, select."""
from multimodal_emotion import exit_without_teardown, provenance, run_logged
from multimodal_emotion.evaluation import merge_search

run_logged(
    snakemake.log[0],
    merge_search,
    features_path=list(snakemake.input.features),
    training_dirs=list(snakemake.input.models),
    provenance=provenance(snakemake.config),
    task=snakemake.wildcards.task,
    protocol=snakemake.params.protocol,
    seed=snakemake.params.seed,
    refit=snakemake.params.refit,
    experiment=snakemake.wildcards.recording,
    dataset=snakemake.wildcards.dataset,
    model=snakemake.wildcards.model,
    selections=snakemake.params.selections,
    n_classes=snakemake.params.n_classes,
    output_csv=snakemake.output.csv,
    output_json=snakemake.output.result,
)
exit_without_teardown()  # outputs are in place and closed; skip the slow interpreter teardown
