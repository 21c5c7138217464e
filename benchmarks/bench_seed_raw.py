"""Time and peak memory of one full-size synthetic SEED raw session, ``.cnt`` to feature HDF5.

Writes a SEED-sized Neuroscan CNT (66 channels, 1000 Hz, the 15 clip bounds of SEED's
``time.txt`` — clips of 185-265 s with ~30 s gaps — about 3.9 M samples, ~1 GB) to a
temporary directory, then runs, in a fresh subprocess per measurement, the reader alone
and the workflow's one feature job (read + cut + resample to 200 Hz, bandpass, features,
HDF5) and prints the wall time (and CPU time) of each and the peak RSS, next to the RSS
of that subprocess right after importing MNE (the baseline). Both readers are measured in
the same run, alternating, ``--repeats`` times each (the fastest run counts: other jobs on
a shared machine only slow runs down): ``polyphase`` (today's: MNE reads the samples,
polyphase FIR decimation) and ``fft`` (the earlier one: MNE reads the samples, FFT
resampling); their ratio is printed. Peak RSS is ``VmHWM`` of ``/proc/self/status``
(reset at exec) and ``resource.getrusage(RUSAGE_SELF).ru_maxrss``; the latter survives
``execve`` and so would include the parent's memory, which is why the session is also
written by a subprocess and the parent stays small.

Usage::

    python benchmarks/bench_seed_raw.py [--methods polyphase,fft] [--repeats N]
        [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow_scripts"))

# Clip bounds (samples at 1000 Hz) of SEED's time.txt, as the lab distributes them.
STARTS = [27000, 290000, 551000, 784000, 1050000, 1262000, 1484000, 1748000, 1993000,
          2287000, 2551000, 2812000, 3072000, 3335000, 3599000]
ENDS = [262000, 523000, 757000, 1022000, 1235000, 1457000, 1721000, 1964000, 2258000,
        2524000, 2786000, 3045000, 3307000, 3573000, 3805000]
N_TIMES = 3_900_000
SFREQ = 1000


def write_session(directory: Path) -> tuple[Path, Path]:
    from multimodal_emotion import synthetic
    from multimodal_emotion.datasets import seed as seed_ds

    names = seed_ds.RAW_CHANNELS
    rng = np.random.default_rng(0)
    data = np.empty((len(names), N_TIMES), dtype=np.float32)  # float32 keeps this ~1 GB
    t = np.arange(N_TIMES, dtype=np.float64) / SFREQ
    for row in range(len(names)):
        data[row] = 20.0 * np.sin(2 * np.pi * (5 + row % 40) * t)
        data[row] += rng.standard_normal(N_TIMES, dtype=np.float32) * 10.0
    cnt = directory / "1_1.cnt"
    synthetic.seed.write_cnt(cnt, data, ch_names=names, sfreq=SFREQ, events=[(s, 1) for s in STARTS])
    time_txt = directory / "time.txt"
    synthetic.seed.write_time_txt(time_txt, starts=STARTS, ends=ENDS)
    synthetic.seed.write_labels(directory / "label.mat")
    return cnt, time_txt


def vm_hwm_mib() -> float:
    """Peak resident set size of this process image (``VmHWM``), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(cnt: str, time_txt: str, method: str) -> None:
    import functools

    import mne  # noqa: F401  (baseline includes MNE and its dependencies)
    import scipy.signal  # noqa: F401  (imported by the feature job either way)
    from multimodal_emotion import features, synthetic
    from multimodal_emotion.datasets import seed as seed_ds

    baseline = vm_hwm_mib()
    cpu, start = cpu_seconds(), time.perf_counter()
    session = seed_ds.read_cnt(cnt, time_txt, resample_method=method, verbose="error")
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    out_mib = sum(c.nbytes for c in session.clips + session.eog) / 2**20
    clip_samples = [c.shape[1] for c in session.clips]
    del session
    # The feature job reads through seed.read_raw_session, which takes the reader's default
    # method: give it this run's method.
    seed_ds.read_cnt = functools.partial(seed_ds.read_cnt, resample_method=method)
    folder = Path(cnt).parent
    job_cpu, t0 = cpu_seconds(), time.perf_counter()
    features.feature_stage(dataset="seed", inputs={"cnt": cnt, "time": time_txt, "labels": str(folder / "label.mat")},
                           bandpass={"l_freq": 1.0, "h_freq": 50.0}, bands=synthetic.DEFAULT_SEED_BANDS, window_s=4.0,
                           step_s=1.0, output=str(folder / f"features_{method}.h5"), read_options={"entry": "raw"})
    print(json.dumps({
        "job_seconds": time.perf_counter() - t0,
        "job_cpu_seconds": cpu_seconds() - job_cpu,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mib": vm_hwm_mib(),
        "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "baseline_rss_mib": baseline,
        "output_mib": out_mib,
        "clip_samples": clip_samples,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="polyphase,fft",
                        help="comma-separated resample_method values to measure (default: polyphase,fft)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each method, alternating (fastest counts)")
    parser.add_argument("--keep", type=Path, help="write the session here and keep it")
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("CNT", "TIME_TXT"), help=argparse.SUPPRESS)
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.method)
        return
    if args.write:
        write_session(args.write)
        return
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for method in methods:
        if method not in ("polyphase", "fft"):
            parser.error(f"unknown method {method!r} (polyphase, fft)")

    with tempfile.TemporaryDirectory() as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        cnt, time_txt = directory / "1_1.cnt", directory / "time.txt"
        if not cnt.exists():
            start = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--write", str(directory)], check=True)
            print(f"wrote {cnt} ({cnt.stat().st_size / 2**30:.2f} GiB, 66 ch x {N_TIMES} "
                  f"samples) in {time.perf_counter() - start:.1f} s")
        runs: dict[str, list[dict]] = {method: [] for method in methods}
        for _ in range(max(1, args.repeats)):
            for method in methods:
                result = subprocess.run(
                    [sys.executable, __file__, "--method", method, "--child", str(cnt), str(time_txt)],
                    check=True, capture_output=True, text=True,
                )
                runs[method].append(json.loads(result.stdout.strip().splitlines()[-1]))
        best = {}
        for method, stats_list in runs.items():
            stats = best[method] = min(stats_list, key=lambda s: s["job_seconds"])
            stats["seconds"] = min(s["seconds"] for s in stats_list)
            print(f"seed.read_cnt (resample_method={method!r}): {stats['seconds']:.1f} s "
                  f"(CPU {stats['cpu_seconds']:.1f} s), peak RSS {stats['peak_rss_mib']:.0f} MiB (ru_maxrss "
                  f"{stats['ru_maxrss_mib']:.0f} MiB) (after importing MNE: {stats['baseline_rss_mib']:.0f} MiB; "
                  f"returned arrays: {stats['output_mib']:.0f} MiB)")
            each = ", ".join(f"{s['job_seconds']:.1f}" for s in stats_list)
            print(f"  feature job from .cnt (read + cut + resample, bandpass, features, QC, HDF5): "
                  f"{stats['job_seconds']:.1f} s (CPU {stats['job_cpu_seconds']:.1f} s); runs: {each} s")
        first = best[methods[0]]
        print(f"clip lengths at 200 Hz: {first['clip_samples']}")
        if len(best) == 2 and {"polyphase", "fft"} <= set(best):
            if best["polyphase"]["clip_samples"] != best["fft"]["clip_samples"]:
                print("WARNING: the two readers gave clips of different lengths")
            print(f"ratio fft / polyphase: read_cnt {best['fft']['seconds'] / best['polyphase']['seconds']:.1f}x, "
                  f"feature job {best['fft']['job_seconds'] / best['polyphase']['job_seconds']:.1f}x "
                  "(same run, same file)")


if __name__ == "__main__":
    main()
