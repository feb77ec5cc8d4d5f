"""Render a Therapiebericht as a paginated PDF/A-2b with fpdf2 (and the printable flyer for a
doctor without KIM), and accept a PDF the practice software made instead.

fpdf2 (https://py-pdf.github.io/fpdf2/) writes PDF/A-2B itself when asked
(``enforce_compliance="PDF/A-2B"``: XMP ``pdfaid``, sRGB output intent, embedded fonts only). The
font is DejaVu Sans (Bitstream Vera licence, ``fonts/LICENSE-DejaVu.txt``), shipped inside this
package so German characters render the same on any machine. Every PDF goes through the core's
:func:`leportal_core.pdf.inspect_pdf` before it leaves this module. The creation date is the
report date, so two renderings differ only in the XMP ``ModifyDate`` that fpdf2 sets to the
current time.

Fonts: the shipped TTFs are subsets made at build time (``tools/subset_fonts.py``) holding the
glyphs of :data:`REPERTOIRE` — German and other European Latin text, Greek letters, typographic
quotes and dashes, arrows, € and common signs. They are parsed once per process (fpdf2 would parse
the TTF for every document); each document gets a fresh fontTools object for fpdf2's own subset.
Text outside the repertoire is refused with ``therapy_pvs.render.uncovered_character`` instead of
fpdf2's silent empty box; text is NFC-normalised first, so decomposed umlauts are covered too.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import unicodedata
from collections.abc import Iterable
from importlib import resources
from io import BytesIO
from pathlib import Path
from typing import Final

from fontTools import ttLib  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.errors import FPDFException
from fpdf.fonts import SubsetMap, TTFFont

from leportal_core.errors import Problem, ValidationError
from leportal_core.pdf import PdfVerdict, inspect_pdf
from leportal_core.therapy import Continuation, TherapyReport

__all__ = [
    "REPERTOIRE",
    "accept_pdf",
    "covered_characters",
    "render_flyer",
    "render_report",
    "report_lines",
]

_FONT = "DejaVu"
_FONT_FILES: Final = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_MARGIN = 20.0


def _ranges(*spans: tuple[int, int]) -> frozenset[str]:
    return frozenset(chr(c) for first, last in spans for c in range(first, last + 1))


REPERTOIRE: Final = _ranges(
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: umlauts, ß, §, °, ², ½, «», ·, ×, ÷, µ, NBSP
    (0x0100, 0x017F),  # Latin Extended-A: names from Poland, Czechia, Turkey, Hungary, Croatia …
    (0x0192, 0x0192),  # ƒ
    (0x01A0, 0x01A1),  # Ơ ơ (Vietnamese)
    (0x01AF, 0x01B0),  # Ư ư (Vietnamese)
    (0x0218, 0x021B),  # Ș ș Ț ț (Romanian)
    (0x0391, 0x03A1),  # Greek capitals (β-Blocker, Δ …)
    (0x03A3, 0x03A9),
    (0x03B1, 0x03C9),  # Greek small letters
    (0x1E9E, 0x1E9E),  # ẞ capital sharp s
    (0x1EA0, 0x1EF9),  # Latin Extended Additional: Vietnamese names (Nguyễn)
    (0x2002, 0x200A),  # typographic spaces (thin space …)
    (0x2010, 0x2015),  # hyphens and dashes – —
    (0x2018, 0x201E),  # quotes ‘ ’ ‚ “ ” „
    (0x2020, 0x2022),  # † ‡ •
    (0x2026, 0x2026),  # …
    (0x202F, 0x202F),  # narrow no-break space
    (0x2030, 0x2030),  # ‰
    (0x2032, 0x2033),  # ′ ″
    (0x2039, 0x203A),  # ‹ ›
    (0x20AC, 0x20AC),  # €
    (0x2116, 0x2116),  # №
    (0x2122, 0x2122),  # ™
    (0x2190, 0x2199),  # arrows ← ↑ → ↓ ↔ ↕ ↖ ↗ ↘ ↙
    (0x21D0, 0x21D5),  # double arrows ⇐ ⇑ ⇒ ⇓ ⇔ ⇕
    (0x2212, 0x2213),  # − ∓
    (0x221E, 0x221E),  # ∞
    (0x2248, 0x2248),  # ≈
    (0x2260, 0x2260),  # ≠
    (0x2264, 0x2265),  # ≤ ≥
    (0x2610, 0x2612),  # ☐ ☑ ☒
    (0x2713, 0x2714),  # ✓ ✔
    (0x2717, 0x2718),  # ✗ ✘
)
"""Every character the shipped fonts must hold (``tools/subset_fonts.py`` keeps exactly these
glyphs; a test checks both fonts cover all of them and every character of the templates)."""

_LAYOUT: Final = frozenset("\n\r")  # handled by fpdf2's line breaking, not drawn


def _font_path(name: str) -> Path:
    return Path(str(resources.files("leportal_therapy_pvs") / "fonts" / name))


class _ParsedFont:
    """A font parsed once per process: fpdf2's metrics object and the TTF bytes."""

    def __init__(self, style: str, name: str) -> None:
        scratch = FPDF()
        scratch.add_font(_FONT, style, str(_font_path(name)))
        font = scratch.fonts[f"{_FONT.lower()}{style}"]
        assert isinstance(font, TTFFont)
        self.template = font
        self.data = _font_path(name).read_bytes()
        self.characters = frozenset(map(chr, font.cmap))

    def for_document(self, pdf: FPDF, fontkey: str) -> TTFFont:
        """A copy sharing the read-only metrics, with the per-document state fpdf2 changes fresh:
        the used-glyph map, missing glyphs, and the fontTools object its output subsets in
        place (read lazily from bytes in memory: only the tables the subset needs are parsed)."""
        font = copy.copy(self.template)
        font.i = len(pdf.fonts) + 1
        font.fontkey = fontkey
        font.ttfont = ttLib.TTFont(
            BytesIO(self.data), recalcTimestamp=False, recalcBBoxes=False, lazy=True
        )
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        return font


_PARSED: dict[str, _ParsedFont] = {}
_PARSING = threading.Lock()


def _parsed(style: str) -> _ParsedFont:
    with _PARSING:
        if style not in _PARSED:
            _PARSED[style] = _ParsedFont(style, _FONT_FILES[style])
        return _PARSED[style]


def covered_characters() -> frozenset[str]:
    """The characters both shipped fonts (regular and bold) can draw."""
    return _parsed("").characters & _parsed("B").characters


class _Uncovered(Exception):
    def __init__(self, missing: list[str], text: str) -> None:
        super().__init__(missing)
        self.missing, self.text = missing, text


def _date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _yes(value: bool) -> str:
    return "ja" if value else "nein"


class _ReportPdf(FPDF):
    """A4 page with the practice letterhead on every page and "Seite n von m" at the foot."""

    def __init__(self, report: TherapyReport, title: str) -> None:
        super().__init__(format="A4", enforce_compliance="PDF/A-2B")
        self.report, self.doc_title = report, title
        for style in _FONT_FILES:
            fontkey = f"{_FONT.lower()}{style}"
            self.fonts[fontkey] = _parsed(style).for_document(self, fontkey)
        self._covered = covered_characters()
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=22)
        self.alias_nb_pages()
        practice = report.practice
        self.set_title(f"{title} {report.report_id}")
        self.set_author(practice.name)
        self.set_subject(f"{title} für {report.patient.given_name} {report.patient.family_name}")
        self.set_creator("leportal therapy_pvs")
        self.set_lang("de-DE")
        created = dt.datetime.combine(report.created, dt.time(12, 0), tzinfo=dt.UTC)
        self.set_creation_date(created)

    def normalize_text(self, text: str) -> str:
        """fpdf2's hook for every text drawn: NFC, tabs as spaces, and refuse what the fonts lack
        (fpdf2 would draw an empty box and only log a warning)."""
        text = unicodedata.normalize("NFC", text).replace("\t", " ")
        if not self._covered.issuperset(text):
            missing = sorted(set(text) - self._covered - _LAYOUT)
            if missing:
                raise _Uncovered(missing, text)
        return super().normalize_text(text)

    def header(self) -> None:
        practice = self.report.practice
        self.set_font(_FONT, "B", 12)
        self.cell(0, 6, practice.name, new_x="LMARGIN", new_y="NEXT")
        self.set_font(_FONT, "", 9)
        address = practice.address
        contact = [f"{address.street}, {address.postal_code} {address.city}", f"IK {practice.ik}"]
        if practice.phone:
            contact.append(f"Tel. {practice.phone}")
        if practice.kim_address:
            contact.append(f"KIM {practice.kim_address}")
        self.cell(0, 5, " · ".join(contact), new_x="LMARGIN", new_y="NEXT")
        y = self.get_y() + 1
        self.line(_MARGIN, y, self.w - _MARGIN, y)
        self.set_y(y + 4)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(_FONT, "", 8)
        self.cell(0, 5, f"{self.doc_title} {self.report.report_id}", align="L")
        self.set_x(_MARGIN)
        self.cell(0, 5, f"Seite {self.page_no()} von {{nb}}", align="R")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(_FONT, "B", 11)
        self.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(_FONT, "", 10)

    def pairs(self, rows: Iterable[tuple[str, str]]) -> None:
        self.set_font(_FONT, "", 10)
        for label, value in rows:
            self.set_font(_FONT, "B", 10)
            self.cell(55, 5.5, label)
            self.set_font(_FONT, "", 10)
            self.multi_cell(0, 5.5, value, new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str) -> None:
        self.set_font(_FONT, "", 10)
        self.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")


def report_lines(report: TherapyReport) -> list[tuple[str, list[tuple[str, str]]]]:
    """The labelled values of every section, in print order (the PDF and the tests share it)."""
    p, r, pat, d = report.prescription, report.recommendation, report.patient, report.doctor
    patient = [
        ("Name", f"{pat.family_name}, {pat.given_name}"),
        ("Geburtsdatum", _date(pat.birth_date)),
        ("Patientennummer", pat.patient_id),
    ]
    if pat.kvnr:
        patient.append(("Versichertennummer", pat.kvnr))
    doctor = [("Arzt/Ärztin", d.name)]
    if d.address:
        doctor.append(
            ("Anschrift", f"{d.address.street}, {d.address.postal_code} {d.address.city}")
        )
    if d.lanr:
        doctor.append(("LANR", d.lanr))
    if d.kim_address:
        doctor.append(("KIM-Adresse", d.kim_address))
    prescription = [
        ("Verordnungsdatum", _date(p.verordnungsdatum)),
        ("ICD-10", ", ".join(p.icd10_codes)),
        ("Diagnosegruppe", p.diagnosegruppe),
        ("Leitsymptomatik", p.leitsymptomatik),
        ("Heilmittel", ", ".join(p.heilmittel)),
        ("Behandlungseinheiten", str(p.behandlungseinheiten)),
        ("Therapiefrequenz", p.therapiefrequenz),
        ("Hausbesuch", _yes(p.hausbesuch)),
    ]
    continuation = r.continuation.value
    if r.continuation is Continuation.PAUSIEREN:
        continuation += f" ({r.pause_weeks} Wochen)"
    recommendation = [
        ("Therapie", continuation),
        ("Wiedervorstellung", _yes(r.wiedervorstellung)),
        ("Andere Therapie", r.other_therapy or "keine"),
        ("Einzel/Gruppe", r.setting.value),
        ("Frequenz", r.frequency or "wie verordnet"),
        ("Hausbesuch", _yes(r.hausbesuch)),
    ]
    return [
        ("Empfänger", doctor),
        ("Patient/in", patient),
        ("Verordnung", prescription),
        ("Empfehlung", recommendation),
    ]


def _checked(data: bytes, label: str) -> bytes:
    verdict = inspect_pdf(data, name=label)
    verdict.raise_for_problems()
    return data


def _output(pdf: FPDF) -> bytes:
    try:
        return bytes(pdf.output())
    except FPDFException as exc:  # e.g. a character the font lacks under PDF/A rules
        raise ValidationError(f"cannot render the PDF: {exc}") from exc


def _uncovered(exc: _Uncovered) -> ValidationError:
    shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in exc.missing[:10])
    more = f" and {len(exc.missing) - 10} more" if len(exc.missing) > 10 else ""
    where = exc.text if len(exc.text) <= 40 else exc.text[:40] + "…"
    return ValidationError(
        f"the report contains characters the PDF font cannot show: {shown}{more}",
        [
            Problem(
                code="therapy_pvs.render.uncovered_character",
                message=f"{shown}{more} in {where!r}: replace them (e.g. by a description)",
            )
        ],
    )


def _write_report(pdf: _ReportPdf, report: TherapyReport) -> None:
    pdf.add_page()
    pdf.set_font(_FONT, "B", 15)
    pdf.cell(0, 9, "Therapiebericht", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 10)
    pdf.cell(
        0, 5.5, f"nach § 16 Abs. 7 Heilmittel-Richtlinie · {report.practice.discipline.value}",
        new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    pdf.cell(
        0,
        5.5,
        f"Datum {_date(report.created)} · Bericht {report.report_id}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    sections = report_lines(report)
    for title, rows in sections[:3]:
        pdf.heading(title)
        pdf.pairs(rows)
    for title, text in (
        ("Befund", report.befund),
        ("Therapieverlauf", report.therapieverlauf),
        ("Therapieziele", report.therapieziele),
    ):
        pdf.heading(title)
        pdf.paragraph(text)
    title, rows = sections[3]
    pdf.heading(title)
    pdf.pairs(rows)
    pdf.ln(8)
    pdf.set_font(_FONT, "", 10)
    pdf.cell(
        0,
        5.5,
        f"{report.therapist.name}, {report.therapist.profession}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if report.practice.support_contact:
        pdf.set_font(_FONT, "", 8)
        pdf.cell(
            0, 5, f"Rückfragen: {report.practice.support_contact}", new_x="LMARGIN", new_y="NEXT"
        )


def render_report(report: TherapyReport) -> bytes:
    """The report as PDF/A-2b bytes, checked by the core's PDF inspection."""
    pdf = _ReportPdf(report, "Therapiebericht")
    try:
        _write_report(pdf, report)
        data = _output(pdf)  # header and footer of the last page are drawn here
    except _Uncovered as exc:
        raise _uncovered(exc) from None
    return _checked(data, f"therapiebericht-{report.report_id}.pdf")


def render_flyer(report: TherapyReport) -> bytes:
    """For a doctor without KIM: a printable cover letter followed by the full report."""
    try:
        return _checked(_flyer(report), f"therapiebericht-{report.report_id}-flyer.pdf")
    except _Uncovered as exc:
        raise _uncovered(exc) from None


def _flyer(report: TherapyReport) -> bytes:
    pdf = _ReportPdf(report, "Therapiebericht (Ausdruck)")
    pdf.add_page()
    doctor, patient = report.doctor, report.patient
    pdf.set_font(_FONT, "", 10)
    pdf.multi_cell(0, 5.5, doctor.name, new_x="LMARGIN", new_y="NEXT")
    if doctor.address:
        pdf.multi_cell(
            0,
            5.5,
            f"{doctor.address.street}\n{doctor.address.postal_code} {doctor.address.city}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(10)
    pdf.set_font(_FONT, "B", 13)
    pdf.multi_cell(
        0,
        7,
        f"Therapiebericht für {patient.given_name} {patient.family_name}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.paragraph(
        "Sehr geehrte Damen und Herren,\n\n"
        f"auf Ihrer Heilmittelverordnung vom {_date(report.prescription.verordnungsdatum)} haben "
        "Sie einen Therapiebericht angefordert. Wir senden Therapieberichte bevorzugt als "
        "eArztbrief über KIM (Kommunikation im Medizinwesen). Für Ihre Praxis ist uns keine "
        "KIM-Adresse bekannt; deshalb erhalten Sie den Bericht auf den folgenden Seiten in "
        "Papierform.\n\nWenn Sie uns Ihre KIM-Adresse mitteilen, erhalten Sie künftige Berichte "
        "direkt in Ihr Praxisverwaltungssystem.\n\nMit freundlichen Grüßen\n"
        f"{report.therapist.name}"
    )
    _write_report(pdf, report)
    return _output(pdf)


def accept_pdf(data: bytes, *, name: str = "upload.pdf") -> PdfVerdict:
    """Check a PDF the practice software made (same check as rendered ones); raises
    :class:`ValidationError` with the ``pdf.*`` problems when it is rejected."""
    verdict = inspect_pdf(data, name=name)
    verdict.raise_for_problems()
    return verdict
