"""HDF5 storage: feature files (one layout for all datasets), and atomic writes.

Every write goes to a temporary name in the target folder and is renamed on success,
so a killed job never leaves a file that looks complete.

Feature file layout (one per SEED session / DEAP subject)::

    /eeg/de          (n_windows, n_channels, n_bands) float32  Differential Entropy
    /eeg/psd         (n_windows, n_channels, n_bands) float32  mean PSD in band (unit^2/Hz)
    /other/features  (n_windows, n_other_features)    float32  eye or peripheral features
    /windows/segment (n_windows,) int32    clip/trial number (1-based)
    /windows/start_s (n_windows,) float64  window start within the clip/trial (s)
    /labels          (n_windows, n_label_names) float64
    attributes: see ``write_features``
"""

from __future__ import annotations

import glob
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .pause_points import pause_point
from .recording import DataFormatError, check_option

FEATURE_LAYOUT_VERSION = 1


def package_version() -> str:
    from . import __version__

    return __version__


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path next to ``path``; rename it to ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):  # left by a killed job
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual permissions
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class atomic_dir:
    """Build a folder under a temporary name next to ``path``; rename it on success."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.tmp")

    def __enter__(self) -> Path:
        import shutil

        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        import shutil

        if exc_type is None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.tmp.rename(self.path)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _open_h5(path: Path):
    import h5py

    if not path.exists():
        raise DataFormatError(path, "file not found")
    try:
        return h5py.File(path, "r")
    except OSError as err:
        raise DataFormatError(path, f"unreadable HDF5 file ({str(err)[:80]})") from None


# --- feature files -------------------------------------------------------------------


@dataclass
class FeatureFile:
    """In-memory content of one feature HDF5 file."""

    de: np.ndarray  # (n_windows, n_channels, n_bands)
    psd: np.ndarray  # (n_windows, n_channels, n_bands)
    other: np.ndarray  # (n_windows, n_other_features)
    segment: np.ndarray  # (n_windows,)
    start_s: np.ndarray  # (n_windows,)
    labels: np.ndarray  # (n_windows, n_label_names)
    attrs: dict
    #: Quality-control arrays of the recording (``qc/*`` datasets, see :func:`read_qc`);
    #: written when present, not read by :func:`read_features`.
    qc: dict | None = None


def write_features(path: str | Path, features: FeatureFile) -> None:
    """Write a feature file atomically; ``features.attrs`` values are stored as JSON."""
    import h5py

    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        f.create_dataset("eeg/de", data=features.de.astype(np.float32))
        f.create_dataset("eeg/psd", data=features.psd.astype(np.float32))
        f.create_dataset("other/features", data=features.other.astype(np.float32))
        f.create_dataset("windows/segment", data=features.segment.astype(np.int32))
        f.create_dataset("windows/start_s", data=features.start_s.astype(np.float64))
        f.create_dataset("labels", data=features.labels.astype(np.float64))
        for key, value in (features.qc or {}).items():
            f.create_dataset(f"qc/{key}", data=np.asarray(value))
        pause_point("feature_file_written_in_part", detail=str(tmp), prepare=f.flush)
        f.attrs["layout_version"] = FEATURE_LAYOUT_VERSION
        for key, value in features.attrs.items():
            f.attrs[key] = json.dumps(value)


def read_features(path: str | Path) -> FeatureFile:
    """Read a feature file written by :func:`write_features`."""
    path = Path(path)
    with _open_h5(path) as f:
        missing = [
            name
            for name in ("eeg/de", "eeg/psd", "other/features", "windows/segment", "windows/start_s", "labels")
            if name not in f
        ]
        if missing:
            raise DataFormatError(path, f"not a feature file, missing datasets {missing}")
        attrs = {k: json.loads(v) for k, v in f.attrs.items() if k != "layout_version"}
        return FeatureFile(
            de=f["eeg/de"][()],
            psd=f["eeg/psd"][()],
            other=f["other/features"][()],
            segment=f["windows/segment"][()],
            start_s=f["windows/start_s"][()],
            labels=f["labels"][()],
            attrs=attrs,
        )


def read_attrs(path: str | Path) -> dict:
    """The attributes of a feature file (as :func:`read_features` returns them), without its arrays."""
    with _open_h5(Path(path)) as f:
        return {k: json.loads(v) for k, v in f.attrs.items() if k != "layout_version"}


#: The EEG feature arrays each ``eeg_feature`` setting reads, in column order.
EEG_PARTS = {"de": ("de",), "psd": ("psd",), "de+psd": ("de", "psd")}


def eeg_parts(eeg_feature: str) -> tuple[str, ...]:
    """The EEG feature arrays (``de``, ``psd``) that the ``eeg_feature`` setting reads."""
    check_option("eeg_feature", eeg_feature, EEG_PARTS)
    return EEG_PARTS[eeg_feature]


def flatten_eeg(parts) -> np.ndarray:
    """EEG feature arrays (n_windows, n_channels, n_bands) side by side, each flattened
    channel-major: (n_windows, n_channels * n_bands * len(parts))."""
    return np.concatenate([p.reshape(len(p), -1) for p in parts], axis=1)


def read_model_inputs(path: str | Path, *, eeg_feature: str = "de") -> dict:
    """What an experiment over many recordings needs of one feature file, and nothing else:
    the EEG feature(s) of ``eeg_feature`` flattened channel-major (float32, as stored),
    the other modality (float32), segment ids, labels and attributes. ``start_s``, the
    unused EEG feature and the QC arrays are not read (a pooled experiment holds the
    windows of every subject at once)."""
    path = Path(path)
    names = [f"eeg/{part}" for part in eeg_parts(eeg_feature)]
    with _open_h5(path) as f:
        missing = [name for name in (*names, "other/features", "windows/segment", "labels") if name not in f]
        if missing:
            raise DataFormatError(path, f"not a feature file, missing datasets {missing}")
        eeg = [f[name][()] for name in names]
        return {
            "eeg": flatten_eeg(eeg).astype(np.float32, copy=False),
            "other": f["other/features"][()].astype(np.float32, copy=False),
            "segment": f["windows/segment"][()].astype(np.int64),
            "labels": f["labels"][()],
            "attrs": {k: json.loads(v) for k, v in f.attrs.items() if k != "layout_version"},
        }


def read_qc(path: str | Path) -> dict:
    """Read the ``qc/*`` arrays of a feature file (empty if it has none).

    ``freqs`` (n_freqs,), ``psd_raw`` and ``psd_filtered`` (n_channels, n_freqs): PSD of
    every EEG channel before and after the bandpass, the mean periodogram of up to
    ``features.QC_PSD_MAX_WINDOWS`` 2 s Hann windows spread over the segments;
    ``channel_sd`` (n_channels,): SD of every channel before the bandpass;
    ``segment_ids`` and ``segment_samples`` (n_segments,): each segment's length.
    """
    path = Path(path)
    with _open_h5(path) as f:
        return {key: f[f"qc/{key}"][()] for key in f["qc"]} if "qc" in f else {}
