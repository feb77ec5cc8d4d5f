"""Real public PDFs (see README.md here): leportal's verdict is the expected one, and its structural
verdict agrees with qpdf's (through pikepdf) except where docs/documents.md documents why not."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from leportal_core.pdf import inspect_pdf

HERE = Path(__file__).parent
ENTRIES: list[dict[str, Any]] = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
DOCS = (HERE.parents[2] / "docs" / "documents.md").read_text(encoding="utf-8")
_PAGE_TREE_ERRORS = ("Loop detected in /Pages", "unable to find page tree", "too deeply nested")


def qpdf_verdict(data: bytes) -> str:
    """``sound``, ``damaged`` (qpdf cannot open it, had to repair it, or its page tree is broken)
    or ``encrypted`` — what ``qpdf --check`` says about the structure."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                return "encrypted"
            problems = "\n".join(pdf.check_pdf_syntax())
    except pikepdf.PasswordError:
        return "encrypted"
    except Exception:  # qpdf gives up: that is its verdict
        return "damaged"
    if "file is damaged" in problems or "can't find PDF header" in problems:
        return "damaged"
    if any(error in problems for error in _PAGE_TREE_ERRORS):
        return "damaged"
    return "sound"


def our_verdict(codes: list[str]) -> str:
    if {"pdf.damaged", "pdf.not_pdf"} & set(codes):
        return "damaged"
    if {"pdf.too_complex", "pdf.work_budget"} & set(codes):
        return "limit"
    return "encrypted" if "pdf.encrypted" in codes else "sound"


def test_the_corpus_is_small_and_every_file_is_listed_once() -> None:
    files = sorted(p.name for p in HERE.glob("*.pdf"))
    assert files == sorted(e["file"] for e in ENTRIES)
    assert sum((HERE / f).stat().st_size for f in files) < 3_000_000
    assert all(e["licence"] and e["source"].startswith("https://github.com/") for e in ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_corpus_file_gets_its_expected_verdict(entry: dict[str, Any]) -> None:
    verdict = inspect_pdf(HERE / entry["file"])
    assert [p.code for p in verdict.problems] == entry["codes"]
    assert verdict.pages == entry["pages"]
    assert verdict.pdfa == entry["pdfa"]
    assert list(verdict.active_content) == entry["active_content"]
    assert verdict.pdfa_verified is False  # no validator runs: a PDF/A claim stays a claim


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_corpus_file_structure_verdict_agrees_with_qpdf(entry: dict[str, Any]) -> None:
    data = (HERE / entry["file"]).read_bytes()
    ours, theirs = our_verdict(entry["codes"]), qpdf_verdict(data)
    if "difference" in entry:
        # a documented, deliberate difference: it must still be one, and be in the docs
        assert theirs == entry["qpdf"]
        assert ours != theirs
        assert f"**{entry['difference']}**" in DOCS
    else:
        assert ours == theirs


def test_item6_claims_are_as_common_in_failing_as_in_passing_files() -> None:
    """veraPDF pass and fail files both claim PDF/A: the claim says nothing about conformance."""
    claims = {e["file"]: e["pdfa"] for e in ENTRIES if e["file"].startswith("vera-") and e["pdfa"]}
    assert any(name.endswith("-fail.pdf") for name in claims)
    assert any(name.endswith("-pass.pdf") for name in claims)
