"""The raw entry (SEED .cnt, DEAP .bdf) gives the same features as the preprocessed files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from multimodal_emotion import datasets, features, recording, synthetic  # noqa: F401
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds  # noqa: F401

from conftest import TINY

SEED_BANDS = synthetic.DEFAULT_SEED_BANDS
DEAP_BANDS = {"theta": (4, 8), "alpha": (8, 14), "beta": (14, 31), "gamma": (31, 45)}


def de_features(recording, *, bands, l_freq, h_freq, window_s):
    filtered = features.bandpass_recording(recording, l_freq=l_freq, h_freq=h_freq)
    return features.extract_features(filtered, bands=bands, window_s=window_s, step_s=window_s).de


def test_seed_raw_and_preprocessed_paths_agree(tmp_path, seed_files):
    cnt, time_txt = tmp_path / "1_20131027.cnt", tmp_path / "time.txt"
    synthetic.seed.write_time(time_txt, cfg=TINY)
    synthetic.seed.write_raw(cnt, mat_path=seed_files["eeg"], subject=1, cfg=TINY)
    raw = seed_ds.read({"cnt": cnt, "time": time_txt, "labels": seed_files["labels"], "eye": seed_files["eye"]},
                       entry="raw")
    pre = seed_ds.read_session(seed_files["eeg"], seed_files["labels"], seed_files["eye"])
    assert [s.eeg.shape for s in raw.segments] == [s.eeg.shape for s in pre.segments]
    a = de_features(raw, bands=SEED_BANDS, l_freq=1.0, h_freq=50.0, window_s=4.0)
    b = de_features(pre, bands=SEED_BANDS, l_freq=1.0, h_freq=50.0, window_s=4.0)
    for band in range(len(SEED_BANDS)):
        r = np.corrcoef(a[..., band].ravel(), b[..., band].ravel())[0, 1]
        assert r > 0.99, (list(SEED_BANDS)[band], r)


def test_sinusoid_in_cnt_gives_closed_form_de(tmp_path):
    amplitude, freq = 10.0, 10.0  # µV, alpha band
    sfreq = seed_ds.RAW_SFREQ
    n_clip = int(30 * sfreq)
    gap = int(5 * sfreq)
    n = gap + seed_ds.N_CLIPS * (n_clip + gap)
    t = np.arange(n) / sfreq
    data = np.tile(amplitude * np.sin(2 * np.pi * freq * t), (len(seed_ds.RAW_CHANNELS), 1))
    starts = [gap + k * (n_clip + gap) for k in range(seed_ds.N_CLIPS)]
    synthetic.seed.write_cnt(tmp_path / "1_1.cnt", data, ch_names=seed_ds.RAW_CHANNELS, sfreq=sfreq)
    synthetic.seed.write_time_txt(tmp_path / "time.txt", starts=starts, ends=[s + n_clip - 1 for s in starts])
    synthetic.seed.write_labels(tmp_path / "label.mat")
    rec = seed_ds.read({"cnt": tmp_path / "1_1.cnt", "time": tmp_path / "time.txt", "labels": tmp_path / "label.mat"},
                       entry="raw")
    de = de_features(rec, bands=SEED_BANDS, l_freq=1.0, h_freq=50.0, window_s=4.0)
    alpha = de[..., list(SEED_BANDS).index("alpha")]
    expected = 0.5 * math.log(2 * math.pi * math.e * amplitude**2 / 2)
    assert np.median(alpha) == pytest.approx(expected, rel=0.02)


def test_deap_raw_and_preprocessed_paths_agree(tmp_path, deap_file):
    bdf, ratings = tmp_path / "data_original" / "s01.bdf", tmp_path / "participant_ratings.csv"
    bdf.parent.mkdir()
    synthetic.deap.write_raw(bdf, dat_path=deap_file, subject=1, cfg=TINY)
    synthetic.deap.write_ratings(ratings, dat_paths={1: deap_file}, cfg=TINY)
    raw = deap_ds.read({"bdf": bdf, "ratings": ratings}, entry="raw")
    pre = deap_ds.read_subject(deap_file)
    for seg_raw, seg_pre in zip(raw.segments, pre.segments):
        np.testing.assert_array_equal(seg_raw.labels, seg_pre.labels)  # experiment_id order restored
    assert synthetic.deap.presentation_order(1, TINY) != list(range(1, 41))  # the reorder was exercised
    a = de_features(raw, bands=DEAP_BANDS, l_freq=4.0, h_freq=45.0, window_s=2.0)
    b = de_features(pre, bands=DEAP_BANDS, l_freq=4.0, h_freq=45.0, window_s=2.0)
    for band in range(len(DEAP_BANDS)):
        r = np.corrcoef(a[..., band].ravel(), b[..., band].ravel())[0, 1]
        assert r > 0.99, (list(DEAP_BANDS)[band], r)


@pytest.mark.workflow
def test_raw_entry_run_gives_the_same_tables_as_the_preprocessed_run(readonly_run):
    """`entry: raw` on the synthetic raw recordings (the read-only user copies' runs,
    support/runs.py: one SEED session, one DEAP subject, the linear SVM and feature fusion):
    the same tables and figures, the same rows as the preprocessed entry's run on the same
    signals gives, accuracies close to its."""
    import pandas as pd

    from support.runs import checked

    tables = {}
    for entry in ("preprocessed", "raw"):
        checked(readonly_run[entry]["run"])
        folder = readonly_run[entry]["workdir"]
        names = sorted(p.name for p in (folder / "results/tables").iterdir()) + sorted(
            p.name for p in (folder / "results/figures").iterdir())
        tables[entry] = (names, pd.read_csv(folder / "results/tables/experiments.csv"))
    assert readonly_run["raw"]["config"]["seed"]["entry"] == readonly_run["raw"]["config"]["deap"]["entry"] == "raw"
    assert tables["raw"][0] == tables["preprocessed"][0]
    keys = ["dataset", "experiment", "task", "model", "selection"]
    raw, pre = (tables[entry][1].sort_values(keys).reset_index(drop=True) for entry in ("raw", "preprocessed"))
    assert len(raw) and raw[keys].equals(pre[keys]) and set(raw["dataset"]) == {"seed", "deap"}
    assert {"linear_svm", "feature_fusion"} <= set(raw["model"])
    assert (raw["test_accuracy"] - pre["test_accuracy"]).abs().max() < 0.15
    workdir = readonly_run["raw"]["workdir"]
    assert (workdir / "results/benchmarks/features").is_dir() and not (workdir / "results/segmented").exists()
