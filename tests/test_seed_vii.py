"""SEED-VII: synthetic files that public-style loaders read, the readers on files of a
minimal writer, the band/channel order from the data, the eye rows against the EEG,
one-line errors with no output, the preprocessed and raw entries, the protocols, the
clip_duration baseline, and a tiny run to the tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from multimodal_emotion import features
from multimodal_emotion.datasets import seed_vii as ds
from multimodal_emotion.recording import DataFormatError
from multimodal_emotion.synthetic import seed_vii as synth
from multimodal_emotion.synthetic.config import SyntheticConfig

from support.refusals import assert_feature_stage_refuses

CFG = SyntheticConfig(seed=7)
SHORT = {"synthetic_trial_seconds": [8, 12]}
VIDEOS = list(range(1, 81))


@pytest.fixture(scope="module")
def subject(tmp_path_factory) -> dict[str, Path]:
    """The synthetic copy's files of subject 1 (features, eye, preprocessed EEG, labels)."""
    root = tmp_path_factory.mktemp("seed_vii")
    files = {"features": root / ds.FEATURE_DIR / "1.mat", "eye": root / ds.EYE_DIR / "1.mat",
             "eeg": root / ds.EEG_DIR / "1.mat", "labels": root / ds.LABEL_FILE}
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        synth.write(str(path.relative_to(root)), path, cfg=CFG, dataset_config=SHORT)
    return files


def _roles(files: dict, *roles: str) -> dict[str, str]:
    return {role: str(files[role]) for role in roles}


# --- the synthetic copy, read as public loaders read the release --------------------------


def test_synthetic_files_read_as_public_loaders_read_them(subject):
    import pandas as pd

    eeg_features = scipy.io.loadmat(subject["features"])  # third-party loaders: de_LDS_{v}, (W, 5, 62)
    eye = scipy.io.loadmat(subject["eye"])
    eeg = scipy.io.loadmat(subject["eeg"])
    for v in VIDEOS:
        de = eeg_features[f"de_LDS_{v}"]
        assert de.shape[1:] == (5, 62) and eeg_features[f"de_{v}"].shape == eeg_features[f"psd_{v}"].shape == de.shape
        assert eye[str(v)].shape == (de.shape[0], 33)
        assert eeg[str(v)].shape == (62, 200 * (eeg[str(v)].shape[1] // 200)) and de.shape[0] == eeg[str(v)].shape[1] // 800
    stacked = np.concatenate([eeg_features[f"de_LDS_{v}"] for v in VIDEOS])
    assert (stacked[:, 0].mean(axis=0) > stacked[:, 4].mean(axis=0)).mean() > 0.9  # band-major: delta above gamma
    per_clip = [i for i, name in enumerate(ds.EYE_COLUMNS) if name in ds.PER_CLIP_EYE_COLUMNS]
    assert per_clip == list(range(24, 33))
    assert all(np.ptp(eye[str(v)][:, per_clip], axis=0).max() == 0 for v in VIDEOS)  # repeated in every window
    sheet = pd.read_excel(subject["labels"], header=None)  # one sheet, no header
    for k in range(4):
        assert sheet.iloc[2 * k, 0] == "Video index" and sheet.iloc[2 * k + 1, 0] == f"Session {k + 1}"
        assert sheet.iloc[2 * k, 1:].astype(int).tolist() == list(range(20 * k + 1, 20 * k + 21))
        assert [name.lower() for name in sheet.iloc[2 * k + 1, 1:]] == list(ds.SESSION_EMOTIONS[k])
    assert ds.SESSION_EMOTIONS[0][:3] == ("happy", "neutral", "disgust")  # formats.md's order, clips 11-20 = 1-10
    assert all(emotions[:10] == emotions[10:] for emotions in ds.SESSION_EMOTIONS)


def test_features_entry_reads_every_session_into_one_recording(subject):
    rec = ds.read(_roles(subject, "features", "eye", "labels"))
    assert rec.name == "1_1234" and rec.subject == "1" and rec.trials_per_session == 20
    assert [seg.index for seg in rec.segments] == VIDEOS
    assert [int(seg.labels[0]) for seg in rec.segments] == [v for labels in ds.SESSION_LABELS for v in labels]
    out = features.shipped_feature_file(rec, attrs={})
    assert out.other.shape[1] == 33 and "band-major" in out.attrs["feature_origin"]
    assert out.attrs["classes"]["emotion"]["class_names"] == list(ds.CLASS_NAMES)
    assert out.attrs["other_feature_names"][0] == "lab_eye_01_pupil_left_de_0-0.2Hz"
    assert out.attrs["other_feature_names"][-1] == "lab_eye_33_saccade_latency_average_per_clip"
    raw_de = scipy.io.loadmat(subject["features"])["de_LDS_7"]
    np.testing.assert_allclose(out.de[out.segment == 7], raw_de.transpose(0, 2, 1))  # (W, 62, 5), unchanged
    two = ds.read(_roles(subject, "features", "labels"), sessions=[2], extracted_feature="de")
    assert [seg.index for seg in two.segments] == list(range(21, 41)) and two.other_kind == "none"


def test_preprocessed_entry_goes_through_our_bandpass_and_the_lab_recipe(subject, tmp_path):
    from multimodal_emotion.store import read_features

    output = tmp_path / "1_1234.h5"
    features.feature_stage(dataset="seed_vii", inputs=_roles(subject, "eeg", "eye", "labels"),
                           bandpass={"l_freq": 1.0, "h_freq": 50.0}, bands=dict(ds.SPEC.bands), window_s=4.0,
                           step_s=4.0, output=str(output), read_options={"entry": "preprocessed", "sessions": [1]},
                           de_scale="lab", smoothing="lds")
    ours = read_features(output)
    assert sorted(set(ours.segment.tolist())) == list(range(1, 21))
    assert ours.attrs["feature_recipe"]["de_scale"] == "lab" and ours.attrs["feature_recipe"]["smoothing"] == "lds"
    lab = scipy.io.loadmat(subject["features"])
    eye = scipy.io.loadmat(subject["eye"])
    for v in (1, 12):
        theirs = lab[f"de_LDS_{v}"].transpose(0, 2, 1)
        np.testing.assert_allclose(ours.other[ours.segment == v], eye[str(v)], rtol=1e-6)  # the lab's eye rows
        mine = ours.de[ours.segment == v]
        assert mine.shape == theirs.shape
        assert np.corrcoef(mine.ravel(), theirs.ravel())[0, 1] > 0.95  # the same recipe on the same signals


@pytest.mark.parametrize("effect_size", [1.0, 0.0])
def test_synthetic_copy_has_the_known_emotion_effect(effect_size):
    """Occipital alpha follows the "other" score (sad +1, disgust -1), lateral beta/gamma the
    valence score (happy +1, sad -1): by log2(4 ** 2) = 4 lab-DE units at full effect, 0 without."""
    from multimodal_emotion.synthetic.family import lab_features
    from multimodal_emotion.synthetic.seed_iv import LATERAL, OCCIPITAL

    cfg = SyntheticConfig(seed=7, effect_size=effect_size)
    by_class: dict[int, list[np.ndarray]] = {}
    for trial in synth.trials(cfg, SHORT, 1, 1):  # session 1: happy, neutral, disgust, sad, anger
        de, _, _ = lab_features(trial, sfreq=ds.SFREQ, window_s=ds.WINDOW_S, eye_columns=())
        by_class.setdefault(trial.label, []).append(de)
    mean = {c: np.concatenate(v).mean(axis=0) for c, v in by_class.items()}  # (62, 5)
    occipital = [ds.CHANNELS.index(c) for c in OCCIPITAL]
    lateral = [ds.CHANNELS.index(c) for c in LATERAL]
    sad, disgust, happy = (ds.CLASS_NAMES.index(n) for n in ("sad", "disgust", "happy"))
    other = mean[sad][occipital, 2].mean() - mean[disgust][occipital, 2].mean()
    valence = mean[happy][lateral, 3:].mean() - mean[sad][lateral, 3:].mean()
    if effect_size:
        assert 3.0 < other < 5.0 and 3.0 < valence < 5.0
    else:
        assert abs(other) < 0.5 and abs(valence) < 0.5


# --- the readers on files of a minimal writer (not the project's generator) ---------------


def _write_minimal(root: Path, *, subject: int = 4, layout: str = "band-major", windows=None, eye_rows=None,
                   drop=(), shape_edit=None, random_de=False, labels: bytes | None = None) -> dict[str, str]:
    """EEG_features/EYE_features .mat files and the label workbook, written with
    scipy.io.savemat and pandas as the release's layout says: DE falling with the band
    (``labels``: bytes that replace the workbook)."""
    import pandas as pd

    rng = np.random.default_rng(subject)
    eeg_vars, eye_vars = {}, {}
    for v in VIDEOS:
        n = (windows or {}).get(v, 3)
        de = rng.normal(size=(n, 62, 5)) * 0.1 + np.array([5.0, 4.0, 3.0, 2.0, 1.0])
        if random_de:
            de = rng.normal(size=(n, 62, 5))
        stored = {"band-major": de.transpose(0, 2, 1), "channel-major": de, "flat-band": de.transpose(0, 2, 1)
                  .reshape(n, -1), "flat-channel": de.reshape(n, -1)}[layout]
        for kind in ("de_LDS", "de", "psd"):
            eeg_vars[f"{kind}_{v}"] = stored
        eye_vars[str(v)] = rng.normal(size=((eye_rows or {}).get(v, n), 33))
    for name in drop:
        eeg_vars.pop(name, None)
        eye_vars.pop(name, None)
    if shape_edit is not None:
        name, shape = shape_edit
        eeg_vars[name] = np.zeros(shape)
    rows = []
    for k, emotions in enumerate(ds.SESSION_EMOTIONS, start=1):
        rows += [["Video index"] + list(range(20 * k - 19, 20 * k + 1)), [f"Session {k}"] + [e.title() for e in emotions]]
    files = {"features": root / ds.FEATURE_DIR / f"{subject}.mat", "eye": root / ds.EYE_DIR / f"{subject}.mat",
             "labels": root / ds.LABEL_FILE}
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    scipy.io.savemat(files["features"], eeg_vars)
    scipy.io.savemat(files["eye"], eye_vars)
    pd.DataFrame(rows).to_excel(files["labels"], header=False, index=False)
    if labels is not None:
        files["labels"].write_bytes(labels)
    return {k: str(v) for k, v in files.items()}


@pytest.mark.parametrize("layout", ["band-major", "channel-major", "flat-band", "flat-channel"])
def test_readers_read_a_minimal_writer_and_tell_the_axis_order(tmp_path, layout):
    rec = ds.read(_write_minimal(tmp_path, layout=layout))
    de = rec.segments[0].shipped.de
    assert de.shape == (3, 62, 5)
    np.testing.assert_allclose(de.mean(axis=(0, 1)), [5, 4, 3, 2, 1], atol=0.05)  # bands where they belong
    assert ("channel-major" if "channel" in layout else "band-major") in rec.shipped.origin


def test_an_ambiguous_file_is_refused(tmp_path):
    with pytest.raises(DataFormatError, match=r"cannot tell whether the 310 DE columns are channel-major or band-major"):
        ds.read(_write_minimal(tmp_path, random_de=True))


def test_an_eye_file_one_window_off_is_cut_to_the_eeg_and_counted(tmp_path):
    rec = ds.read(_write_minimal(tmp_path, eye_rows={5: 4, 9: 2}))
    shipped = {seg.index: seg.shipped for seg in rec.segments}
    assert shipped[5].de.shape[0] == shipped[5].other.shape[0] == 3  # one eye row more: the eye's last goes
    assert shipped[9].de.shape[0] == shipped[9].other.shape[0] == 2  # one fewer: the EEG's last window goes
    assert "2 eye row(s) cut" in rec.shipped.origin


@pytest.mark.parametrize(
    "kwargs, role, message",
    [
        ({"shape_edit": ("de_LDS_3", (3, 5, 61))}, "features", r"de_LDS_3 has shape \(3, 5, 61\), expected "
                                                               r"\(n_windows, 5, 62\)"),
        ({"eye_rows": {45: 6}}, "eye", r"'45' has 6 windows but de_LDS_45 of 4\.mat has 3: the eye rows do not match"),
        ({"drop": ("de_LDS_17",)}, "features", r"no variable 'de_LDS_17' .*: a clip is missing"),
        ({"drop": ("62",)}, "eye", r"no variable '62' .*: a clip is missing"),
        ({"labels": b"not a workbook"}, "labels", r"unreadable label sheet"),
    ],
    ids=["wrong-shape", "eye-rows-not-matching", "missing-clip", "missing-eye-clip", "unreadable-label-sheet"],
)
def test_bad_inputs_give_one_line_naming_the_file_and_no_output(tmp_path, kwargs, role, message):
    assert_feature_stage_refuses(_write_minimal(tmp_path, **kwargs), message, role=role, output=tmp_path / "out" / "4_1234.h5",
                                 dataset="seed_vii", bandpass={}, bands={}, window_s=4.0, step_s=4.0,
                                 read_options={"entry": "features"})


def test_a_label_sheet_with_an_unknown_emotion_is_refused(tmp_path):
    import pandas as pd

    files = _write_minimal(tmp_path)
    sheet = pd.read_excel(files["labels"], header=None)
    sheet.iloc[3, 4] = "Boredom"
    sheet.to_excel(files["labels"], header=False, index=False)
    with pytest.raises(DataFormatError, match=r"video 24 \(session 2\) has emotion 'Boredom', not one of disgust"):
        ds.read(files)


def _write_minimal_preprocessed(root: Path, *, eeg_edit=None, eye_rows=None, drop=(),
                                labels: bytes | None = None) -> dict[str, str]:
    """Session 1 of a subject as the preprocessed entry reads it: '{v}' (62, 200 x 8) EEG, the
    eye file's '{v}' (2, 33) on its two 4 s windows, and the label workbook; written with scipy/pandas."""
    rng = np.random.default_rng(3)
    eeg = {str(v): rng.normal(size=(62, 1600)) for v in range(1, 21)}
    eye = {str(v): rng.normal(size=((eye_rows or {}).get(v, 2), 33)) for v in range(1, 21)}
    if eeg_edit is not None:
        name, shape = eeg_edit
        eeg[name] = rng.normal(size=shape)
    for name in drop:
        eeg.pop(name)
    files = _write_minimal(root, labels=labels)  # for its label workbook
    paths = {"eeg": root / ds.EEG_DIR / "4.mat", "eye": root / ds.EYE_DIR / "4.mat", "labels": Path(files["labels"])}
    paths["eeg"].parent.mkdir(parents=True, exist_ok=True)
    scipy.io.savemat(paths["eeg"], eeg)
    scipy.io.savemat(paths["eye"], eye)
    return {k: str(v) for k, v in paths.items()}


def test_the_preprocessed_entry_reads_a_minimal_writer(tmp_path):
    rec = ds.read(_write_minimal_preprocessed(tmp_path, eye_rows={7: 3}), entry="preprocessed", sessions=[1])
    assert [seg.index for seg in rec.segments] == list(range(1, 21)) and rec.other_kind == "lab_eye_features"
    assert rec.segments[6].other.shape == (2, 33) and rec.segments[6].eeg.shape == (62, 1600)  # one eye row more: cut


@pytest.mark.parametrize(
    "kwargs, role, message",
    [
        ({"eeg_edit": ("4", (61, 1600))}, "eeg", r"'4' has 61 channels"),
        ({"eye_rows": {9: 5}}, "eye", r"'9' has 5 windows but '9' of 4\.mat \(2 4 s windows\) has 2: the eye rows do "
                                      r"not match"),
        ({"drop": ("12",)}, "eeg", r"no variable '12' .*: a clip is missing"),
        ({"labels": b"PK\x03\x04 truncated"}, "labels", r"unreadable label sheet"),
    ],
    ids=["wrong-shape", "eye-rows-not-matching", "missing-clip", "unreadable-label-sheet"],
)
def test_bad_preprocessed_inputs_give_one_line_and_no_output(tmp_path, kwargs, role, message):
    assert_feature_stage_refuses(_write_minimal_preprocessed(tmp_path, **kwargs), message, role=role, output=tmp_path / "out" / "4_1234.h5",
                                 dataset="seed_vii", bandpass={"l_freq": 1.0, "h_freq": 50.0},
                                 bands=dict(ds.SPEC.bands), window_s=4.0, step_s=4.0,
                                 read_options={"entry": "preprocessed", "sessions": [1]}, de_scale="lab",
                                 smoothing="lds")


# --- raw: annotations in start/end pairs, the trigger .csv where they are wrong -----------


def test_raw_entry_cuts_the_clips_at_the_annotations_or_the_trigger_file(tmp_path):
    config = {"seed_vii": {"source": "synthetic", "entry": "raw", "sessions": [2, 3]}}
    files = ds.input_files(config, tmp_path, "2_1234")
    assert "trigger_3" in files and "trigger_2" not in files  # subject 2's session 3 has wrong annotations
    for path in files.values():
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        synth.write(str(path.relative_to(tmp_path)), path, cfg=CFG, dataset_config=SHORT)
    rec = ds.read(files, entry="raw", sessions=[2, 3])
    assert [seg.index for seg in rec.segments] == list(range(21, 61))
    for k, segments in ((2, rec.segments[:20]), (3, rec.segments[20:])):
        bounds = synth.timestamps(CFG, SHORT, k)
        assert [seg.eeg.shape for seg in segments] == [(62, 200 * (e - s)) for s, e in bounds]
        assert [int(seg.labels[0]) for seg in segments] == list(ds.SESSION_LABELS[k - 1])
    trial = synth.trials(CFG, SHORT, 2, 3)[0]
    middle = slice(100, 1000)
    assert np.corrcoef(rec.segments[20].eeg[10, middle], trial.eeg[10, middle])[0, 1] > 0.95
    output = tmp_path / "out" / "2_1234.h5"
    without = {role: path for role, path in files.items() if role != "trigger_3"}
    with pytest.raises(DataFormatError, match=r"2_\d+_3\.cnt: annotations: 20 starts \(code 1\) and 0 ends") as info:
        features.feature_stage(dataset="seed_vii", inputs=without, bandpass={"l_freq": 1.0, "h_freq": 50.0},
                               bands={"alpha": [8, 14]}, window_s=4.0, step_s=4.0, output=str(output),
                               read_options={"entry": "raw", "sessions": [2, 3]})
    assert "\n" not in str(info.value) and not output.parent.exists()
    Path(files["labels"]).write_bytes(b"")  # an empty workbook
    with pytest.raises(DataFormatError, match=r"emotion_label_and_stimuli_order\.xlsx: ") as info:
        features.feature_stage(dataset="seed_vii", inputs=files, bandpass={"l_freq": 1.0, "h_freq": 50.0},
                               bands={"alpha": [8, 14]}, window_s=4.0, step_s=4.0, output=str(output),
                               read_options={"entry": "raw", "sessions": [2, 3]})
    assert "\n" not in str(info.value) and not output.parent.exists()


# --- protocols and the clip_duration baseline -----------------------------------------------


def test_video_fold_is_the_published_rule():
    from multimodal_emotion.protocols.video_folds import fold_positions, video_fold

    assert [video_fold(v, clips_per_session=20) for v in VIDEOS] == [((v - 1) % 20) // 5 for v in VIDEOS]
    assert fold_positions(20) == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15], [16, 17, 18, 19, 20]]
    with pytest.raises(ValueError, match="start at 1"):
        video_fold(0, clips_per_session=20)


def test_protocols_are_checked_against_the_dataset():
    import yaml

    from multimodal_emotion import workflow_config as wc
    from multimodal_emotion.config_schema import validate_config
    from multimodal_emotion.recording import ConfigError
    from support.workflow import REPO

    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["seed_vii"] = {"enabled": True, "subjects": [1, 2, 3]}
    validate_config(config)  # the start-up validation: the schema (with the registries' parts) and its defaults
    assert config["seed_vii"]["sessions"] == [1, 2, 3, 4] and config["seed_vii"]["entry"] == "features"
    assert wc.dataset_protocol(config, "seed_vii") == ds.DEFAULT_PROTOCOL
    for protocol in (ds.DEFAULT_PROTOCOL, ds.CROSS_SESSION_PROTOCOL,
                     {"kind": "loso", "tasks": ["emotion"], "validation_subjects": 1}):
        config["experiments"]["seed_vii_protocol"] = protocol
        wc.check_experiments(config)
    config["experiments"]["seed_vii_protocol"] = {**ds.DEFAULT_PROTOCOL, "clips_per_fold": 11}
    with pytest.raises(ConfigError, match=r"'experiments.seed_vii_protocol.clips_per_fold': 11 clips per fold "
                                          r"leave fewer than 2 folds"):
        wc.check_experiments(config)
    config["experiments"]["seed_vii_protocol"] = {**ds.CROSS_SESSION_PROTOCOL, "test_clips": [81]}
    with pytest.raises(ConfigError, match=r"clip 81 does not exist \(SEED-VII has 80\)"):
        wc.check_experiments(config)


def _feature_files(root: Path, subjects, windows) -> list[str]:
    from multimodal_emotion.store import write_features

    paths = []
    for s in subjects:
        rec = ds.read(_write_minimal(root / f"s{s}", subject=s, windows=windows))
        path = root / f"{s}_1234.h5"
        write_features(path, features.shipped_feature_file(rec, attrs={}))
        paths.append(str(path))
    return paths


def test_protocols_split_the_videos_as_published(tmp_path):
    from multimodal_emotion.protocols import experiment_features, experiment_folds

    (path,) = _feature_files(tmp_path, [1], None)
    data = experiment_features(path, ds.DEFAULT_PROTOCOL)
    folds = experiment_folds(data, protocol=ds.DEFAULT_PROTOCOL, task="emotion", seed=1)
    assert len(folds) == 4
    for fold in folds:
        test = set(fold.test.segment.tolist())
        assert test == {v for v in VIDEOS if ((v - 1) % 20) // 5 == fold.index}  # 5 clips of every session
        assert {(v - 1) // 20 for v in test} == {0, 1, 2, 3}
        val = set(fold.val.segment.tolist())
        assert len(val) == 7 and sorted(set(fold.val.y.tolist())) == list(range(7))  # one clip per class
        assert not val & test and not val & set(fold.train.segment.tolist())
    (cross,) = experiment_folds(data, protocol=ds.CROSS_SESSION_PROTOCOL, task="emotion", seed=1)
    assert set(cross.test.segment.tolist()) == set(range(61, 81))
    assert set(cross.train.segment.tolist()) | set(cross.val.segment.tolist()) == set(range(1, 61))


def test_clip_duration_shows_what_clip_identity_buys_under_each_protocol(tmp_path):
    """Every subject watches the same clips (the same lengths): under leave-one-subject-out
    the clip's length names the clip and its label; within a subject no test clip's length
    is in training, so the baseline falls to the level of its nearest neighbours in length."""
    from multimodal_emotion.protocols import experiment_features, experiment_folds
    from multimodal_emotion.models import build_model, load_model

    windows = {v: 2 + v for v in VIDEOS}  # a different length for every clip
    paths = _feature_files(tmp_path, [1, 2, 3], windows)
    members = [{"recording": f"{s}_1234", "subject": str(s), "session": 1} for s in (1, 2, 3)]
    loso = {"kind": "loso", "tasks": ["emotion"], "validation_subjects": 1, "subject": "3", "members": members}
    (fold,) = experiment_folds(experiment_features(paths, loso), protocol=loso, task="emotion", seed=1)
    model = build_model("clip_duration").fit(fold.train, fold.val)
    assert model.input_problem(fold.train) == "" and model.score(fold.test) == 1.0
    model.save(tmp_path / "model")
    np.testing.assert_array_equal(load_model(tmp_path / "model").predict(fold.test), model.predict(fold.test))
    within = experiment_folds(experiment_features(paths[0], ds.DEFAULT_PROTOCOL), protocol=ds.DEFAULT_PROTOCOL,
                              task="emotion", seed=1)
    accuracy = np.mean([build_model("clip_duration").fit(f.train).score(f.test) for f in within])
    assert accuracy < 0.5  # no clip of the test folds is in training


@pytest.mark.workflow
def test_tiny_seed_vii_config_runs_every_model_to_the_tables(tmp_path):
    import pandas as pd
    import yaml

    from support.workflow import (
        REPO,
        assert_every_model_reached_the_tables,
        every_model_quickly,
        merged,
        packed,
        run_snakemake,
        tiny_config,
        write_config,
    )

    config = merged(tiny_config(), yaml.safe_load((REPO / ".test" / "config_seed_vii.yaml").read_text()))
    config["results"] = "results"
    config["seed_vii"].update(subjects=[1], sessions=[1, 2], synthetic_trial_seconds=[10, 14])
    config["experiments"]["seed_vii_protocol"] = config["experiments"]["seed_vii_protocol"][0]  # the 4 folds
    config["experiments"]["selection"] = ["validation"]
    every_model_quickly(config)
    write_config(tmp_path, packed(config))
    run_snakemake(tmp_path)
    assert_every_model_reached_the_tables(tmp_path, config, "seed_vii")
    assert "clip_duration" in set(pd.read_csv(tmp_path / "results/tables/seed_vii_accuracy.csv")["model"])
    from multimodal_emotion.store import read_attrs

    attrs = read_attrs(tmp_path / "results/features/seed_vii/1_1234.h5")  # what tables and figures name the classes by
    assert attrs["classes"]["emotion"]["class_names"] == list(ds.CLASS_NAMES)
    result = json.loads((tmp_path / "results/experiments/seed_vii/1_1234/emotion/clip_duration.json").read_text())
    assert np.array(result["selections"]["validation"]["confusion"]).shape == (7, 7)


def test_the_synthetic_label_workbook_is_the_same_bytes_on_every_write(monkeypatch):
    """openpyxl stamps the save time into the workbook; the synthetic copy fixes it, so a
    rewritten copy is byte-identical (and a clock tick changes nothing)."""
    import datetime as dt

    import openpyxl.writer.excel as excel_writer

    from multimodal_emotion.synthetic import seed_vii as synthetic_seed_vii

    first = synthetic_seed_vii.workbook_bytes(synthetic_seed_vii.label_rows())

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=tz)

    monkeypatch.setattr(excel_writer.datetime, "datetime", Later)
    assert synthetic_seed_vii.workbook_bytes(synthetic_seed_vii.label_rows()) == first
