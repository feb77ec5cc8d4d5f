"""PDF inspection on benign and hostile files the tests build themselves (see makepdf)."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core.errors import Severity, ValidationError
from leportal_core.pdf import ActiveContentAction, PdfPolicy, inspect_pdf
from tests.core.pdf import makepdf

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "entlassungsbericht.pdf"


def codes(data: bytes, policy: PdfPolicy | None = None) -> list[str]:
    return [p.code for p in inspect_pdf(data, policy=policy).problems]


def test_a_good_pdf_is_accepted_with_its_facts() -> None:
    data = SAMPLE.read_bytes()
    verdict = inspect_pdf(SAMPLE)
    assert verdict.ok
    assert verdict.problems == ()
    assert (verdict.pages, verdict.version, verdict.encrypted) == (1, "1.7", False)
    assert verdict.size == len(data)
    assert verdict.sha256 == hashlib.sha256(data).hexdigest()
    assert verdict.source == str(SAMPLE)
    verdict.raise_for_problems()  # does not raise


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (makepdf.encrypted, ["pdf.encrypted"]),
        (lambda: makepdf.simple()[:-40], ["pdf.damaged"]),  # truncated: %%EOF cut off
        (makepdf.garbage_with_header, ["pdf.damaged"]),
        (makepdf.broken_xref, ["pdf.damaged"]),
        (makepdf.page_tree_loop, ["pdf.damaged"]),
        (makepdf.no_pages, ["pdf.no_pages"]),
        (makepdf.javascript, ["pdf.active_content.javascript"]),
        (makepdf.javascript_in_annotation, ["pdf.active_content.javascript"]),
        (makepdf.launch, ["pdf.active_content.launch"]),
        (makepdf.embedded_file, ["pdf.active_content.embedded_file"]),
        (makepdf.deep_direct_nesting, ["pdf.too_complex"]),
        (makepdf.deep_reference_chain, ["pdf.too_complex"]),
        (lambda: makepdf.metadata_bomb(64), ["pdf.decompression_bomb"]),
        (lambda: b"", ["pdf.empty"]),
        (lambda: b"GIF89a not a pdf", ["pdf.not_pdf"]),
    ],
    ids=lambda v: getattr(v, "__name__", None) if callable(v) else None,
)
def test_hostile_and_broken_files_get_the_right_code(build, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    verdict = inspect_pdf(build())
    assert [p.code for p in verdict.problems] == expected
    assert not verdict.ok
    with pytest.raises(ValidationError) as caught:
        verdict.raise_for_problems()
    assert caught.value.code == expected[0]


def test_reference_loops_in_actions_and_outlines_end() -> None:
    verdict = inspect_pdf(makepdf.reference_loop())
    assert verdict.ok
    assert verdict.pages == 1


def test_a_content_bomb_is_never_inflated() -> None:
    """Page content is not decoded, so a 1:1000 bomb there costs nothing to inspect."""
    data = makepdf.content_bomb(200)
    tracemalloc.start()
    verdict = inspect_pdf(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert verdict.pages == 1
    assert peak < 16_000_000


def test_a_metadata_bomb_is_stopped_with_bounded_memory() -> None:
    data = makepdf.metadata_bomb(200)
    tracemalloc.start()
    verdict = inspect_pdf(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [p.code for p in verdict.problems] == ["pdf.decompression_bomb"]
    assert peak < 32_000_000


def test_size_limit_is_per_policy_and_skips_parsing() -> None:
    data = makepdf.simple()
    assert codes(data, PdfPolicy(max_size=len(data))) == []
    verdict = inspect_pdf(data, policy=PdfPolicy(max_size=len(data) - 1))
    assert [p.code for p in verdict.problems] == ["pdf.too_large"]
    assert verdict.sha256 == hashlib.sha256(data).hexdigest()
    assert verdict.pages is None


def test_active_content_can_be_downgraded_to_a_warning() -> None:
    verdict = inspect_pdf(
        makepdf.javascript(), policy=PdfPolicy(active_content=ActiveContentAction.WARN)
    )
    assert verdict.ok
    assert [(p.code, p.severity) for p in verdict.problems] == [
        ("pdf.active_content.javascript", Severity.WARNING)
    ]
    assert verdict.active_content == ("javascript",)


def test_encrypted_with_empty_user_password_is_still_rejected_but_read() -> None:
    verdict = inspect_pdf(makepdf.encrypted(password=""))
    assert [p.code for p in verdict.problems] == ["pdf.encrypted"]
    assert "without a password" in verdict.problems[0].message
    assert verdict.pages == 1


def test_claimed_pdfa_is_read_from_xmp() -> None:
    assert inspect_pdf(makepdf.pdfa(2, "B")).pdfa == "2b"
    assert inspect_pdf(makepdf.pdfa(3, "u")).pdfa == "3u"
    assert inspect_pdf(makepdf.simple()).pdfa is None


def test_catalog_version_overrides_an_older_header() -> None:
    data = makepdf.simple(b"/Version /2.0")
    assert inspect_pdf(data).version == "2.0"


def test_streams_pipes_and_offsets_give_the_same_verdict(tmp_path: Path) -> None:
    data = makepdf.javascript()

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            chunk = self.inner.read(min(len(buffer), 100))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    offset = io.BytesIO(b"xx" + data)
    offset.seek(2)
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    verdicts = [
        inspect_pdf(data),
        inspect_pdf(Pipe()),  # type: ignore[arg-type]
        inspect_pdf(offset),
        inspect_pdf(path),
    ]
    assert {(v.sha256, v.size, v.pages, v.active_content) for v in verdicts} == {
        (hashlib.sha256(data).hexdigest(), len(data), 1, ("javascript",))
    }


def test_an_unreadable_path_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    verdict = inspect_pdf(tmp_path / "missing.pdf")
    assert [p.code for p in verdict.problems] == ["pdf.unreadable"]
    assert verdict.sha256 is None


@settings(max_examples=60)  # expensive examples
@given(body=st.binary(max_size=2000), cut=st.integers(min_value=0, max_value=600))
def test_arbitrary_bytes_never_raise(body: bytes, cut: int) -> None:
    """Random bodies, and good files with random damage, always give a verdict with pdf codes."""
    for data in (b"%PDF-1.7\n" + body + b"\n%%EOF\n", makepdf.simple()[:cut] + body + b"%%EOF"):
        verdict = inspect_pdf(data)
        assert verdict.size == len(data)
        assert verdict.sha256 == hashlib.sha256(data).hexdigest()
        assert all(p.code.startswith("pdf.") for p in verdict.problems)


def test_large_damaged_files_are_not_loaded_whole_for_repair() -> None:
    policy = PdfPolicy(max_repair_bytes=100_000)
    good = makepdf.padded(makepdf.javascript(), 300_000)
    verdict = inspect_pdf(good, policy=policy)
    assert [p.code for p in verdict.problems] == ["pdf.active_content.javascript"]
    assert verdict.pages == 1
    padded = makepdf.padded(makepdf.simple(), 300_000)
    head, _, tail = padded.rpartition(b"startxref\n")
    offset = int(tail.split(b"\n")[0]) + 7  # points into the middle of the xref table
    broken = head + b"startxref\n" + str(offset).encode() + b"\n%%EOF\n"
    # The broken chain is found by our own check, so pypdf never gets to load it whole for repair.
    assert [p.code for p in inspect_pdf(broken, policy=policy).problems] == ["pdf.damaged"]
    assert [p.code for p in inspect_pdf(broken).problems] == ["pdf.damaged"]
