"""The whole workflow on tiny synthetic data (the shared tiny run): tables, figures, report,
and which jobs a change reschedules."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from support.shared_runs import tiny_run_config
from support.workflow import raw_file, run_snakemake, scheduled_jobs, touched

pytestmark = pytest.mark.workflow

MODELS = ["bdae", "bdae_lab_code", "bddae", "bimodal_lstm", "bimodal_lstm_no_context", "dcca", "feature_fusion", "linear_svm", "mesae",
          "subnetwork_nodes"]


@pytest.fixture
def full_run(tiny_run):
    """The session's shared tiny run (support/shared_runs.py): every model, end to end."""
    return tiny_run


def experiments_table(workdir) -> pd.DataFrame:
    return pd.read_csv(workdir / "results/tables/experiments.csv")


def test_tables_figures_and_report(full_run):
    for name in ("seed_accuracy", "deap_accuracy", "experiments"):
        for ext in ("csv", "md", "tex"):
            assert (full_run / f"results/tables/{name}.{ext}").stat().st_size > 0
    for dataset in ("seed", "deap"):
        for kind in ("accuracy", "per_subject", "confusion", "learning_curves"):
            assert (full_run / f"results/figures/{dataset}_{kind}.png").read_bytes()[:4] == b"\x89PNG"
    seed = pd.read_csv(full_run / "results/tables/seed_accuracy.csv")
    ours = seed[seed["source"] == "this run"]
    assert set(ours["model"]) == set(MODELS) | {"training_majority"} and set(ours["selection"]) == {"validation", "test"}
    for column in ("n_experiments", "ci95_low", "ci95_high", "balanced_accuracy", "holm_p_vs_bimodal_lstm"):
        assert column in seed.columns
    assert (ours["ci95_low"] <= ours["mean_accuracy"]).all() and (ours["mean_accuracy"] <= ours["ci95_high"]).all()
    with_svm = ours[ours["model"].isin(["linear_svm", "dcca", "bdae", "bdae_lab_code", "bimodal_lstm", "bddae"])]
    assert (with_svm["svm_certificate"] <= 1e-8).all(), with_svm[["model", "svm_certificate"]]
    assert (seed["source"] != "this run").any()  # the paper's reference rows
    deap = pd.read_csv(full_run / "results/tables/deap_accuracy.csv")
    assert {"arousal", "valence"} <= set(deap["task"])
    report = full_run / "results/report.html"
    run_snakemake(full_run, "--report", str(report))
    html = report.read_text(errors="ignore")
    assert "seed_accuracy" in html and "Accuracy table" in html
    assert "Quality control" in html  # the per-recording QC pages are in the report
    for dataset in ("seed", "deap"):
        pages = sorted((full_run / "results" / "qc" / dataset).glob("*.html"))
        features = sorted((full_run / "results" / "features" / dataset).glob("*.h5"))
        assert [p.stem for p in pages] == [f.stem for f in features]
    experiments = experiments_table(full_run)
    networks = experiments[experiments["model"].isin(["bimodal_lstm", "bimodal_lstm_no_context", "bddae"])]
    assert networks[["network_test_accuracy", "network_val_accuracy"]].notna().all().all()  # before the refit
    assert experiments.loc[experiments["model"] == "linear_svm", "network_test_accuracy"].isna().all()
    assert "| model " in (full_run / "results/tables/experiments.md").read_text()
    search = pd.read_csv(next((full_run / "results/search/seed").rglob("bimodal_lstm.csv")))
    for column in ("network_test_accuracy", "network_objective", "refit_objective", "refit_converged",
                   "refit_objective_liblinear", "best_epoch", "optimizer_steps", "refit_newton_steps"):
        assert column in search.columns, column
    for path in (full_run / "results/search").rglob("*.csv"):  # every refit row is certified optimal
        frame = pd.read_csv(path)
        if "refit_objective" in frame.columns:
            assert frame["refit_converged"].astype(bool).all(), path
            assert (frame[["refit_relative_gradient", "refit_kkt_violation", "refit_duality_gap"]] < 1e-8).all().all(), path


def test_dcca_rows_correlations_and_curves(full_run):
    """DCCA beside the lab's reported numbers, its correlation columns in the search CSV
    (no Sec. 3.2 refit figures), its correlation curves in the experiment result."""
    for dataset, tasks in (("seed", {"emotion"}), ("deap", {"arousal", "valence"})):
        table = pd.read_csv(full_run / f"results/tables/{dataset}_accuracy.csv")
        ours = table[(table["source"] == "this run") & (table["model"] == "dcca")]
        assert set(ours["task"]) == tasks and set(ours["selection"]) == {"validation", "test"}
        assert table["method"].str.startswith("DCCA (Liu et al. 2021").sum() == len(tasks)  # reference rows
    search = pd.read_csv(next((full_run / "results/search/seed").rglob("dcca.csv")))
    assert {"train_correlation", "val_correlation", "test_correlation"} <= set(search.columns)
    assert (search["train_correlation"] > search["test_correlation"]).all()
    assert "refit_objective" not in search.columns
    result = json.loads(next((full_run / "results/experiments/seed").rglob("dcca.json")).read_text())
    curves = result["selections"]["validation"]["learning_curves"]
    assert all(len(c["train_correlation"]) == len(c["monitored_correlation"]) > 0 for c in curves.values())


def test_comparison_systems_sit_beside_their_reported_numbers(full_run):
    """BDAE, MESAE and the subnetwork-node network: a measured row per task and selection
    mode, each model's reported row right after its measured rows; their own loss figures
    in the search CSVs and their curves in the experiment results."""
    reported = {"seed": ("bdae", "subnetwork_nodes"), "deap": ("bdae", "mesae")}
    for dataset, tasks in (("seed", {"emotion"}), ("deap", {"arousal", "valence"})):
        table = pd.read_csv(full_run / f"results/tables/{dataset}_accuracy.csv")
        for model in ("bdae", "mesae", "subnetwork_nodes"):
            ours = table[(table["source"] == "this run") & (table["model"] == model)]
            assert set(ours["task"]) == tasks
            assert all(set(group) == {"validation", "test"} for _, group in ours.groupby("task")["selection"])
        for model in reported[dataset]:
            for task in tasks:
                rows = table[(table["task"] == task) & (table["model"] == model)]
                assert rows["source"].iloc[-1] != "this run" and rows.index[-1] == rows.index[-2] + 1
    for model, figure in (("bdae", "reconstruction_mse"), ("mesae", "cross_entropy"), ("subnetwork_nodes", "squared_error")):
        search = pd.read_csv(next((full_run / "results/search/seed").rglob(f"{model}.csv")))
        assert {f"{s}_{figure}" for s in ("train", "val", "test")} <= set(search.columns)
        result = json.loads(next((full_run / "results/experiments/deap").rglob(f"{model}.json")).read_text())
        curves = result["selections"]["validation"]["learning_curves"]
        assert all(len(c["loss"]) == len(c["monitored_accuracy"]) > 0 for c in curves.values())


def test_every_model_beats_chance_with_the_default_effect(full_run):
    table = experiments_table(full_run)
    honest = table[table["selection"] == "validation"]
    for (dataset, model), group in honest.groupby(["dataset", "model"]):
        chance = 1 / 3 if dataset == "seed" else group["majority_rate"].mean()
        assert group["test_accuracy"].mean() > chance + 0.1, (dataset, model, group["test_accuracy"].tolist())


def test_changing_one_models_range_reruns_only_its_datasets_experiments(full_run):
    """Packed (the tiny run's layout), a model's changed range retrains the packed jobs of
    its dataset's experiments, nothing of the other dataset. The default layout retrains
    that model alone: test_rerun_scope.py, on the killed repeated run."""
    config = tiny_run_config()
    config["models"]["linear_svm"]["space"]["seed"]["C"] = {"log10": [-3, -1]}
    jobs = scheduled_jobs(full_run, config=config)
    rules = {rule for rule, _ in jobs}
    assert rules == {"train_models", "merge_models", "aggregate", "all"}
    assert all("dataset=seed" in w for r, w in jobs if r not in ("aggregate", "all"))
    assert sum(r == "train_models" for r, _ in jobs) == 2  # the two SEED sessions


def test_changing_refit_settings_does_not_retrain(full_run):
    config = tiny_run_config()
    config["refit"]["eps"] = 1e-3
    jobs = scheduled_jobs(full_run, config=config)
    rules = {rule for rule, _ in jobs}
    # the refit lives in the merge jobs (packed: merge_models): they rerun, training and features do not
    assert "merge_models" in rules and not rules & {"train_models", "train_shard", "features"}


def test_touching_one_raw_file_reruns_only_that_experiment(full_run):
    raw = raw_file(full_run, tiny_run_config(), "deap", "s01", "data")
    with touched(raw):
        jobs = scheduled_jobs(full_run)
    rules = {rule for rule, _ in jobs}
    assert {"features", "train_models", "aggregate"} <= rules and "train_shard" not in rules
    assert not any("dataset=seed" in w for _, w in jobs)
