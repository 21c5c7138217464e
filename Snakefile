# Multimodal emotion recognition (Tang, Liu, Zheng, Lu, ICONIP 2017) on SEED and DEAP.
# Glue only: the logic lives in workflow_scripts/multimodal_emotion.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/features.smk"
include: "rules/models.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        get_final_outputs(),
