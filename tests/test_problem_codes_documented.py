"""Doc-drift test: every problem code the source can produce is listed in a table of the docs.

General, identifier, document and FHIR codes live in docs/problem-codes.md; a component with many
codes may keep its table on its own page (e.g. docs/pdf.md) under the header ``| code | meaning |``.
"""

from __future__ import annotations

import re
from pathlib import Path

from leportal_core.identifiers import bsnr, ik, kvnr, lanr

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "leportal_core", ROOT / "adapters", ROOT / "conformance"]
# Literal codes in the forms the code base uses to create problems.
LITERAL = re.compile(
    r"""(?:code=|default_code\s*=\s*|\.add\(\s*)["']([a-z][a-z0-9_]*(?:\.[a-z0-9_<>]+)+)["']"""
)
FIELD_TEMPLATE = re.compile(r"""code=f["']document\.\{name\}\.([a-z_]+)["']""")


def documented() -> set[str]:
    """Codes in the first column of every docs table whose header is ``| code | meaning |``."""
    codes: set[str] = set()
    row = re.compile(r"^\| `([a-z][a-z0-9_<>]*(?:\.[a-z0-9_<>]+)+)` \|")
    for page in (ROOT / "docs").glob("*.md"):
        in_table = False
        for line in page.read_text(encoding="utf-8").splitlines():
            if re.match(r"^\| code \| meaning \|", line):
                in_table = True
            elif not line.startswith("|"):
                in_table = False
            elif in_table and (match := row.match(line)):
                codes.add(match.group(1))
    return codes


def produced() -> set[str]:
    codes: set[str] = set()
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            codes.update(LITERAL.findall(text))
            codes.update(f"document.<field>.{kind}" for kind in FIELD_TEMPLATE.findall(text))
    for scheme in (ik, kvnr, lanr, bsnr):
        codes.update(scheme.PROBLEM_CODES)
    return codes


def test_every_produced_code_is_documented() -> None:
    codes = produced()
    assert len(codes) > 40  # the scan found the code base's codes, not nothing
    assert codes - documented() == set()


def test_documented_codes_are_not_stale() -> None:
    assert documented() - produced() == set()
