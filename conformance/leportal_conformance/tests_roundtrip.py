"""The ``roundtrip`` group: what a codec encodes, it decodes to an equal object, byte for byte.

Documents have their own test (content bytes, size and hash compared); every other object type
goes through ``roundtrip.objects`` with the valid objects of :mod:`leportal_conformance.objects`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import attrs

from leportal_conformance import catalog
from leportal_conformance.capabilities import Capabilities
from leportal_conformance.guard import call, describe_exception, differing_reprs, short_repr
from leportal_conformance.model import Finding, Status, TestResult, run_test
from leportal_conformance.objects import ObjectExamples
from leportal_conformance.properties import Violation, check_property
from leportal_conformance.strategies import documents, edge_documents
from leportal_core.codec import Codec
from leportal_core.document import Document

__all__ = [
    "document_differences",
    "first_difference",
    "no_examples",
    "object_differences",
    "round_trip",
    "run",
    "without_fields",
]

_FIELDS = ("title", "media_type", "created", "patient_id", "case_id", "kdl_code")


def run(
    codecs: dict[str, Codec[Any]],
    *,
    seed: int,
    max_examples: int,
    capabilities: dict[str, Capabilities] | None = None,
) -> Iterator[TestResult]:
    """One round-trip test per codec."""
    for name, codec in codecs.items():
        caps = (capabilities or {}).get(name) or Capabilities(declared=False)
        check = functools.partial(
            _roundtrip,
            codec,
            seed=seed,
            max_examples=max_examples,
            uncarried=caps.uncarried_fields,
        )
        yield run_test(catalog.ROUNDTRIP_DOCUMENT, name, check, capabilities=caps)
    for name, codec in codecs.items():
        caps = (capabilities or {}).get(name) or Capabilities(declared=False)
        objects = functools.partial(
            _roundtrip_objects, codec, caps, seed=seed, max_examples=max_examples
        )
        yield run_test(catalog.ROUNDTRIP_OBJECTS, name, objects, capabilities=caps)


def no_examples(codec: Codec[Any]) -> Finding:
    """The result of a test that needs valid objects the suite cannot make: an error (the
    certificate says which tests could not run), never a skip or a pass."""
    type_name = getattr(getattr(codec, "object_type", None), "__name__", "?")
    return Finding(
        status=Status.ERROR,
        message=(
            f"could not run: the suite knows no valid {type_name} objects; declare "
            "conformance_samples or conformance_strategy on the codec (docs/certifying.md, "
            "objects of other types)"
        ),
    )


def _roundtrip_objects(
    codec: Codec[Any], caps: Capabilities, *, seed: int, max_examples: int
) -> Finding:
    examples = caps.examples
    if examples is None:
        return no_examples(codec)
    type_name = codec.object_type.__name__

    def body(value: object) -> None:
        back = round_trip(codec, value)
        if not isinstance(back, codec.object_type):
            raise Violation(f"decode returned a {type(back).__name__}, not a {type_name}")
        differences = object_differences(value, back)
        if differences:
            raise Violation("decode(encode(x)) differs from x: " + "; ".join(differences))

    finding = check_property(
        "roundtrip_objects",
        examples.generated,
        body,
        seed=seed,
        max_examples=max_examples,
        examples=examples.samples,
    )
    return _with_source(finding, examples)


def round_trip(codec: Codec[Any], value: object) -> object:
    """``decode(encode(value))``; :class:`Violation` when either call fails or encode gives
    no bytes."""
    encoded = call(codec.encode, value)
    if encoded.error is not None:
        raise Violation(
            f"encode of a valid {type(value).__name__} raised {describe_exception(encoded.error)}"
        )
    data = encoded.value
    if not isinstance(data, bytes):
        raise Violation(f"encode returned a {type(data).__name__}, not bytes")
    decoded = call(codec.decode, data)
    if decoded.error is not None:
        raise Violation(f"decode of encode's own output raised {describe_exception(decoded.error)}")
    return decoded.value


def _with_source(finding: Finding, examples: ObjectExamples) -> Finding:
    if finding.status is not Status.PASSED:
        return finding
    return attrs.evolve(finding, message=f"{finding.message} from {examples.describe()}")


def object_differences(expected: object, actual: object, path: str = "") -> list[str]:
    """How ``actual`` differs from ``expected``: attribute by attribute for attrs classes (one
    level of nesting per attribute), else the two values; empty when they are equal."""
    if expected == actual:
        return []
    kind: Any = type(expected)
    if kind is type(actual) and attrs.has(kind):
        found = []
        for field in attrs.fields(kind):
            before, after = getattr(expected, field.name), getattr(actual, field.name)
            if before != after:
                found.extend(object_differences(before, after, f"{path}{field.name}."))
        if found:
            return found
    shown = differing_reprs(expected, actual)
    return [f"{path.rstrip('.') or 'the object'} {shown[0]} became {shown[1]}"]


def _roundtrip(
    codec: Codec[Any], *, seed: int, max_examples: int, uncarried: frozenset[str] = frozenset()
) -> Finding:
    def body(document: Document) -> None:
        back = round_trip(codec, document)
        if not isinstance(back, Document):
            raise Violation(f"decode returned a {type(back).__name__}, not a Document")
        differences = document_differences(without_fields(document, uncarried), back)
        if differences:
            raise Violation("decode(encode(doc)) differs from doc: " + "; ".join(differences))

    return check_property(
        "roundtrip_document",
        documents(),
        body,
        seed=seed,
        max_examples=max_examples,
        examples=edge_documents(),
    )


def without_fields(document: Document, fields: frozenset[str]) -> Document:
    """``document`` with the optional ``fields`` a format cannot carry set to ``None``: what a
    round trip through such a format gives back."""
    if not fields:
        return document
    changes: dict[str, Any] = dict.fromkeys(fields)
    return attrs.evolve(document, **changes)


def document_differences(expected: Document, actual: Document) -> list[str]:
    """How ``actual`` differs from ``expected``, field by field; empty when they are equal."""
    differences = [
        "{} {} became {}".format(
            field, *differing_reprs(getattr(expected, field), getattr(actual, field))
        )
        for field in _FIELDS
        if getattr(expected, field) != getattr(actual, field)
    ]
    read = call(actual.read_bytes)
    if read.error is not None:
        differences.append(f"reading the decoded content raised {describe_exception(read.error)}")
    else:
        differences.extend(_content_differences(expected.read_bytes(), read.value))
    if expected.size != actual.size:
        differences.append(f"size {expected.size} became {actual.size}")
    if expected.sha256 != actual.sha256:
        differences.append(f"SHA-256 {expected.sha256[:16]}… became {actual.sha256[:16]}…")
    if not differences and expected != actual:
        # Same values, different form: e.g. content read back as a file path.
        differences.append(f"the Documents are not equal: {short_repr(actual, 200)}")
    return differences


def _content_differences(expected: bytes, actual: object) -> list[str]:
    if not isinstance(actual, bytes):
        return [f"the decoded content is a {type(actual).__name__}, not bytes"]
    if expected == actual:
        return []
    first = first_difference(expected, actual)
    return [
        f"content of {len(expected)} bytes became {len(actual)} bytes, first difference at "
        f"byte {first}"
    ]


def first_difference(first: bytes, second: bytes, chunk: int = 65_536) -> int:
    """The offset of the first byte where ``first`` and ``second`` differ (the shorter length
    when one is a prefix of the other); chunk by chunk, as contents run to megabytes.

    >>> first_difference(b"abcdef", b"abcxef"), first_difference(b"ab", b"abc")
    (3, 2)
    """
    shorter = min(len(first), len(second))
    for start in range(0, shorter, chunk):
        end = min(start + chunk, shorter)
        if first[start:end] != second[start:end]:
            return next(i for i in range(start, end) if first[i] != second[i])
    return shorter
