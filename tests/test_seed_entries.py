"""SEED entries that start from the lab's features: ExtractedFeatures (``entry: extracted``)
and SEED_Multimodal (``entry: multimodal``)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.io

from multimodal_emotion import features, synthetic
from multimodal_emotion.datasets import seed as seed_ds
from multimodal_emotion.recording import DataFormatError
from multimodal_emotion.synthetic import seed_lab

from conftest import TINY  # noqa: F401
from support import layout
from support.refusals import assert_feature_stage_refuses


# --- the smoothers of the synthetic ExtractedFeatures ----------------------------------


def test_lds_smoother_matches_a_direct_kalman_rts_on_one_series():
    rng = np.random.default_rng(0)
    y = np.cumsum(rng.normal(size=40)) + rng.normal(scale=3.0, size=40)
    ratio = seed_lab.LDS_PROCESS_RATIO
    # The textbook recursions with r = 1 (the gains do not depend on r).
    mean, var, means, variances, predicted = y[0], 1.0, [], [], []
    for t, obs in enumerate(y):
        if t:
            var += ratio
        predicted.append(var)
        gain = var / (var + 1.0)
        mean, var = mean + gain * (obs - mean), (1 - gain) * var
        means.append(mean)
        variances.append(var)
    smoothed = list(means)
    for t in range(len(y) - 2, -1, -1):
        smoothed[t] = means[t] + variances[t] / predicted[t + 1] * (smoothed[t + 1] - means[t])
    np.testing.assert_allclose(seed_lab.lds_smooth(y), smoothed, rtol=1e-12)
    # It smooths: consecutive differences shrink, the level stays.
    assert np.abs(np.diff(seed_lab.lds_smooth(y))).mean() < 0.5 * np.abs(np.diff(y)).mean()
    assert abs(seed_lab.lds_smooth(y).mean() - y.mean()) < 1.0


def test_lds_smoother_works_column_by_column_and_is_scale_free():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(30, 4, 5))
    out = seed_lab.lds_smooth(y)
    np.testing.assert_allclose(out[:, 2, 3], seed_lab.lds_smooth(y[:, 2, 3]))
    np.testing.assert_allclose(seed_lab.lds_smooth(10 * y + 3), 10 * out + 3, rtol=1e-10)


def test_moving_average_is_centred_and_truncated_at_the_ends():
    y = np.arange(10, dtype=float)
    out = features.moving_average(y, width=5)
    assert out[0] == pytest.approx(np.mean([0, 1, 2]))
    assert out[5] == pytest.approx(np.mean([3, 4, 5, 6, 7]))
    assert out[-1] == pytest.approx(np.mean([7, 8, 9]))


# --- entry: extracted ------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted(seed_files, tmp_path_factory):
    path = tmp_path_factory.mktemp("extracted") / "ExtractedFeatures" / "1_20131027.mat"
    seed_lab.write_extracted(path, mat_path=seed_files["eeg"])
    return path


def test_synthetic_extracted_features_have_the_lab_layout(extracted, seed_files):
    content = {k: v for k, v in scipy.io.loadmat(extracted).items() if not k.startswith("__")}
    expected = {f"{kind}_{smooth}{k}" for kind in ("de", "psd") for smooth in ("LDS", "movingAve") for k in range(1, 16)}
    assert set(content) == expected
    _, clips = seed_ds.read_eeg(seed_files["eeg"])
    for k, clip in enumerate(clips, start=1):
        n_seconds = (clip.shape[1] - 1) // 200  # 200 T + 1 samples -> T one-second windows
        assert content[f"de_LDS{k}"].shape == (62, n_seconds, 5)
        assert content[f"psd_movingAve{k}"].shape == (62, n_seconds, 5)


def test_extracted_entry_reads_into_the_feature_layout(extracted, seed_files):
    files = {"extracted": str(extracted), "labels": str(seed_files["labels"]), "eye": str(seed_files["eye"])}
    rec = seed_ds.read(files, entry="extracted", extracted_feature="de_movingAve")
    out = features.shipped_feature_file(rec, attrs={})
    n = sum(seg.shipped.de.shape[0] for seg in rec.segments)
    assert out.de.shape == out.psd.shape == (n, 62, 5)
    assert out.other.shape == (n, len(features.eye_feature_names()))
    assert np.isfinite(out.other).all() and np.isfinite(out.de).all()
    assert (out.attrs["window_s"], out.attrs["step_s"]) == (1.0, 1.0)
    assert "lab's ExtractedFeatures de_movingAve" in out.attrs["feature_origin"]
    assert list(out.attrs["bands"]) == ["delta", "theta", "alpha", "beta", "gamma"]
    raw = scipy.io.loadmat(extracted)["de_movingAve3"]
    np.testing.assert_allclose(out.de[out.segment == 3], raw.transpose(1, 0, 2), rtol=1e-6)
    np.testing.assert_array_equal(np.unique(out.labels[out.segment == 3]), [seed_ds.CLIP_LABELS[2]])
    # Without eye tables: no other features, said so.
    alone = features.shipped_feature_file(seed_ds.read({k: v for k, v in files.items() if k != "eye"}, entry="extracted"), attrs={})
    assert alone.other.shape == (n, 0) and alone.attrs["other_kind"] == "none"


def test_extracted_de_follows_our_de_of_the_same_eeg(extracted, seed_files):
    """The synthetic lab features are the lab's recipe on the same EEG: 1 s DE on the lab's
    scale, smoothed within the clip by the lab's Kalman (LDS) smoother."""
    rec = seed_ds.read({"extracted": str(extracted), "labels": str(seed_files["labels"])}, entry="extracted",
                       extracted_feature="de_LDS")
    _, clips = seed_ds.read_eeg(seed_files["eeg"])
    ours, _ = seed_lab.clip_band_features(clips[0], window_s=1.0)
    lab = rec.segments[0].shipped.de
    assert lab.shape == ours.shape
    np.testing.assert_allclose(lab, features.lds_smooth(ours), rtol=1e-6)
    assert np.corrcoef(lab.ravel(), ours.ravel())[0, 1] > 0.8


def _rewrite(path, tmp_path, edit):
    content = {k: v for k, v in scipy.io.loadmat(path).items() if not k.startswith("__")}
    edit(content)
    out = tmp_path / path.name
    scipy.io.savemat(out, content)
    return out


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c.update(de_LDS3=c["de_LDS3"][:60]), r"de_LDS3 has shape \(60, \d+, 5\), expected \(62, n_windows, 5\)"),
        (lambda c: c.update(de_LDS3=c["de_LDS3"][:, :, :4]), r"de_LDS3 has shape \(62, \d+, 4\)"),
        (lambda c: c.update(psd_LDS4=c["psd_LDS4"][:, :-2]), r"de_LDS4 has \d+ windows but psd_LDS4 has \d+"),
        (lambda c: c.update(de_LDS_3=c.pop("de_LDS3")), r"no variable 'de_LDS3' \(expected de_LDS1\.\.15 and psd_LDS1\.\.15"),
        (lambda c: [c.update({f"DE_lds{k}": c.pop(f"de_LDS{k}")}) for k in range(1, 16)], r"no variable 'de_LDS1'"),
        (lambda c: c["de_LDS7"].__setitem__((0, 0, 0), np.nan), r"de_LDS7 contains 1 NaN/inf values"),
    ],
    ids=["channels", "bands", "window-mismatch", "renamed", "wrong-names", "nan"],
)
def test_bad_extracted_files_give_one_line_naming_the_file(extracted, seed_files, tmp_path, edit, message):
    bad = _rewrite(extracted, tmp_path, edit)
    with pytest.raises(DataFormatError, match=message) as info:
        seed_ds.read({"extracted": str(bad), "labels": str(seed_files["labels"])}, entry="extracted")
    text = str(info.value)
    assert "\n" not in text and text.startswith(str(bad))


def test_extracted_labels_can_come_from_the_extracted_folder(tmp_path):
    root = tmp_path / "SEED"
    (root / "ExtractedFeatures").mkdir(parents=True)
    for stem in ("1_20131027", "1_20131030"):
        (root / "ExtractedFeatures" / f"{stem}.mat").write_bytes(b"x")
    synthetic.seed.write_labels(root / "ExtractedFeatures" / "label.mat")
    config = {"seed": {"source": str(root), "entry": "extracted", "subjects": [1], "sessions": [2]}}
    assert seed_ds.recordings(config, root) == ["1_20131030"]
    files = seed_ds.input_files(config, root, "1_20131030")
    assert files == {"extracted": str(root / "ExtractedFeatures" / "1_20131030.mat"),
                     "labels": str(root / "ExtractedFeatures" / "label.mat")}  # no Eye_movements/ in this copy


@pytest.mark.workflow
def test_extracted_entry_runs_to_the_tables(tmp_path):
    """``entry: extracted`` on the synthetic ExtractedFeatures: features, experiments, tables."""
    import h5py
    import pandas as pd

    from support.workflow import packed, run_snakemake, tiny_config, write_config

    config = tiny_config()
    config["seed"].update(entry="extracted", sessions=[1])
    config["deap"]["enabled"] = False
    config["experiments"]["selection"] = ["validation"]
    for name in config["models"]:
        config["models"][name]["enabled"] = name in ("linear_svm", "linear_svm_other")
    config["models"]["linear_svm_other"]["enabled"] = True
    write_config(tmp_path, packed(config))
    run_snakemake(tmp_path)
    table = pd.read_csv(tmp_path / "results/tables/experiments.csv")
    assert set(table["model"]) == {"linear_svm", "linear_svm_other"}
    assert table["test_accuracy"].notna().all()
    with h5py.File(tmp_path / "results/features/seed/1_20131027.h5") as f:
        assert re.search(r"lab's ExtractedFeatures de_LDS", f.attrs["feature_origin"])
        assert f.attrs["window_s"] == "1.0" and f["other/features"].shape[1] == 41
    assert layout.synthetic_extracted(tmp_path, "1_20131027").is_file()


# --- entry: multimodal (SEED_Multimodal/Chinese) ------------------------------------------

from multimodal_emotion.recording import ConfigError  # noqa: E402

MM_EEG = "02-EEG-DE-feature"
MM_EYE = "04-Eye-tracking-feature/eye_tracking_feature"


@pytest.fixture(scope="module")
def multimodal(seed_files, tmp_path_factory):
    """Synthetic SEED_Multimodal/Chinese of subject 1 session 1 (from the shared synthetic session)."""
    root = tmp_path_factory.mktemp("mm") / "SEED"
    chinese = root / "SEED_Multimodal" / "Chinese"
    for variant in ("eeg_used_4s", "eeg_used_1s"):
        seed_lab.write_multimodal_eeg(chinese / MM_EEG / variant / "1_1.npz", mat_path=seed_files["eeg"])
    seed_lab.write_multimodal_eye(chinese / MM_EYE / "1_1", mat_path=seed_files["eeg"], subject=1, session=1, cfg=TINY)
    _, clips = seed_ds.read_eeg(seed_files["eeg"])
    seconds = [(clip.shape[1] - 1) // 200 for clip in clips]
    return {"root": root, "eeg": chinese / MM_EEG / "eeg_used_4s" / "1_1.npz",
            "eeg_1s": chinese / MM_EEG / "eeg_used_1s" / "1_1.npz", "eye": chinese / MM_EYE / "1_1",
            "seconds": seconds}


def mm_files(mm, **override):
    return {"multimodal_eeg": str(override.get("eeg", mm["eeg"])), "multimodal_eye": str(override.get("eye", mm["eye"]))}


def test_synthetic_multimodal_files_read_as_public_loaders_read_them(multimodal):
    """A minimal reader the way public loaders do it: np.load + pickle.loads; pickle.load of the eye file."""
    import pickle

    npz = np.load(multimodal["eeg"])  # allow_pickle=False: the dicts are byte strings, not objects
    assert sorted(npz.files) == ["test_data", "test_label", "train_data", "train_label"]
    assert npz["train_data"].ndim == 0 and npz["train_data"].dtype.kind == "S"
    train = pickle.loads(npz["train_data"])
    test = pickle.loads(npz["test_data"].item())
    assert list(train) == ["delta", "theta", "alpha", "beta", "gamma"]
    assert all(v.dtype == np.float64 and v.shape[1] == 62 for v in train.values())
    assert npz["train_label"].dtype == np.float64 and set(np.unique(npz["train_label"])) == {0.0, 1.0, 2.0}
    per_clip = [s // 4 for s in multimodal["seconds"]]
    assert train["delta"].shape[0] == sum(per_clip[:9]) and test["gamma"].shape[0] == sum(per_clip[9:])
    with open(multimodal["eye"], "rb") as f:
        eye = pickle.load(f)
    assert set(eye) == {"train_data_eye", "test_data_eye"}
    assert eye["train_data_eye"].shape == (train["delta"].shape[0], 33)
    assert eye["test_data_eye"].shape == (test["delta"].shape[0], 33)
    assert pickle.loads(npz["train_data"].tobytes().rstrip(b"\0")).keys() == train.keys()
    # CrossCultureCode-style band-major concatenation + eye: 310 + 33 columns.
    fused = np.hstack([np.hstack([train[b] for b in train]), eye["train_data_eye"]])
    assert fused.shape[1] == 343


def test_multimodal_clips_come_from_the_label_runs(multimodal):
    rec = seed_ds.read(mm_files(multimodal), entry="multimodal")
    assert [seg.index for seg in rec.segments] == list(range(1, 16))
    # Clips 3 and 4 (both negative) are one label run; they are told apart anyway.
    assert [seg.shipped.de.shape[0] for seg in rec.segments] == [s // 4 for s in multimodal["seconds"]]
    assert [int(seg.labels[0]) for seg in rec.segments] == list(seed_ds.CLIP_LABELS)
    out = features.shipped_feature_file(rec, attrs={})
    assert out.other.shape == (out.de.shape[0], 33) and np.isnan(out.psd).all()
    assert out.attrs["other_kind"] == "lab_eye_features" and out.attrs["psd_shipped"] is False
    assert out.attrs["other_feature_names"][24] == "lab_eye_25_blink_frequency"
    assert (out.attrs["window_s"], out.attrs["step_s"]) == (4.0, 4.0)
    assert "SEED_Multimodal" in out.attrs["feature_origin"] and "not computed by this workflow" in out.attrs["feature_origin"]


def _smooth_clips(counts, rng):
    """Features like the lab's: a level per clip, small smooth changes inside."""
    rows = [rng.normal(size=(1, 62, 5)) * 5 + 0.01 * np.cumsum(rng.normal(size=(n, 62, 5)), axis=0) for n in counts]
    return np.concatenate(rows)


def test_clip_recovery_on_the_real_window_counts():
    """The real files: 499 train rows; clips 3 and 4 hold 51 and 59 rows (not 50/60)."""
    rng = np.random.default_rng(3)
    counts = [t // 4 for t in seed_ds.SEED_CLIP_SECONDS[:9]]
    labels = np.repeat([seed_ds.CLIP_LABELS[c] + 1 for c in range(9)], counts)
    bounds = seed_ds.recover_clips(labels, _smooth_clips(counts, rng), path=seed_ds.Path("x.npz"), part="train",
                                   window_s=4.0)
    assert sum(counts) == 499
    assert [(c, b - a) for c, a, b in bounds][2:4] == [(3, 51), (4, 59)]
    assert bounds[3][1] == 167  # clip 4 starts after train row 166


def test_clip_recovery_uses_the_feature_jump_when_the_durations_do_not_fit():
    rng = np.random.default_rng(4)
    counts = [7, 9, 4, 12, 6, 8, 5, 7, 9]  # clips 3+4 = 16 rows: not the real 110
    labels = np.repeat([seed_ds.CLIP_LABELS[c] + 1 for c in range(9)], counts)
    bounds = seed_ds.recover_clips(labels, _smooth_clips(counts, rng), path=seed_ds.Path("x.npz"), part="train",
                                   window_s=4.0)
    assert [b - a for _, a, b in bounds] == counts


def test_clip_recovery_refuses_labels_out_of_clip_order():
    labels = np.repeat([1, 2, 0, 1, 2, 0, 1, 2], 5)  # starts neutral: not SEED's order
    with pytest.raises(DataFormatError, match=r"x\.npz: train_label runs \[1, 2, 0, .*\] do not match SEED's clips 1-9"):
        seed_ds.recover_clips(labels, np.zeros((40, 62, 5)), path=seed_ds.Path("x.npz"), part="train", window_s=4.0)


def test_multimodal_1s_eeg_takes_the_eye_row_of_its_4s_window(multimodal):
    rec4 = seed_ds.read(mm_files(multimodal), entry="multimodal")
    rec1 = seed_ds.read(mm_files(multimodal, eeg=multimodal["eeg_1s"]), entry="multimodal")
    for seg1, seg4 in zip(rec1.segments, rec4.segments):
        n4 = seg4.shipped.other.shape[0]
        assert seg1.shipped.de.shape[0] == 4 * n4
        np.testing.assert_array_equal(seg1.shipped.other[::4], seg4.shipped.other)
    seconds = multimodal["seconds"]
    assert rec1.shipped.dropped_windows == sum(s - 4 * (s // 4) for s in seconds)  # 1 s windows after the last 4 s one


def test_subject_without_eye_data_is_refused_with_the_reason(tmp_path):
    config = {"seed": {"source": "synthetic", "entry": "multimodal", "subjects": [1, 6], "sessions": [1]}}
    with pytest.raises(ConfigError, match=r"seed.subjects.*subject 6 has no eye data in SEED_Multimodal.*1-5 and 8-14"):
        seed_ds.recordings(config, tmp_path)
    config["seed"]["subjects"] = [14]
    assert seed_ds.recordings(config, tmp_path) == ["14_1"]


def test_psd_protocol_is_refused_for_multimodal(tmp_path):
    config = {"seed": {"source": "synthetic", "entry": "multimodal", "subjects": [1], "sessions": [1]},
              "experiments": {"seed_protocol": {"eeg_feature": "de+psd"}}}
    with pytest.raises(ConfigError, match="does not ship"):
        seed_ds.recordings(config, tmp_path)


def test_missing_eye_file_of_a_subject_with_eeg_is_one_line(multimodal, tmp_path):
    import shutil

    root = tmp_path / "SEED"
    shutil.copytree(multimodal["root"], root)
    config = {"seed": {"source": str(root), "entry": "multimodal", "subjects": [1], "sessions": [1]}}
    assert seed_ds.recordings(config, root) == ["1_1"]
    (root / "SEED_Multimodal/Chinese" / MM_EYE / "1_1").unlink()
    with pytest.raises(DataFormatError, match=r"eye_tracking_feature/1_1: not found: subject 1 has EEG features "
                       r"\(1_1\.npz\) but no eye-feature file") as info:
        seed_ds.recordings(config, root)
    assert "\n" not in str(info.value)
    # source may also be SEED_Multimodal/Chinese itself
    chinese = root / "SEED_Multimodal" / "Chinese"
    assert seed_ds.multimodal_root(chinese) == chinese


def _edit_eye(path, tmp_path, edit):
    import pickle

    with open(path, "rb") as f:
        content = pickle.load(f)
    edit(content)
    out = tmp_path / path.name
    with open(out, "wb") as f:
        pickle.dump(content, f, protocol=4)
    return out


def _edit_eeg(path, tmp_path, edit):
    import pickle

    npz = np.load(path)
    members = {"train_data": pickle.loads(npz["train_data"]), "test_data": pickle.loads(npz["test_data"]),
               "train_label": npz["train_label"], "test_label": npz["test_label"]}
    edit(members)
    out = tmp_path / "eeg_used_4s" / path.name
    out.parent.mkdir(exist_ok=True)
    np.savez(out, **{k: np.array(pickle.dumps(v, protocol=4)) if k.endswith("data") else v for k, v in members.items()})
    return out


def test_bad_multimodal_inputs_give_one_line_and_no_output(multimodal, tmp_path):
    def fail(files, message, **options):
        assert_feature_stage_refuses(files, message, output=tmp_path / "features" / "1_1.h5", dataset="seed",
                                     bandpass={}, bands={}, window_s=4.0, step_s=4.0,
                                     read_options={"entry": "multimodal", **options})

    def drop_row(c):
        c["train_data_eye"] = c["train_data_eye"][:-1]

    fail(mm_files(multimodal, eye=_edit_eye(multimodal["eye"], tmp_path, drop_row)),
         r"1_1: train_data_eye has \d+ windows but 1_1\.npz train_data \(clips 1-9\) gives \d+")

    def extra_column(c):
        c["test_data_eye"] = np.hstack([c["test_data_eye"], c["test_data_eye"][:, :1]])

    fail(mm_files(multimodal, eye=_edit_eye(multimodal["eye"], tmp_path, extra_column)),
         r"1_1: test_data_eye has shape \(\d+, 34\), expected \(n_windows, 33\)")

    def nan_eye(c):
        c["train_data_eye"][3, 5] = np.nan

    nan_file = _edit_eye(multimodal["eye"], tmp_path, nan_eye)
    fail(mm_files(multimodal, eye=nan_file), r"1_1: clip 1: 1 window\(s\) with NaN/inf \(first train row 3\); "
         r"set seed.nan_windows: drop")

    def nan_eeg(c):
        c["test_data"]["alpha"][0, 0] = np.inf

    fail(mm_files(multimodal, eeg=_edit_eeg(multimodal["eeg"], tmp_path, nan_eeg)),
         r"1_1\.npz: clip 10: 1 window\(s\) with NaN/inf \(first test row 0\)")

    def fewer_labels(c):
        c["train_label"] = c["train_label"][:-1]

    fail(mm_files(multimodal, eeg=_edit_eeg(multimodal["eeg"], tmp_path, fewer_labels)),
         r"1_1\.npz: train_label has \d+ entries for \d+ windows")

    def missing_band(c):
        del c["train_data"]["gamma"]

    fail(mm_files(multimodal, eeg=_edit_eeg(multimodal["eeg"], tmp_path, missing_band)),
         r"train_data holds \['alpha', 'beta', 'delta', 'theta'\], expected a dict with keys delta, theta")
    fail(mm_files(multimodal, eye=tmp_path / "nothing"), r"nothing: file not found")

    # drop: the NaN window is left out and counted, the rest written.
    rec = seed_ds.read(mm_files(multimodal, eye=nan_file), entry="multimodal", nan_windows="drop")
    assert rec.shipped.dropped_windows == 1
    assert rec.segments[0].shipped.de.shape[0] == multimodal["seconds"][0] // 4 - 1
    assert rec.segments[0].shipped.start_s.tolist() == [4.0 * i for i in range(multimodal["seconds"][0] // 4) if i != 3]


def test_eye_pickle_with_code_is_refused(multimodal, tmp_path):
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("owned",))

    bad = tmp_path / "1_1"
    bad.write_bytes(pickle.dumps({"train_data_eye": Evil()}, protocol=4))
    with pytest.raises(DataFormatError, match=r"not a readable pickle \(global builtins.print not allowed\)"):
        seed_ds.read_multimodal_eye(bad)


@pytest.mark.workflow
def test_multimodal_entry_runs_to_the_tables(tmp_path):
    """``entry: multimodal`` on the synthetic SEED_Multimodal, networks on EEG + the 33 eye features."""
    import h5py
    import pandas as pd

    from support.workflow import packed, run_snakemake, tiny_config, write_config

    config = tiny_config()
    config["seed"].update(entry="multimodal", sessions=[1])
    config["synthetic"]["seed_clip_seconds"] = [60, 72]
    config["deap"]["enabled"] = False
    config["experiments"]["selection"] = ["validation"]
    config["search"]["n_configs"]["seed"] = 1
    keep = ("linear_svm_other", "bddae", "bimodal_lstm")
    for name in config["models"]:
        config["models"][name]["enabled"] = name in keep
    config["models"]["bddae"]["fixed"].update(max_epochs=5, patience=3, pretrain_epochs=5)
    config["models"]["bimodal_lstm"]["fixed"].update(max_epochs=5, patience=3)
    write_config(tmp_path, packed(config))
    run_snakemake(tmp_path)
    table = pd.read_csv(tmp_path / "results/tables/experiments.csv")
    assert set(table["model"]) == set(keep) and table["test_accuracy"].notna().all()
    with h5py.File(tmp_path / "results/features/seed/1_1.h5") as f:
        assert f["other/features"].shape[1] == 33 and "lab_eye_features" in f.attrs["other_kind"]
