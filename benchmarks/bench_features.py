"""Feature-extraction throughput for one full-size SEED session, raw .mat to feature HDF5.

Writes a synthetic session of the real size (62 channels, 200 Hz, 15 clips of about
4 min, ~44.6 M samples) to a scratch folder, then times, on one core, the two rule
stages exactly as the workflow runs them: read + validate + bandpass (MNE FIR) +
intermediate HDF5, then DE/PSD (+ 41 eye features) to the feature HDF5.

    python benchmarks/bench_features.py [--no-eye]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-eye", action="store_true", help="EEG only (no eye-movement features)")
    parser.add_argument("--step", type=float, default=1.0, help="window step in s (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = {"eeg": str(tmp / "1_20131027.mat"), "labels": str(tmp / "label.mat")}
        eye = None if args.no_eye else str(tmp / "eye.mat")
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
        import scipy.io  # noqa: F401
        import scipy.signal  # noqa: F401

        imports = time.perf_counter() - t_import
        start = time.perf_counter()
        features.bandpass_stage(dataset="seed", inputs=files, l_freq=1.0, h_freq=50.0, output=str(tmp / "f.h5"))
        middle = time.perf_counter()
        features.feature_stage(
            filtered=str(tmp / "f.h5"), bands=synthetic.DEFAULT_SEED_BANDS, window_s=4.0, step_s=args.step,
            output=str(tmp / "features.h5"),
        )
        end = time.perf_counter()
        from multimodal_emotion.store import read_features

        n_windows = read_features(tmp / "features.h5").de.shape[0]
        import scipy.io

        n_samples = sum(v.size for k, v in scipy.io.loadmat(files["eeg"]).items() if not k.startswith("__"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = end - start
    print(f"SEED session: {n_samples / 1e6:.1f} M samples (62 ch x 200 Hz x 15 clips), {n_windows} windows "
          f"(4 s Hann, {args.step:g} s step), eye features: {'no' if args.no_eye else 'yes'}")
    print(f"  read + bandpass + intermediate HDF5: {middle - start:6.2f} s")
    print(f"  DE/PSD (+ eye) features to HDF5:     {end - middle:6.2f} s")
    print(f"  (one-time imports of mne/scipy.signal/h5py per job: {imports:.2f} s, not included)")
    print(f"  total {total:.2f} s -> {n_samples / total / 1e6:.1f} M samples/s on one core "
          f"(target >= 20); peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
