"""Rendered PDFs pass the core PDF check, claim PDF/A-2b and contain every field as text."""

from __future__ import annotations

import io

import pypdf
import pytest

from leportal_core.errors import ValidationError
from leportal_core.pdf import inspect_pdf
from leportal_core.therapy import Continuation, Recommendation
from leportal_therapy_pvs.render import accept_pdf, render_flyer, render_report, report_lines
from leportal_therapy_pvs.samples import sample_report


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def flat(value: str) -> str:
    return " ".join(value.split())


def every_field(report: object) -> list[str]:
    from leportal_core.therapy import TherapyReport

    assert isinstance(report, TherapyReport)
    values = [value for _, rows in report_lines(report) for _, value in rows]
    values += [label for _, rows in report_lines(report) for label, _ in rows]
    practice = report.practice
    values += [
        practice.name, practice.ik, practice.address.street, practice.address.city,
        practice.address.postal_code, practice.kim_address or "", practice.phone or "",
        practice.support_contact or "", practice.discipline.value,
        report.therapist.name, report.therapist.profession, report.report_id, "20.11.2026",
        report.befund, report.therapieverlauf, report.therapieziele,
        "Befund", "Therapieverlauf", "Therapieziele", "Empfehlung", "Verordnung",
    ]  # fmt: skip
    return [flat(v) for v in values if v]


@pytest.mark.parametrize("kim", [True, False])
def test_report_pdf_passes_core_check_and_contains_every_field(kim: bool) -> None:
    report = sample_report(kim=kim)
    pdf = render_report(report)
    verdict = inspect_pdf(pdf)
    assert verdict.ok
    assert verdict.pdfa == "2b"
    assert verdict.active_content == ()
    assert verdict.pages is not None
    assert verdict.pages >= 1
    text = text_of(pdf)
    missing = [value for value in every_field(report) if value not in text]
    assert missing == []
    assert f"Seite 1 von {verdict.pages}" in text


def test_pause_and_other_therapy_are_printed() -> None:
    import attrs

    report = attrs.evolve(
        sample_report(),
        recommendation=Recommendation(
            continuation=Continuation.PAUSIEREN, pause_weeks=6, other_therapy="Ergotherapie"
        ),
    )
    text = text_of(render_report(report))
    assert "pausieren (6 Wochen)" in text
    assert "Ergotherapie" in text


def test_long_report_is_paginated_with_page_numbers() -> None:
    import attrs

    long_text = " ".join(["Übungsbehandlung mit Fortschritt."] * 400)
    report = attrs.evolve(sample_report(), therapieverlauf=long_text)
    pdf = render_report(report)
    pages = inspect_pdf(pdf).pages
    assert pages is not None
    assert pages >= 4
    assert f"Seite {pages} von {pages}" in text_of(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # Without the letterhead (2 lines) and the footer (last line) the pages read as one text.
    body = " ".join(" ".join(page.extract_text().splitlines()[2:-1]) for page in reader.pages)
    assert flat(long_text) in flat(body)


def test_rendering_is_deterministic_but_for_the_modify_date() -> None:
    import re

    def masked(pdf: bytes) -> bytes:
        # fpdf2 stamps the XMP ModifyDate and MetadataDate with the current time (to the
        # second, so two renderings can straddle a second); the trailer /ID hashes them.
        pdf = re.sub(rb"(Modify|Metadata)Date[^0-9]*[0-9T:+-]+", rb"\1Date", pdf)
        return re.sub(rb"/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"/ID", pdf)

    assert masked(render_report(sample_report())) == masked(render_report(sample_report()))


def test_flyer_has_cover_and_report() -> None:
    report = sample_report(kim=False)
    pdf = render_flyer(report)
    assert inspect_pdf(pdf).ok
    text = text_of(pdf)
    assert "keine KIM-Adresse" in text or "KIM-Adresse bekannt" in text
    assert "Therapiebericht für Käthe Müller-Lüdenscheidt" in text
    assert flat(report.befund) in text


def test_practice_pdf_is_checked_the_same_way() -> None:
    pdf = render_report(sample_report())
    assert accept_pdf(pdf).ok
    with pytest.raises(ValidationError) as exc:
        accept_pdf(b"%PDF-1.7 broken")
    assert exc.value.problems[0].code == "pdf.damaged"
