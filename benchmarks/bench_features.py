"""Feature-job throughput for one full-size SEED session, raw .mat to feature HDF5.

Writes a synthetic session of the real size (62 channels, 200 Hz, 15 clips of 185-265 s,
~44.6 M samples) to a scratch folder, then times, on one core, the feature job exactly as
the ``features`` rule runs it: read + validate, bandpass (MNE FIR), windows, DE/PSD (+ 41
eye features), feature HDF5 - one call, nothing written in between.

Throughput is printed in M samples/s and, because absolute speed depends on the machine,
as a ratio against a baseline measured in the same run: reading the same ``.mat`` with
``scipy.io.loadmat`` (the least any feature job must do). Nothing here asserts times.

    python benchmarks/bench_features.py [--no-eye] [--step 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the rule declares
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow_scripts"))

from multimodal_emotion import features, synthetic  # noqa: E402
from multimodal_emotion.datasets import seed as seed_ds  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-eye", action="store_true", help="EEG only (no eye-movement features)")
    parser.add_argument("--step", type=float, default=1.0, help="window step in s (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        stem = seed_ds.real_session_stem(1, 1)
        files = {"eeg": str(tmp / f"{stem}.mat"), "labels": str(tmp / "label.mat")}
        eye = None if args.no_eye else str(tmp / f"eye_{stem}.mat")
        if eye:
            files["eye"] = eye
        cfg = synthetic.SyntheticConfig(clip_seconds=(185.0, 265.0))
        synthetic.seed.write_labels(files["labels"])
        synthetic.seed.write_session(files["eeg"], eye, subject=1, session=1, cfg=cfg)
        # Import cost is paid once per job, not per sample: measure it apart.
        t_import = time.perf_counter()
        import h5py  # noqa: F401
        import mne  # noqa: F401
        import scipy.fft  # noqa: F401
        import scipy.io
        import scipy.signal  # noqa: F401

        imports = time.perf_counter() - t_import
        start = time.perf_counter()
        content = scipy.io.loadmat(files["eeg"])
        baseline = time.perf_counter() - start
        n_samples = sum(v.size for k, v in content.items() if not k.startswith("__"))
        del content
        start = time.perf_counter()
        features.feature_stage(
            dataset="seed", inputs=files, bandpass={"l_freq": 1.0, "h_freq": 50.0},
            bands=synthetic.DEFAULT_SEED_BANDS, window_s=4.0, step_s=args.step, output=str(tmp / "features.h5"),
        )
        total = time.perf_counter() - start
        from multimodal_emotion.store import read_features

        n_windows = read_features(tmp / "features.h5").de.shape[0]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"SEED session: {n_samples / 1e6:.1f} M samples (62 ch x 200 Hz x 15 clips), {n_windows} windows "
          f"(4 s Hann, {args.step:g} s step), eye features: {'no' if args.no_eye else 'yes'}")
    print(f"  baseline, scipy.io.loadmat of the session:         {baseline:6.2f} s "
          f"({n_samples / baseline / 1e6:.1f} M samples/s)")
    print(f"  feature job (read, bandpass, features, HDF5):      {total:6.2f} s "
          f"({n_samples / total / 1e6:.1f} M samples/s on one core; target >= 30)")
    print(f"  ratio feature job / baseline read: {total / baseline:.1f}x")
    print(f"  (one-time imports of mne/scipy.signal/h5py per job: {imports:.2f} s, not included); "
          f"peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
