"""Feature-job throughput for one full-size SEED session, raw .mat to feature HDF5.

Writes a synthetic session of the real size (62 channels, 200 Hz, 15 clips of 185-265 s,
~44.6 M samples) to a scratch folder, then times, on one core, the feature job exactly as
the ``features`` rule runs it: read + validate, QC arrays, bandpass (MNE FIR), windows,
DE/PSD (+ 41 eye features), feature HDF5 - one call, nothing written in between.

Throughput is printed in M samples/s and, because absolute speed depends on the machine,
as a ratio against a baseline measured in the same run: reading the same ``.mat`` with
``scipy.io.loadmat`` (the least any feature job must do). The share of the quality-control
arrays (``features.channel_sd`` and the two ``features.mean_channel_psd`` spectra) is
printed twice, both from the same run: the seconds spent inside them during the job, and
the job with them replaced by no-ops ("QC arrays off") against the job as it runs. The
job is run ``--repeats`` times each way after a warm-up run, in ABBA order; the fastest run
counts (other jobs on a shared machine only slow runs down), medians are printed too. Nothing here asserts times.

    python benchmarks/bench_features.py [--no-eye] [--step 1] [--repeats 4]
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

import numpy as np  # noqa: E402
from multimodal_emotion import features, synthetic  # noqa: E402
from multimodal_emotion.features import stage as feature_stage_module  # noqa: E402  (the job looks up QC here)
from multimodal_emotion.datasets import seed as seed_ds  # noqa: E402


def _qc_timers(state: dict, originals: dict) -> dict:
    """The QC functions wrapped so that the seconds spent inside them add up in state
    ("qc_s" wall, "qc_cpu_s" CPU)."""
    def timed(function):
        def wrapper(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                state["qc_s"] += time.perf_counter() - start
                state["qc_cpu_s"] += time.process_time() - cpu
        return wrapper
    return {name: timed(function) for name, function in originals.items()}


def _qc_off(n_channels: int) -> dict:
    """No-op QC functions: what the job costs without the QC arrays."""
    return {"channel_sd": lambda recording: np.zeros(n_channels),
            "mean_channel_psd": lambda recording, **_: (np.zeros(0), np.zeros((n_channels, 0)))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-eye", action="store_true", help="EEG only (no eye-movement features)")
    parser.add_argument("--step", type=float, default=1.0, help="window step in s (default 1)")
    parser.add_argument("--repeats", type=int, default=4, help="runs with QC arrays on and off each (default 4)")
    args = parser.parse_args()
    originals = {name: getattr(feature_stage_module, name) for name in ("channel_sd", "mean_channel_psd")}
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
        baselines = []
        for _ in range(2):
            start = time.perf_counter()
            content = scipy.io.loadmat(files["eeg"])
            baselines.append(time.perf_counter() - start)
        baseline = min(baselines)
        n_samples = sum(v.size for k, v in content.items() if not k.startswith("__"))
        del content

        def job() -> tuple[float, float]:
            start, cpu = time.perf_counter(), time.process_time()
            features.feature_stage(
                dataset="seed", inputs=files, bandpass={"l_freq": 1.0, "h_freq": 50.0},
                bands=synthetic.DEFAULT_SEED_BANDS, window_s=4.0, step_s=args.step, output=str(tmp / "features.h5"),
            )
            return time.perf_counter() - start, time.process_time() - cpu

        def job_on() -> None:
            state = {"qc_s": 0.0, "qc_cpu_s": 0.0}
            for name, function in _qc_timers(state, originals).items():
                setattr(feature_stage_module, name, function)
            runs_on.append(job())
            inside.append((state["qc_s"], state["qc_cpu_s"]))

        def job_off() -> None:
            for name, function in _qc_off(len(seed_ds.CHANNELS)).items():
                setattr(feature_stage_module, name, function)
            runs_off.append(job())

        runs_on, runs_off, inside = [], [], []  # (wall, CPU) seconds
        job()  # warm-up (first-call imports and caches), not counted
        for round_ in range(max(1, args.repeats)):
            for run in ((job_on, job_off) if round_ % 2 == 0 else (job_off, job_on)):  # ABBA order
                run()
        for name, function in originals.items():
            setattr(feature_stage_module, name, function)
        from multimodal_emotion.store import read_features

        n_windows = read_features(tmp / "features.h5").de.shape[0]
    fastest = int(np.argmin([wall for wall, _ in runs_on]))
    total, total_cpu = runs_on[fastest]
    qc_inside, qc_inside_cpu = inside[fastest]
    off = min(wall for wall, _ in runs_off)
    on_cpu, off_cpu = min(cpu for _, cpu in runs_on), min(cpu for _, cpu in runs_off)
    median_on, median_off = (float(np.median([cpu for _, cpu in runs])) for runs in (runs_on, runs_off))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"SEED session: {n_samples / 1e6:.1f} M samples (62 ch x 200 Hz x 15 clips), {n_windows} windows "
          f"(4 s Hann, {args.step:g} s step), eye features: {'no' if args.no_eye else 'yes'}")
    print(f"  baseline, scipy.io.loadmat of the session:         {baseline:6.2f} s "
          f"({n_samples / baseline / 1e6:.1f} M samples/s)")
    print(f"  feature job (read, QC, bandpass, features, HDF5):  {total:6.2f} s, CPU {total_cpu:.2f} s "
          f"({n_samples / total / 1e6:.1f} M samples/s on one core; target >= 30)")
    print(f"  ratio feature job / baseline read: {total / baseline:.1f}x")
    print(f"  QC arrays (channel SD, PSD before and after the bandpass): {qc_inside:.2f} s inside the job, "
          f"{qc_inside / total:.1%} of it (CPU {qc_inside_cpu:.2f} s, {qc_inside_cpu / total_cpu:.1%}); "
          "target <= 10 %")
    print(f"  QC arrays on / off (no-op QC functions), same run, fastest runs: wall {total:.2f} / {off:.2f} s = "
          f"{total / off:.3f}, CPU {on_cpu:.2f} / {off_cpu:.2f} s = {on_cpu / off_cpu:.3f} "
          f"(share {(on_cpu - off_cpu) / on_cpu:.1%}); median CPU {median_on:.2f} / {median_off:.2f} s = "
          f"{median_on / median_off:.3f} (share {(median_on - median_off) / median_on:.1%})")
    wall_cpu = lambda runs: ", ".join(f"{w:.2f} ({c:.2f})" for w, c in runs)  # noqa: E731
    print(f"  runs, wall (CPU) s: QC on {wall_cpu(runs_on)}; off {wall_cpu(runs_off)}")
    print(f"  (one-time imports of mne/scipy.signal/h5py per job: {imports:.2f} s, not included); "
          f"peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
