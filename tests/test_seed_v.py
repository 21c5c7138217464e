"""SEED-V: synthetic files public loaders read, the readers on files of a minimal writer,
the order of the 310 DE columns from the data, one-line errors with no output, the raw
entry, the 3-fold protocol, and a tiny run to the tables."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from multimodal_emotion import features
from multimodal_emotion.datasets import seed_v as ds
from multimodal_emotion.recording import DataFormatError
from multimodal_emotion.synthetic import seed_v as synth
from multimodal_emotion.synthetic.config import SyntheticConfig

from support.refusals import assert_feature_stage_refuses

CFG = SyntheticConfig(seed=7)
SHORT = {"synthetic_trial_seconds": [8, 12]}


@pytest.fixture(scope="module")
def subject(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("seed_v")
    files = {"features": root / ds.FEATURE_DIR / "1_123.npz", "eye": root / ds.EYE_DIR / "1_123.npz",
             "time": root / ds.TIMESTAMP_FILE, "cnt_2": root / ds.RAW_DIR / ds.synthetic_cnt_name(1, 2)}
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        synth.write(str(path.relative_to(root)), path, cfg=CFG, dataset_config=SHORT)
    return files


def test_synthetic_files_read_as_public_loaders_read_them(subject):
    npz = np.load(subject["features"])
    data, label = pickle.loads(npz["data"]), pickle.loads(npz["label"])  # TorchEEG / LibEMER
    eye = pickle.loads(np.load(subject["eye"])["data"])
    assert sorted(data) == sorted(label) == sorted(eye) == list(range(45))
    for key in range(45):
        session, trial = key // 15, key % 15
        assert data[key].shape[1] == 310 and eye[key].shape == (data[key].shape[0], 33)
        assert set(label[key].tolist()) == {ds.SESSION_LABELS[session][trial]}
    de = np.concatenate([data[k] for k in range(45)]).reshape(-1, 62, 5)  # channel-major, as public loaders reshape it
    assert (de[..., 0].mean(axis=0) > de[..., 4].mean(axis=0)).mean() > 0.9  # delta above gamma on the channels


def test_features_entry_reads_all_sessions_into_one_recording(subject):
    rec = ds.read({"features": str(subject["features"]), "eye": str(subject["eye"])})
    assert [seg.index for seg in rec.segments] == list(range(1, 46)) and rec.trials_per_session == 15
    assert [int(seg.labels[0]) for seg in rec.segments] == [v for labels in ds.SESSION_LABELS for v in labels]
    out = features.shipped_feature_file(rec, attrs={})
    assert out.attrs["trials_per_session"] == 15 and out.other.shape[1] == 33
    assert out.attrs["psd_shipped"] is False and "channel-major" in out.attrs["feature_origin"]
    two = ds.read({"features": str(subject["features"])}, sessions=[2])
    assert [seg.index for seg in two.segments] == list(range(16, 31)) and two.other_kind == "none"


def _write_minimal(root: Path, *, n_keys=45, columns=310, band_major=False, eye_rows=None, label_edit=None,
                   nan_key=None):
    """A minimal writer (not the project's generator): pickled dicts keyed 0..n-1, DE falling with band."""
    rng = np.random.default_rng(1)
    data, label, eye = {}, {}, {}
    for key in range(n_keys):
        n = 3
        de = rng.normal(size=(n, 62, 5)) * 0.1 + np.array([5.0, 4.0, 3.0, 2.0, 1.0])
        flat = de.transpose(0, 2, 1).reshape(n, -1) if band_major else de.reshape(n, -1)
        data[key] = flat[:, :columns]
        label[key] = np.full(n, ds.SESSION_LABELS[key // 15][key % 15], dtype=float)
        eye[key] = rng.normal(size=(eye_rows.get(key, n) if eye_rows else n, 33))
    if label_edit is not None:
        label[label_edit][1] = (label[label_edit][1] + 1) % 5
    if nan_key is not None:
        data[nan_key][2, 7] = np.nan
    eye_label = {key: np.full(eye[key].shape[0], ds.SESSION_LABELS[key // 15][key % 15], dtype=float) for key in eye}
    files = {"features": root / ds.FEATURE_DIR / "4_123.npz", "eye": root / ds.EYE_DIR / "4_123.npz"}
    for path, content, labels in ((files["features"], data, label), (files["eye"], eye, eye_label)):
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, data=np.array(pickle.dumps(content)), label=np.array(pickle.dumps(labels)))
    return {k: str(v) for k, v in files.items()}


@pytest.mark.parametrize("band_major", [False, True])
def test_readers_read_a_minimal_writer_and_tell_the_column_order(tmp_path, band_major):
    rec = ds.read(_write_minimal(tmp_path, band_major=band_major))
    de = rec.segments[0].shipped.de
    assert de.shape == (3, 62, 5)
    np.testing.assert_allclose(de.mean(axis=(0, 1)), [5, 4, 3, 2, 1], atol=0.05)  # bands where they belong
    assert ("band-major" if band_major else "channel-major") in rec.shipped.origin


@pytest.mark.parametrize(
    "kwargs, role, message",
    [
        ({"n_keys": 44}, "features", r"data has 44 keys, expected 0-44 \(missing \[44\]"),
        ({"columns": 300}, "features", r"data\[0\] has shape \(3, 300\), expected \(n_windows, 310\)"),
        ({"label_edit": 17}, "features", r"label\[17\] \(session 2, trial 3\) holds \[\d\] but SEED-V's label of that "
                                         r"trial is 3 \(neutral\)"),
        ({"eye_rows": {20: 4}}, "eye", r"data\[20\] \(session 2, trial 6\) has 4 windows but 4_123\.npz has 3: the rows "
                                       r"are not aligned"),
        ({"nan_key": 30}, "features", r"data\[30\] \(session 3, trial 1\): 1 window\(s\) with NaN/inf \(first window 2\); "
                                      r"set seed_v\.nan_windows: drop"),
    ],
    ids=["trial-count", "shape", "label-mismatch", "eye-not-aligned", "nan"],
)
def test_bad_inputs_give_one_line_naming_the_file_and_no_output(tmp_path, kwargs, role, message):
    assert_feature_stage_refuses(_write_minimal(tmp_path, **kwargs), message, role=role,
                                 output=tmp_path / "out" / "4_123.h5", dataset="seed_v", bandpass={}, bands={},
                                 window_s=4.0, step_s=4.0, read_options={"entry": "features"})


def test_ambiguous_column_order_is_refused(tmp_path):
    files = _write_minimal(tmp_path)
    npz = np.load(files["features"])
    data = {k: np.random.default_rng(k).normal(size=v.shape) for k, v in pickle.loads(npz["data"]).items()}
    np.savez(files["features"], data=np.array(pickle.dumps(data)), label=npz["label"])
    with pytest.raises(DataFormatError, match=r"cannot tell whether the 310 DE columns are channel-major or band-major"):
        ds.read(files)


def test_raw_entry_cuts_the_trials_at_the_timestamps(subject, tmp_path):
    files = {"cnt_2": str(subject["cnt_2"]), "time": str(subject["time"])}
    rec = ds.read(files, entry="raw", sessions=[2])
    bounds = synth.timestamps(CFG, SHORT, 2)
    assert [seg.index for seg in rec.segments] == list(range(16, 31))
    assert [seg.eeg.shape for seg in rec.segments] == [(62, 200 * (e - s)) for s, e in bounds]
    assert [int(seg.labels[0]) for seg in rec.segments] == list(ds.SESSION_LABELS[1])
    # the synthetic trial's EEG comes back (upsampled x5 and cut again at 200 Hz)
    trial = synth._trials(CFG, SHORT, 1, 2)[0]
    middle = slice(100, 1000)
    assert np.corrcoef(rec.segments[0].eeg[10, middle], trial.eeg[10, middle])[0, 1] > 0.95
    bad = tmp_path / "times.txt"
    bad.write_text(Path(subject["time"]).read_text().replace("Session 2:", "Session 4:"))
    output = tmp_path / "out" / "1_123.h5"
    with pytest.raises(DataFormatError, match=r"times\.txt: no block for session 2") as info:
        features.feature_stage(dataset="seed_v", inputs={**files, "time": str(bad)}, bandpass={"l_freq": 1.0, "h_freq": 50.0},
                               bands={"alpha": [8, 14]}, window_s=4.0, step_s=4.0, output=str(output),
                               read_options={"entry": "raw", "sessions": [2]})
    assert "\n" not in str(info.value) and not output.parent.exists()


def test_protocol_has_three_folds_by_trial_position(subject, tmp_path):
    from multimodal_emotion.protocols import experiment_folds
    from multimodal_emotion.store import read_features, write_features

    rec = ds.read({"features": str(subject["features"]), "eye": str(subject["eye"])})
    write_features(tmp_path / "f.h5", features.shipped_feature_file(rec, attrs={}))
    folds = experiment_folds(read_features(tmp_path / "f.h5"), protocol=ds.DEFAULT_PROTOCOL, task="emotion", seed=1)
    assert len(folds) == 3
    for fold, positions in zip(folds, ds.DEFAULT_PROTOCOL["folds"]):
        test = set(fold.test.segment.tolist())
        assert test == {(s - 1) * 15 + p for s in (1, 2, 3) for p in positions}
        val = set(fold.val.segment.tolist())
        assert len(val) == 5 and sorted(set(fold.val.y.tolist())) == [0, 1, 2, 3, 4]  # one trial per class
        assert not val & test and not val & set(fold.train.segment.tolist())


@pytest.mark.workflow
def test_tiny_seed_v_config_runs_every_model_to_the_tables(tmp_path):
    from support.workflow import run_every_model_on

    run_every_model_on(tmp_path, "seed_v", {"subjects": [1], "sessions": [1, 2, 3], "synthetic_trial_seconds": [10, 14]},
                       lstm={"sequence_length": 2, "batch_size": 8})
