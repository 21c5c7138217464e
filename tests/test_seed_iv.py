"""SEED-IV: synthetic files public loaders read, the readers on files of a minimal writer,
one-line errors with no output, the protocol, and a tiny run to the tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from multimodal_emotion import features
from multimodal_emotion.datasets import seed_iv as ds
from multimodal_emotion.recording import DataFormatError
from multimodal_emotion.synthetic import seed_iv as synth
from multimodal_emotion.synthetic.config import SyntheticConfig

from support.refusals import assert_feature_stage_refuses

CFG = SyntheticConfig(seed=7)
SECONDS = {"synthetic_trial_seconds": [12, 20]}
STEM = ds.synthetic_stem(1, 1)


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("seed_iv")
    files = {}
    for role, folder in (("eeg", ds.EEG_DIR), ("features", ds.FEATURE_DIR), ("eye", ds.EYE_DIR)):
        files[role] = root / folder / "1" / f"{STEM}.mat"
        files[role].parent.mkdir(parents=True)
        synth.write(f"{folder}/1/{STEM}.mat", files[role], cfg=CFG, dataset_config=SECONDS)
    return files


def _by_trial(content: dict, pattern: str) -> list[np.ndarray]:
    """A public loader's way: the variables matching ``pattern``, sorted by trial number."""
    keys = [k for k in content if re.fullmatch(pattern, k)]
    return [content[k] for k in sorted(keys, key=lambda k: int(re.findall(r"\d+", k)[-1]))]


def test_synthetic_files_read_as_public_loaders_read_them(session):
    eeg = _by_trial(scipy.io.loadmat(session["eeg"]), r".*_eeg(\d+)")
    de = _by_trial(scipy.io.loadmat(session["features"]), r"de_LDS\d+")
    eye = _by_trial(scipy.io.loadmat(session["eye"]), r"eye_\d+")
    assert len(eeg) == len(de) == len(eye) == 24
    for trial_eeg, trial_de, trial_eye in zip(eeg, de, eye):
        assert trial_eeg.shape[0] == 62 and (trial_eeg.shape[1] - 1) % 200 == 0  # 200 x s + 1 samples
        assert trial_de.shape == (62, (trial_eeg.shape[1] - 1) // 800, 5)  # 4 s windows
        assert trial_eye.shape == (31, trial_de.shape[1])  # rows features, columns the same windows


def test_features_entry_reads_the_lab_files_with_the_session_labels(session):
    rec = ds.read({"features": str(session["features"]), "eye": str(session["eye"])})
    assert [seg.index for seg in rec.segments] == list(range(1, 25))
    assert [int(seg.labels[0]) for seg in rec.segments] == list(ds.SESSION_LABELS[0])
    out = features.shipped_feature_file(rec, attrs={})
    assert out.other.shape[1] == 31 and out.attrs["other_feature_names"] == list(ds.EYE_FEATURE_NAMES)
    assert (out.attrs["window_s"], out.attrs["step_s"]) == (4.0, 4.0)
    assert out.attrs["classes"]["emotion"]["class_names"] == ["neutral", "sad", "fear", "happy"]
    raw = scipy.io.loadmat(session["features"])["de_LDS5"]
    np.testing.assert_allclose(out.de[out.segment == 5], raw.transpose(1, 0, 2))


def test_preprocessed_entry_reads_the_eeg(session):
    rec = ds.read({"eeg": str(session["eeg"])}, entry="preprocessed")
    assert len(rec.segments) == 24 and rec.other_kind == "none" and rec.shipped is None
    assert rec.segments[0].eeg.shape[0] == 62


def _write_minimal(root: Path, *, n_trials=24, eye_rows=31, windows=(3,) * 24, eye_windows=None, nan=None):
    """A minimal writer (not the project's generator): the lab's variables, random values."""
    rng = np.random.default_rng(0)
    eye_windows = eye_windows or windows
    feat, eye = root / ds.FEATURE_DIR / "2" / "3_20150101.mat", root / ds.EYE_DIR / "2" / "3_20150101.mat"
    for path in (feat, eye):
        path.parent.mkdir(parents=True, exist_ok=True)
    variables, eye_vars = {}, {}
    for t in range(1, n_trials + 1):
        for name in ("de_LDS", "de_movingAve", "psd_LDS", "psd_movingAve"):
            variables[f"{name}{t}"] = rng.normal(size=(62, windows[t - 1], 5))
        eye_vars[f"eye_{t}"] = rng.normal(size=(eye_rows, eye_windows[t - 1]))
    if nan:
        eye_vars[nan][0, 1] = np.nan
    scipy.io.savemat(feat, variables)
    scipy.io.savemat(eye, eye_vars)
    return {"features": str(feat), "eye": str(eye)}


def test_readers_read_files_of_a_minimal_writer(tmp_path):
    files = _write_minimal(tmp_path)
    rec = ds.read(files)
    assert [int(seg.labels[0]) for seg in rec.segments] == list(ds.SESSION_LABELS[1])  # folder 2: session 2
    assert rec.segments[0].shipped.de.shape == (3, 62, 5) and rec.segments[0].shipped.other.shape == (3, 31)


@pytest.mark.parametrize(
    "kwargs, role, message",
    [
        ({"n_trials": 23}, "features", r"no variable 'de_LDS24' \(expected de_LDS1\.\.24"),
        ({"eye_rows": 33}, "eye", r"eye_1 has shape \(33, 3\), expected \(31, n_windows\)"),
        ({"eye_windows": (3,) * 6 + (4,) + (3,) * 17}, "eye",
         r"eye_7 has 4 windows but de_LDS7 of 3_20150101\.mat has 3: the rows are not aligned"),
        ({"nan": "eye_9"}, "eye", r"eye_9: 1 window\(s\) with NaN/inf \(first window 1\); set seed_iv\.nan_windows"),
    ],
    ids=["trial-count", "eye-shape", "eye-not-aligned", "nan"],
)
def test_bad_inputs_give_one_line_naming_the_file_and_no_output(tmp_path, kwargs, role, message):
    assert_feature_stage_refuses(_write_minimal(tmp_path, **kwargs), message, role=role,
                                 output=tmp_path / "out" / "3_20150101.h5", dataset="seed_iv", bandpass={}, bands={},
                                 window_s=4.0, step_s=4.0, read_options={"entry": "features"})


def test_preprocessed_entry_with_a_missing_trial_is_one_line_and_no_output(session, tmp_path):
    content = {k: v for k, v in scipy.io.loadmat(session["eeg"]).items() if not k.startswith("__")}
    content.pop("sub1_eeg24")
    bad = tmp_path / ds.EEG_DIR / "1" / session["eeg"].name
    bad.parent.mkdir(parents=True)
    scipy.io.savemat(bad, content)
    output = tmp_path / "out" / f"{STEM}.h5"
    with pytest.raises(DataFormatError, match=r"found 23 clips, expected 24 \(missing \[24\]") as info:
        features.feature_stage(dataset="seed_iv", inputs={"eeg": str(bad)}, bandpass={"l_freq": 1.0, "h_freq": 50.0},
                               bands={"alpha": [8, 14]}, window_s=4.0, step_s=4.0, output=str(output),
                               read_options={"entry": "preprocessed"})
    assert "\n" not in str(info.value) and str(info.value).startswith(str(bad))
    assert not output.parent.exists()


def test_nan_windows_drop_leaves_them_out_and_counts_them(tmp_path):
    rec = ds.read(_write_minimal(tmp_path, nan="eye_9"), nan_windows="drop")
    assert rec.shipped.dropped_windows == 1
    assert rec.segments[8].shipped.start_s.tolist() == [0.0, 8.0]


def test_protocol_carves_one_validation_trial_per_class_and_reports_a_missing_test_class(session, caplog):
    from multimodal_emotion.protocols import experiment_folds
    from multimodal_emotion.store import read_features, write_features

    path = session["features"].parent.parent.parent / "f.h5"
    write_features(path, features.shipped_feature_file(
        ds.read({"features": str(session["features"]), "eye": str(session["eye"])}), attrs={}))
    (fold,) = experiment_folds(read_features(path), protocol=ds.DEFAULT_PROTOCOL, task="emotion", seed=1)
    val_trials = sorted(set(fold.val.segment.tolist()))
    labels = ds.SESSION_LABELS[0]
    assert sorted(labels[t - 1] for t in val_trials) == [0, 1, 2, 3]  # one per class
    assert all(t <= 16 for t in val_trials) and not set(val_trials) & set(fold.train.segment.tolist())
    assert set(fold.test.segment.tolist()) == set(range(17, 25))
    assert 1 not in set(fold.test.y.tolist())  # session 1 has no sad trial among 17-24 ...
    assert "holds no window of class ['sad']" in caplog.text  # ... which is reported, not an error


@pytest.mark.workflow
def test_tiny_seed_iv_config_runs_every_model_to_the_tables(tmp_path):
    from support.workflow import run_every_model_on

    run_every_model_on(tmp_path, "seed_iv", {"subjects": [1], "sessions": [2], "synthetic_trial_seconds": [16, 24]},
                       lstm={"sequence_length": 2, "batch_size": 8})
    for name in ("seed_iv_accuracy.csv", "seed_iv_accuracy.md"):
        assert (tmp_path / "results/tables" / name).is_file()
