"""The DAGs a user may plan: every .test/ config's (batched dry runs) and the paper
config's with the SLURM profile. No run: a module of its own, so it can go to another
pytest-xdist worker than the shared tiny run."""

from __future__ import annotations

import pytest

from support.workflow import REPO, run_snakemake, write_config

pytestmark = pytest.mark.workflow


TEST_CONFIGS = sorted(p.name for p in (REPO / ".test").glob("config_*.yaml"))


@pytest.fixture(scope="module")
def test_config_dags(tmp_path_factory) -> dict[str, dict]:
    """The jobs each .test/ config plans (merged over config.yaml), all dry runs in one
    process (support/dry_runs.py)."""
    import yaml

    from support.dry_runs import planned_jobs
    from support.workflow import merged

    root, workdirs = tmp_path_factory.mktemp("test_config_dags"), {}
    for name in TEST_CONFIGS:
        config = merged(yaml.safe_load((REPO / "config.yaml").read_text()), yaml.safe_load((REPO / ".test" / name).read_text()))
        config["results"] = "results"
        workdirs[name] = root / name.removesuffix(".yaml")
        write_config(workdirs[name], config)
    config = packed_config()
    workdirs[PACKED] = root / "packed"
    write_config(workdirs[PACKED], config)
    planned = planned_jobs(list(workdirs.values()))
    return {name: planned[workdir] for name, workdir in workdirs.items()}


PACKED = "tiny, search.pack_models"


def packed_config() -> dict:
    """The tiny config with search.pack_models and the linear SVM in 2 shards."""
    from support.shared_runs import tiny_run_config
    from support.workflow import packed

    config = packed(tiny_run_config())
    config["models"]["linear_svm"]["shards"] = 2
    return config


def test_packed_models_train_in_one_job_per_experiment(test_config_dags):
    """search.pack_models: one train_models and one merge_models job per experiment for every
    one-shard model; a sharded model keeps its train_shard jobs and its own merge_search job."""
    planned = test_config_dags[PACKED]
    assert "error" not in planned, planned.get("error")
    config, jobs = packed_config(), planned["jobs"]
    models = [name for name, spec in config["models"].items() if spec.get("enabled", True)]
    experiments = 2 + 2  # SEED: 2 sessions; DEAP: 1 subject x 2 ratings
    assert jobs["train_models"] == experiments and jobs["train_shard"] == 2 * experiments, jobs
    assert jobs["merge_models"] == experiments and jobs["merge_search"] == experiments, jobs  # linear_svm's
    assert len(models) > 2, models


@pytest.mark.parametrize("name", TEST_CONFIGS)
def test_every_test_config_builds_its_dag(name, test_config_dags):
    """Each .test/ config a user may run (every model alone, every dataset and protocol)
    is valid and plans its jobs; the runs themselves are the tiny ones above, in
    test_seed_iv/test_seed_v/test_seed_entries and test_protocols_workflow."""
    planned = test_config_dags[name]
    assert "error" not in planned, f"{name}: {planned.get('error')}"
    jobs = planned["jobs"]
    assert jobs.get("all") == 1 and jobs.get("features", 0) >= 1 and jobs.get("aggregate") == 1, jobs
    assert any(rule.startswith("train") and count >= 1 for rule, count in jobs.items()), jobs


def test_slurm_profile_dry_run_of_the_paper_config_lists_resources(tmp_path):
    """`snakemake --profile profiles/slurm -n` on the paper's full protocol (27 SEED
    experiments, 32 DEAP subjects) builds its DAG and shows every job's resources. (The
    one dry run of the 4000+-job DAG in the suite; its wall time is measured in
    benchmarks/bench_dag.py, not asserted here.)"""
    import yaml

    config = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    config["seed"]["source"] = config["deap"]["source"] = "synthetic"
    write_config(tmp_path, config)
    out = run_snakemake(tmp_path, "--profile", str(REPO / "profiles" / "slurm"), "--dry-run").stdout
    jobs = out.count("\nrule ") + out.count("\nlocalrule ")
    resources = [line for line in out.splitlines() if line.strip().startswith("resources:")]
    assert "rule train_shard:" in out
    assert jobs > 4000 and len(resources) >= jobs - 1  # `all` is local
    assert any("mem_mb=3000" in r and "runtime=120" in r for r in resources)  # train_shard
