# Bandpass (MNE) -> windowed DE/PSD + eye/peripheral features -> HDF5, per recording.


rule bandpass:
    input:
        unpack(get_raw_inputs),
    output:
        filtered=temp(f"{RESULTS}/filtered/{{dataset}}/{{recording}}.h5"),
    params:
        l_freq=lambda wc_: config[wc_.dataset]["bandpass"]["l_freq"],
        h_freq=lambda wc_: config[wc_.dataset]["bandpass"]["h_freq"],
    log:
        f"{RESULTS}/logs/bandpass/{{dataset}}/{{recording}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/bandpass/{{dataset}}/{{recording}}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=15,
    conda:
        "../envs/signal.yaml"
    script:
        "../workflow_scripts/bandpass.py"


rule features:
    input:
        filtered=rules.bandpass.output.filtered,
    output:
        features=f"{RESULTS}/features/{{dataset}}/{{recording}}.h5",
    params:
        settings=get_feature_params,
    log:
        f"{RESULTS}/logs/features/{{dataset}}/{{recording}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/features/{{dataset}}/{{recording}}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=15,
    conda:
        "../envs/signal.yaml"
    script:
        "../workflow_scripts/features.py"
