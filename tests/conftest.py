"""Shared fixtures: tiny synthetic SEED/DEAP files in the real formats."""

from __future__ import annotations

import compileall
import os
import sys
from pathlib import Path

# In-process tests run TensorFlow and BLAS on one thread, as the workflow's jobs do (every rule
# declares threads: 1): with two pytest-xdist workers on two cores, thread pools of two per
# worker only contend (the TensorFlow model modules alone took 6 % more CPU with them). Set
# before NumPy and TensorFlow load; the Snakemake runs the tests start inherit it.
for _variable in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import pytest  # noqa: E402

from multimodal_emotion import synthetic

REPO = Path(__file__).resolve().parents[1]
# Small clips keep the tests fast; the DEAP format fixes 40 trials of 63 s.
TINY = synthetic.SyntheticConfig(seed=7, clip_seconds=(20.0, 26.0))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def seed_files(tmp_path_factory) -> dict[str, Path]:
    """One synthetic SEED session: EEG .mat, label.mat, eye .mat."""
    root = tmp_path_factory.mktemp("seed")
    files = {
        "eeg": root / "Preprocessed_EEG" / "1_20131027.mat",
        "labels": root / "Preprocessed_EEG" / "label.mat",
        "eye": root / "Eye_movements" / "1_20131027.mat",
    }
    synthetic.seed.write_labels(files["labels"])
    synthetic.seed.write_session(files["eeg"], files["eye"], subject=1, session=1, cfg=TINY)
    return files


@pytest.fixture(scope="session")
def deap_file(tmp_path_factory) -> Path:
    """One synthetic DEAP subject as ``data_preprocessed_python/s01.dat``."""
    path = tmp_path_factory.mktemp("deap") / "data_preprocessed_python" / "s01.dat"
    synthetic.deap.write_subject(path, subject=1, cfg=TINY)
    return path


# Snakemake runs shared by several modules (session-scoped: each runs once per session).
from support.runs import pristine, pristine_raw, readonly_run  # noqa: E402, F401
from support.shared_runs import repeated_runs, tiny_run  # noqa: E402, F401
from support.slurm_runs import slurm_runs  # noqa: E402, F401


# The expensive session-scoped runs above (minutes each) -> their pytest-xdist worker group:
# a module that reads one must share a worker with every other module that reads it, or each
# worker would make the run again. Two groups, so the two workers make them side by side.
# (pristine and pristine_raw only write a few synthetic files: each worker may make its own.)
SHARED_RUN_FIXTURES = {"tiny_run": "tiny_run", "repeated_runs": "repeated_runs", "readonly_run": "repeated_runs",
                       # started in the background before the tiny run (support.shared_runs.tiny_run), so on its worker
                       "slurm_runs": "tiny_run"}

# Modules that wait for background runs their group started: last in the group, so that the
# runs go on while the group's other tests run (the SLURM run mostly waits on status checks).
WAIT_LAST = ("test_slurm",)


# After the shared groups, the modules whose runs take longest (docs/testing.md, "Timings"). pytest-xdist keeps this order
# (pytest_configure turns off its reordering by test count).
LONGEST_FIRST = ("test_null_data", "test_dreamer", "test_protocols_workflow", "test_bad_inputs",
                 "test_seed_vii", "test_seed_v", "test_seed_iv")


def _shared_group(module, fixturenames) -> str | None:
    """The worker group of the shared runs a test module reads (through its tests' fixtures,
    or by name in its source: ``request.getfixturevalue("repeated_runs")``, as
    test_provenance.py does), or None. A module may read the runs of one group only."""
    source = Path(module.__file__).read_text()
    groups = {group for name, group in SHARED_RUN_FIXTURES.items()
              if name in fixturenames or f'"{name}"' in source or f"'{name}'" in source}
    if len(groups) > 1:
        raise pytest.UsageError(f"{module.__name__} reads the shared runs of groups {sorted(groups)}: each would "
                                "then be made on both workers (conftest.py, SHARED_RUN_FIXTURES)")
    return groups.pop() if groups else None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook, which reads the marks into the node ids
def pytest_collection_modifyitems(config, items):
    """Worker groups for ``pytest -n 2 --dist loadgroup`` (pytest-xdist): a module's tests
    stay together (its module-scoped runs are made once), and the modules that read the same
    shared session runs form one group (SHARED_RUN_FIXTURES: two groups, one per worker at
    first). Tests that start Snakemake go first, the shared groups first of all (WAIT_LAST at
    the end of theirs), then LONGEST_FIRST: the many short unit tests then fill the workers'
    last minutes instead of one long run holding up the end. Without xdist the marks do nothing."""
    fixtures = {}  # module -> the fixtures its tests use (each module's source is read once)
    for item in items:
        fixtures.setdefault(item.module, set()).update(item.fixturenames)
    shared = {module.__name__: group for module, names in fixtures.items()
              if (group := _shared_group(module, names))}
    for item in items:
        module = item.module.__name__
        item.add_marker(pytest.mark.xdist_group(shared.get(module, module)))

    runs = {item.module.__name__ for item in items if item.get_closest_marker("workflow")}

    def order(item):  # by module only: a module's tests stay together (its fixtures are made once)
        module = item.module.__name__
        first = LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)
        return module not in shared, module in WAIT_LAST, module not in runs, first

    items.sort(key=order)  # stable: collection order within each key


def pytest_configure(config):
    """Refuse ``--dist loadgroup`` where pytest-xdist cannot group (pytest 9.2's node ids with
    pytest-xdist 3.8: pytest-dev/pytest-xdist#1386): every worker would make every shared run.
    Compile the package's bytecode once where Python is told not to write it."""
    controller = not hasattr(config, "workerinput")  # not a pytest-xdist worker
    if sys.dont_write_bytecode and controller:
        # PYTHONDONTWRITEBYTECODE=1 (set on this project's sandbox and CI machines): every job
        # process of the suite's ~40 Snakemake runs would compile the modules it imports again,
        # 0.05-0.09 CPU s each (docs/testing.md). Python still reads bytecode that exists.
        compileall.compile_dir(REPO / "workflow_scripts", quiet=1)
    if getattr(config.option, "dist", "no") == "loadgroup" and controller:
        # keep pytest_collection_modifyitems' order (longest runs first), not xdist's by test count
        config.option.loadscopereorder = False
        import xdist
        from packaging.version import Version

        if Version(pytest.__version__) >= Version("9.2") and Version(xdist.__version__) <= Version("3.8.0"):
            raise pytest.UsageError(f"pytest {pytest.__version__} with pytest-xdist {xdist.__version__} does not apply "
                                    "--dist loadgroup (pytest-dev/pytest-xdist#1386): install requirements.txt's pytest")


@pytest.hookimpl(wrapper=True, specname="pytest_collection_modifyitems")  # wraps every other hook of it
def pytest_check_the_worker_groups(config, items):  # pytest registers only pytest_* names
    """On a pytest-xdist worker under ``--dist loadgroup``, stop if the groups did not reach
    the node ids: pytest 9.2's node ids silently break it (pytest-dev/pytest-xdist#1386),
    and every worker would then make every shared run again."""
    result = yield
    if getattr(config, "workerinput", None) is not None and config.getvalue("loadgroup"):
        ungrouped = [item.nodeid for item in items if "@" not in item.nodeid]
        if ungrouped:
            raise pytest.UsageError(f"pytest-xdist loadgroup did not group {len(ungrouped)} tests (e.g. {ungrouped[0]}): "
                                    "use the pytest of requirements.txt (pytest-dev/pytest-xdist#1386)")
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    import support.workflow

    support.workflow.current_test = item  # run_snakemake and Run refuse tests not marked workflow
