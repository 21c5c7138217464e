"""Snakemake entry point: accuracy tables and figures from all experiment results."""
from multimodal_emotion import provenance, run_logged
from multimodal_emotion.reporting import aggregate_stage

run_logged(
    snakemake.log[0],
    aggregate_stage,
    result_paths=list(snakemake.input.results),
    datasets=snakemake.params.datasets,
    protocols=snakemake.params.protocols,
    tables_dir=snakemake.params.tables_dir,
    figures_dir=snakemake.params.figures_dir,
    selections=snakemake.params.selections,
    provenance=provenance(snakemake.config),
    provenance_path=snakemake.output.provenance,
)
