"""The dataset door: registry, contract, no dataset branches elsewhere, no import cycles,
and synthetic files that public loaders read the way they read the real ones."""

from __future__ import annotations

import ast
import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from multimodal_emotion import datasets, recording, synthetic
from multimodal_emotion.datasets import deap as deap_ds, seed as seed_ds

from conftest import REPO, TINY

PACKAGE = REPO / "workflow_scripts" / "multimodal_emotion"


# --- the registry and the contract -------------------------------------------------------


@pytest.mark.parametrize("name", datasets.NAMES)
def test_every_dataset_module_provides_the_contract(name):
    module = datasets.get(name)
    for attribute in ("NAME", "TITLE", "FOLDER", "TABLE_CAPTION", "RECORDING_PATTERN", "SFREQ", "CHANNELS", "N_SEGMENTS",
                      "LABEL_NAMES", "CLASSES", "READ_OPTIONS", "DEFAULT_PROTOCOL", "recordings", "input_files", "read",
                      "subject_of",
                      "shortest_segment_s"):
        assert hasattr(module, attribute), f"datasets/{name}.py lacks {attribute}"
    assert module.NAME == name
    assert set(module.CLASSES) == set(module.LABEL_NAMES)
    for spec in module.CLASSES.values():
        assert isinstance(spec, recording.LabelClasses) and len(spec.class_names) >= 2


def test_unknown_dataset_is_refused_naming_the_allowed_ones():
    with pytest.raises(ValueError, match=r"Allowed values are 'seed', 'deap', .*but got 'faced'"):
        datasets.get("faced")


def test_readers_fill_the_contract(seed_files, deap_file):
    seed_rec = seed_ds.read({"eeg": seed_files["eeg"], "labels": seed_files["labels"], "eye": seed_files["eye"]})
    deap_rec = deap_ds.read({"data": deap_file})
    assert (seed_rec.dataset, seed_rec.subject, deap_rec.dataset, deap_rec.subject) == ("seed", "1", "deap", "1")
    assert seed_rec.classes["emotion"].class_names == ("negative", "neutral", "positive")
    assert deap_rec.classes["arousal"].kind == "threshold"


# --- no code outside the datasets/synthetic packages asks which dataset it is -------------

DATASET_BRANCH = re.compile(
    r"""==\s*["'](seed|deap)["']|["'](seed|deap)["']\s*[!=]=|\bdataset\s*[!=]=|\bname\s*[!=]=\s*["'](seed|deap)["']"""
    r"""|\bin\s*\(\s*["'](seed|deap)["']"""
)


_NAMES = "|".join(datasets.NAMES)
#: A dataset's module reached by name (``wc.datasets.seed``; a docstring's ``~.datasets.seed`` is a reference).
DATASET_MODULE = re.compile(rf"(?<![~.\w])(?:\w+\.)*datasets\.({_NAMES})\b")
#: A dataset's config block by name (``config["deap"]``), in the rules.
DATASET_BLOCK = re.compile(rf"""\bconfig\s*\[\s*["']({_NAMES})["']\s*\]""")
#: A dataset's folder (``SEED/SEED_EEG/...``) spelled in the rules.
DATASET_FOLDER = re.compile(rf"\b({'|'.join(re.escape(datasets.get(n).FOLDER) for n in datasets.NAMES)})\b")


def _code(line: str) -> str:
    return line.split("#", 1)[0]


def test_no_dataset_branches_outside_the_dataset_packages():
    package = [p for p in PACKAGE.rglob("*.py") if not {"datasets", "synthetic"} & set(p.relative_to(PACKAGE).parts)]
    package += list((REPO / "workflow_scripts").glob("*.py"))
    rules = list((REPO / "rules").glob("*.smk")) + [REPO / "Snakefile"]
    patterns = {path: (DATASET_BRANCH, DATASET_MODULE) for path in package}
    patterns.update({path: (DATASET_BRANCH, DATASET_MODULE, DATASET_BLOCK, DATASET_FOLDER) for path in rules})
    offending = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path, checks in patterns.items()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if any(check.search(_code(line)) for check in checks)
    ]
    assert not offending, "code that asks which dataset it is:\n" + "\n".join(offending)


@pytest.mark.parametrize("line", ['session=lambda w: wc.datasets.seed.session_of(w.stem),',
                                  'for s in config["deap"]["subjects"]',
                                  'f"{SYNTHETIC}/DEAP/data_preprocessed_python/s{s:02d}.dat"'])
def test_the_dataset_branch_check_catches_names_in_the_rules(line):
    assert any(check.search(_code(line)) for check in (DATASET_MODULE, DATASET_BLOCK, DATASET_FOLDER))


@pytest.mark.parametrize("line", ['seed=config["experiments"]["seed"],',
                                  '"""Folder found from ``source`` (:func:`~.datasets.seed.discover_seed_source`)."""',
                                  "rng = np.random.default_rng(p[\"seed\"])"])
def test_the_dataset_branch_check_passes_the_random_seed_and_references(line):
    assert not any(check.search(_code(line)) for check in (DATASET_BRANCH, DATASET_MODULE, DATASET_BLOCK,
                                                           DATASET_FOLDER))


# --- no import cycle in the package --------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Intra-package imports (module level and inside functions) of every module."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level else []
                stem = ".".join(base + ([node.module] if node.module else []))
                targets = [f"{stem}.{alias.name}" for alias in node.names] + [stem]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                # a submodule if it is one, else the module the name comes from
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return cycles


def test_import_graph_finder_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_import_cycle_in_the_package():
    graph = _import_graph()
    assert "multimodal_emotion.recording" in graph["multimodal_emotion.datasets.seed"]
    # A package's __init__ importing its own submodules is how packages work, not a cycle
    # between modules: leave those edges out.
    trimmed = {name: {t for t in targets if not t.startswith(name + ".")} for name, targets in graph.items()}
    cycles = _cycles(trimmed)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


# --- synthetic files as the real ones -------------------------------------------------------


def public_style_deap_loader(path):
    """How public DEAP loaders read ``sXX.dat``: a Python 2 pickle, latin-1."""
    with open(path, "rb") as f:
        content = pickle.load(f, encoding="latin1")
    return content["data"], content["labels"]


def public_style_seed_loader(path):
    """How public SEED loaders read a session: loadmat, the ``*_eeg{k}`` keys."""
    content = scipy.io.loadmat(path)
    keys = sorted((k for k in content if re.search(r"_eeg\d+$", k)), key=lambda k: int(k.rsplit("eeg", 1)[1]))
    return [content[k] for k in keys]


def test_synthetic_deap_dat_is_a_python2_pickle_like_the_real_files(deap_file):
    data, labels = public_style_deap_loader(deap_file)
    assert data.shape == (40, 40, 8064) and data.dtype == np.float64 and labels.shape == (40, 4)
    # Without latin-1 it fails, as the real files do (Python 2 str payloads).
    with open(deap_file, "rb") as f, pytest.raises(UnicodeDecodeError):
        pickle.load(f)
    raw = deap_file.read_bytes()
    assert raw[:2] == b"\x80\x02"
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in raw and b"_codecs" not in raw and b"numpy._core" not in raw
    # No base64 or escaping: the size of the data plus a few hundred bytes (~103 MB).
    assert 0 < deap_file.stat().st_size - (data.nbytes + labels.nbytes) < 2000


def test_numpy_core_reconstruct_resolves_under_numpy_2():
    from multimodal_emotion.synthetic.py2pickle import dump_arrays
    import io

    buffer = io.BytesIO()
    dump_arrays({"x": np.arange(6, dtype=np.float64).reshape(2, 3), "y": np.array([1, 2], dtype=np.int64)}, buffer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # numpy 2 may warn about numpy.core
        content = pickle.loads(buffer.getvalue(), encoding="latin1")
    np.testing.assert_array_equal(content["x"], np.arange(6.0).reshape(2, 3))
    assert content["y"].dtype == np.int64 and content["y"].tolist() == [1, 2]


def test_synthetic_seed_sessions_carry_the_real_names_and_clip_lengths(tmp_path, seed_files):
    assert len(seed_ds.SESSIONS) == 45
    assert {seed_ds.real_session_stem(1, k) for k in (1, 2, 3)} == {"1_20131027", "1_20131030", "1_20131107"}
    assert seed_ds.real_session_stem(15, 1) == "15_20130709"
    assert seed_files["eeg"].stem == seed_ds.real_session_stem(1, 1)
    clips = public_style_seed_loader(seed_files["eeg"])
    assert len(clips) == 15 and all(c.shape[0] == 62 and c.shape[1] % 200 == 1 for c in clips)
    assert any(k.startswith("djc_eeg") for k in scipy.io.loadmat(seed_files["eeg"]))  # subject 1's initials
    # time.txt: inclusive bounds of 1000 x seconds at 1000 Hz, so the raw clips cut to 200 Hz
    # have the same 200 k + 1 samples.
    time_txt = tmp_path / "time.txt"
    synthetic.seed.write_time(time_txt, cfg=TINY)
    bounds = seed_ds.read_time_txt(time_txt)
    assert [(end - start) // 5 + 1 for start, end in bounds] == [c.shape[1] for c in clips]
    assert all((end - start) % 1000 == 0 for start, end in bounds)


def test_synthetic_workflow_names_are_the_real_session_names():
    from multimodal_emotion import workflow_config as wc

    config = {"results": "results", "seed": {"source": "synthetic", "subjects": [1, 15], "sessions": [1, 3]}}
    assert wc.recordings(config, "seed") == ["1_20131027", "1_20131107", "15_20130709", "15_20131105"]
    assert seed_ds.session_of("15_20131105") == 3
