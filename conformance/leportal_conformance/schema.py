"""``report.json``'s JSON Schema, shipped with the suite, and a small validator for it.

The validator implements only the keywords ``report.schema.json`` uses (``type``, ``enum``,
``properties``, ``required``, ``additionalProperties``, ``items``, ``minimum``, ``pattern``;
JSON Schema 2020-12 semantics, https://json-schema.org/draft/2020-12/json-schema-validation),
so the suite needs no ``jsonschema`` dependency; any other keyword is refused rather than
ignored. A full validator gives the same answers on this schema.

>>> validate({"a": 1}, {"type": "object", "required": ["a", "b"]})
['$: missing required property b']
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

__all__ = ["SUPPORTED_KEYWORDS", "report_schema", "validate"]

SUPPORTED_KEYWORDS = frozenset(
    {"$schema", "$id", "title", "type", "enum", "properties", "required"}
    | {"additionalProperties", "items", "minimum", "pattern"}
)

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def report_schema() -> dict[str, Any]:
    """The schema ``report.json`` follows."""
    text = resources.files("leportal_conformance").joinpath("report.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate(instance: Any, schema: Mapping[str, Any], path: str = "$") -> list[str]:
    """Every way ``instance`` breaks ``schema``, each as ``path: reason``; empty when valid."""
    unknown = set(schema) - SUPPORTED_KEYWORDS
    if unknown:
        raise ValueError(f"unsupported schema keywords at {path}: {sorted(unknown)}")
    errors: list[str] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(instance, name) for name in names):
            return [f"{path}: expected {' or '.join(names)}, got {type(instance).__name__}"]
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{path}: {instance!r} is not one of {schema['enum']}")
    if isinstance(instance, bool) or not isinstance(instance, int | float):
        pass
    elif "minimum" in schema and instance < schema["minimum"]:
        errors.append(f"{path}: {instance} is less than {schema['minimum']}")
    if (
        isinstance(instance, str)
        and "pattern" in schema
        and not re.search(schema["pattern"], instance)
    ):
        errors.append(f"{path}: {instance!r} does not match {schema['pattern']}")
    if isinstance(instance, dict):
        errors += _object_errors(instance, schema, path)
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            errors += validate(item, schema["items"], f"{path}[{index}]")
    return errors


def _object_errors(instance: dict[str, Any], schema: Mapping[str, Any], path: str) -> list[str]:
    errors = [
        f"{path}: missing required property {name}"
        for name in schema.get("required", [])
        if name not in instance
    ]
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for name, value in instance.items():
        where = f"{path}.{name}"
        if name in properties:
            errors += validate(value, properties[name], where)
        elif extra is False:
            errors.append(f"{path}: unexpected property {name}")
        elif isinstance(extra, Mapping):
            errors += validate(value, extra, where)
    return errors


def _is_type(instance: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(instance, bool):
        return False
    if name == "integer" and isinstance(instance, float):
        return instance.is_integer()
    return isinstance(instance, _TYPES[name])
