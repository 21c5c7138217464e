# One job per recording: read (preprocessed or raw entry) -> bandpass (MNE FIR) ->
# windowed DE/PSD + eye/peripheral features -> HDF5. Nothing is written in between.


rule features:
    input:
        unpack(get_raw_inputs),
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
        mem_mb=6000,
        runtime=30,
    conda:
        "../envs/signal.yaml"
    script:
        "../workflow_scripts/features.py"
