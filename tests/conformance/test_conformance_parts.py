"""The suite's parts on their own: strategies, guards, the result model, the docs and metadata."""

from __future__ import annotations

import datetime as dt
import random
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leportal_conformance
from leportal_conformance import catalog, strategies
from leportal_conformance.guard import call, describe_exception, printable
from leportal_conformance.model import CertificationResult, Finding, Status, TestResult, run_test
from leportal_conformance.properties import Violation, check_property
from leportal_conformance.tests_malformed import prefix_lengths
from leportal_core.document import MAX_REFERENCE_LENGTH, MAX_TITLE_LENGTH, Document

ROOT = Path(__file__).resolve().parents[2]
QUICK = settings(
    max_examples=40, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)


@QUICK
@given(strategies.documents())
def test_documents_are_valid_and_content_based(document: Document) -> None:
    assert document.content is not None
    assert document.path is None
    assert 0 < len(document.title) <= MAX_TITLE_LENGTH
    assert document.size <= strategies.LARGE_CONTENT_SIZES[-1]
    for reference in (document.patient_id, document.case_id):
        assert reference is None or len(reference) <= MAX_REFERENCE_LENGTH


def find(strategy: st.SearchStrategy[str], condition: str) -> None:
    """Fail unless ``strategy`` produces a value containing ``condition``."""
    seen: list[str] = []

    @settings(
        max_examples=300, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(strategy)
    def collect(value: str) -> None:
        seen.append(value)

    collect()
    assert any(condition in value for value in seen), condition


@pytest.mark.parametrize("awkward", ["ü", "🩺", "\u202e", '"', "|^~\\&"])
def test_titles_are_awkward(awkward: str) -> None:
    find(strategies.titles(), awkward)


def test_edge_documents_reach_the_limits() -> None:
    documents = strategies.edge_documents()
    assert {dt.date.min, dt.date.max} <= {d.created for d in documents}
    assert max(len(d.title) for d in documents) == MAX_TITLE_LENGTH
    assert max(d.size for d in documents) == 1 << 20
    assert min(d.size for d in documents) == 0
    assert any(d.kdl_code and d.patient_id and d.case_id for d in documents)


def test_prefix_lengths_are_proper_and_reproducible() -> None:
    lengths = prefix_lengths(1000, random.Random(1))
    assert lengths == prefix_lengths(1000, random.Random(1))
    assert lengths[0] == 1
    assert lengths[-1] == 999
    assert all(0 < k < 1000 for k in lengths)
    assert prefix_lengths(1, random.Random(1)) == []
    assert prefix_lengths(3, random.Random(1)) == [1, 2]


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no")


def test_guard_catches_everything_adapter_code_raises() -> None:
    def boom(kind: type[BaseException]) -> None:
        raise kind("x")

    assert isinstance(call(boom, ValueError).error, ValueError)
    assert isinstance(call(boom, RecursionError).error, RecursionError)
    assert isinstance(call(boom, MemoryError).error, MemoryError)
    assert isinstance(call(boom, GeneratorExit).error, GeneratorExit)
    assert call(len, b"abc").value == 3
    # An adapter's exit or interrupt is its finding; only a real Ctrl-C (SIGINT seen) stops.
    assert isinstance(call(boom, KeyboardInterrupt).error, KeyboardInterrupt)
    assert isinstance(call(boom, SystemExit).error, SystemExit)


def test_exception_descriptions_are_safe() -> None:
    assert describe_exception(KeyError("title")) == "KeyError: 'title'"
    assert describe_exception(_Unprintable()).endswith("<unprintable _Unprintable>")
    assert printable("a\x00\x1b\ud800\tb") == "a\\x00\\x1b\\ud800\tb"
    assert len(describe_exception(ValueError("x" * 10_000))) < 400


def _result(
    statuses: list[Status], codecs: tuple[str, ...] = ("toy.document",)
) -> CertificationResult:
    now = dt.datetime.now(dt.UTC)
    tests = tuple(
        TestResult(
            id=f"t{i}", group="metadata", description="d", required=True, status=s, duration_s=0.0
        )
        for i, s in enumerate(statuses)
    )
    return CertificationResult(
        suite_name="s", suite_version="1", adapter_spec="a", adapter_name="a", adapter_version="1",
        adapter_origin="o", seed=1, max_examples=1, started=now, finished=now, environment={},
        codecs=codecs, tests=tests,
    )  # fmt: skip


def test_verdict_rules() -> None:
    assert _result([Status.PASSED, Status.SKIPPED]).certified
    assert not _result([Status.PASSED, Status.FAILED]).certified
    assert not _result([Status.PASSED, Status.ERROR]).certified
    assert not _result([Status.PASSED], codecs=()).certified
    assert _result([Status.PASSED, Status.ERROR]).counts() == {
        "passed": 1, "failed": 0, "error": 1, "skipped": 0,
    }  # fmt: skip


def test_test_ids_are_unique_and_well_formed() -> None:
    ids = [spec.id for spec in catalog.ALL_TESTS]
    assert len(ids) == len(set(ids))
    for spec in catalog.ALL_TESTS:
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", spec.id)
        assert spec.id.split(".")[0] == spec.group in catalog.GROUPS
        assert spec.description.endswith(".")


def test_docs_name_every_test_and_exit_status() -> None:
    text = (ROOT / "docs" / "certifying.md").read_text(encoding="utf-8")
    for spec in catalog.ALL_TESTS:
        assert f"`{spec.id}" in text, spec.id
    for needle in (
        "report.json",
        "junit.xml",
        "certificate.md",
        "--seed",
        "--max-examples",
        "--json",
    ):
        assert needle in text, needle


def test_source_version_matches_the_distribution() -> None:
    pyproject = tomllib.loads((ROOT / "conformance" / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == leportal_conformance.__version__
    entry_points = pyproject["project"]["entry-points"]["leportal.extensions"]
    assert entry_points == {"conformance": "leportal_conformance.plugin"}


def test_a_failure_that_does_not_reproduce_is_reported_as_non_determinism() -> None:
    failed_once: list[bytes] = []

    def body(value: bytes) -> None:
        if value and not failed_once:
            failed_once.append(value)
            raise Violation("first time only")

    finding = check_property("once", st.binary(), body, seed=1, max_examples=20)
    assert finding.status is Status.FAILED
    assert "non-deterministically" in finding.message
    assert "once(" in finding.details["falsifying_example"]


def test_a_property_hypothesis_cannot_run_is_an_error() -> None:
    never = st.integers().filter(lambda _: False)
    finding = check_property("never", never, lambda _: None, seed=1, max_examples=5)
    assert finding.status is Status.ERROR
    assert "Hypothesis could not run" in finding.message


def test_a_test_that_crashes_is_an_error_not_a_crash() -> None:
    def check() -> Finding:
        raise RuntimeError("bug in the suite")

    result = run_test(catalog.EMPTY, "toy.document", check)
    assert result.status is Status.ERROR
    assert result.id == "malformed.empty[toy.document]"
    assert result.message == "the test could not run: RuntimeError: bug in the suite"


SMALL = settings(
    max_examples=15, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)


@SMALL
@given(strategies.cases())
def test_cases_are_valid_case_openings(case: object) -> None:
    from leportal_core.cases.model import CaseOpened
    from leportal_core.identifiers import ik, kvnr

    assert isinstance(case, CaseOpened)
    assert ik.is_valid(case.hospital_ik)
    assert kvnr.is_valid(case.kvnr)
    if case.invoice_date is not None:
        assert case.invoice_received is not None
        assert case.invoice_received >= case.invoice_date


@SMALL
@given(strategies.mass_records())
def test_mass_records_are_valid_and_round_trip_through_the_generic_record(record: object) -> None:
    from leportal_core.billing.records import MassRecord, line_amount

    assert isinstance(record, MassRecord)
    assert record.amount == line_amount(record.quantity, record.rate)
    assert MassRecord.from_record(record.to_record()) == record


@SMALL
@given(strategies.therapy_reports())
def test_therapy_reports_are_valid(report: object) -> None:
    from leportal_core.therapy import TherapyReport

    assert isinstance(report, TherapyReport)
    assert report.created >= report.prescription.verordnungsdatum


def test_pyproject_registers_the_pytest_plugin() -> None:
    pyproject = tomllib.loads((ROOT / "conformance" / "pyproject.toml").read_text(encoding="utf-8"))
    entry_points = pyproject["project"]["entry-points"]["pytest11"]
    assert entry_points == {
        "leportal_conformance.pytest_plugin": "leportal_conformance.pytest_plugin"
    }
    assert (
        "report.schema.json"
        in pyproject["tool"]["setuptools"]["package-data"]["leportal_conformance"]
    )


def test_every_test_names_its_source_and_declares_only_known_capabilities() -> None:
    known = {"document", "other_type", "encode", "decode", "golden"}
    for spec in catalog.ALL_TESTS:
        assert spec.source, spec.id
        assert spec.requires <= known, spec.id


def test_built_in_billing_files_round_trip_through_the_core_codec_and_copy() -> None:
    """The built-in strategy of a core type makes objects its core codec accepts, and records
    holding read-only mappings can be copied and pickled for the suite's tests."""
    import copyreg
    import types

    from leportal_conformance.capabilities import read_capabilities
    from leportal_conformance.model import Status
    from leportal_conformance.tests_roundtrip import _roundtrip_objects
    from leportal_conformance.tests_strict import _inputs_unchanged
    from leportal_core.billing.codec import BillingCodec
    from leportal_core.billing.profile import load_profile

    codec = BillingCodec(load_profile("mass-provisional-v1"))
    caps = read_capabilities(codec)
    assert caps.examples is not None
    assert caps.examples.source == "built-in"
    finding = _roundtrip_objects(codec, caps, seed=3, max_examples=10)
    assert finding.status is Status.PASSED, finding.message
    assert _inputs_unchanged(codec, caps).status is Status.PASSED
    assert types.MappingProxyType not in copyreg.dispatch_table  # registered only meanwhile


def test_mutations_keep_the_syntax_intact() -> None:
    """GDT mutations recompute every line length and the record length (8100), so a decoder
    sees a well-formed record; JSON comparisons count duplicate keys."""
    from leportal_conformance.mutations import Syntax, mutations, same_structure, syntax_of

    def line(field: str, content: str) -> bytes:
        return b"%03d" % (len(content.encode()) + 9) + f"{field}{content}\r\n".encode()

    body = [("8000", "6301"), ("8100", "00000"), ("3000", "17"), ("3103", "29021956")]
    record = b"".join(line(f, c) for f, c in body)
    record = record.replace(b"00000", b"%05d" % len(record))
    assert syntax_of(record) == Syntax.GDT
    found = list(mutations(record))
    assert {m.label for m in found} >= {
        "line 3 (field 3000) dropped",
        "line 4 (field 3103) set to '31022026'",
        "line 3 field 3000 renamed to 9999",
    }
    for mutation in found:
        lines = mutation.data.split(b"\r\n")[:-1]
        assert all(int(x[:3]) == len(x) + 2 for x in lines), mutation.label
        length = next(x for x in lines if x[3:7] == b"8100")[7:]
        assert int(length) == len(mutation.data), mutation.label
    assert same_structure(b'{"a":1,"b":[2]}', b'{"b":[2],"a":1}')
    assert not same_structure(b'{"a":1,"a":1}', b'{"a":1}')
    hl7 = b"MSH|^~\\&|A|B|||20260209||MDM^T02^MDM_T02|1|P|2.5\rPID|1||P-1\r"
    assert "segment 2 (PID) dropped" in {m.label for m in mutations(hl7)}
