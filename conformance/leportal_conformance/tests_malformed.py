"""The ``malformed`` group: bad bytes are rejected with FormatError, and nothing else escapes."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import strategies as st

from leportal_conformance import catalog
from leportal_conformance.capabilities import Capabilities
from leportal_conformance.guard import call, decode_contract_problem, describe_exception
from leportal_conformance.model import Finding, Status, TestResult, TestSpec, run_test
from leportal_conformance.properties import Violation, check_property
from leportal_conformance.tests_roundtrip import no_examples
from leportal_core.codec import Codec

__all__ = ["WRONG_TYPE_INPUTS", "NoEncodings", "prefix_lengths", "run", "valid_encodings"]

# Inputs that are well-formed in some syntax but describe no object of any codec's type.
WRONG_TYPE_INPUTS: tuple[tuple[str, bytes], ...] = (
    ("JSON null", b"null"),
    ("JSON array", b"[]"),
    ("JSON object", b"{}"),
    ("JSON number", b"42"),
    ("JSON string", b'"text"'),
    (
        "XML document",
        b'<?xml version="1.0" encoding="UTF-8"?>\n<note><to>Praxis</to><body>Hallo</body></note>\n',
    ),
    (
        "HL7 v2 message",
        b"MSH|^~\\&|KIS|KH|PORTAL|MD|20260209120000||ADT^A01^ADT_A01|MSG00001|P|2.5\r"
        b"PID|1||123456^^^KH^PI||Mustermann^Max\r",
    ),
    ("PDF header", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
)

# Failing cases kept in a report; the count says how many there were in all.
_MAX_CASES = 10


def run(
    codecs: dict[str, Codec[Any]],
    *,
    seed: int,
    max_examples: int,
    capabilities: dict[str, Capabilities] | None = None,
) -> Iterator[TestResult]:
    """The malformed-input tests, test by test, each for every codec."""
    tests: tuple[tuple[TestSpec, Callable[[Codec[Any], Capabilities], Finding]], ...] = (
        (catalog.EMPTY, lambda codec, _: _empty(codec)),
        (catalog.TRUNCATED, lambda codec, caps: _truncated(codec, caps, seed=seed)),
        (catalog.WRONG_TYPE, _wrong_type),
        (catalog.RANDOM_BYTES, lambda codec, _: _random_bytes(codec, seed, max_examples)),
        (catalog.BIT_FLIPS, lambda codec, caps: _bit_flips(codec, caps, seed, max_examples)),
    )
    for spec, check in tests:
        for name, codec in codecs.items():
            caps = (capabilities or {}).get(name) or Capabilities(declared=False)
            yield run_test(spec, name, functools.partial(check, codec, caps), capabilities=caps)


def _empty(codec: Codec[Any]) -> Finding:
    problem = decode_contract_problem(codec, b"", must_reject=True)
    if problem:
        return Finding(status=Status.FAILED, message=f"empty input: {problem}")
    return Finding(status=Status.PASSED, message="rejected with FormatError")


class NoEncodings(Exception):
    """The codec's valid encodings, which a test needs, cannot be had; the message says why.
    ``not_applicable`` when that is by design (the codec does not encode), ``no_examples`` when
    the suite has no valid objects of the codec's type, else the codec failed."""

    def __init__(
        self, message: str, *, not_applicable: bool = False, no_examples: bool = False
    ) -> None:
        super().__init__(message)
        self.not_applicable = not_applicable
        self.no_examples = no_examples


def valid_encodings(codec: Codec[Any], caps: Capabilities) -> list[bytes]:
    """The codec's encodings of the fixed samples of its type (objects.py); :class:`NoEncodings`
    when there are none or encode fails on one."""
    if caps.examples is None:
        raise NoEncodings("no samples of the codec's type", no_examples=True)
    encodings = []
    for number, sample in enumerate(caps.examples.samples):
        encoded = call(codec.encode, sample)
        if encoded.error is not None:
            raise NoEncodings(
                f"encode of sample {number} raised {describe_exception(encoded.error)}"
            )
        if not isinstance(encoded.value, bytes):
            raise NoEncodings(
                f"encode of sample {number} returned a {type(encoded.value).__name__}"
            )
        encodings.append(encoded.value)
    return encodings


def _cannot_run(codec: Codec[Any], exc: NoEncodings) -> Finding:
    if exc.no_examples:
        return no_examples(codec)
    if exc.not_applicable:
        return Finding(status=Status.SKIPPED, message=str(exc))
    return Finding(status=Status.ERROR, message=f"no valid encoding to start from: {exc}")


def prefix_lengths(size: int, rng: random.Random) -> list[int]:
    """Proper prefix lengths of an encoding of ``size`` bytes: every length near either end,
    64 evenly spread and 32 random ones in between."""
    lengths = set(range(1, min(size, 33)))
    lengths.update(range(max(1, size - 32), size))
    lengths.update(size * i // 64 for i in range(1, 64))
    if size > 1:
        lengths.update(rng.randrange(1, size) for _ in range(32))
    return sorted(k for k in lengths if 0 < k < size)


def _truncated(codec: Codec[Any], caps: Capabilities, *, seed: int) -> Finding:
    try:
        encodings = valid_encodings(codec, caps)
    except NoEncodings as exc:
        return _cannot_run(codec, exc)
    rng = random.Random(seed)  # noqa: S311 - reproducible sampling, nothing secret
    tried = complete = 0
    cases: list[dict[str, Any]] = []
    failures = 0
    for number, data in enumerate(encodings):
        for length in prefix_lengths(len(data), rng):
            if not data[length:].strip():
                continue  # dropping trailing whitespace may legitimately leave a valid encoding
            tried += 1
            problem = decode_contract_problem(codec, data[:length], must_reject=True)
            if problem and _whole_message(codec, data[:length]):
                complete += 1
            elif problem:
                failures += 1
                if len(cases) < _MAX_CASES:
                    cases.append(
                        {"sample": number, "length": length, "of": len(data), "problem": problem}
                    )
    if failures:
        first = cases[0]
        return Finding(
            status=Status.FAILED,
            message=(
                f"{failures} of {tried} truncations were not rejected; first: the first "
                f"{first['length']} of {first['of']} bytes of sample {first['sample']}: "
                f"{first['problem']}"
            ),
            details={"tried": tried, "failures": failures, "cases": cases, "whole": complete},
        )
    whole = f"; {complete} were whole shorter messages, read faithfully" if complete else ""
    return Finding(
        status=Status.PASSED,
        message=f"{tried - complete} truncations rejected{whole}",
        details={"tried": tried, "whole": complete},
    )


def _whole_message(codec: Codec[Any], prefix: bytes) -> bool:
    """The prefix is itself a whole message: it decodes to an object that encodes back to the
    prefix, give or take trailing ASCII whitespace. A format without an end marker (CSV cut at a
    line end) allows that, and no reader could tell; a reader that made something up could not
    give the prefix back."""
    decoded = call(codec.decode, prefix)
    if decoded.error is not None:
        return False
    encoded = call(codec.encode, decoded.value)
    return isinstance(encoded.value, bytes) and encoded.value.rstrip() == prefix.rstrip()


def _wrong_type(codec: Codec[Any], caps: Capabilities) -> Finding:
    inputs = list(WRONG_TYPE_INPUTS)
    notes: list[str] = []
    try:
        if "encode" not in caps.directions:  # never call what the codec declares it lacks
            raise NoEncodings("the codec declares it does not encode", not_applicable=True)
        own = valid_encodings(codec, caps)[0]
    except NoEncodings as exc:
        notes.append(f"UTF-16 input left out: {exc}")
    else:
        try:
            text = own.decode("utf-8")
        except UnicodeDecodeError:
            notes.append("UTF-16 input left out: the codec's output is not UTF-8 text")
        else:
            inputs.append(("own output as UTF-16", text.encode("utf-16")))
    cases = []
    for label, data in inputs:
        problem = decode_contract_problem(codec, data, must_reject=True)
        if problem:
            cases.append({"input": label, "problem": problem})
    details: dict[str, Any] = {"inputs": [label for label, _ in inputs]}
    if notes:
        details["notes"] = notes
    if cases:
        details["cases"] = cases
        return Finding(
            status=Status.FAILED,
            message=(
                f"{len(cases)} of {len(inputs)} inputs were not rejected; first: "
                f"{cases[0]['input']}: {cases[0]['problem']}"
            ),
            details=details,
        )
    return Finding(status=Status.PASSED, message=f"{len(inputs)} inputs rejected", details=details)


def _random_bytes(codec: Codec[Any], seed: int, max_examples: int) -> Finding:
    def body(data: bytes) -> None:
        problem = decode_contract_problem(codec, data, must_reject=False)
        if problem:
            raise Violation(problem)

    # Raw bytes, and UTF-8 text (lone surrogates let through) that gets past a text decoder.
    strategy = st.one_of(
        st.binary(max_size=2048),
        st.text(max_size=512).map(lambda text: text.encode("utf-8", "surrogatepass")),
    )
    return check_property(
        "malformed_random_bytes", strategy, body, seed=seed, max_examples=max_examples
    )


def _bit_flips(codec: Codec[Any], caps: Capabilities, seed: int, max_examples: int) -> Finding:
    try:
        encodings = [data for data in valid_encodings(codec, caps) if data]
    except NoEncodings as exc:
        return _cannot_run(codec, exc)
    if not encodings:
        return Finding(
            status=Status.ERROR, message="every valid encoding is empty: no bits to flip"
        )

    @st.composite
    def flips(draw: st.DrawFn) -> tuple[int, list[int]]:
        # The example is (sample, bit positions), compact in a report, not the corrupted bytes.
        number = draw(st.integers(0, len(encodings) - 1))
        bits = st.integers(0, len(encodings[number]) * 8 - 1)
        return number, draw(st.lists(bits, min_size=1, max_size=8, unique=True))

    def body(case: tuple[int, list[int]]) -> None:
        number, positions = case
        corrupted = bytearray(encodings[number])
        for position in positions:
            corrupted[position // 8] ^= 1 << (position % 8)
        problem = decode_contract_problem(codec, bytes(corrupted), must_reject=False)
        if problem:
            raise Violation(f"sample {number} with bits {positions} flipped: {problem}")

    return check_property(
        "malformed_bit_flips", flips(), body, seed=seed, max_examples=max_examples
    )
