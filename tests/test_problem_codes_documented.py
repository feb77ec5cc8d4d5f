"""Doc-drift test: every problem code the source can produce is listed in docs/problem-codes.md."""

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
    text = (ROOT / "docs" / "problem-codes.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z][^`]*)` \|", text, flags=re.MULTILINE))


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
