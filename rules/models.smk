# Per experiment and model: seeded random-search shards (train -> evaluate with the
# SVM refit), then merge and select. Training and evaluation are separate rules so a
# change of the refit settings re-evaluates without retraining.


rule train_shard:
    input:
        features=experiment_features,
    output:
        models=directory(
            f"{RESULTS}/search/{{dataset}}/{{recording}}/{{task}}/{{model}}/shard{{shard}}/models"
        ),
    log:
        f"{RESULTS}/logs/train_shard/{{dataset}}/{{recording}}/{{task}}/{{model}}/shard{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_shard/{{dataset}}/{{recording}}/{{task}}/{{model}}/shard{{shard}}.tsv"
    conda:
        "../envs/models.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=120,
    params:
        search=search_params,
    script:
        "../workflow_scripts/train_shard.py"


rule evaluate_shard:
    input:
        features=experiment_features,
        models=rules.train_shard.output.models,
    output:
        csv=f"{RESULTS}/search/{{dataset}}/{{recording}}/{{task}}/{{model}}/shard{{shard}}/evaluation.csv",
        predictions=f"{RESULTS}/search/{{dataset}}/{{recording}}/{{task}}/{{model}}/shard{{shard}}/predictions.npz",
        curves=f"{RESULTS}/search/{{dataset}}/{{recording}}/{{task}}/{{model}}/shard{{shard}}/curves.json",
    log:
        f"{RESULTS}/logs/evaluate_shard/{{dataset}}/{{recording}}/{{task}}/{{model}}/shard{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate_shard/{{dataset}}/{{recording}}/{{task}}/{{model}}/shard{{shard}}.tsv"
    conda:
        "../envs/models.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    params:
        protocol=lambda wc_: experiment_protocol(wc_.dataset, wc_.recording),
        seed=config["experiments"]["seed"],
        refit=refit_params,
    script:
        "../workflow_scripts/evaluate_shard.py"


rule merge_search:
    input:
        features=experiment_features,
        csvs=shard_outputs("csv"),
        predictions=shard_outputs("npz"),
        curves=shard_outputs("curves"),
    output:
        csv=f"{RESULTS}/search/{{dataset}}/{{recording}}/{{task}}/{{model}}.csv",
        result=f"{RESULTS}/experiments/{{dataset}}/{{recording}}/{{task}}/{{model}}.json",
    log:
        f"{RESULTS}/logs/merge_search/{{dataset}}/{{recording}}/{{task}}/{{model}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/merge_search/{{dataset}}/{{recording}}/{{task}}/{{model}}.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        selections=config["experiments"]["selection"],
        protocol=lambda wc_: experiment_protocol(wc_.dataset, wc_.recording),
        n_classes=lambda wc_: n_classes(wc_.dataset),
    script:
        "../workflow_scripts/merge_search.py"
