"""Multimodal emotion recognition (Tang et al., ICONIP 2017) on SEED and DEAP.

Modules: ``formats`` (format constants), ``readers`` (the only format-aware code),
``synthetic`` (embedded datasets in the real formats), ``features`` (bandpass, DE/PSD,
eye and peripheral features), ``store`` (HDF5), ``models`` (the paper's networks and
baselines).
"""

import os as _os

__version__ = "0.1.0"

# TensorFlow's C++ start-up chatter (CUDA probing, oneDNN notices) would flood the
# terminal from every training job; warnings and errors still show.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def run_logged(log_path, function, /, **kwargs):
    """Run one stage from a Snakemake script: log to ``log_path``, one-line errors.

    Progress goes to the rule's log file. A data or config problem ends the job with
    one line on stderr naming the file and the problem (the traceback stays in the log).
    """
    import logging
    import sys
    import traceback

    handler = logging.FileHandler(log_path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    try:
        return function(**kwargs)
    except ValueError as err:  # DataFormatError and ConfigError are ValueErrors
        logging.getLogger(__name__).error("%s\n%s", err, traceback.format_exc())
        print(f"ERROR: {err}", file=sys.stderr)
        sys.exit(1)
