"""Snakemake entry point: evaluate and select every packed model of one experiment (search.pack_models)."""
from multimodal_emotion import exit_without_teardown, provenance, run_logged
from multimodal_emotion.evaluation import merge_models

run_logged(
    snakemake.log[0],
    merge_models,
    features_path=list(snakemake.input.features),
    training_dirs=list(snakemake.input.models),
    models=list(snakemake.params.models),
    refit=snakemake.params.refit,
    output_csvs=list(snakemake.output.csv),
    output_jsons=list(snakemake.output.result),
    provenance=provenance(snakemake.config),
    task=snakemake.wildcards.task,
    protocol=snakemake.params.protocol,
    seed=snakemake.params.seed,
    experiment=snakemake.wildcards.recording,
    dataset=snakemake.wildcards.dataset,
    selections=snakemake.params.selections,
    n_classes=snakemake.params.n_classes,
)
exit_without_teardown()  # outputs are in place and closed; skip the slow interpreter teardown
