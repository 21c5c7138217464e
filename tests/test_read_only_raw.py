"""Raw data are read-only to the workflow."""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import pickle
import re
import select
import signal
import stat
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

from support import bad_inputs
from support.bad_inputs import CASES, BadCase
from multimodal_emotion import __version__, experiments, features, synthetic
from multimodal_emotion import datasets, recording, synthetic  # noqa: F401
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds  # noqa: F401
from multimodal_emotion import workflow_config as wc
from multimodal_emotion.models import build_model, refit_last_layer
from multimodal_emotion.store import FeatureFile, write_features
from support.workflow import REPO, SNAKEMAKE, run_snakemake, tiny_config, write_config
from support.runs import (  # noqa: F401
    ENV,
    Run,
    TIMEOUT_S,
    TRAIN_JOB,
    TRAIN_LOG,
    TRAIN_OUTPUT,
    checked,
    chmod_tree,
    failed_jobs,
    incomplete_outputs,
    job_processes,
    only_models,
    processes_in,
    run_all,
    seed_run_config,
    snakemake_command,
    temp_files,
    tree_state,
    user_copy_config,
)

pytestmark = pytest.mark.workflow


# =====================================================================================
# 3. Raw data are read-only to the workflow
# =====================================================================================


@pytest.mark.parametrize("entry", ["preprocessed", "raw"])
def test_workflow_completes_on_a_read_only_copy_and_leaves_it_untouched(readonly_run, entry):
    copy = readonly_run[entry]
    checked(copy["run"])
    if entry == "preprocessed":
        for name in ("seed_accuracy", "deap_accuracy", "experiments"):
            assert (copy["workdir"] / f"results/tables/{name}.csv").stat().st_size > 0
    else:
        assert len(list(copy["workdir"].glob("results/features/*/*.h5"))) == 2
    before, after = copy["before"], copy["after"]
    assert sorted(after) == sorted(before), "files appeared in or vanished from the raw copy"
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"raw files changed (mode, size, mtime, sha256): {changed}"
    assert all(mode[0] == "d" and mode[1:].count("w") == 0 or mode == "-r--r--r--" for mode, *_ in after.values())


# test_config.py::test_results_inside_raw_data_is_refused covers a results folder inside
# the SEED copy; test_results_inside_the_deap_copy_is_refused (above) the DEAP side.


# =====================================================================================
# 4. Determinism: see test_two_clean_runs_give_identical_tables_and_predictions above.
# =====================================================================================


