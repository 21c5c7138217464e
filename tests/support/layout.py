"""Where the synthetic SEED copy's files lie: the download's layout (SEED_EEG/ +
SEED_Multimodal/Chinese/). Tests ask here rather than spelling the paths out."""

from __future__ import annotations

from pathlib import Path

from multimodal_emotion.datasets import seed as seed_ds

SYNTHETIC_SEED = Path("results") / "synthetic" / "SEED"  # under a run's working directory
PREPROCESSED = Path(seed_ds.SEED_EEG_DIR) / seed_ds.EEG_DIR
EYE_FEATURES = seed_ds.MULTIMODAL_DIR / seed_ds.MULTIMODAL_EYE_DIR


def synthetic_seed_root(workdir: Path) -> Path:
    return Path(workdir) / SYNTHETIC_SEED


def synthetic_seed_eeg_dir(workdir: Path) -> Path:
    """``Preprocessed_EEG/`` of the synthetic copy."""
    return synthetic_seed_root(workdir) / PREPROCESSED


def synthetic_seed_eeg(workdir: Path, stem: str) -> Path:
    """The ``Preprocessed_EEG/{subject}_{date}.mat`` of one synthetic session."""
    return synthetic_seed_eeg_dir(workdir) / f"{stem}.mat"


def synthetic_extracted(workdir: Path, stem: str, *, window_s: int = 1) -> Path:
    """The lab's features of one synthetic session (``ExtractedFeatures_1s/`` or ``_4s/``)."""
    return synthetic_seed_root(workdir) / seed_ds.SEED_EEG_DIR / f"ExtractedFeatures_{window_s}s" / f"{stem}.mat"


def synthetic_seed_sources(workdir: Path, stem: str) -> dict[str, Path]:
    """The files a default-entry (``recordings``) feature job of one synthetic session
    reads, by role: EEG, labels and the lab's eye features of the same session."""
    subject, session = int(seed_ds.subject_of(stem)), seed_ds.session_of(stem)
    root = synthetic_seed_root(workdir)
    return {"eeg": synthetic_seed_eeg(workdir, stem), "labels": root / PREPROCESSED / seed_ds.LABEL_FILE,
            "lab_eye": root / EYE_FEATURES / f"{subject}_{session}"}
