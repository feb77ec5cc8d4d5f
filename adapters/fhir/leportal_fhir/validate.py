"""Validate DocumentReferences (alone or in a Bundle) received from elsewhere.

Each DocumentReference gets the ISiK rule checks (:func:`leportal_fhir.checks.isik_problems`) and
the byte checks of the import (base64, ``hash``, ``size``; a ``url`` pointing to a Binary of the
same Bundle is resolved). Content held elsewhere (a server URL) cannot be verified here; that is a
warning, not an error.
"""

from __future__ import annotations

import binascii
from typing import Any

import attrs

from leportal_core import FormatError, Location, Problem, Severity
from leportal_fhir.checks import isik_problems
from leportal_fhir.document_reference import decode_base64binary, parse_json, read_resource
from leportal_fhir.isik import IsikOptions

__all__ = ["ValidationReport", "validate_bytes"]

_URL_CODES = ("fhir.attachment.url_unsupported", "fhir.attachment.url_unresolved")


@attrs.frozen(kw_only=True)
class ValidationReport:
    """What validation found: the pointers of the DocumentReferences checked, and all problems."""

    checked: tuple[str, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """No problem is an error (warnings ask a person to look)."""
        return not any(p.severity is Severity.ERROR for p in self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.ok,
            "checked": list(self.checked),
            "problems": [p.as_dict() for p in self.problems],
        }


def validate_bytes(data: bytes, *, options: IsikOptions | None = None) -> ValidationReport:
    """Validate a DocumentReference or a Bundle of them given as JSON bytes."""
    try:
        parsed = parse_json(data)
    except FormatError as exc:
        return ValidationReport(checked=(), problems=exc.problems)
    if isinstance(parsed, dict) and parsed.get("resourceType") == "Bundle":
        entries = parsed.get("entry")
        if not isinstance(entries, list):
            entries = []
        binaries = _binaries(entries)
        targets = [
            (f"/entry/{i}/resource", entry["resource"])
            for i, entry in enumerate(entries)
            if isinstance(entry, dict)
            and isinstance(entry.get("resource"), dict)
            and entry["resource"].get("resourceType") == "DocumentReference"
        ]
        if not targets:
            return ValidationReport(
                checked=(),
                problems=(
                    Problem(
                        code="fhir.bundle.empty",
                        message="the Bundle holds no DocumentReference",
                        location=Location(pointer="/entry"),
                    ),
                ),
            )
    else:
        binaries = {}
        targets = [("", parsed)]
    problems: list[Problem] = []
    for pointer, resource in targets:
        problems.extend(_one(resource, pointer, binaries, options))
    return ValidationReport(checked=tuple(p or "/" for p, _ in targets), problems=tuple(problems))


def _one(
    resource: Any, pointer: str, binaries: dict[str, bytes], options: IsikOptions | None
) -> list[Problem]:
    found = list(isik_problems(resource, options=options, pointer=pointer))
    if any(p.code == "fhir.resource_type.invalid" for p in found):
        return found
    try:
        read_resource(resource, pointer=pointer, resolve=binaries.get)
    except FormatError as exc:
        for problem in exc.problems:
            if problem.code in _URL_CODES:
                found.append(
                    Problem(
                        code="fhir.attachment.not_verified",
                        message="content is held at its url: hash and size not verified here",
                        location=problem.location,
                        severity=Severity.WARNING,
                    )
                )
            elif problem not in found:
                found.append(problem)
    return found


def _binaries(entries: list[Any]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Binary":
            continue
        try:
            content = decode_base64binary(resource.get("data", ""))
        except (binascii.Error, ValueError, TypeError):
            continue  # left unresolved: the attachment then reports it
        for name in (entry.get("fullUrl"), f"Binary/{resource.get('id')}"):
            if isinstance(name, str):
                found[name] = content
    return found
