"""SEED (BCMI lab, SJTU): the spec, the layout, and the entries.

- **spec** (:data:`SPEC`): 15 film clips per session with one label order for every
  session (``resources/seed_labels.tsv``), 62 channels at 200 Hz, the 45 real session
  names (``resources/seed_sessions.tsv``);
- **discovery** (:func:`discover_seed_source`): the download's parts (``SEED_EEG/``,
  ``SEED_Multimodal/Chinese/``) from any of its folders; :func:`resolve_entry` turns
  ``entry: auto`` into the entry the files allow; :func:`describe` is the start-up line;
- **entries** (``seed.entry``), each put together from the lab's formats in :mod:`.bcmi`:
  ``recordings`` (the default through ``auto``: ``Preprocessed_EEG`` or raw .cnt EEG,
  featurised by us on the lab's windows, + the lab's 33 eye features of
  ``04-Eye-tracking-feature``, paired by date order), ``preprocessed``
  (``Preprocessed_EEG/{subject}_{YYYYMMDD}.mat`` + ``label.mat`` + our documented
  ``Eye_movements/`` tables), ``raw`` (``SEED_RAW_EEG/*.cnt`` + ``time.txt``),
  ``extracted`` (the lab's ``ExtractedFeatures/``, 1 s windows) and ``multimodal``
  (``SEED_Multimodal/Chinese``: the lab's DE + its 33 eye features);
- **class mapping**: labels -1, 0, 1 are classes negative, neutral, positive.

Modules: ``spec`` (identity, format facts, folder names, session names), ``layout`` (the
download's folders, ``entry: auto``, date-order pairing), one module per entry
(``recordings_entry``, ``preprocessed`` with ``raw``, ``extracted``, ``multimodal``); this module
holds the registry's hooks (:func:`recordings`, :func:`input_files`, :func:`read`, ...) and
re-exports the names of the others, the dataset module's interface.

Every problem with a file raises :class:`~..recording.DataFormatError` (raw files:
:class:`~..recording.RawFormatError`) with one line naming the file and the problem.
Units: every EEG array is in µV, the unit of the preprocessed release.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ...recording import ConfigError, Recording, check_option
from ..bcmi.cnt import CNT_DATA_FORMATS, read_cnt_events  # noqa: F401 - part of this module's API
from .extracted import (  # noqa: F401 - re-exported: the dataset module's interface
    read_extracted, read_extracted_session
)
from .layout import (  # noqa: F401 - re-exported: the dataset module's interface
    SeedTree, check_eye_pairing, dated_stems, discover_seed_source, extracted_dir, eye_sessions,
    recordings_eeg_folder, resolve_entry, session_in_date_order, source_tree, subjects_with_eye
)
from .multimodal import (  # noqa: F401 - re-exported: the dataset module's interface
    LAB_EYE_COLUMNS, LAB_EYE_FEATURE_NAMES, LAB_EYE_KIND, N_LAB_EYE_FEATURES, check_multimodal_subjects,
    multimodal_input_files, multimodal_recordings, multimodal_root, read_multimodal_eeg, read_multimodal_eye,
    read_multimodal_session, recover_clips
)
from .preprocessed import (  # noqa: F401 - re-exported: the dataset module's interface
    clips_recording, eye_tables_to_contract, read_cnt, read_eeg, read_eye, read_labels, read_raw_session,
    read_session, read_time_txt
)
from .recordings_entry import (  # noqa: F401 - re-exported: the dataset module's interface
    lab_eye_rows, lab_reference, read_recordings_session, recordings_input_files
)
from .spec import (  # noqa: F401 - re-exported: the dataset module's interface
    CHANNELS, CHINESE_FOLDERS, CLASSES, CLIP_LABELS, DEFAULT_PROTOCOL, DROP_CHANNELS, EEG_BASE_FOLDERS, EEG_DIR,
    EEG_VARIABLE, ENTRIES, EOG_CHANNELS, EVENT_CODES, EVENT_COLUMNS, EXTRACTED_4S_DIR, EXTRACTED_DIRS,
    EXTRACTED_FEATURES, EXTRACTED_PSD, EXTRACTED_WINDOW_S, EYE_DIR, EYE_SOURCES, FOLDER, LABEL_FILE, LABEL_NAMES,
    LABEL_SET, LAB_BANDS, LAB_WINDOWS_S, MULTIMODAL_BANDS, MULTIMODAL_DIR, MULTIMODAL_EEG_DIR,
    MULTIMODAL_EEG_WINDOW_S, MULTIMODAL_EYE_DIR, MULTIMODAL_EYE_WINDOW_S, MULTIMODAL_LABEL_OFFSET, MULTIMODAL_PARTS,
    MULTIMODAL_RAW_DIR, MULTIMODAL_SESSIONS, MULTIMODAL_SUBJECTS, NAME, NAN_WINDOWS, N_CLIPS, N_SEGMENTS,
    N_SUBJECTS, PUPIL_COLUMNS, RAW_CHANNELS, RAW_DIR, RAW_SFREQ, READ_OPTIONS, RECORDINGS_EEG, RECORDING_IS_SESSION,
    RECORDING_PATTERN, SEED_CLIP_SECONDS, SEED_EEG_DIR, SESSIONS, SFREQ, SPEC, SYNTHETIC_CLIP_SECONDS,
    TABLE_CAPTION, TIME_FILE, TITLE, real_session_stem, session_of, session_stem, subject_of
)


def shortest_segment_s(config: Mapping) -> float | None:
    """Shortest clip (s) the configured data can have; None if unknown before reading."""
    if config["seed"]["source"] == "synthetic":
        low, high = config.get("synthetic", {}).get("seed_clip_seconds", SYNTHETIC_CLIP_SECONDS)
        if low > high:
            raise ConfigError("synthetic.seed_clip_seconds", f"minimum {low} exceeds maximum {high}")
        return low
    return None


def recordings(config: Mapping, root: Path) -> list[str]:
    """Session stems for the configured subjects and sessions.

    The synthetic dataset has the real 45 names. A SEED copy is listed from its folder:
    ``{subject}_*`` files sorted by the number after the underscore; the k-th is session k.
    """
    cfg = config["seed"]
    tree = source_tree(config, root)
    entry = resolve_entry(config, tree)
    if entry == "multimodal":
        return multimodal_recordings(config, root)
    if cfg["source"] == "synthetic":
        return [real_session_stem(s, k) for s in cfg["subjects"] for k in cfg["sessions"]]
    raw = entry == "raw" or (entry == "recordings" and cfg.get("recordings_eeg", "preprocessed") == "raw")
    base = tree.base
    suffix = ".cnt" if raw else ".mat"
    stems, folders = [], {}
    for subject in cfg["subjects"]:
        if entry == "recordings":
            folder = recordings_eeg_folder(tree, subject, raw=raw)
        else:
            folder = base / (RAW_DIR if raw else extracted_dir(base) if entry == "extracted" else EEG_DIR)
        folders[subject] = folder
        dated = dated_stems(folder, subject, suffix)
        for k in cfg["sessions"]:
            if k > len(dated):
                raise ConfigError(
                    "seed.sessions", f"subject {subject} has {len(dated)} session files in {folder}, session {k} requested"
                )
            stems.append(dated[k - 1])
    if entry == "recordings" and cfg.get("eye_source", "lab_features") == "lab_features":
        check_eye_pairing(tree, {s: dated_stems(folders[s], s, suffix) for s in cfg["subjects"]}, cfg["subjects"])
    return stems


def input_files(config: Mapping, root: Path, recording: str) -> dict[str, str]:
    """Files of one session by role, for the configured entry (``seed.entry``)."""
    cfg = config["seed"]
    tree = source_tree(config, root)
    entry = resolve_entry(config, tree)
    if entry == "multimodal":
        return multimodal_input_files(config, root, recording)
    if entry == "recordings":
        return recordings_input_files(config, tree, recording)
    synthetic = cfg["source"] == "synthetic"
    root = tree.eeg_base
    files: dict[str, Path] = {}
    if entry == "raw":
        files = {"cnt": root / RAW_DIR / f"{recording}.cnt", "time": root / RAW_DIR / TIME_FILE}
    elif entry == "extracted":
        folder = extracted_dir(root)
        files = {"extracted": folder / f"{recording}.mat"}
        # The lab ships label.mat in both folders; a copy may hold only ExtractedFeatures/.
        if not synthetic and (folder / LABEL_FILE).is_file():
            files["labels"] = folder / LABEL_FILE
    else:
        files = {"eeg": root / EEG_DIR / f"{recording}.mat"}
    files.setdefault("labels", root / EEG_DIR / LABEL_FILE)
    eye = root / EYE_DIR / f"{recording}.mat"
    # Extracted features stand alone in the lab's release: eye tables only where present.
    if cfg.get("eye_movements", True) and (entry != "extracted" or synthetic or eye.is_file()):
        files["eye"] = eye
    return {role: str(path) for role, path in files.items()}


def read(
    files: Mapping[str, str], *, entry: str = "preprocessed", cnt_data_format: str = "auto",
    extracted_feature: str = "de_LDS", nan_windows: str = "error", lab_window_s: float = 4.0,
) -> Recording:
    """Read one session of the configured ``entry`` from its files by role (see :func:`input_files`).

    ``entry: auto`` is told apart by the roles :func:`input_files` gave (it resolved it)."""
    check_option("entry", entry, ENTRIES)
    if entry == "auto":
        entry = ("extracted" if "extracted" in files else "multimodal" if "multimodal_eeg" in files
                 else "recordings")
    readers = {
        "recordings": lambda: read_recordings_session(files, data_format=cnt_data_format, window_s=lab_window_s),
        "preprocessed": lambda: read_session(files["eeg"], files["labels"], files.get("eye")),
        "raw": lambda: read_raw_session(files, data_format=cnt_data_format),
        "extracted": lambda: read_extracted_session(files, feature=extracted_feature),
        "multimodal": lambda: read_multimodal_session(files, nan_windows=nan_windows),
    }
    return readers[entry]()


def describe(config: Mapping, root: Path) -> str:
    """One start-up line: folders found, sessions, subjects with eye data, entry."""
    cfg = config["seed"]
    tree = source_tree(config, root)
    entry = resolve_entry(config, tree)
    names = recordings(config, root)
    where = "synthetic (written in the download's layout)" if tree.synthetic else \
        f"{root}: found {', '.join(tree.found()) or 'nothing'}"
    line = f"SEED: {where}; entry {entry}; subjects {cfg['subjects']}, {len(names)} sessions"
    if entry == "recordings":
        eye = subjects_with_eye(config, tree)
        kind = "Eye_movements tables (41 features)" if cfg.get("eye_source") == "eye_movements" else \
            "the lab's 33 eye features"
        line += f"; eye data ({kind}) for subjects {eye or 'none'}"
        without = [s for s in cfg["subjects"] if s not in eye]
        if without:
            line += f"; subjects {without} have no eye data: EEG-only models for them"
    return line


def feature_windows(config: Mapping, root: Path) -> tuple[float, float] | None:
    """Entry ``recordings`` computes its features on the lab's windows (``seed.lab_window_s``,
    non-overlapping), whatever ``window_s``/``step_s`` say; other entries: None."""
    if resolve_entry(config, source_tree(config, root)) != "recordings":
        return None
    window = float(config["seed"].get("lab_window_s", 4.0))
    return window, window
