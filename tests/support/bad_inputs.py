"""A user's own copy of SEED and DEAP, good or with exactly one thing wrong.

Used by ``tests/test_reliability.py``. Good files come from
:mod:`multimodal_emotion.synthetic` (the real formats); every bad case starts from a
copy of a good file and breaks one thing, the way a user's copy can be broken: a file
missing, empty, cut short or not a .mat/pickle at all, variables misnamed, a channel
or clip or trial missing, a clip shorter than one window, NaN/inf samples, a flat
channel, labels outside their set or range.

A case names the raw file it breaks (its *role*: SEED ``eeg``, ``eye`` or ``labels``,
DEAP ``data``; with ``entry: raw`` SEED ``cnt``/``time`` and DEAP ``bdf``/``ratings``),
the break, the rule whose job must fail and the problem the one-line error must state
(a regex matched against what follows ``ERROR: <file>: ``).
"""

from __future__ import annotations

import pickle
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.io

from multimodal_emotion import synthetic
from multimodal_emotion import datasets, recording, synthetic  # noqa: F401
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds  # noqa: F401

# Short clips keep the copies small; 10-12 s still hold several 4 s windows.
SEED_CLIP_SECONDS = (10.0, 12.0)
SYNTHETIC = synthetic.SyntheticConfig(clip_seconds=SEED_CLIP_SECONDS)


# --- good copies ---------------------------------------------------------------------


@dataclass(frozen=True)
class Pristine:
    """Good files to copy from: one SEED session (+ labels, eye data), one DEAP subject."""

    seed_eeg: Path
    seed_eye: Path
    seed_labels: Path
    deap_dat: Path

    @property
    def deap_arrays(self) -> dict:
        with open(self.deap_dat, "rb") as f:
            return pickle.load(f, encoding="latin1")


def write_pristine(root: Path, *, seed_clip_seconds=SEED_CLIP_SECONDS) -> Pristine:
    """Write the good files once (SEED subject 1 session 1, DEAP subject 1) under ``root``."""
    cfg = synthetic.SyntheticConfig(clip_seconds=tuple(seed_clip_seconds))
    stem = seed_stem(1)
    files = Pristine(
        seed_eeg=root / "SEED" / seed_ds.EEG_DIR / f"{stem}.mat",
        seed_eye=root / "SEED" / seed_ds.EYE_DIR / f"{stem}.mat",
        seed_labels=root / "SEED" / seed_ds.EEG_DIR / seed_ds.LABEL_FILE,
        deap_dat=root / "DEAP" / deap_ds.PYTHON_DIR / "s01.dat",
    )
    synthetic.seed.write_labels(files.seed_labels)
    synthetic.seed.write_session(files.seed_eeg, files.seed_eye, subject=1, session=1, cfg=cfg)
    synthetic.deap.write_subject(files.deap_dat, subject=1, cfg=cfg)
    return files


@dataclass(frozen=True)
class PristineRaw:
    """Good raw recordings made from the same signals: SEED ``.cnt`` + ``time.txt``, DEAP ``.bdf`` + ratings CSV."""

    seed_cnt: Path
    seed_time: Path
    deap_bdf: Path
    deap_ratings: Path


def write_pristine_raw(pristine: Pristine, root: Path) -> PristineRaw:
    files = PristineRaw(
        seed_cnt=root / "SEED" / seed_ds.RAW_DIR / f"{seed_stem(1)}.cnt",
        seed_time=root / "SEED" / seed_ds.RAW_DIR / seed_ds.TIME_FILE,
        deap_bdf=root / "DEAP" / deap_ds.RAW_DIR / "s01.bdf",
        deap_ratings=root / "DEAP" / deap_ds.RATINGS_FILE,
    )
    for path in (files.seed_cnt, files.deap_bdf, files.deap_ratings):
        path.parent.mkdir(parents=True, exist_ok=True)
    synthetic.seed.write_time(files.seed_time, cfg=SYNTHETIC)
    synthetic.seed.write_raw(files.seed_cnt, mat_path=pristine.seed_eeg, subject=1, cfg=SYNTHETIC)
    synthetic.deap.write_raw(files.deap_bdf, dat_path=pristine.deap_dat, subject=1, cfg=SYNTHETIC)
    synthetic.deap.write_ratings(files.deap_ratings, dat_paths={1: pristine.deap_dat}, cfg=SYNTHETIC)
    return files


def seed_stem(subject: int, session: int = 1) -> str:
    """The real session name for SEED's 15 subjects; a dated name of the same pattern for
    the extra subjects the bad-input matrix needs (a user copy is listed from its folder)."""
    if (subject, session) in seed_ds.SESSIONS:
        return seed_ds.real_session_stem(subject, session)
    import datetime

    day = datetime.date(2013, 10, 1) + datetime.timedelta(days=2 * subject + 7 * (session - 1))
    return seed_ds.session_stem(subject, day.strftime("%Y%m%d"))


def seed_paths(root: Path, stem: str) -> dict[str, Path]:
    """The raw files of one SEED session in a copy rooted at ``root``, by role."""
    return {
        "eeg": root / seed_ds.EEG_DIR / f"{stem}.mat",
        "eye": root / seed_ds.EYE_DIR / f"{stem}.mat",
        "labels": root / seed_ds.EEG_DIR / seed_ds.LABEL_FILE,
    }


def deap_path(root: Path, subject: int, *, fmt: str = "python") -> Path:
    folder, suffix = (deap_ds.MATLAB_DIR, ".mat") if fmt == "matlab" else (deap_ds.PYTHON_DIR, ".dat")
    return root / folder / f"{deap_ds.subject_stem(subject)}{suffix}"


def copy_seed_session(pristine: Pristine, root: Path, stem: str, *, labels: bool = True) -> dict[str, Path]:
    """Copy the good SEED session into the copy at ``root`` under the name ``stem``."""
    paths = seed_paths(root, stem)
    for role, source in (("eeg", pristine.seed_eeg), ("eye", pristine.seed_eye), ("labels", pristine.seed_labels)):
        if role == "labels" and not labels:
            continue
        paths[role].parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, paths[role])
    return paths


def copy_seed_raw_session(pristine: Pristine, raw: PristineRaw, root: Path, stem: str) -> dict[str, Path]:
    """Copy the good raw SEED session (``.cnt``, ``time.txt``, label.mat, eye file) under the name ``stem``."""
    paths = {
        "cnt": root / seed_ds.RAW_DIR / f"{stem}.cnt",
        "time": root / seed_ds.RAW_DIR / seed_ds.TIME_FILE,
        "labels": root / seed_ds.EEG_DIR / seed_ds.LABEL_FILE,
        "eye": root / seed_ds.EYE_DIR / f"{stem}.mat",
    }
    for role, source in (("cnt", raw.seed_cnt), ("time", raw.seed_time), ("labels", pristine.seed_labels),
                         ("eye", pristine.seed_eye)):
        paths[role].parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, paths[role])
    return paths


def copy_deap_raw_subject(raw: PristineRaw, root: Path, subject: int) -> dict[str, Path]:
    """Copy the good ``.bdf`` as subject ``subject`` and add its rows to the copy's ratings CSV."""
    import pandas as pd

    paths = {"bdf": root / deap_ds.RAW_DIR / f"{deap_ds.subject_stem(subject)}.bdf",
             "ratings": root / deap_ds.RATINGS_FILE}
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(raw.deap_bdf, paths["bdf"])
    rows = pd.read_csv(raw.deap_ratings).assign(Participant_id=subject)
    if paths["ratings"].exists():
        rows = pd.concat([pd.read_csv(paths["ratings"]), rows], ignore_index=True)
    rows.to_csv(paths["ratings"], index=False)
    return paths


def copy_deap_subject(pristine: Pristine, root: Path, subject: int, *, fmt: str = "python") -> Path:
    path = deap_path(root, subject, fmt=fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "matlab":
        scipy.io.savemat(path, pristine.deap_arrays)
    else:
        shutil.copyfile(pristine.deap_dat, path)
    return path


# --- ways to break a file (each rewrites the file at ``path``) ------------------------


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".writing")
    tmp.write_bytes(data)
    tmp.replace(path)


def delete(path: Path) -> None:
    path.unlink()


def empty(path: Path) -> None:
    _replace(path, b"")


def truncate(path: Path) -> None:
    """Keep the first half (at most 100 kB): a copy that stopped part-way."""
    data = path.read_bytes()
    _replace(path, data[: min(len(data) // 2, 100_000)])


def garbage(path: Path) -> None:
    """Bytes that are not a .mat file or a pickle at all (e.g. an HTML error page saved as the file)."""
    _replace(path, b"<html><body>404 Not Found</body></html>\n" * 50)


def drop_last_clip(path: Path) -> None:
    """time.txt with the last entry of its start and end lists removed (14 clips)."""
    _replace(path, re.sub(r",\s*[-0-9.]+\s*\]", "]", path.read_text()).encode())


def drop_trial_40(path: Path) -> None:
    """participant_ratings.csv without its rows for trial 40."""
    _replace(path, "".join(line for line in path.read_text().splitlines(keepends=True)
                           if not re.match(r"\d+,40,", line)).encode())


def _mat_variables(path: Path) -> dict:
    return {k: v for k, v in scipy.io.loadmat(path).items() if not k.startswith("__")}


def edit_mat(change: Callable[[dict], dict]) -> Callable[[Path], None]:
    """Rewrite a .mat file with ``change(variables)``."""

    def apply(path: Path) -> None:
        variables = change(_mat_variables(path))
        tmp = path.with_name(path.name + ".writing.mat")
        scipy.io.savemat(tmp, variables)
        tmp.replace(path)

    return apply


def edit_pickle(change: Callable[[dict], object]) -> Callable[[Path], None]:
    """Rewrite a DEAP ``.dat`` with ``change(content)`` (content as DEAP ships it: a dict)."""

    def apply(path: Path) -> None:
        with open(path, "rb") as f:
            content = pickle.load(f, encoding="latin1")
        tmp = path.with_name(path.name + ".writing")
        with open(tmp, "wb") as f:
            pickle.dump(change(content), f, protocol=4)
        tmp.replace(path)

    return apply


def eeg_key(variables: dict, clip: int) -> str:
    return next(k for k in variables if k.endswith(f"_eeg{clip}"))


def _set(variables: dict, key: str, update: Callable[[np.ndarray], np.ndarray]) -> dict:
    variables = dict(variables)
    variables[key] = update(np.array(variables[key], copy=True))
    return variables


def _at(index, value):
    def update(array):
        array[index] = value
        return array

    return update


def seed_eeg_edit(clip: int, update: Callable[[np.ndarray], np.ndarray]) -> Callable[[Path], None]:
    return edit_mat(lambda v: _set(v, eeg_key(v, clip), update))


def deap_edit(key: str, update: Callable[[np.ndarray], np.ndarray]) -> Callable[[Path], None]:
    return edit_pickle(lambda c: {**c, key: update(np.array(c[key], copy=True))})


# --- the bad cases -------------------------------------------------------------------


@dataclass(frozen=True)
class BadCase:
    """One bad raw file.

    name : test id
    dataset : "seed" | "deap"
    role : which raw file is broken (SEED ``eeg``/``eye``/``labels``, DEAP ``data``; raw entry:
        SEED ``cnt``/``time``, DEAP ``bdf``/``ratings``)
    breaks : rewrites (or deletes) the file
    problem : regex of the problem stated after ``ERROR: <file>: ``; for a missing
        file, a regex of Snakemake's or the config check's message instead
    rule : the rule whose job fails (``None``: the run stops before any job)
    fmt : DEAP format of the copy
    entry : ``preprocessed`` (.mat/.dat) or ``raw`` (SEED .cnt + time.txt, DEAP .bdf + ratings CSV)
    """

    name: str
    dataset: str
    role: str
    breaks: Callable[[Path], None]
    problem: str
    rule: str | None = "features"
    fmt: str = "python"
    entry: str = "preprocessed"

    @property
    def missing(self) -> bool:
        return self.breaks is delete

    @property
    def scenario(self) -> str:
        """Cases of one scenario share a raw copy and one Snakemake run (``--keep-going``).

        A missing file stops the whole run at start-up, and SEED's label.mat is shared by
        every session of a copy, so those cases get a copy of their own; DEAP's format is
        one setting per run.
        """
        if self.missing or self.role in ("labels", "time", "ratings"):
            return self.name
        if self.entry == "raw":
            return "raw"
        return "deap_matlab" if self.fmt == "matlab" else "main"


# A missing file of a user's copy stops the run at start with one line (no MissingInputException).
MISSING_AT_START = r"not found \(the \w+ file of \w+ recording \w+\); set \w+\.source to the copy that holds it"


def _drop(*names):
    return lambda v: {k: a for k, a in v.items() if k not in names}


TRUNCATED_MAT = r"truncated \.mat file: \d+ bytes on disk, .+"


def _missing_empty_truncated(name: str, dataset: str, role: str, *, truncated: str, missing: str = MISSING_AT_START,
                             **options) -> list[BadCase]:
    """The three ways a whole file goes wrong: missing (the run stops at start-up), empty,
    cut short (``truncated``: the problem its one line states)."""
    return [BadCase(f"{name}_missing", dataset, role, delete, missing, rule=None, **options),
            BadCase(f"{name}_empty", dataset, role, empty, r"file is empty", **options),
            BadCase(f"{name}_truncated", dataset, role, truncate, truncated, **options)]


CASES: list[BadCase] = [
    # SEED Preprocessed_EEG/{subject}_{date}.mat
    *_missing_empty_truncated(
        "seed_eeg", "seed", "eeg", truncated=TRUNCATED_MAT,
        missing=r"config key 'seed\.sessions': subject \d+ has 0 session files in .*Preprocessed_EEG, session 1 requested"),
    BadCase("seed_eeg_not_a_mat_file", "seed", "eeg", garbage, r"unreadable \.mat file \(.+\)"),
    BadCase("seed_eeg_wrong_variable_names", "seed", "eeg",
            edit_mat(lambda v: {f"clip{k}": v[eeg_key(v, k)] for k in range(1, 16)}),
            r"no EEG variables named '<initials>_eeg<k>' \(found: .*\)"),
    BadCase("seed_eeg_wrong_channel_count", "seed", "eeg", seed_eeg_edit(3, lambda a: a[:60]),
            r"[a-z]+_eeg3 has 60 channels, expected 62"),
    BadCase("seed_eeg_too_few_clips", "seed", "eeg", edit_mat(lambda v: _drop(eeg_key(v, 14), eeg_key(v, 15))(v)),
            r"found 13 clips, expected 15 \(missing \[14, 15\], unexpected \[\]\)"),
    BadCase("seed_eeg_clip_shorter_than_window", "seed", "eeg", seed_eeg_edit(5, lambda a: a[:, : 3 * 200]),
            r"segment 5 is 3\.00 s long, shorter than one 4\.0 s window", rule="features"),
    BadCase("seed_eeg_nan", "seed", "eeg", seed_eeg_edit(2, _at((5, 100), np.nan)),
            r"[a-z]+_eeg2 contains 1 NaN/inf values"),
    BadCase("seed_eeg_inf", "seed", "eeg", seed_eeg_edit(9, _at((0, 10), -np.inf)),
            r"[a-z]+_eeg9 contains 1 NaN/inf values"),
    BadCase("seed_eeg_flat_channel", "seed", "eeg", seed_eeg_edit(1, _at(10, 0.0)),
            r"[a-z]+_eeg1 has 1 flat \(zero-variance\) channel\(s\), first index 10"),
    # SEED Eye_movements/{subject}_{date}.mat
    *_missing_empty_truncated("seed_eye", "seed", "eye", truncated=TRUNCATED_MAT),
    BadCase("seed_eye_wrong_variable_names", "seed", "eye",
            edit_mat(lambda v: {k.replace("pupil_", "diameter_"): a for k, a in v.items()}),
            r"no variable 'pupil_1' \(clip 1 missing\)"),
    BadCase("seed_eye_wrong_column_count", "seed", "eye", edit_mat(lambda v: _set(v, "pupil_4", lambda a: a[:, :2])),
            r"pupil_4 has shape \(\d+, 2\), expected \(n, 3\)"),
    BadCase("seed_eye_too_few_clips", "seed", "eye", edit_mat(_drop("pupil_15", "events_15")),
            r"no variable 'pupil_15' \(clip 15 missing\)"),
    BadCase("seed_eye_nan", "seed", "eye", edit_mat(lambda v: _set(v, "pupil_3", _at((4, 1), np.nan))),
            r"pupil_3 contains 1 NaN/inf values"),
    BadCase("seed_eye_event_type_outside_set", "seed", "eye", edit_mat(lambda v: _set(v, "events_2", _at((0, 0), 9))),
            r"events_2 has unknown event types \[9\]"),
    # SEED Preprocessed_EEG/label.mat
    *_missing_empty_truncated("seed_labels", "seed", "labels", truncated=TRUNCATED_MAT),
    BadCase("seed_labels_wrong_variable_name", "seed", "labels", edit_mat(lambda v: {"labels": v["label"]}),
            r"no variable 'label' \(found: \['labels'\]\)"),
    BadCase("seed_labels_too_few_clips", "seed", "labels", edit_mat(lambda v: {"label": v["label"][:, :14]}),
            r"'label' has 14 entries, expected 15"),
    BadCase("seed_labels_outside_set", "seed", "labels", edit_mat(lambda v: _set(v, "label", _at((0, 3), 2))),
            r"labels \[2\] outside the allowed set \{-1, 0, 1\}"),
    # DEAP data_preprocessed_python/sXX.dat
    *_missing_empty_truncated("deap", "deap", "data", truncated=r"truncated pickle: \d+ bytes on disk, .+"),
    BadCase("deap_not_a_pickle", "deap", "data", garbage, r"unreadable pickle \(.+\)"),
    BadCase("deap_not_a_dict", "deap", "data", edit_pickle(lambda c: [c["data"], c["labels"]]),
            r"pickle holds a list, expected a dict"),
    BadCase("deap_wrong_variable_names", "deap", "data", edit_pickle(lambda c: {"eeg": c["data"], "labels": c["labels"]}),
            r"no 'data' entry \(found: \['eeg', 'labels'\]\)"),
    BadCase("deap_wrong_channel_count", "deap", "data", deap_edit("data", lambda a: a[:, :32]),
            r"'data' has shape \(40, 32, 8064\), expected \(40, 40, 8064\) \(trials, channels, samples\)"),
    BadCase("deap_too_few_trials", "deap", "data",
            edit_pickle(lambda c: {"data": c["data"][:39], "labels": c["labels"][:39]}),
            r"'data' has 39 trials, expected 40"),
    BadCase("deap_trials_too_short", "deap", "data", deap_edit("data", lambda a: a[:, :, :8000]),
            r"'data' has 8000 samples per trial, expected 8064"),
    BadCase("deap_eeg_nan", "deap", "data", deap_edit("data", _at((5, 3, 4000), np.nan)),
            r"trial 6 EEG contains 1 NaN/inf values"),
    BadCase("deap_peripheral_inf", "deap", "data", deap_edit("data", _at((6, 36, 5000), np.inf)),
            r"trial 7 peripheral signals contains 1 NaN/inf values"),
    BadCase("deap_flat_channel", "deap", "data", deap_edit("data", _at((2, 4), 0.0)),
            r"trial 3 EEG has 1 flat \(zero-variance\) channel\(s\), first index 4"),
    BadCase("deap_ratings_outside_range", "deap", "data", deap_edit("labels", _at((0, 1), 9.5)),
            r"ratings outside \[1, 9\] \(min [0-9.]+, max 9\.5\)"),
    BadCase("deap_labels_wrong_shape", "deap", "data", deap_edit("labels", lambda a: a[:, :3]),
            r"'labels' has shape \(40, 3\), expected \(40, 4\)"),
    BadCase("deap_ratings_nan", "deap", "data", deap_edit("labels", _at((7, 0), np.nan)),
            r"'labels' contains 1 NaN/inf values"),
    # DEAP data_preprocessed_matlab/sXX.mat (deap.format: matlab)
    BadCase("deap_matlab_truncated", "deap", "data", truncate, r"truncated \.mat file: \d+ bytes on disk, .+", fmt="matlab"),
    BadCase("deap_matlab_wrong_variable_names", "deap", "data",
            edit_mat(lambda v: {"eeg": v["data"], "labels": v["labels"]}),
            r"no 'data' entry \(found: \['eeg', 'labels'\]\)", fmt="matlab"),
    # Raw entry (seed.entry / deap.entry: raw): SEED_RAW_EEG/{subject}_{date}.cnt + time.txt
    *_missing_empty_truncated(
        "raw_seed_cnt", "seed", "cnt", truncated=r"not a readable Neuroscan CNT file \(.+\)", entry="raw",
        missing=r"config key 'seed\.sessions': subject \d+ has 0 session files in .*SEED_RAW_EEG, session 1 requested"),
    BadCase("raw_seed_cnt_not_a_cnt_file", "seed", "cnt", garbage, r"not a readable Neuroscan CNT file \(.+\)",
            rule="features", entry="raw"),
    BadCase("raw_seed_time_missing", "seed", "time", delete, MISSING_AT_START, rule=None,
            entry="raw"),
    BadCase("raw_seed_time_too_few_clips", "seed", "time", drop_last_clip, r"found 14 start/end pairs, expected 15 clips",
            rule="features", entry="raw"),
    # data_original/sXX.bdf + metadata_csv/participant_ratings.csv
    *_missing_empty_truncated("raw_deap_bdf", "deap", "bdf", entry="raw",
                              truncated=r"(not a readable BDF file|.*truncated|.*file size).*"),
    BadCase("raw_deap_bdf_not_a_bdf_file", "deap", "bdf", garbage, r"not a readable BDF file \(.+\)",
            rule="features", entry="raw"),
    BadCase("raw_deap_ratings_missing", "deap", "ratings", delete, MISSING_AT_START, rule=None,
            entry="raw"),
    BadCase("raw_deap_ratings_missing_trial", "deap", "ratings", drop_trial_40,
            r"no rating row for participant 1, trial 40", rule="features", entry="raw"),
]
