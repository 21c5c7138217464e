# One job per recording: read (preprocessed or raw entry) -> bandpass (MNE FIR) ->
# windowed DE/PSD + eye/peripheral features -> HDF5. Nothing is written in between.


rule features:
    input:
        unpack(get_raw_inputs),
    output:
        features=f"{RESULTS}/features/{{dataset}}/{{recording}}.h5",
    log:
        f"{RESULTS}/logs/features/{{dataset}}/{{recording}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/features/{{dataset}}/{{recording}}.tsv"
    conda:
        "../envs/signal.yaml"
    threads: 1
    resources:
        mem_mb=6000,
        runtime=30,
    params:
        settings=get_feature_params,
    script:
        "../workflow_scripts/features.py"
