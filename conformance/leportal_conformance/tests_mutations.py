"""``malformed.mutations`` and ``malformed.foreign_messages``: the codec's own encoding changed
inside its syntax, and valid messages of the same syntax that describe something else.

A decoder may accept a mutated encoding only faithfully: it returns the original object (the
mutation touched nothing the codec carries), or an object whose encoding is the mutated input
(dropping an optional member is a valid encoding of less). Anything else is a silently
different object. A rejection must be the project's FormatError whose problem codes start with
the adapter's name (or a namespace of leportal_core), none of them the generic fallback, and at
least one with a location.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs

from leportal_conformance.capabilities import Capabilities
from leportal_conformance.guard import call, core_namespaces, format_error_problem, short_repr
from leportal_conformance.model import Finding, Status
from leportal_conformance.mutations import Mutation, Syntax, mutations, same_structure, syntax_of
from leportal_conformance.tests_malformed import NoEncodings, valid_encodings
from leportal_conformance.tests_roundtrip import (
    document_differences,
    no_examples,
    object_differences,
    without_fields,
)
from leportal_core.codec import Codec
from leportal_core.document import Document
from leportal_core.errors import FormatError, LeportalError, ValidationError

__all__ = ["FOREIGN_MESSAGES", "check_foreign", "check_mutations", "rejection_problem"]

_GENERIC_CODES = frozenset(
    cls.default_code for cls in (LeportalError, ValidationError, FormatError)
)
_MAX_CASES = 10


def rejection_problem(error: BaseException, adapter_name: str) -> str | None:
    """Why ``error`` is not an acceptable rejection by an adapter named ``adapter_name``."""
    problem = format_error_problem(error)
    if problem is not None:
        return problem
    assert isinstance(error, FormatError)
    allowed = {adapter_name, *core_namespaces()}
    codes = [p.code for p in error.problems]
    generic = [c for c in codes if c in _GENERIC_CODES]
    if generic:
        return f"FormatError with the generic code {generic[0]!r} instead of the adapter's own"
    foreign = [c for c in codes if c.partition(".")[0] not in allowed]
    if foreign:
        return f"problem code {foreign[0]!r} does not start with {adapter_name + '.'!r}"
    if not any(p.location.as_dict() for p in error.problems):
        return f"FormatError ({codes[0]}) without a location in any problem"
    return None


def _differences(codec: Codec[Any], caps: Capabilities, expected: Any, actual: Any) -> list[str]:
    if isinstance(expected, Document) and isinstance(actual, Document):
        return document_differences(without_fields(expected, caps.uncarried_fields), actual)
    return object_differences(expected, actual)


def _expected(caps: Capabilities, original: Any) -> Any:
    if isinstance(original, Document):
        return without_fields(original, caps.uncarried_fields)
    return original


def only_losses(expected: Any, actual: Any) -> bool:
    """Whether ``actual`` differs from ``expected`` only by values that became absent: ``None``,
    empty, or a tuple with items left out (attribute by attribute for attrs classes)."""
    if expected == actual or actual is None or actual in ("", ()):
        return True
    kind: Any = type(expected)
    if kind is type(actual) and attrs.has(kind):
        return all(
            only_losses(getattr(expected, f.name), getattr(actual, f.name))
            for f in attrs.fields(kind)
        )
    if isinstance(expected, tuple) and isinstance(actual, tuple):
        remaining = iter(expected)
        return all(any(item == candidate for candidate in remaining) for item in actual)
    return False


def _accepted_problem(
    codec: Codec[Any], caps: Capabilities, original: Any, value: Any, mutation: Mutation
) -> str | None:
    """Why accepting ``mutation`` with ``value`` is not faithful, or ``None``."""
    if not isinstance(value, codec.object_type):
        return f"decode returned a {type(value).__name__}, not a {codec.object_type.__name__}"
    differences = _differences(codec, caps, original, value)
    if not differences:
        return None  # the mutation touched nothing the codec carries
    if mutation.removes and only_losses(_expected(caps, original), value):
        return None  # what the removed part carried is absent, nothing else changed
    if "encode" in caps.directions:
        back = call(codec.encode, value).value
        if isinstance(back, bytes) and _same_encoding(back, mutation.faithful):
            return None  # a valid encoding of what it decoded to
    return "decode accepted it as a different object: " + "; ".join(differences[:2])


def _same_encoding(first: bytes, second: bytes) -> bool:
    if first == second:
        return True
    return syntax_of(second) == Syntax.JSON and same_structure(first, second)


def check_mutations(codec: Codec[Any], caps: Capabilities, adapter_name: str) -> Finding:
    """Every mutation of the encoding of every sample, judged as the module describes."""
    if caps.examples is None:
        return no_examples(codec)
    try:
        encodings = valid_encodings(codec, caps)
    except NoEncodings as exc:
        return Finding(status=Status.ERROR, message=f"no valid encoding to start from: {exc}")
    syntaxes = {syntax_of(data) for data in encodings}
    if syntaxes == {None}:
        return Finding(
            status=Status.SKIPPED,
            message="not applicable: the encodings are in no syntax the suite can mutate "
            "(JSON, HL7 v2, GDT)",
        )
    cases: list[str] = []
    tried = 0
    for number, (sample, data) in enumerate(zip(caps.examples.samples, encodings, strict=True)):
        for mutation in mutations(data):
            tried += 1
            outcome = call(codec.decode, mutation.data)
            if outcome.error is not None:
                problem = rejection_problem(outcome.error, adapter_name)
            else:
                problem = _accepted_problem(codec, caps, sample, outcome.value, mutation)
            if problem:
                cases.append(f"sample {number} with {mutation.label}: {problem}")
    found = ", ".join(sorted(s for s in syntaxes if s))
    if cases:
        return Finding(
            status=Status.FAILED,
            message=f"{len(cases)} of {tried} {found} mutations mishandled; first: {cases[0]}",
            details={"tried": tried, "failures": len(cases), "cases": cases[:_MAX_CASES]},
        )
    return Finding(
        status=Status.PASSED,
        message=f"{tried} {found} mutations rejected or faithfully accepted",
        details={"tried": tried},
    )


# Valid messages of the same syntax that describe something else, by media type.
_FHIR_PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "identifier": [{"system": "urn:oid:1.2.276.0.76.4.8", "value": "P-1001"}],
    "name": [{"family": "Müller", "given": ["Anna"]}],
    "birthDate": "1970-01-01",
}
_FHIR_BINARY = {"resourceType": "Binary", "contentType": "application/pdf", "data": "JVBERi0xLjc="}
_FHIR_BUNDLE = {"resourceType": "Bundle", "type": "searchset", "total": 0}
_HL7_ORU = (
    b"MSH|^~\\&|LAB|KH|PORTAL|MD|20260209120000||ORU^R01^ORU_R01|MSG00002|P|2.5\r"
    b"PID|1||P-1001^^^^PI||Mustermann^Max\r"
    b"OBR|1||B-77|24331-1^Lipid panel^LN\r"
    b"OBX|1|ED|PDF^Befund||^AP^PDF^Base64^JVBERi0xLjc=||||||F\r"
)
_HL7_ACK = (
    b"MSH|^~\\&|PORTAL|MD|KIS|KH|20260209120000||ACK^T02^ACK|MSG00003|P|2.5\rMSA|AA|MSG00001\r"
)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


FOREIGN_MESSAGES: dict[str, tuple[tuple[str, bytes], ...]] = {
    "application/fhir+json": (
        ("a FHIR Patient", _json(_FHIR_PATIENT)),
        ("a FHIR Binary", _json(_FHIR_BINARY)),
        ("a FHIR Bundle", _json(_FHIR_BUNDLE)),
    ),
    "application/json": (("a FHIR Patient", _json(_FHIR_PATIENT)),),
    "application/hl7-v2": (("an HL7 ORU^R01 with a PDF", _HL7_ORU), ("an HL7 ACK", _HL7_ACK)),
}
# Message types the own encoding is switched to: another resource, message or record type.
_HL7_TYPES = (b"ORU^R01^ORU_R01", b"ADT^A08^ADT_A01", b"MDM^T01^MDM_T01")
_FHIR_TYPES = ("Composition", "Binary", "List")
# GDT Satzarten of other kinds than data: 6302 is left out, as it carries a patient like 6301.
_GDT_SATZARTEN = (b"6300", b"6301", b"6310", b"6311")


def _switched(data: bytes) -> Iterator[tuple[str, bytes]]:
    """The own encoding ``data`` with its message type switched to foreign ones."""
    kind = syntax_of(data)
    if kind == Syntax.HL7:
        fields = data.split(b"\r", 1)[0].split(b"|")
        if len(fields) > 8:
            for new in _HL7_TYPES:
                if fields[8].split(b"^")[:2] != new.split(b"^")[:2]:
                    head = b"|".join([*fields[:8], new, *fields[9:]])
                    yield (
                        f"its own message as {new.decode()}",
                        head + data[len(data.split(b"\r", 1)[0]) :],
                    )
    elif kind == Syntax.GDT and data[3:7] == b"8000":
        own = data[7:11]
        for satzart in _GDT_SATZARTEN:
            if satzart != own:
                yield (
                    f"its own record as Satzart {satzart.decode()}",
                    data[:7] + satzart + data[11:],
                )
    elif kind == Syntax.JSON:
        parsed = json.loads(data.decode("utf-8").removeprefix("\ufeff"))
        if isinstance(parsed, dict) and isinstance(parsed.get("resourceType"), str):
            for resource_type in _FHIR_TYPES:
                if parsed["resourceType"] != resource_type:
                    switched = _json({**parsed, "resourceType": resource_type})
                    yield f"its own resource as {resource_type}", switched


def foreign_inputs(
    codec: Codec[Any], caps: Capabilities, others: dict[str, tuple[Codec[Any], Capabilities]]
) -> list[tuple[str, bytes]]:
    """What ``codec`` must refuse: fixed foreign messages of its media type, its own encodings
    with the message type switched, and the encodings of the adapter's other codecs of the same
    media type."""
    media_type = _media_type(codec)
    inputs = list(FOREIGN_MESSAGES.get(media_type, ()))
    try:
        own = valid_encodings(codec, caps) if "encode" in caps.directions else []
    except NoEncodings:
        own = []
    for data in own[:2]:
        inputs.extend(_switched(data))
    for name, (other, other_caps) in others.items():
        if other is codec or _media_type(other) != media_type:
            continue
        if other.object_type is codec.object_type or "encode" not in other_caps.directions:
            continue
        try:
            encodings = valid_encodings(other, other_caps)
        except NoEncodings:
            continue
        inputs.extend(
            (f"{name}'s encoding of its sample {n}", d) for n, d in enumerate(encodings[:2])
        )
    return inputs


def _media_type(codec: Codec[Any]) -> str:
    return str(getattr(codec, "media_type", "")).partition(";")[0].strip().lower()


def check_foreign(
    codec: Codec[Any],
    caps: Capabilities,
    adapter_name: str,
    others: dict[str, tuple[Codec[Any], Capabilities]],
) -> Finding:
    """Every foreign message of the codec's syntax is refused with the adapter's codes."""
    inputs = foreign_inputs(codec, caps, others)
    if not inputs:
        return Finding(
            status=Status.SKIPPED,
            message=f"not applicable: no foreign message of {short_repr(_media_type(codec))} "
            "is known",
        )
    cases = []
    for label, data in inputs:
        outcome = call(codec.decode, data)
        problem: str | None
        if outcome.error is None:
            problem = f"decode returned {short_repr(outcome.value)} instead of raising FormatError"
        else:
            problem = rejection_problem(outcome.error, adapter_name)
        if problem:
            cases.append(f"{label}: {problem}")
    labels = [label for label, _ in inputs]
    if cases:
        return Finding(
            status=Status.FAILED,
            message=f"{len(cases)} of {len(inputs)} foreign messages not refused; first: {cases[0]}",
            details={"inputs": labels, "cases": cases[:_MAX_CASES]},
        )
    return Finding(
        status=Status.PASSED,
        message=f"{len(inputs)} foreign messages refused",
        details={"inputs": labels},
    )
