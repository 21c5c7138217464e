"""Configurations per hour of the paper's SEED search: one at a time vs grouped.

Shape of one SEED experiment (Sec. 4.1-4.2, our clip protocol): 15 clips of 235
windows (4 s windows, 1 s step), 6 training clips (24 sequences of 60 windows,
one full batch per Adam step as in the paper) and 3 validation clips monitored every
epoch, 310 EEG + 41 eye features. Hidden sizes, dropout, L2 and learning rate are the
configurations the paper's search draws (config/paper.yaml, Table 1). Data are random
(throughput does not depend on the values).

Modes, all in this one run:

* ``alone``: :meth:`BimodalLSTM.fit`, one configuration at a time (today's loop);
* ``K=8/16/32``: :func:`fit_grouped` with K configurations in one graph (float32;
  ``tf.function`` without XLA);
* ``K=16 XLA``: the same compiled with ``jit_compile=True``;
* ``K=... bf16``: matrix products in bfloat16 (mixed precision).

Every mode runs the first configurations of the same sample for ``--epochs`` epochs
(patience larger, so nothing stops early). Printed per mode: setup + tracing
seconds, steady-state seconds per epoch (first epoch excluded), configuration-epochs
per second, its ratio to ``alone``, configurations per hour of the protocol (each
configuration ``--protocol-epochs`` epochs, setup shared by the group), the useful
FLOPs per epoch (real, unpadded sizes; training = 3 x forward, plus the validation
forward) and the achieved fraction of the CPU's float32 peak
(cores x ``--flops-per-cycle`` x clock).

Usage::

    python benchmarks/bench_search.py [--epochs 8] [--alone 6]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

import numpy as np  # noqa: E402
import yaml  # noqa: E402

from multimodal_emotion.experiments import sample_configuration  # noqa: E402
from multimodal_emotion.models import BimodalLSTM, WindowData  # noqa: E402
from multimodal_emotion.models.bimodal_lstm import SequenceLayout  # noqa: E402
from multimodal_emotion.models.grouped_lstm import fit_grouped  # noqa: E402

N_EEG, N_OTHER, N_CLASSES, WINDOWS, SEQ = 310, 41, 3, 235, 60


def make_split(n_clips: int, seed: int) -> WindowData:
    rng = np.random.default_rng(seed)
    n = n_clips * WINDOWS
    return WindowData(eeg=rng.standard_normal((n, N_EEG)), other=rng.standard_normal((n, N_OTHER)),
                      y=np.repeat(np.arange(n_clips) % N_CLASSES, WINDOWS),
                      segment=np.repeat(np.arange(n_clips) + 100 * seed, WINDOWS))


def paper_configs(n: int) -> list[dict]:
    spec = yaml.safe_load((ROOT / "config" / "paper.yaml").read_text())["models"]["bimodal_lstm"]
    space = spec["space"]["seed"]
    return [sample_configuration(space, seed=1, experiment="seed/bench/emotion", model="bimodal_lstm", index=k)
            for k in range(n)]


def forward_flops(positions: int, ue: int, uo: int) -> float:
    per = 2 * (N_EEG + ue) * 4 * ue + 2 * (N_OTHER + uo) * 4 * uo + 2 * (ue + uo) * N_CLASSES
    return float(positions * per)


def epoch_flops(configs, train_pos: int, val_pos: int) -> float:
    """Useful FLOPs of one epoch of ``configs``: 3 x forward on training + forward on validation."""
    return sum(3 * forward_flops(train_pos, c["eeg_hidden"], c["other_hidden"])
               + forward_flops(val_pos, c["eeg_hidden"], c["other_hidden"]) for c in configs)


class _Clock(logging.Handler):
    def __init__(self, marker: str):
        super().__init__()
        self.marker, self.times = marker, []

    def emit(self, record):
        if self.marker in record.getMessage():
            self.times.append(time.perf_counter())


def _timed(run, marker: str) -> tuple[float, list[float]]:
    log = logging.getLogger("multimodal_emotion.models")
    clock = _Clock(marker)
    log.addHandler(clock)
    log.setLevel(logging.INFO)
    log.propagate = False
    start = time.perf_counter()
    run()
    log.removeHandler(clock)
    return start, clock.times


def bench_alone(configs, fixed, train, val):
    """Per configuration: setup + first epoch, and steady seconds per epoch."""
    setups, steady = [], []
    for c in configs:
        start, times = _timed(lambda c=c: BimodalLSTM(**c, **fixed).fit(train, val), " loss ")
        setups.append(times[0] - start)
        steady.append((times[-1] - times[0]) / (len(times) - 1))
    return float(np.mean(setups)), float(np.mean(steady))


def bench_group(configs, fixed, train, val, **kwargs):
    start, times = _timed(
        lambda: fit_grouped([BimodalLSTM(**c, **fixed) for c in configs], train, val, **kwargs),
        "configurations training")
    return times[0] - start, (times[-1] - times[0]) / (len(times) - 1)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=8, help="epochs per measurement")
    parser.add_argument("--alone", type=int, default=6, help="configurations timed one at a time")
    parser.add_argument("--sizes", type=int, nargs="*", default=[8, 16, 32])
    parser.add_argument("--bf16-sizes", type=int, nargs="*", default=[16, 32])
    parser.add_argument("--xla-size", type=int, default=16, help="group size timed with XLA (0 = skip)")
    parser.add_argument("--protocol-epochs", type=int, default=330,
                        help="epochs per configuration in the paper's protocol (patience 120)")
    parser.add_argument("--flops-per-cycle", type=float, default=32.0,
                        help="float32 FLOPs per cycle per core (32: two 256-bit FMA pipes, e.g. AMD Zen 4 "
                             "running AVX-512 double-pumped; 64: two 512-bit FMA units)")
    args = parser.parse_args(argv)
    import tensorflow as tf

    cores = os.cpu_count() or 1
    ghz = _clock_ghz()
    peak = cores * args.flops_per_cycle * ghz * 1e9
    train, val = make_split(6, seed=1), make_split(3, seed=2)
    train_pos = SequenceLayout.from_segments(train.segment, SEQ).index.size
    val_pos = SequenceLayout.from_segments(val.segment, SEQ).index.size
    configs = paper_configs(max(args.sizes + args.bf16_sizes + [args.alone, args.xla_size]))
    fixed = dict(sequence_length=SEQ, max_epochs=args.epochs, patience=10 * args.epochs)
    print(f"TensorFlow {tf.__version__}, {cores} cores at {ghz:.2f} GHz, float32 peak "
          f"{peak / 1e9:.0f} GFLOP/s ({args.flops_per_cycle:g} FLOP/cycle/core); SEED shape: 6 training + 3 "
          f"validation clips x {WINDOWS} windows, {N_EEG}+{N_OTHER} features, sequences of {SEQ}, full batch; "
          f"{args.epochs} epochs per measurement")
    print("hidden sizes (eeg/other) of the sampled configurations:",
          " ".join(f"{c['eeg_hidden']}/{c['other_hidden']}" for c in configs))

    rows = []
    setup, per_epoch = bench_alone(configs[:args.alone], fixed, train, val)
    rows.append(("alone", 1, setup, per_epoch, configs[:args.alone], True))
    for k in args.sizes:
        rows.append((f"K={k}", k, *bench_group(configs[:k], fixed, train, val), configs[:k], False))
    if args.xla_size:
        k = args.xla_size
        rows.append((f"K={k} XLA", k, *bench_group(configs[:k], fixed, train, val, jit_compile=True),
                     configs[:k], False))
    for k in args.bf16_sizes:
        rows.append((f"K={k} bf16", k, *bench_group(configs[:k], fixed, train, val, precision="bfloat16"),
                     configs[:k], False))

    base = None
    print(f"{'mode':<12}{'setup s':>9}{'s/epoch':>9}{'cfg-ep/s':>10}{'ratio':>8}{'cfg/hour':>10}"
          f"{'GFLOP/ep':>10}{'GFLOP/s':>9}{'of peak':>9}")
    for name, k, setup, per_epoch, cfgs, alone in rows:
        flops = epoch_flops(cfgs, train_pos, val_pos) / (len(cfgs) if alone else 1)
        rate = (1 if alone else k) / per_epoch  # configuration-epochs per second
        base = rate if base is None else base
        per_hour = 3600 * k / (setup + args.protocol_epochs * per_epoch)
        print(f"{name:<12}{setup:>9.1f}{per_epoch:>9.3f}{rate:>10.1f}{rate / base:>7.2f}x{per_hour:>10.0f}"
              f"{flops / 1e9:>10.2f}{flops / per_epoch / 1e9:>9.1f}{flops / per_epoch / peak:>9.1%}")


def _clock_ghz() -> float:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("cpu MHz"):
                return float(line.split(":")[1]) / 1000
    except OSError:
        pass
    return float("nan")


if __name__ == "__main__":
    main()
