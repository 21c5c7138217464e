"""Synthetic SEED-VII, written as the release ships it (through :mod:`..datasets.seed_vii`).

- ``EEG_preprocessed/{s}.mat``: ``'{v}'`` for v = 1..80, (62, 200 x s) float64 µV at 200 Hz;
- ``EEG_features/{s}.mat``: ``de_{v}``, ``de_LDS_{v}``, ``psd_{v}``, each (W, 5, 62)
  (windows, bands, channels: band-major) on 4 s windows, DE on the lab's scale;
- ``EYE_features/{s}.mat``: ``'{v}'`` (W, 33), the same windows; columns 25-33 are
  statistics of the whole clip repeated in every window, as the lab's are;
- ``emotion_label_and_stimuli_order.xlsx``: one sheet, no header, per session a
  ``Video index`` row and a ``Session k`` row of emotion names (capitalised, as shipped);
- ``EEG_raw/{s}_{date}_{k}.cnt``: Neuroscan CNT (int32, 1000 Hz, the 62 channels + M1 M2
  ECG HEO VEO), clips marked by annotations 1 (start) / 2 (end); for the recordings of
  :func:`~..datasets.seed_vii.synthetic_trigger_stems` the annotations are wrong (every
  end is missing) and
- ``save_info/{stem}_trigger_info.csv`` gives the clips instead (no header, rows
  ``code,YYYY-MM-DD HH:MM:SS.ffffff`` from the .cnt header's start time).

Every subject watches the same clips, so a clip has the same length for everyone
(:func:`.family.trial_seconds`). The emotion effect: per class a score on three axes
(valence, arousal, "other"), distinct for the seven classes.
"""

from __future__ import annotations

import re

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from ..datasets import seed_vii as fmt
from ..store import atomic_path
from .config import SyntheticConfig, rng_for
from .family import lab_features, raw_trial_bounds, session_trials, upsampled_recording
from .seed import write_cnt
from .seed_iv import EFFECTS
from .seed_lab import lds_smooth
from .signals import savemat

KEY = 7  # random streams of SEED-VII
SCORES = {  # 0 disgust, 1 fear, 2 sad, 3 neutral, 4 happy, 5 anger, 6 surprise
    0: {"valence": -1.0, "arousal": 0.5, "other": -1.0},
    1: {"valence": -1.0, "arousal": 1.0, "other": 0.5},
    2: {"valence": -1.0, "arousal": -0.5, "other": 1.0},
    3: {"valence": 0.0, "arousal": 0.0, "other": 0.0},
    4: {"valence": 1.0, "arousal": 0.5, "other": 0.0},
    5: {"valence": -0.5, "arousal": 1.0, "other": -1.0},
    6: {"valence": 0.5, "arousal": 1.0, "other": 1.0},
}
FIRST_START_S = 10  # the first clip's start in a synthetic raw recording
GAP_S = 5  # rest between clips
CNT_START = datetime(2013, 1, 1)  # the start time write_cnt stamps in the header (01/01/13 00:00:00)


def _seconds(dataset_config: Mapping):
    return dataset_config.get("synthetic_trial_seconds", (24, 40))


def trials(cfg: SyntheticConfig, dataset_config: Mapping, subject: int, session: int):
    return session_trials(cfg, key=KEY, subject=subject, session=session, labels=fmt.SPEC.labels(session),
                          channels=fmt.CHANNELS, sfreq=fmt.SFREQ, seconds=_seconds(dataset_config), effects=EFFECTS,
                          scores=SCORES)


def clip_eye_features(trial) -> np.ndarray:
    """The 33 eye features of one clip per 4 s window; the per-clip columns computed over
    the whole clip and repeated in every window."""
    from .. import features

    _, _, eye = lab_features(trial, sfreq=fmt.SFREQ, window_s=fmt.WINDOW_S, eye_columns=fmt.EYE_COLUMNS)
    ours = features.eye_feature_names()
    duration = (trial.eeg.shape[1] - 1) / fmt.SFREQ
    whole = features.eye_features(trial.eye, starts_s=np.zeros(1), window_s=duration)[0]
    for i, name in enumerate(fmt.EYE_COLUMNS):
        if name in fmt.PER_CLIP_EYE_COLUMNS:
            eye[:, i] = whole[ours.index(name)]
    return eye


def timestamps(cfg: SyntheticConfig, dataset_config: Mapping, session: int) -> list[tuple[int, int]]:
    """Whole-second (start, end) of every clip of a synthetic raw session."""
    return raw_trial_bounds(cfg, key=KEY, session=session, n_trials=fmt.N_TRIALS, seconds=_seconds(dataset_config),
                            first_start_s=FIRST_START_S, gap_s=GAP_S)


def label_rows() -> list[list]:
    """The workbook's rows: per session ``Video index`` + videos, ``Session k`` + names."""
    rows = []
    for k, emotions in enumerate(fmt.SESSION_EMOTIONS, start=1):
        rows.append(["Video index"] + [(k - 1) * fmt.N_TRIALS + t for t in range(1, fmt.N_TRIALS + 1)])
        rows.append([f"Session {k}"] + [e.capitalize() for e in emotions])
    return rows


def workbook_bytes(rows: list[list[str]]) -> bytes:
    """One sheet of ``rows`` as .xlsx, the same bytes on every write: openpyxl stamps the
    save time into docProps/core.xml and every zip entry, so both are fixed here."""
    import io
    import zipfile

    import pandas as pd

    raw = io.BytesIO()
    with pd.ExcelWriter(raw, engine="openpyxl") as writer:
        pd.DataFrame(rows).to_excel(writer, header=False, index=False)
    core = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = core.sub(rb"\g<1>2024-01-01T00:00:00Z\g<2>", data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return fixed.getvalue()


def write(relpath: str, output: str | Path, *, cfg: SyntheticConfig, dataset_config: Mapping) -> None:
    """Write the file ``relpath`` (relative to the SEED-VII folder) of the synthetic copy."""
    import pandas as pd

    parts = Path(relpath).parts
    if parts == (fmt.LABEL_FILE,):
        with atomic_path(output) as tmp:
            tmp.write_bytes(workbook_bytes(label_rows()))
        return
    folder, name = parts
    if folder == fmt.TRIGGER_DIR:
        stem = name.removesuffix("_trigger_info.csv")
        session = int(stem.split("_")[2])
        rows = [f"{code},{(CNT_START + timedelta(seconds=s)).strftime('%Y-%m-%d %H:%M:%S.%f')}"
                for start, end in timestamps(cfg, dataset_config, session) for code, s in ((1, start), (2, end))]
        with atomic_path(output) as tmp:
            Path(tmp).write_text("\n".join(rows) + "\n")
        return
    if folder == fmt.RAW_DIR:
        subject, _, session = Path(name).stem.split("_")
        _write_raw(output, cfg=cfg, dataset_config=dataset_config, subject=int(subject), session=int(session),
                   wrong_annotations=Path(name).stem in fmt.synthetic_trigger_stems())
        return
    if folder not in (fmt.EEG_DIR, fmt.FEATURE_DIR, fmt.EYE_DIR):
        raise ValueError(f"Invalid SEED-VII folder {folder!r}: allowed are {fmt.EEG_DIR}, {fmt.FEATURE_DIR}, "
                         f"{fmt.EYE_DIR}, {fmt.RAW_DIR}, {fmt.TRIGGER_DIR}")
    subject = int(Path(name).stem)
    variables = {}
    for session in fmt.SESSIONS:
        for t, trial in enumerate(trials(cfg, dataset_config, subject, session), start=1):
            v = (session - 1) * fmt.N_TRIALS + t
            if folder == fmt.EEG_DIR:
                variables[str(v)] = trial.eeg[:, :-1]  # whole seconds, as the release stores them
            elif folder == fmt.EYE_DIR:
                variables[str(v)] = clip_eye_features(trial)
            else:
                de, psd, _ = lab_features(trial, sfreq=fmt.SFREQ, window_s=fmt.WINDOW_S, eye_columns=())
                for key, values in ((f"de_{v}", de), (f"de_LDS_{v}", lds_smooth(de)), (f"psd_{v}", psd)):
                    variables[key] = np.ascontiguousarray(values.transpose(0, 2, 1))  # (W, 5, 62): band-major
    savemat(output, variables)


def _write_raw(output, *, cfg: SyntheticConfig, dataset_config: Mapping, subject: int, session: int,
               wrong_annotations: bool) -> None:
    """The 1000 Hz recording of one session: each 200 Hz clip upsampled x5 (polyphase) at
    its times, 1/f EEG during the rests, M1/M2/ECG/HEO/VEO beside the 62 channels."""
    bounds = timestamps(cfg, dataset_config, session)
    data = upsampled_recording(fmt, trials(cfg, dataset_config, subject, session), bounds,
                               rng=rng_for(cfg, KEY, 3, subject, session), gap_s=GAP_S)
    events = [(int(s * fmt.RAW_SFREQ), fmt.CLIP_START) for s, _ in bounds]
    if not wrong_annotations:
        events += [(int(e * fmt.RAW_SFREQ), fmt.CLIP_END) for _, e in bounds]
    with atomic_path(output) as tmp:
        write_cnt(tmp, data, ch_names=fmt.RAW_CHANNELS, sfreq=fmt.RAW_SFREQ, events=sorted(events))
