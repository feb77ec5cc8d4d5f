"""Issue 16, items 1–7: verdicts on structures real documents have (generated here; the real files
are in tests/corpus/pdf and checked by tests/corpus/test_pdf_corpus.py)."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest

from leportal_core.pdf import PdfPolicy, inspect_pdf
from leportal_core.pdf._active import NameScan
from tests.core.pdf import makepdf


def codes(data: bytes, policy: PdfPolicy | None = None) -> list[str]:
    return [p.code for p in inspect_pdf(data, policy=policy).problems]


def qpdf_problems(data: bytes) -> list[str]:
    """What ``qpdf --check`` reports (through pikepdf), minus the page-resources notice every
    hand-built page here triggers."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        found = pdf.check_pdf_syntax()
    return [p for p in found if "Resources is missing" not in p]


def test_item1_reader_extended_form_is_not_an_embedded_file() -> None:
    data = makepdf.reader_extended()
    assert b"/EF [/Create" in data  # the UR3 permission list is there …
    verdict = inspect_pdf(data)
    assert verdict.active_content == ()  # … and is not taken for a file
    assert verdict.ok


def test_item1_a_real_file_specification_still_is() -> None:
    assert codes(makepdf.embedded_file()) == ["pdf.active_content.embedded_file"]


@pytest.mark.parametrize("object_streams", [True, False], ids=["xref-stream", "xref-table"])
def test_item2_firefox_saved_incremental_update_on_linearized_file_is_not_damaged(
    object_streams: bool,
) -> None:
    data = makepdf.firefox_saved(object_streams)
    first_xref = int(re.findall(rb"/Prev (\d+)", data)[-1])
    assert first_xref < data.index(b"%%EOF")  # /Prev points back into the linearized part
    verdict = inspect_pdf(data)
    assert verdict.problems == ()
    assert verdict.pages == 1
    assert qpdf_problems(data) == []  # the oracle agrees


def test_item3_startxref_at_the_end_of_line_before_xref_is_not_damaged() -> None:
    data = makepdf.eol_before_xref()
    assert codes(data) == []
    # qpdf accepts it too, with a notice that is not a repair
    assert [p for p in qpdf_problems(data) if "damaged" in p] == []


@pytest.mark.parametrize(
    ("build", "where"),
    [
        (makepdf.broken_xref, "neither an 'xref' table nor a cross-reference stream"),
        (makepdf.page_tree_loop, "loop"),
        (lambda: makepdf.simple().replace(b"/Root 1 0 R", b"/Root 9 0 R"), "/Root object 9"),
        (
            lambda: makepdf.simple().replace(b"0000000065 00000 n", b"0000000066 00000 n"),
            "object 2",
        ),
        (lambda: makepdf.simple().replace(b"/Kids [3 0 R]", b"/Kids [7 0 R]"), "kid 0 (7 0 R)"),
        (lambda: makepdf.simple().replace(b"xref\n0 5", b"xref\n0 999999999"), "more entries"),
    ],
    ids=[
        "startxref-wrong",
        "page-tree-loop",
        "root-missing",
        "entry-off-by-one",
        "page-missing",
        "subsection-too-large",
    ],
)
def test_item3_damage_is_decided_by_our_structure_check_and_qpdf_agrees(build, where: str) -> None:  # type: ignore[no-untyped-def]
    data = build()
    verdict = inspect_pdf(data)
    assert [p.code for p in verdict.problems] == ["pdf.damaged"]
    assert where in verdict.problems[0].message
    try:
        complaints = qpdf_problems(data)
    except pikepdf.PdfError:
        complaints = ["cannot open"]
    assert complaints != []


def test_item4_a_large_object_stream_costs_little_and_is_budgeted() -> None:
    data = makepdf.big_object_stream(65_000)
    assert 1_400_000 < len(data) < 1_700_000
    verdict = inspect_pdf(data)
    assert verdict.ok
    assert verdict.pages == 1
    # the object stream's 65,003 header pairs are charged once, not once per object read
    assert 65_000 < verdict.parsed_objects < 4 * 65_000
    stopped = inspect_pdf(data, policy=PdfPolicy(max_parsed_objects=100_000))
    assert [p.code for p in stopped.problems] == ["pdf.work_budget"]
    assert stopped.parsed_objects <= 100_000 + 65_003


def test_item4_every_budget_has_its_own_code() -> None:
    assert codes(makepdf.xfa_form(), PdfPolicy(max_inflated_bytes=50)) == ["pdf.work_budget"]
    assert codes(makepdf.simple(), PdfPolicy(max_parsed_objects=3)) == ["pdf.work_budget"]
    # CPU time: a limit no inspection can meet (time is never asserted, only the code)
    assert codes(makepdf.javascript(), PdfPolicy(max_cpu_seconds=1e-9)) == ["pdf.work_budget"]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
)
def test_item5_pdfa_claims_in_utf16_and_utf32_xmp_are_read(encoding: str) -> None:
    verdict = inspect_pdf(makepdf.pdfa_xmp("3", "U", encoding))
    assert verdict.pdfa == "3u"
    assert verdict.problems == ()


@pytest.mark.parametrize(
    ("part", "conformance", "claim", "flagged"),
    [
        ("1", "A", "1a", False),
        ("2", "u", "2u", False),
        ("4", None, "4", False),
        ("4", "E", "4e", False),
        ("1", "U", None, True),  # PDF/A-1 has no level U
        ("2", "Z", None, True),
        ("3", None, None, True),  # parts 1–3 require a level
        ("5", "B", None, True),
        ("4", "B", None, True),
    ],
)
def test_item5_invalid_conformance_letters_are_flagged(
    part: str, conformance: str | None, claim: str | None, flagged: bool
) -> None:
    verdict = inspect_pdf(makepdf.pdfa_xmp(part, conformance))
    assert verdict.pdfa == claim
    assert codes(makepdf.pdfa_xmp(part, conformance)) == (
        ["pdf.pdfa_claim_invalid"] if flagged else []
    )
    assert verdict.ok  # a bad claim is a warning: the document itself is fine


def test_item6_a_pdfa_claim_is_reported_as_a_claim_not_verified() -> None:
    verdict = inspect_pdf(makepdf.pdfa(2, "B"))
    assert (verdict.pdfa, verdict.pdfa_verified) == ("2b", False)
    assert verdict.as_dict()["pdfa_verified"] is False


def test_item7_xfa_script_is_javascript() -> None:
    assert inspect_pdf(makepdf.xfa_form(script=True)).active_content == ("javascript",)
    assert inspect_pdf(makepdf.xfa_form(script=False)).active_content == ()


@pytest.mark.parametrize(
    "build", [makepdf.associated_file_on_structure_element, makepdf.associated_file_on_page]
)
def test_item7_associated_files_are_embedded_files(build) -> None:  # type: ignore[no-untyped-def]
    assert codes(build()) == ["pdf.active_content.embedded_file"]


@pytest.mark.parametrize(
    ("algorithm", "old", "new"),
    [
        ("RC4-128", b"/Length 128", b"/Length 256"),
        ("AES-256", b"/V 5", b"/V 6"),
        ("AES-128", b"/Filter /Standard", b"/Filter /Unknown0"),
    ],
    ids=["rc4-key-length-256", "unknown-version", "unknown-handler"],
)
def test_item7_unsupported_encryption_is_encrypted_not_damaged(
    algorithm: str, old: bytes, new: bytes
) -> None:
    verdict = inspect_pdf(makepdf.encrypted_unsupported(algorithm, old, new))
    assert [p.code for p in verdict.problems] == ["pdf.encrypted"]
    assert verdict.encrypted


def test_item4_annotations_without_active_names_are_not_walked_but_escaped_names_are() -> None:
    """Annotations and the structure tree are walked only when a name active content needs
    (/JS, /JavaScript, /Launch, /EF, /XFA) or a ``#``-escaped name occurs in the file."""
    many = b" ".join(b"%d 0 R" % (5 + i) for i in range(2000))
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Annots ["
        + many
        + b"] >>"
    )
    annots = [
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 1 1] /A << /S /URI /URI (https://x) >> >>"
    ] * 2000
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        page,
        makepdf.CONTENT,
    ]
    quiet = inspect_pdf(makepdf.build([*objects, *annots]))
    assert quiet.ok
    assert quiet.active_content == ()
    escaped = [
        *annots[:-1],
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 1 1] /A << /S /J#61vaScript /J#53 (x) >> >>",
    ]
    loud = inspect_pdf(makepdf.build([*objects, *escaped]))
    assert loud.active_content == ("javascript",)
    assert loud.parsed_objects > quiet.parsed_objects + 2000  # the annotations were walked


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"1 0 obj<</Length 6>>stream\nab/JS x\nendstream\nendobj 2 0 obj<</S/JavaScript>>", True),
        (b"1 0 obj<</Length 6>>stream\nab/JS x\nendstream\nendobj 2 0 obj<</S/URI>>", False),
        (b"1 0 obj<</A 2 0 R>>endobj 2 0 obj<</S/J#61vaScript>>", True),
    ],
)
def test_item4_the_name_scan_skips_stream_data_however_the_file_is_chunked(
    data: bytes, found: bool
) -> None:
    for step in range(1, len(data) + 1):
        scan = NameScan()
        for start in range(0, len(data), step):
            scan.feed(data[start : start + step])
        scan.close()
        assert scan.found is found, step
