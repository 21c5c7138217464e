"""Ratio of two versions of the SEED ``.cnt`` reader on the same small recording.

Writes one SEED-like Neuroscan CNT (66 channels at 1000 Hz, ``--seconds`` long, 15
clips) to a temporary directory, then times ``seed.read_cnt`` (read,
cut, resample to 200 Hz) in a fresh subprocess per run for each package directory given
(``LABEL=DIR``, DIR being a ``workflow_scripts`` folder, e.g. one exported from an older
commit with ``git archive``), alternating, ``--repeats`` times each. The fastest run of
each counts (other jobs on a shared machine only slow runs down); the ratios to the first
label are what to read, not the seconds. Peak RSS is ``VmHWM`` of the child.

Usage (the reader through MNE's public API against the former one that read the file
itself through MNE's private ``raw._raw_extras``)::

    mkdir -p /tmp/old && git archive d8c57b2 workflow_scripts resources | tar -x -C /tmp/old
    python benchmarks/bench_cnt_read.py public=workflow_scripts private=/tmp/old/workflow_scripts \\
        [--seconds 300] [--repeats 3]

Measured once (2026-12, a shared 2-core machine, so ratios only): read_cnt through the
public API took ~3x the CPU of the private reader (0.49 s vs 0.15 s for 300 s of
recording), and the whole feature job from that ``.cnt`` ~1.4x (1.14-1.21 s vs 0.84-0.86 s
CPU): about 5 s more CPU per full SEED session, minutes per run of 45 sessions, against a
run dominated by training. Not reason enough to read the file through MNE's private
header fields, so the reader uses ``get_data``.
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

SFREQ = 1000


def write_session(directory: Path, seconds: int) -> None:
    from multimodal_emotion import synthetic
    from multimodal_emotion.datasets import seed as seed_ds

    names = seed_ds.RAW_CHANNELS
    n_times = seconds * SFREQ
    rng = np.random.default_rng(0)
    t = np.arange(n_times) / SFREQ
    data = np.empty((len(names), n_times), dtype=np.float32)
    for row in range(len(names)):
        data[row] = 20.0 * np.sin(2 * np.pi * (5 + row % 40) * t) + 10.0 * rng.standard_normal(n_times)
    step = n_times // 15  # SEED's 15 clips, each 80 % of its fifteenth of the recording
    starts = [k * step + step // 10 for k in range(15)]
    synthetic.seed.write_cnt(directory / "1_1.cnt", data, ch_names=names, sfreq=SFREQ,
                             events=[(s, 1) for s in starts])
    synthetic.seed.write_time_txt(directory / "time.txt", starts=starts, ends=[s + step * 8 // 10 for s in starts])


def child(cnt: str, time_txt: str) -> None:
    import mne  # noqa: F401  (imported before the clock starts, as in a feature job)
    import scipy.signal  # noqa: F401
    from multimodal_emotion.datasets import seed as seed_ds

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, start = usage.ru_utime + usage.ru_stime, time.perf_counter()
    session = seed_ds.read_cnt(cnt, time_txt, verbose="error")
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    hwm = next(int(line.split()[1]) / 1024 for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu, "peak_rss_mib": hwm,
                      "checksum": float(sum(np.abs(c).sum() for c in session.clips))}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=[f"current={Path(__file__).resolve().parents[1] / 'workflow_scripts'}"],
                        help="LABEL=DIR of a workflow_scripts folder; the first is the reference of the ratios")
    parser.add_argument("--seconds", type=int, default=300, help="length of the recording (s)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.write:
        write_session(Path(args.write[0]), int(args.write[1]))
        return
    packages = dict(p.split("=", 1) for p in args.packages)
    with tempfile.TemporaryDirectory() as tmp:
        first = next(iter(packages.values()))
        env = {"PYTHONPATH": str(Path(first).resolve())}
        subprocess.run([sys.executable, __file__, "--write", tmp, str(args.seconds)], check=True,
                       env={**_environ(), **env})
        runs: dict[str, list[dict]] = {label: [] for label in packages}
        for _ in range(max(1, args.repeats)):
            for label, directory in packages.items():
                result = subprocess.run([sys.executable, __file__, "--child", f"{tmp}/1_1.cnt", f"{tmp}/time.txt"],
                                        check=False, capture_output=True, text=True,
                                        env={**_environ(), "PYTHONPATH": str(Path(directory).resolve())})
                if result.returncode:
                    raise SystemExit(f"{label}: read_cnt failed:\n{result.stderr}")
                runs[label].append(json.loads(result.stdout.strip().splitlines()[-1]))
    reference = min(r["seconds"] for r in next(iter(runs.values())))
    for label, results in runs.items():
        best = min(results, key=lambda r: r["seconds"])
        each = ", ".join(f"{r['seconds']:.2f}" for r in results)
        print(f"{label}: read_cnt {best['seconds']:.2f} s (CPU {best['cpu_seconds']:.2f} s), peak RSS "
              f"{best['peak_rss_mib']:.0f} MiB, runs {each} s; "
              f"ratio to {next(iter(runs))}: {best['seconds'] / reference:.2f}; checksum {best['checksum']:.6g}")


def _environ() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


if __name__ == "__main__":
    main()
