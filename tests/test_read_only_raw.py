"""Raw data are read-only to the workflow."""

from __future__ import annotations


import pytest

from support.runs import (
    checked,
)

pytestmark = pytest.mark.workflow


# =====================================================================================
# 3. Raw data are read-only to the workflow
# =====================================================================================


@pytest.mark.parametrize("entry", ["preprocessed", "raw"])
def test_workflow_completes_on_a_read_only_copy_and_leaves_it_untouched(readonly_run, entry):
    copy = readonly_run[entry]
    checked(copy["run"])
    for name in ("seed_accuracy", "deap_accuracy", "experiments"):
        assert (copy["workdir"] / f"results/tables/{name}.csv").stat().st_size > 0
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


