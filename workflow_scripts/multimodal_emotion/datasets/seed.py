"""SEED (BCMI lab, SJTU): layout, constants, readers for every entry, class mapping.

Everything the workflow knows about SEED lives here:

- **layout and discovery**: ``Preprocessed_EEG/{subject}_{YYYYMMDD}.mat`` (the 45 real
  session names, ``resources/seed_sessions.tsv``), ``label.mat``, our documented
  ``Eye_movements/`` tables, and the raw ``SEED_RAW_EEG/{subject}_{date}.cnt`` with
  ``time.txt``;
- **readers** for the preprocessed entry (:func:`read_session`) and the raw entry
  (:func:`read_cnt` + :func:`read_time_txt`, clips resampled to 200 Hz), both returning a
  :class:`~..recording.Recording`;
- **class mapping**: labels -1, 0, 1 are classes negative, neutral, positive.

Every problem with a file raises :class:`~..recording.DataFormatError` (raw files:
:class:`~..recording.RawFormatError`) with one line naming the file and the problem.

Units: MNE returns volts; every EEG/EOG array here is in µV, the unit of the
preprocessed release.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ..recording import (
    EVENT_COLUMNS as CONTRACT_EVENT_COLUMNS,
    EYE_EVENT_CODES,
    PUPIL_COLUMNS as CONTRACT_PUPIL_COLUMNS,
    ConfigError,
    DataFormatError,
    EyeClip,
    LabelClasses,
    RawFormatError,
    Recording,
    Segment,
    ShippedFeatures,
    ShippedWindows,
    check_amplitude,
    check_eeg,
    check_file,
    check_finite,
    check_option,
    first_line,
    fit_length,
    loadmat,
    name_list,
    resample_npad,
    sha256_of,
)
from ._resources import read_lines, read_table

logger = logging.getLogger(__name__)

# --- identity ---------------------------------------------------------------------------
NAME = "seed"
TITLE = "SEED"
TABLE_CAPTION = "SEED, 3 classes (paper Fig. 3)"
RECORDING_PATTERN = r"\d+_\d+"  # {subject}_{YYYYMMDD} (or {subject}_{session} for raw files named so)

# --- preprocessed EEG, 200 Hz -----------------------------------------------------------
CHANNELS: tuple[str, ...] = read_lines("seed_channels.txt")
SFREQ = 200.0
N_CLIPS = 15
N_SEGMENTS = N_CLIPS
EEG_DIR = "Preprocessed_EEG"
LABEL_FILE = "label.mat"
EYE_DIR = "Eye_movements"
EEG_VARIABLE = r"^(?P<prefix>[A-Za-z0-9]+)_eeg(?P<clip>\d+)$"
CLIP_LABELS: tuple[int, ...] = tuple(int(row["label"]) for row in read_table("seed_labels.tsv"))
LABEL_SET = frozenset({-1, 0, 1})
LABEL_NAMES = ("emotion",)
CLASSES = {"emotion": LabelClasses(kind="categorical", class_names=("negative", "neutral", "positive"),
                                   values=(-1.0, 0.0, 1.0))}
# The real release's 45 sessions: (subject, session) -> date and variable initials.
SESSIONS: dict[tuple[int, int], tuple[str, str]] = {
    (int(row["subject"]), int(row["session"])): (row["date"], row["initials"]) for row in read_table("seed_sessions.tsv")
}
N_SUBJECTS = 15
# Eye tables (our documented layout): one .mat per session, ``pupil_{k}`` (n, 3) and
# ``events_{k}`` (n, 6) with these columns; mapped to the contract's columns by name.
PUPIL_COLUMNS = ("time_s", "diameter_x_mm", "diameter_y_mm")
EVENT_COLUMNS = ("type", "onset_s", "duration_s", "dispersion_x", "dispersion_y", "amplitude_deg")
EVENT_CODES = {"fixation": 1, "saccade": 2, "blink": 3}  # the table's type codes

# --- raw recordings (Neuroscan CNT, 1000 Hz) --------------------------------------------
RAW_DIR = "SEED_RAW_EEG"  # {subject}_{date}.cnt and time.txt
TIME_FILE = "time.txt"
RAW_SFREQ = 1000.0
EOG_CHANNELS: tuple[str, ...] = ("VEO", "HEO")
DROP_CHANNELS: tuple[str, ...] = ("M1", "M2")
# Channel order the synthetic writer uses: the 62 EEG channels with M1 after T8 and M2
# after TP8 and the EOG pair last, as on a Neuroscan 64-channel Quik-Cap. Readers do
# not depend on this order (uncertain for SEED: only the set of names is relied upon).
RAW_CHANNELS: tuple[str, ...] = (
    CHANNELS[: CHANNELS.index("T8") + 1] + ("M1",)
    + CHANNELS[CHANNELS.index("T8") + 1 : CHANNELS.index("TP8") + 1] + ("M2",)
    + CHANNELS[CHANNELS.index("TP8") + 1 :] + ("HEO", "VEO")
)
CNT_DATA_FORMATS = ("auto", "int16", "int32")
# Clip lengths (s) of the synthetic sessions unless synthetic.seed_clip_seconds says
# otherwise (the real clips are about 185-265 s; shorter keeps the default run quick).
SYNTHETIC_CLIP_SECONDS = (40.0, 60.0)

# --- the lab's ExtractedFeatures (entry: extracted) -----------------------------------
# ``ExtractedFeatures/{subject}_{date}.mat`` (``ExtractedFeatures_1s/`` in the newer
# release): per clip k ``de_LDS{k}``, ``de_movingAve{k}``, ``psd_LDS{k}``,
# ``psd_movingAve{k}``, each (62, n_windows, 5) on 1 s windows; its own ``label.mat``.
EXTRACTED_DIRS = ("ExtractedFeatures", "ExtractedFeatures_1s")
EXTRACTED_FEATURES = ("de_LDS", "de_movingAve")  # config seed.extracted_feature
EXTRACTED_PSD = {"de_LDS": "psd_LDS", "de_movingAve": "psd_movingAve"}  # PSD smoothed the same way
EXTRACTED_WINDOW_S = 1.0
# The lab's bands as its readme states them (inclusive edges, Hz), in the order of the
# last axis of every extracted variable.
LAB_BANDS = {"delta": (1.0, 3.0), "theta": (4.0, 7.0), "alpha": (8.0, 13.0), "beta": (14.0, 30.0),
             "gamma": (31.0, 50.0)}
ENTRIES = ("preprocessed", "raw", "extracted", "multimodal")
READ_OPTIONS = ("cnt_data_format", "extracted_feature", "nan_windows")  # seed-block keys passed to read()


def session_stem(subject: int, date: str) -> str:
    """File stem of a SEED session, e.g. ``session_stem(1, "20131027") == "1_20131027"``."""
    return f"{subject}_{date}"


def real_session_stem(subject: int, session: int) -> str:
    """Stem of the real release's ``session``-th (date order) session of ``subject``."""
    if (subject, session) not in SESSIONS:
        raise ConfigError("seed.subjects", f"SEED has subjects 1-{N_SUBJECTS} with sessions 1-3, not {subject}/{session}")
    return session_stem(subject, SESSIONS[(subject, session)][0])


def session_of(recording: str) -> int:
    """Session number (1-3, date order) of one of the real 45 session stems."""
    subject, date = recording.split("_")
    for (s, k), (d, _) in SESSIONS.items():
        if s == int(subject) and d == date:
            return k
    raise ConfigError("seed.source", f"{recording} is not one of the 45 SEED session names")


def subject_of(recording: str) -> str:
    """Subject id of a session stem (``"12_20131127"`` -> ``"12"``)."""
    return recording.split("_")[0]


# --- configuration hooks ----------------------------------------------------------------


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
    entry = cfg.get("entry", "preprocessed")
    if entry == "multimodal":
        return multimodal_recordings(config, root)
    if cfg["source"] == "synthetic":
        return [real_session_stem(s, k) for s in cfg["subjects"] for k in cfg["sessions"]]
    raw = entry == "raw"
    folder = root / (RAW_DIR if raw else extracted_dir(root) if entry == "extracted" else EEG_DIR)
    suffix = ".cnt" if raw else ".mat"
    stems = []
    for subject in cfg["subjects"]:
        dated = sorted(
            (p.stem for p in folder.glob(f"{subject}_*{suffix}") if re.fullmatch(rf"{subject}_\d+", p.stem)),
            key=lambda stem: int(stem.split("_")[1]),
        )
        for k in cfg["sessions"]:
            if k > len(dated):
                raise ConfigError(
                    "seed.sessions", f"subject {subject} has {len(dated)} session files in {folder}, session {k} requested"
                )
            stems.append(dated[k - 1])
    return stems


def extracted_dir(root: Path) -> Path:
    """The folder of the lab's 1 s extracted features in a SEED copy (the first of
    :data:`EXTRACTED_DIRS` that exists; the first if none does)."""
    for name in EXTRACTED_DIRS:
        if (root / name).is_dir():
            return root / name
    return root / EXTRACTED_DIRS[0]


def input_files(config: Mapping, root: Path, recording: str) -> dict[str, str]:
    """Files of one session by role, for the configured entry (``seed.entry``)."""
    cfg = config["seed"]
    entry = cfg.get("entry", "preprocessed")
    if entry == "multimodal":
        return multimodal_input_files(config, root, recording)
    synthetic = cfg["source"] == "synthetic"
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
    files: Mapping[str, str], *, cnt_data_format: str = "auto", extracted_feature: str = "de_LDS",
    nan_windows: str = "error",
) -> Recording:
    """Read one session from its files by role (see :func:`input_files`)."""
    if "cnt" in files:
        return read_raw_session(files, data_format=cnt_data_format)
    if "extracted" in files:
        return read_extracted_session(files, feature=extracted_feature)
    if "multimodal_eeg" in files:
        return read_multimodal_session(files, nan_windows=nan_windows)
    return read_session(files["eeg"], files["labels"], files.get("eye"))


# --- preprocessed files -----------------------------------------------------------------


def read_labels(path: str | Path) -> np.ndarray:
    """Read SEED's ``label.mat``: ``label`` of shape (1, 15) with values in {-1, 0, 1}."""
    path = Path(path)
    content = loadmat(path)
    if "label" not in content:
        raise DataFormatError(path, f"no variable 'label' (found: {sorted(content)})")
    labels = np.asarray(content["label"]).ravel()
    if labels.size != N_CLIPS:
        raise DataFormatError(
            path, f"'label' has {labels.size} entries, expected {N_CLIPS}"
        )
    check_finite(path, "'label'", labels.astype(float))
    bad = sorted(set(labels.tolist()) - LABEL_SET)
    if bad:
        raise DataFormatError(path, f"labels {bad} outside the allowed set {{-1, 0, 1}}")
    return labels.astype(np.int64)


def read_eeg(path: str | Path) -> tuple[str, list[np.ndarray]]:
    """Read one SEED session file ``Preprocessed_EEG/{subject}_{date}.mat``.

    Variables are ``{initials}_eeg{k}``, k = 1..15; the initials differ per subject and
    are not checked beyond being one common prefix.

    Returns
    -------
    prefix : str
        The subject's variable prefix (e.g. ``"djc"``).
    clips : list of ndarray, shape (62, n_samples_k)
        The 15 clips in clip order, float64 C-ordered, values as stored (µV).
    """
    path = Path(path)
    content = loadmat(path)
    pattern = re.compile(EEG_VARIABLE)
    found: dict[int, tuple[str, np.ndarray]] = {}
    for key, value in content.items():
        match = pattern.match(key)
        if match:
            found[int(match["clip"])] = (match["prefix"], value)
    if not found:
        raise DataFormatError(
            path,
            f"no EEG variables named '<initials>_eeg<k>' (found: {sorted(content)[:5]})",
        )
    prefixes = {prefix for prefix, _ in found.values()}
    if len(prefixes) > 1:
        raise DataFormatError(path, f"EEG variables use several prefixes {sorted(prefixes)}")
    expected = set(range(1, N_CLIPS + 1))
    if set(found) != expected:
        missing = sorted(expected - set(found))
        extra = sorted(set(found) - expected)
        raise DataFormatError(
            path,
            f"found {len(found)} clips, expected {N_CLIPS} "
            f"(missing {missing}, unexpected {extra})",
        )
    n_channels = len(CHANNELS)
    del content  # each Matlab (column-major) array is freed once its C-ordered copy exists
    clips = []
    for k in sorted(found):
        prefix, value = found.pop(k)
        clips.append(check_eeg(path, f"{prefix}_eeg{k}", value, n_channels))
        del value
    return prefixes.pop(), clips


def read_eye(path: str | Path) -> list[EyeClip]:
    """Read one SEED session's eye-movement file ``Eye_movements/{subject}_{date}.mat``.

    The layout (written by the synthetic generator, documented in the README):
    ``pupil_{k}`` (n, 3) = time (s), diameter X, diameter Y (mm), strictly increasing
    time; ``events_{k}`` (n_events, 6) = type (1 fixation, 2 saccade, 3 blink), onset
    (s), duration (s), dispersion X, dispersion Y, saccade amplitude (deg).
    """
    path = Path(path)
    content = loadmat(path)
    clips = []
    for k in range(1, N_CLIPS + 1):
        for name in (f"pupil_{k}", f"events_{k}"):
            if name not in content:
                raise DataFormatError(path, f"no variable '{name}' (clip {k} missing)")
        pupil = np.asarray(content[f"pupil_{k}"], dtype=np.float64)
        events = np.asarray(content[f"events_{k}"], dtype=np.float64)
        if events.size == 0:
            events = events.reshape(0, len(EVENT_COLUMNS))
        if pupil.ndim != 2 or pupil.shape[1] != len(PUPIL_COLUMNS):
            raise DataFormatError(
                path, f"pupil_{k} has shape {pupil.shape}, expected (n, {len(PUPIL_COLUMNS)})"
            )
        if events.ndim != 2 or events.shape[1] != len(EVENT_COLUMNS):
            raise DataFormatError(
                path, f"events_{k} has shape {events.shape}, expected (n, {len(EVENT_COLUMNS)})"
            )
        check_finite(path, f"pupil_{k}", pupil)
        check_finite(path, f"events_{k}", events)
        if pupil.shape[0] < 2 or np.any(np.diff(pupil[:, 0]) <= 0):
            raise DataFormatError(path, f"pupil_{k} time column is not strictly increasing")
        codes = set(np.unique(events[:, 0]).astype(int).tolist()) if len(events) else set()
        unknown = sorted(codes - set(EVENT_CODES.values()))
        if unknown:
            raise DataFormatError(path, f"events_{k} has unknown event types {unknown}")
        clips.append(_to_contract(pupil, events))
    return clips


def _to_contract(pupil: np.ndarray, events: np.ndarray) -> EyeClip:
    """The table's columns in the contract's order (by name) and its type codes as the
    contract's :data:`~..recording.EYE_EVENT_CODES`."""
    pupil = pupil[:, [PUPIL_COLUMNS.index(name) for name in CONTRACT_PUPIL_COLUMNS]]
    events = events[:, [EVENT_COLUMNS.index(name) for name in CONTRACT_EVENT_COLUMNS]].copy()
    kinds = events[:, CONTRACT_EVENT_COLUMNS.index("type")].copy()
    for kind, code in EVENT_CODES.items():
        events[kinds == code, CONTRACT_EVENT_COLUMNS.index("type")] = EYE_EVENT_CODES[kind]
    return EyeClip(pupil=pupil, events=events)


def read_session(
    eeg_path: str | Path, label_path: str | Path, eye_path: str | Path | None = None
) -> Recording:
    """Read one SEED session (EEG, labels, optional eye movements) into a Recording."""
    eeg_path = Path(eeg_path)
    _, clips = read_eeg(eeg_path)
    sources = [eeg_path, Path(label_path)] + ([Path(eye_path)] if eye_path else [])
    return _recording(eeg_path, clips, sfreq=SFREQ, label_path=label_path, eye_path=eye_path, sources=sources)


def read_raw_session(files: Mapping[str, str], *, data_format: str = "auto") -> Recording:
    """Read one raw session (``.cnt`` + ``time.txt``) cut into its 15 clips at 200 Hz,
    with the labels and eye movements of the preprocessed release."""
    cnt = Path(files["cnt"])
    session = read_cnt(cnt, files["time"], data_format=data_format)
    clips = [check_eeg(cnt, f"clip {k + 1}", clip, len(CHANNELS)) for k, clip in enumerate(session.clips)]
    sources = [cnt, Path(files["time"]), Path(files["labels"])] + ([Path(files["eye"])] if files.get("eye") else [])
    return _recording(cnt, clips, sfreq=session.sfreq, label_path=files["labels"], eye_path=files.get("eye"),
                      sources=sources)


def _recording(path: Path, clips: list[np.ndarray], *, sfreq: float, label_path, eye_path, sources) -> Recording:
    labels = read_labels(label_path)
    eye = read_eye(eye_path) if eye_path else None
    segments = [
        Segment(index=k + 1, eeg=clip, other=None if eye is None else eye[k],
                labels=np.array([labels[k]], dtype=np.float64))
        for k, clip in enumerate(clips)
    ]
    return Recording(
        name=path.stem,
        sfreq=sfreq,
        ch_names=CHANNELS,
        label_names=LABEL_NAMES,
        segments=segments,
        other_kind="none" if eye is None else "eye_movements",
        source_files={str(p): sha256_of(p) for p in sources},
        classes=dict(CLASSES),
        subject=subject_of(path.stem),
        dataset=NAME,
    )


# --- the lab's ExtractedFeatures -------------------------------------------------------


def read_extracted(path: str | Path, feature: str = "de_LDS") -> list[tuple[np.ndarray, np.ndarray]]:
    """Read one session of the lab's ``ExtractedFeatures/{subject}_{date}.mat``.

    Parameters
    ----------
    path : path-like
    feature : ``"de_LDS"`` | ``"de_movingAve"``
        The DE variables to read; PSD comes from the matching ``psd_*`` variables
        (:data:`EXTRACTED_PSD`).

    Returns
    -------
    clips : list of (de, psd)
        Per clip 1..15, two float64 arrays of shape (n_windows, 62, 5) (windows first,
        as the feature file stores them; the file holds (62, n_windows, 5)).
    """
    check_option("extracted_feature", feature, EXTRACTED_FEATURES)
    path = Path(path)
    content = loadmat(path)
    psd_name = EXTRACTED_PSD[feature]
    clips = []
    for k in range(1, N_CLIPS + 1):
        arrays = []
        for name in (f"{feature}{k}", f"{psd_name}{k}"):
            if name not in content:
                found = sorted(key for key in content if re.fullmatch(r"[A-Za-z_]+\d+", key))
                raise DataFormatError(
                    path, f"no variable '{name}' (expected {feature}1..{N_CLIPS} and {psd_name}1..{N_CLIPS}; "
                    f"found {len(found)} like {name_list(found, limit=4) or 'none'})")
            array = np.asarray(content[name])
            if array.ndim != 3 or array.shape[0] != len(CHANNELS) or array.shape[2] != len(LAB_BANDS) or not array.shape[1]:
                raise DataFormatError(
                    path, f"{name} has shape {array.shape}, expected ({len(CHANNELS)}, n_windows, {len(LAB_BANDS)})")
            if not np.issubdtype(array.dtype, np.number):
                raise DataFormatError(path, f"{name} is not numeric ({array.dtype})")
            array = array.astype(np.float64)
            check_finite(path, name, array)
            arrays.append(np.ascontiguousarray(array.transpose(1, 0, 2)))
        if arrays[0].shape != arrays[1].shape:
            raise DataFormatError(
                path, f"{feature}{k} has {arrays[0].shape[0]} windows but {psd_name}{k} has {arrays[1].shape[0]}")
        clips.append((arrays[0], arrays[1]))
    return clips


def read_extracted_session(files: Mapping[str, str], *, feature: str = "de_LDS") -> Recording:
    """One session from the lab's extracted features, labels, and (optional) our eye tables.

    The EEG features are the lab's, on 1 s windows; eye features are computed later by
    the feature stage on the same windows from ``Eye_movements/`` when it is given.
    """
    path = Path(files["extracted"])
    clips = read_extracted(path, feature)
    labels = read_labels(files["labels"])
    eye = read_eye(files["eye"]) if files.get("eye") else None
    segments = []
    for k, (de, psd) in enumerate(clips):
        start_s = np.arange(de.shape[0]) * EXTRACTED_WINDOW_S
        segments.append(Segment(
            index=k + 1, eeg=np.empty((len(CHANNELS), 0)), other=None if eye is None else eye[k],
            labels=np.array([labels[k]], dtype=np.float64),
            shipped=ShippedWindows(de=de, psd=psd, other=None, start_s=start_s)))
    sources = [path, Path(files["labels"])] + ([Path(files["eye"])] if files.get("eye") else [])
    return Recording(
        name=path.stem, sfreq=SFREQ, ch_names=CHANNELS, label_names=LABEL_NAMES, segments=segments,
        other_kind="none" if eye is None else "eye_movements",
        source_files={str(p): sha256_of(p) for p in sources}, classes=dict(CLASSES),
        subject=subject_of(path.stem), dataset=NAME,
        shipped=ShippedFeatures(
            window_s=EXTRACTED_WINDOW_S, step_s=EXTRACTED_WINDOW_S, bands=dict(LAB_BANDS),
            origin=(f"the SEED lab's ExtractedFeatures {feature} / {EXTRACTED_PSD[feature]} "
                    f"({path.name}), not computed by this workflow"
                    + ("; eye features computed by this workflow on the same 1 s windows" if eye else ""))),
    )


# --- raw recordings: time.txt ---------------------------------------------------------


def read_time_txt(
    path: str | Path, *, n_clips: int = N_CLIPS
) -> list[tuple[int, int]]:
    """Read the clip bounds of a SEED raw session from ``time.txt``.

    Two text layouts are accepted (``#`` starts a comment in both):

    1. Two lists, as SEED ships them::

           start_point_list = [27000, 290000, ...]
           end_point_list = [262000, 523000, ...]

       The names only need to contain ``start`` and ``end``; ``=`` or ``:`` may separate
       the name from the bracketed list; entries are separated by commas and/or
       whitespace and the list may span several lines.
    2. A two-column table, one clip per line: ``start end`` separated by whitespace,
       commas, semicolons or tabs. Lines with letters (a header) are skipped.

    Values are sample indices at the raw sampling rate (1000 Hz for SEED).

    Parameters
    ----------
    path : path-like
        The ``time.txt`` file.
    n_clips : int
        Number of clips expected (15 for SEED).

    Returns
    -------
    bounds : list of (int, int)
        ``(start, end)`` per clip, in clip order.

    Raises
    ------
    RawFormatError
        If neither layout is found, the two lists differ in length, there are not
        ``n_clips`` pairs, or the pairs are not increasing ``start < end`` without
        overlap.
    """
    path = Path(path)
    check_file(path, error=RawFormatError)
    text = "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())
    starts, ends = _parse_time_lists(path, text)
    if starts is None:
        starts, ends = _parse_time_table(text)
    if not starts:
        raise RawFormatError(
            path,
            "no clip bounds found (expected 'start_point_list = [...]' and "
            "'end_point_list = [...]', or a two-column 'start end' table)",
        )
    if len(starts) != n_clips:
        raise RawFormatError(
            path, f"found {len(starts)} start/end pairs, expected {n_clips} clips"
        )
    bounds = list(zip(starts, ends))
    for k, (start, end) in enumerate(bounds, start=1):
        if start < 0:
            raise RawFormatError(path, f"clip {k} starts at negative sample {start}")
        if not start < end:
            raise RawFormatError(path, f"clip {k}: start {start} is not before end {end}")
        if k > 1 and start < bounds[k - 2][1]:
            raise RawFormatError(
                path,
                f"clip {k} starts at {start}, before clip {k - 1} ends "
                f"({bounds[k - 2][1]}); clips must be in increasing time order",
            )
    return bounds


def _parse_time_lists(path: Path, text: str) -> tuple[list[int] | None, list[int] | None]:
    pattern = re.compile(r"([A-Za-z_][\w ]*?)\s*[=:]\s*\[([^\]]*)\]", re.DOTALL)
    lists: dict[str, list[int]] = {}
    for match in pattern.finditer(text):
        name = match.group(1).strip().lower()
        kind = "start" if "start" in name else "end" if "end" in name else None
        if kind is None:
            continue
        if kind in lists:
            raise RawFormatError(path, f"two lists named like '{kind}' found")
        tokens = [t for t in re.split(r"[\s,;]+", match.group(2)) if t]
        try:
            lists[kind] = [_parse_int(t) for t in tokens]
        except ValueError:
            raise RawFormatError(
                path, f"'{match.group(1).strip()}' holds non-integer entries"
            ) from None
    if not lists:
        return None, None
    if set(lists) != {"start", "end"}:
        missing = ({"start", "end"} - set(lists)).pop()
        raise RawFormatError(path, f"found a list of clip starts/ends but no '{missing}' list")
    if len(lists["start"]) != len(lists["end"]):
        raise RawFormatError(
            path,
            f"start list has {len(lists['start'])} entries but end list has "
            f"{len(lists['end'])}",
        )
    return lists["start"], lists["end"]


def _parse_time_table(text: str) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for line in text.splitlines():
        tokens = [t for t in re.split(r"[\s,;]+", line.strip()) if t]
        if not tokens or any(re.search(r"[A-DF-Za-df-z_]", t) for t in tokens):
            continue  # empty line or header (letters other than an exponent 'e')
        try:
            values = [_parse_int(t) for t in tokens]
        except ValueError:
            continue
        if len(values) == 2:
            starts.append(values[0])
            ends.append(values[1])
    return starts, ends


def _parse_int(token: str) -> int:
    value = float(token)
    if not np.isfinite(value) or value != int(value):
        raise ValueError(token)
    return int(value)


# --- raw recordings: the .cnt ---------------------------------------------------------


@dataclass
class SeedRawSession:
    """One SEED session read from its raw ``.cnt`` recording.

    Attributes
    ----------
    clips : list of ndarray, shape (62, n_times_k)
        The 15 clips, float64, µV, rows in ``ch_names`` order, at ``sfreq``.
    eog : list of ndarray, shape (n_eog, n_times_k) | None
        The EOG channels ``eog_names`` of each clip (µV, ``sfreq``), or None when
        read with ``keep_eog=False``.
    eog_names : tuple of str
        Names of the EOG rows, as in the file (e.g. ``("VEO", "HEO")``).
    bounds : list of (int, int)
        The clip bounds of ``time.txt`` in samples at ``raw_sfreq``.
    sfreq : float
        Sampling rate of ``clips`` and ``eog`` (200 Hz).
    raw_sfreq : float
        Sampling rate of the recording (1000 Hz).
    ch_names : tuple of str
        ``CHANNELS``.
    source : str
        Path of the ``.cnt`` file.
    """

    clips: list[np.ndarray]
    eog: list[np.ndarray] | None
    eog_names: tuple[str, ...]
    bounds: list[tuple[int, int]]
    sfreq: float
    raw_sfreq: float
    ch_names: tuple[str, ...] = CHANNELS
    source: str = ""


def read_cnt(
    cnt_path: str | Path,
    time_path: str | Path,
    *,
    sfreq_expected: float = RAW_SFREQ,
    target_sfreq: float = SFREQ,
    keep_eog: bool = True,
    eog: Sequence[str] = EOG_CHANNELS,
    drop: Sequence[str] = DROP_CHANNELS,
    inclusive_end: bool = True,
    n_clips: int = N_CLIPS,
    resample_method: Literal["polyphase", "fft"] = "polyphase",
    data_format: Literal["auto", "int16", "int32"] = "auto",
    verbose: bool | str | int | None = None,
) -> SeedRawSession:
    """Read a SEED raw session (Neuroscan ``.cnt``) and cut its film clips.

    The header, channel names, calibrations and events come from
    ``mne.io.read_raw_cnt(..., data_format=data_format, preload=False)``; the samples are
    read clip by clip. With ``resample_method="polyphase"`` (the default) each clip's
    multiplexed integer samples are read straight from the file in small blocks
    (:class:`_CntSamples`), scaled to µV as MNE scales them, and decimated to
    ``target_sfreq`` by polyphase filtering (:func:`_decimate_polyphase`: the FIR of
    :func:`scipy.signal.resample_poly` / MNE's ``method="polyphase"``, fed with the
    recording's own samples around the clip instead of edge padding). With ``"fft"``
    (the earlier reader, kept for comparison) each clip is read with MNE's
    ``get_data(start, stop)`` and resampled with :func:`mne.filter.resample` (FFT).
    Only one clip is in memory at a time, so a full session (66 channels x ~3.9 M
    samples at 1000 Hz, ~1 GB on disk) needs a few hundred MB.

    Parameters
    ----------
    cnt_path : path-like
        The session's ``{subject}_{session}.cnt``.
    time_path : path-like
        ``time.txt`` with the clip bounds; see :func:`read_time_txt` for the layouts.
    sfreq_expected : float
        Sampling rate the recording must have (Hz).
    target_sfreq : float
        Sampling rate of the returned clips (Hz), 200 like the preprocessed release.
    keep_eog : bool
        Return the ``eog`` channels too (as EOG). If True they must be in the file.
    eog : sequence of str
        Names of the EOG channels (SEED: ``VEO``, ``HEO``).
    drop : sequence of str
        Channels left out (SEED: the mastoids ``M1``, ``M2``). Other channels that are
        neither EEG, EOG nor dropped are ignored as well.
    inclusive_end : bool
        If True (SEED), a clip spans raw samples ``start..end`` inclusive and has
        ``floor((end - start) * target_sfreq / sfreq_expected) + 1`` output samples,
        one per output sampling instant from ``start`` on (27000..262000 at 1000 Hz
        gives 47001 samples at 200 Hz). If False, the clip is ``start..end-1`` and has
        ``round((end - start) * target_sfreq / sfreq_expected)`` samples.
    n_clips : int
        Number of clips in ``time.txt`` (15).
    resample_method : ``"polyphase"`` | ``"fft"``
        ``"polyphase"``: samples read from the file, polyphase FIR decimation (an integer
        ratio such as 1000 -> 200 Hz; other ratios use :func:`mne.filter.resample` with
        ``method="polyphase"``). ``"fft"``: MNE reads the samples and
        :func:`mne.filter.resample` resamples them by FFT (the earlier reader, ~5x
        slower; its clips equal the polyphase ones within the two anti-alias filters'
        difference, tested).
    data_format : ``"auto"`` | ``"int16"`` | ``"int32"``
        Sample width of the file. ``"auto"`` infers it from the header's sample count
        and the event-table position (MNE); where that is impossible (files over 2 GB,
        an inconsistent header) int32 is assumed. Either way the amplitude check below
        refuses a wrong guess.
    verbose : bool | str | int | None
        MNE's verbosity for reading and resampling.

    Returns
    -------
    session : SeedRawSession
        15 float64 arrays (62, n) in ``CHANNELS`` order, µV, 200 Hz, and
        the EOG arrays.

    Raises
    ------
    RawFormatError
        If the file is unreadable, its sampling rate is not ``sfreq_expected``, one of
        the 62 EEG channels (or, with ``keep_eog``, an EOG channel) is missing, a clip
        bound lies outside the recording, ``time.txt`` does not hold ``n_clips``
        increasing ``start < end`` pairs, or the first clip's median channel SD is beyond
        any EEG (> 10 mV: most likely a 16-bit file read as 32-bit, or the reverse).

    Notes
    -----
    Channel names are matched case-insensitively. SEED's preprocessed clips were also
    low-pass filtered (0-75 Hz); this reader does not filter beyond the anti-aliasing
    of the resampling.
    """
    import mne

    cnt_path = Path(cnt_path)
    check_option("resample_method", resample_method, ("fft", "polyphase"))
    drop_set = {name.upper() for name in drop}
    clash = sorted(drop_set & {name.upper() for name in CHANNELS})
    if clash:
        raise ValueError(f"drop must not name SEED EEG channels, got {clash}")
    bounds = read_time_txt(time_path, n_clips=n_clips)
    check_file(cnt_path, error=RawFormatError)
    check_option("data_format", data_format, CNT_DATA_FORMATS)
    raw = _open_cnt(cnt_path, eog=tuple(eog) if keep_eog else (), data_format=data_format, verbose=verbose)
    sfreq = float(raw.info["sfreq"])
    if sfreq != float(sfreq_expected):
        raise RawFormatError(
            cnt_path, f"sampling rate is {sfreq:g} Hz, expected {float(sfreq_expected):g} Hz"
        )
    by_upper = {name.upper(): name for name in raw.ch_names}
    missing = [name for name in CHANNELS if name.upper() not in by_upper]
    if missing:
        raise RawFormatError(
            cnt_path,
            f"missing EEG channel(s) {name_list(missing)} ({len(missing)} of the {len(CHANNELS)} SEED channels)",
        )
    eeg_picks = [by_upper[name.upper()] for name in CHANNELS]
    eog_picks: list[str] = []
    if keep_eog:
        missing = [name for name in eog if name.upper() not in by_upper]
        if missing:
            raise RawFormatError(
                cnt_path,
                f"missing EOG channel(s) {', '.join(missing)} (pass keep_eog=False to "
                "read without EOG)",
            )
        eog_picks = [by_upper[name.upper()] for name in eog]
    ignored = sorted(
        set(raw.ch_names) - set(eeg_picks) - set(eog_picks)
        - {by_upper[n] for n in drop_set if n in by_upper}
    )
    if ignored:
        logger.info("%s: ignoring channel(s) %s.", cnt_path, ", ".join(ignored))

    n_times = raw.n_times
    ratio = float(target_sfreq) / sfreq
    for k, (_, end) in enumerate(bounds, start=1):
        last = end if inclusive_end else end - 1
        if last > n_times - 1:
            raise RawFormatError(
                cnt_path,
                f"clip {k} ends at sample {end} ({Path(time_path).name}), beyond the "
                f"recording's last sample {n_times - 1}",
            )

    picks = eeg_picks + eog_picks
    n_eeg = len(eeg_picks)
    clips: list[np.ndarray] = []
    eogs: list[np.ndarray] = []
    logger.info(
        "Reading %d clips of %s at %g Hz and resampling them to %g Hz (%s).",
        len(bounds), cnt_path, sfreq, target_sfreq, resample_method,
    )
    factor = sfreq / float(target_sfreq)
    integer_factor = resample_method == "polyphase" and factor == round(factor) and factor >= 1
    source = _CntSamples(raw, cnt_path, picks, verbose=verbose) if integer_factor else None
    for start, end in bounds:
        if inclusive_end:
            n_out = int(np.floor((end - start) * ratio + 1e-9)) + 1
        else:
            n_out = int(round((end - start) * ratio))
        if integer_factor:
            resampled = _decimate_polyphase(source, start, n_out, int(round(factor)))
        else:
            n_in = int(round(n_out / ratio))
            stop = min(start + n_in, n_times)
            data = raw.get_data(picks=picks, start=start, stop=stop, verbose=verbose)
            if data.shape[1] < n_in:  # the last output instants need a few samples more
                data = np.pad(data, ((0, 0), (0, n_in - data.shape[1])), mode="edge")
            data *= 1e6  # V -> µV
            resampled = mne.filter.resample(
                data,
                up=float(target_sfreq),
                down=sfreq,
                npad=resample_npad(n_in, sfreq, float(target_sfreq)),
                method=resample_method,
                verbose=verbose,
            )
            del data
            resampled = fit_length(resampled, n_out)
        if not clips:  # one clip tells a wrong sample width; later clips share it
            check_amplitude(cnt_path, "clip 1", resampled[:n_eeg], hint=_width_hint(raw, data_format),
                            error=RawFormatError)
        clips.append(np.ascontiguousarray(resampled[:n_eeg], dtype=np.float64))
        if keep_eog:
            eogs.append(np.ascontiguousarray(resampled[n_eeg:], dtype=np.float64))
        del resampled
    return SeedRawSession(
        clips=clips,
        eog=eogs if keep_eog else None,
        eog_names=tuple(eog_picks),
        bounds=bounds,
        sfreq=float(target_sfreq),
        raw_sfreq=sfreq,
        source=str(cnt_path),
    )


# Neuroscan CNT 3.x layout as MNE reads it (mne/io/cnt/_utils.py): a 900-byte SETUP
# header, one 75-byte ELECTLOC record per channel, then the samples, multiplexed in
# blocks of ``channel_offset`` samples per channel (1 in SEED's files: ch0 ch1 ... of
# sample 0, then sample 1, ...).
_CNT_SETUP_BYTES = 900
_CNT_ELECTRODE_BYTES = 75
# scipy.signal.resample_poly's (and MNE's method="polyphase") anti-alias FIR: Kaiser
# window (beta 5), half length 10 x the decimation factor, cutoff at the new Nyquist.
_POLYPHASE_WINDOW = ("kaiser", 5.0)
_POLYPHASE_HALF_LENGTH = 10
_CNT_READ_SAMPLES = 8192  # samples of every channel per read (2 MB for 66 int32 channels)


class _CntSamples:
    """The integer samples of a CNT file, read straight from the file clip by clip.

    :meth:`read_into` writes float32 counts minus a per-row offset into a buffer, one
    row per channel of ``rows``; with the ``gain_uV`` and ``baseline`` of each row,
    ``(counts + offset - baseline) * gain_uV`` is what MNE's ``get_data`` returns x 1e6
    (µV), and ``picked`` are the rows of the channels asked for. The multiplexed samples
    are read in blocks of :data:`_CNT_READ_SAMPLES` samples of every channel into one small
    buffer and transposed from there (all channels: a gather of the picked ones costs
    more than decimating the few others; ``readinto`` of a reused buffer costs half of
    what the page faults of a per-clip ``np.memmap`` cost here). The layout (data
    offset, sample width, ``channel_offset``, baselines) is MNE's reading of the header; a
    short stretch is compared with MNE's own reading when the file is opened, and if
    MNE's private header fields are not there or disagree, MNE reads every clip instead
    (``rows`` = the picks; slower, same values).
    """

    def __init__(self, raw, path: Path, picks: Sequence[str], *, verbose=None):
        self.raw, self.path, self.picks, self.verbose = raw, path, list(picks), verbose
        self.n_file_channels = len(raw.ch_names)
        cals = np.array([ch["cal"] for ch in raw.info["chs"]], dtype=np.float64) * 1e6
        try:  # MNE's private reading of the header
            extras = raw._raw_extras[0]
            self.n_bytes = int(extras["n_bytes"])
            self.block = int(extras["channel_offset"])  # samples per channel block
            baseline = np.asarray(extras["baselines"], dtype=np.float64).reshape(self.n_file_channels)
            layout_known = self.n_bytes in (2, 4) and self.block >= 1
        except (AttributeError, KeyError, IndexError, TypeError, ValueError):
            layout_known = False
        if layout_known:  # every channel of the file, in file order
            self.rows = list(raw.ch_names)
            self.picked = np.array([raw.ch_names.index(name) for name in self.picks])
            self.gain_uV, self.baseline = cals, baseline
            self.direct = self._agrees_with_mne()
        else:
            self.direct = False
        if not self.direct:
            logger.info("%s: samples read through MNE (the header fields MNE exposes do not fit).", path)
            self.rows, self.picked = list(self.picks), np.arange(len(self.picks))
            self.gain_uV, self.baseline = np.ones(len(self.picks)), np.zeros(len(self.picks))

    @property
    def n_times(self) -> int:
        return int(self.raw.n_times)

    def _agrees_with_mne(self) -> bool:
        stop = min(self.n_times, 64)
        counts = np.empty((len(self.rows), stop), dtype=np.float32)
        offset = self._read_file_into(counts, 0, stop)
        mine = ((counts + offset[:, None] - self.baseline[:, None]) * self.gain_uV[:, None])[self.picked]
        theirs = self.raw.get_data(picks=self.picks, start=0, stop=stop, verbose=self.verbose) * 1e6
        return bool(np.allclose(mine, theirs, rtol=1e-6, atol=1e-9 * (1 + np.abs(theirs).max())))

    def read_into(self, out: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Samples ``start <= t < stop`` (within the recording) of every row into
        ``out[:, :stop - start]`` (float32) as counts minus the returned per-row offset
        (float64, a whole count near the first samples' mean: float32 holds the
        differences exactly where it could not hold the counts)."""
        if self.direct:
            return self._read_file_into(out, start, stop)
        data = self.raw.get_data(picks=self.picks, start=start, stop=stop, verbose=self.verbose) * 1e6
        offset = np.round(data[:, :_CNT_READ_SAMPLES].mean(axis=1))
        np.subtract(data, offset[:, None], out=out[:, : stop - start], casting="same_kind")
        return offset

    def _read_file_into(self, out: np.ndarray, start: int, stop: int) -> np.ndarray:
        n_ch, block = self.n_file_channels, self.block
        first, last = start // block, -(-stop // block)  # blocks holding the samples
        block_bytes = n_ch * block * self.n_bytes
        offset = _CNT_SETUP_BYTES + _CNT_ELECTRODE_BYTES * n_ch + first * block_bytes
        needed = offset + (last - first) * block_bytes
        size = self.path.stat().st_size
        if needed > size:
            raise RawFormatError(
                self.path, f"not a readable Neuroscan CNT file (truncated: {size} bytes on disk, "
                f"samples up to {stop} need {needed})")
        per_read = max(1, _CNT_READ_SAMPLES // block)  # blocks per read
        raw_blocks = np.empty((per_read, n_ch, block), dtype=f"<i{self.n_bytes}")
        lo, n = start - first * block, stop - start  # the wanted samples, counted from block `first`
        count_offset = None
        with open(self.path, "rb", buffering=0) as f:
            f.seek(offset)
            for b0 in range(0, last - first, per_read):
                m = min(per_read, last - first - b0)
                if f.readinto(memoryview(raw_blocks).cast("B")[: m * block_bytes]) != m * block_bytes:
                    raise RawFormatError(self.path, "not a readable Neuroscan CNT file (truncated while reading)")
                # (n_samples, n_channels), multiplexed
                samples = raw_blocks[:m, :, 0] if block == 1 else raw_blocks[:m].transpose(0, 2, 1).reshape(-1, n_ch)
                s0 = b0 * block  # first sample of this read
                a, b = max(lo, s0), min(lo + n, s0 + samples.shape[0])
                if a >= b:
                    continue
                part = samples[a - s0 : b - s0]
                if count_offset is None:
                    count_offset = np.round(part.mean(axis=0, dtype=np.float64))
                    offset32 = count_offset.astype(np.float32)[:, None]
                np.subtract(part.T, offset32, out=out[:, a - lo : b - lo], dtype=np.float32, casting="same_kind")
        return count_offset


def _decimate_polyphase(source: _CntSamples, start: int, n_out: int, factor: int) -> np.ndarray:
    """``n_out`` samples at 1/``factor`` of the recording's rate, output j at raw sample
    ``start + factor * j``, in µV (float64, (n_picks, n_out)).

    The result is :func:`scipy.signal.resample_poly` (``up=1, down=factor``, its Kaiser
    FIR of ``2 * 10 * factor + 1`` taps) evaluated on the recording rather than on the
    clip alone: the filter reads the ``10 * factor`` samples before and after the clip
    from the file, so no edge padding enters the clip (only at the recording's own ends,
    by reflection). It runs in float32 on counts minus a per-channel offset (the filter
    passes a constant unchanged, so the offset is added back exactly), see
    :func:`polyphase_decimate`.
    """
    from scipy.signal import firwin

    half = _POLYPHASE_HALF_LENGTH * factor
    taps = firwin(2 * half + 1, 1.0 / factor, window=_POLYPHASE_WINDOW)
    first = start - half  # raw samples first .. last (inclusive) feed the outputs
    last = start + factor * (n_out - 1) + half
    lo, hi = max(first, 0), min(last + 1, source.n_times)
    buffer = polyphase_buffer(len(source.rows), len(taps), factor, n_out)
    if lo == first and hi == last + 1:
        offset = source.read_into(buffer, lo, hi)
    else:  # the recording's own ends: reflect
        part = np.empty((len(source.rows), hi - lo), dtype=np.float32)
        offset = source.read_into(part, lo, hi)
        buffer[:, : last + 1 - first] = np.pad(part, ((0, 0), (lo - first, last + 1 - hi)), mode="reflect")
    filtered = polyphase_decimate(buffer, taps, factor, n_out)
    del buffer
    rows = source.picked
    uV = np.add(filtered[rows], (offset - source.baseline)[rows, None])  # float64
    uV *= source.gain_uV[rows, None]
    return uV


def polyphase_buffer(n_channels: int, n_taps: int, factor: int, n_out: int) -> np.ndarray:
    """Zeroed float32 input buffer for :func:`polyphase_decimate`: fill its first
    ``factor * (n_out - 1) + n_taps`` samples; the rest is room for the FFTs (no copy)."""
    from scipy import fft

    n_sub = -(-n_taps // factor)
    return np.zeros((n_channels, fft.next_fast_len(n_out + n_sub - 1, real=True) * factor), dtype=np.float32)


def polyphase_decimate(x: np.ndarray, taps: np.ndarray, factor: int, n_out: int) -> np.ndarray:
    """``y[:, j] = sum_k taps[k] * x[:, factor * j + k]`` for ``j < n_out`` (float32).

    The FIR filter of :func:`scipy.signal.upfirdn` / ``resample_poly`` evaluated only at
    the kept outputs, in its polyphase form: with ``k = factor * q + r`` the sum is
    ``factor`` correlations of the phase streams ``x[:, r::factor]`` with the sub-filters
    ``taps[r::factor]`` at the low rate, done with one FFT per phase stream and one
    inverse FFT of the summed spectra, in float32 (about 3x faster than filtering at the
    full rate and keeping every ``factor``-th output, and than ``resample_poly``'s direct
    form here). ``x`` holds at least ``factor * (n_out - 1) + len(taps)`` samples; a
    :func:`polyphase_buffer` (zeros beyond them) avoids a padded copy.
    """
    from scipy import fft

    n_taps = len(taps)
    if x.shape[1] < factor * (n_out - 1) + n_taps:
        raise ValueError(f"x has {x.shape[1]} samples, {factor * (n_out - 1) + n_taps} needed")
    n_sub = -(-n_taps // factor)  # taps per phase
    padded_taps = np.zeros(n_sub * factor)
    padded_taps[:n_taps] = taps
    n_rows = n_out + n_sub - 1
    n_fft = fft.next_fast_len(n_rows, real=True)
    if x.dtype != np.float32 or x.shape[1] < n_fft * factor:  # not a polyphase_buffer: copy into one
        buffer = np.zeros((x.shape[0], n_fft * factor), dtype=np.float32)
        used = min(x.shape[1], n_rows * factor)
        buffer[:, :used] = x[:, :used]
        x = buffer
    rows = x[:, : n_fft * factor].reshape(x.shape[0], n_fft, factor)
    summed = None
    for r in range(factor):
        # correlation with taps[r::factor] = convolution with it reversed; the samples
        # beyond n_rows * factor meet zero taps or zeros
        sub = fft.rfft(padded_taps[r::factor][::-1], n=n_fft).astype(np.complex64)
        spectrum = fft.rfft(rows[:, :, r], axis=-1)
        spectrum *= sub
        summed = spectrum if summed is None else np.add(summed, spectrum, out=summed)
    # n_rows <= n_fft: the circular wrap-around lands before index n_sub - 1 only
    return fft.irfft(summed, n=n_fft, axis=-1)[:, n_sub - 1 : n_sub - 1 + n_out]


def _open_cnt(path: Path, *, eog: tuple[str, ...], data_format: str, verbose):
    """``mne.io.read_raw_cnt`` with one-line errors; ``"auto"`` falls back to int32
    where MNE cannot infer the sample width."""
    import mne

    def open_as(fmt: str):
        return mne.io.read_raw_cnt(path, eog=eog, data_format=fmt, preload=False, verbose=verbose)

    try:
        try:
            return open_as(data_format)
        except RuntimeError as err:
            if data_format != "auto" or "data_format" not in str(err) and "data format" not in str(err):
                raise
            logger.info("%s: sample width not inferable (%s); reading as int32.", path, first_line(err))
            return open_as("int32")
    except Exception as err:  # MNE raises RuntimeError/ValueError/struct errors
        raise RawFormatError(path, f"not a readable Neuroscan CNT file ({first_line(err)})") from None


def _width_hint(raw, data_format: str) -> str:
    """The part of the amplitude error that says what to try."""
    n_bytes = getattr(raw, "_raw_extras", [{}])[0].get("n_bytes")
    width = {2: "16", 4: "32"}.get(n_bytes, "?")
    other = "int16" if width == "32" else "int32"
    return (f"; read as {width}-bit samples (data_format {data_format!r}) - is it a "
            f"{other[3:]}-bit file? Set seed.cnt_data_format: {other} in config.yaml")


def read_cnt_events(raw) -> np.ndarray:
    """Events of a raw CNT as an MNE events array, codes taken from the annotations.

    Parameters
    ----------
    raw : mne.io.Raw
        As returned by ``mne.io.read_raw_cnt``.

    Returns
    -------
    events : ndarray of int, shape (n_events, 3)
        ``[sample, 0, code]`` rows; annotations whose description is not an integer
        (keypad or keyboard responses) are left out.
    """
    onsets = np.asarray(raw.annotations.onset, dtype=float)
    rows = [
        (int(round(onset * raw.info["sfreq"])) + raw.first_samp, 0, int(desc))
        for onset, desc in zip(onsets, raw.annotations.description)
        if desc.isdigit()
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, 3)



# --- SEED_Multimodal (entry: multimodal) ---------------------------------------------
# The lab's release ``SEED_Multimodal/Chinese/`` (see README "Input formats"):
#   02-EEG-DE-feature/eeg_used_{4s,1s}/{sub}_{ses}.npz   train_data/test_data: pickled dicts
#       band -> (n_windows, 62) stored as 0-d byte-string arrays; train_label/test_label
#       (clip label + 1); train = clips 1-9, test = clips 10-15
#   04-Eye-tracking-feature/eye_tracking_feature/{sub}_{ses}   pickle (no extension):
#       train_data_eye/test_data_eye (n_windows, 33), rows aligned with eeg_used_4s
# ``{ses}`` is 1/2/3, not a date. 01-EEG-raw (.cnt) and 03-Eye-tracking-excel (.xls) are not
# read: the .xls columns are not documented publicly.
MULTIMODAL_DIR = Path("SEED_Multimodal") / "Chinese"
MULTIMODAL_EEG_DIR = Path("02-EEG-DE-feature")
MULTIMODAL_EEG_WINDOW_S = {"eeg_used_4s": 4.0, "eeg_used_1s": 1.0}  # config seed.multimodal_eeg
MULTIMODAL_EYE_DIR = Path("04-Eye-tracking-feature") / "eye_tracking_feature"
MULTIMODAL_EYE_WINDOW_S = 4.0
MULTIMODAL_SUBJECTS = (1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14)  # the 12 with eye data
MULTIMODAL_SESSIONS = (1, 2, 3)
MULTIMODAL_PARTS = {"train": range(1, 10), "test": range(10, N_CLIPS + 1)}  # clips of each part
MULTIMODAL_BANDS = ("delta", "theta", "alpha", "beta", "gamma")  # the dicts' keys, in the feature order
MULTIMODAL_LABEL_OFFSET = 1  # npz labels are the clip labels + 1 (0 negative, 1 neutral, 2 positive)
NAN_WINDOWS = ("error", "drop")
# The real clip durations (s); the lab's windows per clip are floor(T / window). Used to
# place the boundary between two consecutive clips of the same label (clips 3 and 4).
SEED_CLIP_SECONDS = (235, 233, 206, 238, 185, 195, 237, 216, 265, 237, 235, 233, 235, 238, 206)
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
LAB_EYE_KIND = "lab_eye_features"


def multimodal_root(root: Path) -> Path:
    """``Chinese/`` of SEED_Multimodal: ``source`` may be the SEED folder holding
    ``SEED_Multimodal/``, ``SEED_Multimodal/`` itself, or ``Chinese/``."""
    for candidate in (root / MULTIMODAL_DIR, root / MULTIMODAL_DIR.name, root):
        if (candidate / MULTIMODAL_EEG_DIR).is_dir():
            return candidate
    return root / MULTIMODAL_DIR


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
    feature = config.get("experiments", {}).get("seed_protocol", {}).get("eeg_feature", "de")
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


class _NumpyUnpickler:
    """Unpickle the lab's files allowing only what they hold (dicts, numpy arrays), so a
    tampered file cannot run code."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
               ("numpy._core.multiarray", "scalar")}

    @classmethod
    def load(cls, data: bytes, path: Path, what: str):
        import io
        import pickle

        class Restricted(pickle.Unpickler):
            def find_class(self, module, name):
                if (module, name) not in cls.ALLOWED:
                    raise pickle.UnpicklingError(f"global {module}.{name} not allowed")
                return super().find_class(module, name)

        try:
            return Restricted(io.BytesIO(data)).load()
        except Exception as err:  # pickle raises many types for corrupt data
            raise DataFormatError(path, f"{what} is not a readable pickle ({first_line(err)})") from None


def read_multimodal_eeg(path: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read ``02-EEG-DE-feature/eeg_used_*/{sub}_{ses}.npz``.

    Returns
    -------
    parts : dict
        ``"train"``/``"test"`` -> (de, labels): de (n_windows, 62, 5) float64 in
        :data:`MULTIMODAL_BANDS` order, labels (n_windows,) int as stored (0, 1, 2).
    """
    path = Path(path)
    check_file(path)
    try:
        npz = np.load(path, allow_pickle=False)
        members = set(npz.files)
    except Exception as err:
        raise DataFormatError(path, f"not a readable .npz file ({first_line(err)})") from None
    parts = {}
    with npz:
        for part in MULTIMODAL_PARTS:
            for member in (f"{part}_data", f"{part}_label"):
                if member not in members:
                    raise DataFormatError(path, f"no member '{member}' (found: {', '.join(sorted(members))})")
            stored = npz[f"{part}_data"]
            if stored.ndim != 0 or stored.dtype.kind != "S":
                raise DataFormatError(path, f"{part}_data is a {stored.dtype} array of shape {stored.shape}, "
                                      "expected a 0-d byte string holding a pickled dict")
            bands = _NumpyUnpickler.load(stored.item(), path, f"{part}_data")
            if not isinstance(bands, dict) or set(bands) != set(MULTIMODAL_BANDS):
                keys = sorted(bands) if isinstance(bands, dict) else type(bands).__name__
                raise DataFormatError(path, f"{part}_data holds {keys}, expected a dict with keys "
                                      f"{', '.join(MULTIMODAL_BANDS)}")
            arrays = [np.asarray(bands[name], dtype=np.float64) for name in MULTIMODAL_BANDS]
            for name, array in zip(MULTIMODAL_BANDS, arrays):
                if array.ndim != 2 or array.shape[1] != len(CHANNELS) or array.shape != arrays[0].shape:
                    raise DataFormatError(path, f"{part}_data['{name}'] has shape {array.shape}, expected "
                                          f"({arrays[0].shape[0]}, {len(CHANNELS)}) like the other bands")
            labels = np.asarray(npz[f"{part}_label"]).ravel()
            if labels.size != arrays[0].shape[0]:
                raise DataFormatError(path, f"{part}_label has {labels.size} entries for {arrays[0].shape[0]} windows")
            allowed = {v + MULTIMODAL_LABEL_OFFSET for v in LABEL_SET}
            if not np.isin(labels, list(allowed)).all():
                raise DataFormatError(path, f"{part}_label holds values outside {sorted(allowed)}")
            parts[part] = (np.stack(arrays, axis=2), labels.astype(np.int64))
    return parts


def read_multimodal_eye(path: str | Path) -> dict[str, np.ndarray]:
    """Read ``04-Eye-tracking-feature/eye_tracking_feature/{sub}_{ses}`` (a pickle).

    Returns ``"train"``/``"test"`` -> (n_windows, 33) float64.
    """
    path = Path(path)
    check_file(path)
    content = _NumpyUnpickler.load(path.read_bytes(), path, "the file")
    if not isinstance(content, dict):
        raise DataFormatError(path, f"holds a {type(content).__name__}, expected a dict with train_data_eye, test_data_eye")
    parts = {}
    for part in MULTIMODAL_PARTS:
        key = f"{part}_data_eye"
        if key not in content:
            raise DataFormatError(path, f"no key '{key}' (found: {', '.join(map(str, content))})")
        array = np.asarray(content[key], dtype=np.float64).squeeze()
        if array.ndim != 2 or array.shape[1] != N_LAB_EYE_FEATURES:
            raise DataFormatError(path, f"{key} has shape {array.shape}, expected (n_windows, {N_LAB_EYE_FEATURES})")
        parts[part] = array
    return parts


def label_runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """``(value, start, stop)`` of each run of equal consecutive labels."""
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts, stops = np.r_[0, edges], np.r_[edges, labels.size]
    return [(int(labels[a]), int(a), int(b)) for a, b in zip(starts, stops)]


def split_run(features: np.ndarray, n_clips: int) -> list[int]:
    """Row offsets (within a run) where each of ``n_clips`` clips of the same label starts,
    from the largest jumps between consecutive windows.

    The lab's features are smoothed within each clip, so the distance between
    consecutive (per-column z-scored) windows is small inside a clip and large across a
    boundary (research note: ~0.1-0.2 versus ~20-30).
    """
    flat = features.reshape(features.shape[0], -1)
    flat = np.where(np.isfinite(flat), flat, np.nanmean(flat, axis=0))
    z = (flat - flat.mean(axis=0)) / np.maximum(flat.std(axis=0), 1e-12)
    jumps = np.linalg.norm(np.diff(z, axis=0), axis=1)  # jumps[t]: between row t and t+1
    cuts = np.sort(np.argsort(jumps)[::-1][: n_clips - 1]) + 1
    return [0, *cuts.tolist()]


def recover_clips(labels: np.ndarray, de: np.ndarray, *, path: Path, part: str, window_s: float) -> list[tuple[int, int, int]]:
    """``(clip, start, stop)`` rows of each clip of one part, from the label runs.

    Consecutive clips with the same label (clips 3 and 4, both negative) form one run;
    it is split where the real clip durations put the boundary (floor(T / window)
    windows per clip) when the run has exactly their total, otherwise at the largest
    feature discontinuity (:func:`split_run`). Never from fixed row numbers.
    """
    clips = list(MULTIMODAL_PARTS[part])
    expected = [CLIP_LABELS[c - 1] + MULTIMODAL_LABEL_OFFSET for c in clips]
    groups: list[list[int]] = []  # clips per expected run
    for clip, value in zip(clips, expected):
        if groups and expected[clips.index(groups[-1][-1])] == value:
            groups[-1].append(clip)
        else:
            groups.append([clip])
    runs = label_runs(labels)
    found = [value for value, _, _ in runs]
    wanted = [expected[clips.index(group[0])] for group in groups]
    if found != wanted:
        raise DataFormatError(path, f"{part}_label runs {found} do not match SEED's clips {clips[0]}-{clips[-1]} "
                              f"(labels + 1: {wanted})")
    bounds = []
    for (_, start, stop), group in zip(runs, groups):
        if len(group) == 1:
            bounds.append((group[0], start, stop))
            continue
        counts = [int(SEED_CLIP_SECONDS[c - 1] // window_s) for c in group]
        by_jump = split_run(de[start:stop], len(group))
        if sum(counts) == stop - start:
            offsets = np.r_[0, np.cumsum(counts)[:-1]].tolist()
            if offsets != by_jump:
                logger.warning("%s: %s clips %s split by the SEED clip durations at %s; the feature jump is at %s",
                               path, part, group, offsets, by_jump)
        else:
            offsets = by_jump
        edges = [start + o for o in offsets] + [stop]
        bounds += [(clip, edges[i], edges[i + 1]) for i, clip in enumerate(group)]
    return bounds


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
    return Recording(
        name=name, sfreq=SFREQ, ch_names=CHANNELS, label_names=LABEL_NAMES, segments=segments,
        other_kind=LAB_EYE_KIND, source_files={str(p): sha256_of(p) for p in (eeg_path, eye_path)},
        classes=dict(CLASSES), subject=subject_of(name), dataset=NAME,
        shipped=ShippedFeatures(
            window_s=window_s, step_s=window_s, bands={b: LAB_BANDS[b] for b in MULTIMODAL_BANDS},
            origin=(f"the SEED lab's SEED_Multimodal features: DE of {eeg_path.parent.name}/{eeg_path.name} and the "
                    f"33 eye features of {eye_path.name} (eye feature meanings after the column number are inferred, "
                    "not documented); not computed by this workflow; no PSD shipped"),
            other_kind=LAB_EYE_KIND, other_names=LAB_EYE_FEATURE_NAMES, dropped_windows=dropped),
    )
