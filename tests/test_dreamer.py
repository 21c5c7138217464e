"""DREAMER: the synthetic DREAMER.mat read as the public loaders read it, the reader on a
file of a minimal writer, one-line errors with no output, the ECG's heart rate and HRV,
the baseline option, the reference rows, and a tiny run of every model to the tables."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from multimodal_emotion import ecg, features
from multimodal_emotion.datasets import dreamer as ds
from multimodal_emotion.recording import DataFormatError
from multimodal_emotion.synthetic import dreamer as synth
from multimodal_emotion.synthetic.config import SyntheticConfig

CFG = SyntheticConfig(seed=7)
BANDS = {"theta": (4, 8), "alpha": (8, 14), "beta": (14, 31), "gamma": (31, 45)}


@pytest.fixture(scope="module")
def synthetic_mat(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dreamer") / ds.MAT_FILE
    synth.write(ds.MAT_FILE, path, cfg=CFG, dataset_config={"subjects": [1, 2], "synthetic_clip_seconds": [60, 62]})
    return path


# --- the synthetic file, read as the public loaders read DREAMER.mat ----------------------


def test_synthetic_file_reads_with_the_public_index_path(synthetic_mat):
    m = scipy.io.loadmat(synthetic_mat)  # scipy's defaults, as TorchEEG and LibEER load it
    top = m["DREAMER"][0, 0]
    assert top["EEG_SamplingRate"][0, 0] == 128 and top["ECG_SamplingRate"][0, 0] == 256
    assert [str(e[0]) for e in top["EEG_Electrodes"][0]] == list(ds.CHANNELS)
    assert top["Data"].shape == (1, 2)
    for s in range(2):
        subject = top["Data"][0, s]
        for t in (0, 17):
            eeg = subject["EEG"][0, 0]["stimuli"][0, 0][t, 0]
            ecg_trace = subject["ECG"][0, 0]["stimuli"][0, 0][t, 0]
            assert eeg.shape[1] == 14 and 60 * 128 <= eeg.shape[0] <= 62 * 128
            assert ecg_trace.shape == (2 * eeg.shape[0], 2)
            assert subject["EEG"][0, 0]["baseline"][0, 0][t, 0].shape == (7808, 14)
            assert subject["ECG"][0, 0]["baseline"][0, 0][t, 0].shape == (15616, 2)
        for field in ("ScoreValence", "ScoreArousal", "ScoreDominance"):
            scores = subject[field][0, 0]
            assert scores.shape == (18, 1) and set(np.unique(scores)) <= {1, 2, 3, 4, 5}


def test_synthetic_heart_rate_follows_arousal(synthetic_mat):
    recording = ds.read({"mat": str(synthetic_mat)}, recording="s02")
    for segment in recording.segments:
        found = 60 * ds.ECG_SFREQ / np.mean(np.diff(segment.other.r_peaks))
        assert found == pytest.approx(synth.clip_heart_rate(CFG, 2, segment.index, int(segment.labels[1])), abs=1.0)


# --- the reader on a file of a minimal writer --------------------------------------------


def _ecg(seconds: float, heart_rate: float = 70.0, seed: int = 0) -> np.ndarray:
    """(samples, 2) ECG: narrow R waves on an exact beat train, a T wave, noise."""
    t = np.arange(int(seconds * ds.ECG_SFREQ)) / ds.ECG_SFREQ
    phase = (t * heart_rate / 60.0) % 1.0
    beat = np.exp(-0.5 * (phase * 60 / heart_rate / 0.012) ** 2) + 0.3 * np.exp(
        -0.5 * ((phase * 60 / heart_rate - 0.25) / 0.05) ** 2)
    noise = 0.02 * np.random.default_rng(seed).standard_normal((t.size, 2))
    return np.column_stack([beat, 0.7 * beat]) + noise


def minimal_dreamer(path: Path, *, eeg_channels: int = 14, ecg: bool = True, scores: np.ndarray | None = None,
                    clip_s: float = 8.0, flat_ecg_clip: int | None = None) -> dict:
    """A DREAMER.mat of one subject written with scipy alone, as the release lays it out."""
    rng = np.random.default_rng(1)
    stimuli, baseline, ecg_stimuli, ecg_baseline = (np.empty((18, 1), dtype=object) for _ in range(4))
    for t in range(18):
        stimuli[t, 0] = rng.standard_normal((int(clip_s * 128) + t, eeg_channels)) + 4000.0
        baseline[t, 0] = 2.0 * stimuli[t, 0][: int(clip_s * 128)] - 4000.0  # twice the clip's amplitude
        ecg_stimuli[t, 0] = _ecg(2 * (clip_s + t / 128) / 2, seed=t)
        ecg_baseline[t, 0] = _ecg(clip_s, seed=100 + t)
        if t == flat_ecg_clip:
            ecg_stimuli[t, 0] = np.zeros_like(ecg_stimuli[t, 0])
    scores = np.arange(18).reshape(18, 1) % 5 + 1 if scores is None else scores
    subject = {"Age": "25", "Gender": "male", "EEG": {"baseline": baseline, "stimuli": stimuli},
               "ScoreValence": scores.astype(float), "ScoreArousal": 6.0 - scores, "ScoreDominance": scores * 0 + 3.0}
    if ecg:
        subject["ECG"] = {"baseline": ecg_baseline, "stimuli": ecg_stimuli}
    data = np.empty((1, 1), dtype=object)
    data[0, 0] = subject
    electrodes = np.empty((1, 14), dtype=object)
    electrodes[0, :] = list(ds.CHANNELS)
    scipy.io.savemat(path, {"DREAMER": {"Data": data, "EEG_SamplingRate": 128.0, "ECG_SamplingRate": 256.0,
                                        "EEG_Electrodes": electrodes, "noOfSubjects": 1.0,
                                        "noOfVideoSequences": 18.0, "Version": "1.0.2"}})
    return {"stimuli": stimuli, "scores": scores}


def test_reader_reads_a_minimal_writer(tmp_path):
    written = minimal_dreamer(tmp_path / ds.MAT_FILE)
    recording = ds.read({"mat": str(tmp_path / ds.MAT_FILE)}, recording="s01")
    assert (recording.name, recording.subject, recording.sfreq, recording.other_kind) == ("s01", "1", 128.0, "ecg")
    assert [seg.index for seg in recording.segments] == list(range(1, 19))
    for seg, stored, score in zip(recording.segments, written["stimuli"][:, 0], written["scores"][:, 0]):
        np.testing.assert_array_equal(seg.eeg, stored.T)  # (samples x channels) -> (channels, samples)
        np.testing.assert_array_equal(seg.labels, [score, 6 - score, 3])
        assert seg.baseline is None and seg.other.sfreq == 256.0
        assert 60 * 256 / np.mean(np.diff(seg.other.r_peaks)) == pytest.approx(70.0, abs=1.0)
    assert recording.classes["valence"].default_threshold == 3.0
    assert recording.classes["dominance"].class_names == ("low", "high")


def test_baseline_option_subtracts_the_baselines_mean_features(tmp_path):
    minimal_dreamer(tmp_path / ds.MAT_FILE, clip_s=60.0)
    files = {"mat": str(tmp_path / ds.MAT_FILE)}
    plain = features.extract_features(ds.read(files, recording="s01"), bands=BANDS, window_s=4.0, step_s=4.0)
    relative = features.extract_features(ds.read(files, recording="s01", subtract_baseline=True), bands=BANDS,
                                         window_s=4.0, step_s=4.0)
    assert relative.attrs["baseline_subtracted"] and "baseline_subtracted" not in plain.attrs
    # the baseline is the clip at twice the amplitude: DE differs by log 2 (the 4000 µV offset aside)
    np.testing.assert_allclose(np.median(relative.de), -np.log(2.0), atol=0.05)
    assert np.abs(np.median(relative.other[:, 0])) < 1.0  # the same heart rate before and during the clip


# --- bad inputs: one line naming the file and the problem, and no output ------------------


@pytest.mark.parametrize("writer, message", [
    ({"eeg_channels": 13}, r"subject 1 clip 1 EEG stimuli has shape \(1024, 13\).*expected \(samples, 14\)"),
    ({"ecg": False}, r"subject 1 has no ECG"),
    ({"scores": np.full((18, 1), 3.0) + np.eye(18, 1) * 3}, r"subject 1 ScoreValence holds 6, outside the integers 1-5"),
    ({"scores": np.zeros((18, 1))}, r"ScoreValence holds 0, outside the integers 1-5"),
    ({"flat_ecg_clip": 2}, r"subject 1 clip 3: no R-peaks found in the ECG \(lead 1 is flat; lead 2 is flat\)"),
])
def test_bad_inputs_give_one_line_naming_the_file_and_no_output(tmp_path, writer, message):
    mat = tmp_path / ds.MAT_FILE
    minimal_dreamer(mat, **writer)
    output = tmp_path / "features" / "s01.h5"
    with pytest.raises(DataFormatError, match=message) as err:
        features.feature_stage(dataset="dreamer", recording="s01", inputs={"mat": str(mat)}, bandpass={},
                               bands=BANDS, window_s=4.0, step_s=4.0, output=str(output))
    assert str(err.value).startswith(f"{mat}: ") and "\n" not in str(err.value)
    assert not output.exists() and not output.parent.exists()


def test_a_subject_missing_from_the_file_is_named(tmp_path):
    minimal_dreamer(tmp_path / ds.MAT_FILE)
    with pytest.raises(DataFormatError, match=r"subject 2 is not in the file \(DREAMER.Data holds 1\)"):
        ds.read({"mat": str(tmp_path / ds.MAT_FILE)}, recording="s02")


def test_a_clip_without_r_peaks_is_left_out_with_one_line_when_asked(tmp_path, caplog):
    minimal_dreamer(tmp_path / ds.MAT_FILE, flat_ecg_clip=2)
    with caplog.at_level(logging.WARNING):
        recording = ds.read({"mat": str(tmp_path / ds.MAT_FILE)}, recording="s01", nan_windows="drop")
    assert [seg.index for seg in recording.segments] == [1, 2] + list(range(4, 19))
    lines = [r.getMessage() for r in caplog.records if "clip 3" in r.getMessage()]
    assert len(lines) == 1 and str(tmp_path / ds.MAT_FILE) in lines[0] and "no R-peaks" in lines[0]


# --- the ECG features ---------------------------------------------------------------------


@pytest.mark.parametrize("heart_rate", [55.0, 72.0, 110.0])
def test_heart_rate_of_a_synthetic_ecg_within_one_bpm(heart_rate):
    import neurokit2 as nk

    signal = nk.ecg_simulate(duration=120, sampling_rate=256, heart_rate=heart_rate, random_state=3)
    ours = synth.ecg_trace(np.random.default_rng(3), seconds=120, sfreq=256.0, heart_rate_bpm=heart_rate)
    for trace in (np.vstack([signal, signal]), ours):
        peaks, lead, problem = ecg.find_r_peaks(trace, sfreq=256.0)
        assert problem is None and lead == 0
        clip = ecg.EcgClip(trace, 256.0, peaks, lead)
        starts = np.arange(0, 116, 4.0)
        values = ecg.ecg_features(clip, starts_s=starts, window_s=4.0)
        assert values.shape == (starts.size, len(ecg.ECG_FEATURE_NAMES)) and np.isfinite(values).all()
        np.testing.assert_allclose(values[:, 0], heart_rate, atol=1.0)  # heart_rate_bpm
        np.testing.assert_allclose(values[:, 1], 60_000 / heart_rate, rtol=0.02)  # hrv_mean_nn_ms


def test_ecg_feature_names_and_the_context_of_each_window():
    assert ecg.ECG_FEATURE_NAMES[0] == "heart_rate_bpm" and "hrv_rmssd_ms" in ecg.ECG_FEATURE_NAMES
    assert {"hrv_lf_ms2", "hrv_hf_ms2", "hrv_lf_hf_ratio"} <= set(ecg.ECG_FEATURE_NAMES)  # frequency domain
    bounds = ecg.context_bounds(np.array([0.0, 40.0, 96.0]), window_s=4.0, duration_s=100.0, context_s=60.0)
    np.testing.assert_allclose(bounds, [[0, 60], [12, 72], [40, 100]])
    np.testing.assert_allclose(ecg.context_bounds(np.array([8.0]), window_s=4.0, duration_s=30.0), [[0, 30]])


def test_noise_is_not_taken_for_heart_beats():
    noise = np.random.default_rng(0).standard_normal((2, 256 * 60))
    peaks, lead, problem = ecg.find_r_peaks(noise, sfreq=256.0)
    assert peaks.size == 0 and lead == -1 and problem


# --- registration, protocol, reference rows -----------------------------------------------


def test_dreamer_is_off_in_the_default_run_and_its_protocol_folds_the_clips():
    import yaml
    from snakemake.utils import validate

    from conftest import REPO
    from multimodal_emotion import workflow_config as wc

    config = yaml.safe_load((REPO / "config.yaml").read_text())
    validate(config, str(REPO / "resources" / "config.schema.yaml"), set_default=True)
    assert "dreamer" not in wc.enabled_datasets(config)
    assert config["dreamer"]["subtract_baseline"] is False and config["dreamer"]["nan_windows"] == "error"
    assert ds.DEFAULT_PROTOCOL["kind"] == "kfold" and ds.DEFAULT_PROTOCOL["fold_unit"] == "trial"
    assert ds.DEFAULT_PROTOCOL["threshold"] == 3.0 and ds.DEFAULT_PROTOCOL["tasks"] == ["valence", "arousal",
                                                                                         "dominance"]


@pytest.mark.workflow
def test_tiny_dreamer_config_runs_every_model_to_the_tables(tmp_path):
    import pandas as pd
    import yaml

    from multimodal_emotion.store import read_features
    from support.workflow import REPO, merged, packed, run_snakemake, write_config

    config = merged(yaml.safe_load((REPO / "config.yaml").read_text()),
                    yaml.safe_load((REPO / ".test" / "config_dreamer.yaml").read_text()))
    config["results"] = "results"
    write_config(tmp_path, packed(config))
    run_snakemake(tmp_path)
    table = pd.read_csv(tmp_path / "results/tables/experiments.csv")
    enabled = {name for name, spec in config["models"].items() if spec.get("enabled", True)}
    per_subject = table[table["task"] == "arousal"]
    assert set(per_subject["model"]) == enabled and per_subject["test_accuracy"].notna().all()
    for kind in ("accuracy", "per_subject", "confusion", "learning_curves"):
        assert (tmp_path / f"results/figures/dreamer_{kind}.png").is_file()
    for kind in ("accuracy", "per_subject"):
        assert (tmp_path / f"results/figures/dreamer_loso_{kind}.png").is_file()
    loso = pd.read_csv(tmp_path / "results/tables/dreamer_loso_accuracy.csv")
    assert set(loso["task"]) == {"valence"} and enabled <= set(loso["model"])  # threshold 3 from the dataset
    accuracy = pd.read_csv(tmp_path / "results/tables/dreamer_accuracy.csv")
    reported = accuracy[accuracy["selection"] == "reported"]
    assert set(reported["model"]) == {"dcca"} and 89.0 in set(reported["mean_accuracy"].round(1))
    features_file = read_features(tmp_path / "results/features/dreamer/s01.h5")
    assert {task: spec["class_names"] for task, spec in features_file.attrs["classes"].items()} == {
        task: ["low", "high"] for task in ("valence", "arousal", "dominance")}
    assert features_file.attrs["other_feature_names"] == list(ecg.ECG_FEATURE_NAMES)
