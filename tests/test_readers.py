"""Reader round-trips of every synthetic format, and one test per bad-input class."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from multimodal_emotion import synthetic
from multimodal_emotion import datasets, recording, synthetic  # noqa: F401
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds  # noqa: F401
from multimodal_emotion.recording import DataFormatError

from conftest import TINY


# --- round trips ---------------------------------------------------------------------


def test_seed_session_round_trip(seed_files):
    rec = seed_ds.read_session(seed_files["eeg"], seed_files["labels"], seed_files["eye"])
    assert rec.sfreq == 200.0 and rec.ch_names == seed_ds.CHANNELS
    assert [s.index for s in rec.segments] == list(range(1, 16))
    assert [int(s.labels[0]) for s in rec.segments] == list(seed_ds.CLIP_LABELS)
    lengths = {s.eeg.shape[1] for s in rec.segments}
    assert len(lengths) > 1  # clip lengths vary
    assert all(s.eeg.shape[0] == 62 and 20 * 200 < s.eeg.shape[1] <= 26 * 200 + 1 for s in rec.segments)
    # As in the release (djc_eeg1 is (62, 47001)): whole seconds plus one sample.
    assert all(s.eeg.shape[1] % 200 == 1 for s in rec.segments)
    raw = scipy.io.loadmat(seed_files["eeg"])
    prefix = next(k for k in raw if k.endswith("_eeg1")).split("_")[0]
    np.testing.assert_array_equal(rec.segments[4].eeg, raw[f"{prefix}_eeg5"])
    assert rec.other_kind == "eye_movements"
    eye = rec.segments[0].other
    assert eye.pupil.shape[1] == 3 and eye.events.shape[1] == 6
    assert set(rec.source_files) == {str(p) for p in seed_files.values()}
    assert all(len(h) == 64 for h in rec.source_files.values())


def test_seed_reader_accepts_any_variable_prefix(tmp_path, seed_files):
    content = {k: v for k, v in scipy.io.loadmat(seed_files["eeg"]).items() if not k.startswith("__")}
    renamed = {f"ww_eeg{k.split('_eeg')[1]}": v for k, v in content.items()}
    scipy.io.savemat(tmp_path / "9_20140101.mat", renamed)
    prefix, clips = seed_ds.read_eeg(tmp_path / "9_20140101.mat")
    assert prefix == "ww" and len(clips) == 15


def test_seed_labels_round_trip(seed_files):
    assert seed_ds.read_labels(seed_files["labels"]).tolist() == list(seed_ds.CLIP_LABELS)


def test_deap_python_round_trip(deap_file):
    rec = deap_ds.read_subject(deap_file)
    with open(deap_file, "rb") as f:
        raw = pickle.load(f, encoding="latin1")
    assert raw["data"].shape == (40, 40, 8064) and raw["labels"].shape == (40, 4)
    assert rec.sfreq == 128.0 and len(rec.segments) == 40
    # The 3 s baseline is dropped: 60 s of video remain.
    assert rec.segments[0].eeg.shape == (32, 7680) and rec.segments[0].other.shape == (8, 7680)
    np.testing.assert_array_equal(rec.segments[3].eeg, raw["data"][3, :32, 384:])
    np.testing.assert_array_equal(rec.segments[3].labels, raw["labels"][3])
    assert raw["labels"].min() >= 1 and raw["labels"].max() <= 9


def test_deap_matlab_variant_reads_the_same(tmp_path, deap_file):
    mat = tmp_path / "data_preprocessed_matlab" / "s01.mat"
    synthetic.deap.write_subject(mat, subject=1, cfg=TINY)
    a, b = deap_ds.read_subject(deap_file), deap_ds.read_subject(mat)
    np.testing.assert_array_equal(a.segments[7].eeg, b.segments[7].eeg)
    np.testing.assert_array_equal(a.segments[7].labels, b.segments[7].labels)


def test_synthetic_files_are_deterministic(tmp_path, seed_files):
    again = tmp_path / "again.mat"
    synthetic.seed.write_session(again, None, subject=1, session=1, cfg=TINY)
    assert recording.sha256_of(again) == recording.sha256_of(seed_files["eeg"])


# --- bad inputs: one test per class --------------------------------------------------


def _seed_vars(seed_files) -> dict:
    return {k: v for k, v in scipy.io.loadmat(seed_files["eeg"]).items() if not k.startswith("__")}


def test_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match=r"nothere\.mat: file not found"):
        seed_ds.read_eeg(tmp_path / "nothere.mat")


def test_empty_file(tmp_path):
    path = tmp_path / "s01.dat"
    path.touch()
    with pytest.raises(DataFormatError, match=r"s01\.dat: file is empty"):
        deap_ds.read_subject(path)


@pytest.mark.parametrize("name", ["1_20131027.mat", "label.mat"])
def test_truncated_mat(tmp_path, seed_files, name):
    source = seed_files["labels"] if name == "label.mat" else seed_files["eeg"]
    path = tmp_path / name
    path.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    with pytest.raises(DataFormatError, match=rf"{name}: truncated \.mat file: \d+ bytes on disk"):
        seed_ds.read_labels(path) if name == "label.mat" else seed_ds.read_eeg(path)


def test_garbage_mat(tmp_path):
    path = tmp_path / "1_20131027.mat"
    path.write_bytes(b"this is not a matlab file" * 10)
    with pytest.raises(DataFormatError, match=r"1_20131027\.mat: unreadable \.mat file"):
        seed_ds.read_eeg(path)


def test_truncated_dat(tmp_path, deap_file):
    path = tmp_path / "s01.dat"
    path.write_bytes(deap_file.read_bytes()[:100_000])
    with pytest.raises(DataFormatError, match=r"s01\.dat: truncated pickle: 100000 bytes on disk"):
        deap_ds.read_subject(path)


def test_wrong_variable_names(tmp_path, seed_files):
    path = tmp_path / "1_x.mat"
    scipy.io.savemat(path, {f"clip{k}": v for k, v in enumerate(_seed_vars(seed_files).values())})
    with pytest.raises(DataFormatError, match=r"1_x\.mat: no EEG variables named '<initials>_eeg<k>'"):
        seed_ds.read_eeg(path)


def test_deap_wrong_keys(tmp_path):
    path = tmp_path / "s01.dat"
    with open(path, "wb") as f:
        pickle.dump({"eeg": np.zeros(3)}, f)
    with pytest.raises(DataFormatError, match=r"s01\.dat: no 'data' entry"):
        deap_ds.read_subject(path)


def _clip_key(content: dict, clip: int) -> str:
    """The variable of clip ``clip`` (its prefix is the subject's initials)."""
    return next(k for k in content if k.endswith(f"_eeg{clip}"))


def _with_clip(clip: int, index, value):
    """An edit of a SEED EEG file's variables: ``clip``'s array with ``[index] = value``."""
    def edit(content: dict) -> dict:
        key = _clip_key(content, clip)
        array = content[key].copy()
        array[index] = value
        return {**content, key: array}
    return edit


SEED_EEG_BREAKS = {  # id: (edit of the variables, the problem the one line states)
    "wrong-channel-count": (lambda c: {**c, _clip_key(c, 3): c[_clip_key(c, 3)][:60]},
                            r"\w+_eeg3 has 60 channels, expected 62"),
    "too-few-clips": (lambda c: {k: v for k, v in c.items() if not k.endswith(("_eeg14", "_eeg15"))},
                      r"found 13 clips, expected 15 \(missing \[14, 15\]"),
    "nan": (_with_clip(2, (5, 100), np.nan), r"\w+_eeg2 contains 1 NaN/inf values"),
    "inf": (_with_clip(2, (5, 100), np.inf), r"\w+_eeg2 contains 1 NaN/inf values"),
    "flat-channel": (_with_clip(1, 10, 0.0), r"\w+_eeg1 has 1 flat \(zero-variance\) channel\(s\), first index 10"),
}


@pytest.mark.parametrize("edit, message", SEED_EEG_BREAKS.values(), ids=SEED_EEG_BREAKS.keys())
def test_seed_eeg_file_with_one_thing_wrong(tmp_path, seed_files, edit, message):
    scipy.io.savemat(tmp_path / "1_x.mat", edit(_seed_vars(seed_files)))
    with pytest.raises(DataFormatError, match=r"1_x\.mat: " + message):
        seed_ds.read_eeg(tmp_path / "1_x.mat")


def _with_value(key: str, index, value):
    """An edit of a file's variables (a DEAP pickle's dict, a .mat's): ``content[key]`` with ``[index] = value``."""
    def edit(content: dict) -> dict:
        array = content[key].copy()
        array[index] = value
        return {**content, key: array}
    return edit


DEAP_BREAKS = {  # id: (edit of the pickled dict, the problem the one line states)
    "wrong-channel-count": (lambda c: {**c, "data": c["data"][:, :32]},
                            r"'data' has shape \(40, 32, 8064\), expected \(40, 40, 8064\)"),
    "too-few-trials": (lambda c: {**c, "data": c["data"][:39], "labels": c["labels"][:39]},
                       r"'data' has 39 trials, expected 40"),
    "nan": (_with_value("data", (5, 36, 4000), np.nan), r"trial 6 peripheral signals contains 1 NaN/inf"),
    "ratings-out-of-range": (_with_value("labels", (0, 1), 9.5), r"ratings outside \[1, 9\]"),
}


@pytest.mark.parametrize("edit, message", DEAP_BREAKS.values(), ids=DEAP_BREAKS.keys())
def test_deap_file_with_one_thing_wrong(tmp_path, deap_file, edit, message):
    with open(deap_file, "rb") as f:
        content = pickle.load(f, encoding="latin1")
    with open(tmp_path / "s02.dat", "wb") as f:
        pickle.dump(edit(content), f)
    with pytest.raises(DataFormatError, match=r"s02\.dat: " + message):
        deap_ds.read_subject(tmp_path / "s02.dat")


def test_seed_labels_out_of_range(tmp_path):
    scipy.io.savemat(tmp_path / "label.mat", {"label": np.array([[1, 0, 2] + [0] * 12])})
    with pytest.raises(DataFormatError, match=r"label\.mat: labels \[2\] outside the allowed set"):
        seed_ds.read_labels(tmp_path / "label.mat")


def test_seed_labels_wrong_count(tmp_path):
    scipy.io.savemat(tmp_path / "label.mat", {"label": np.zeros((1, 14))})
    with pytest.raises(DataFormatError, match=r"label\.mat: 'label' has 14 entries, expected 15"):
        seed_ds.read_labels(tmp_path / "label.mat")


EYE_BREAKS = {  # id: (edit of the eye file's variables, the problem the one line states)
    "missing-clip": (lambda c: {k: v for k, v in c.items() if k != "events_7"},
                     r"no variable 'events_7' \(clip 7 missing\)"),
    "bad-event-type": (_with_value("events_2", (0, 0), 9), r"events_2 has unknown event types \[9\]"),
    "nan": (_with_value("pupil_3", (4, 1), np.nan), r"pupil_3 contains 1 NaN/inf values"),
}


@pytest.mark.parametrize("edit, message", EYE_BREAKS.values(), ids=EYE_BREAKS.keys())
def test_eye_file_with_one_thing_wrong(tmp_path, seed_files, edit, message):
    content = {k: v for k, v in scipy.io.loadmat(seed_files["eye"]).items() if not k.startswith("__")}
    scipy.io.savemat(tmp_path / "eye.mat", edit(content))
    with pytest.raises(DataFormatError, match=r"eye\.mat: " + message):
        seed_ds.read_eye(tmp_path / "eye.mat")
