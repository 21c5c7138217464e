#!/usr/bin/env python3
"""Render the configuration reference (docs/configuration.md) from the schema's descriptions.

    python .ci/config_reference.py          # write docs/configuration.md
    python .ci/config_reference.py --check  # exit 1 if it is out of date (CI)

``resources/config.schema.yaml``, with the parts the registries own filled in
(``multimodal_emotion.config_schema.load_schema``: the protocol kinds' keys, the model
classes), is the one source: every key's type, allowed values, default and ``description``
become one row. A list a registry owns is named, not copied, so registering a model or a
protocol kind leaves this page as it is unless the kind brings keys of its own. A key without a description is an error, so
the reference cannot miss one (as MNE-BIDS-Pipeline's ``test_documented``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
from multimodal_emotion import datasets  # noqa: E402
from multimodal_emotion.config_schema import load_schema  # noqa: E402

OUTPUT = ROOT / "docs" / "configuration.md"

HEADER = """# Configuration reference

<!-- Generated from resources/config.schema.yaml by .ci/config_reference.py: do not edit by hand;
     edit the schema's descriptions and run `python .ci/config_reference.py` (CI checks it is current). -->

`config.yaml` is validated at start-up against `resources/config.schema.yaml`, with the protocol
kinds' keys and the model classes filled in from their registries (`config_schema.validate_config`,
which also fills the defaults below, as Snakemake's `validate` does), and then by `workflow_config.check_config`
(band edges, Nyquist, windows versus clip lengths, label names against the dataset module,
dataset names outside their blocks); a wrong key or value stops Snakemake before any job
runs, with one line naming the key. `<dataset>` stands for a registered dataset name
({DATASETS}), `<model>` for an entry of `models`.

"""


class MissingDescription(ValueError):
    pass


def _resolve(node: dict, schema: dict) -> dict:
    while "$ref" in node:
        ref = node["$ref"].split("/")[-1]
        merged = {k: v for k, v in node.items() if k != "$ref"}
        node = {**schema["definitions"][ref], **merged}
    return node


def _type(node: dict) -> str:
    if "x-registry" in node:  # a list a registry owns: named, not copied
        return f"a name in `{node['x-registry']}`"
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    kind = node.get("type", "any")
    kind = " or ".join(kind) if isinstance(kind, list) else kind
    bounds = []
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in node:
            bounds.append(f"{sign} {node[key]}")
    if kind == "array" and isinstance(node.get("items"), dict):
        item = node["items"]
        inner = " \\| ".join(map(str, item["enum"])) if "enum" in item else item.get("type", item.get("$ref", "any")
                                                                                     .split("/")[-1])
        kind = f"list of {inner}"
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


def _rows(node: dict, schema: dict, path: str, rows: list, missing: list) -> None:
    node = _resolve(node, schema)
    kind = None
    if "oneOf" in node:  # one object or a list of them: the object's keys are the rows below it
        first = _resolve(node["oneOf"][0], schema)
        kind = f"{_type(first)} or a list of them"
        node = {**first, **{k: v for k, v in node.items() if k != "oneOf"}}
    if path:
        description = node.get("description")
        if not description:
            missing.append(path)
        default = f"`{json.dumps(node['default'])}`" if "default" in node else ""
        rows.append((path, kind or _type(node), default, " ".join(str(description or "").split())))
    children = dict(node.get("properties", {}))
    for pattern, sub in node.get("patternProperties", {}).items():
        children[pattern.replace("^[a-z_]+", "<dataset>").strip("^$")] = sub
    for branch in node.get("allOf", []):  # a protocol kind's own keys (if kind: then its keys)
        for key, sub in branch.get("then", {}).get("properties", {}).items():
            children.setdefault(key, sub)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        if path == "models":
            name = "<model>"
        elif path.endswith("bands"):
            name = "<band>"
        elif path.endswith("space.<dataset>"):
            name = "<parameter>"
        else:
            name = "<dataset>"
        children.setdefault(name, extra)
    for key, sub in children.items():
        _rows(sub, schema, f"{path}.{key}" if path else key, rows, missing)


def render(schema: dict) -> str:
    rows: list = []
    missing: list = []
    _rows(schema, schema, "", rows, missing)
    if missing:
        raise MissingDescription(f"schema keys without a description: {', '.join(missing)}")
    out = [HEADER.replace("{DATASETS}", ", ".join(f"`{name}`" for name in datasets.NAMES))]
    section = None
    for path, kind, default, description in rows:
        top = path.split(".")[0]
        if top != section:
            section = top
            out.append(f"\n## `{top}`\n\n| key | type / allowed | default | meaning |\n|---|---|---|---|\n")
        escaped = description.replace("|", "\\|")
        out.append(f"| `{path}` | {kind} | {default} | {escaped} |\n")
    return "".join(out)


def main(argv: list[str]) -> int:
    text = render(load_schema())
    if "--check" in argv:
        if not OUTPUT.is_file() or OUTPUT.read_text() != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run python .ci/config_reference.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
