"""Every test of the suite, by group, with its stable id and the requirement it checks.

This is the one list that the runner, the reports and ``docs/certifying.md`` agree on; a test in
``tests/conformance`` fails when the documentation misses an id.
"""

from __future__ import annotations

from leportal_conformance.model import TestSpec

__all__ = [
    "ALL_TESTS",
    "BIT_FLIPS",
    "CODECS_PRESENT",
    "CODECS_REGISTER",
    "COMPLETE",
    "EMPTY",
    "GROUPS",
    "RANDOM_BYTES",
    "ROUNDTRIP_DOCUMENT",
    "TRUNCATED",
    "VERSION",
    "WRONG_TYPE",
]

# Group name -> what the group is about; the order is the order of the run and the reports.
GROUPS: dict[str, str] = {
    "metadata": "The adapter loads, registers codecs and describes itself and them.",
    "roundtrip": "Encoding and decoding lose nothing.",
    "malformed": "Bad input is rejected with FormatError and nothing else.",
}

CODECS_REGISTER = TestSpec(
    id="metadata.codecs_register",
    group="metadata",
    per_codec=False,
    description=(
        "Registering the adapter on a fresh plug-in manager and collecting its codecs succeeds "
        "(no PluginError, no other exception)."
    ),
)
CODECS_PRESENT = TestSpec(
    id="metadata.codecs_present",
    group="metadata",
    per_codec=False,
    description="The adapter registers at least one codec.",
)
VERSION = TestSpec(
    id="metadata.version",
    group="metadata",
    per_codec=False,
    description=(
        "The adapter's version is known: its distribution's version, or __version__ of the "
        "plug-in object or its module."
    ),
)
COMPLETE = TestSpec(
    id="metadata.complete",
    group="metadata",
    per_codec=True,
    description=(
        "The codec has non-empty name, media_type and description, a class as object_type, "
        "callable encode and decode, and a dotted lower-case name whose first part is a "
        "lower-case prefix."
    ),
)
ROUNDTRIP_DOCUMENT = TestSpec(
    id="roundtrip.document",
    group="roundtrip",
    per_codec=True,
    description=(
        "For generated valid Documents, encode returns bytes and decode(encode(doc)) == doc, "
        "with identical content bytes, size and SHA-256."
    ),
)
EMPTY = TestSpec(
    id="malformed.empty",
    group="malformed",
    per_codec=True,
    description="decode(b'') raises FormatError whose problems each have a code.",
)
TRUNCATED = TestSpec(
    id="malformed.truncated",
    group="malformed",
    per_codec=True,
    description=(
        "decode of sampled proper prefixes of valid encodings raises FormatError with coded "
        "problems (a prefix that drops only ASCII whitespace is exempt)."
    ),
)
WRONG_TYPE = TestSpec(
    id="malformed.wrong_type",
    group="malformed",
    per_codec=True,
    description=(
        'decode of input well-formed in another syntax (JSON null, [], {}, 42, "text"; XML; '
        "HL7 v2; a PDF header; the codec's own output re-encoded as UTF-16) raises FormatError "
        "with coded problems."
    ),
)
RANDOM_BYTES = TestSpec(
    id="malformed.random_bytes",
    group="malformed",
    per_codec=True,
    description=(
        "decode of random bytes returns an instance of object_type or raises FormatError with "
        "coded problems, and nothing else."
    ),
)
BIT_FLIPS = TestSpec(
    id="malformed.bit_flips",
    group="malformed",
    per_codec=True,
    description=(
        "decode of a valid encoding with random bits flipped returns an instance of object_type "
        "or raises FormatError with coded problems, and nothing else."
    ),
)

ALL_TESTS: tuple[TestSpec, ...] = (
    CODECS_REGISTER,
    CODECS_PRESENT,
    VERSION,
    COMPLETE,
    ROUNDTRIP_DOCUMENT,
    EMPTY,
    TRUNCATED,
    WRONG_TYPE,
    RANDOM_BYTES,
    BIT_FLIPS,
)
