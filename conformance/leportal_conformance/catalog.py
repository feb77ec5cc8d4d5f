"""Every test of the suite, by group, with its stable id and the requirement it checks.

This is the one list that the runner, the reports and ``docs/certifying.md`` agree on; a test in
``tests/conformance`` fails when the documentation misses an id.
"""

from __future__ import annotations

from leportal_conformance.capabilities import DECODE, DOCUMENT, ENCODE, GOLDEN, OTHER_TYPE
from leportal_conformance.model import TestSpec

_CODEC = "leportal_core/codec.py (the codec contract)"
_PLUGINS = "docs/plugins.md and leportal_core/hookspecs.py"
_ROUNDTRIP = frozenset({DOCUMENT, ENCODE, DECODE})
# Tests that start from valid objects of any type (objects.py): without them they end in error.
_ENCODINGS = frozenset({ENCODE, DECODE})

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
    "DETERMINISM_PROCESSES",
    "EMPTY",
    "ENCODE_FOREIGN",
    "FOREIGN_MESSAGES",
    "GOLDEN_VECTORS",
    "GROUPS",
    "HOOKS_DOCUMENTED",
    "IMPORT_CLEAN",
    "INDEPENDENT_READER",
    "INPUTS_UNCHANGED",
    "INTEGRITY",
    "KDL_CODES",
    "LARGE_CONTENT",
    "LOADS",
    "MUTATIONS",
    "NAMES_PREFIXED",
    "NO_ENCODE_REFUSED",
    "PROBLEMS_WELL_FORMED",
    "RANDOM_BYTES",
    "ROUNDTRIP_DOCUMENT",
    "ROUNDTRIP_OBJECTS",
    "SCALING",
    "SEEDED_TESTS",
    "STARTUP_HOOKS",
    "TRAILING_DATA",
    "TRUNCATED",
    "UNCARRIED_IGNORED",
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
    seeded=True,
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
ROUNDTRIP_OBJECTS = TestSpec(
    seeded=True,
    id="roundtrip.objects",
    group="roundtrip",
    per_codec=True,
    description=(
        "For a codec whose object_type is not Document: for its declared or built-in samples "
        "and generated valid objects, encode returns bytes and decode(encode(x)) == x; a type "
        "without samples or strategy is an error, not a skip."
    ),
    source=_CODEC,
    requires=frozenset({OTHER_TYPE, ENCODE, DECODE}),
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
    seeded=True,
    id="malformed.truncated",
    group="malformed",
    per_codec=True,
    description=(
        "decode of sampled proper prefixes of the encodings of the samples of the codec's type "
        "raises FormatError with coded problems (a prefix that drops only ASCII whitespace is "
        "exempt, and so is a prefix that is itself a whole message: it decodes to an object that "
        "encodes back to it, as a CSV file cut at a line end does)."
    ),
    source=_CODEC,
    requires=_ENCODINGS,
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
    seeded=True,
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
    seeded=True,
    id="malformed.bit_flips",
    group="malformed",
    per_codec=True,
    description=(
        "decode of a sample's encoding with random bits flipped returns an instance of "
        "object_type or raises FormatError with coded problems, and nothing else."
    ),
    source=_CODEC,
    requires=_ENCODINGS,
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
    seeded=True,
    id="determinism.encode",
    group="determinism",
    per_codec=True,
    source=_CODEC,
    requires=frozenset({ENCODE}),
    description=(
        "Encoding the same valid object (generated Documents, or the samples and strategy of "
        "the codec's type) twice gives identical bytes (no clocks, random ids or hash-order "
        "dependence in the output)."
    ),
)
DETERMINISM_DECODE = TestSpec(
    seeded=True,
    id="determinism.decode",
    group="determinism",
    per_codec=True,
    source=_CODEC,
    requires=_ENCODINGS,
    description=(
        "Decoding the same encoding twice gives equal objects (Documents with identical content)."
    ),
)
LARGE_CONTENT = TestSpec(
    id="large.content",
    group="large",
    per_codec=True,
    source="docs/certifying.md (large: bounded memory)",
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

STARTUP_HOOKS = TestSpec(
    id="hygiene.startup_hooks",
    group="hygiene",
    per_codec=False,
    source=_PLUGINS,
    description=(
        "Every start-up hook the plug-in implements runs on a throwaway manager without "
        "failing: leportal_register_commands adds click commands to a fresh group, "
        "leportal_demo_steps registers DemoSteps, leportal_classify_document returns a "
        "Classification or None for each sample Document."
    ),
)

# Issue 14: what realistic vendor adapters get wrong (tests_strict.py).
NAMES_PREFIXED = TestSpec(
    id="metadata.names_prefixed",
    group="metadata",
    per_codec=False,
    source="docs/plugins.md (names) and docs/problem-codes.md (codes)",
    description=(
        "The first part of every codec name is the adapter's name, and so is that of every "
        "problem code its decoders raise for the fixed bad inputs (or a namespace of "
        "leportal_core, whose codes an adapter may pass on): two adapters in one host must "
        "not clash."
    ),
)
TRAILING_DATA = TestSpec(
    id="malformed.trailing_data",
    group="malformed",
    per_codec=True,
    source=_CODEC,
    requires=_ENCODINGS,
    description=(
        "decode of the codec's own encoding of each sample of its type followed by extra bytes "
        "(garbage, a NUL byte, a closing brace, a second copy) raises "
        "FormatError with coded problems."
    ),
)
INTEGRITY = TestSpec(
    id="malformed.integrity",
    group="malformed",
    per_codec=True,
    source="leportal_core/codec.py (the codec contract) and the format's own hash field",
    requires=frozenset({DOCUMENT, ENCODE, DECODE}),
    description=(
        "When the codec's encoding of a sample Document carries a digest of its content (SHA-1, "
        "SHA-256 or MD5, hex or base64), the encoding with one content byte changed but the "
        "syntax and the digest intact (content re-encoded the same way) is refused with "
        "FormatError; without a digest in any encoding the test does not apply."
    ),
)
MUTATIONS = TestSpec(
    id="malformed.mutations",
    group="malformed",
    per_codec=True,
    source="leportal_core/codec.py and docs/problem-codes.md (codes)",
    requires=_ENCODINGS,
    description=(
        "The encodings of the samples changed inside their syntax (JSON members dropped, "
        "renamed, duplicated, retyped, emptied, over-long numbers, deep nesting; HL7 v2 "
        "segments and fields dropped, duplicated, renamed, set to invalid values; GDT lines "
        "likewise, lengths recomputed) are refused with FormatError whose codes start with "
        "the adapter's name (never the generic one) and one of which has a location, or "
        "accepted faithfully: as the original object, or as one that encodes to the mutated "
        "input."
    ),
)
FOREIGN_MESSAGES = TestSpec(
    id="malformed.foreign_messages",
    group="malformed",
    per_codec=True,
    source="HL7 v2.5 chapter 2 (MSH-9); HL7 FHIR R4 (resourceType); GDT 2.1 (Satzart 8000)",
    requires=frozenset({DECODE}),
    description=(
        "Valid messages of the codec's syntax that describe something else are refused with "
        "FormatError and the adapter's codes: other FHIR resources, other HL7 message types, "
        "other GDT Satzarten (fixed ones and the codec's own encoding with its type switched), "
        "and the encodings of the adapter's other codecs of the same media type."
    ),
)
UNCARRIED_IGNORED = TestSpec(
    id="roundtrip.uncarried_ignored",
    group="roundtrip",
    per_codec=True,
    source="docs/certifying.md (declaring capabilities)",
    requires=frozenset({DOCUMENT, ENCODE}),
    description=(
        "A field declared uncarried does not influence the encoding: encode(doc) == "
        "encode(doc without those fields) for the sample and awkward Documents."
    ),
)
INPUTS_UNCHANGED = TestSpec(
    id="roundtrip.inputs_unchanged",
    group="roundtrip",
    per_codec=True,
    source=_CODEC,
    requires=frozenset({ENCODE}),
    description=(
        "encode leaves its argument as it was: each sample (and awkward Document) equals an "
        "independent deep copy made before the call, for Documents field by field with the "
        "content bytes and derived hash; decode takes immutable bytes."
    ),
)
NO_ENCODE_REFUSED = TestSpec(
    id="errors.no_encode_refused",
    group="errors",
    per_codec=True,
    source="docs/certifying.md (declaring capabilities)",
    description=(
        "A codec that declares it does not encode refuses to: encode of its golden vectors' "
        "objects (and of the sample Documents, for a Document codec) raises a leportal error "
        "or NotImplementedError."
    ),
)
KDL_CODES = TestSpec(
    id="roundtrip.kdl_codes",
    group="roundtrip",
    per_codec=True,
    source="data/kdl (KDL 2026, DVMD) and leportal_core/codec.py",
    requires=_ROUNDTRIP,
    description=(
        "Every code of the installed KDL table (483 in KDL 2026) goes through encode and "
        "decode and comes back unchanged, with the rest of the Document."
    ),
)
INDEPENDENT_READER = TestSpec(
    id="roundtrip.independent_reader",
    group="roundtrip",
    per_codec=True,
    source="HL7 v2.5 chapter 2 (CR segment terminators); HL7 FHIR R4 (fhir.resources, R4B models)",
    requires=frozenset({DOCUMENT, ENCODE}),
    description=(
        "The encodings of the sample and awkward Documents are valid for the declared media "
        "type as judged by an independent reader, not the adapter's decoder: FHIR JSON loads "
        "in fhir.resources; HL7 v2 parses in python-hl7 and has CR segment terminators only."
    ),
)
DETERMINISM_PROCESSES = TestSpec(
    id="determinism.processes",
    group="determinism",
    per_codec=True,
    source=_CODEC,
    requires=frozenset({ENCODE}),
    description=(
        "The samples of the codec's type (for Documents with the awkward ones) encode to the "
        "same bytes in this process and in two "
        "fresh interpreters with PYTHONHASHSEED 1 and 2, each encoding in a later second of the "
        "wall clock than the one before, all under the "
        "fixed clock (leportal_core.clock): no set order, no wall clock in the output."
    ),
)
SCALING = TestSpec(
    id="large.scaling",
    group="large",
    per_codec=True,
    source="docs/certifying.md (large: bounded resources)",
    requires=_ROUNDTRIP,
    description=(
        "The CPU time of an encode plus decode of 8 MiB of content is at most 24 times that of "
        "1 MiB (linear is 8); an 8 MiB round trip that takes 40 times the wall time of a 1 MiB "
        "one (at least 5 s) is stopped and fails."
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
    ROUNDTRIP_OBJECTS,
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
    STARTUP_HOOKS,
    NAMES_PREFIXED,
    TRAILING_DATA,
    INTEGRITY,
    MUTATIONS,
    FOREIGN_MESSAGES,
    UNCARRIED_IGNORED,
    INPUTS_UNCHANGED,
    NO_ENCODE_REFUSED,
    KDL_CODES,
    INDEPENDENT_READER,
    DETERMINISM_PROCESSES,
    SCALING,
    CALLS_CLEAN,
)

# The tests whose generated examples depend on the seed (TestSpec.seeded).
SEEDED_TESTS: tuple[TestSpec, ...] = tuple(spec for spec in ALL_TESTS if spec.seeded)
