"""SEED as the download unpacks (issue 26): point ``seed.source`` at it, nothing else.

The tree is written here by a minimal writer of the release's layout (not the synthetic
generator): ``SEED/SEED_EEG/{Preprocessed_EEG, ExtractedFeatures_1s, ExtractedFeatures_4s,
SEED_RAW_EEG}`` and ``SEED/SEED_Multimodal/Chinese/{01-EEG-raw, 02-EEG-DE-feature,
03-Eye-tracking-excel, 04-Eye-tracking-feature}``, with the real session names,
``label.mat`` and ``time.txt``. Subjects 1 (two sessions) and 2 have eye data; 6 has none,
as in the release.
"""

from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
import scipy.io

from multimodal_emotion import features, workflow_config as wc
from multimodal_emotion.datasets import seed as seed_ds
from multimodal_emotion.recording import DataFormatError

from support.workflow import packed, run_snakemake, tiny_config, write_config

# --- a minimal writer of the release's layout ----------------------------------------------

LABELS = [1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1]
# (subject, k-th date) -> date, initials: the release's names
DATES = {(1, 1): ("20131027", "djc"), (1, 2): ("20131030", "djc"), (2, 1): ("20140404", "jl"),
         (6, 1): ("20130712", "mhw")}
WITH_EYE = (1, 2)
FS = 200


def clip_seconds(subject: int, session: int) -> list[int]:
    """12-16 s clips (3-4 windows of 4 s), differing per session so a wrong pairing shows."""
    rng = np.random.default_rng(100 * subject + session)
    return [int(s) for s in rng.integers(12, 17, size=15)]


def eeg_clip(rng, seconds: int, label: int) -> np.ndarray:
    """1/f-ish noise (µV) whose beta/gamma power follows the clip's label."""
    n = seconds * FS + 1  # both ends included, as the release's clips
    white = rng.standard_normal((62, n))
    spectrum = np.fft.rfft(white, axis=1)
    freqs = np.fft.rfftfreq(n, 1 / FS)
    spectrum /= np.maximum(freqs, 1.0) ** 0.5
    spectrum[:, (freqs >= 14) & (freqs < 50)] *= 1.6 ** label
    return 20 * np.fft.irfft(spectrum, n=n, axis=1)


def write_release(top: Path, *, subjects=((1, 1), (1, 2), (2, 1), (6, 1))) -> Path:
    """Write the download's tree under ``top/SEED``; returns ``top/SEED``."""
    seed = top / "SEED"
    eeg_dir, chinese = seed / "SEED_EEG", seed / "SEED_Multimodal" / "Chinese"
    for folder in ("Preprocessed_EEG", "ExtractedFeatures_1s", "ExtractedFeatures_4s", "SEED_RAW_EEG"):
        (eeg_dir / folder).mkdir(parents=True, exist_ok=True)
    for folder in ("01-EEG-raw", "02-EEG-DE-feature/eeg_used_4s", "02-EEG-DE-feature/eeg_used_1s",
                   "03-Eye-tracking-excel", "04-Eye-tracking-feature/eye_tracking_feature"):
        (chinese / folder).mkdir(parents=True, exist_ok=True)
    label = {"label": np.array([LABELS], dtype=np.int16)}
    for folder in ("Preprocessed_EEG", "ExtractedFeatures_1s", "ExtractedFeatures_4s"):
        scipy.io.savemat(eeg_dir / folder / "label.mat", label)
    starts = np.cumsum([30_000] * 15)  # time.txt: clip bounds at 1000 Hz as the release writes them
    (eeg_dir / "SEED_RAW_EEG" / "time.txt").write_text(
        f"start_point_list = [{','.join(map(str, starts))}]\nend_point_list = [{','.join(map(str, starts + 12_000))}]\n")
    for subject, session in subjects:
        date, initials = DATES[(subject, session)]
        rng = np.random.default_rng(1000 * subject + session)
        seconds = clip_seconds(subject, session)
        clips = {f"{initials}_eeg{k}": eeg_clip(rng, seconds[k - 1], LABELS[k - 1]) for k in range(1, 16)}
        scipy.io.savemat(eeg_dir / "Preprocessed_EEG" / f"{subject}_{date}.mat", clips)
        for window, folder in ((1, "ExtractedFeatures_1s"), (4, "ExtractedFeatures_4s")):
            lab = {}
            for k in range(1, 16):
                shape = (62, seconds[k - 1] // window, 5)
                for name in ("de_LDS", "de_movingAve", "psd_LDS", "psd_movingAve"):
                    lab[f"{name}{k}"] = rng.normal(10, 1, shape)
            scipy.io.savemat(eeg_dir / folder / f"{subject}_{date}.mat", lab)
        if subject not in WITH_EYE:
            continue
        parts = {"train": range(1, 10), "test": range(10, 16)}
        eye = {}
        for part, numbers in parts.items():  # 33 features per 4 s window, label-dependent
            rows = [rng.normal(LABELS[k - 1], 1.0, (seconds[k - 1] // 4, 33)) for k in numbers]
            eye[f"{part}_data_eye"] = np.concatenate(rows)
        with open(chinese / "04-Eye-tracking-feature/eye_tracking_feature" / f"{subject}_{session}", "wb") as f:
            pickle.dump(eye, f, protocol=4)
        npz = {}
        for part, numbers in parts.items():
            n = sum(seconds[k - 1] // 4 for k in numbers)
            bands = {b: rng.normal(10, 1, (n, 62)) for b in ("delta", "theta", "alpha", "beta", "gamma")}
            npz[f"{part}_data"] = np.array(pickle.dumps(bands, protocol=4))
            npz[f"{part}_label"] = np.concatenate([np.full(seconds[k - 1] // 4, LABELS[k - 1] + 1.0) for k in numbers])
        np.savez(chinese / "02-EEG-DE-feature/eeg_used_4s" / f"{subject}_{session}.npz", **npz)
    return seed


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return write_release(tmp_path_factory.mktemp("download"))


def release_config(source: Path, *, subjects=(1, 2, 6), sessions=(1,)) -> dict:
    """tiny_config() with only seed.source (and which subjects) set; DEAP off, small models."""
    config = tiny_config()
    config["seed"].update(source=str(source), subjects=list(subjects), sessions=list(sessions))
    config["deap"]["enabled"] = False
    for name, spec in config["models"].items():
        spec["enabled"] = name in ("linear_svm", "linear_svm_eeg", "feature_fusion")
    return config


# --- discovery ---------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["SEED", "SEED/SEED_EEG", "SEED/SEED_Multimodal", "SEED/SEED_Multimodal/Chinese", "."])
def test_any_folder_of_the_download_finds_both_parts(release, where):
    tree = seed_ds.discover_seed_source(release.parent / where)
    assert tree.eeg_base == release / "SEED_EEG"
    assert tree.chinese == release / "SEED_Multimodal" / "Chinese"
    assert "SEED_EEG/Preprocessed_EEG" in tree.found() and "Chinese/04-Eye-tracking-feature" in tree.found()


def test_an_old_copy_with_preprocessed_eeg_at_the_top(tmp_path):
    (tmp_path / "Preprocessed_EEG").mkdir()
    tree = seed_ds.discover_seed_source(tmp_path)
    assert tree.eeg_base == tmp_path and tree.chinese is None


def test_start_up_line_names_folders_entry_sessions_and_eye_subjects(release):
    config = release_config(release / "SEED_Multimodal", sessions=[1])  # any folder will do
    line = seed_ds.describe(config, wc.dataset_root(config, "seed"))
    assert line.startswith(f"SEED: {release / 'SEED_Multimodal'}: found ")
    assert "entry recordings" in line and "subjects [1, 2, 6], 3 sessions" in line
    assert "eye data (the lab's 33 eye features) for subjects [1, 2]" in line
    assert "subjects [6] have no eye data: EEG-only models for them" in line


def test_sessions_pair_by_date_order(release):
    config = release_config(release, subjects=[1], sessions=[1, 2])
    root = wc.dataset_root(config, "seed")
    assert wc.recordings(config, "seed") == ["1_20131027", "1_20131030"]
    files = wc.recording_inputs(config, "seed", "1_20131030")
    assert files["lab_eye"].endswith("eye_tracking_feature/1_2")
    assert files["eeg"] == str(release / "SEED_EEG/Preprocessed_EEG/1_20131030.mat")
    assert files["lab_de"] == str(release / "SEED_EEG/ExtractedFeatures_4s/1_20131030.mat")
    assert seed_ds.feature_windows(config, root) == (4.0, 4.0)
    assert "lab_eye" not in wc.recording_inputs(release_config(release, subjects=[6]), "seed", "6_20130712")


def test_recordings_entry_reads_eeg_and_eye_window_by_window(release):
    config = release_config(release, subjects=[1], sessions=[2])
    files = wc.recording_inputs(config, "seed", "1_20131030")
    rec = seed_ds.read(files, entry="auto")
    out = features.extract_features(rec, bands=config["seed"]["bands"], window_s=4.0, step_s=4.0)
    seconds = clip_seconds(1, 2)
    assert [int((out.segment == k).sum()) for k in range(1, 16)] == [s // 4 for s in seconds]
    assert out.other.shape == (out.de.shape[0], 33) and out.attrs["other_kind"] == seed_ds.LAB_EYE_KIND
    with open(files["lab_eye"], "rb") as f:
        eye = pickle.load(f)
    np.testing.assert_array_equal(out.other[out.segment <= 9], eye["train_data_eye"])  # clip order, row order kept
    np.testing.assert_array_equal(out.other[out.segment >= 10], eye["test_data_eye"])
    assert out.attrs["feature_recipe"]["smoothing"] == "none"


def test_eye_rows_on_1s_windows_repeat_their_4s_row(release):
    config = release_config(release, subjects=[2])
    files = wc.recording_inputs(config, "seed", "2_20140404")
    rec = seed_ds.read(files, entry="recordings", lab_window_s=1.0)
    out = features.extract_features(rec, bands=config["seed"]["bands"], window_s=1.0, step_s=1.0)
    seconds = clip_seconds(2, 1)
    assert [int((out.segment == k).sum()) for k in range(1, 16)] == [4 * (s // 4) for s in seconds]
    np.testing.assert_array_equal(out.other[0], out.other[3])


# --- bad inputs: one line, no output -------------------------------------------------------


def test_eye_rows_not_aligned_name_the_file_clip_and_both_counts(release, tmp_path):
    top = tmp_path / "copy"
    shutil.copytree(release, top / "SEED")
    eye_path = top / "SEED/SEED_Multimodal/Chinese/04-Eye-tracking-feature/eye_tracking_feature/2_1"
    with open(eye_path, "rb") as f:
        eye = pickle.load(f)
    eye["test_data_eye"] = eye["test_data_eye"][:-1]
    with open(eye_path, "wb") as f:
        pickle.dump(eye, f)
    config = release_config(top / "SEED", subjects=[2])
    with pytest.raises(DataFormatError, match=r"2_1: test_data_eye has \d+ rows but clips 10-15 of 2_20140404.mat "
                                              r"give \d+ windows of 4 s \(clip 15: \d windows"):
        seed_ds.read(wc.recording_inputs(config, "seed", "2_20140404"), entry="auto")
    # in the workflow: the features job stops with that one line and leaves no feature file
    workdir = tmp_path / "run"
    write_config(workdir, config)
    run = run_snakemake(workdir, "results/features/seed/2_20140404.h5", check=False)
    assert run.returncode != 0
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith(f"ERROR: {eye_path}: ")]
    assert len(lines) == 1, run.stderr[-3000:]
    assert not list(workdir.glob("results/features/**/*.h5"))


test_eye_rows_not_aligned_name_the_file_clip_and_both_counts = pytest.mark.workflow(
    test_eye_rows_not_aligned_name_the_file_clip_and_both_counts)


def _start_error(tmp_path, source: Path, **config_kw) -> str:
    workdir = tmp_path / "run"
    write_config(workdir, release_config(source, **config_kw))
    run = run_snakemake(workdir, "--dry-run", check=False)
    assert run.returncode != 0
    assert "MissingInputException" not in run.stderr and "Traceback" not in run.stderr, run.stderr[-3000:]
    assert not (workdir / "results").exists() or not list((workdir / "results").rglob("*.h5"))
    return run.stderr


@pytest.mark.workflow
def test_a_session_without_its_eye_file_is_one_line_at_start(release, tmp_path):
    top = tmp_path / "copy"
    shutil.copytree(release, top / "SEED")
    (top / "SEED/SEED_Multimodal/Chinese/04-Eye-tracking-feature/eye_tracking_feature/1_2").unlink()
    stderr = _start_error(tmp_path, top / "SEED", subjects=[1], sessions=[1, 2])
    assert re.search(r"eye_tracking_feature/1_2: not found: session 2 of subject 1 \(1_20131030\) has no "
                     r"eye-feature file", stderr), stderr[-3000:]


@pytest.mark.workflow
def test_a_date_order_that_does_not_pair_is_one_line_at_start(release, tmp_path):
    top = tmp_path / "copy"
    shutil.copytree(release, top / "SEED")
    eye_dir = top / "SEED/SEED_Multimodal/Chinese/04-Eye-tracking-feature/eye_tracking_feature"
    (eye_dir / "1_2").rename(eye_dir / "1_3")  # sessions 1 and 3 against two dated EEG files
    stderr = _start_error(tmp_path, top / "SEED", subjects=[1], sessions=[1, 2])
    assert re.search(r"subject 1: eye files for sessions \[1, 3\] do not pair with the 2 dated EEG sessions",
                     stderr), stderr[-3000:]


@pytest.mark.workflow
def test_a_folder_without_seed_data_names_the_key(tmp_path):
    (tmp_path / "empty" / "something").mkdir(parents=True)
    stderr = _start_error(tmp_path, tmp_path / "empty")
    assert "seed.source" in stderr and "no SEED data found" in stderr


# --- the workflow on the download ----------------------------------------------------------


@pytest.mark.workflow
def test_dry_run_names_the_entry_and_subjects(release, tmp_path):
    write_config(tmp_path, release_config(release))
    run = run_snakemake(tmp_path, "--dry-run")
    assert "SEED: " in run.stderr and "entry recordings" in run.stderr and "subjects [1, 2, 6]" in run.stderr
    assert "Eye_movements" not in run.stdout + run.stderr


@pytest.mark.workflow
def test_tiny_run_reaches_the_tables_with_the_bimodal_models(release, tmp_path):
    config = packed(release_config(release, subjects=[1, 6]))  # one training job per experiment
    write_config(tmp_path, config)
    run_snakemake(tmp_path)
    table = (tmp_path / "results/tables/seed_accuracy.csv").read_text()
    assert re.search(r"^emotion,test,feature_fusion,.*,2,", table, re.M), table  # EEG + eye, both sessions
    fusion = json.loads((tmp_path / "results/experiments/seed/1_20131027/emotion/feature_fusion.json").read_text())
    assert not fusion["not_evaluable"]
    with h5py.File(tmp_path / "results/features/seed/1_20131027.h5") as f:
        assert f["other/features"].shape[1] == 33  # the lab's eye features, window by window
        assert json.loads(f.attrs["feature_recipe"])["window_s"] == 4.0
        agreement = json.loads(f.attrs["lab_agreement"])  # the release's ExtractedFeatures_4s of the session
        assert len(agreement["correlation"]) == 5 and agreement["origin"].startswith("ExtractedFeatures_4s/")
    with h5py.File(tmp_path / "results/features/seed/6_20130712.h5") as f:
        assert f["other/features"].shape[1] == 0  # subject 6: EEG only
    assert not list((tmp_path / "results").rglob("Eye_movements"))


@pytest.mark.workflow
def test_without_seed_multimodal_it_runs_eeg_only_and_says_so(release, tmp_path):
    top = tmp_path / "copy"
    shutil.copytree(release / "SEED_EEG", top / "SEED" / "SEED_EEG")
    write_config(tmp_path / "run", release_config(top / "SEED", subjects=[1]))
    run = run_snakemake(tmp_path / "run", "--dry-run")
    (line,) = [ln for ln in run.stderr.splitlines() if ln.startswith("SEED: ")]
    assert "entry recordings" in line and "eye data (the lab's 33 eye features) for subjects none" in line
    assert "subjects [1] have no eye data: EEG-only models for them" in line
    assert "MissingInputException" not in run.stderr


# --- the lab's recipe ------------------------------------------------------------------------


def direct_kalman_rts(y: np.ndarray, *, q: float, r: float, p0: float) -> np.ndarray:
    """Textbook Kalman filter + Rauch-Tung-Striebel smoother of x_t = x_{t-1} + w (var q),
    y_t = x_t + v (var r), x_0 ~ N(mean(y), p0): one series, plain loops, written from the
    equations (independent of features.lds_smooth)."""
    n = len(y)
    x_pred, p_pred, x_filt, p_filt = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    for t in range(n):
        if t == 0:
            x_pred[t], p_pred[t] = np.mean(y), p0
        else:
            x_pred[t], p_pred[t] = x_filt[t - 1], p_filt[t - 1] + q
        innovation_var = p_pred[t] + r
        k = p_pred[t] / innovation_var
        x_filt[t] = x_pred[t] + k * (y[t] - x_pred[t])
        p_filt[t] = p_pred[t] - k * p_pred[t]
    x_smooth = x_filt.copy()
    for t in range(n - 2, -1, -1):
        j = p_filt[t] / p_pred[t + 1]
        x_smooth[t] = x_filt[t] + j * (x_smooth[t + 1] - x_pred[t + 1])
    return x_smooth


def test_lds_smoother_is_the_kalman_rts_smoother_with_the_labs_parameters():
    rng = np.random.default_rng(3)
    y = np.cumsum(rng.normal(0, 0.05, 80)) + rng.normal(5, 1.0, 80)
    expected = direct_kalman_rts(y, q=0.001, r=1.0, p0=0.1)
    np.testing.assert_allclose(features.lds_smooth(y), expected, rtol=1e-12, atol=1e-12)
    # every column of a (windows, channels, bands) array is its own series
    block = rng.normal(8, 1, (30, 4, 5))
    out = features.lds_smooth(block)
    np.testing.assert_allclose(out[:, 2, 3], direct_kalman_rts(block[:, 2, 3], q=0.001, r=1.0, p0=0.1), rtol=1e-12)
    assert np.abs(np.diff(out, axis=0)).mean() < 0.2 * np.abs(np.diff(block, axis=0)).mean()


def test_recipe_options_are_checked_and_recorded(release):
    config = release_config(release, subjects=[6])
    rec = seed_ds.read(wc.recording_inputs(config, "seed", "6_20130712"), entry="auto")
    out = features.extract_features(rec, bands=config["seed"]["bands"], window_s=4.0, step_s=4.0, de_scale="lab",
                                    smoothing="lds")
    assert out.attrs["feature_recipe"]["smoothing"] == "lds" and out.attrs["feature_recipe"]["lds"]["observation_cov"] == 1.0
    assert out.attrs["feature_recipe"]["de_formula"] == "log2(100 * band-mean PSD)"
    with pytest.raises(ValueError, match="'smoothing'.*'kalman'"):
        features.extract_features(rec, bands=config["seed"]["bands"], window_s=4.0, step_s=4.0, smoothing="kalman")


def test_labs_recipe_on_the_synthetic_recordings_matches_the_synthetic_lab_features(tmp_path):
    """The synthetic ExtractedFeatures_4s are the lab's recipe (log2(100 PSD), LDS, 4 s) on the
    unfiltered recording; our pipeline (1-50 Hz bandpass, then the same recipe) must agree
    per band (docs/datasets/seed.md states the numbers), and without the smoothing it must not."""
    from multimodal_emotion import synthetic
    from multimodal_emotion.synthetic import seed_lab

    cfg = synthetic.SyntheticConfig(seed=2017, clip_seconds=(20.0, 26.0))
    eeg = tmp_path / "SEED_EEG/Preprocessed_EEG/1_20131027.mat"
    lab = tmp_path / "SEED_EEG/ExtractedFeatures_4s/1_20131027.mat"
    eeg.parent.mkdir(parents=True)
    lab.parent.mkdir(parents=True)
    synthetic.seed.write_labels(eeg.parent / "label.mat")
    synthetic.seed.write_session(eeg, None, subject=1, session=1, cfg=cfg)
    seed_lab.write_extracted(lab, mat_path=eeg)
    files = {"eeg": str(eeg), "labels": str(eeg.parent / "label.mat"), "lab_de": str(lab)}
    filtered = features.bandpass_recording(seed_ds.read(files, entry="recordings"), l_freq=1.0, h_freq=50.0)
    bands = {"delta": (1, 4), "theta": (4, 8), "alpha": (8, 14), "beta": (14, 31), "gamma": (31, 50)}
    reference = seed_ds.lab_reference(files, window_s=4.0)

    def agreement(**recipe):
        out = features.extract_features(filtered, bands=bands, window_s=4.0, step_s=4.0, **recipe)
        return features.lab_agreement(out, reference)

    labs = agreement(de_scale="lab", smoothing="lds")
    assert min(labs["correlation"]) > 0.99 and max(abs(o) for o in labs["offset"]) < 0.05, labs
    plain = agreement(de_scale="natural", smoothing="none")
    assert min(plain["correlation"]) < 0.95 and min(abs(o) for o in plain["offset"]) > 1.0, plain
    assert labs["window_counts_differ"] == []


# --- the other datasets: the root or any of its folders ----------------------------------------


@pytest.mark.parametrize(("dataset", "folders", "pointed"), [
    ("deap", ["data_preprocessed_python", "metadata_csv"], "data_preprocessed_python"),
    ("seed_iv", ["eeg_feature_smooth/1", "eye_feature_smooth/1"], "eeg_feature_smooth/1"),
    ("seed_v", ["EEG_DE_features", "Eye_movement_features"], "Eye_movement_features"),
    ("deap", ["data_preprocessed_python"], ".."),  # a folder holding the download
])
def test_other_datasets_find_their_root_from_any_folder(tmp_path, dataset, folders, pointed):
    root = tmp_path / "download" / dataset.upper()
    for folder in folders:
        (root / folder).mkdir(parents=True)
    source = root / pointed if pointed != ".." else root.parent
    config = {dataset: {"source": str(source)}}
    assert wc.dataset_root(config, dataset) == root
    wc.check_source(config, dataset)


def test_a_folder_without_the_datasets_folders_names_them_and_the_key(tmp_path):
    (tmp_path / "misc").mkdir()
    with pytest.raises(wc.ConfigError, match=r"config key 'deap\.source': .*none of DEAP's folders "
                                             r"\(data_preprocessed_python, data_preprocessed_matlab, data_original"):
        wc.check_source({"deap": {"source": str(tmp_path)}}, "deap")


def test_raw_eeg_from_01_eeg_raw_when_seed_raw_eeg_lacks_the_subject(release, tmp_path):
    top = tmp_path / "copy"
    shutil.copytree(release, top / "SEED")
    (top / "SEED/SEED_Multimodal/Chinese/01-EEG-raw/2_1.cnt").write_bytes(b"")
    config = release_config(top / "SEED", subjects=[2])
    config["seed"]["recordings_eeg"] = "raw"
    assert wc.recordings(config, "seed") == ["2_1"]
    files = wc.recording_inputs(config, "seed", "2_1")
    assert files["cnt"] == str(top / "SEED/SEED_Multimodal/Chinese/01-EEG-raw/2_1.cnt")
    assert files["time"] == str(top / "SEED/SEED_EEG/SEED_RAW_EEG/time.txt")
    assert files["lab_eye"].endswith("eye_tracking_feature/2_1")


@pytest.mark.workflow
def test_default_run_reads_the_downloads_layout_and_no_eye_movements(tmp_path):
    """The default config's SEED is the synthetic copy in the download's layout, read by entry
    recordings: no job writes or reads Eye_movements/."""
    import yaml

    from support.workflow import REPO

    write_config(tmp_path, yaml.safe_load((REPO / "config.yaml").read_text()))
    run = run_snakemake(tmp_path, "--dry-run")
    assert re.search(r"^SEED: synthetic .*; entry recordings; subjects \[1, 2, 3\], 6 sessions; eye data \(the lab's "
                     r"33 eye features\) for subjects \[1, 2, 3\]$", run.stderr, re.M), run.stderr[-2000:]
    assert "Eye_movements" not in run.stdout + run.stderr
    assert "synthetic/SEED/SEED_EEG/Preprocessed_EEG/1_20131027.mat" in run.stdout
    assert "synthetic/SEED/SEED_Multimodal/Chinese/04-Eye-tracking-feature/eye_tracking_feature/1_1" in run.stdout
