"""Per-process CPU accounting for the test suite and workflow runs (docs/testing.md).

With this folder on ``PYTHONPATH`` and ``PROCESS_CPU_FILE`` set, every Python process started
from there on (pytest workers, Snakemake, each Snakemake job) appends one JSON line to that file
when it ends: its command line (without the interpreter), its own CPU seconds (``getrusage(RUSAGE_SELF)``, user + system,
children not included: each child writes its own line), its wall seconds and its working folder.
``os._exit`` is covered too (our training jobs end that way, skipping TensorFlow's teardown).
``python benchmarks/process_cpu.py FILE`` sums the lines. Unset, it does nothing. Give the folder
as an absolute path: Snakemake's jobs run in the workflow's folder, not in yours.

    PROCESS_CPU_FILE=/tmp/cpu.jsonl PYTHONPATH=$PWD/benchmarks/process_cpu python -m pytest -q -n 2 --dist loadgroup
"""

import os

if os.environ.get("PROCESS_CPU_FILE"):
    import atexit
    import json
    import resource
    import sys
    import time

    _started = time.time()
    _written = []

    def _write_line() -> None:
        if _written:
            return
        _written.append(True)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        line = json.dumps({"argv": " ".join(sys.orig_argv[1:])[:500],  # without the interpreter
                           "cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": time.time() - _started,
                           "cwd": os.getcwd()})
        with open(os.environ["PROCESS_CPU_FILE"], "a") as out:  # one short append per process
            out.write(line + "\n")

    atexit.register(_write_line)
    _os_exit = os._exit

    def _exit_after_writing(code, _exit=_os_exit):
        try:
            _write_line()
        finally:
            _exit(code)

    os._exit = _exit_after_writing
