"""The seeded random search: sample configurations, group them, train one shard.

Every configuration of a model on an experiment is drawn from the model's search space
by (seed, experiment, model, index) alone, so a shard, a rerun or another machine draws
the same ones. :func:`train_shard` trains a shard's configurations on every fold of the
experiment (:mod:`.protocols`) and saves what the evaluation (:mod:`.evaluation`) needs.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .protocols import ExperimentError, Fold, experiment_features, experiment_folds, stable_hash
from .store import atomic_dir

log = logging.getLogger(__name__)


#: How each kind of search-space entry draws its value, from the configuration's own NumPy
#: Generator. These are the calls scipy.stats' uniform and randint make with a Generator (the
#: same draws), without importing scipy.stats (0.4 s) into every job. Not scikit-learn's
#: ParameterSampler: it seeds a legacy RandomState (no Generator), which would change every
#: sampled configuration. tests/test_experiments.py checks the draws against the former ones.
SPACE_KINDS = {
    "log10": lambda arg, rng: float(10 ** rng.uniform(arg[0], arg[1])),
    "uniform": lambda arg, rng: float(rng.uniform(arg[0], arg[1])),
    "int": lambda arg, rng: int(rng.integers(arg[0], arg[1] + 1)),
    "choice": lambda arg, rng: arg[int(rng.integers(len(arg)))],
    "value": lambda arg, rng: arg,
}


def sample_configuration(space: Mapping[str, Mapping], *, seed: int, experiment: str, model: str, index: int) -> dict:
    """Configuration ``index`` of ``model`` on ``experiment``; identical on every machine.

    Each entry of ``space`` is one of ``{log10: [a, b]}`` (10 ** uniform(a, b)),
    ``{uniform: [a, b]}``, ``{int: [a, b]}`` (uniform integer, both ends included),
    ``{choice: [...]}`` or ``{value: x}``. A ``keep_prob`` entry (the paper's "dropout
    probability", which in TensorFlow 0.x was the probability of keeping a unit) is
    turned into Keras' ``dropout = 1 - keep_prob``.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, stable_hash(experiment), stable_hash(model), index]))
    config = {}
    for name in sorted(space):
        (kind, arg), = space[name].items()
        if kind not in SPACE_KINDS:
            raise ValueError(f"search space entry {name!r}: unknown kind {kind!r}")
        config[name] = SPACE_KINDS[kind](arg, rng)
    if "keep_prob" in config:
        config["dropout"] = 1.0 - config.pop("keep_prob")
    config["seed"] = int(rng.integers(2**31 - 1))
    return config


def config_groups(n_configs: int, *, group_size: int = 1, sizes: Sequence | None = None) -> list[list[int]]:
    """Configurations trained together, ``group_size`` at a time.

    Without ``sizes``: consecutive indices ``[0..K-1], [K..2K-1], ...``. With
    ``sizes`` (one sortable key per configuration, e.g. its hidden sizes): the
    indices ordered by ``(size, index)`` and cut into runs of K, so a group pads its
    networks to similar sizes (padding is wasted work). Either way the groups are a
    fixed function of the configurations, not of ``search.shards``; each group is
    listed in index order and the groups in the order of their first index.
    """
    if group_size < 1:
        raise ValueError(f"group_size must be >= 1, got {group_size!r}.")
    order = list(range(n_configs)) if sizes is None else sorted(range(n_configs), key=lambda k: (sizes[k], k))
    groups = [sorted(order[a:a + group_size]) for a in range(0, n_configs, group_size)]
    return sorted(groups)


def shard_indices(n_configs: int, *, shard: int, n_shards: int, group_size: int = 1,
                  sizes: Sequence | None = None) -> list[int]:
    """Configurations run by one shard: whole groups ``shard, shard + n_shards, ...``
    of :func:`config_groups`.

    With ``group_size=1`` these are configurations ``shard, shard + n_shards, ...``.
    """
    groups = config_groups(n_configs, group_size=group_size, sizes=sizes)
    return [k for group in groups[shard::n_shards] for k in group]


def train_shard(
    *, features_path: str, experiment: str, task: str, protocol: Mapping, model_name: str, model_class: str,
    space: Mapping, fixed: Mapping, n_configs: int, shard: int, n_shards: int, seed: int, output_dir: str,
    threads: int = 1, group_size: int = 1, precision: str = "float32", device: str = "auto",
) -> None:
    """Train every configuration of one shard on every fold; save the models.

    Writes ``output_dir/config{k:04d}/fold{f:02d}/`` (one saved model each; for the
    networks also :data:`SVM_INPUTS_FILE`, see :func:`_save_svm_inputs`, for the other
    models :data:`PREDICTIONS_FILE`, see :func:`_save_predictions`) and
    ``output_dir/training.json`` (hyper-parameters, epochs, seconds per run), the file
    Snakemake tracks; the folder is assembled under a temporary name and renamed.

    Configurations of a model class that says ``trains_grouped`` (the Bimodal-LSTM) are
    trained ``group_size`` at a time in one graph (:func:`~.models.grouped_lstm.fit_grouped`,
    with ``precision`` and ``device``); groups are configurations of similar hidden sizes
    (:func:`config_groups`, a fixed function of the sampled configurations) and shards hold
    whole groups, so neither the group nor the shard a configuration lands in depends on
    ``n_shards``. Other models, and ``group_size=1``, train one at a time; DCCA and BDDAE
    reuse one network and its traced steps for all folds (:mod:`~.models.reuse`).
    """
    from .models import build_model, trains_grouped
    from .models.reuse import reusing_networks
    from .models.training import PHASE_SECONDS, phase

    log.info("job start: process started %.2f s ago (Python and package imports)", _process_age())
    network = import_model_stack(model_class)
    if network:
        with phase("import_tensorflow"):
            _limit_threads(threads)
    try:
        features = experiment_features(features_path, protocol)
        folds = experiment_folds(features, protocol=protocol, task=task, seed=seed)
    except ExperimentError as err:
        log.error("%s %s: %s", experiment, task, err)
        folds, reason = [], str(err)
    else:
        reason = build_model(model_class, **fixed).input_problem(folds[0].train) if folds else ""
        if reason:  # e.g. the "other modality only" SVM without eye features: absent, with a note
            log.error("%s %s: %s", experiment, task, reason)
            folds = []
    runs = []
    output = Path(output_dir)
    grouped = trains_grouped(model_class) and group_size > 1
    every = [{**sample_configuration(space, seed=seed, experiment=f"{experiment}/{task}", model=model_name, index=k),
              **fixed} for k in range(n_configs)]
    sizes = [(h.get("eeg_hidden", 0), h.get("other_hidden", 0)) for h in every]  # similar sizes, little padding
    groups = config_groups(n_configs, group_size=group_size if grouped else 1, sizes=sizes)[shard::n_shards]
    n_in_shard = sum(len(g) for g in groups)
    shard_start = time.perf_counter()
    done = 0
    with atomic_dir(output) as tmp, reusing_networks():  # each fit's model is saved before the next fit
        for group in groups:
            hypers = {k: every[k] for k in group}
            for fold in folds:
                start = time.perf_counter()
                for k in group:
                    log.info("%s %s: config %d/%d fold %d: %s", experiment, model_name, k + 1, n_configs, fold.index,
                             hypers[k])
                if network:  # phases inside: build, trace, training_steps
                    fitted = _fit_group(model_class, hypers, fold, grouped=grouped, precision=precision, device=device)
                else:  # no build or trace to tell apart: the whole fit is training
                    with phase("training_steps"):
                        fitted = _fit_group(model_class, hypers, fold, grouped=grouped, precision=precision,
                                            device=device)
                seconds = (time.perf_counter() - start) / len(group)  # a group's time is shared
                for k, model in fitted.items():
                    with phase("save"):
                        model.save(tmp / f"config{k:04d}" / f"fold{fold.index:02d}")
                        if model.is_network:
                            _save_svm_inputs(model, fold, tmp / f"config{k:04d}" / f"fold{fold.index:02d}")
                        else:
                            _save_predictions(model, fold, tmp / f"config{k:04d}" / f"fold{fold.index:02d}")
                    history = getattr(model, "history", None) or {}
                    epochs = int(history.get("epochs", 0))
                    runs.append({"config": k, "fold": fold.index, "hyperparameters": hypers[k], "epochs": epochs,
                                 "best_epoch": int(history.get("best_epoch", 0)),
                                 "optimizer_steps": int(history.get("optimizer_steps", 0)),
                                 "restored_steps": int(history.get("restored_steps", 0)),
                                 "group": group[0],  # first index of the configurations trained with it
                                 "seconds": round(seconds, 3)})
                    log.info("  config %d done, %.1f s, %d epochs (restored epoch %d)", k, seconds, epochs,
                             runs[-1]["best_epoch"])
            done += len(group)
            elapsed = time.perf_counter() - shard_start
            log.info("%d of %d configurations in this shard finished (last index %d of %d): %.0f s elapsed, about "
                     "%.0f s left", done, n_in_shard, group[-1], n_configs, elapsed,
                     elapsed / done * (n_in_shard - done))
        runs.sort(key=lambda r: (r["config"], r["fold"]))
        (tmp / "training.json").write_text(json.dumps({"experiment": experiment, "task": task, "model": model_name,
                                                        "not_evaluable": reason, "runs": runs}, indent=1))
    if grouped:  # the group's graph lives as long as the shard, as reusing_networks' networks do
        from .models.grouped_lstm import release_group_graph

        release_group_graph()
    log.info("job phases (s): %s; job end: %.2f s after process start",
             json.dumps({k: round(v, 3) for k, v in sorted(PHASE_SECONDS.items())}), _process_age())


def train_models(
    *, features_path, experiment: str, task: str, models: Mapping[str, Mapping], output_dirs: Sequence[str],
    threads: int = 1,
) -> None:
    """Train several models' one-shard searches of one experiment, one after the other, in
    this process (``search.pack_models``): one Python, scikit-learn and TensorFlow start-up
    for all of them. ``models``: name -> :func:`train_shard`'s search settings; ``output_dirs``
    in the same order, each ``.../<name>/shard0/models``. Each model writes exactly what its
    own ``train_shard`` job would: every fit seeds itself (Python, NumPy, Keras), and
    the networks and traced steps one model reuses across folds are released when its shard ends."""
    from .models.training import PHASE_SECONDS

    def train(index: int, name: str) -> None:
        PHASE_SECONDS.clear()  # each model's phase line counts its own seconds
        train_shard(features_path=features_path, experiment=experiment, task=task, model_name=name, shard=0,
                    output_dir=output_dirs[index], threads=threads, **models[name])

    run_packed("job", list(models), {"output folder": (output_dirs, model_of_folder)}, train)


def model_of_folder(path: str) -> str:
    """The model a search shard's folder (``.../<model>/shard<k>/models``) belongs to."""
    return Path(path).parent.parent.name


def run_packed(job: str, models: Sequence[str], paths: Mapping[str, tuple[Sequence[str], Callable[[str], str]]],
               run: Callable[[int, str], None]) -> None:
    """Run ``run(index, model)`` for each of a packed job's models (``train_models``,
    ``merge_models``), one after the other. ``paths``: kind -> (one path per model, in the
    order of ``models``; the model a path belongs to): every pair is checked by name before
    anything runs. A ``ValueError`` becomes the one-line error naming its model (the job's
    own name does not); any other error (a bug, its traceback in the job's log) gets a note
    naming the model."""
    for kind, (listed, _) in paths.items():
        if len(listed) != len(models):
            raise ValueError(f"{len(models)} models but {len(listed)} {kind}s")
    for index, name in enumerate(models):
        for kind, (listed, owner) in paths.items():
            if owner(listed[index]) != name:
                raise ValueError(f"{kind} {listed[index]} is not model {name}'s")
    for index, name in enumerate(models):
        log.info("packed %s: model %s (%d of %d)", job, name, index + 1, len(models))
        try:
            run(index, name)
        except ValueError as err:
            raise ValueError(f"model {name}: {err}") from err
        except Exception as err:
            err.add_note(f"in packed {job}: model {name} ({index + 1} of {len(models)})")
            raise


def _process_age() -> float:
    """Seconds since this process started (Linux /proc; NaN elsewhere), for the phase log
    that benchmarks/bench_network_job.py reads."""
    import os

    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


#: A network's last layer and its inputs on every split, saved by train_shard.
SVM_INPUTS_FILE = "svm_inputs.npz"


def _save_svm_inputs(model, fold: Fold, directory: Path) -> None:
    """Save the SVM layer's weights and its inputs (``extract_features``) on each split.

    The refit and the evaluation need nothing else of a network: its scores are these
    inputs times the layer's weights. Computing them here, where TensorFlow is loaded
    and the model built, lets ``evaluate_shard`` run without TensorFlow (measured: its
    jobs cost more in TensorFlow start-up, model loading and tracing than the refit).
    Nothing fitted reads the test inputs; they are the network's forward pass.
    """
    kernel, bias = model.svm_weights()
    arrays = {"kernel": kernel, "bias": bias}
    for split in ("train", "val", "test"):
        data = getattr(fold, split)
        if data is not None:
            arrays[f"features_{split}"] = model.extract_features(data).astype(np.float32)
    with open(directory / SVM_INPUTS_FILE, "wb") as f:
        np.savez(f, **arrays)


#: A model's predictions and own figures (e.g. DCCA's correlations) per split, saved by train_shard.
PREDICTIONS_FILE = "fold_predictions.npz"


def _save_predictions(model, fold: Fold, directory: Path) -> None:
    """Save the predicted classes and :meth:`~.models.base.EmotionModel.split_figures` of
    each split, for a model without a refit step: its evaluation is then fixed at training
    time, and ``evaluate_shard`` needs neither the model nor TensorFlow (DCCA's jobs
    spent most of their time starting TensorFlow to load it). Nothing fitted reads them."""
    arrays = {}
    for split in ("train", "val", "test"):
        data = getattr(fold, split)
        if data is not None:
            arrays[f"pred_{split}"] = model.predict(data)
            for key, value in model.split_figures(data).items():
                arrays[f"figure_{split}_{key}"] = np.asarray(value, np.float64)
    with open(directory / PREDICTIONS_FILE, "wb") as f:
        np.savez(f, **arrays)


def _fit_group(model_class: str, hypers: Mapping[int, dict], fold: Fold, *, grouped: bool, precision: str,
               device: str) -> dict:
    """Fit the configurations ``hypers`` (index -> hyper-parameters) on one fold."""
    from .models import build_model

    if not grouped:
        models = {k: build_model(model_class, **h) for k, h in hypers.items()}
        # a transductive variant (BDAE fit_on_test_windows, off by default) also gets the test windows, no labels
        return {k: m.fit(fold.train, fold.val, **({"unlabelled": fold.test} if getattr(m, "uses_test_windows", False)
                                                  else {})) for k, m in models.items()}
    from .models.grouped_lstm import fit_grouped

    models = [build_model(model_class, **h) for h in hypers.values()]
    fitted = fit_grouped(models, fold.train, fold.val, precision=precision, device=device)
    return dict(zip(hypers, fitted))



# Modules scikit-learn and Keras import at start-up that no training job uses:
# sklearn.utils.fixes imports pandas and leaves it unused; Keras imports pandas (to accept
# DataFrames, which no job passes) and matplotlib.pyplot (keras.visualization's image gallery).
# About 0.25 CPU s of every training job's start and 0.5 more of a network job's, on the AMD
# (docs/costs.md). Both libraries fall back to None when an import fails.
UNUSED_IN_TRAINING = ("pandas", "matplotlib")


@contextmanager
def _without_unused_imports():
    """Inside the block, UNUSED_IN_TRAINING modules this process has not loaded yet fail to
    import (``sys.modules[name] = None``); after it they import as usual."""
    hidden = [name for name in UNUSED_IN_TRAINING if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


def import_model_stack(model_class: str) -> bool:
    """Load the model class's module (scikit-learn with it) without UNUSED_IN_TRAINING; True
    if the class needs TensorFlow (then :func:`import_tensorflow` loads it the same way)."""
    from .models import needs_tensorflow

    with _without_unused_imports():
        return needs_tensorflow(model_class)


def import_tensorflow():
    """``import tensorflow`` (and Keras) without UNUSED_IN_TRAINING."""
    with _without_unused_imports():
        import keras  # noqa: F401  (TensorFlow loads it too; here, inside the block)
        import tensorflow as tf
    return tf


def _limit_threads(threads: int) -> None:
    """Keep TensorFlow to the cores the rule declared (it would take all of them)."""
    tf = import_tensorflow()

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # already initialised in this process
        pass


