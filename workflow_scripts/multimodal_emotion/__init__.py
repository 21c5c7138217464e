"""Multimodal emotion recognition (Tang et al., ICONIP 2017) on SEED and DEAP.

Modules: ``recording`` (the contract every reader returns, error types, file checks),
``datasets`` (one module per dataset, a registry, and ``bcmi``: the SEED lab's file
formats; the only format-aware code), ``synthetic`` (embedded datasets in the real
formats), ``features`` (bandpass, DE/PSD, eye and peripheral features), ``store`` (HDF5),
``workflow_config`` and ``config_schema`` (the config's checks), ``protocols`` (a registry
of how experiments are cut into folds), ``search`` and ``evaluation`` (training, scoring,
selection), ``models`` (the paper's networks and baselines), ``statistics``, ``reporting``
(tables, figures, the README's results block), ``quality_report`` (the per-recording QC
page), ``pause_points`` (hold points for tests).
"""

import os as _os

__version__ = "0.1.0"

# TensorFlow's C++ start-up chatter (CUDA probing, oneDNN notices) would flood the
# terminal from every training job; warnings and errors still show.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def provenance(config: dict) -> dict:
    """What produced an output: package version, git commit of the workflow (None
    outside a checkout; "+dirty" if it has uncommitted changes), SHA-256 of the run's
    config, and its seeds. Recorded in every feature file, experiment result and table."""
    import hashlib
    import json
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        commit = commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        commit = None
    config = dict(config)
    return {
        "package_version": __version__,
        "git_commit": commit,
        "config_sha256": hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest(),
        "seed": {"experiments": config.get("experiments", {}).get("seed"), "synthetic": config.get("synthetic", {}).get("seed")},
    }


def run_logged(log_path, function, /, **kwargs):
    """Run one stage from a Snakemake script: log to ``log_path``, one-line errors.

    Progress goes to the rule's log file, and so does everything written to the
    process's stderr (TensorFlow's C++ start-up lines, library warnings, tracebacks of
    unexpected errors). A data or config problem ends the job with exactly one line on
    the terminal, ``ERROR: <file>: <problem>`` (the traceback stays in the log).
    """
    import logging
    import sys
    import traceback

    open(log_path, "w").close()
    handler = logging.FileHandler(log_path, mode="a")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)  # library warnings go to the log, not the terminal
    _os.environ.setdefault("MNE_LOGGING_LEVEL", "warning")
    sys.stderr.flush()
    terminal = _os.dup(2)
    log_fd = _os.open(log_path, _os.O_WRONLY | _os.O_APPEND)
    _os.dup2(log_fd, 2)  # C++ libraries write to fd 2 directly
    _os.close(log_fd)
    if "provenance" in kwargs:
        logging.getLogger(__name__).info("Provenance: %s", kwargs["provenance"])
    try:
        return function(**kwargs)
    except ValueError as err:  # DataFormatError and ConfigError are ValueErrors
        logging.getLogger(__name__).error("%s\n%s", err, traceback.format_exc())
        _os.write(terminal, f"ERROR: {err}\n".encode())
        sys.exit(1)


def exit_without_teardown() -> None:
    """End a finished job at once, without the interpreter's teardown.

    Call only after every output is written and closed (``atomic_dir`` / ``atomic_path``
    have renamed them into place). The teardown (TensorFlow's thread pools and atexit
    hooks, the BLAS thread pools, freeing every object one by one) writes nothing we
    need and cost 1-7 s per job on a loaded 2-core machine (benchmarks/bench_network_job.py
    --from-run); stdout, stderr and the log are flushed and closed first, so no line is lost."""
    import logging
    import sys

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    _os._exit(0)
