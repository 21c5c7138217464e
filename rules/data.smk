# The embedded synthetic datasets, written in the datasets' own formats (used when source:
# synthetic). One generic rule: every dataset's synthetic module writes any of its files
# from the file's path alone (one job per file, regenerating its signals from the seeds,
# or computing it from the copy's other files that the module names).
rule synthetic_file:
    input:
        synthetic_file_inputs,
    output:
        data=f"{SYNTHETIC}/{{folder}}/{{path}}",
    log:
        f"{RESULTS}/logs/synthetic_file/{{folder}}/{{path}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_file/{{folder}}/{{path}}.tsv"
    wildcard_constraints:
        folder="|".join(SYNTHETIC_BY_PATH) or "(?!)",
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards: synthetic_copies.file_mem_mb(wildcards.path),
        runtime=20,
    params:
        dataset=lambda wildcards: SYNTHETIC_BY_PATH[wildcards.folder],
        relpath=lambda wildcards: wildcards.path,
        dataset_config=synthetic_file_settings,
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"
