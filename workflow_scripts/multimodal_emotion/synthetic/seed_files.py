"""Every file of the synthetic SEED copy from its path (rule ``synthetic_file``): the
release's files through :mod:`.seed`, the lab's feature files through :mod:`.seed_lab`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..datasets import seed as fmt
from . import seed, seed_lab
from .config import SyntheticConfig, copy_root

#: Our 1 s and 4 s copies of the lab's ExtractedFeatures (the window from the folder's name).
EXTRACTED_DIRS = ("ExtractedFeatures_1s", "ExtractedFeatures_4s")


def _file_kind(relpath: str) -> tuple[str, str]:
    """(kind, session stem) of a file of the synthetic SEED copy; a path that is no file of it is refused."""
    parts = Path(relpath).parts
    if parts == (fmt.SEED_EEG_DIR, fmt.EEG_DIR, fmt.LABEL_FILE):
        return "labels", ""
    if parts == (fmt.SEED_EEG_DIR, fmt.RAW_DIR, fmt.TIME_FILE):
        return "time", ""
    name = Path(relpath).name
    if len(parts) == 3 and parts[0] == fmt.SEED_EEG_DIR:
        kinds = {(fmt.EEG_DIR, ".mat"): "session", (fmt.EYE_DIR, ".mat"): "eye", (fmt.RAW_DIR, ".cnt"): "raw"}
        kinds.update({(folder, ".mat"): "extracted" for folder in EXTRACTED_DIRS})
        kind = kinds.get((parts[1], Path(name).suffix))
        if kind:
            stem = Path(name).stem
            fmt.session_of(stem)  # one of the 45 real session names
            return kind, stem
    multimodal = fmt.MULTIMODAL_DIR.parts
    if len(parts) == len(multimodal) + 3 and parts[: len(multimodal)] == multimodal:
        folder = Path(*parts[len(multimodal):-1])
        subject, _, session = Path(name).stem.partition("_")
        is_eeg = folder.parent == fmt.MULTIMODAL_EEG_DIR and folder.name in fmt.MULTIMODAL_EEG_WINDOW_S \
            and name.endswith(".npz")
        if (is_eeg or folder == fmt.MULTIMODAL_EYE_DIR) and subject.isdigit() and session.isdigit():
            stem = fmt.real_session_stem(int(subject), int(session))
            return ("multimodal_eeg" if is_eeg else "multimodal_eye"), stem
    raise ValueError(f"{relpath}: not a file of the synthetic SEED copy (label.mat, time.txt, or a session's "
                     f"{fmt.EEG_DIR}, {fmt.EYE_DIR}, {fmt.RAW_DIR}, {', '.join(EXTRACTED_DIRS)} or SEED_Multimodal file)")


def inputs(relpath: str, dataset_config: Mapping) -> list[str]:
    """The files of the copy (relative paths) that ``relpath`` is computed from: the
    session's preprocessed EEG for the raw recording and the lab's feature files."""
    kind, stem = _file_kind(relpath)
    if kind in ("raw", "extracted", "multimodal_eeg", "multimodal_eye"):
        return [str(Path(fmt.SEED_EEG_DIR) / fmt.EEG_DIR / f"{stem}.mat")]
    return []


def write(relpath: str, output: str | Path, *, cfg: SyntheticConfig, dataset_config: Mapping) -> None:
    """Write the file ``relpath`` (relative to the SEED folder) of the synthetic copy."""
    kind, stem = _file_kind(relpath)
    sources = [copy_root(output, relpath) / source for source in inputs(relpath, dataset_config)]
    mat = sources[0] if sources else None
    subject = int(stem.split("_")[0]) if stem else 0
    session = fmt.session_of(stem) if stem else 0
    if kind == "labels":
        seed.write_labels(output)
    elif kind == "time":
        seed.write_time(output, cfg=cfg)
    elif kind in ("session", "eye"):
        seed.write_session(output if kind == "session" else None, output if kind == "eye" else None,
                           subject=subject, session=session, cfg=cfg)
    elif kind == "raw":
        seed.write_raw(output, mat_path=mat, subject=subject, cfg=cfg)
    elif kind == "extracted":
        seed_lab.write_extracted(output, mat_path=mat)
    elif kind == "multimodal_eeg":
        seed_lab.write_multimodal_eeg(output, mat_path=mat)
    else:
        seed_lab.write_multimodal_eye(output, mat_path=mat, subject=subject, session=session, cfg=cfg)

