# Tables (paper's Fig. 3 and Table 2) and figures from all experiment results.


rule aggregate:
    input:
        results=experiment_results(),
        reference=str(Path(workflow.basedir) / "resources" / "paper_reference.tsv"),
    output:
        tables=[
            report(t, category="Tables", caption="../resources/report/table.rst")
            for t in TABLES
        ],
        figures=[
            report(f, category="Figures", caption="../resources/report/figure.rst")
            for f in FIGURES
        ],
        provenance=report(
            f"{RESULTS}/tables/provenance.json",
            category="Provenance",
            caption="../resources/report/provenance.rst",
        ),
    log:
        f"{RESULTS}/logs/aggregate.log",
    benchmark:
        f"{RESULTS}/benchmarks/aggregate.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        datasets=DATASETS,
        protocols=REPORTED_PROTOCOLS,
        selections=config["experiments"]["selection"],
        tables_dir=lambda wildcards, output: str(Path(output.provenance).parent),
        figures_dir=lambda wildcards, output: str(Path(output.figures[0]).parent),
    script:
        "../workflow_scripts/aggregate.py"


rule quality_report:
    input:
        features=f"{RESULTS}/features/{{dataset}}/{{recording}}.h5",
    output:
        html=report(
            f"{RESULTS}/qc/{{dataset}}/{{recording}}.html",
            category="Quality control",
            subcategory="{dataset}",
            caption="../resources/report/qc.rst",
        ),
    log:
        f"{RESULTS}/logs/quality_report/{{dataset}}/{{recording}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/quality_report/{{dataset}}/{{recording}}.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        protocol=lambda wc_: protocol_of(wc_.dataset) or {},
        seed=config["experiments"]["seed"],
    script:
        "../workflow_scripts/quality_report.py"
