"""Hypothesis strategies for valid core objects with awkward values, for adapters' own tests too.

>>> doc = sample_documents()[1]
>>> doc.kdl_code, doc.created.year
('AD010103', 1999)
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from hypothesis import strategies as st

from leportal_core.document import MAX_REFERENCE_LENGTH, MAX_TITLE_LENGTH, Document
from leportal_core.validation import is_printable

if TYPE_CHECKING:  # imported where used: a vendor testing Documents needs none of these
    from leportal_core.billing import BillingFile, BillingRecord, MassRecord
    from leportal_core.cases import CaseOpened, Stay
    from leportal_core.therapy import Patient, TherapyReport

__all__ = [
    "LARGE_CONTENT_SIZES",
    "awkward_documents",
    "billing_files",
    "billing_records",
    "cases",
    "contents",
    "dates",
    "documents",
    "edge_documents",
    "iks",
    "kdl_codes",
    "kvnrs",
    "mass_records",
    "media_types",
    "references",
    "sample_documents",
    "stays",
    "therapy_patients",
    "therapy_reports",
    "titles",
]

# Assigned, non-control, non-surrogate code points. Unassigned code points and the noncharacters
# U+FFFE/U+FFFF (category Cn) are left out: no real title has them and XML 1.0 cannot carry them.
_TEXT_CHARACTERS = st.characters(exclude_categories=("Cc", "Cs", "Cn"))

# Pieces that break naive mappings: umlauts and ß, emoji incl. ZWJ sequences and flags, RTL
# scripts and bidi controls, combining marks, quotes and markup, the separators of HL7 v2, CSV
# and JSON, non-breaking and exotic spaces, line/paragraph separators, a BOM, astral letters.
_AWKWARD_FRAGMENTS = (
    "Müller-Lüdenscheidt",
    "Größe",
    "ÄÖÜäöüß",
    "ẞ",
    "🩺",
    "📄",
    "👩\u200d⚕️",
    "🇩🇪",
    "تقرير طبي",
    "דו״ח רפואי",
    "\u202eevil\u202c",
    "\u200f",
    "e\u0301",
    "Z\u0364\u0354\u0367\u0311",
    '"',
    "'",
    "„Zitat“",
    "«»",
    "<b>&amp;</b>",
    "]]>",
    "\\",
    "|^~\\&",
    "; , ",
    '{"a":1}',
    "${x}",
    "%s%n",
    "\u00a0",
    "\u2009",
    "\u3000",
    "\u2028",
    "\u2029",
    "\ufeff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "医疗报告",
    "\ue000",
)

_REALISTIC_TITLES = (
    "Entlassungsbericht",
    "Arztbrief Dr. Müller-Lüdenscheidt",
    "Röntgen Thorax p.a. (12.03.2025)",
    "OP-Bericht: Appendektomie",
    "Laborbefund 🩸 Blutbild",
    "Größe & Gewicht <Verlauf>",
    "\"Zitat\" und 'Apostroph'",
    " führendes und nachfolgendes Leerzeichen ",
    "Befund\u00a0mit\u00a0geschütztem\u00a0Leerzeichen",
    "MSH|^~\\&|",
    "%PDF-1.7",
    "</title><script>alert(1)</script>",
)

_REALISTIC_REFERENCES = ("P-1001", "F-2026-000123", "A123456789", "0042", "Fall/2026|7^3&x")

_MEDIA_TYPES = (
    "application/pdf",
    "text/plain",
    "text/csv",
    "image/jpeg",
    "image/tiff",
    "application/dicom",
    "application/xml",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)

_AWKWARD_CONTENTS = (
    b"",
    b"\x00",
    b"\r\n",
    b"\n\r\n",
    b" ",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    b"MSH|^~\\&|\r",
    b'{"resourceType":"Bundle"}',
    b"</Binary>]]>",
    b"=" * 7,
    bytes(range(256)),
)

# Sizes past the common buffer sizes up to 1 MiB; built from a seed instead of drawn byte by
# byte, which would be slow and exceed Hypothesis' per-example budget.
LARGE_CONTENT_SIZES = (65_536, 65_537, 300_001, 1_048_576)


def _valid_text(text: str, max_length: int) -> bool:
    """The Document's rule: not blank, not too long, no control characters or lone surrogates."""
    return bool(text.strip()) and len(text) <= max_length and is_printable(text)


def _repeat_to(fragment: str, length: int) -> str:
    return (fragment * (length // len(fragment) + 1))[:length]


def titles() -> st.SearchStrategy[str]:
    """Valid Document titles: realistic, composed of awkward fragments, or up to the length limit."""
    fragment = st.one_of(
        st.sampled_from(_AWKWARD_FRAGMENTS), st.text(_TEXT_CHARACTERS, max_size=12)
    )
    composed = st.lists(fragment, min_size=1, max_size=8).map("".join)
    long = st.builds(
        _repeat_to,
        st.sampled_from(("x", "ä", "🩺", "e\u0301", "تقرير ", "|^~\\&", *_AWKWARD_FRAGMENTS[:4])),
        st.integers(MAX_TITLE_LENGTH - 16, MAX_TITLE_LENGTH),
    )
    return st.one_of(st.sampled_from(_REALISTIC_TITLES), composed, long).filter(
        lambda text: _valid_text(text, MAX_TITLE_LENGTH)
    )


def references() -> st.SearchStrategy[str | None]:
    """Optional patient or case references: absent, realistic, or any valid text up to the limit."""
    return st.one_of(
        st.none(),
        st.sampled_from(_REALISTIC_REFERENCES),
        st.text(_TEXT_CHARACTERS, min_size=1, max_size=MAX_REFERENCE_LENGTH).filter(
            lambda text: _valid_text(text, MAX_REFERENCE_LENGTH)
        ),
        st.builds(
            _repeat_to, st.sampled_from(_AWKWARD_FRAGMENTS), st.just(MAX_REFERENCE_LENGTH)
        ).filter(lambda text: _valid_text(text, MAX_REFERENCE_LENGTH)),
    )


def kdl_codes() -> st.SearchStrategy[str | None]:
    """Optional KDL level-3 codes (two capitals, six digits)."""
    return st.one_of(
        st.none(),
        st.sampled_from(("AD010103", "AA000000", "ZZ999999")),
        st.from_regex(r"[A-Z]{2}[0-9]{6}", fullmatch=True),
    )


def media_types() -> st.SearchStrategy[str]:
    """Lower-case ``type/subtype`` media types, common ones and odd-but-valid RFC 6838 names."""
    return st.one_of(
        st.sampled_from(_MEDIA_TYPES),
        st.from_regex(
            r"[a-z0-9][a-z0-9!#$&^_.+-]{0,20}/[a-z0-9][a-z0-9!#$&^_.+-]{0,20}", fullmatch=True
        ),
    )


def _pseudo_random_bytes(size: int, seed: int) -> bytes:
    # Incompressible test data, reproducible from the drawn seed; not for anything secret.
    return random.Random(seed).randbytes(size)  # noqa: S311


@st.composite
def _mixed_contents(
    draw: st.DrawFn,
    small: st.SearchStrategy[bytes],
    medium: st.SearchStrategy[bytes],
    large: st.SearchStrategy[bytes] | None,
) -> bytes:
    # Hypothesis keeps drawn binaries short inside a big example, so sizes are chosen here:
    # about 5 in 16 medium, 1 in 16 large (enough to meet size limits, few enough to stay fast).
    # Larger branches have higher numbers so that shrinking moves towards small contents.
    branch = draw(st.integers(0, 15))
    if branch == 15 and large is not None:
        return draw(large)
    if branch >= 10:
        return draw(medium)
    return draw(small)


def contents(*, max_size: int = 4096, large: bool = True) -> st.SearchStrategy[bytes]:
    """Content bytes: awkward fixed values, random bytes up to ``max_size``, and with ``large``
    now and then one of :data:`LARGE_CONTENT_SIZES` (64 KiB to 1 MiB)."""
    small = st.one_of(st.sampled_from(_AWKWARD_CONTENTS), st.binary(max_size=min(max_size, 256)))
    medium = st.builds(_pseudo_random_bytes, st.integers(0, max_size), st.integers(0, 2**32 - 1))
    big = st.builds(
        _pseudo_random_bytes, st.sampled_from(LARGE_CONTENT_SIZES), st.integers(0, 2**32 - 1)
    )
    return _mixed_contents(small, medium, big if large else None)


# Calendar edges next to random dates: first and last representable day, leap days, the
# Gregorian switch, the Unix epoch, two-digit-year and Y2K traps.
_EDGE_DATES = (
    dt.date.min,
    dt.date.max,
    dt.date(1582, 10, 15),
    dt.date(1900, 2, 28),
    dt.date(1969, 12, 31),
    dt.date(1970, 1, 1),
    dt.date(1999, 12, 31),
    dt.date(2000, 2, 29),
    dt.date(2038, 1, 19),
    dt.date(2024, 2, 29),
)


def dates() -> st.SearchStrategy[dt.date]:
    """Dates over the whole range 0001-01-01 to 9999-12-31, calendar edges included."""
    return st.one_of(st.sampled_from(_EDGE_DATES), st.dates(dt.date.min, dt.date.max))


def documents(*, max_content_size: int = 4096, large: bool = True) -> st.SearchStrategy[Document]:
    """Valid content-based Documents with awkward titles, optional references and KDL codes, and
    creation dates over the whole range 0001-01-01 to 9999-12-31."""
    # Content is drawn first: Hypothesis keeps later draws of a large example small.
    return st.builds(
        Document,
        content=contents(max_size=max_content_size, large=large),
        title=titles(),
        media_type=media_types(),
        created=dates(),
        patient_id=references(),
        case_id=references(),
        kdl_code=kdl_codes(),
    )


def sample_documents() -> tuple[Document, ...]:
    """A few fixed valid Documents whose encodings the malformed-input tests cut and corrupt."""
    pdf = b"%PDF-1.7\n" + b"".join(
        b"%d 0 obj << /Length %d >> endobj\n" % (i, i * 7) for i in range(20)
    )
    return (
        Document(
            title="Befund",
            media_type="text/plain",
            created=dt.date(2026, 2, 9),
            content=b"Hallo Welt\n",
        ),
        Document(
            title="Entlassungsbericht „Müller“ – Station 3 🩺",
            media_type="application/pdf",
            created=dt.date(1999, 12, 31),
            content=pdf + b"%%EOF\n",
            patient_id="P-1001",
            case_id="F-2026-000123",
            kdl_code="AD010103",
        ),
        Document(
            title="تقرير |^~\\&<>\"' e\u0301",
            media_type="application/octet-stream",
            created=dt.date(1, 1, 1),
            content=bytes(range(256)),
            case_id="Fall/2026|7^3&x",
            kdl_code="ZZ999999",
        ),
    )


def awkward_documents() -> tuple[Document, ...]:
    """Fixed Documents with what generated examples reach only by luck, tried in every run: NUL
    bytes at both ends, CR LF and BOMs in the content, a BOM, astral characters and both Unicode
    normalisations in titles, leap days, years before 1000, and texts of 64, 65 and 4096
    characters where the limits allow (titles up to 1024, references up to 128)."""
    day = dt.date(2024, 2, 29)

    def doc(title: str, content: bytes, **fields: object) -> Document:
        values: dict[str, object] = {"media_type": "text/plain", "created": day, **fields}
        return Document(title=title, content=content, **values)  # type: ignore[arg-type]

    return (
        doc("NUL an beiden Enden", b"\x00Inhalt\x00"),
        doc("Zeilenenden", b"Zeile 1\r\nZeile 2\r\n\r\n", media_type="text/csv"),
        doc("\ufeffBOM am Anfang", b"\xef\xbb\xbfmit BOM\n"),
        doc("UTF-16 BOM im Inhalt", b"\xff\xfeB\x00O\x00M\x00"),
        doc("Astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🩺 👩\u200d⚕️ 🇩🇪", b"\xf0\x9f\xa9\xba"),
        doc("Caf\u00e9 M\u00fcller (NFC)", b"nfc", patient_id="M\u00fcller"),
        doc("Cafe\u0301 Mu\u0308ller (NFD)", b"nfd", patient_id="Mu\u0308ller"),
        doc("Schalttag 2000", b"", created=dt.date(2000, 2, 29)),
        doc("Jahr 999", b"x", created=dt.date(999, 12, 31)),
        doc("Jahr 42", b"x", created=dt.date(42, 3, 1)),
        doc("x" * 64, b"64", patient_id="p" * 64, case_id="c" * 65),
        doc("ä" * 65, b"65", kdl_code="AD010103"),
        doc(_repeat_to("ä🩺x", MAX_TITLE_LENGTH), b"4096", case_id="F" * MAX_REFERENCE_LENGTH),
        doc("Vierundvierzig", _pseudo_random_bytes(4096, 4096), media_type="application/pdf"),
    )


def edge_documents() -> tuple[Document, ...]:
    """Valid Documents at the limits, tried in every round trip before the generated ones, the
    simplest first: the first and last day, the awkward fixed ones (:func:`awkward_documents`),
    the longest title and references, 1 MiB content."""
    return (
        Document(title="x", media_type="a/b", created=dt.date.min, content=b""),
        *sample_documents(),
        *awkward_documents(),
        Document(
            title=_repeat_to("🩺ä|", MAX_TITLE_LENGTH),
            media_type="application/octet-stream",
            created=dt.date.max,
            content=_pseudo_random_bytes(LARGE_CONTENT_SIZES[-1], 0),
            patient_id=_repeat_to("P", MAX_REFERENCE_LENGTH),
            case_id=_repeat_to("„F“", MAX_REFERENCE_LENGTH),
            kdl_code="AA000000",
        ),
    )


# Other core objects. Generated through the objects' own constructors, so every value is one the
# core accepts; the awkward parts are texts at their limits, umlauts, and calendar edges.


def iks() -> st.SearchStrategy[str]:
    """Valid 9-digit Institutionskennzeichen (check digit computed, class digits as drawn)."""
    from leportal_core.identifiers import ik

    return (
        st.from_regex(r"[0-9]{8}", fullmatch=True)
        .map(lambda digits: digits + ik.calc_check_digit(digits))
        .filter(ik.is_valid)
    )


def kvnrs() -> st.SearchStrategy[str]:
    """Valid 10-character Krankenversichertennummern (unveränderbarer Teil)."""
    from leportal_core.identifiers import kvnr

    return (
        st.from_regex(r"[A-Z][1-9][0-9]{7}", fullmatch=True)
        .map(lambda start: start + kvnr.calc_check_digit(start))
        .filter(kvnr.is_valid)
    )


_CASE_TEXT = st.sampled_from(("F-1", "Fall 2026/0001", "Müller-Lüdenscheidt", "ÄÖÜß-77", "x" * 40))


def stays() -> st.SearchStrategy[Stay]:
    """Hospital stays: admission, an optional discharge on or after it, optional Fachabteilung."""
    from leportal_core.cases import Stay

    @st.composite
    def build(draw: st.DrawFn) -> Stay:
        admitted = draw(st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)))
        length = draw(st.one_of(st.none(), st.integers(0, 400)))
        department = draw(
            st.sampled_from(("", "0100", "0300 Kardiologie", "1500 Allgemeine Chirurgie Ü"))
        )
        discharged = None if length is None else admitted + dt.timedelta(days=length)
        return Stay(admitted=admitted, discharged=discharged, department=department)

    return build()


def cases() -> st.SearchStrategy[CaseOpened]:
    """Opened audit cases (``CaseOpened``) with valid IKs and KVNR, any Bundesland, optional
    invoice data in the right order."""
    from leportal_core.cases import CaseOpened
    from leportal_core.deadlines import Bundesland

    @st.composite
    def build(draw: st.DrawFn) -> CaseOpened:
        invoice_date = draw(
            st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2099, 1, 1)))
        )
        received = (
            None
            if invoice_date is None
            else invoice_date + dt.timedelta(days=draw(st.integers(0, 60)))
        )
        return CaseOpened(
            case_number=draw(_CASE_TEXT),
            hospital_ik=draw(iks()),
            kasse_ik=draw(iks()),
            kvnr=draw(kvnrs()),
            stay=draw(stays()),
            state=draw(st.sampled_from(list(Bundesland))),
            invoice_number=draw(st.sampled_from(("", "R-1", "2026-000001"))),
            invoice_date=invoice_date,
            invoice_received=received,
            md_reference=draw(st.sampled_from(("", "MD-2026-1", "ß" * 40))),
            roll_forward=draw(st.booleans()),
        )

    return build()


def mass_records() -> st.SearchStrategy[MassRecord]:
    """MASS billing lines (``MassRecord``): one calendar month, Decimal quantity and rate, the
    amount their product rounded half up to cents, as the record requires."""
    from leportal_core.billing import MassRecord, Unit, line_amount

    @st.composite
    def build(draw: st.DrawFn) -> MassRecord:
        start = draw(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 1)))
        end_day = draw(st.integers(start.day, max(start.day, 28)))
        quantity = draw(st.decimals(Decimal("0.01"), Decimal("999.99"), places=2))
        rate = draw(st.decimals(Decimal("0.00"), Decimal("9999.99"), places=2))
        amount = line_amount(quantity, rate)
        return MassRecord(
            invoice_number=draw(st.sampled_from(("R-1", "2026/0001", "Ü-9"))),
            invoice_date=start,
            ik=draw(iks()),
            facility_number=draw(st.sampled_from(("1", "0042", "E-77"))),
            file_reference=draw(st.sampled_from(("AZ 1/26", "Müller-7", "ß|^~"))),
            last_name=draw(st.sampled_from(("Müller-Lüdenscheidt", "O'Neill", "Ñúñez", "Ö"))),
            first_name=draw(st.sampled_from(("Jürgen", "Zoë", "Anna-Lena", "Ŝ"))),
            birth_date=draw(st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31))),
            service_type=draw(st.sampled_from(("01", "Eingliederungshilfe", "X9"))),
            period_start=start,
            period_end=start.replace(day=end_day),
            quantity=quantity,
            unit=draw(st.sampled_from(list(Unit))),
            rate=rate,
            amount=amount,
            invoice_total=amount + draw(st.decimals(Decimal(0), Decimal("1000"), places=2)),
            remark=draw(st.one_of(st.none(), st.sampled_from(("", "Nachberechnung „März“")))),
        )

    return build()


def billing_records() -> st.SearchStrategy[BillingRecord]:
    """Generic billing records (``BillingRecord``) as the MASS profiles read and write them."""
    return mass_records().map(lambda record: record.to_record())


def billing_files() -> st.SearchStrategy[BillingFile]:
    """Billing files (``BillingFile``): one to four generic billing records in file order, each
    of its own invoice."""
    import attrs

    from leportal_core.billing import BillingFile

    def build(records: list[MassRecord]) -> BillingFile:
        # A file's rules: an invoice's Rechnungsbetrag is the sum of its lines' Betrag (one line
        # per invoice, so each record's own total is that sum), and an empty cell is None.
        return BillingFile(
            records=[
                attrs.evolve(
                    r, invoice_number=f"R-{n}", invoice_total=r.amount, remark=r.remark or None
                ).to_record()
                for n, r in enumerate(records)
            ]
        )

    return st.lists(mass_records(), min_size=1, max_size=4).map(build)


_REPORT_TEXTS = (
    "Sigmatismus interdentalis.",
    "Gute Mitarbeit.\nFortschritte bei /s/.",
    "Größe & Gewicht <Verlauf> „Zitat“ 🩺",
    "Zeile 1\r\nZeile 2\n\nAbsatz; a|b^c~d\\e&f",
    "تقرير طبي – דו״ח",
    "x" * 2000,
)


def therapy_reports() -> st.SearchStrategy[TherapyReport]:
    """Therapieberichte (``TherapyReport``): a valid Heilmittel prescription with awkward free
    texts (Befund, Therapieverlauf, Therapieziele), names and dates; drawn values the report
    rejects are discarded, so every value is one the core accepts."""
    from hypothesis import reject

    from leportal_core import therapy
    from leportal_core.errors import LeportalError

    practice = therapy.Practice(
        name="Logopädie Groß",
        ik="401109876",
        discipline=therapy.Discipline.SPRACHTHERAPIE,
        address=therapy.Address(street="Hauptstraße 1", postal_code="04109", city="Leipzig"),
    )
    texts = st.one_of(st.sampled_from(_REPORT_TEXTS), titles())

    @st.composite
    def build(draw: st.DrawFn) -> TherapyReport:
        prescribed = draw(st.dates(dt.date(2000, 1, 1), dt.date(2090, 12, 31)))
        try:
            return therapy.TherapyReport(
                report_id=draw(st.sampled_from(("R-1", "2026/0001", "Ü-77"))),
                created=prescribed + dt.timedelta(days=draw(st.integers(0, 365))),
                practice=practice,
                therapist=therapy.Therapist(name=draw(_NAMES), profession="Logopädin"),
                patient=therapy.Patient(
                    patient_id=draw(st.sampled_from(("17", "P-0001"))),
                    family_name=draw(_NAMES),
                    given_name=draw(_NAMES),
                    birth_date=prescribed - dt.timedelta(days=draw(st.integers(0, 36_500))),
                ),
                doctor=therapy.Doctor(name="Dr. Weiß"),
                prescription=therapy.Prescription(
                    verordnungsdatum=prescribed,
                    icd10_codes=("F80.1",),
                    diagnosegruppe="SP1",
                    leitsymptomatik=draw(texts),
                    heilmittel=("Sprachtherapie 45 min",),
                    behandlungseinheiten=draw(st.integers(1, 60)),
                    therapiefrequenz="1x wöchentlich",
                ),
                befund=draw(texts),
                therapieverlauf=draw(texts),
                therapieziele=draw(texts),
                recommendation=therapy.Recommendation(continuation=therapy.Continuation.FORTSETZEN),
            )
        except LeportalError:
            reject()

    return build()


def therapy_patients() -> st.SearchStrategy[Patient]:
    """Patients of a practice (``leportal_core.therapy.Patient``): awkward names, birth dates
    over a century, with or without a valid KVNR."""
    from leportal_core.therapy import Patient

    return st.builds(
        Patient,
        patient_id=st.sampled_from(("17", "P-0001", "0000000042")),
        family_name=_NAMES,
        given_name=_NAMES,
        birth_date=st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
        kvnr=st.one_of(st.none(), kvnrs()),
    )


_NAMES = st.sampled_from(("Schütz", "Jörg", "O'Neill", "Zoë", "Müller-Lüdenscheidt", "Ŝ", "李"))
