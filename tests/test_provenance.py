"""Provenance of features, experiment results and tables."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import h5py
import pytest

from support import bad_inputs, layout
from multimodal_emotion import __version__, workflow_config
from support.workflow import REPO
from support.runs import checked
from support.shared_runs import repeated_run_config

pytestmark = pytest.mark.workflow


# =====================================================================================
# 6. Provenance
# =====================================================================================

PROVENANCE_KEYS = ("package_version", "git_commit", "config_sha256", "seed", "source_files")


def _head_commit() -> str | None:
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _check_provenance(where: str, record: dict, config: dict, workdir: Path, head: str | None) -> dict:
    missing = [k for k in PROVENANCE_KEYS if k not in record]
    assert not missing, f"{where}: provenance lacks {missing} (has {sorted(record)})"
    assert record["package_version"] == __version__, where
    commit = record["git_commit"]
    assert commit is None or re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", commit), f"{where}: git_commit {commit!r}"
    if head is not None:  # the workflow runs from a git checkout: its commit must be recorded
        assert commit is not None and commit.split("+")[0] == head, f"{where}: git_commit {commit!r}, HEAD {head}"
    assert re.fullmatch(r"[0-9a-f]{64}", str(record["config_sha256"])), f"{where}: config_sha256 {record['config_sha256']!r}"
    seed = record["seed"]
    experiments_seed = seed.get("experiments") if isinstance(seed, dict) else seed
    assert experiments_seed == config["experiments"]["seed"], f"{where}: seed {seed!r}"
    sources = record["source_files"]
    assert isinstance(sources, dict) and sources, f"{where}: source_files {sources!r}"
    resolved = {}
    for path, digest in sources.items():
        file = Path(path) if Path(path).is_absolute() else workdir / path
        assert file.is_file(), f"{where}: source file {path} does not exist"
        assert digest == hashlib.sha256(file.read_bytes()).hexdigest(), f"{where}: SHA-256 of {path} is not the file's"
        resolved[str(file.resolve())] = digest
    return resolved


def _feature_provenance(path: Path) -> dict:
    """Provenance attributes of a feature file (top level, or grouped under ``provenance``)."""
    with h5py.File(path) as f:
        attrs = {k: json.loads(v) if isinstance(v, str) else v for k, v in f.attrs.items()}
    grouped = attrs.get("provenance") if isinstance(attrs.get("provenance"), dict) else {}
    return {**{k: attrs[k] for k in PROVENANCE_KEYS if k in attrs}, **grouped,
            **({"source_files": attrs["source_files"]} if "source_files" in attrs else {})}


@pytest.fixture(params=["user_copy", "user_copy_raw_entry", "synthetic"])
def provenance_run(request) -> tuple[Path, dict, dict[str, set[str]]]:
    """A finished run, its config, the raw files behind each recording (resolved paths),
    each run up to the tables."""
    if request.param.startswith("user_copy"):
        run = request.getfixturevalue("readonly_run")["raw" if request.param.endswith("raw_entry") else "preprocessed"]
        checked(run["run"])
        raw = run["raw_files"]
        expected = {f"seed/{bad_inputs.seed_stem(1)}": {str(Path(p).resolve()) for p in raw["seed"]},
                    "deap/s01": {str(Path(p).resolve()) for p in raw["deap"]}}
        return run["workdir"], run["config"], expected
    workdir, config = request.getfixturevalue("repeated_runs")["first"], repeated_run_config(pack_models=True)
    # SEED: the files its feature job reads (support/layout.py; the lab's DE, also an input
    # of the job, feeds only the QC agreement page); DEAP: the workflow's inputs
    expected = {f"seed/{stem}": {str(p.resolve()) for p in layout.synthetic_seed_sources(workdir, stem).values()}
                for stem in workflow_config.recordings(config, "seed")}
    expected.update({f"deap/{recording}": {str((workdir / p).resolve()) for p in
                                           workflow_config.recording_inputs(config, "deap", recording).values()}
                     for recording in workflow_config.recordings(config, "deap")})
    return workdir, config, expected


# provenance contract
def test_features_experiments_and_tables_record_their_provenance(provenance_run):
    workdir, config, expected = provenance_run
    results, head = workdir / "results", _head_commit()
    seen, by_recording = [], {}
    for key, raw in expected.items():
        path = results / "features" / f"{key}.h5"
        sources = _check_provenance(str(path.relative_to(workdir)), _feature_provenance(path), config, workdir, head)
        assert set(sources) == raw, f"{path}: source_files {sorted(sources)}, raw files {sorted(raw)}"
        by_recording[key] = sources
        seen.append(_feature_provenance(path))
    result_files = sorted(results.glob("experiments/**/*.json"))
    assert result_files
    for path in result_files:
        record = json.loads(path.read_text())
        assert "provenance" in record, f"{path.relative_to(workdir)} has no 'provenance'"
        dataset, recording = path.relative_to(results / "experiments").parts[:2]
        sources = _check_provenance(str(path.relative_to(workdir)), record["provenance"], config, workdir, head)
        assert sources == by_recording[f"{dataset}/{recording}"], path
        seen.append(record["provenance"])
    sidecar = results / "tables" / "provenance.json"
    assert sidecar.is_file(), "results/tables/provenance.json is missing"
    record = json.loads(sidecar.read_text())
    sources = _check_provenance("results/tables/provenance.json", record, config, workdir, head)
    assert sources == {k: v for s in by_recording.values() for k, v in s.items()}
    seen.append(record)
    # One clean run: every output records the same code, config and seed.
    for key in ("package_version", "git_commit", "config_sha256", "seed"):
        values = {json.dumps(s[key], sort_keys=True) for s in seen}
        assert len(values) == 1, f"{key} differs between outputs of one run: {values}"
