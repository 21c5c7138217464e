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

Every mode trains the same ``--configs`` sampled configurations for ``--epochs``
epochs (patience larger, so nothing stops early), grouped as the search groups them
(similar hidden sizes, :func:`config_groups`); XLA only its first group, since it
compiles for minutes. Printed per mode: setup + tracing
seconds, steady-state seconds per epoch (first epoch excluded), configuration-epochs
per second, its ratio to ``alone``, configurations per hour of the protocol (each
configuration ``--protocol-epochs`` epochs, setup shared by the group), the useful
FLOPs per epoch (real, unpadded sizes; training = 3 x forward, plus the validation
forward) and the achieved fraction of the CPU's float32 peak
(cores x ``--flops-per-cycle`` x clock).

Usage::

    python benchmarks/bench_search.py [--epochs 4] [--configs 32]
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

from multimodal_emotion.experiments import config_groups, sample_configuration  # noqa: E402
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
    """Per configuration: (setup + first epoch seconds, steady seconds per epoch)."""
    out = []
    for c in configs:
        start, times = _timed(lambda c=c: BimodalLSTM(**c, **fixed).fit(train, val), " loss ")
        out.append((times[0] - start, (times[-1] - times[0]) / (len(times) - 1)))
    return out


def bench_groups(configs, fixed, train, val, group_size, *, first_only=False, **kwargs):
    """Per group of the search's grouping (similar sizes): (setup seconds, seconds per epoch)."""
    sizes = [(c["eeg_hidden"], c["other_hidden"]) for c in configs]
    groups = config_groups(len(configs), group_size=group_size, sizes=sizes)
    out = []
    for group in groups[:1] if first_only else groups:
        start, times = _timed(
            lambda g=group: fit_grouped([BimodalLSTM(**configs[k], **fixed) for k in g], train, val, **kwargs),
            "configurations training")
        out.append((group, times[0] - start, (times[-1] - times[0]) / (len(times) - 1)))
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=4, help="epochs per measurement")
    parser.add_argument("--configs", type=int, default=32, help="configurations sampled (all modes train them all)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[8, 16, 32])
    parser.add_argument("--bf16-sizes", type=int, nargs="*", default=[8, 16, 32])
    parser.add_argument("--xla-size", type=int, default=8,
                        help="group size timed with XLA, first group only (0 = skip; XLA compiles for minutes)")
    parser.add_argument("--protocol-epochs", type=int, default=330,
                        help="epochs per configuration in the paper's protocol (patience 120)")
    parser.add_argument("--flops-per-cycle", type=float, default=64.0,
                        help="float32 FLOPs per cycle per core (64: two 512-bit FMA pipes, AMD Zen 5 / Intel server cores; "
                             "32: Zen 4, whose AVX-512 runs on 256-bit pipes)")
    args = parser.parse_args(argv)
    import tensorflow as tf

    cores = os.cpu_count() or 1
    ghz = _clock_ghz()
    peak = cores * args.flops_per_cycle * ghz * 1e9
    train, val = make_split(6, seed=1), make_split(3, seed=2)
    train_pos = SequenceLayout.from_segments(train.segment, SEQ).index.size
    val_pos = SequenceLayout.from_segments(val.segment, SEQ).index.size
    configs = paper_configs(args.configs)
    fixed = dict(sequence_length=SEQ, max_epochs=args.epochs, patience=10 * args.epochs)
    flops = [epoch_flops([c], train_pos, val_pos) for c in configs]
    print(f"TensorFlow {tf.__version__}, {cores} cores at {ghz:.2f} GHz, float32 peak "
          f"{peak / 1e9:.0f} GFLOP/s ({args.flops_per_cycle:g} FLOP/cycle/core); SEED shape: 6 training + 3 "
          f"validation clips x {WINDOWS} windows, {N_EEG}+{N_OTHER} features, sequences of {SEQ}, full batch; "
          f"{len(configs)} configurations of Table 1, {args.epochs} epochs per measurement; mean useful "
          f"{np.mean(flops) / 1e9:.2f} GFLOP per configuration-epoch")
    print("hidden sizes (eeg/other):", " ".join(f"{c['eeg_hidden']}/{c['other_hidden']}" for c in configs))

    alone = bench_alone(configs, fixed, train, val)
    rows = [("alone", list(range(len(configs))), sum(a[0] for a in alone), sum(a[1] for a in alone))]
    runs = [(f"K={k}", k, {}) for k in args.sizes]
    if args.xla_size:
        runs.append((f"K={args.xla_size} XLA", args.xla_size, {"jit_compile": True, "first_only": True}))
    runs += [(f"K={k} bf16", k, {"precision": "bfloat16"}) for k in args.bf16_sizes]
    for name, k, kwargs in runs:
        res = bench_groups(configs, fixed, train, val, k, **kwargs)
        rows.append((name, sum((r[0] for r in res), []), sum(r[1] for r in res), sum(r[2] for r in res)))
        print(f"  {name}: groups {[r[0] for r in res]}", flush=True)

    print(f"{'mode':<12}{'configs':>8}{'setup s':>9}{'s/epoch':>9}{'cfg-ep/s':>10}{'vs alone':>9}"
          f"{'cfg/hour':>10}{'GFLOP/s':>9}{'of peak':>9}")
    for name, idx, setup, per_epoch in rows:
        n = len(idx)
        rate = n / per_epoch  # configuration-epochs per second
        base = len(idx) / sum(alone[k][1] for k in idx)  # the same configurations one at a time
        per_hour = 3600 * n / (setup + args.protocol_epochs * per_epoch)
        useful = sum(flops[k] for k in idx) / per_epoch
        print(f"{name:<12}{n:>8}{setup:>9.1f}{per_epoch / n:>9.4f}{rate:>10.1f}{rate / base:>8.2f}x"
              f"{per_hour:>10.0f}{useful / 1e9:>9.1f}{useful / peak:>9.1%}")
    print("s/epoch: per configuration; cfg/hour: configurations of the protocol per hour "
          f"({args.protocol_epochs} epochs each, setup and tracing included)")


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
