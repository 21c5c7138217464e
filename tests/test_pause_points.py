"""The pause points the kill tests use (multimodal_emotion.pause_points)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from multimodal_emotion import pause_points
from support.workflow import REPO

SCRIPT = """
import sys
from multimodal_emotion.pause_points import pause_point
pause_point("other_point")
print("before", flush=True)
pause_point("here", detail="epoch 1/4")
pause_point("here", detail="epoch 2/4")  # once per process: passes
print("after", flush=True)
"""


def start(env_extra: dict) -> subprocess.Popen:
    inherited = {k: v for k, v in os.environ.items() if k not in (pause_points.PAUSE_AT, pause_points.PAUSE_DIR)}
    env = {**inherited, "PYTHONPATH": str(REPO / "workflow_scripts"), **env_extra}
    return subprocess.Popen([sys.executable, "-c", SCRIPT], env=env, stdout=subprocess.PIPE, text=True)


def test_without_the_variable_nothing_pauses(tmp_path):
    process = start({pause_points.PAUSE_DIR: str(tmp_path)})
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0 and out.split() == ["before", "after"]
    assert not list(tmp_path.iterdir())


def test_a_named_point_holds_the_process_until_released(tmp_path):
    process = start({pause_points.PAUSE_AT: "here", pause_points.PAUSE_DIR: str(tmp_path)})
    try:
        marker = tmp_path / f"here.{process.pid}.paused"
        while not marker.exists():
            assert process.poll() is None, "the process ended without pausing"
            time.sleep(0.02)
        assert json.loads(marker.read_text()) == {"point": "here", "pid": process.pid, "detail": "epoch 1/4"}
        assert process.poll() is None  # held: the marker is written before it waits
        (tmp_path / "here.release").touch()
        out, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0 and out.split() == ["before", "after"]
    assert {p.name for p in tmp_path.iterdir()} == {"here.release", f"here.{process.pid}.paused"}


def test_a_held_process_dies_when_killed(tmp_path):
    process = start({pause_points.PAUSE_AT: "other_point,here", pause_points.PAUSE_DIR: str(tmp_path)})
    marker = tmp_path / f"other_point.{process.pid}.paused"
    while not marker.exists():
        assert process.poll() is None, "the process ended without pausing"
        time.sleep(0.02)
    process.kill()
    out, _ = process.communicate(timeout=60)
    assert out == ""  # killed at the first point it was asked to hold at
