# Per experiment and model, two jobs: seeded random-search shards (train_shard), then
# merge_search, which evaluates every shard (the networks' SVM refit included), joins
# them and selects. The refit sits in merge_search, not in training, so a change of the
# refit settings re-evaluates without retraining; it reads only what training saved
# (no TensorFlow). With search.pack_models, train_models trains every one-shard model of
# an experiment in one job instead (one start-up; the same files; runtime: 2 h a model, at
# most 8 h, a guess like train_shard's: set-resources train_models:runtime (minutes) changes
# it), and merge_models evaluates and selects them in one job likewise (runtime: 30 min +
# 5 a model, a guess). docs/workflow.md: "Rules and outputs".


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


if PACKED_MODELS:

    ruleorder: train_models > train_shard

    rule train_models:
        input:
            features=experiment_features,
        output:
            models=[
                directory(
                    f"{RESULTS}/search/{{dataset}}/{{recording}}/{{task}}/{model}/shard0/models"
                )
                for model in PACKED_MODELS
            ],
        log:
            f"{RESULTS}/logs/train_models/{{dataset}}/{{recording}}/{{task}}.log",
        benchmark:
            f"{RESULTS}/benchmarks/train_models/{{dataset}}/{{recording}}/{{task}}.tsv"
        conda:
            "../envs/models.yaml"
        threads: 1
        resources:
            mem_mb=3000,
            runtime=min(120 * len(PACKED_MODELS), 480),
        params:
            models=packed_search_params,
        script:
            "../workflow_scripts/train_models.py"

    ruleorder: merge_models > merge_search

    rule merge_models:
        input:
            features=experiment_features,
            models=packed_models,
        output:
            csv=[
                f"{RESULTS}/search/{{dataset}}/{{recording}}/{{task}}/{model}.csv"
                for model in PACKED_MODELS
            ],
            result=[
                f"{RESULTS}/experiments/{{dataset}}/{{recording}}/{{task}}/{model}.json"
                for model in PACKED_MODELS
            ],
        log:
            f"{RESULTS}/logs/merge_models/{{dataset}}/{{recording}}/{{task}}.log",
        benchmark:
            f"{RESULTS}/benchmarks/merge_models/{{dataset}}/{{recording}}/{{task}}.tsv"
        conda:
            "../envs/models.yaml"
        threads: 1
        resources:
            mem_mb=3000,
            runtime=30 + 5 * len(PACKED_MODELS),
        params:
            models=PACKED_MODELS,
            refit=packed_refit_params,
            protocol=lambda wc_: experiment_protocol(wc_.dataset, wc_.recording),
            seed=config["experiments"]["seed"],
            selections=config["experiments"]["selection"],
            n_classes=lambda wc_: n_classes(wc_.dataset),
        script:
            "../workflow_scripts/merge_models.py"


rule merge_search:
    input:
        features=experiment_features,
        models=shard_models,
    output:
        csv=f"{RESULTS}/search/{{dataset}}/{{recording}}/{{task}}/{{model}}.csv",
        result=f"{RESULTS}/experiments/{{dataset}}/{{recording}}/{{task}}/{{model}}.json",
    log:
        f"{RESULTS}/logs/merge_search/{{dataset}}/{{recording}}/{{task}}/{{model}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/merge_search/{{dataset}}/{{recording}}/{{task}}/{{model}}.tsv"
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
        selections=config["experiments"]["selection"],
        n_classes=lambda wc_: n_classes(wc_.dataset),
    script:
        "../workflow_scripts/merge_search.py"
