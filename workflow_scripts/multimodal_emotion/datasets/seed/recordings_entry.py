"""SEED's entry ``recordings`` (the default through ``auto``): EEG from the recordings
(``Preprocessed_EEG`` or raw .cnt), featurised by us on the lab's windows, with the lab's
33 eye features of the same session (paired by date order), and the lab's released DE
of the same windows for the QC agreement (:func:`lab_reference`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ...recording import DataFormatError, Recording, Segment, check_eeg, check_option
from .. import bcmi
from .extracted import read_extracted
from .layout import SeedTree, recordings_eeg_folder, session_in_date_order, subjects_with_eye
from .multimodal import LAB_EYE_FEATURE_NAMES, LAB_EYE_KIND, read_multimodal_eeg, read_multimodal_eye, recover_clips
from .preprocessed import clips_recording, read_cnt, read_eeg, read_labels
from .spec import (
    CHANNELS,
    EEG_DIR,
    EXTRACTED_4S_DIR,
    EXTRACTED_DIRS,
    EYE_DIR,
    LAB_WINDOWS_S,
    LABEL_FILE,
    MULTIMODAL_EEG_DIR,
    MULTIMODAL_EEG_WINDOW_S,
    MULTIMODAL_EYE_DIR,
    MULTIMODAL_EYE_WINDOW_S,
    MULTIMODAL_PARTS,
    RAW_DIR,
    SFREQ,
    SPEC,
    TIME_FILE,
    subject_of,
)

logger = logging.getLogger(__name__)


def recordings_input_files(config: Mapping, tree: SeedTree, recording: str) -> dict[str, str]:
    """Files of one session for entry ``recordings``: the EEG (``Preprocessed_EEG`` .mat, or
    ``SEED_RAW_EEG`` .cnt + time.txt), ``label.mat``, the eye features of the same session
    (date order, :func:`check_eye_pairing`) where the subject has them, and the lab's
    released DE of the same windows where present (``lab_de``, for the QC agreement)."""
    cfg = config["seed"]
    base = tree.base
    subject = int(subject_of(recording))
    files: dict[str, Path] = {"labels": base / EEG_DIR / LABEL_FILE}
    if cfg.get("recordings_eeg", "preprocessed") == "raw":
        folder = recordings_eeg_folder(tree, subject, raw=True)
        files.update(cnt=folder / f"{recording}.cnt", time=base / RAW_DIR / TIME_FILE)
    else:
        files["eeg"] = base / EEG_DIR / f"{recording}.mat"
    session = session_in_date_order(tree, recording, raw="cnt" in files)
    if subject in subjects_with_eye(config, tree):
        if cfg.get("eye_source", "lab_features") == "eye_movements":
            files["eye"] = base / EYE_DIR / f"{recording}.mat"
        else:
            files["lab_eye"] = tree.chinese / MULTIMODAL_EYE_DIR / f"{subject}_{session}"
    window = float(cfg.get("lab_window_s", 4.0))
    extracted = base / (EXTRACTED_4S_DIR if window == 4.0 else EXTRACTED_DIRS[1]) / f"{recording}.mat"
    if tree.synthetic or extracted.is_file():
        files["lab_de"] = extracted
    elif tree.chinese is not None:
        npz = tree.chinese / MULTIMODAL_EEG_DIR / f"eeg_used_{window:g}s" / f"{subject}_{session}.npz"
        if npz.is_file():
            files["lab_de"] = npz
    return {role: str(path) for role, path in files.items()}


def read_recordings_session(files: Mapping[str, str], *, data_format: str = "auto", window_s: float = 4.0) -> Recording:
    """One session for entry ``recordings``: EEG clips (µV, 200 Hz) with, per clip, the
    lab's eye-feature rows of its 4 s windows (floor(T / 4) each, train = clips 1-9,
    test = 10-15, rows in clip order), or our ``Eye_movements`` tables, or nothing.

    With 1 s windows each takes the row of the 4 s window it lies in, and the clip is cut
    after its last whole 4 s window. A row count that does not match the clips is one
    line naming the eye file, the clip and both counts.
    """
    check_option("lab_window_s", float(window_s), LAB_WINDOWS_S)
    if "cnt" in files:
        path = Path(files["cnt"])
        session = read_cnt(path, files["time"], data_format=data_format)
        clips = [check_eeg(path, f"clip {k + 1}", clip, len(CHANNELS)) for k, clip in enumerate(session.clips)]
        sources = [path, Path(files["time"])]
    else:
        path = Path(files["eeg"])
        _, clips = read_eeg(path)
        sources = [path]
    labels = read_labels(files["labels"])
    sources.append(Path(files["labels"]))
    if files.get("eye"):  # our Eye_movements layout (seed.eye_source: eye_movements)
        sources.append(Path(files["eye"]))
        return clips_recording(path, clips, sfreq=SFREQ, label_path=files["labels"], eye_path=files["eye"],
                               sources=sources)
    eye_rows = None
    if files.get("lab_eye"):
        eye_path = Path(files["lab_eye"])
        sources.append(eye_path)
        eye_rows = lab_eye_rows(eye_path, [clip.shape[1] for clip in clips], eeg_name=path.name)
    per_row = int(round(MULTIMODAL_EYE_WINDOW_S / window_s))
    segments = []
    for k, clip in enumerate(clips):
        other = None
        if eye_rows is not None:
            rows = eye_rows[k]
            if per_row > 1:  # 1 s windows: the clip up to its last whole 4 s window
                clip = clip[:, : int(round(rows.shape[0] * MULTIMODAL_EYE_WINDOW_S * SFREQ))]
                rows = np.repeat(rows, per_row, axis=0)
            other = rows
        segments.append(Segment(index=k + 1, eeg=clip, other=other, labels=np.array([labels[k]], dtype=np.float64)))
    rec = bcmi.recording(SPEC, name=path.stem, subject=subject_of(path.stem), segments=segments, sources=sources,
                         other_kind="none" if eye_rows is None else LAB_EYE_KIND)
    if eye_rows is not None:
        rec.other_names = LAB_EYE_FEATURE_NAMES
    return rec


def lab_eye_rows(eye_path: Path, clip_samples: list[int], *, eeg_name: str) -> list[np.ndarray]:
    """Split one ``04-Eye-tracking-feature`` file into its clips: floor(T / 4) rows per
    clip, T = samples / 200 Hz, clips 1-9 in ``train_data_eye`` and 10-15 in
    ``test_data_eye``. A part whose row count differs is one :class:`DataFormatError`
    naming the file, the first clip where the counts part, and both counts."""
    eye = read_multimodal_eye(eye_path)
    per_window = int(round(MULTIMODAL_EYE_WINDOW_S * SFREQ))
    out: list[np.ndarray] = []
    for part, clips in MULTIMODAL_PARTS.items():
        counts = [clip_samples[c - 1] // per_window for c in clips]
        rows = eye[part]
        if sum(counts) != rows.shape[0]:
            ends = np.cumsum(counts)
            first = next((c for c, end in zip(clips, ends) if end > rows.shape[0]), clips[-1])
            raise DataFormatError(eye_path, f"{part}_data_eye has {rows.shape[0]} rows but clips {clips[0]}-"
                                  f"{clips[-1]} of {eeg_name} give {sum(counts)} windows of 4 s (clip {first}: "
                                  f"{counts[clips.index(first)]} windows, eye rows left for it: "
                                  f"{max(0, rows.shape[0] - int(ends[clips.index(first)] - counts[clips.index(first)]))})")
        offsets = np.r_[0, np.cumsum(counts)]
        out += [rows[offsets[i] : offsets[i + 1]] for i in range(len(clips))]
    return out


def lab_reference(files: Mapping[str, str], *, window_s: float) -> dict | None:
    """The lab's released DE of the same session (``lab_de``: ``ExtractedFeatures_1s/_4s``
    de_LDS, or ``02-EEG-DE-feature`` .npz), per clip, for the QC agreement; None when
    absent or on other windows than ours. The window of an ExtractedFeatures file is taken
    from its arrays: windows per clip against the clip's length in the EEG file."""
    path = files.get("lab_de")
    if not path or not Path(path).is_file():
        return None
    path = Path(path)
    if path.suffix == ".npz":
        if MULTIMODAL_EEG_WINDOW_S.get(path.parent.name) != window_s:
            return None
        eeg = read_multimodal_eeg(path)
        clips: dict[int, np.ndarray] = {}
        for part, (de, labels) in eeg.items():
            for clip, start, stop in recover_clips(labels, de, path=path, part=part, window_s=window_s):
                clips[clip] = de[start:stop]
        return {"origin": f"{path.parent.name}/{path.name} (the lab's DE)", "clips": clips}
    shipped = read_extracted(path, "de_LDS")
    if files.get("eeg"):
        _, eeg_clips = read_eeg(files["eeg"])
        seconds = sum(c.shape[1] for c in eeg_clips) / SFREQ
        ratio = seconds / sum(de.shape[0] for de, _ in shipped)
        if abs(ratio - window_s) > 0.25 * window_s:
            logger.info("%s: about %.2f s per window, not our %g s: no agreement computed", path, ratio, window_s)
            return None
    return {"origin": f"{path.parent.name}/{path.name} de_LDS (the lab's DE)",
            "clips": {k + 1: de for k, (de, _) in enumerate(shipped)}}
