"""Certification end to end: the correct toy adapter passes, each broken one fails where it should."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from leportal_conformance import CertificationResult, Status, certify, write_reports
from leportal_conformance.catalog import ALL_TESTS, GROUPS
from leportal_conformance.report import ReportFiles
from leportal_conformance.schema import report_schema, validate
from leportal_core.codec import Codec
from leportal_core.errors import PluginError

from . import broken_adapters, toy_adapter, unversioned_adapter

TOY = f"{toy_adapter.__name__}:plugin"
SEED = 20260209
EXAMPLES = 25
# Every test of the catalog, per-codec ones for the toy's one codec.
TOY_IDS = {spec.instance_id("toy.document" if spec.per_codec else None) for spec in ALL_TESTS}
# Not applicable to the toy codec, which declares nothing and has no independent reader.
TOY_SKIPPED = {
    "roundtrip.uncarried_ignored[toy.document]",
    "errors.no_encode_refused[toy.document]",
    "roundtrip.independent_reader[toy.document]",
    "roundtrip.objects[toy.document]",
    "malformed.foreign_messages[toy.document]",
}


# The tests each broken adapter fails with this seed (ids without the codec): the one it is
# about, and those its defect breaks as well; every other test passes. (malformed.mutations
# decodes changed encodings and encodes what is accepted, so a broken decode or encode shows
# there too.)
ALSO_FAILING: dict[str, set[str]] = {
    "drops_last_byte": {
        "malformed.integrity",
        "malformed.mutations",
        "golden.vectors",
        "large.content",
        "roundtrip.document",
        "roundtrip.kdl_codes",
    },
    "leaky_decode": {
        "malformed.integrity",
        "malformed.mutations",
        "malformed.bit_flips",
        "malformed.empty",
        "malformed.random_bytes",
        "malformed.trailing_data",
        "malformed.truncated",
        "malformed.wrong_type",
    },
    "accepts_empty": {"malformed.empty"},
    "accepts_utf16": {"malformed.wrong_type"},
    "none_on_bad_checksum": {"malformed.integrity", "malformed.mutations", "malformed.bit_flips"},
    "recurses": {"malformed.empty", "malformed.random_bytes"},
    "raises_base_exception": {"malformed.empty", "malformed.random_bytes"},
    "no_description": {"metadata.codecs_present", "metadata.codecs_register", "metadata.complete"},
    "no_codecs": {"metadata.codecs_present"},
    "hook_raises": {
        "hygiene.hooks_documented",
        "metadata.codecs_present",
        "metadata.codecs_register",
    },
    "flaky": {
        "malformed.integrity",
        "malformed.mutations",
        "determinism.decode",
        "large.scaling",
        "malformed.trailing_data",
        "roundtrip.kdl_codes",
        "large.content",
        "malformed.bit_flips",
        "malformed.random_bytes",
        "malformed.truncated",
        "malformed.wrong_type",
        "roundtrip.document",
    },
    "hangs_on_empty": {"malformed.empty", "malformed.random_bytes"},
    "random_ids": {"determinism.encode", "determinism.processes", "golden.vectors"},
    "hoards": {"large.content"},
    "swallows_errors": {
        "malformed.integrity",
        "malformed.mutations",
        "malformed.empty",
        "malformed.trailing_data",
        "malformed.truncated",
        "malformed.wrong_type",
    },
    "swaps_references": {
        "malformed.mutations",
        "errors.encode_foreign",
        "large.content",
        "roundtrip.document",
    },
    "loses_category": {
        "golden.vectors",
        "large.content",
        "roundtrip.document",
        "roundtrip.kdl_codes",
    },
    "claims_uncarried_but_invents": {
        "malformed.mutations",
        "golden.vectors",
        "large.content",
        "roundtrip.document",
        "roundtrip.uncarried_ignored",
    },
    "bad_capabilities": {"metadata.capabilities"},
    "encode_leaks_type_error": {"errors.encode_foreign"},
    "empty_problem_message": {"errors.problems"},
    "wrong_hash": {
        "malformed.integrity",
        "determinism.decode",
        "golden.vectors",
        "large.content",
        "large.scaling",
        "roundtrip.document",
        "roundtrip.kdl_codes",
    },
    "golden_mismatch": {"golden.vectors"},
    "undocumented_hook": {"hygiene.hooks_documented"},
    "nasty_message": {"malformed.empty", "malformed.random_bytes"},
}


@pytest.fixture(autouse=True, scope="module")
def _release_hanging_threads() -> Iterator[None]:
    yield
    broken_adapters.RELEASE_HANG.set()


def broken(name: str) -> str:
    return f"{broken_adapters.__name__}:{name}"


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[CertificationResult, ReportFiles]:
    result = certify(TOY, seed=SEED, max_examples=EXAMPLES)
    # A directory that does not exist yet: the writer creates it.
    files = write_reports(result, tmp_path_factory.mktemp("toy") / "reports" / "toy")
    return result, files


def test_correct_adapter_is_certified(toy_run: tuple[CertificationResult, ReportFiles]) -> None:
    result, _ = toy_run
    assert result.certified, [
        (t.id, t.message) for t in result.tests if t.status is not Status.PASSED
    ]
    assert result.verdict == "CERTIFIED"
    assert {t.id for t in result.tests} == TOY_IDS
    assert {t.id for t in result.tests if t.status is not Status.PASSED} == TOY_SKIPPED
    assert all(t.status is Status.SKIPPED for t in result.tests if t.id in TOY_SKIPPED)
    assert result.adapter_name == "toy"
    assert result.adapter_version == "1.0.0"
    assert result.codecs == ("toy.document",)
    assert result.seed == SEED


def test_report_json(toy_run: tuple[CertificationResult, ReportFiles]) -> None:
    _, files = toy_run
    report = json.loads(files.json.read_text(encoding="utf-8"))
    assert report["suite"]["name"] == "leportal-conformance"
    assert report["suite"]["version"]
    adapter = dict(report["adapter"])
    distribution = adapter.pop("distribution")
    assert distribution["root"] == "tests"
    # The toy adapter is not installed: REPRODUCE.md needs the directory it was found in.
    assert adapter.pop("import_path") == [str(Path(__file__).resolve().parents[2])]
    assert "leportal-core" in {d["name"] for d in distribution["distributions"]}
    assert adapter == {
        "spec": TOY,
        "name": "toy",
        "version": "1.0.0",
        "origin": f"import {TOY}",
    }
    assert validate(report, report_schema()) == []
    assert report["seed"] == SEED
    assert report["verdict"] == "CERTIFIED"
    assert report["certified"] is True
    assert report["started"].endswith("Z")
    assert report["finished"] >= report["started"]
    assert {"python", "platform"} <= set(report["environment"])
    assert f"--seed {SEED}" in report["reproduce"]
    assert report["reproduce"].startswith("env PYTHONPATH=")
    assert report["counts"] == {
        "passed": len(TOY_IDS) - len(TOY_SKIPPED),
        "failed": 0,
        "error": 0,
        "skipped": len(TOY_SKIPPED),
    }
    assert report["mode"] == "certification"
    assert report["known_failures"] == []
    assert list(report["group_durations_s"]) == list(GROUPS)
    assert len(report["adapter"]["distribution"]["sha256"]) == 64
    assert report["capabilities"]["toy.document"]["golden_vectors"] == 1
    for test in report["tests"]:
        assert set(test) == {
            "id", "group", "description", "source", "required", "status", "known_failure",
            "duration_s", "message", "details",
        }  # fmt: skip
        assert test["group"] in GROUPS
        assert test["description"]
        assert test["duration_s"] >= 0


def test_junit_xml(toy_run: tuple[CertificationResult, ReportFiles]) -> None:
    _, files = toy_run
    root = ET.parse(files.junit).getroot()
    assert root.tag == "testsuites"
    assert root.get("tests") == str(len(TOY_IDS))
    assert root.get("failures") == "0"
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == list(GROUPS)
    assert suites["malformed"].get("tests") == "9"
    names = {case.get("name") for case in root.iter("testcase")}
    assert names == TOY_IDS
    assert not list(root.iter("failure"))
    assert not list(root.iter("error"))
    properties = {p.get("name"): p.get("value") for p in suites["metadata"].iter("property")}
    assert properties["seed"] == str(SEED)


def test_junit_xml_loads_in_a_junit_parser(
    toy_run: tuple[CertificationResult, ReportFiles],
) -> None:
    """An independent JUnit reader (junitparser) sees the same tests and verdicts."""
    import junitparser  # a test dependency of leportal-conformance (extra "test")

    result, files = toy_run
    xml = junitparser.JUnitXml.fromfile(str(files.junit))
    cases = [case for suite in xml for case in suite]
    assert {case.name for case in cases} == TOY_IDS
    assert all(case.is_passed or case.is_skipped for case in cases)
    assert {case.name for case in cases if case.is_skipped} == TOY_SKIPPED
    assert sum(suite.tests for suite in xml) == len(result.tests)


def test_certificate_markdown(toy_run: tuple[CertificationResult, ReportFiles]) -> None:
    _, files = toy_run
    text = files.certificate.read_text(encoding="utf-8")
    assert text.startswith("# CERTIFIED: toy 1.0.0\n")
    assert f"| Seed | {SEED} |" in text
    assert f"leportal conformance certify {TOY} --seed {SEED}" in text
    assert "env PYTHONPATH=" in text
    assert "| `roundtrip.document[toy.document]` | PASS |" in text
    assert "| Distribution | sha256 " in text
    assert "## Failures" not in text


def test_reports_are_replaced_whole(toy_run: tuple[CertificationResult, ReportFiles]) -> None:
    result, files = toy_run
    write_reports(result, files.directory)
    names = sorted(path.name for path in files.directory.iterdir())
    assert names == [  # no temporary files left
        "REPRODUCE.md", "certificate.html", "certificate.md", "junit.xml", "report.json",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("adapter", "failing", "fragment"),
    [
        ("drops_last_byte", "roundtrip.document[toy.document]", "content of"),
        ("leaky_decode", "malformed.empty[toy.document]", "JSONDecodeError"),
        ("leaky_decode", "malformed.truncated[toy.document]", "instead of FormatError"),
        ("accepts_empty", "malformed.empty[toy.document]", "instead of raising FormatError"),
        ("accepts_utf16", "malformed.wrong_type[toy.document]", "UTF-16"),
        ("none_on_bad_checksum", "malformed.bit_flips[toy.document]", "NoneType"),
        ("recurses", "malformed.empty[toy.document]", "RecursionError"),
        ("raises_base_exception", "malformed.empty[toy.document]", "Boom: kaboom"),
        ("no_description", "metadata.complete[toy.document]", "description must be non-empty"),
        ("no_description", "metadata.codecs_register", "PluginError"),
        ("no_codecs", "metadata.codecs_present", "registered no codec"),
        ("hook_raises", "metadata.codecs_register", "RuntimeError: database not reachable"),
        ("flaky", "roundtrip.document[toy.document]", "KeyError: 'every other call'"),
        ("hangs_on_empty", "malformed.empty[toy.document]", "decode hangs"),
        ("random_ids", "determinism.encode[toy.document]", "two encodings"),
        ("hoards", "large.content[toy.document]", "stay allocated"),
        ("swallows_errors", "malformed.truncated[toy.document]", "instead of raising"),
        ("swaps_references", "roundtrip.document[toy.document]", "patient_id"),
        ("loses_category", "roundtrip.document[toy.document]", "kdl_code"),
        ("claims_uncarried_but_invents", "roundtrip.document[toy.document]", "kdl_code None"),
        ("bad_capabilities", "metadata.capabilities[toy.document]", "directions may only"),
        ("encode_leaks_type_error", "errors.encode_foreign[toy.document]", "AttributeError"),
        ("empty_problem_message", "errors.problems[toy.document]", "has no message"),
        ("wrong_hash", "roundtrip.document[toy.document]", "toy.sha256"),
        ("golden_mismatch", "golden.vectors[toy.document]", "vector 0"),
        ("undocumented_hook", "hygiene.hooks_documented", "has no docstring"),
    ],
)
def test_broken_adapter_fails_the_expected_test(adapter: str, failing: str, fragment: str) -> None:
    # A short deadline where a hang is the point; elsewhere a loaded machine must not time out.
    timeout = 2.0 if adapter == "hangs_on_empty" else 30.0
    result = certify(broken(adapter), seed=SEED, max_examples=EXAMPLES, timeout=timeout)
    assert not result.certified
    assert result.verdict == "NOT CERTIFIED"
    by_id = {test.id: test for test in result.tests}
    assert by_id[failing].status is Status.FAILED, by_id[failing]
    assert fragment in by_id[failing].message
    # Each broken adapter breaks one promise: the rest of the suite is content with it.
    blocking = {t.id.partition("[")[0] for t in result.tests if t.blocking}
    assert blocking <= ALSO_FAILING[adapter], blocking


def test_leaked_key_error_is_reported_with_its_type() -> None:
    result = certify(broken("leaky_decode"), seed=SEED, max_examples=EXAMPLES)
    wrong_type = {test.id: test for test in result.tests}["malformed.wrong_type[toy.document]"]
    problems = [case["problem"] for case in wrong_type.details["cases"]]
    assert any("KeyError" in problem for problem in problems)
    assert len(problems) == len(wrong_type.details["inputs"])


def test_unknown_version_fails_metadata_version() -> None:
    result = certify(f"{unversioned_adapter.__name__}:plugin", seed=SEED, max_examples=5)
    by_id = {test.id: test for test in result.tests}
    assert by_id["metadata.version"].status is Status.FAILED
    assert not result.certified


def test_failure_report_shows_the_example_and_reproduces_with_the_seed(tmp_path: Path) -> None:
    first = certify(broken("drops_last_byte"), seed=7, max_examples=EXAMPLES)
    again = certify(broken("drops_last_byte"), seed=7, max_examples=EXAMPLES)
    failed = {t.id: t for t in first.tests}["roundtrip.document[toy.document]"]
    repeated = {t.id: t for t in again.tests}["roundtrip.document[toy.document]"]
    assert "roundtrip_document(" in failed.details["falsifying_example"]
    assert failed.message == repeated.message
    assert failed.details == repeated.details

    files = write_reports(first, tmp_path)
    text = files.certificate.read_text(encoding="utf-8")
    assert text.startswith("# NOT CERTIFIED: toy 0.0.1")
    assert "## Failures" in text
    assert "roundtrip_document(" in text
    root = ET.parse(files.junit).getroot()
    failures = {
        case.get("name"): case.find("failure")
        for case in root.iter("testcase")
        if case.find("failure") is not None
    }
    failure = failures["roundtrip.document[toy.document]"]
    assert failure is not None
    assert "content of" in (failure.get("message") or "")


def test_unwritable_characters_in_adapter_messages_keep_reports_valid(tmp_path: Path) -> None:
    result = certify(broken("nasty_message"), seed=SEED, max_examples=5)
    files = write_reports(result, tmp_path)
    report = json.loads(files.json.read_text(encoding="utf-8"))
    messages = [t["message"] for t in report["tests"] if t["status"] == "failed"]
    assert any("\\x00" in m and "\\ud800" in m for m in messages)
    root = ET.parse(files.junit).getroot()  # would raise on an unescaped NUL or U+FFFE
    assert any("]]>" in (f.get("message") or "") for f in root.iter("failure"))
    files.certificate.read_text(encoding="utf-8")


def test_codec_of_another_type_round_trips_its_declared_objects_and_can_certify() -> None:
    result = certify(f"{toy_adapter.__name__}:two_codecs", seed=SEED, max_examples=10)
    by_id = {test.id: test for test in result.tests}
    for skipped in ("roundtrip.document[toy.note]", "large.content[toy.note]"):
        assert by_id[skipped].status is Status.SKIPPED
        assert "not applicable" in by_id[skipped].message
    for ran in (
        "roundtrip.objects[toy.note]",
        "malformed.truncated[toy.note]",
        "malformed.bit_flips[toy.note]",
        "malformed.trailing_data[toy.note]",
        "determinism.encode[toy.note]",
        "determinism.processes[toy.note]",
        "malformed.wrong_type[toy.note]",
    ):
        assert by_id[ran].status is Status.PASSED, (ran, by_id[ran].message)
    assert "declared strategy and 3 samples" in by_id["roundtrip.objects[toy.note]"].message
    assert by_id["roundtrip.objects[toy.document]"].status is Status.SKIPPED
    assert result.certified


def test_a_type_the_suite_does_not_know_is_an_error_not_a_skip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from leportal_conformance import objects
    from leportal_conformance.capabilities import read_capabilities
    from leportal_conformance.tests_roundtrip import _roundtrip_objects

    class Undeclared(toy_adapter.ToyNoteCodec):
        conformance_samples = None  # type: ignore[assignment]
        conformance_strategy = None  # type: ignore[assignment]
        object_type = bytes

    # The toy codec's class attributes satisfy the protocol at run time; mypy wants instance ones.
    codec = cast("Codec[Any]", Undeclared())
    finding = _roundtrip_objects(codec, read_capabilities(codec), seed=SEED, max_examples=3)
    assert finding.status is Status.ERROR
    assert "knows no valid bytes objects" in finding.message
    monkeypatch.setattr(objects, "_REGISTERED", {})
    objects.register_examples(bytes, samples=[b"", b"\x00"])
    caps = read_capabilities(codec)
    assert caps.examples is not None
    assert caps.examples.source == "registered"
    assert caps.examples.samples == (b"", b"\x00")


def test_random_seed_is_chosen_and_recorded() -> None:
    result = certify(TOY, max_examples=3)
    assert isinstance(result.seed, int)
    assert f"--seed {result.seed}" in result.reproduce_command()


@pytest.mark.parametrize(
    "spec", ["no_such_adapter_anywhere", f"{toy_adapter.__name__}:missing", "no_such.module:x"]
)
def test_adapter_that_cannot_be_loaded_is_a_plugin_error(spec: str) -> None:
    with pytest.raises(PluginError):
        certify(spec, seed=1, max_examples=1)


def test_max_examples_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_examples"):
        certify(TOY, seed=1, max_examples=0)
