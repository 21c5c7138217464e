"""The workflow end to end on a tiny synthetic dataset: outputs, layout, rerun scope."""

from __future__ import annotations

import os
import re
import shutil

import h5py
import numpy as np
import pytest

from multimodal_emotion import features, synthetic
from multimodal_emotion import datasets, recording, synthetic  # noqa: F401
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds  # noqa: F401
from multimodal_emotion.workflow_config import synthetic_root

from support.shared_runs import tiny_run_config
from support.workflow import raw_file, run_snakemake, scheduled_jobs, touched, write_config

pytestmark = pytest.mark.workflow


# This module checks the data and feature stages only (the experiment stages have their
# own tests), on the session's shared tiny run: every dry run targets the feature files.
FEATURES = ["results/features/seed/1_20131027.h5", "results/features/seed/1_20131030.h5", "results/features/deap/s01.h5"]


@pytest.fixture
def tiny_features(tiny_run):
    """The shared tiny run (support/shared_runs.py) and its config."""
    return tiny_run, tiny_run_config()


def test_feature_files_have_the_documented_layout(tiny_features):
    workdir, config = tiny_features
    seed_files = sorted((workdir / "results/features/seed").glob("*.h5"))
    deap_files = sorted((workdir / "results/features/deap").glob("*.h5"))
    assert [p.name for p in seed_files] == ["1_20131027.h5", "1_20131030.h5"]
    assert [p.name for p in deap_files] == ["s01.h5"]
    with h5py.File(seed_files[0]) as f:
        n = f["eeg/de"].shape[0]
        assert f["eeg/de"].shape == (n, 62, 5) and f["eeg/psd"].shape == (n, 62, 5)
        assert f["other/features"].shape == (n, 33)  # the lab's eye features (entry recordings)
        assert f["windows/segment"].shape == (n,) and f["windows/start_s"].shape == (n,)
        assert f["labels"].shape == (n, 1)
        assert set(np.unique(f["windows/segment"][()])) == set(range(1, 16))
        assert f.attrs["sfreq"] == "200.0" and '"window_s"' not in f.attrs
        for key in ("bands", "window_s", "step_s", "ch_names", "source_files", "package_version", "bandpass", "provenance"):
            assert key in f.attrs, key
    with h5py.File(deap_files[0]) as f:
        assert f["eeg/de"].shape == (40 * 30, 32, 4)  # 60 s / 2 s windows
        assert f["other/features"].shape == (1200, 48)
        assert f["labels"].shape == (1200, 4)
    # One job per recording: no intermediate files anywhere.
    assert not (workdir / "results/filtered").exists() and not (workdir / "results/segmented").exists()
    for rule in ("features",):
        assert list((workdir / f"results/benchmarks/{rule}").rglob("*.tsv"))
        assert list((workdir / f"results/logs/{rule}").rglob("*.log"))


def test_synthetic_raw_recordings_give_the_preprocessed_entrys_features(tiny_features, tmp_path):
    """`entry: raw` on the embedded synthetic copy: the workflow writes the raw recordings
    (SEED's .cnt and time file, DEAP's .bdf and ratings, through `synthetic_file`) and the
    feature jobs read them; each clip's mean DE follows the shared tiny run's (the same
    signals through the default entry) in every band. The raw entry's tables are compared with the
    preprocessed entry's on user copies in test_raw_path.py."""
    workdir, config = tiny_features
    config["seed"]["sessions"] = [1]
    config["seed"]["entry"] = config["deap"]["entry"] = "raw"
    write_config(tmp_path, config)
    targets = ("results/features/seed/1_20131027.h5", "results/features/deap/s01.h5")
    run = run_snakemake(tmp_path, *targets)
    written = {path.suffix for path in (tmp_path / "results/synthetic").rglob("*") if path.is_file()}
    assert {".cnt", ".txt", ".bdf", ".csv"} <= written, written  # the raw files the entry reads
    assert "rule synthetic_file:" in run.stdout + run.stderr
    for target in targets:  # SEED's windows differ (the tiny run's entry is the lab's 4 s windows): per-clip means
        means = []
        for folder in (tmp_path, workdir):
            with h5py.File(folder / target) as f:
                de, segment = f["eeg/de"][()], f["windows/segment"][()]
            means.append(np.stack([de[segment == s].mean(axis=0) for s in np.unique(segment)]))
        assert means[0].shape == means[1].shape, target
        for band in range(means[0].shape[-1]):
            r = np.corrcoef(means[0][..., band].ravel(), means[1][..., band].ravel())[0, 1]
            # measured 0.987-1.0 (other windows, filter edges); a wrong clip order or file gives about 0
            assert r > 0.98, (target, band, r)


def test_touching_one_raw_session_reruns_only_that_session(tiny_features):
    workdir, config = tiny_features
    assert scheduled_jobs(workdir, *FEATURES) == []  # up to date
    raw = raw_file(workdir, config, "seed", "1_20131030", "eeg")
    with touched(raw):
        jobs = scheduled_jobs(workdir, *FEATURES)
    assert jobs == sorted(  # the synthetic lab files made from that recording, and its features
        [
            ("features", "dataset=seed, recording=1_20131030"),
            ("synthetic_file", "folder=SEED, path=SEED_EEG/ExtractedFeatures_4s/1_20131030.mat"),
            ("synthetic_file", "folder=SEED, path=SEED_Multimodal/Chinese/04-Eye-tracking-feature/eye_tracking_feature/1_2"),
        ]
    )


def test_changing_feature_settings_reruns_features_not_data(tiny_features):
    workdir, config = tiny_features
    changed = tiny_run_config()
    changed["deap"]["step_s"] = 1.0
    jobs = {rule for rule, _ in scheduled_jobs(workdir, *FEATURES, config=changed)}
    assert "features" in jobs and "synthetic_file" not in jobs


def test_adding_a_subject_adds_only_its_jobs(tiny_features):
    workdir, config = tiny_features
    changed = tiny_run_config()
    changed["deap"]["subjects"] = [1, 2]
    jobs = scheduled_jobs(workdir, *FEATURES, "results/features/deap/s02.h5", config=changed)
    assert jobs == sorted(
        [
            ("features", "dataset=deap, recording=s02"),
            ("synthetic_file", "folder=DEAP, path=data_preprocessed_python/s02.dat"),
        ]
    )


def test_deleting_one_feature_file_regenerates_only_it(tiny_features):
    workdir, config = tiny_features
    target = workdir / "results/features/seed/1_20131027.h5"
    backup, before = target.read_bytes(), target.stat()
    target.unlink()
    try:
        jobs = scheduled_jobs(workdir, *FEATURES)
    finally:  # as it was, mtime included: the shared run stays up to date for the other tests
        target.write_bytes(backup)
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert jobs == [("features", "dataset=seed, recording=1_20131027")]


def test_conda_envs_pin_the_same_versions_as_requirements():
    import yaml

    from support.workflow import REPO

    pinned = dict(
        line.split("==") for line in (REPO / "requirements.txt").read_text().splitlines() if "==" in line and not line.startswith("#")
    )
    envs = sorted((REPO / "envs").glob("*.yaml"))
    assert envs
    for env in envs:
        spec = yaml.safe_load(env.read_text())
        pips = [d for d in spec["dependencies"] if isinstance(d, dict)][0]["pip"]
        for entry in pips:
            name, version = entry.split("==")
            assert pinned.get(name) == version, (env.name, name, version, pinned.get(name))
    rules_text = "".join(p.read_text() for p in (REPO / "rules").glob("*.smk"))
    n_rules = len(re.findall(r"^\s*rule \w+:", rules_text, flags=re.MULTILINE))  # train_models sits in an if
    assert rules_text.count("conda:") == n_rules  # every rule names its environment
    for keyword in ("log:", "benchmark:", "threads:", "mem_mb=", "runtime="):
        assert rules_text.count(keyword) == n_rules, keyword
