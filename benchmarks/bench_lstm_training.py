"""Bimodal-LSTM training throughput: our compiled loop vs. plain ``keras.Model.fit``.

Shape of one SEED experiment (Sec. 4.1-4.2): 9 training clips of ~235 windows
(4 s windows, 1 s step, ~4 min clips), 310 EEG + 41 eye features, sequences of 60
windows, hidden sizes 128 / 32. Data are random (throughput does not depend on
values). Both trainers run the same network on the same full batch of sequences with
the same loss (squared hinge summed over owned windows + lambda ||W||^2) and Adam:

* ``loop``: :meth:`BimodalLSTM.fit` (tf.function train step + inference-mode
  accuracy of the monitored split every epoch, as early stopping needs);
* ``fit+val``: ``model.fit(..., validation_data=train)``, the same per-epoch work;
* ``fit``: ``model.fit`` without per-epoch validation (less work than early
  stopping needs; shown for reference);
* ``fit+val/noXLA``: ``fit+val`` compiled with ``jit_compile=False`` (Keras'
  default is ``"auto"``), to show whether XLA is what makes the difference.

Usage::

    python benchmarks/bench_lstm_training.py [--epochs 100] [--repeats 2]

Prints, per trainer, the wall time of the whole run (including tracing), the
steady-state epochs per second (from per-epoch timestamps, first epoch excluded)
and the ratio to ``fit+val``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow_scripts"))

import numpy as np  # noqa: E402

from multimodal_emotion.models import BimodalLSTM, WindowData  # noqa: E402
from multimodal_emotion.models.training import FeatureScaler  # noqa: E402
from multimodal_emotion.models.bimodal_lstm import build_bimodal_lstm  # noqa: E402

SEED_SHAPE = dict(n_clips=9, windows_per_clip=235, n_eeg=310, n_other=41)
PARAMS = dict(eeg_hidden=128, other_hidden=32, dropout=0.5, l2=1e-3, learning_rate=1e-3,
              sequence_length=60)


def make_data(*, n_clips, windows_per_clip, n_eeg, n_other, seed=0) -> WindowData:
    rng = np.random.default_rng(seed)
    n = n_clips * windows_per_clip
    return WindowData(
        eeg=rng.standard_normal((n, n_eeg)),
        other=rng.standard_normal((n, n_other)),
        y=np.repeat(np.arange(n_clips) % 3, windows_per_clip),
        segment=np.repeat(np.arange(n_clips), windows_per_clip),
    )


class _EpochClock(logging.Handler):
    """Collects the time of every per-epoch log line of BimodalLSTM.fit."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def emit(self, record):
        if " loss " in record.getMessage():
            self.times.append(time.perf_counter())


def _steady_rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else float("nan")


def bench_loop(train: WindowData, epochs: int) -> tuple[float, float]:
    clock = _EpochClock()
    log = logging.getLogger("multimodal_emotion.models")
    log.addHandler(clock)
    log.setLevel(logging.INFO)
    log.propagate = False
    start = time.perf_counter()
    BimodalLSTM(**PARAMS, seed=0, max_epochs=epochs, patience=10 * epochs).fit(train)
    total = time.perf_counter() - start
    log.removeHandler(clock)
    return total, _steady_rate(clock.times)


def bench_keras_fit(
    train: WindowData, epochs: int, *, validate: bool, jit_compile="auto"
) -> tuple[float, float]:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    start = time.perf_counter()
    prep = BimodalLSTM(**PARAMS)  # reuse its standardisation and sequence layout
    prep.scalers_ = {k: FeatureScaler("standard").fit(getattr(train, k)) for k in ("eeg", "other")}
    seq = prep._sequences(train)
    built = build_bimodal_lstm(n_eeg=train.eeg.shape[1], n_other=train.other.shape[1],
                               n_classes=3, eeg_hidden=PARAMS["eeg_hidden"],
                               other_hidden=PARAMS["other_hidden"], dropout=PARAMS["dropout"])

    def with_l2(layer):  # lambda ||W||^2 on the SVM kernel, the Keras way
        config = layer.get_config()
        if layer.name == "svm":
            config["kernel_regularizer"] = keras.regularizers.L2(PARAMS["l2"])
        return layer.__class__.from_config(config)

    model = keras.models.clone_model(built, clone_function=with_l2)

    def squared_hinge(t, s):  # per position: sum_k max(0, 1 - t s)^2
        return tf.reduce_sum(tf.square(tf.nn.relu(1.0 - t * s)), axis=-1)

    # Keras divides sum(loss * weight) by the number of positions; scaling the
    # owner mask by that number makes the data term the sum over windows, as in J.
    weight = seq["weight"] * float(np.prod(seq["weight"].shape))
    targets = 2.0 * tf.one_hot(seq["y"], 3) - 1.0
    model.compile(optimizer=keras.optimizers.Adam(PARAMS["learning_rate"]), loss=squared_hinge,
                  jit_compile=jit_compile)
    times: list[float] = []
    clock = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: times.append(time.perf_counter()))
    x = [seq["eeg"], seq["other"]]
    model.fit(x, targets, sample_weight=weight, batch_size=int(seq["eeg"].shape[0]),
              epochs=epochs, verbose=0, shuffle=False, callbacks=[clock],
              validation_data=(x, targets, weight) if validate else None)
    return time.perf_counter() - start, _steady_rate(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    import tensorflow as tf

    train = make_data(**SEED_SHAPE)
    print(f"TensorFlow {tf.__version__}, {os.cpu_count()} CPU cores; SEED shape: "
          f"{SEED_SHAPE['n_clips']} clips x {SEED_SHAPE['windows_per_clip']} windows, "
          f"{SEED_SHAPE['n_eeg']}+{SEED_SHAPE['n_other']} features, sequence length "
          f"{PARAMS['sequence_length']}, hidden {PARAMS['eeg_hidden']}/{PARAMS['other_hidden']}, "
          f"{args.epochs} epochs, full batch")
    runners = {
        "loop": lambda: bench_loop(train, args.epochs),
        "fit+val": lambda: bench_keras_fit(train, args.epochs, validate=True),
        "fit": lambda: bench_keras_fit(train, args.epochs, validate=False),
        "fit+val/noXLA": lambda: bench_keras_fit(train, args.epochs, validate=True,
                                                 jit_compile=False),
    }
    results = {}
    for name, run in runners.items():
        runs = [run() for _ in range(args.repeats)]
        results[name] = (min(r[0] for r in runs), max(r[1] for r in runs))
    ref_total, ref_rate = results["fit+val"]
    print(f"{'trainer':<14}{'total s':>10}{'epochs/s':>12}{'s/epoch':>10}"
          f"{'speed vs fit+val':>18}")
    for name, (total, rate) in results.items():
        print(f"{name:<14}{total:>10.2f}{rate:>12.1f}{1 / rate:>10.4f}"
              f"{rate / ref_rate:>17.2f}x")


if __name__ == "__main__":
    main()
