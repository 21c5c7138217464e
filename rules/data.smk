# Embedded synthetic SEED and DEAP in the datasets' own formats (used when source: synthetic).
# SEED is written as the download unpacks: SEED/SEED_EEG/... and SEED/SEED_Multimodal/Chinese/...


rule synthetic_seed_labels:
    output:
        labels=f"{SYNTHETIC}/SEED/SEED_EEG/Preprocessed_EEG/label.mat",
    log:
        f"{RESULTS}/logs/synthetic_seed_labels.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_seed_labels.tsv"
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../workflow_scripts/synthetic_data.py"


rule synthetic_seed_session:
    output:
        eeg=f"{SYNTHETIC}/SEED/SEED_EEG/Preprocessed_EEG/{{subject}}_{{date}}.mat",
    log:
        f"{RESULTS}/logs/synthetic_seed_session/{{subject}}_{{date}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_seed_session/{{subject}}_{{date}}.tsv"
    wildcard_constraints:
        date=r"\d{8}",
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    params:
        kind="seed_session",
        subject=lambda wc_: int(wc_.subject),
        session=lambda wc_: wc.datasets.seed.session_of(f"{wc_.subject}_{wc_.date}"),
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"


# Our own Eye_movements/ tables (no release has them): only when an entry asks for them
# (seed.eye_source: eye_movements, or entry preprocessed/raw/extracted with eye_movements).


rule synthetic_seed_eye_movements:
    output:
        eye=f"{SYNTHETIC}/SEED/SEED_EEG/Eye_movements/{{subject}}_{{date}}.mat",
    log:
        f"{RESULTS}/logs/synthetic_seed_eye_movements/{{subject}}_{{date}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_seed_eye_movements/{{subject}}_{{date}}.tsv"
    wildcard_constraints:
        date=r"\d{8}",
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    params:
        kind="seed_eye_movements",
        subject=lambda wc_: int(wc_.subject),
        session=lambda wc_: wc.datasets.seed.session_of(f"{wc_.subject}_{wc_.date}"),
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"


rule synthetic_deap_subject:
    output:
        data=f"{SYNTHETIC}/DEAP/data_preprocessed_{{variant}}/s{{subject}}.{{ext}}",
    log:
        f"{RESULTS}/logs/synthetic_deap_subject/{{variant}}_s{{subject}}.{{ext}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_deap_subject/{{variant}}_s{{subject}}.{{ext}}.tsv"
    wildcard_constraints:
        variant="python|matlab",
        ext="dat|mat",
        subject=r"\d\d",
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    params:
        kind="deap_subject",
        subject=lambda wc_: int(wc_.subject),
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"


# Raw recordings written from the same signals as the preprocessed files (entry: raw).


rule synthetic_seed_time:
    output:
        time=f"{SYNTHETIC}/SEED/SEED_EEG/SEED_RAW_EEG/time.txt",
    log:
        f"{RESULTS}/logs/synthetic_seed_time.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_seed_time.tsv"
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        kind="seed_time",
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"


rule synthetic_seed_raw:
    input:
        mat=f"{SYNTHETIC}/SEED/SEED_EEG/Preprocessed_EEG/{{subject}}_{{date}}.mat",
    output:
        cnt=f"{SYNTHETIC}/SEED/SEED_EEG/SEED_RAW_EEG/{{subject}}_{{date}}.cnt",
    log:
        f"{RESULTS}/logs/synthetic_seed_raw/{{subject}}_{{date}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_seed_raw/{{subject}}_{{date}}.tsv"
    wildcard_constraints:
        date=r"\d{8}",
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=6000,
        runtime=20,
    params:
        kind="seed_raw",
        subject=lambda wc_: int(wc_.subject),
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"


rule synthetic_deap_raw:
    input:
        dat=f"{SYNTHETIC}/DEAP/data_preprocessed_python/s{{subject}}.dat",
    output:
        bdf=f"{SYNTHETIC}/DEAP/data_original/s{{subject}}.bdf",
    log:
        f"{RESULTS}/logs/synthetic_deap_raw/s{{subject}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_deap_raw/s{{subject}}.tsv"
    wildcard_constraints:
        subject=r"\d\d",
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=6000,
        runtime=20,
    params:
        kind="deap_raw",
        subject=lambda wc_: int(wc_.subject),
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"


rule synthetic_deap_ratings:
    input:
        dat=synthetic_deap_dat(),
    output:
        ratings=f"{SYNTHETIC}/DEAP/metadata_csv/participant_ratings.csv",
    log:
        f"{RESULTS}/logs/synthetic_deap_ratings.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_deap_ratings.tsv"
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        kind="deap_ratings",
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"


# The SEED lab's own feature files, computed from the same synthetic EEG (entry: extracted).


rule synthetic_seed_extracted:
    input:
        mat=f"{SYNTHETIC}/SEED/SEED_EEG/Preprocessed_EEG/{{subject}}_{{date}}.mat",
    output:
        extracted=f"{SYNTHETIC}/SEED/SEED_EEG/{{folder}}/{{subject}}_{{date}}.mat",
    log:
        f"{RESULTS}/logs/synthetic_seed_extracted/{{folder}}/{{subject}}_{{date}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_seed_extracted/{{folder}}/{{subject}}_{{date}}.tsv"
    wildcard_constraints:
        date=r"\d{8}",
        folder="ExtractedFeatures_1s|ExtractedFeatures_4s",
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    params:
        kind="seed_extracted",
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"


# SEED_Multimodal/Chinese as the lab ships it (entry: multimodal), from the synthetic session
# of the same subject and session ({session} is 1-3, the lab's naming, not a date).


rule synthetic_seed_multimodal_eeg:
    input:
        mat=synthetic_seed_session_file("Preprocessed_EEG"),
    output:
        npz=f"{SYNTHETIC}/SEED/SEED_Multimodal/Chinese/02-EEG-DE-feature/{{variant}}/{{subject}}_{{session}}.npz",
    log:
        f"{RESULTS}/logs/synthetic_seed_multimodal_eeg/{{variant}}/{{subject}}_{{session}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_seed_multimodal_eeg/{{variant}}/{{subject}}_{{session}}.tsv"
    wildcard_constraints:
        variant="eeg_used_4s|eeg_used_1s",
        session=r"[1-3]",
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    params:
        kind="seed_multimodal_eeg",
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"


rule synthetic_seed_multimodal_eye:
    input:
        mat=synthetic_seed_session_file("Preprocessed_EEG"),
    output:
        eye=f"{SYNTHETIC}/SEED/SEED_Multimodal/Chinese/04-Eye-tracking-feature/eye_tracking_feature/{{subject}}_{{session}}",
    log:
        f"{RESULTS}/logs/synthetic_seed_multimodal_eye/{{subject}}_{{session}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/synthetic_seed_multimodal_eye/{{subject}}_{{session}}.tsv"
    wildcard_constraints:
        session=r"[1-3]",
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    params:
        kind="seed_multimodal_eye",
        subject=lambda wc_: int(wc_.subject),
        session=lambda wc_: int(wc_.session),
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"


# Datasets whose synthetic module writes any file from its path alone (SEED-IV, SEED-V):
# one job per file, each regenerating its session's signals from the seeds.


rule synthetic_file:
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
        mem_mb=3000,
        runtime=20,
    params:
        kind="by_path",
        dataset=lambda wc_: SYNTHETIC_BY_PATH[wc_.folder],
        relpath=lambda wc_: wc_.path,
        dataset_config=lambda wc_: {
            key: value
            for key, value in config[SYNTHETIC_BY_PATH[wc_.folder]].items()
            if key.startswith("synthetic_")
        },
        config=config.get("synthetic", {}),
    script:
        "../workflow_scripts/synthetic_data.py"
