"""Every test of the suite, by group, with its stable id and the requirement it checks.

This is the one list that the runner, the reports and ``docs/certifying.md`` agree on; a test in
``tests/conformance`` fails when the documentation misses an id.
"""

from __future__ import annotations

from leportal_conformance.capabilities import DECODE, DOCUMENT, ENCODE, GOLDEN
from leportal_conformance.model import TestSpec

_CODEC = "leportal_core/codec.py (the codec contract)"
_PLUGINS = "docs/plugins.md and leportal_core/hookspecs.py"
_ROUNDTRIP = frozenset({DOCUMENT, ENCODE, DECODE})

__all__ = [
    "ALL_TESTS",
    "BIT_FLIPS",
    "CALLS_CLEAN",
    "CAPABILITIES",
    "CODECS_PRESENT",
    "CODECS_REGISTER",
    "COMPLETE",
    "DETERMINISM_DECODE",
    "DETERMINISM_ENCODE",
    "EMPTY",
    "ENCODE_FOREIGN",
    "GOLDEN_VECTORS",
    "GROUPS",
    "HOOKS_DOCUMENTED",
    "IMPORT_CLEAN",
    "LARGE_CONTENT",
    "LOADS",
    "PROBLEMS_WELL_FORMED",
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
    "golden": "Fixed encodings the codec declares decode to the declared objects and back.",
    "determinism": "The same input gives the same output, every time.",
    "large": "Large content goes through with memory bounded by its size.",
    "errors": "Errors follow the error contract: the project's error types with coded problems.",
    "hygiene": "The plug-in is a good citizen: no import-time side effects, documented hooks.",
}

LOADS = TestSpec(
    id="metadata.loads",
    group="metadata",
    per_codec=False,
    description=(
        "Loading the adapter (importing its module in the suite's process) returns within the "
        "call timeout and raises nothing, SystemExit and KeyboardInterrupt included."
    ),
    source=_PLUGINS,
)
CODECS_REGISTER = TestSpec(
    id="metadata.codecs_register",
    group="metadata",
    per_codec=False,
    description=(
        "Registering the adapter on a fresh plug-in manager and collecting its codecs succeeds "
        "(no PluginError, no other exception)."
    ),
    source=_PLUGINS,
)
CODECS_PRESENT = TestSpec(
    id="metadata.codecs_present",
    group="metadata",
    per_codec=False,
    description="The adapter registers at least one codec.",
    source=_PLUGINS,
)
VERSION = TestSpec(
    id="metadata.version",
    group="metadata",
    per_codec=False,
    description=(
        "The adapter's version is known: its distribution's version, or __version__ of the "
        "plug-in object or its module."
    ),
    source="docs/writing-an-adapter.md (packaging)",
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
    source=_CODEC,
)
ROUNDTRIP_DOCUMENT = TestSpec(
    id="roundtrip.document",
    group="roundtrip",
    per_codec=True,
    description=(
        "For generated valid Documents, encode returns bytes and decode(encode(doc)) == doc, "
        "with identical content bytes, size and SHA-256."
    ),
    source=_CODEC,
    requires=_ROUNDTRIP,
)
EMPTY = TestSpec(
    id="malformed.empty",
    group="malformed",
    per_codec=True,
    description="decode(b'') raises FormatError whose problems each have a code.",
    source=_CODEC,
    requires=frozenset({DECODE}),
)
TRUNCATED = TestSpec(
    id="malformed.truncated",
    group="malformed",
    per_codec=True,
    description=(
        "decode of sampled proper prefixes of valid encodings raises FormatError with coded "
        "problems (a prefix that drops only ASCII whitespace is exempt)."
    ),
    source=_CODEC,
    requires=_ROUNDTRIP,
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
    source=_CODEC,
    requires=frozenset({DECODE}),
)
RANDOM_BYTES = TestSpec(
    id="malformed.random_bytes",
    group="malformed",
    per_codec=True,
    description=(
        "decode of random bytes returns an instance of object_type or raises FormatError with "
        "coded problems, and nothing else."
    ),
    source=_CODEC,
    requires=frozenset({DECODE}),
)
BIT_FLIPS = TestSpec(
    id="malformed.bit_flips",
    group="malformed",
    per_codec=True,
    description=(
        "decode of a valid encoding with random bits flipped returns an instance of object_type "
        "or raises FormatError with coded problems, and nothing else."
    ),
    source=_CODEC,
    requires=_ROUNDTRIP,
)

CAPABILITIES = TestSpec(
    id="metadata.capabilities",
    group="metadata",
    per_codec=True,
    source="docs/certifying.md (declaring capabilities)",
    description=(
        "The codec's optional conformance_capabilities and conformance_golden_vectors are well "
        "formed: known keys, directions among encode/decode, uncarried fields among the "
        "optional Document fields, golden vectors as (bytes, object) pairs."
    ),
)
GOLDEN_VECTORS = TestSpec(
    id="golden.vectors",
    group="golden",
    per_codec=True,
    source=_CODEC,
    requires=frozenset({GOLDEN}),
    description=(
        "Each declared golden vector decodes to the declared object, and (when the codec "
        "encodes) the object encodes to exactly the declared bytes."
    ),
)
DETERMINISM_ENCODE = TestSpec(
    id="determinism.encode",
    group="determinism",
    per_codec=True,
    source=_CODEC,
    requires=frozenset({DOCUMENT, ENCODE}),
    description=(
        "Encoding the same Document twice gives identical bytes (no clocks, random ids or "
        "hash-order dependence in the output)."
    ),
)
DETERMINISM_DECODE = TestSpec(
    id="determinism.decode",
    group="determinism",
    per_codec=True,
    source=_CODEC,
    requires=_ROUNDTRIP,
    description="Decoding the same bytes twice gives equal Documents with identical content.",
)
LARGE_CONTENT = TestSpec(
    id="large.content",
    group="large",
    per_codec=True,
    source="docs/architecture.md (bounded memory)",
    requires=_ROUNDTRIP,
    description=(
        "A Document with 8 MiB of content round-trips; peak memory during encode and decode "
        "stays below 24 times the content size plus 64 MiB, and nothing of it is retained "
        "afterwards (less than a quarter of the content size)."
    ),
)
ENCODE_FOREIGN = TestSpec(
    id="errors.encode_foreign",
    group="errors",
    per_codec=True,
    source=_CODEC,
    requires=frozenset({ENCODE}),
    description=(
        "encode of objects that are not of object_type (None, object(), bytes, str, int) raises "
        "ValidationError with coded problems, not TypeError or AttributeError."
    ),
)
PROBLEMS_WELL_FORMED = TestSpec(
    id="errors.problems",
    group="errors",
    per_codec=True,
    source="leportal_core/errors.py (Problem)",
    requires=frozenset({DECODE}),
    description=(
        "Each FormatError for the fixed bad inputs has a non-empty message and problems that "
        "are Problem objects with a dotted lower-case code, a non-empty message and a Location, "
        "at least one of them of severity error."
    ),
)
IMPORT_CLEAN = TestSpec(
    id="hygiene.import_clean",
    group="hygiene",
    per_codec=False,
    source=_PLUGINS,
    description=(
        "Importing the adapter's module in a fresh interpreter prints nothing, writes no file in "
        "the working directory, HOME or TMPDIR, starts no thread (Python or OS), changes no "
        "environment variable or interpreter state (recursion limit, root logger, warnings "
        "filters, signal handlers, trace hooks) and takes at most the import budget of CPU "
        "time (default 2 s)."
    ),
)
CALLS_CLEAN = TestSpec(
    id="hygiene.calls_clean",
    group="hygiene",
    per_codec=False,
    source=_PLUGINS,
    description=(
        "During every earlier test, adapter code printed nothing (stdout, stderr, file "
        "descriptors 1 and 2), left no file in TMPDIR, HOME or the working directory, and "
        "changed no environment variable, working directory, locale, logging configuration, "
        "recursion limit, warnings filter or signal handler."
    ),
)
HOOKS_DOCUMENTED = TestSpec(
    id="hygiene.hooks_documented",
    group="hygiene",
    per_codec=False,
    source=_PLUGINS,
    description=(
        "Every hook implementation of the plug-in object implements a hook leportal specifies "
        "and has a docstring."
    ),
)

ALL_TESTS: tuple[TestSpec, ...] = (
    LOADS,
    CODECS_REGISTER,
    CODECS_PRESENT,
    VERSION,
    COMPLETE,
    CAPABILITIES,
    ROUNDTRIP_DOCUMENT,
    EMPTY,
    TRUNCATED,
    WRONG_TYPE,
    RANDOM_BYTES,
    BIT_FLIPS,
    GOLDEN_VECTORS,
    DETERMINISM_ENCODE,
    DETERMINISM_DECODE,
    LARGE_CONTENT,
    ENCODE_FOREIGN,
    PROBLEMS_WELL_FORMED,
    IMPORT_CLEAN,
    HOOKS_DOCUMENTED,
    CALLS_CLEAN,
)
