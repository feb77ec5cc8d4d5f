"""Certification grade: capabilities, modes, the report bundle and its schema, deadlines, the
pytest plug-in, and the self-test's coverage of broken adapters."""

from __future__ import annotations

import html.parser
import json
import os
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import ClassVar

import click
import pytest
from click.testing import CliRunner

from leportal_conformance import Status, catalog, certify, plugin, write_reports
from leportal_conformance.capabilities import Capabilities, read_capabilities
from leportal_conformance.guard import CallTimeout, call, call_deadline
from leportal_conformance.model import Finding, run_test
from leportal_conformance.runner import load_known_failures
from leportal_conformance.schema import report_schema, validate

from . import broken_adapters, noisy_adapter, test_conformance_certify, toy_adapter

pytest_plugins = ["pytester"]

SEED = 20260209
TOY = f"{toy_adapter.__name__}:plugin"


def broken(name: str) -> str:
    return f"{broken_adapters.__name__}:{name}"


def test_self_test_has_at_least_a_dozen_broken_adapters_and_covers_each() -> None:
    test = test_conformance_certify.test_broken_adapter_fails_the_expected_test
    params = test.pytestmark  # type: ignore[attr-defined]
    (mark,) = [m for m in params if m.name == "parametrize"]
    tested = {case[0] for case in mark.args[1]}
    defined = {
        name
        for name, value in vars(broken_adapters).items()
        if not name.startswith("_")
        and not isinstance(value, type)
        and hasattr(value, "leportal_register_codecs")
    }
    assert len(tested) >= 24
    assert defined - {"nasty_message"} <= tested  # nasty_message has its own report test
    assert set(test_conformance_certify.ALSO_FAILING) >= tested


def test_import_side_effects_fail_hygiene() -> None:
    result = certify(f"{noisy_adapter.__name__}:plugin", seed=SEED, max_examples=3)
    os.environ.pop("LEPORTAL_NOISY_ADAPTER", None)  # set by importing it here, too
    by_id = {t.id: t for t in result.tests}
    clean = by_id["hygiene.import_clean"]
    assert clean.status is Status.FAILED
    assert "printed to stdout" in clean.message
    assert "LEPORTAL_NOISY_ADAPTER" in clean.message
    assert not result.certified
    assert {t.id for t in result.tests if t.blocking} == {"hygiene.import_clean"}


def test_declared_capabilities_skip_what_does_not_apply_and_certify() -> None:
    result = certify(f"{toy_adapter.__name__}:declaring", seed=SEED, max_examples=10)
    by_id = {t.id: t for t in result.tests}
    assert result.certified, [(t.id, t.message) for t in result.tests if t.blocking]
    for skipped in (
        "roundtrip.document[toy.reader]",
        "malformed.truncated[toy.reader]",
        "determinism.encode[toy.reader]",
        "errors.encode_foreign[toy.reader]",
    ):
        assert by_id[skipped].status is Status.SKIPPED
        assert by_id[skipped].message == ("not applicable: the codec declares it does not encode")
    assert by_id["malformed.empty[toy.reader]"].status is Status.PASSED
    # The KDL code is declared uncarried: the round trip expects None back for it.
    assert by_id["roundtrip.document[toy.no_category]"].status is Status.PASSED
    assert result.capabilities["toy.no_category"]["uncarried_fields"] == ["kdl_code"]
    assert result.capabilities["toy.reader"]["directions"] == ["decode"]


def test_every_skip_says_why() -> None:
    result = certify(f"{toy_adapter.__name__}:two_codecs", seed=SEED, max_examples=5)
    skipped = [t for t in result.tests if t.status is Status.SKIPPED]
    assert skipped
    assert all(t.message.startswith("not applicable: ") for t in skipped)


def test_a_skip_of_a_test_that_applies_is_an_error() -> None:
    result = run_test(
        catalog.ROUNDTRIP_DOCUMENT,
        "toy.document",
        lambda: Finding(status=Status.SKIPPED, message="felt like it"),
        capabilities=Capabilities(declared=False),
    )
    assert result.status is Status.ERROR
    assert "applies to this codec but was skipped: felt like it" in result.message


def test_capability_declarations_are_checked() -> None:
    class Codec:
        object_type = str
        conformance_capabilities: ClassVar[dict[str, object]] = {
            "directions": "encode",
            "uncarried_fields": ["kdl_code"],
            "x": 1,
        }

    caps = read_capabilities(Codec())
    assert len(caps.problems) == 3
    assert caps.directions == {"encode", "decode"}  # a broken declaration: every test applies
    assert not read_capabilities(toy_adapter.ToyDocumentCodec()).problems


def test_development_mode_reports_known_failures_without_certifying(tmp_path: Path) -> None:
    known = tmp_path / "known-failures.txt"
    known.write_text("# dropped bytes, fix in 1.1\nroundtrip.document\n", encoding="utf-8")
    ids = load_known_failures(known)
    assert ids == ("roundtrip.document",)
    allowed = {"roundtrip.document", "golden.vectors", "large.content", "roundtrip.kdl_codes"}
    allowed.add("malformed.mutations")  # accepted mutations are re-encoded, a byte short
    result = certify(
        broken("drops_last_byte"), seed=SEED, max_examples=10, mode="development",
        known_failures=allowed,
    )  # fmt: skip
    assert result.passed
    assert not result.certified
    assert result.verdict == "DEVELOPMENT RUN PASSED"
    marked = {t.id for t in result.tests if t.known_failure}
    assert "roundtrip.document[toy.document]" in marked
    report = json.loads(write_reports(result, tmp_path / "r").json.read_text(encoding="utf-8"))
    assert report["mode"] == "development"
    assert report["certified"] is False
    assert "--development" in report["reproduce"]
    assert not validate(report, report_schema())
    partial = certify(
        broken("drops_last_byte"), seed=SEED, max_examples=10, mode="development",
        known_failures=["golden.vectors"],
    )  # fmt: skip
    assert partial.verdict == "DEVELOPMENT RUN FAILED"
    assert result.stale_known_failures() == []
    fixed = certify(
        TOY, seed=SEED, max_examples=3, mode="development", known_failures=["roundtrip.document"]
    )
    assert fixed.stale_known_failures() == ["roundtrip.document"]
    assert fixed.verdict == "DEVELOPMENT RUN PASSED"


def test_known_failures_are_refused_in_certification_mode() -> None:
    with pytest.raises(ValueError, match="development mode only"):
        certify(TOY, seed=1, max_examples=1, known_failures=["roundtrip.document"])
    with pytest.raises(ValueError, match="mode"):
        certify(TOY, seed=1, max_examples=1, mode="lenient")


@pytest.mark.parametrize("adapter", ["drops_last_byte", "nasty_message", "hook_raises"])
def test_reports_validate_against_the_shipped_schema(tmp_path: Path, adapter: str) -> None:
    result = certify(broken(adapter), seed=SEED, max_examples=5)
    files = write_reports(result, tmp_path)
    report = json.loads(files.json.read_text(encoding="utf-8"))
    assert validate(report, report_schema()) == []
    root = ET.parse(files.junit).getroot()  # the JUnit shape CI parsers read
    assert root.tag == "testsuites"
    cases = list(root.iter("testcase"))
    assert int(root.get("tests") or -1) == len(cases) == len(report["tests"])
    for suite in root.iter("testsuite"):
        own = suite.findall("testcase")
        assert int(suite.get("tests") or -1) == len(own)
        assert int(suite.get("failures") or -1) == sum(c.find("failure") is not None for c in own)
        assert int(suite.get("errors") or -1) == sum(c.find("error") is not None for c in own)
        assert int(suite.get("skipped") or -1) == sum(c.find("skipped") is not None for c in own)
    for case in cases:
        assert case.get("name")
        assert case.get("classname", "").startswith("leportal_conformance.")
        assert float(case.get("time") or -1) >= 0


def test_schema_validator_finds_what_is_wrong() -> None:
    schema = report_schema()
    assert "unexpected property" in " ".join(validate({"bogus": 1}, schema))
    assert any("missing required property suite" in e for e in validate({}, schema))
    item = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}}
    assert validate({"n": -1}, item) == ["$.n: -1 is less than 0"]
    assert validate({"n": True}, item) == ["$.n: expected integer, got bool"]
    assert validate({"n": 2.0}, item) == []
    assert validate("x", {"enum": ["a"]}) == ["$: 'x' is not one of ['a']"]
    assert validate(["a", 1], {"items": {"type": "string"}}) == ["$[1]: expected string, got int"]
    with pytest.raises(ValueError, match="unsupported"):
        validate(1, {"oneOf": []})


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_certificate_and_reproduce_file(tmp_path: Path) -> None:
    result = certify(broken("nasty_message"), seed=SEED, max_examples=5)
    files = write_reports(result, tmp_path)
    assert files.html is not None
    assert files.reproduce is not None
    parser = _Text()
    parser.feed(files.html.read_text(encoding="utf-8"))
    text = "".join(parser.text)
    assert "NOT CERTIFIED: toy 0.0.1" in text
    assert "</failure>" in text  # the adapter's markup is shown as text…
    assert "script" not in parser.tags  # …and never becomes markup
    assert "b" not in parser.tags
    reproduce = files.reproduce.read_text(encoding="utf-8")
    assert result.reproduce_command(str(tmp_path)) in reproduce
    assert result.distribution["sha256"] in reproduce


def test_distribution_hash_changes_with_the_code(tmp_path: Path) -> None:
    from leportal_conformance.runner import distribution_fingerprint

    package = tmp_path / "hashme_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("X = 1\n", encoding="utf-8")
    import importlib
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        importlib.import_module("hashme_pkg")
        first = distribution_fingerprint("hashme_pkg")
        (package / "__init__.py").write_text("X = 2\n", encoding="utf-8")
        second = distribution_fingerprint("hashme_pkg")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("hashme_pkg", None)
    assert first["files"] == second["files"] == 1
    assert first["sha256"] != second["sha256"]


def test_deadline_abandons_a_hanging_call_and_fails_the_rest_of_the_test_at_once() -> None:
    release = threading.Event()
    try:
        with call_deadline(0.2):
            assert call(len, b"abc").value == 3
            hung = call(release.wait)
            assert isinstance(hung.error, CallTimeout)
            again = call(len, b"x")  # not called at all: no second wait for the deadline
            assert isinstance(again.error, CallTimeout)
            assert "not called" in str(again.error)
        with pytest.raises(ValueError, match="positive"), call_deadline(0):
            pass
    finally:
        release.set()


def test_exits_raised_by_adapter_code_on_the_worker_are_findings() -> None:
    def leave() -> None:
        raise SystemExit(3)

    def interrupt() -> None:
        raise KeyboardInterrupt

    with call_deadline(5):
        assert isinstance(call(leave).error, SystemExit)
        assert isinstance(call(interrupt).error, KeyboardInterrupt)


def _invoke(*args: str) -> tuple[int, str]:
    root = click.Group("leportal")
    plugin.leportal_register_commands(cli=root)
    result = CliRunner().invoke(root, ["conformance", "certify", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_cli_development_mode_with_known_failures(tmp_path: Path) -> None:
    known = tmp_path / "known.txt"
    known.write_text(
        "roundtrip.document\ngolden.vectors\nlarge.content\nroundtrip.kdl_codes\n"
        "malformed.mutations\n",
        encoding="utf-8",
    )
    args = [broken("drops_last_byte"), "--report-dir", str(tmp_path / "r"), "--seed", "1"]
    code, output = _invoke(
        *args, "--max-examples", "5", "--development", "--known-failures", str(known)
    )
    assert code == 0, output
    assert "KNOWN roundtrip.document[toy.document]" in output
    assert "DEVELOPMENT RUN PASSED" in output
    code, output = _invoke(*args, "--known-failures", str(known))
    assert code == 2
    assert "development mode" in output


def test_cli_timeout_option_is_recorded(tmp_path: Path) -> None:
    code, output = _invoke(
        TOY, "--report-dir", str(tmp_path), "--max-examples", "3", "--timeout", "7.5", "--json"
    )
    assert code == 0, output
    report = json.loads(output)
    assert report["call_timeout_s"] == 7.5
    assert "--timeout 7.5" in report["reproduce"]


def test_pytest_plugin_is_inert_without_the_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    assert True\n")
    result = pytester.runpytest_inprocess("-p", "leportal_conformance.pytest_plugin", "-q")
    result.assert_outcomes(passed=1)
    assert "leportal-conformance" not in result.stdout.str()


def test_pytest_plugin_runs_the_suite_as_items(pytester: pytest.Pytester) -> None:
    adapter = f"{toy_adapter.__name__}:two_codecs"
    result = pytester.runpytest_inprocess(
        "-p", "leportal_conformance.pytest_plugin", "--leportal-adapter", adapter,
        "--leportal-seed", "3", "--leportal-max-examples", "5", "-rs",
    )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0
    assert outcomes["passed"] >= 19
    assert outcomes["skipped"] >= 5
    assert "not applicable" in result.stdout.str()
    assert "CERTIFIED (seed 3)" in result.stdout.str()


def test_pytest_plugin_reports_a_broken_adapter(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "-p", "leportal_conformance.pytest_plugin", "--leportal-adapter", broken("accepts_empty"),
        "--leportal-seed", "3", "--leportal-max-examples", "5",
    )  # fmt: skip
    assert result.parseoutcomes()["failed"] == 1
    result.stdout.fnmatch_lines(
        ["*malformed.empty[[]toy.document[]]*", "*instead of raising FormatError*"]
    )
    assert result.ret == 1


def test_import_probe_resolves_the_working_directory_entry_of_sys_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # ``python -c`` puts "" (the working directory) first on sys.path; the probe runs elsewhere.
    root = Path(__file__).resolve().parents[2]
    import sys

    from leportal_conformance.tests_hygiene import ImportProbe, _import_clean

    monkeypatch.chdir(root)
    monkeypatch.setattr(
        sys, "path", ["", *(p for p in sys.path if Path(p or ".").resolve() != root)]
    )
    finding = _import_clean(ImportProbe(TOY))
    assert finding.status is Status.PASSED, finding.message


def test_pytest_plugin_unknown_adapter_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "-p", "leportal_conformance.pytest_plugin", "--leportal-adapter", "nosuch_adapter"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = result.stderr.str()
    assert "nosuch_adapter" in errors
    assert "INTERNALERROR" not in errors + result.stdout.str()
    assert "Traceback" not in errors


def test_pytest_plugin_uses_the_clis_example_count(pytester: pytest.Pytester) -> None:
    from leportal_conformance.model import DEFAULT_MAX_EXAMPLES

    config = pytester.parseconfig("-p", "leportal_conformance.pytest_plugin")
    assert config.getoption("--leportal-max-examples") == DEFAULT_MAX_EXAMPLES == 200
