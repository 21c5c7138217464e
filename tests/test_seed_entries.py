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
    out = seed_lab.moving_average(y, width=5)
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
    rec = seed_ds.read(files, extracted_feature="de_movingAve")
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
    alone = features.shipped_feature_file(seed_ds.read({k: v for k, v in files.items() if k != "eye"}), attrs={})
    assert alone.other.shape == (n, 0) and alone.attrs["other_kind"] == "none"


def test_extracted_de_follows_our_de_of_the_same_eeg(extracted, seed_files):
    """The synthetic lab features are our 1 s DE of the same EEG, LDS-smoothed within the clip."""
    rec = seed_ds.read({"extracted": str(extracted), "labels": str(seed_files["labels"])}, extracted_feature="de_LDS")
    _, clips = seed_ds.read_eeg(seed_files["eeg"])
    ours, _ = seed_lab.clip_band_features(clips[0], window_s=1.0)
    lab = rec.segments[0].shipped.de
    assert lab.shape == ours.shape
    np.testing.assert_allclose(lab, seed_lab.lds_smooth(ours), rtol=1e-6)
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
        seed_ds.read({"extracted": str(bad), "labels": str(seed_files["labels"])})
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

    from workflow_helpers import run_snakemake, tiny_config, write_config

    config = tiny_config()
    config["seed"].update(entry="extracted", sessions=[1])
    config["deap"]["enabled"] = False
    config["experiments"]["selection"] = ["validation"]
    for name in config["models"]:
        config["models"][name]["enabled"] = name in ("linear_svm", "linear_svm_other")
    config["models"]["linear_svm_other"]["enabled"] = True
    write_config(tmp_path, config)
    run_snakemake(tmp_path)
    table = pd.read_csv(tmp_path / "results/tables/experiments.csv")
    assert set(table["model"]) == {"linear_svm", "linear_svm_other"}
    assert table["test_accuracy"].notna().all()
    with h5py.File(tmp_path / "results/features/seed/1_20131027.h5") as f:
        assert re.search(r"lab's ExtractedFeatures de_LDS", f.attrs["feature_origin"])
        assert f.attrs["window_s"] == "1.0" and f["other/features"].shape[1] == 41
    assert (tmp_path / "results/synthetic/SEED/ExtractedFeatures/1_20131027.mat").is_file()
