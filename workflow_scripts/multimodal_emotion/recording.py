"""The contract every dataset reader returns, the data-error type, and file checks.

A reader (``datasets/<name>.py``) turns one recording's files into a
:class:`Recording`: labelled segments (film clips, music-video trials), each with its
EEG and the other modality under named fields, plus what the labels mean
(:class:`LabelClasses`: class names and the label-to-class map) and where the data came
from (file SHA-256). Everything after the readers works on this shape only.

Every problem with a file raises :class:`DataFormatError`, one line naming the file and
what is wrong; a config value that cannot work raises :class:`ConfigError`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np


class DataFormatError(ValueError):
    """A data file is missing, unreadable or not in the expected format."""

    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class RawFormatError(DataFormatError):
    """A raw recording (.cnt, .bdf) or its side file is missing, unreadable or not as expected."""


class ConfigError(ValueError):
    """config.yaml holds a value the workflow cannot use."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"config key '{key}': {problem}")

    @classmethod
    def from_line(cls, line: str) -> ConfigError:
        """A ConfigError whose message is ``line`` as given (schema errors)."""
        error = cls.__new__(cls)
        ValueError.__init__(error, line)
        return error


# --- the other modality: eye movements ------------------------------------------------
# Column names of EyeClip.pupil and EyeClip.events; readers put their file's columns in
# this order, so feature code addresses columns by name, never by a dataset's layout.
PUPIL_COLUMNS = ("time_s", "diameter_x_mm", "diameter_y_mm")
EVENT_COLUMNS = (
    "type",  # EYE_EVENT_CODES
    "onset_s",
    "duration_s",
    "dispersion_x",  # fixations: spatial dispersion (deg), else 0
    "dispersion_y",
    "amplitude_deg",  # saccades: amplitude (deg), else 0
)
EYE_EVENT_CODES = {"fixation": 1, "saccade": 2, "blink": 3}


@dataclass(frozen=True)
class EyeClip:
    """Eye-movement data of one segment.

    pupil : ndarray, shape (n_samples, 3)
        Columns :data:`PUPIL_COLUMNS`: time (s from the segment start), diameter X and Y (mm).
    events : ndarray, shape (n_events, 6)
        Columns :data:`EVENT_COLUMNS`; ``type`` holds :data:`EYE_EVENT_CODES`.
    """

    pupil: np.ndarray
    events: np.ndarray

    def pupil_column(self, name: str) -> np.ndarray:
        """One pupil column by name (see :data:`PUPIL_COLUMNS`)."""
        return self.pupil[:, PUPIL_COLUMNS.index(name)]


def event_column(events: np.ndarray, name: str) -> np.ndarray:
    """One column of an events table by name (see :data:`EVENT_COLUMNS`)."""
    return events[:, EVENT_COLUMNS.index(name)]


# --- label semantics -------------------------------------------------------------------


@dataclass(frozen=True)
class LabelClasses:
    """What one label means as classes.

    kind : ``"categorical"`` | ``"threshold"``
        ``categorical``: label value ``values[i]`` is class ``i``. ``threshold``: class 1
        (``class_names[1]``) if the label exceeds the threshold, else class 0; the
        threshold comes from the protocol (``default_threshold`` if it gives none).
    class_names : tuple of str
        Names of the classes in class-index order.
    values : tuple of float
        Categorical label values in class order (empty for ``threshold``).
    default_threshold : float | None
    """

    kind: Literal["categorical", "threshold"]
    class_names: tuple[str, ...]
    values: tuple[float, ...] = ()
    default_threshold: float | None = None

    def as_attrs(self) -> dict:
        """JSON-ready form, written into every feature file."""
        return {"kind": self.kind, "class_names": list(self.class_names), "values": list(self.values),
                "default_threshold": self.default_threshold}


# --- segments and recordings -----------------------------------------------------------


@dataclass
class ShippedWindows:
    """Features a dataset ships already computed, for the windows of one segment.

    Some releases hold features rather than signals (SEED's ``ExtractedFeatures``, the
    SEED_Multimodal DE and eye features); the feature stage writes these instead of
    computing its own, so the rest of the workflow sees the one feature layout.

    de : ndarray, shape (n_windows, n_channels, n_bands)
    psd : ndarray, shape (n_windows, n_channels, n_bands), or None when not shipped
    other : ndarray, shape (n_windows, n_other_features), or None
        Shipped other-modality features; None when the segment's ``other`` (an
        :class:`EyeClip`) is to be turned into features on these windows, or absent.
    start_s : ndarray, shape (n_windows,)
        Window starts within the segment (s).
    """

    de: np.ndarray
    psd: np.ndarray | None
    other: np.ndarray | None
    start_s: np.ndarray


@dataclass(frozen=True)
class ShippedFeatures:
    """What a recording's shipped features are (one per recording, see :class:`ShippedWindows`).

    window_s, step_s : float
        The windows the features were computed on.
    bands : dict of str -> (float, float)
        Band names (in the order of the last axis of ``de``) and edges (Hz).
    origin : str
        Where the features come from, for the file's ``feature_origin`` attribute
        (e.g. "the SEED lab's ExtractedFeatures de_LDS, not computed by this workflow").
    other_kind : str
        Overrides :attr:`Recording.other_kind` for shipped other features.
    other_names : tuple of str
        Names of the shipped other features (empty when computed from an EyeClip).
    dropped_windows : int
        Windows the reader left out (e.g. NaN rows with ``nan_windows: drop``).
    """

    window_s: float
    step_s: float
    bands: dict
    origin: str
    other_kind: str = ""
    other_names: tuple[str, ...] = ()
    dropped_windows: int = 0


@dataclass
class Segment:
    """One labelled clip/trial.

    eeg : ndarray, shape (n_channels, n_times)
        Empty (n_channels, 0) when the dataset ships features (see ``shipped``).
    other : ndarray, shape (n_other_channels, n_times), or EyeClip, or EcgClip, or None
        Peripheral signals (same rate as the EEG), eye movements, or the ECG at its own
        rate with its R-peaks (:class:`~.ecg.EcgClip`).
    labels : ndarray, shape (n_label_names,)
    shipped : ShippedWindows or None
        The segment's features as the dataset ships them.
    baseline : Segment or None
        The same signals recorded before the clip (DREAMER's 61 s neutral clip), attached
        when the reader is asked to: the feature stage subtracts its mean features from
        the clip's.
    """

    index: int
    eeg: np.ndarray
    other: object
    labels: np.ndarray
    shipped: ShippedWindows | None = None
    baseline: Segment | None = None


@dataclass
class Recording:
    """What every reader returns: one session (SEED) or one subject (DEAP).

    ``classes`` maps each label name to its :class:`LabelClasses`; ``subject`` is the
    subject id as the dataset names it; ``source_files`` maps path -> SHA-256.
    """

    name: str
    sfreq: float
    ch_names: tuple[str, ...]
    label_names: tuple[str, ...]
    segments: list[Segment]
    other_kind: str  # "eye_movements" | "peripheral" | "ecg" | "lab_eye_features" | "none"
    other_names: tuple[str, ...] = ()
    source_files: dict[str, str] = field(default_factory=dict)
    classes: dict[str, LabelClasses] = field(default_factory=dict)
    subject: str = ""
    dataset: str = ""
    # Set when the dataset ships features instead of signals (then every segment has ``shipped``).
    shipped: ShippedFeatures | None = None
    # Trials per session when one recording holds several sessions (segment index =
    # (session - 1) * trials_per_session + trial); 0 when it holds one session.
    trials_per_session: int = 0

    def with_segments(self, segments: list[Segment]) -> "Recording":
        """The same recording with other segments (e.g. filtered EEG)."""
        from dataclasses import replace

        return replace(self, segments=segments)


# --- file checks shared by the readers -------------------------------------------------


def sha256_of(path: str | Path, *, chunk: int = 1 << 22) -> str:
    """SHA-256 of a file, read in chunks (raw files can be GBs)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def check_file(path: Path, *, error: type[DataFormatError] = DataFormatError) -> None:
    """Raise ``error`` unless ``path`` is a non-empty regular file."""
    path = Path(path)
    if not path.exists():
        raise error(path, "file not found")
    if not path.is_file():
        raise error(path, "is not a regular file")
    if path.stat().st_size == 0:
        raise error(path, "file is empty")


def first_line(err: BaseException) -> str:
    """The first line of an exception's message (its type name if empty)."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def loadmat(path: Path) -> dict:
    """A Matlab v5 file's variables (``__header__`` and the like left out)."""
    import scipy.io

    check_file(path)
    try:
        content = scipy.io.loadmat(path)
    except Exception as err:  # scipy raises many types for corrupt files
        truncated = mat_truncation(path)
        raise DataFormatError(path, truncated or f"unreadable .mat file ({first_line(err)})") from None
    return {k: v for k, v in content.items() if not k.startswith("__")}


def mat_truncation(path: Path) -> str:
    """Say how a Matlab v5 file is cut short ("" if its element tags fit its size).

    A v5 file is a 128-byte header and then data elements, each with an 8-byte tag
    (type, byte count) that says how long it is; a file that ends inside an element
    was cut short (an interrupted copy or download).
    """
    size = path.stat().st_size
    if size < 128:
        return f"truncated .mat file: {size} bytes on disk, shorter than the 128-byte Matlab header"
    with open(path, "rb") as f:
        header = f.read(128)
        if header[126:128] not in (b"IM", b"MI"):
            return ""  # not v5 (e.g. v7.3/HDF5): the format does not tell
        order = "<" if header[126:128] == b"IM" else ">"
        offset = 128
        while offset + 8 <= size:
            f.seek(offset)
            kind, nbytes = np.frombuffer(f.read(8), dtype=f"{order}u4")
            if kind >> 16:  # small data element: data packed into the tag
                offset += 8
                continue
            end = offset + 8 + int(nbytes) + (-int(nbytes) % 8 if kind != 15 else 0)
            if end > size:
                return (f"truncated .mat file: {size} bytes on disk, but the element at byte {offset} "
                        f"declares {int(nbytes)} bytes (the file should be at least {end} bytes)")
            offset = end
    return "" if offset == size else f"truncated .mat file: ends inside an element tag at byte {offset}"


def check_finite(path: Path, name: str, array: np.ndarray) -> None:
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise DataFormatError(path, f"{name} contains {bad} NaN/inf values")


# Scalp EEG has a few to a few hundred µV of standard deviation; a median channel SD of
# 10 mV is beyond any EEG (a wrong sample width or unit, not a noisy recording).
MAX_PLAUSIBLE_EEG_SD_UV = 10_000.0


def check_eeg(path: Path, name: str, array: np.ndarray, n_channels: int) -> np.ndarray:
    """A numeric (n_channels, n_times) float64 C-ordered array without NaN or flat channels."""
    array = np.asarray(array)
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.number):
        raise DataFormatError(
            path, f"{name} must be a numeric 2-D array (channels x samples), got shape {array.shape}"
        )
    if array.shape[0] != n_channels:
        raise DataFormatError(path, f"{name} has {array.shape[0]} channels, expected {n_channels}")
    # C order: Matlab files load column-major, where per-channel reductions (and every
    # later per-channel step) run ~15x slower.
    array = np.ascontiguousarray(array, dtype=np.float64)
    # One min and one max pass check both: NaN propagates into them, inf shows in them.
    low, high = array.min(axis=1), array.max(axis=1)
    if not (np.isfinite(low).all() and np.isfinite(high).all()):
        check_finite(path, name, array)
    flat = np.flatnonzero(high == low)
    if flat.size:
        raise DataFormatError(
            path, f"{name} has {flat.size} flat (zero-variance) channel(s), first index {flat[0]}"
        )
    return array


def check_amplitude(
    path: Path, name: str, eeg_uV: np.ndarray, *, hint: str = "", error: type[DataFormatError] = DataFormatError
) -> None:
    """Refuse EEG whose median channel SD exceeds :data:`MAX_PLAUSIBLE_EEG_SD_UV`
    (``hint`` is appended to the message: what to check)."""
    median_sd = float(np.median(np.std(eeg_uV, axis=-1)))
    if median_sd > MAX_PLAUSIBLE_EEG_SD_UV:
        raise error(
            path, f"{name}: median channel SD is {median_sd:.3g} µV, beyond any EEG "
            f"(> {MAX_PLAUSIBLE_EEG_SD_UV / 1000:g} mV){hint}",
        )


def name_list(names, *, limit: int = 5) -> str:
    """``"A, B, C, D, E, ..."``: at most ``limit`` names, for one-line messages (give the count apart)."""
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, ..."


def check_option(name: str, value: object, allowed) -> None:
    """ValueError in MNE's wording when ``value`` is not one of ``allowed``."""
    allowed = list(allowed)
    if value not in allowed:
        listed = " and ".join(
            [", ".join(repr(a) for a in allowed[:-1]), repr(allowed[-1])] if len(allowed) > 1 else [repr(allowed[0])]
        )
        raise ValueError(
            f"Invalid value for the {name!r} parameter. Allowed values are {listed}, but got {value!r} instead."
        )


# --- resampling helpers shared by the raw readers ---------------------------------------


def resample_step(sfreq: float, target_sfreq: float) -> int:
    """Input samples per whole number of output samples (5 for 1000 -> 200 Hz).

    FFT resampling maps an input of ``k * step`` samples exactly onto the output grid;
    other lengths are stretched slightly, which shifts late samples.
    """
    import math

    if sfreq == int(sfreq) and target_sfreq == int(target_sfreq):
        return int(sfreq) // math.gcd(int(sfreq), int(target_sfreq))
    return 1


def resample_npad(n_times: int, sfreq: float, target_sfreq: float) -> int:
    """Padding for FFT resampling that keeps the output grid aligned and the FFT fast.

    ``npad="auto"`` pads to a power of two whose resampled size is rounded, which shifts
    the output by a fraction of a sample (0.2 of a 10 Hz sine's amplitude in a
    1000 -> 200 Hz check). A pad that is a multiple of the resampling step (at least
    100 samples per side) keeps ``input[k * step]`` on ``output[k]``; among those, the
    first that makes the padded length a fast FFT size (scipy) is taken.
    """
    from scipy import fft

    step = resample_step(sfreq, target_sfreq)
    first = step * -(-100 // step)
    for npad in range(first, first + step * 2000, step):
        if fft.next_fast_len(n_times + 2 * npad, real=True) == n_times + 2 * npad:
            return npad
    return first


def fit_length(data: np.ndarray, n_out: int) -> np.ndarray:
    """Crop or edge-pad the last axis to ``n_out`` samples (resampling rounds lengths)."""
    n = data.shape[-1]
    if n > n_out:
        return data[..., :n_out]
    if n < n_out:
        return np.pad(data, ((0, 0), (0, n_out - n)), mode="edge")
    return data
