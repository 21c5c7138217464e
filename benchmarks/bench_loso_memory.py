"""Peak memory of one LOSO experiment on all of SEED: pooled windows, folds, a linear SVM.

Writes feature files with the real SEED shapes (15 subjects x 3 sessions, ``--windows``
windows each: 3,394 is a whole SEED session at 4 s windows and a 1 s step; 62 channels x 5
bands of DE and PSD, 41 eye features, float32 as the feature rule writes them) filled
with random numbers, then in a fresh process reads them as ``train_shard`` does
(:func:`~multimodal_emotion.protocols.experiment_features`: DE and eye features only),
builds the held-out subject's fold and fits ``--model`` (default the linear SVM) on it.
Prints the peak resident memory of that process (``ru_maxrss``) after each step.

Usage::

    python benchmarks/bench_loso_memory.py [--subjects 15] [--sessions 3] [--windows 3394] [--model linear_svm]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow_scripts"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_files(folder: Path, subjects: int, sessions: int, windows: int) -> None:
    from multimodal_emotion.datasets import seed as seed_ds
    from multimodal_emotion.store import FeatureFile, write_features

    per_clip = windows // 15
    labels = np.repeat(np.asarray(seed_ds.CLIP_LABELS, float), per_clip)[:, None]
    rng = np.random.default_rng(0)
    for subject in range(1, subjects + 1):
        for session in range(1, sessions + 1):
            n = labels.shape[0]
            write_features(folder / f"{subject}_{session}.h5", FeatureFile(
                de=rng.normal(size=(n, 62, 5)).astype(np.float32), psd=rng.normal(size=(n, 62, 5)).astype(np.float32),
                other=rng.normal(size=(n, 41)).astype(np.float32), segment=np.repeat(np.arange(1, 16), per_clip),
                start_s=np.zeros(n), labels=labels,
                attrs={"label_names": ["emotion"], "classes": {"emotion": seed_ds.CLASSES["emotion"].as_attrs()}}))


def measure(folder: Path, subjects: int, sessions: int, model: str) -> None:
    from multimodal_emotion import protocols
    from multimodal_emotion.models import build_model

    paths = [str(folder / f"{s}_{k}.h5") for s in range(1, subjects + 1) for k in range(1, sessions + 1)]
    members = [{"subject": str(s), "session": k} for s in range(1, subjects + 1) for k in range(1, sessions + 1)]
    protocol = {"kind": "loso", "tasks": ["emotion"], "validation_subjects": 2, "subject": "1", "members": members}
    print(f"start: {peak_mb():.0f} MB")
    pool = protocols.experiment_features(paths, protocol)
    print(f"pool of {len(pool.segment)} windows x {pool.eeg.shape[1]} + {pool.other.shape[1]} features "
          f"({(pool.eeg.nbytes + pool.other.nbytes) / 2**20:.0f} MB): {peak_mb():.0f} MB")
    (fold,) = protocols.experiment_folds(pool, protocol=protocol, task="emotion", seed=1)
    print(f"fold ({fold.train.n_windows} train, {fold.val.n_windows} val, {fold.test.n_windows} test): {peak_mb():.0f} MB")
    build_model(model, C=0.01).fit(fold.train, fold.val)
    print(f"{model} fitted: {peak_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=15)
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--windows", type=int, default=3394)
    parser.add_argument("--model", default="linear_svm")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process: folder to read
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure), args.subjects, args.sessions, args.model)
        return
    with tempfile.TemporaryDirectory() as tmp:
        write_files(Path(tmp), args.subjects, args.sessions, args.windows)
        subprocess.run([sys.executable, __file__, "--measure", tmp, "--subjects", str(args.subjects),
                        "--sessions", str(args.sessions), "--model", args.model], check=True)


if __name__ == "__main__":
    main()
