"""Checks of what realistic vendor adapters get wrong beyond the basic contract (issue 14):
trailing data, names, declarations, determinism across processes and time, scaling, every KDL
code, and output judged by an independent reader of the media type."""

from __future__ import annotations

import base64
import contextlib
import copy
import copyreg
import functools
import hashlib
import json
import os
import pickle
import random
import subprocess
import sys
import time
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from leportal_conformance import catalog
from leportal_conformance.capabilities import Capabilities
from leportal_conformance.guard import (
    CallTimeout,
    call,
    call_deadline,
    core_namespaces,
    decode_contract_problem,
    describe_exception,
    short_repr,
)
from leportal_conformance.model import Finding, Status, TestResult, TestSpec, run_test
from leportal_conformance.sandbox import FAKE_NOW
from leportal_conformance.strategies import awkward_documents, sample_documents
from leportal_conformance.tests_malformed import WRONG_TYPE_INPUTS, NoEncodings, valid_encodings
from leportal_conformance.tests_mutations import check_foreign, check_mutations
from leportal_conformance.tests_roundtrip import (
    document_differences,
    no_examples,
    object_differences,
    without_fields,
)
from leportal_core.codec import Codec
from leportal_core.document import Document
from leportal_core.errors import FormatError, LeportalError

__all__ = ["INDEPENDENT_READERS", "TRAILERS", "read_only", "run"]

# What may follow a valid encoding and still must not be accepted: garbage, a NUL, a second copy
# (added per sample), a lone closing bracket, another segment.
TRAILERS: tuple[tuple[str, bytes], ...] = (
    ("garbage", b"garbage"),
    ("a NUL byte", b"\x00"),
    ("a closing brace", b"}"),
)
_MAX_CASES = 10
# 8 MiB against 1 MiB: linear is 8; three times that still is, a quadratic codec is at 64.
_SCALING_SIZES = (1024 * 1024, 8 * 1024 * 1024)
_MAX_SCALING_RATIO = 24.0
_PROCESS_MARKER = "LEPORTAL-CONFORMANCE-ENCODINGS:"


def run(
    spec: str,
    adapter_name: str,
    codecs: dict[str, Codec[Any]],
    *,
    seed: int,
    capabilities: dict[str, Capabilities],
) -> Iterator[TestResult]:
    """The checks, test by test; per-adapter ones once."""
    yield run_test(catalog.NAMES_PREFIXED, None, lambda: _names(adapter_name, codecs))
    encodings = _ProcessEncodings(spec, codecs, capabilities)
    others = {
        name: (codec, capabilities.get(name) or Capabilities(declared=False))
        for name, codec in codecs.items()
    }
    tests: tuple[tuple[TestSpec, Callable[[Codec[Any], Capabilities], Finding]], ...] = (
        (catalog.TRAILING_DATA, _trailing),
        (catalog.INTEGRITY, _integrity),
        (catalog.MUTATIONS, lambda codec, caps: check_mutations(codec, caps, adapter_name)),
        (
            catalog.FOREIGN_MESSAGES,
            lambda codec, caps: check_foreign(codec, caps, adapter_name, others),
        ),
        (catalog.UNCARRIED_IGNORED, _uncarried_ignored),
        (catalog.INPUTS_UNCHANGED, _inputs_unchanged),
        (catalog.NO_ENCODE_REFUSED, _no_encode_refused),
        (catalog.KDL_CODES, _kdl_codes),
        (catalog.INDEPENDENT_READER, _independent_reader),
        (catalog.DETERMINISM_PROCESSES, encodings.check),
        (catalog.SCALING, lambda codec, _: _scaling(codec, seed)),
    )
    for test, check in tests:
        for name, codec in codecs.items():
            caps = capabilities.get(name) or Capabilities(declared=False)
            own = _own_applicability(test, codec, caps)
            if own is not None:
                yield run_test(test, name, functools.partial(_skip, own))
            elif test in _SYNTAX_TESTS:
                # Whether the syntax is one the suite knows shows only once the codec encoded:
                # these tests may skip from inside, so the declared capabilities are read here.
                missing = caps.missing_reason(test.requires)
                run = functools.partial(check, codec, caps)
                yield run_test(test, name, functools.partial(_skip_as, missing) if missing else run)
            else:
                yield run_test(test, name, functools.partial(check, codec, caps), capabilities=caps)


_SYNTAX_TESTS = (catalog.MUTATIONS, catalog.FOREIGN_MESSAGES)


def _skip_as(message: str) -> Finding:
    return Finding(status=Status.SKIPPED, message=message)


def _skip(reason: str) -> Finding:
    return Finding(status=Status.SKIPPED, message=f"not applicable: {reason}")


def _own_applicability(test: TestSpec, codec: Codec[Any], caps: Capabilities) -> str | None:
    """Why a test does not apply beyond the declared capabilities, or ``None``."""
    if test is catalog.UNCARRIED_IGNORED and not caps.uncarried_fields:
        return "the codec declares no uncarried fields"
    if test is catalog.NO_ENCODE_REFUSED and "encode" in caps.directions:
        return "the codec declares that it encodes"
    if test is catalog.KDL_CODES and "kdl_code" in caps.uncarried_fields:
        return "the codec declares it does not carry the KDL code"
    if test is catalog.INTEGRITY and _carries_no_digest(codec):
        return "no encoding of a sample Document carries a digest of its content"
    if test is catalog.INDEPENDENT_READER and _reader(codec) is None:
        return f"no independent reader of {short_repr(getattr(codec, 'media_type', None))} is known"
    return None


def _carries_no_digest(codec: Codec[Any]) -> bool:
    try:
        return not _with_digest(codec)
    except _Unusable:
        return False  # the test runs and reports why there is nothing to start from


def _encoded(codec: Codec[Any], document: Document) -> bytes:
    outcome = call(codec.encode, document)
    if outcome.error is not None:
        raise _Unusable(f"encode raised {describe_exception(outcome.error)}")
    if not isinstance(outcome.value, bytes):
        raise _Unusable(f"encode returned a {type(outcome.value).__name__}, not bytes")
    return outcome.value


class _Unusable(Exception):
    """The codec gave no valid encoding to start from (other tests report why)."""


def _failed(what: str, cases: list[str], tried: int, **details: Any) -> Finding:
    return Finding(
        status=Status.FAILED,
        message=f"{len(cases)} of {tried} {what}; first: {cases[0]}",
        details={"cases": cases[:_MAX_CASES], **details},
    )


def _trailing(codec: Codec[Any], caps: Capabilities) -> Finding:
    cases: list[str] = []
    tried = 0
    try:
        encodings = valid_encodings(codec, caps)
    except NoEncodings as exc:
        if exc.no_examples:
            return no_examples(codec)
        return Finding(status=Status.ERROR, message=f"no valid encoding to start from: {exc}")
    for number, data in enumerate(encodings):
        for label, tail in (*TRAILERS, ("a second copy", data)):
            tried += 1
            problem = decode_contract_problem(codec, data + tail, must_reject=True)
            if problem:
                cases.append(f"sample {number} followed by {label}: {problem}")
    if cases:
        return _failed("encodings with trailing data were not rejected", cases, tried)
    return Finding(status=Status.PASSED, message=f"{tried} encodings with trailing data rejected")


def _digests(content: bytes) -> set[bytes]:
    """The spellings of the content's digests a format may carry (hex either case, base64)."""
    spellings: set[bytes] = set()
    for algorithm in ("sha1", "sha256", "md5"):
        digest = hashlib.new(algorithm, content).digest()
        spellings.update(
            (digest.hex().encode(), digest.hex().upper().encode(), base64.b64encode(digest))
        )
    return spellings


def _altered(data: bytes, content: bytes) -> bytes | None:
    """``data`` with the content's first byte changed where it stands (base64 or raw), the rest
    intact; ``None`` when the content cannot be found in the encoding."""
    changed = bytes([content[0] ^ 0x01]) + content[1:]
    for before, after in (
        (base64.b64encode(content), base64.b64encode(changed)),
        (content, changed),
    ):
        if data.count(before) == 1:
            return data.replace(before, after)
    return None


def _with_digest(codec: Codec[Any]) -> list[tuple[int, bytes, bytes]]:
    """(sample number, encoding, altered encoding) for each sample Document whose encoding
    carries a digest of its content next to the recognisable content; :class:`_Unusable` when
    encode fails."""
    found = []
    for number, document in enumerate(sample_documents()):
        content = document.content
        if not content:
            continue
        data = _encoded(codec, document)
        if not any(spelling in data for spelling in _digests(content)):
            continue  # this encoding carries no digest of the content
        altered = _altered(data, content)
        if altered is not None:
            found.append((number, data, altered))
    return found


def _integrity(codec: Codec[Any], caps: Capabilities) -> Finding:
    try:
        samples = _with_digest(codec)
    except _Unusable as exc:
        return Finding(status=Status.ERROR, message=f"no valid encoding to start from: {exc}")
    cases = [
        f"sample {number} with one content byte changed: {problem}"
        for number, _, altered in samples
        if (problem := decode_contract_problem(codec, altered, must_reject=True))
    ]
    if cases:
        return _failed("encodings with altered content were not rejected", cases, len(samples))
    return Finding(
        status=Status.PASSED,
        message=f"{len(samples)} encodings with altered content and intact digest rejected",
    )


def _names(adapter_name: str, codecs: dict[str, Codec[Any]]) -> Finding:
    prefix = adapter_name
    problems = [
        f"codec {name!r} does not start with {prefix + '.'!r}"
        for name in codecs
        if name.partition(".")[0] != prefix
    ]
    core = core_namespaces()
    codes: set[str] = set()
    for codec in codecs.values():
        for _, data in (("empty input", b""), *WRONG_TYPE_INPUTS):
            outcome = call(codec.decode, data)
            if isinstance(outcome.error, FormatError):
                codes.update(
                    str(p.code) for p in getattr(outcome.error, "problems", ()) if p is not None
                )
    foreign = sorted(c for c in codes if c.partition(".")[0] not in {prefix, *core})
    if foreign:
        problems.append(
            f"problem codes {foreign[:5]} start with neither {prefix + '.'!r} nor a namespace "
            "of leportal_core"
        )
    details = {"prefix": prefix, "codes_seen": sorted(codes)}
    if problems:
        return Finding(status=Status.FAILED, message="; ".join(problems), details=details)
    return Finding(
        status=Status.PASSED,
        message=f"{len(codecs)} codec name(s) and {len(codes)} problem code(s) prefixed",
        details=details,
    )


def _uncarried_ignored(codec: Codec[Any], caps: Capabilities) -> Finding:
    cases: list[str] = []
    documents = [*sample_documents(), *awkward_documents()]
    for number, document in enumerate(documents):
        try:
            full = _encoded(codec, document)
            bare = _encoded(codec, without_fields(document, caps.uncarried_fields))
        except _Unusable as exc:
            return Finding(status=Status.ERROR, message=f"no valid encoding: {exc}")
        if full != bare:
            cases.append(
                f"document {number}: the encoding changes with the uncarried fields "
                f"{sorted(caps.uncarried_fields)}"
            )
    if cases:
        return _failed("encodings depend on fields declared uncarried", cases, len(documents))
    return Finding(
        status=Status.PASSED,
        message=f"{len(documents)} encodings independent of {sorted(caps.uncarried_fields)}",
    )


def _fields(document: Document) -> dict[str, object]:
    """Every attribute, the content bytes and the derived size and hash included (equality of
    Documents leaves the content out, so a changed content would not show there)."""
    return {field.name: getattr(document, field.name) for field in attrs.fields(Document)}


@contextlib.contextmanager
def _copyable_proxies() -> Iterator[None]:
    """Within the block, ``copy.deepcopy`` and ``pickle`` handle read-only mappings
    (``types.MappingProxyType``, which frozen core records use) as the dicts they wrap; the
    registration is removed again, so the process is left as it was."""
    had = types.MappingProxyType in copyreg.dispatch_table
    if not had:
        copyreg.pickle(types.MappingProxyType, _reduce_proxy)
    try:
        yield
    finally:
        if not had:
            copyreg.dispatch_table.pop(types.MappingProxyType, None)


def _reduce_proxy(proxy: types.MappingProxyType[Any, Any]) -> tuple[Any, tuple[Any, ...]]:
    return read_only, (dict(proxy),)


def read_only(mapping: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    """A read-only view of ``mapping``: what a pickled ``MappingProxyType`` is rebuilt with
    (the type itself cannot be pickled by name)."""
    return types.MappingProxyType(mapping)


def _inputs_unchanged(codec: Codec[Any], caps: Capabilities) -> Finding:
    if caps.examples is None:
        return no_examples(codec)
    cases: list[str] = []
    values = _fixed_objects(caps)
    for number, value in enumerate(values):
        # The codec gets an independent copy, so a codec that does change it cannot spoil the
        # shared examples for the tests that follow.
        with _copyable_proxies():
            argument = copy.deepcopy(value)
            before = copy.deepcopy(value)
        call(codec.encode, argument)  # what encode returns or raises is other tests' business
        if isinstance(value, Document):
            fields = _fields(before)
            changed = sorted(k for k, v in _fields(argument).items() if fields[k] != v)
        else:
            changed = object_differences(before, argument)
        if changed:
            cases.append(f"object {number}: encode changed {', '.join(changed)}")
    if cases:
        return _failed("encodes changed their argument", cases, len(values))
    return Finding(status=Status.PASSED, message=f"{len(values)} arguments left unchanged")


def _no_encode_refused(codec: Codec[Any], caps: Capabilities) -> Finding:
    candidates: list[object] = [expected for _, expected in caps.golden_vectors]
    if caps.examples is not None:
        candidates.extend(caps.examples.samples)
    if not candidates:
        return Finding(
            status=Status.ERROR,
            message=(
                "no object of the codec's type to try encode with (declare conformance_samples)"
            ),
        )
    accepted = []
    for number, value in enumerate(candidates):
        outcome = call(codec.encode, value)
        if outcome.error is None:
            accepted.append(f"object {number}: encode returned {short_repr(outcome.value)}")
        elif not isinstance(outcome.error, LeportalError | NotImplementedError):
            accepted.append(
                f"object {number}: encode raised {describe_exception(outcome.error)} instead of "
                "a leportal error or NotImplementedError"
            )
    if accepted:
        return _failed("encodes of a decode-only codec were not refused", accepted, len(candidates))
    return Finding(status=Status.PASSED, message=f"{len(candidates)} encodes refused")


def _kdl_table() -> tuple[str, list[str]]:
    from leportal_core.terminology import installed_kdl_table

    table = installed_kdl_table()
    if table is None:
        return "built-in samples (leportal-kdl-data not installed)", ["AD010103", "ZZ999999"]
    return table.source, sorted(table.entries)


def _kdl_codes(codec: Codec[Any], caps: Capabilities) -> Finding:
    source, codes = _kdl_table()
    cases: list[str] = []
    for code in codes:
        document = Document(
            title=f"KDL {code}",
            media_type="application/pdf",
            created=FAKE_NOW.date(),
            content=code.encode("ascii"),
            kdl_code=code,
        )
        try:
            data = _encoded(codec, document)
        except _Unusable as exc:
            cases.append(f"{code}: {exc}")
            continue
        decoded = call(codec.decode, data)
        if decoded.error is not None:
            cases.append(f"{code}: decode raised {describe_exception(decoded.error)}")
        elif not isinstance(decoded.value, Document):
            cases.append(f"{code}: decode returned a {type(decoded.value).__name__}")
        else:
            differences = document_differences(
                without_fields(document, caps.uncarried_fields), decoded.value
            )
            if differences:
                cases.append(f"{code}: " + "; ".join(differences))
    if cases:
        return _failed("KDL codes did not come back unchanged", cases, len(codes), source=source)
    return Finding(
        status=Status.PASSED,
        message=f"all {len(codes)} KDL codes of {source} round-trip",
        details={"codes": len(codes), "source": source},
    )


# Independent readers by media type: they judge the bytes without the adapter's own decoder.
def _read_fhir_json(data: bytes) -> str | None:
    # R4B: the FHIR version ISiK builds on (R4) for these resources; fhir.resources' default
    # package is R5, where DocumentReference changed.
    from fhir.resources.R4B import get_fhir_model_class

    resource = json.loads(data)
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        return "not a FHIR resource (no resourceType)"
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return None


def _read_hl7_v2(data: bytes) -> str | None:
    import hl7  # type: ignore[import-untyped]

    if b"\n" in data:
        return "contains LF: HL7 v2 segments end with CR, and a line feed in text must be escaped"
    if not data.startswith(b"MSH"):
        return "does not start with an MSH segment"
    encoding = "utf-8" if b"UNICODE UTF-8" in data[:400] else "latin-1"
    message = hl7.parse(data.decode(encoding))
    if len(message) < 2 or str(message.segment("MSH")[9]) == "":
        return "python-hl7 finds no message type (MSH-9) or no segment after MSH"
    return None


INDEPENDENT_READERS: Mapping[str, tuple[str, Callable[[bytes], str | None]]] = {
    "application/fhir+json": ("fhir.resources", _read_fhir_json),
    "application/hl7-v2": ("python-hl7", _read_hl7_v2),
}


def _reader(codec: Codec[Any]) -> tuple[str, Callable[[bytes], str | None]] | None:
    media_type = str(getattr(codec, "media_type", "")).partition(";")[0].strip().lower()
    return INDEPENDENT_READERS.get(media_type)


def _independent_reader(codec: Codec[Any], caps: Capabilities) -> Finding:
    found = _reader(codec)
    assert found is not None  # applicability checked by run()
    reader_name, read = found
    cases: list[str] = []
    documents = [*sample_documents(), *awkward_documents()]
    for number, document in enumerate(documents):
        try:
            data = _encoded(codec, document)
        except _Unusable as exc:
            return Finding(status=Status.ERROR, message=f"no valid encoding: {exc}")
        try:
            problem = read(data)
        except Exception as exc:  # the independent reader refuses the bytes
            problem = f"{reader_name} refuses it: {describe_exception(exc)}"
        if problem:
            cases.append(f"document {number}: {problem}")
    if cases:
        return _failed(f"encodings are not valid for {reader_name}", cases, len(documents))
    return Finding(
        status=Status.PASSED,
        message=f"{len(documents)} encodings read by {reader_name}",
        details={"reader": reader_name},
    )


# Encodes the fixed documents (pickled on stdin) in a fresh interpreter, under the same fixed
# clock; imports nothing of the suite, so that it starts fast.
_ENCODE_SCRIPT = r"""
import datetime, hashlib, json, pickle, sys
from leportal_core import clock
from leportal_core.plugins import collect_codecs, load_adapter, new_plugin_manager, register_plugins
spec, now = sys.argv[1], sys.argv[2]
objects = pickle.loads(sys.stdin.buffer.read())
adapter = load_adapter(spec)
pm = new_plugin_manager()
register_plugins(pm, [(adapter.name, adapter.plugin)])
codecs = collect_codecs(pm)
out = {}
with clock.fixed(datetime.datetime.fromisoformat(now)):
    for name, values in objects.items():
        digests = []
        for value in values:
            try:
                digests.append(hashlib.sha256(codecs[name].encode(value)).hexdigest())
            except Exception as exc:
                digests.append(f"raised {type(exc).__name__}")
        out[name] = digests
sys.stdout.write(MARKER + json.dumps(out) + "\n")
"""


def _wait_for_next_second() -> None:
    """Sleep until the wall clock's whole second changes (at most one second)."""
    time.sleep(1.0 - time.time() % 1.0 + 0.01)


def _fixed_objects(caps: Capabilities) -> tuple[Any, ...]:
    """The fixed valid objects of the codec's type: the samples, for Documents with the awkward
    ones."""
    if caps.carries_documents:
        return (*sample_documents(), *awkward_documents())
    return caps.examples.samples if caps.examples is not None else ()


@attrs.define
class _ProcessEncodings:
    """The fixed documents' encodings from two fresh interpreters with different hash seeds,
    encoding in different seconds of the wall clock; computed once for all codecs."""

    spec: str
    codecs: dict[str, Codec[Any]]
    capabilities: dict[str, Capabilities]
    runs: list[dict[str, list[str]]] | None = None
    problem: str | None = None

    def _run(self) -> None:
        objects: dict[str, tuple[Any, ...]] = {}
        for name in self.codecs:
            caps = self.capabilities.get(name) or Capabilities(declared=False)
            if "encode" in caps.directions and caps.examples is not None:
                objects[name] = _fixed_objects(caps)
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(p or os.getcwd() for p in sys.path)
        environment.pop("PYTHONSTARTUP", None)
        script = _ENCODE_SCRIPT.replace("MARKER", repr(_PROCESS_MARKER))
        command = [sys.executable, "-c", script, self.spec, FAKE_NOW.isoformat()]
        try:
            with _copyable_proxies():
                documents = pickle.dumps(objects)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            self.problem = f"the samples cannot be sent to a fresh interpreter: {exc}"
            return
        # Both interpreters start (and import) together, but the second gets its documents only
        # once the first has encoded and the wall clock is in a later second: a codec that
        # stamps the wall clock's time then differs, however slowly the interpreters start.
        processes = [
            subprocess.Popen(  # noqa: S603 - our own interpreter and script
                command,
                env={**environment, "PYTHONHASHSEED": hash_seed},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for hash_seed in ("1", "2")
        ]
        self.runs = []
        for process in processes:
            if self.runs:
                _wait_for_next_second()
            try:
                out, err = process.communicate(documents, timeout=120)
            except subprocess.TimeoutExpired:
                for other in processes:
                    other.kill()
                    other.communicate()
                self.problem = "encoding in a fresh interpreter did not finish within 120 s"
                return
            text = out.decode("utf-8", "replace")
            line = next((x for x in text.splitlines() if x.startswith(_PROCESS_MARKER)), None)
            if line is None:
                for other in processes:
                    if other.returncode is None:
                        other.kill()
                        other.communicate()
                tail = err.decode("utf-8", "replace")[-300:]
                self.problem = (
                    f"the fresh interpreter gave no encodings (exit status "
                    f"{process.returncode}): {tail}"
                )
                return
            self.runs.append(json.loads(line[len(_PROCESS_MARKER) :]))
        _wait_for_next_second()  # this process encodes in a third second

    def check(self, codec: Codec[Any], caps: Capabilities) -> Finding:
        if caps.examples is None:
            return no_examples(codec)
        if self.runs is None:
            self._run()
        if self.problem is not None:
            return Finding(status=Status.ERROR, message=self.problem)
        assert self.runs is not None
        here = []
        for value in _fixed_objects(caps):
            outcome = call(codec.encode, value)
            value = outcome.value
            here.append(
                hashlib.sha256(value).hexdigest()
                if isinstance(value, bytes)
                else f"raised {type(outcome.error).__name__}"
            )
        first, second = (run.get(codec.name, []) for run in self.runs)
        cases = [
            f"document {n}: "
            + ("differs between PYTHONHASHSEED 1 and 2, seconds apart" if a != b else "")
            + ("; " if a != b and a != h else "")
            + ("differs from this process" if a != h else "")
            for n, (h, a, b) in enumerate(zip(here, first, second, strict=False))
            if not h == a == b
        ]
        if len(first) != len(here) or len(second) != len(here):
            cases.append("the fresh interpreters encoded a different number of documents")
        if cases:
            return _failed("encodings are not reproducible across processes", cases, len(here))
        return Finding(
            status=Status.PASSED,
            message=f"{len(here)} encodings identical in 3 processes (2 hash seeds, different seconds)",
        )


def _timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    # CPU time of the calling thread: a loaded machine slows the wall clock, not this.
    started = time.thread_time()
    value = function(*args)
    return value, time.thread_time() - started


def _round_trip_seconds(codec: Codec[Any], size: int, seed: int) -> float:
    document = Document(
        title="Skalierung",
        media_type="application/octet-stream",
        created=FAKE_NOW.date(),
        content=random.Random(seed + size).randbytes(size),  # noqa: S311 - test data
    )
    encoded = call(_timed, codec.encode, document)
    if encoded.error is not None:
        raise _Slow(encoded.error, size)
    assert encoded.value is not None
    data, encode_s = encoded.value
    if not isinstance(data, bytes):
        raise _Unusable(f"encode returned a {type(data).__name__}")
    decoded = call(_timed, codec.decode, data)
    if decoded.error is not None:
        raise _Slow(decoded.error, size)
    assert decoded.value is not None
    return float(encode_s + decoded.value[1])


class _Slow(Exception):
    def __init__(self, error: BaseException, size: int) -> None:
        super().__init__(describe_exception(error))
        self.timed_out = isinstance(error, CallTimeout)
        self.size = size


def _scaling(codec: Codec[Any], seed: int) -> Finding:
    small, large = _SCALING_SIZES
    try:
        started = time.monotonic()
        small_s = min(_round_trip_seconds(codec, small, seed) for _ in range(2))
        wall = (time.monotonic() - started) / 2
        # Linear would take about 8 times as long; give it 40 times (and at least 5 s) of wall
        # time, so that a quadratic codec fails in seconds instead of passing in minutes.
        limit = max(5.0, 40 * wall)
        with call_deadline(limit):
            large_s = _round_trip_seconds(codec, large, seed)
    except _Unusable as exc:
        return Finding(status=Status.ERROR, message=f"no valid encoding: {exc}")
    except _Slow as exc:
        if exc.timed_out and exc.size == large:
            return Finding(
                status=Status.FAILED,
                message=f"an 8 MiB round trip did not finish within {limit:.1f} s, 40 times a "
                f"1 MiB one ({wall:.2f} s): time grows faster than the content",
            )
        return Finding(status=Status.ERROR, message=f"the round trip failed: {exc}")
    ratio = large_s / max(small_s, 1e-3)
    details = {"cpu_s_1MiB": round(small_s, 4), "cpu_s_8MiB": round(large_s, 4), "ratio": ratio}
    if ratio > _MAX_SCALING_RATIO:
        return Finding(
            status=Status.FAILED,
            message=f"8 MiB took {ratio:.1f} times the CPU time of 1 MiB (linear: 8, limit "
            f"{_MAX_SCALING_RATIO:g}): time grows faster than the content",
            details=details,
        )
    return Finding(
        status=Status.PASSED,
        message=f"8 MiB within {_MAX_SCALING_RATIO:g} times the CPU time of 1 MiB (figures in "
        "details)",
        details=details,
    )
