"""The per-recording quality page (an mne.Report) flags what is wrong with a recording, and only that."""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import scipy.io

from multimodal_emotion.features import feature_stage
from multimodal_emotion.quality_report import quality_stage

SETTINGS = {"bandpass": {"l_freq": 1.0, "h_freq": 50.0}, "window_s": 4.0, "step_s": 1.0,
            "bands": {"delta": [1, 4], "theta": [4, 8], "alpha": [8, 14], "beta": [14, 31], "gamma": [31, 50]}}
PROTOCOL = {"kind": "clips", "tasks": ["emotion"], "train_clips": [1, 2, 3, 4, 5, 6], "validation_clips": [7, 8, 9],
            "test_clips": [10, 11, 12, 13, 14, 15]}


class RenderedPage(HTMLParser):
    """What a reader of the page sees: its text (scripts and styles left out), its images
    (alt text, whether the source is an embedded PNG) and its table rows (class, cells)."""

    def __init__(self, html: str):
        super().__init__()
        self._hidden, self._row, self.words, self.images, self.rows = 0, None, [], [], []
        self.feed(html)
        self.text = " ".join(" ".join(self.words).split())

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._hidden += tag in ("script", "style")
        if tag == "img":
            self.images.append((attrs.get("alt"), (attrs.get("src") or "").startswith("data:image/png;base64,")))
        if tag == "tr":
            self._row = (attrs.get("class"), [])

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style")
        if tag == "tr" and self._row is not None:
            self.rows.append((self._row[0], " ".join(" ".join(self._row[1]).split())))
            self._row = None

    def handle_data(self, data):
        if not self._hidden:
            self.words.append(data)
            if self._row is not None:
                self._row[1].append(data)


def qc_page(tmp_path, files, name):
    features = tmp_path / f"{name}.h5"
    feature_stage(dataset="seed", inputs={k: str(v) for k, v in files.items()}, output=str(features), **SETTINGS)
    html = tmp_path / f"{name}.html"
    quality_stage(features_path=str(features), output_html=str(html), protocol=PROTOCOL, seed=0)
    return html.read_text()


def test_flat_channel_and_short_clip_are_flagged_and_a_clean_recording_is_not(seed_files, tmp_path):
    clean = RenderedPage(qc_page(tmp_path, seed_files, "clean"))
    assert clean.text.startswith("Quality report: 1_20131027")
    assert "FLAG" not in clean.text and "0 check(s) flagged" in clean.text
    assert {("Power spectra", True), ("DE features", True)} <= set(clean.images)
    assert "class balance emotion/train" in clean.text and "Windows per segment" in clean.text
    assert "Other modality (eye_movements)" in clean.text

    content = scipy.io.loadmat(seed_files["eeg"])
    damaged = {}
    for key, value in content.items():
        if key.startswith("__"):
            continue
        value = np.array(value, dtype=np.float64)
        rng = np.random.default_rng(0)
        value[5] = 1e-7 * rng.standard_normal(value.shape[1])  # a disconnected electrode (F7)
        if key.endswith("_eeg4"):
            value = value[:, : value.shape[1] // 4]  # clip 4 cut short
        damaged[key] = value
    damaged_path = tmp_path / "Preprocessed_EEG" / seed_files["eeg"].name
    damaged_path.parent.mkdir(parents=True)
    scipy.io.savemat(damaged_path, damaged)
    page = RenderedPage(qc_page(tmp_path, {**seed_files, "eeg": damaged_path}, "damaged"))
    flagged = [cells for kind, cells in page.rows if kind == "flag"]
    assert "2 check(s) flagged" in page.text and len(flagged) == 2, flagged
    assert any(row.startswith("FLAG flat channels") and "F7" in row for row in flagged)
    assert any(row.startswith("FLAG segment lengths") and "segment(s) 4 " in row for row in flagged)


def test_truncated_files_say_they_are_truncated(seed_files, deap_file, tmp_path):
    """A cut-short .mat or .dat names the file, says 'truncated' and compares the size
    on disk with what the format promises."""
    import pytest

    from multimodal_emotion.datasets import deap, seed
    from multimodal_emotion.recording import DataFormatError

    cut_mat = tmp_path / "1_20131027.mat"
    data = seed_files["eeg"].read_bytes()
    cut_mat.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError, match=r"1_20131027\.mat: truncated \.mat file: \d+ bytes on disk, but the element"):
        seed.read_session(cut_mat, seed_files["labels"], None)
    cut_dat = tmp_path / "s01.dat"
    data = deap_file.read_bytes()
    cut_dat.write_bytes(data[: len(data) // 3])
    with pytest.raises(DataFormatError, match=r"s01\.dat: truncated pickle: \d+ bytes on disk"):
        deap.load_arrays(cut_dat)


def test_agreement_with_the_labs_features_is_a_section_of_its_own(seed_files, tmp_path):
    """A feature file with the lab's released DE beside it (``lab_agreement``) gets the
    agreement section: a table per band and its figure; one without it gets none."""
    from multimodal_emotion.quality_report import quality_page
    from multimodal_emotion.store import read_features, read_qc

    features_path = tmp_path / "clean.h5"
    feature_stage(dataset="seed", inputs={k: str(v) for k, v in seed_files.items()}, output=str(features_path),
                  **SETTINGS)
    features, qc = read_features(features_path), read_qc(features_path)
    quality_page(features, qc, str(tmp_path / "plain.html"))
    plain = RenderedPage((tmp_path / "plain.html").read_text())
    assert "Agreement with the lab's released features" not in plain.text
    features.attrs["lab_agreement"] = {"origin": "ExtractedFeatures_4s/1_20131027.mat", "n_windows": 180,
                                       "bands": ["delta", "theta", "alpha", "beta", "gamma"],
                                       "correlation": [0.991, 0.987, 0.95, 0.2, 0.999],
                                       "offset": [-0.01, 0.02, 0.0, 1.5, -0.003], "window_counts_differ": [[4, 45, 44]]}
    quality_page(features, qc, str(tmp_path / "agreement.html"))
    page = RenderedPage((tmp_path / "agreement.html").read_text())
    assert "Agreement with the lab's released features" in page.text and "on the same 180 windows" in page.text
    assert ("agreement per band", True) in page.images
    assert "beta 0.200 1.5" in [cells for _, cells in page.rows] and "Window counts differ in 1 clip(s)" in page.text
