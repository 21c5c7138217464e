"""SEED's entry ``multimodal``: ``SEED_Multimodal/Chinese``, the lab's DE and its 33 eye
features per window (layout in :mod:`.spec`), clips recovered from the label runs."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ...recording import (
    ConfigError,
    DataFormatError,
    Recording,
    Segment,
    ShippedFeatures,
    ShippedWindows,
    check_file,
    check_option,
)
from .. import bcmi
from ..bcmi import pickled
from .layout import discover_seed_source
from .spec import (
    CHANNELS,
    CLIP_LABELS,
    LAB_BANDS,
    LABEL_SET,
    MULTIMODAL_BANDS,
    MULTIMODAL_DIR,
    MULTIMODAL_EEG_DIR,
    MULTIMODAL_EEG_WINDOW_S,
    MULTIMODAL_EYE_DIR,
    MULTIMODAL_EYE_WINDOW_S,
    MULTIMODAL_LABEL_OFFSET,
    MULTIMODAL_PARTS,
    MULTIMODAL_SUBJECTS,
    NAN_WINDOWS,
    SEED_CLIP_SECONDS,
    SPEC,
    TITLE,
    subject_of,
)

logger = logging.getLogger(__name__)


# The 33 eye features in file order. Only the grouping (12 pupil, 4 dispersion, 4 saccade,
# 2 fixation, 2 blink, 9 event statistics) follows the lab's description; the order inside
# the groups is inferred from the data (research note), not documented. Names after the
# column number are therefore marked as inferred in the feature file.
LAB_EYE_COLUMNS = (
    "pupil_x_de_0-0.2Hz", "pupil_y_de_0-0.2Hz", "pupil_x_de_0.2-0.4Hz", "pupil_y_de_0.2-0.4Hz",
    "pupil_x_de_0.4-0.6Hz", "pupil_y_de_0.4-0.6Hz", "pupil_x_de_0.6-1Hz", "pupil_y_de_0.6-1Hz",
    "pupil_x_mean", "pupil_y_mean", "pupil_x_std", "pupil_y_std",
    "dispersion_x_mean", "dispersion_y_mean", "dispersion_x_std", "dispersion_y_std",
    "saccade_duration_mean", "saccade_amplitude_mean", "saccade_duration_std", "saccade_amplitude_std",
    "fixation_duration_mean", "fixation_duration_std", "blink_duration_mean", "blink_duration_std",
    "blink_frequency", "fixation_frequency", "fixation_duration_max", "fixation_dispersion_total",
    "fixation_dispersion_max", "saccade_frequency", "saccade_duration_average", "saccade_amplitude_average",
    "saccade_latency_average",
)
N_LAB_EYE_FEATURES = len(LAB_EYE_COLUMNS)
LAB_EYE_FEATURE_NAMES = tuple(f"lab_eye_{i:02d}_{name}" for i, name in enumerate(LAB_EYE_COLUMNS, start=1))
LAB_EYE_KIND = bcmi.LAB_EYE_KIND


def multimodal_root(root: Path) -> Path:
    """``Chinese/`` of SEED_Multimodal: ``source`` may be the download's root, ``SEED_EEG/``,
    ``SEED_Multimodal/`` itself, or ``Chinese/`` (:func:`discover_seed_source`)."""
    return discover_seed_source(root).chinese or root / MULTIMODAL_DIR


def check_multimodal_subjects(subjects) -> None:
    """ConfigError for a subject SEED_Multimodal has no eye data for."""
    missing = [s for s in subjects if s not in MULTIMODAL_SUBJECTS]
    if missing:
        raise ConfigError(
            "seed.subjects", f"subject {missing[0]} has no eye data in SEED_Multimodal (the lab ships EEG and eye "
            "features for subjects 1-5 and 8-14 only; 6, 7 and 15 have EEG only): remove it, or use entry "
            "preprocessed/extracted without eye movements")


def multimodal_recordings(config: Mapping, root: Path) -> list[str]:
    """``{sub}_{ses}`` of the configured subjects and sessions; the files are checked here,
    so a missing one is a one-line error before any job runs."""
    cfg = config["seed"]
    check_multimodal_subjects(cfg["subjects"])
    protocols = config.get("experiments", {}).get("seed_protocol", {})  # one protocol or a list of them
    feature = next((f for p in ([protocols] if isinstance(protocols, Mapping) else protocols)
                    if (f := p.get("eeg_feature", "de")) != "de"), "de")
    if feature != "de":
        raise ConfigError("experiments.seed_protocol.eeg_feature",
                          f"{feature!r} needs PSD features, which SEED_Multimodal does not ship (DE only): use 'de'")
    names = [f"{s}_{k}" for s in cfg["subjects"] for k in cfg["sessions"]]
    if cfg["source"] != "synthetic":
        for name in names:
            files = multimodal_input_files(config, root, name)
            check_file(Path(files["multimodal_eeg"]))
            if not Path(files["multimodal_eye"]).is_file():
                raise DataFormatError(files["multimodal_eye"], f"not found: subject {subject_of(name)} has EEG "
                                      f"features ({Path(files['multimodal_eeg']).name}) but no eye-feature file")
    return names


def multimodal_input_files(config: Mapping, root: Path, recording: str) -> dict[str, str]:
    cfg = config["seed"]
    base = multimodal_root(root)
    variant = cfg.get("multimodal_eeg", "eeg_used_4s")
    return {"multimodal_eeg": str(base / MULTIMODAL_EEG_DIR / variant / f"{recording}.npz"),
            "multimodal_eye": str(base / MULTIMODAL_EYE_DIR / recording)}


def read_multimodal_eeg(path: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read ``02-EEG-DE-feature/eeg_used_*/{sub}_{ses}.npz``: ``"train"``/``"test"`` ->
    (de (n_windows, 62, 5) in :data:`MULTIMODAL_BANDS` order, labels as stored (0, 1, 2))."""
    return pickled.read_band_dict_npz(
        path, parts=tuple(MULTIMODAL_PARTS), bands=MULTIMODAL_BANDS, n_channels=len(CHANNELS),
        label_values={v + MULTIMODAL_LABEL_OFFSET for v in LABEL_SET})


def read_multimodal_eye(path: str | Path) -> dict[str, np.ndarray]:
    """Read ``04-Eye-tracking-feature/eye_tracking_feature/{sub}_{ses}``: ``"train"``/``"test"`` -> (n_windows, 33)."""
    return pickled.read_eye_pickle(path, parts=tuple(MULTIMODAL_PARTS), n_features=N_LAB_EYE_FEATURES)


def recover_clips(labels: np.ndarray, de: np.ndarray, *, path: Path, part: str, window_s: float) -> list[tuple[int, int, int]]:
    """``(clip, start, stop)`` rows of each clip of one part, from the label runs
    (:func:`.bcmi.pickled.recover_clips` with SEED's clips, labels and durations)."""
    clips = list(MULTIMODAL_PARTS[part])
    return pickled.recover_clips(
        labels, de, path=path, part=part, window_s=window_s, clips=clips,
        expected=[CLIP_LABELS[c - 1] + MULTIMODAL_LABEL_OFFSET for c in clips], clip_seconds=SEED_CLIP_SECONDS,
        dataset=TITLE)


def read_multimodal_session(files: Mapping[str, str], *, nan_windows: str = "error") -> Recording:
    """One session of SEED_Multimodal: the lab's DE and its 33 eye features per window.

    Windows are the lab's (4 s, or 1 s for ``eeg_used_1s``, non-overlapping). With 1 s
    EEG each window takes the eye row of the 4 s window it lies in; 1 s windows after
    a clip's last whole 4 s window have no eye row and are left out (counted).
    ``nan_windows``: ``"error"`` stops at a window with NaN/inf in either modality,
    ``"drop"`` leaves such windows out and counts them in the file's ``dropped_windows``.
    """
    check_option("nan_windows", nan_windows, NAN_WINDOWS)
    eeg_path, eye_path = Path(files["multimodal_eeg"]), Path(files["multimodal_eye"])
    window_s = MULTIMODAL_EEG_WINDOW_S.get(eeg_path.parent.name)
    if window_s is None:
        raise DataFormatError(eeg_path, f"cannot tell the window length: the folder must be one of "
                              f"{', '.join(MULTIMODAL_EEG_WINDOW_S)}")
    eeg = read_multimodal_eeg(eeg_path)
    eye = read_multimodal_eye(eye_path)
    per_eye_row = int(round(MULTIMODAL_EYE_WINDOW_S / window_s))  # EEG windows per eye row
    segments, dropped = [], 0
    for part, (de, labels) in eeg.items():
        bounds = recover_clips(labels, de, path=eeg_path, part=part, window_s=window_s)
        eye_rows = [(stop - start) // per_eye_row for _, start, stop in bounds]
        if sum(eye_rows) != eye[part].shape[0]:
            raise DataFormatError(
                eye_path, f"{part}_data_eye has {eye[part].shape[0]} windows but {eeg_path.name} {part}_data "
                f"(clips {bounds[0][0]}-{bounds[-1][0]}) gives {sum(eye_rows)}")
        first_eye = np.r_[0, np.cumsum(eye_rows)[:-1]]
        for (clip, start, stop), n_eye, eye_start in zip(bounds, eye_rows, first_eye):
            n = n_eye * per_eye_row  # EEG windows that have an eye row
            dropped += (stop - start) - n
            clip_de = de[start : start + n]
            clip_eye = np.repeat(eye[part][eye_start : eye_start + n_eye], per_eye_row, axis=0)
            finite = np.isfinite(clip_de).all(axis=(1, 2)) & np.isfinite(clip_eye).all(axis=1)
            if not finite.all():
                if nan_windows == "error":
                    bad_eeg = int((~np.isfinite(clip_de).all(axis=(1, 2))).sum())
                    where = eeg_path if bad_eeg else eye_path
                    raise DataFormatError(
                        where, f"clip {clip}: {int((~finite).sum())} window(s) with NaN/inf "
                        f"(first {part} row {start + int(np.argmin(finite))}); set seed.nan_windows: drop to leave them out")
                dropped += int((~finite).sum())
            start_s = np.arange(n)[finite] * window_s
            if not finite.any():
                raise DataFormatError(eeg_path, f"clip {clip}: no window without NaN/inf")
            segments.append(Segment(
                index=clip, eeg=np.empty((len(CHANNELS), 0)), other=None,
                labels=np.array([CLIP_LABELS[clip - 1]], dtype=np.float64),
                shipped=ShippedWindows(de=clip_de[finite], psd=None, other=clip_eye[finite], start_s=start_s)))
    if dropped:
        logger.info("%s: %d window(s) left out (no eye row or NaN/inf)", eeg_path, dropped)
    name = eeg_path.stem
    return bcmi.recording(
        SPEC, name=name, subject=subject_of(name), segments=segments, sources=(eeg_path, eye_path),
        other_kind=LAB_EYE_KIND,
        shipped=ShippedFeatures(
            window_s=window_s, step_s=window_s, bands={b: LAB_BANDS[b] for b in MULTIMODAL_BANDS},
            origin=(f"the SEED lab's SEED_Multimodal features: DE of {eeg_path.parent.name}/{eeg_path.name} and the "
                    f"33 eye features of {eye_path.name} (eye feature meanings after the column number are inferred, "
                    "not documented); not computed by this workflow; no PSD shipped"),
            other_kind=LAB_EYE_KIND, other_names=LAB_EYE_FEATURE_NAMES, dropped_windows=dropped),
    )
