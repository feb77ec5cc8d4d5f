"""What a codec declares it supports, and which tests therefore apply to it.

A codec may carry an optional attribute ``conformance_capabilities``, a mapping with these keys
(all optional; a codec that declares nothing gets the defaults, and every test applies):

- ``directions``: the directions the codec implements, a subset of ``("encode", "decode")``
  (default both). A reader of a host format that cannot write it declares ``("decode",)``.
- ``uncarried_fields``: optional Document fields the format cannot carry (default none), out of
  ``patient_id``, ``case_id`` and ``kdl_code``. Round trips then expect ``None`` back for them.

an optional attribute ``conformance_golden_vectors``: pairs ``(encoded bytes, object)`` that
the ``golden`` group decodes and encodes, and for an object type the suite does not know,
``conformance_samples`` and ``conformance_strategy`` (see :mod:`leportal_conformance.objects`). Declaring capabilities follows SQLAlchemy's dialect
``requirements`` (https://docs.sqlalchemy.org/en/20/core/internals.html): a test that does not
apply is reported as skipped with the reason, never left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from leportal_conformance.guard import short_repr
from leportal_conformance.objects import ObjectExamples, examples_for
from leportal_core.document import Document

__all__ = [
    "CAPABILITIES_ATTRIBUTE",
    "DIRECTIONS",
    "GOLDEN_ATTRIBUTE",
    "OPTIONAL_DOCUMENT_FIELDS",
    "Capabilities",
    "read_capabilities",
]

CAPABILITIES_ATTRIBUTE = "conformance_capabilities"
GOLDEN_ATTRIBUTE = "conformance_golden_vectors"
DIRECTIONS = ("encode", "decode")
OPTIONAL_DOCUMENT_FIELDS = ("patient_id", "case_id", "kdl_code")
_KEYS = ("directions", "uncarried_fields")

# Capability names tests require (TestSpec.requires).
DOCUMENT = "document"
OTHER_TYPE = "other_type"  # carries objects that are not Documents
ENCODE = "encode"
DECODE = "decode"
GOLDEN = "golden"

_REASONS = {
    DOCUMENT: "the codec carries {object_type}, and this test needs Documents",
    OTHER_TYPE: "the codec carries Documents, which roundtrip.document covers",
    ENCODE: "the codec declares it does not encode",
    DECODE: "the codec declares it does not decode",
    GOLDEN: "the codec declares no golden vectors (conformance_golden_vectors)",
}


@attrs.frozen(kw_only=True)
class Capabilities:
    """A codec's capabilities as read, with what was wrong with the declaration."""

    declared: bool
    directions: frozenset[str] = frozenset(DIRECTIONS)
    uncarried_fields: frozenset[str] = frozenset()
    golden_vectors: tuple[tuple[bytes, object], ...] = ()
    object_type_name: str = "Document"
    carries_documents: bool = True
    # Valid objects of the codec's type (objects.py); None: the suite has none, and every test
    # that needs them ends in error.
    examples: ObjectExamples | None = None
    problems: tuple[str, ...] = ()

    @property
    def provided(self) -> frozenset[str]:
        """The capability names tests may require."""
        names = set(self.directions)
        names.add(DOCUMENT if self.carries_documents else OTHER_TYPE)
        if self.golden_vectors:
            names.add(GOLDEN)
        return frozenset(names)

    def missing_reason(self, required: frozenset[str]) -> str | None:
        """Why a test requiring ``required`` does not apply, or ``None`` when it does."""
        for name in (DOCUMENT, OTHER_TYPE, ENCODE, DECODE, GOLDEN):
            if name in required and name not in self.provided:
                return "not applicable: " + _REASONS[name].format(object_type=self.object_type_name)
        return None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view, as recorded in ``report.json``."""
        return {
            "declared": self.declared,
            "directions": sorted(self.directions),
            "uncarried_fields": sorted(self.uncarried_fields),
            "golden_vectors": len(self.golden_vectors),
            "object_type": self.object_type_name,
            "examples": self.examples.describe() if self.examples is not None else None,
        }


def read_capabilities(codec: object) -> Capabilities:
    """The capabilities ``codec`` declares; a broken declaration gives the defaults plus problems
    (reported by ``metadata.capabilities``), so that no test is skipped because of it."""
    object_type = getattr(codec, "object_type", None)
    carries_documents = object_type is Document
    type_name = getattr(object_type, "__name__", short_repr(object_type))
    problems: list[str] = []
    raw = getattr(codec, CAPABILITIES_ATTRIBUTE, None)
    directions = frozenset(DIRECTIONS)
    uncarried: frozenset[str] = frozenset()
    if raw is not None:
        if not isinstance(raw, Mapping):
            problems.append(f"{CAPABILITIES_ATTRIBUTE} must be a mapping, not {type(raw).__name__}")
        else:
            unknown = sorted(str(key) for key in raw if key not in _KEYS)
            if unknown:
                problems.append(f"{CAPABILITIES_ATTRIBUTE} has unknown keys {unknown}")
            directions = _names(raw, "directions", DIRECTIONS, problems) or directions
            if not directions:
                problems.append("directions must name at least one of encode, decode")
            uncarried = _names(raw, "uncarried_fields", OPTIONAL_DOCUMENT_FIELDS, problems) or (
                frozenset()
            )
            if uncarried and not carries_documents:
                problems.append("uncarried_fields applies to Document codecs only")
    golden = _golden(codec, problems)
    examples = examples_for(codec, problems)
    if problems:  # the defaults: every test applies
        directions, uncarried = frozenset(DIRECTIONS), frozenset()
    return Capabilities(
        declared=raw is not None or bool(golden),
        directions=directions,
        uncarried_fields=uncarried,
        golden_vectors=golden,
        object_type_name=str(type_name),
        carries_documents=carries_documents,
        examples=examples,
        problems=tuple(problems),
    )


def _names(
    raw: Mapping[Any, Any], key: str, allowed: Sequence[str], problems: list[str]
) -> frozenset[str] | None:
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | frozenset | set):
        problems.append(f"{key} must be a sequence of names, not {short_repr(value)}")
        return None
    bad = [short_repr(item) for item in value if item not in allowed]
    if bad:
        problems.append(f"{key} may only name {', '.join(allowed)}; got {', '.join(bad)}")
        return None
    return frozenset(value)


def _golden(codec: object, problems: list[str]) -> tuple[tuple[bytes, object], ...]:
    raw = getattr(codec, GOLDEN_ATTRIBUTE, None)
    if raw is None:
        return ()
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        problems.append(f"{GOLDEN_ATTRIBUTE} must be a sequence of (bytes, object) pairs")
        return ()
    vectors: list[tuple[bytes, object]] = []
    for number, pair in enumerate(raw):
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], bytes)):
            problems.append(f"{GOLDEN_ATTRIBUTE}[{number}] is not a (bytes, object) pair")
            return ()
        vectors.append((pair[0], pair[1]))
    return tuple(vectors)
