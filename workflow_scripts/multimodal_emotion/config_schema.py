"""The config schema: ``resources/config.schema.yaml`` plus what the registries own
(the protocol block from :mod:`.protocols`, the model classes from :mod:`.models`), the
validation Snakemake would do with it (defaults filled in), and its errors as one line.

The registries' parts are marked ``x-registry`` (an annotation JSON Schema ignores), so
the configuration reference can say where their lists come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .recording import ConfigError

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "resources" / "config.schema.yaml"


def load_schema(path: str | Path = SCHEMA_PATH) -> dict:
    """The config schema with the registries' parts filled in."""
    import yaml

    from . import protocols
    from .models import MODELS

    # libyaml's loader where PyYAML has it: every Snakemake start loads the schema (0.1 s in Python)
    schema = yaml.load(Path(path).read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    schema["definitions"]["protocol"] = {**protocols.schema(), "description": schema["definitions"]["protocol"]
                                         .get("description", "")}
    model_class = schema["properties"]["models"]["additionalProperties"]["properties"]["class"]
    model_class.update({"enum": list(MODELS), "x-registry": "models.MODELS"})
    return schema


def validate_config(config: dict, *, config_name: str = "config.yaml", log_path: str | Path | None = None) -> None:
    """Validate ``config`` against :func:`load_schema`, filling in the defaults (as
    Snakemake's ``validate(..., set_default=True)``: a key's ``default`` wherever its
    ``properties`` are checked). A problem raises :class:`ConfigError` as one line; the
    full error, with the schema, goes to ``log_path``."""
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    check_properties = Draft202012Validator.VALIDATORS["properties"]

    def properties_with_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub:
                    instance.setdefault(name, sub["default"])
        yield from check_properties(validator, properties, instance, schema)

    validator = validators.extend(Draft202012Validator, {"properties": properties_with_defaults})
    try:
        validator(load_schema()).validate(config)
    except ValidationError as error:
        details = ""
        if log_path is not None:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            Path(log_path).write_text(f"{error}\n")
            details = f" (details: {log_path})"
        problem = ConfigError.from_line(schema_error_line(error, config_name=config_name) + details)
        problem.schema_error = error  # the full error, for a log or a test
        raise problem from None


def schema_error_line(error, *, config_name: str = "config.yaml") -> str:
    """One line for a JSON-schema ``ValidationError`` of the config: where, what, what is allowed.

    ``config.yaml: seed: unknown key 'window_sec' (did you mean 'window_s'?)`` or
    ``config.yaml: seed.step_s: -1 is too small (allowed: > 0)``. The full error, with
    the schema, belongs in a log, not on the terminal.
    """
    import difflib

    from jsonschema.exceptions import best_match

    error = best_match([error])  # into a oneOf's branches where one is the value's own type
    if error.validator in ("oneOf", "anyOf") and error.context:  # e.g. one protocol or a list of them: the
        depth = len(error.absolute_path)  # branches other than the value's own type fail on the type alone
        own = [e for e in error.context if not (e.validator == "type" and len(e.absolute_path) == depth)]
        error = best_match(own or error.context)
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = list(schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(known))
        if unknown:
            key = unknown[0]
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(known)})"
            return f"{config_name}: {where}: unknown key '{key}'{hint}"
    if error.validator == "required":
        return f"{config_name}: {where}: {error.message}"
    allowed = {
        "type": lambda v: f"a value of type {v}",
        "enum": lambda v: "one of " + ", ".join(repr(x) for x in v),
        "minimum": lambda v: f">= {v}", "maximum": lambda v: f"<= {v}",
        "exclusiveMinimum": lambda v: f"> {v}", "exclusiveMaximum": lambda v: f"< {v}",
        "minItems": lambda v: f"at least {v} items", "maxItems": lambda v: f"at most {v} items",
        "minProperties": lambda v: f"at least {v} entries",
    }.get(error.validator)
    value = repr(error.instance)
    value = value if len(value) <= 60 else value[:57] + "..."
    if allowed is not None:
        return f"{config_name}: {where}: {value} is not allowed (allowed: {allowed(error.validator_value)})"
    return f"{config_name}: {where}: {error.message.splitlines()[0][:200]}"
