"""Dry runs of several configs in ONE Python process, through Snakemake's API: a dry run
from the command line pays about 3 s of interpreter start-up and imports before it
builds anything, which a batch pays once.

``python tests/support/dry_runs.py WORKDIR...`` plans the jobs of the Snakefile with each
``WORKDIR/config.yaml`` and prints one JSON object: WORKDIR -> ``{"jobs": {rule: count}}``
or ``{"error": "..."}``. Tests call :func:`planned_jobs`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def planned_jobs(workdirs: list[Path]) -> dict[Path, dict]:
    """Every job (rule -> count) a dry run of each workdir's config plans, or its error."""
    from support.workflow import check_workflow_marker

    check_workflow_marker()
    result = subprocess.run([sys.executable, __file__, *map(str, workdirs)], capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"batched dry runs failed ({result.returncode}):\n{result.stderr[-5000:]}")
    return {Path(k): v for k, v in json.loads(result.stdout.splitlines()[-1]).items()}


def _main(workdirs: list[str]) -> None:
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import ConfigSettings, DAGSettings, OutputSettings, Quietness, ResourceSettings

    planned = {}
    with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
        for workdir in workdirs:
            try:
                workflow = api.workflow(ResourceSettings(cores=2), ConfigSettings(configfiles=[Path(workdir) / "config.yaml"]),
                                        snakefile=REPO / "Snakefile", workdir=Path(workdir))
                dag = workflow.dag(DAGSettings())
                dag.execute_workflow(executor="dryrun")
                jobs = Counter(job.rule.name for job in dag.workflow_api._workflow.dag.jobs)
                planned[workdir] = {"jobs": dict(jobs)}
            except Exception as error:  # reported per config; the test names the config
                planned[workdir] = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(planned))


if __name__ == "__main__":
    _main(sys.argv[1:])
