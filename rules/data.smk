# Embedded synthetic SEED and DEAP in the datasets' own formats (used when source: synthetic).


rule synthetic_seed_labels:
    output:
        labels=f"{SYNTHETIC}/SEED/Preprocessed_EEG/label.mat",
    log:
        f"{RESULTS}/logs/synthetic_seed_labels.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_seed_labels.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../envs/signal.yaml"
    script:
        "../workflow_scripts/synthetic_data.py"


rule synthetic_seed_session:
    output:
        eeg=f"{SYNTHETIC}/SEED/Preprocessed_EEG/{{subject}}_{{date}}.mat",
        eye=f"{SYNTHETIC}/SEED/Eye_movements/{{subject}}_{{date}}.mat",
    params:
        kind="seed_session",
        subject=lambda wc_: int(wc_.subject),
        session=lambda wc_: wc.synthetic_seed_session(f"{wc_.subject}_{wc_.date}")[1],
        config=config.get("synthetic", {}),
    wildcard_constraints:
        date=r"\d{8}",
    log:
        f"{RESULTS}/logs/synthetic_seed_session/{{subject}}_{{date}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_seed_session/{{subject}}_{{date}}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    conda:
        "../envs/signal.yaml"
    script:
        "../workflow_scripts/synthetic_data.py"


rule synthetic_deap_subject:
    output:
        data=f"{SYNTHETIC}/DEAP/data_preprocessed_{{variant}}/s{{subject}}.{{ext}}",
    params:
        kind="deap_subject",
        subject=lambda wc_: int(wc_.subject),
        config=config.get("synthetic", {}),
    wildcard_constraints:
        variant="python|matlab",
        ext="dat|mat",
        subject=r"\d\d",
    log:
        f"{RESULTS}/logs/synthetic_deap_subject/{{variant}}_s{{subject}}.{{ext}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_deap_subject/{{variant}}_s{{subject}}.{{ext}}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    conda:
        "../envs/signal.yaml"
    script:
        "../workflow_scripts/synthetic_data.py"
