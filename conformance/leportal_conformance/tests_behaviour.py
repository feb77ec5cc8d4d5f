"""The ``golden``, ``determinism``, ``large`` and ``errors`` groups: per-codec behaviour beyond the
round trip. Requirements from the codec contract (``leportal_core/codec.py``) and the error
model (``leportal_core/errors.py``)."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import random
import re
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import strategies as st

from leportal_conformance import catalog
from leportal_conformance.capabilities import Capabilities
from leportal_conformance.guard import call, describe_exception, short_repr
from leportal_conformance.model import Finding, Status, TestResult, TestSpec, run_test
from leportal_conformance.properties import Violation, check_property
from leportal_conformance.strategies import documents, sample_documents
from leportal_conformance.tests_malformed import WRONG_TYPE_INPUTS
from leportal_conformance.tests_roundtrip import (
    document_differences,
    first_difference,
    no_examples,
    object_differences,
    without_fields,
)
from leportal_core.codec import Codec
from leportal_core.document import Document
from leportal_core.errors import FormatError, Location, Problem, Severity, ValidationError

__all__ = ["LARGE_SIZE", "run"]

LARGE_SIZE = 8 * 1024 * 1024
# Peak memory allowed for one encode plus one decode: a few copies of the content (base64,
# text, bytes) are fine, anything growing faster than the content is not.
_PEAK_FACTOR = 24
_PEAK_ALLOWANCE = 64 * 1024 * 1024
_FOREIGN_OBJECTS: tuple[object, ...] = (None, object(), b"bytes", "text", 42)
_PROBLEM_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")  # dotted lower case


def run(
    codecs: dict[str, Codec[Any]],
    *,
    seed: int,
    max_examples: int,
    capabilities: dict[str, Capabilities],
) -> Iterator[TestResult]:
    """The groups' tests, test by test, each for every codec."""
    small = max(1, min(max_examples, 50))  # each example is encoded and decoded twice
    tests: tuple[tuple[TestSpec, Callable[[Codec[Any], Capabilities], Finding]], ...] = (
        (catalog.GOLDEN_VECTORS, _golden),
        (catalog.DETERMINISM_ENCODE, lambda codec, caps: _same_encoding(codec, caps, seed, small)),
        (catalog.DETERMINISM_DECODE, lambda codec, caps: _same_decoding(codec, caps, seed, small)),
        (catalog.LARGE_CONTENT, _large_content),
        (catalog.ENCODE_FOREIGN, _encode_foreign),
        (catalog.PROBLEMS_WELL_FORMED, _problems_well_formed),
    )
    for spec, check in tests:
        for name, codec in codecs.items():
            caps = capabilities.get(name) or Capabilities(declared=False)
            yield run_test(spec, name, functools.partial(check, codec, caps), capabilities=caps)


def _golden(codec: Codec[Any], caps: Capabilities) -> Finding:
    failures: list[str] = []
    for number, (data, expected) in enumerate(caps.golden_vectors):
        if "decode" in caps.directions:
            decoded = call(codec.decode, data)
            if decoded.error is not None:
                failures.append(
                    f"vector {number}: decode raised {describe_exception(decoded.error)}"
                )
            elif isinstance(expected, Document) and isinstance(decoded.value, Document):
                differences = document_differences(expected, decoded.value)
                if differences:
                    failures.append(f"vector {number}: decoded " + "; ".join(differences))
            elif decoded.value != expected:
                failures.append(f"vector {number}: decoded {short_repr(decoded.value)}")
        if "encode" in caps.directions:
            encoded = call(codec.encode, expected)
            if encoded.error is not None:
                failures.append(
                    f"vector {number}: encode raised {describe_exception(encoded.error)}"
                )
            elif encoded.value != data:
                failures.append(f"vector {number}: encode gave other bytes than the vector")
    count = len(caps.golden_vectors)
    if failures:
        return Finding(
            status=Status.FAILED,
            message=f"{len(failures)} mismatches in {count} vectors; first: {failures[0]}",
            details={"failures": failures[:10]},
        )
    return Finding(status=Status.PASSED, message=f"{count} golden vectors")


def _encode(codec: Codec[Any], value: object) -> bytes:
    encoded = call(codec.encode, value)
    if encoded.error is not None:
        raise Violation(
            f"encode of a valid {type(value).__name__} raised {describe_exception(encoded.error)}"
        )
    if not isinstance(encoded.value, bytes):
        raise Violation(f"encode returned a {type(encoded.value).__name__}, not bytes")
    return encoded.value


def _property_inputs(caps: Capabilities) -> tuple[st.SearchStrategy[Any], tuple[Any, ...]] | None:
    """What the determinism properties draw from and try first: Documents without the large
    contents (each example is encoded twice), or the valid objects of the codec's type."""
    if caps.examples is None:
        return None
    if caps.carries_documents:
        return documents(large=False), sample_documents()
    return caps.examples.generated, caps.examples.samples


def _same_encoding(codec: Codec[Any], caps: Capabilities, seed: int, max_examples: int) -> Finding:
    inputs = _property_inputs(caps)
    if inputs is None:
        return no_examples(codec)

    def body(value: object) -> None:
        first, second = _encode(codec, value), _encode(codec, value)
        if first != second:
            at = first_difference(first, second)
            raise Violation(
                f"two encodings of the same {type(value).__name__} differ ({len(first)} and "
                f"{len(second)} bytes, first difference at byte {at}: "
                f"{short_repr(first[at : at + 24])} vs {short_repr(second[at : at + 24])})"
            )

    strategy, samples = inputs
    return check_property(
        "determinism_encode", strategy, body, seed=seed, max_examples=max_examples, examples=samples
    )


def _same_decoding(codec: Codec[Any], caps: Capabilities, seed: int, max_examples: int) -> Finding:
    inputs = _property_inputs(caps)
    if inputs is None:
        return no_examples(codec)

    def body(value: object) -> None:
        data = _encode(codec, value)
        first, second = call(codec.decode, data), call(codec.decode, data)
        for outcome in (first, second):
            if outcome.error is not None:
                raise Violation(
                    f"decode of encode's own output raised {describe_exception(outcome.error)}"
                )
            if not isinstance(outcome.value, codec.object_type):
                raise Violation(f"decode returned a {type(outcome.value).__name__}")
        if isinstance(first.value, Document) and isinstance(second.value, Document):
            differences = document_differences(first.value, second.value)
        else:
            differences = object_differences(first.value, second.value)
        if differences:
            raise Violation("two decodings of the same bytes differ: " + "; ".join(differences))

    strategy, samples = inputs
    return check_property(
        "determinism_decode", strategy, body, seed=seed, max_examples=max_examples, examples=samples
    )


def _large_content(codec: Codec[Any], caps: Capabilities) -> Finding:
    content = random.Random(LARGE_SIZE).randbytes(LARGE_SIZE)  # noqa: S311 - test data
    document = Document(
        title="Großes Dokument",
        media_type="application/octet-stream",
        created=dt.date(2026, 2, 9),
        content=content,
        patient_id="P-1001",
        case_id="F-2026-000123",
        kdl_code="AD010103",
    )
    expected = without_fields(document, caps.uncarried_fields)
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        encoded = call(codec.encode, document)
        decoded = call(codec.decode, encoded.value) if isinstance(encoded.value, bytes) else None
        peak = tracemalloc.get_traced_memory()[1] - baseline
        problem = _large_problem(encoded.error, encoded.value, decoded, expected)
        del encoded, decoded
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        if not was_tracing:
            tracemalloc.stop()
    details = {"content_bytes": LARGE_SIZE, "peak_bytes": peak, "retained_bytes": retained}
    if problem:
        return Finding(status=Status.FAILED, message=problem, details=details)
    limit = _PEAK_FACTOR * LARGE_SIZE + _PEAK_ALLOWANCE
    if peak > limit:
        return Finding(
            status=Status.FAILED,
            message=f"peak memory {peak / 2**20:.0f} MiB for 8 MiB of content (limit "
            f"{limit / 2**20:.0f} MiB)",
            details=details,
        )
    if retained > LARGE_SIZE // 4:
        return Finding(
            status=Status.FAILED,
            message=f"{retained / 2**20:.1f} MiB stay allocated after the round trip: the codec "
            "keeps what it encoded or decoded",
            details=details,
        )
    return Finding(
        status=Status.PASSED,
        message="peak and retained memory within the limits (figures in details)",
        details=details,
    )


def _large_problem(
    error: BaseException | None, data: object, decoded: Any, expected: Document
) -> str | None:
    if error is not None:
        return f"encode of an 8 MiB Document raised {describe_exception(error)}"
    if not isinstance(data, bytes):
        return f"encode returned a {type(data).__name__}, not bytes"
    if decoded.error is not None:
        return f"decode of the 8 MiB encoding raised {describe_exception(decoded.error)}"
    if not isinstance(decoded.value, Document):
        return f"decode returned a {type(decoded.value).__name__}, not a Document"
    differences = document_differences(expected, decoded.value)
    return "the round trip changed the Document: " + "; ".join(differences) if differences else None


def _encode_foreign(codec: Codec[Any], caps: Capabilities) -> Finding:
    cases: list[str] = []
    tried = 0
    for value in _FOREIGN_OBJECTS:
        if isinstance(value, codec.object_type):
            continue
        tried += 1
        outcome = call(codec.encode, value)
        if outcome.error is None:
            cases.append(f"encode({short_repr(value)}) returned {short_repr(outcome.value)}")
        elif not isinstance(outcome.error, ValidationError):
            cases.append(
                f"encode({short_repr(value)}) raised {describe_exception(outcome.error)} "
                "instead of ValidationError"
            )
        else:
            bad = _problem_defects(outcome.error)
            if bad:
                cases.append(f"encode({short_repr(value)}): {bad}")
    if cases:
        return Finding(
            status=Status.FAILED,
            message=f"{len(cases)} of {tried} foreign objects not rejected properly; first: "
            f"{cases[0]}",
            details={"cases": cases},
        )
    return Finding(status=Status.PASSED, message=f"{tried} foreign objects rejected")


def _problems_well_formed(codec: Codec[Any], caps: Capabilities) -> Finding:
    inputs = [("empty input", b""), *WRONG_TYPE_INPUTS]
    cases: list[str] = []
    rejected = 0
    for label, data in inputs:
        outcome = call(codec.decode, data)
        if not isinstance(outcome.error, FormatError):
            continue  # accepting or leaking is the malformed group's finding
        rejected += 1
        bad = _problem_defects(outcome.error)
        if bad:
            cases.append(f"{label}: {bad}")
    if cases:
        return Finding(
            status=Status.FAILED,
            message=f"{len(cases)} of {rejected} rejections malformed; first: {cases[0]}",
            details={"cases": cases},
        )
    return Finding(status=Status.PASSED, message=f"{rejected} rejections well formed")


def _problem_defects(error: BaseException) -> str | None:
    """What is wrong with the problems of a LeportalError, or ``None``."""
    message = getattr(error, "message", None)
    if not isinstance(message, str) or not message.strip():
        return "the error has no message"
    problems = getattr(error, "problems", None)
    if not isinstance(problems, tuple) or not problems:
        return "the error has no problems"
    for problem in problems:
        if not isinstance(problem, Problem):
            return f"a problem is a {type(problem).__name__}, not a Problem"
        if not isinstance(problem.code, str) or not _PROBLEM_CODE.match(problem.code):
            return f"problem code {short_repr(problem.code)} is not dotted lower-case"
        if not isinstance(problem.message, str) or not problem.message.strip():
            return f"problem {problem.code} has no message"
        if not isinstance(problem.location, Location):
            return f"problem {problem.code} has no Location"
    if not any(getattr(p, "severity", None) is Severity.ERROR for p in problems):
        return "no problem has severity error"
    return None
