"""Valid objects of the GDT codecs' types for the conformance suite (``conformance_samples`` and
``conformance_strategy``, docs/certifying.md): GDT 2.1 records carry only what the character set
(CP 437 by default) can write, so the suite's general patients do not fit.

Hypothesis is imported inside the strategies only: the suite, which depends on it, calls them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from leportal_core.identifiers import kvnr
from leportal_core.therapy import Patient

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from leportal_therapy_pvs.codecs import GdtResult

__all__ = ["gdt_patients", "gdt_results", "patients", "results"]

# Letters CP 437 and ISO 8859-15 both have.
_NAMES = ("Müller-Lüdenscheidt", "Schütz", "Jörg", "O'Neill", "Zoë", "ÄÖÜ äöü ß", "Ng")
_TEXTS = ("Therapiebericht", "Sprachtherapie 45 min, 10 Einheiten", "Befund: s. PDF | 100 %")


def patients() -> tuple[Patient, ...]:
    """Fixed patients: a leap-day birth and a KVNR, and one without."""
    return (
        Patient(
            patient_id="17",
            family_name="Müller-Lüdenscheidt",
            given_name="Jörg",
            birth_date=dt.date(1956, 2, 29),
            kvnr="A123456780",
        ),
        Patient(
            patient_id="P-0001",
            family_name="O'Neill",
            given_name="Zoë",
            birth_date=dt.date(2024, 12, 31),
        ),
    )


def results() -> tuple[GdtResult, ...]:
    """Fixed 6310 results: minimal, and with every optional field and text lines."""
    from leportal_therapy_pvs.codecs import GdtResult

    first, second = patients()
    return (
        GdtResult(
            patient=first,
            examined_on=dt.date(2026, 2, 9),
            report_id="2026/0001",
            pdf_path="C:\\Praxis\\Berichte\\2026-0001.pdf",
        ),
        GdtResult(
            patient=second,
            examined_on=dt.date(2000, 2, 29),
            report_id="R-1",
            pdf_path="/srv/gdt/R-1.pdf",
            description="Abschlussbericht",
            text_lines=_TEXTS,
            sender_id="THERAPY1",
            receiver_id="PVS_0001",
        ),
    )


def gdt_patients() -> SearchStrategy[Patient]:
    """Patients a GDT record can carry: the names above, birth dates 1900-2030, KVNR or none."""
    from hypothesis import strategies as st

    kvnrs = st.from_regex(r"[A-Z][1-9][0-9]{7}", fullmatch=True).map(
        lambda start: start + kvnr.calc_check_digit(start)
    )
    return st.builds(
        Patient,
        patient_id=st.sampled_from(("17", "P-0001", "0000000042")),
        family_name=st.sampled_from(_NAMES),
        given_name=st.sampled_from(_NAMES),
        birth_date=st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
        kvnr=st.one_of(st.none(), kvnrs.filter(kvnr.is_valid)),
    )


def gdt_results() -> SearchStrategy[GdtResult]:
    """6310 results: a GDT patient, a day, a report id, a path and up to three text lines."""
    from hypothesis import strategies as st

    from leportal_therapy_pvs.codecs import GdtResult

    return st.builds(
        GdtResult,
        patient=gdt_patients(),
        examined_on=st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)),
        report_id=st.sampled_from(("R-1", "2026/0001", "Ü-77")),
        pdf_path=st.sampled_from(("C:\\Praxis\\Berichte\\a.pdf", "/srv/gdt/R-1.pdf")),
        description=st.sampled_from(("Therapiebericht", "Abschlussbericht Ü")),
        text_lines=st.lists(st.sampled_from(_TEXTS), max_size=3).map(tuple),
        sender_id=st.one_of(st.none(), st.sampled_from(("THERAPY1", "S-2"))),
        receiver_id=st.one_of(st.none(), st.sampled_from(("PVS_0001", "R-9"))),
    )
