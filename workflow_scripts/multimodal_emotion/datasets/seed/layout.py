"""Where SEED's files are: the download as it unpacks (:func:`discover_seed_source`), the
entry ``auto`` resolves to (:func:`resolve_entry`), the dated session files of a subject,
and the date-order pairing of EEG sessions with the lab's eye-feature files."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ...recording import ConfigError, DataFormatError
from .spec import (
    CHINESE_FOLDERS,
    EEG_BASE_FOLDERS,
    EEG_DIR,
    EXTRACTED_DIRS,
    EYE_DIR,
    MULTIMODAL_DIR,
    MULTIMODAL_EEG_DIR,
    MULTIMODAL_EYE_DIR,
    MULTIMODAL_RAW_DIR,
    MULTIMODAL_SUBJECTS,
    RAW_DIR,
    SEED_EEG_DIR,
    session_of,
    subject_of,
)


@dataclass(frozen=True)
class SeedTree:
    """Where the parts of a SEED copy are (None: not found)."""

    source: Path
    eeg_base: Path | None  # the folder holding Preprocessed_EEG/ (SEED_EEG/, or an old copy's top)
    chinese: Path | None  # SEED_Multimodal/Chinese
    synthetic: bool = False

    @property
    def base(self) -> Path:
        """``eeg_base``, or where it would be (for paths in messages)."""
        return self.eeg_base or self.source

    def has(self, folder: str) -> bool:
        if self.synthetic:
            return True
        return self.eeg_base is not None and (self.eeg_base / folder).is_dir()

    @property
    def eye_dir(self) -> Path | None:
        """``04-Eye-tracking-feature/eye_tracking_feature`` where present."""
        if self.chinese is None:
            return None
        folder = self.chinese / MULTIMODAL_EYE_DIR
        return folder if self.synthetic or folder.is_dir() else None

    def found(self) -> list[str]:
        """Folders found, relative to the source's top, for the start-up line."""
        names = []
        for base, folders in ((self.eeg_base, EEG_BASE_FOLDERS), (self.chinese, CHINESE_FOLDERS)):
            if base is None:
                continue
            names += [str(Path(base.name) / f) for f in folders if (base / f).is_dir()]
        return names


def discover_seed_source(source: str | Path) -> SeedTree:
    """Find the parts of a SEED copy from any of its folders.

    ``source`` may be the download's root (holding ``SEED_EEG/`` and/or
    ``SEED_Multimodal/``), ``SEED_EEG/``, ``SEED_Multimodal/``, ``Chinese/``, or an older
    copy with ``Preprocessed_EEG/`` at the top (``SEED_Multimodal/`` beside or inside it is
    found too). Nothing is read, only folders are listed.
    """
    source = Path(source)

    def is_eeg_base(folder: Path) -> bool:
        return any((folder / f).is_dir() for f in EEG_BASE_FOLDERS)

    def is_chinese(folder: Path) -> bool:
        return any((folder / f).is_dir() for f in CHINESE_FOLDERS)

    def chinese_in(top: Path) -> Path | None:
        for candidate in (top / MULTIMODAL_DIR, top / MULTIMODAL_DIR.name):
            if is_chinese(candidate):
                return candidate
        return None

    def tree_of(top: Path) -> SeedTree | None:
        eeg = top / SEED_EEG_DIR if is_eeg_base(top / SEED_EEG_DIR) else top if is_eeg_base(top) else None
        chinese = chinese_in(top) or (chinese_in(top.parent) if eeg == top else None)
        if eeg is None and chinese is None:
            return None
        return SeedTree(source=source, eeg_base=eeg, chinese=chinese)

    if is_chinese(source):  # Chinese/ itself: the download's root is two levels up
        top = source.parent.parent
        eeg = top / SEED_EEG_DIR if is_eeg_base(top / SEED_EEG_DIR) else None
        return SeedTree(source=source, eeg_base=eeg, chinese=source)
    if is_chinese(source / MULTIMODAL_DIR.name):  # SEED_Multimodal/
        top = source.parent
        eeg = top / SEED_EEG_DIR if is_eeg_base(top / SEED_EEG_DIR) else None
        return SeedTree(source=source, eeg_base=eeg, chinese=source / MULTIMODAL_DIR.name)
    found = tree_of(source)
    if found is None and source.is_dir():  # a folder holding the download (e.g. .../SEED/)
        inner = [tree_of(child) for child in sorted(source.iterdir()) if child.is_dir()]
        inner = [t for t in inner if t is not None]
        if len(inner) == 1:
            found = inner[0]
    return found or SeedTree(source=source, eeg_base=None, chinese=None)


def source_tree(config: Mapping, root: Path) -> SeedTree:
    """The configured copy's tree; the synthetic copy is written in the download's layout."""
    if config["seed"]["source"] == "synthetic":
        return SeedTree(source=root, eeg_base=root / SEED_EEG_DIR, chinese=root / MULTIMODAL_DIR, synthetic=True)
    return discover_seed_source(root)


def resolve_entry(config: Mapping, tree: SeedTree) -> str:
    """The entry to read: ``seed.entry``, or for ``auto`` the first of recordings (EEG
    recordings present), extracted, multimodal that the files allow. A configured entry
    whose folder is missing is a :class:`ConfigError` naming the folder and the key."""
    cfg = config["seed"]
    entry = cfg.get("entry", "auto")
    raw_eeg = cfg.get("recordings_eeg", "preprocessed") == "raw"
    eeg_folder = RAW_DIR if raw_eeg else EEG_DIR
    has_extracted = any(tree.has(d) for d in EXTRACTED_DIRS)
    has_multimodal = tree.synthetic or (tree.chinese is not None and (tree.chinese / MULTIMODAL_EEG_DIR).is_dir())
    if raw_eeg and not tree.has(eeg_folder) and tree.chinese is not None and (tree.chinese / MULTIMODAL_RAW_DIR).is_dir():
        eeg_folder = f"{MULTIMODAL_DIR}/{MULTIMODAL_RAW_DIR}"  # recordings from 01-EEG-raw (time.txt still needed)
        if entry in ("auto", "recordings"):
            return "recordings"
    if entry == "auto":
        if tree.has(eeg_folder):
            # our documented Eye_movements/ layout beside the EEG (and no SEED_Multimodal): read as before
            lab_eye = tree.synthetic or tree.eye_dir is not None
            if cfg.get("eye_source", "lab_features") == "eye_movements" or (not lab_eye and tree.has(EYE_DIR)
                                                                           and not raw_eeg):
                return "raw" if raw_eeg else "preprocessed"
            return "recordings"
        if has_extracted:
            return "extracted"
        if has_multimodal:
            return "multimodal"
        raise ConfigError("seed.source", f"{tree.source}: no SEED data found (expected {eeg_folder}/ or "
                          f"{SEED_EEG_DIR}/{eeg_folder}/, ExtractedFeatures*/, or {MULTIMODAL_DIR}/"
                          f"{MULTIMODAL_EEG_DIR}/); point seed.source at the download's folder")
    needed = {"recordings": eeg_folder, "preprocessed": EEG_DIR, "raw": RAW_DIR}
    if entry in needed and not tree.has(needed[entry]):
        raise ConfigError("seed.source", f"{tree.source}: no {needed[entry]}/ folder (seed.entry {entry} reads it; "
                          f"looked in {tree.base}); point seed.source at the download's folder or set seed.entry")
    if entry == "extracted" and not has_extracted:
        raise ConfigError("seed.source", f"{tree.source}: no {' or '.join(EXTRACTED_DIRS)}/ folder (seed.entry "
                          "extracted reads it)")
    if entry == "multimodal" and not has_multimodal:
        raise ConfigError("seed.source", f"{tree.source}: no {MULTIMODAL_DIR}/{MULTIMODAL_EEG_DIR}/ folder "
                          "(seed.entry multimodal reads it)")
    return entry


def eye_sessions(tree: SeedTree) -> dict[int, list[int]]:
    """Subject -> session numbers of its ``04-Eye-tracking-feature`` files (``{sub}_{ses}``)."""
    found: dict[int, list[int]] = {}
    if tree.eye_dir is None or tree.synthetic:
        return found
    for path in tree.eye_dir.iterdir():
        match = re.fullmatch(r"(\d+)_(\d+)", path.name)
        if match and path.is_file():
            found.setdefault(int(match[1]), []).append(int(match[2]))
    return {s: sorted(v) for s, v in sorted(found.items())}


def subjects_with_eye(config: Mapping, tree: SeedTree) -> list[int]:
    """Configured subjects whose sessions have the lab's eye features (entry recordings)."""
    subjects = config["seed"]["subjects"]
    if config["seed"].get("eye_source", "lab_features") == "eye_movements":
        return list(subjects) if tree.has(EYE_DIR) else []
    if tree.synthetic:
        return [s for s in subjects if s in MULTIMODAL_SUBJECTS]
    available = eye_sessions(tree)
    return [s for s in subjects if s in available]


def check_eye_pairing(tree: SeedTree, dated: Mapping[int, list[str]], subjects) -> None:
    """Sessions pair by date order: the k-th dated EEG file of a subject with its eye file
    ``{sub}_{k}``. A subject with eye files must have one for each of its dated sessions,
    and no other; otherwise one line (:class:`DataFormatError`) naming the folder."""
    if tree.synthetic:
        return
    available = eye_sessions(tree)
    for subject in subjects:
        if subject not in available:
            continue
        stems, numbers = dated[subject], available[subject]
        expected = list(range(1, len(stems) + 1))
        if numbers != expected:
            missing = sorted(set(expected) - set(numbers))
            if missing and not set(numbers) - set(expected):
                raise DataFormatError(tree.eye_dir / f"{subject}_{missing[0]}", f"not found: session {missing[0]} of "
                                      f"subject {subject} ({stems[missing[0] - 1]}) has no eye-feature file")
            raise DataFormatError(tree.eye_dir, f"subject {subject}: eye files for sessions {numbers} do not pair "
                                  f"with the {len(stems)} dated EEG sessions {stems} (the k-th date pairs with "
                                  f"{subject}_k)")


def recordings_eeg_folder(tree: SeedTree, subject: int, *, raw: bool) -> Path:
    """Where entry ``recordings`` finds a subject's EEG: ``Preprocessed_EEG/``, or with
    ``recordings_eeg: raw`` ``SEED_RAW_EEG/`` when it holds the subject's .cnt files, else
    ``SEED_Multimodal/Chinese/01-EEG-raw/`` (``{sub}_{ses}.cnt``; clip bounds from
    ``SEED_RAW_EEG/time.txt``, the same 15 clips)."""
    if not raw:
        return tree.base / EEG_DIR
    folder = tree.base / RAW_DIR
    if tree.synthetic or dated_stems(folder, subject, ".cnt") or tree.chinese is None:
        return folder
    chinese = tree.chinese / MULTIMODAL_RAW_DIR
    return chinese if dated_stems(chinese, subject, ".cnt") else folder


def dated_stems(folder: Path, subject: int, suffix: str) -> list[str]:
    """``{subject}_{number}`` stems of ``folder``'s ``suffix`` files, by the number (date order)."""
    return sorted((p.stem for p in folder.glob(f"{subject}_*{suffix}") if re.fullmatch(rf"{subject}_\d+", p.stem)),
                  key=lambda stem: int(stem.split("_")[1]))


def extracted_dir(root: Path) -> Path:
    """The folder of the lab's 1 s extracted features in a SEED copy (the first of
    :data:`EXTRACTED_DIRS` that exists; the newer release's name if none does, as the
    synthetic copy writes it)."""
    for name in EXTRACTED_DIRS:
        if (root / name).is_dir():
            return root / name
    return root / EXTRACTED_DIRS[1]


def session_in_date_order(tree: SeedTree, recording: str, *, raw: bool = False) -> int:
    """The session number (1-3) of ``{subject}_{date}`` among its subject's dated files."""
    if tree.synthetic:
        return session_of(recording)
    subject = int(subject_of(recording))
    stems = dated_stems(recordings_eeg_folder(tree, subject, raw=raw), subject, ".cnt" if raw else ".mat")
    return stems.index(recording) + 1
