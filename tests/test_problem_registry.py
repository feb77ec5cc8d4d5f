"""The problem-code registry is complete and the generated docs and JSON agree with it.

Replaces the older doc-table scan: every code the source can produce is declared exactly once
(in ``leportal_core/_problem_codes.py`` or an adapter's ``problem_codes.py``), every declared
code is used, codes follow the one grammar, and ``docs/problem-codes.md`` and
``leportal_core/codes.json`` are what the registry generates. Other docs pages may keep their own
``| code | meaning |`` tables, but only with declared codes.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from leportal_core.cli import build_cli
from leportal_core.errors import Location, Problem, Severity
from leportal_core.identifiers import bsnr, ik, kvnr, lanr
from leportal_core.plugins import new_plugin_manager
from leportal_core.problems import (
    GRAMMAR,
    Kind,
    ProblemCode,
    Registry,
    Section,
    collect,
    core_registry,
    to_json,
    to_markdown,
)

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "leportal_core", ROOT / "adapters", ROOT / "conformance"]
_CODE = r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+"
# Literal codes in the forms the code base uses to create problems.
LITERAL = re.compile(
    rf"""(?:code=|default_code\s*=\s*|\.add\(\s*|\.problem\(\s*)["']({_CODE})["']"""
)
# Calls of the validation kit with a literal prefix: the kit appends the kinds it can report.
KIT_CALL = re.compile(rf"""text_problems\(\s*[^,]+,\s*["']({_CODE})["']""")
KINDS = ("type", "missing", "empty", "too_long", "characters")


def kit_codes(text: str) -> set[str]:
    codes: set[str] = set()
    for match in KIT_CALL.finditer(text):
        depth, end = 1, match.end()
        while depth:  # the rest of the call, to its balanced closing parenthesis
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        args = text[match.end() : end]
        kinds = set(KINDS)
        if "optional=True" in args:
            kinds.discard("missing")
        if "required=False" in args:
            kinds.discard("empty")
        codes.update(f"{match.group(1)}.{kind}" for kind in kinds)
    return codes


def produced() -> set[str]:
    codes: set[str] = set()
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            if path.name == "problem_codes.py" or path.name == "_problem_codes.py":
                continue
            text = path.read_text(encoding="utf-8")
            codes.update(LITERAL.findall(text))
            codes.update(kit_codes(text))
    for scheme in (ik, kvnr, lanr, bsnr):
        codes.update(scheme.PROBLEM_CODES)
    return codes


BUNDLED = ("leportal_fhir", "leportal_kis_archive", "leportal_qpr_sftp", "leportal_therapy_pvs")


@pytest.fixture(scope="module")
def registry() -> Registry:
    # The bundled adapters, registered explicitly: tests/conftest.py turns entry points off.
    pm = new_plugin_manager()
    for package in BUNDLED:
        pm.register(importlib.import_module(f"{package}.plugin"))
    return collect(pm)


def test_every_produced_code_is_declared(registry: Registry) -> None:
    codes = produced()
    assert len(codes) > 400  # the scan found the code base's codes, not nothing
    assert sorted(codes - {d.code for d in registry}) == []


def test_every_declared_code_is_produced(registry: Registry) -> None:
    assert sorted({d.code for d in registry} - produced()) == []


def test_codes_follow_the_one_grammar(registry: Registry) -> None:
    assert [d.code for d in registry if not GRAMMAR.match(d.code)] == []
    with pytest.raises(ValueError, match="does not follow"):
        ProblemCode("therapy.Text", Kind.INPUT, "upper case")
    with pytest.raises(ValueError, match="does not follow"):
        ProblemCode("fhir.a.b.c.d", Kind.INPUT, "five segments")


# ``<component>.<kind>``: the whole input is the subject (``pdf.damaged``, ``store.locked``). Frozen:
# a new code names its subject, ``<component>.<subject>.<kind>`` (``therapy.ik.invalid``).
WHOLE_INPUT_CODES = frozenset(
    [
        "billing.duplicate",
        "billing.line_ending",
        "bsnr.format",
        "bsnr.length",
        "cases.invalid",
        "config.invalid",
        "deadline.invalid",
        "delivery.source_changed",
        "fhir.structure",
        "format.invalid",
        "identifier.checksum",
        "identifier.component",
        "identifier.format",
        "identifier.invalid",
        "identifier.length",
        "ik.checksum",
        "ik.format",
        "ik.length",
        "input.not_regular",
        "input.too_large",
        "kvnr.checksum",
        "kvnr.format",
        "kvnr.length",
        "lanr.checksum",
        "lanr.format",
        "lanr.length",
        "leportal.error",
        "pdf.damaged",
        "pdf.decompression_bomb",
        "pdf.empty",
        "pdf.encrypted",
        "pdf.no_pages",
        "pdf.not_pdf",
        "pdf.pdfa_claim_invalid",
        "pdf.too_complex",
        "pdf.too_large",
        "pdf.unreadable",
        "pdf.work_budget",
        "plugin.error",
        "qpr_sftp.busy",
        "qpr_sftp.failed",
        "store.conflict",  # the store as a whole, like store.locked
        "store.damaged",
        "store.empty",
        "store.failed",
        "store.foreign",
        "store.full",
        "store.locked",
        "store.missing",
        "store.newer",
        "store.readonly",
        "store.unavailable",
        "store.unsupported",
        "therapy.required",
        "therapy.type",
        "therapy_pvs.json",
        "validation.failed",
    ]
)


def test_new_codes_name_their_subject(registry: Registry) -> None:
    two = {d.code for d in registry if d.code.count(".") == 1}
    assert sorted(two - WHOLE_INPUT_CODES) == []
    assert sorted(WHOLE_INPUT_CODES - two) == []  # the frozen list names only live codes


def test_the_text_kinds_have_one_spelling(registry: Registry) -> None:
    # The validation kit's vocabulary; synonyms that the three old validators used are gone.
    synonyms = {"control_character", "control_characters"}
    assert [d.code for d in registry if d.code.rsplit(".", 1)[1] in synonyms] == []


def test_adapters_declare_only_in_their_own_namespaces(registry: Registry) -> None:
    owners = {registry.owner(d.code) for d in registry}
    assert owners == {
        "leportal_core",
        "leportal_fhir",
        "leportal_kis_archive",
        "leportal_qpr_sftp",
        "leportal_therapy_pvs",
    }
    assert registry.owner("fhir.bundle.empty") == "leportal_fhir"
    intruder = Section("x", "", (ProblemCode("ik.stolen", Kind.INPUT, "x"),), owner="leportal_x")
    with pytest.raises(ValueError, match="namespace of leportal_core"):
        registry.add(intruder)


def test_a_code_is_declared_once() -> None:
    twice = ProblemCode("demo.twice", Kind.INPUT, "x")
    registry = Registry([Section("a", "", (twice,))])
    with pytest.raises(ValueError, match="declared twice"):
        registry.add(Section("b", "", (ProblemCode("demo.other", Kind.INPUT, "y"), twice)))
    assert "demo.other" not in registry  # a refused section leaves nothing behind


def test_an_alias_names_one_code() -> None:
    left = ProblemCode("demo.a.left", Kind.INPUT, "x", formerly=("demo.gone",))
    right = ProblemCode("demo.a.right", Kind.INPUT, "y", formerly=("demo.gone",))
    with pytest.raises(ValueError, match="renamed to both"):
        Registry([Section("a", "", (left, right))])


def test_renamed_codes_keep_working_through_aliases(registry: Registry) -> None:
    assert registry.aliases["therapy.control_character"] == "therapy.text.characters"
    assert registry.lookup("therapy.too_long").code == "therapy.text.too_long"
    # A split code is still declared: it stays a fallback, never an alias.
    assert "therapy.type" in registry
    assert "therapy.type" not in registry.aliases
    assert set(registry.aliases).isdisjoint(d.code for d in registry)
    assert all(new in registry for new in registry.aliases.values())


def test_problems_are_made_from_declared_codes(registry: Registry) -> None:
    made = registry.problem("therapy.too_long", location=Location(field="x"))
    declared = registry.lookup("therapy.text.too_long")
    assert made == Problem(
        code="therapy.text.too_long", message=declared.meaning, location=Location(field="x")
    )
    warning = ProblemCode("demo.late", Kind.STATE, "{days} days late", Severity.WARNING)
    assert warning.problem(days=3).as_dict() == {
        "code": "demo.late",
        "message": "3 days late",
        "severity": "warning",
    }
    with pytest.raises(KeyError):
        registry.lookup("no.such_code")


def test_the_core_registry_needs_no_plugin_manager() -> None:
    core = core_registry()
    assert "ik.checksum" in core
    assert "fhir.bundle.empty" not in core


def test_generated_docs_and_json_are_up_to_date(registry: Registry) -> None:
    hint = "regenerate: python -m leportal_core.problems --markdown / --json"
    page = (ROOT / "docs" / "problem-codes.md").read_text(encoding="utf-8")
    assert page == to_markdown(registry), hint
    shipped = (ROOT / "leportal_core" / "codes.json").read_text(encoding="utf-8")
    assert shipped == to_json(registry), hint
    data = json.loads(shipped)
    assert {c["code"] for c in data["codes"]} == {d.code for d in registry}
    assert data["aliases"] == registry.aliases


def documented_elsewhere() -> dict[str, set[str]]:
    """Codes in the first column of ``| code | meaning |`` tables on the other docs pages."""
    found: dict[str, set[str]] = {}
    row = re.compile(r"^\| `([a-z][a-z0-9_<>]*(?:\.[a-z0-9_<>]+)+)` \|")
    for page in (ROOT / "docs").glob("*.md"):
        if page.name == "problem-codes.md":
            continue
        in_table = False
        for line in page.read_text(encoding="utf-8").splitlines():
            if re.match(r"^\| code \| meaning \|", line):
                in_table = True
            elif not line.startswith("|"):
                in_table = False
            elif in_table and (match := row.match(line)):
                found.setdefault(match.group(1), set()).add(page.name)
    return found


def test_other_docs_tables_name_only_declared_codes(registry: Registry) -> None:
    stale = {
        code: pages
        for code, pages in documented_elsewhere().items()
        if code not in registry  # an alias is an old name: pages show the current one
    }
    assert stale == {}


def _run(pm: object, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_cli(pm), ["problems", *args])  # type: ignore[arg-type]
    return result.exit_code, result.output


def test_the_cli_prints_the_catalogue_hosts_translate() -> None:
    pm = new_plugin_manager()
    pm.register(importlib.import_module("leportal_fhir.plugin"))
    status, out = _run(pm, "--json")
    data = json.loads(out)
    assert status == 0
    assert data["ok"] is True
    assert {"ik.checksum", "fhir.bundle.empty"} <= {c["code"] for c in data["codes"]}
    assert "kis_archive.msh.missing" not in {c["code"] for c in data["codes"]}  # not installed
    assert data["aliases"]["therapy.too_long"] == "therapy.text.too_long"


def test_the_cli_explains_one_code_and_follows_aliases() -> None:
    status, out = _run(new_plugin_manager(), "therapy.control_character", "--json")
    assert status == 0
    assert json.loads(out)["code"]["code"] == "therapy.text.characters"
    status, out = _run(new_plugin_manager(), "no.such_code")
    assert status == 2
    assert "no problem code" in out


def _enclosing_call(text: str, position: int) -> str:
    """The text of the innermost call whose parentheses hold ``position``."""
    depth, start = 0, position
    while True:
        start -= 1
        if start < 0:
            return ""  # not inside a call (a class attribute such as ``default_code``)
        if text[start] == ")":
            depth += 1
        elif text[start] == "(":
            if depth == 0:
                break
            depth -= 1
    depth, end = 1, start + 1
    while depth and end < len(text):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        end += 1
    return text[start:end]


UNCONDITIONAL_WARNING = re.compile(r"severity=Severity\.WARNING\s*[,)]|warning=True|error=False")


def test_codes_always_reported_as_warnings_are_declared_as_warnings(registry: Registry) -> None:
    reported: set[str] = set()
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for match in LITERAL.finditer(text):
                if UNCONDITIONAL_WARNING.search(_enclosing_call(text, match.start(1))):
                    reported.add(match.group(1))
    assert len(reported) > 10
    assert sorted(c for c in reported if registry.lookup(c).severity is not Severity.WARNING) == []
