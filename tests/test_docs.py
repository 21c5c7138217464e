"""The docs say what the repository does: every config file a command names exists, every
config key they name is in the schema, every repository path they name exists, every
relative link resolves, and every job count they quote for a config is what a dry run of
that config plans."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from multimodal_emotion.config_schema import load_schema
from support.workflow import REPO

DOCS = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
# The schema as validation sees it: the YAML plus the registries' parts (protocol kinds, model classes).
SCHEMA = load_schema()

#: A config key path in backticks: `search.device`, `experiments.<dataset>_protocol.kind`,
#: `synthetic.*_effects` (``<...>`` and ``*`` stand for any name).
KEY_PATH = re.compile(r"`([a-z_][a-z0-9_]*(?:\.[a-z0-9_*<>]+)+)`")
#: What ends a file name, not a key (`seed.py`, `config.yaml`, `seed_accuracy.csv`).
FILE_SUFFIXES = {"py", "yaml", "yml", "md", "smk", "h5", "csv", "json", "txt", "tsv", "png", "html", "tex", "mat",
                 "cnt", "npz", "dat", "bdf", "pkl"}
CONFIG_FILE = r"(?:\.test|config)/[\w.-]+\.ya?ml|config\.yaml"
CONFIGFILE_OPTION = re.compile(rf"--configfile[ =]+(\S+)")
#: A workflow config named in prose or in a command, and "N jobs" after it in the same sentence.
CONFIG_MENTION = re.compile(rf"(?<![\w/.-])({CONFIG_FILE})(?![\w-])")
JOB_COUNT = re.compile(r"\b(\d[\d,]*) jobs\b")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def doc_name(path: Path) -> str:
    return str(path.relative_to(REPO))


def prose(path: Path) -> str:
    """The Markdown without its fenced code blocks' fences (their commands count) and
    without HTML comments."""
    return re.sub(r"<!--.*?-->", "", path.read_text(), flags=re.S)


def sentences(text: str) -> list[str]:
    """Sentences of the paragraphs (a full stop, then a space and a capital or a quote)."""
    return [s for paragraph in re.split(r"\n\s*\n", text)
            for s in re.split(r"(?<=[.!?])\s+(?=[A-Z`(])", paragraph) if s.strip()]


# --- config files and keys ---------------------------------------------------------------


def test_every_configfile_a_command_names_exists():
    named = []
    for doc in DOCS:
        for match in CONFIGFILE_OPTION.finditer(prose(doc)):
            path = match.group(1).strip("`'\"").rstrip(".,;:)`")
            if not re.fullmatch(r"[\w./-]+\.ya?ml", path):
                continue  # prose such as "add the run's --configfile"
            named.append((doc_name(doc), path))
    assert len(named) >= 5, named  # the README's and docs/'s run commands
    missing = [f"{doc}: --configfile {path}" for doc, path in named if not (REPO / path).is_file()]
    assert not missing, missing


def _resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        node = SCHEMA["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _children(node, key: str) -> list:
    """The schema nodes a config key ``key`` under ``node`` may be validated by. A key with
    ``<...>`` or ``*`` (any name) matches every declared or allowed key of that shape."""
    node = _resolve(node)
    if not isinstance(node, dict):
        return []
    wildcard = "*" in key or "<" in key
    pattern = re.sub(r"<[^>]*>", "[a-z0-9_]+", re.escape(key).replace(r"\*", "[a-z0-9_]*"))
    found = [sub for name, sub in node.get("properties", {}).items() if re.fullmatch(pattern, name)]
    for regex, sub in node.get("patternProperties", {}).items():
        example = re.sub(r"\[[^\]]*\][+*]?", "x", regex).strip("^$")  # a name the regex takes
        if re.search(regex, key) or (wildcard and re.fullmatch(pattern, example)):
            found.append(sub)
    extra = node.get("additionalProperties")
    if not found and isinstance(extra, dict):
        found.append(extra)
    for combination in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(combination, []):
            found += _children(sub, key)
    for branch in ("then", "else"):
        if branch in node:
            found += _children(node[branch], key)
    if node.get("type") == "array" and "items" in node:
        found += _children(node["items"], key)
    free_form = (node.get("type") == "object" and not node.get("properties") and not node.get("patternProperties")
                 and extra in (None, True) and not any(c in node for c in ("oneOf", "anyOf", "allOf")))
    return found or ([{}] if free_form else [])  # a free-form object (e.g. `fixed`) takes any key


def key_in_schema(path: str) -> bool:
    nodes = [SCHEMA]
    for key in path.split("."):
        nodes = [child for node in nodes for child in _children(node, key)]
        if not nodes:
            return False
    return True


def test_the_schema_walk_tells_keys_from_non_keys():
    for key in ("search.device", "seed.source", "experiments.seed_protocol.kind", "models.<model>.fixed",
                "models.bimodal_lstm.fixed.max_epochs", "experiments.<dataset>_protocol.validation_per_class",
                "synthetic.*_effects", "seed.bands.<band>", "search.n_configs.deap"):
        assert key_in_schema(key), key
    for key in ("search.devices", "seed.sources", "experiments.seed_protocol.kinds", "models.<model>.fixd",
                "qc.enabled.more", "experiments.seed_protocols"):
        assert not key_in_schema(key), key


def config_keys(text: str) -> list[str]:
    """Backticked key paths whose first part is a top-level config key (`seed.py`, a file,
    and `seed.read_cnt`, a function, are told apart by the suffix and the schema)."""
    keys = []
    for match in KEY_PATH.finditer(text):
        path = match.group(1)
        if path.split(".")[0] in SCHEMA["properties"] and path.rsplit(".", 1)[-1] not in FILE_SUFFIXES:
            keys.append(path)
    return keys


def _code_reference(path: str) -> bool:
    """`seed.read_cnt`, `experiments.merge_shards`: a module of the package and a name in it."""
    import importlib

    module, _, name = path.rpartition(".")
    for prefix in ("multimodal_emotion.", "multimodal_emotion.datasets.", "multimodal_emotion.synthetic."):
        try:
            if hasattr(importlib.import_module(prefix + module), name):
                return True
        except ImportError:
            continue
    return False


def test_every_config_key_in_the_docs_is_in_the_schema():
    named = [(doc_name(doc), key) for doc in DOCS for key in config_keys(prose(doc))]
    assert len(named) >= 50, len(named)
    unknown = sorted({f"{doc}: `{key}`" for doc, key in named if not key_in_schema(key) and not _code_reference(key)})
    assert not unknown, unknown


# --- repository paths --------------------------------------------------------------------

REPO_PATH = re.compile(r"`((?:benchmarks|tests|workflow_scripts|rules|resources|docs|envs|profiles|config|\.test|\.ci)"
                       r"/[^`\s]*)`")


def test_every_repository_path_in_backticks_exists():
    """`benchmarks/rule_seconds.py`, `tests/test_x.py::test_y` (the test too); paths with a
    placeholder or a glob (`results/{dataset}`, `.test/config_*.yaml`) are patterns, not files."""
    missing, checked = [], 0
    for doc in DOCS:
        for match in REPO_PATH.finditer(prose(doc)):
            path, _, test = match.group(1).partition("::")
            if any(c in path for c in "*{<[") or path.startswith("results/"):
                continue
            checked += 1
            target = REPO / path.rstrip("/")
            if not target.exists():
                missing.append(f"{doc_name(doc)}: `{match.group(1)}` - no such path")
            elif test and not re.search(rf"^def {re.escape(test.split('[')[0])}\(", target.read_text(), re.M):
                missing.append(f"{doc_name(doc)}: `{match.group(1)}` - no such test")
    assert checked >= 10, checked
    assert not missing, missing


# --- links -------------------------------------------------------------------------------


def anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    slugs, seen = set(), {}
    for line in path.read_text().splitlines():
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        text = re.sub(r"`|\*\*|__|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading.group(1))
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        slugs.add(slug if n == 0 else f"{slug}-{n}")
    return slugs


def test_every_relative_link_resolves():
    broken, checked = [], 0
    for doc in DOCS:
        text = re.sub(r"```.*?```", "", prose(doc), flags=re.S)
        for match in LINK.finditer(text):
            target = match.group(1) or match.group(2)
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto
            checked += 1
            file_part, _, anchor = target.partition("#")
            path = (doc.parent / file_part).resolve() if file_part else doc
            if not path.exists():
                broken.append(f"{doc_name(doc)}: ({target}) - no such file")
            elif anchor and path.suffix == ".md" and anchor not in anchors(path):
                broken.append(f"{doc_name(doc)}: ({target}) - no heading with that anchor")
    assert checked >= 10, checked
    assert not broken, broken


def test_anchors_follow_githubs_rule(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n## Runs on a cluster (SLURM)\n## `qc.enabled`: the QC pages\n## Title\n")
    assert anchors(page) == {"title", "runs-on-a-cluster-slurm", "qcenabled-the-qc-pages", "title-1"}


# --- job counts --------------------------------------------------------------------------


def quoted_job_counts() -> list[tuple[str, str, int]]:
    """(doc, config, count) for every "N jobs" after a config is named in the same
    sentence (the nearest config before it)."""
    quoted = []
    for doc in DOCS:
        for sentence in sentences(prose(doc)):
            mentions = [(m.start(), m.group(1)) for m in CONFIG_MENTION.finditer(sentence)]
            for count in JOB_COUNT.finditer(sentence):
                before = [config for start, config in mentions if start < count.start()]
                if before:
                    quoted.append((doc_name(doc), before[-1], int(count.group(1).replace(",", ""))))
    return quoted


def test_job_counts_are_found_where_a_config_is_named():
    found = {(config, count) for _, config, count in quoted_job_counts()}
    assert any(config == ".test/config_loso.yaml" for config, _ in found), found


@pytest.mark.workflow
def test_every_job_count_quoted_for_a_config_is_its_dry_runs(tmp_path):
    from support.dry_runs import planned_jobs
    from support.workflow import merged, write_config

    quoted = quoted_job_counts()
    default = yaml.safe_load((REPO / "config.yaml").read_text())
    workdirs = {}
    for config in sorted({config for _, config, _ in quoted}):
        override = {} if config == "config.yaml" else yaml.safe_load((REPO / config).read_text())
        workdirs[config] = tmp_path / re.sub(r"\W", "_", config)
        write_config(workdirs[config], {**merged(default, override), "results": "results"})
    planned = planned_jobs(list(workdirs.values()))
    wrong = []
    for doc, config, count in quoted:
        result = planned[workdirs[config]]
        assert "error" not in result, f"{config}: {result.get('error')}"
        total = sum(result["jobs"].values())
        if total != count:
            wrong.append(f"{doc}: {config} is quoted as {count} jobs; a dry run plans {total}")
    assert not wrong, wrong
