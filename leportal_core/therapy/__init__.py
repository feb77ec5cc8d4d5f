"""Therapiebericht (eTherapiebericht): the report a Heilmittelerbringer sends the prescribing doctor
(§ 16 Abs. 7 HeilM-RL), its master data and its Versandhistorie — free of any host format.
Rendering, KIM mail and GDT live in the ``therapy_pvs`` adapter. See ``docs/therapy.md``.
"""

from __future__ import annotations

from leportal_core.therapy.form import (
    FORM,
    practice_from_dict,
    practice_to_dict,
    report_from_dict,
    report_to_dict,
    therapist_from_dict,
    therapist_to_dict,
)
from leportal_core.therapy.model import (
    Address,
    Continuation,
    Discipline,
    Doctor,
    Patient,
    Practice,
    Prescription,
    Recommendation,
    Setting,
    Therapist,
    TherapyReport,
)
from leportal_core.therapy.store import (
    DEFAULT_RETENTION_DAYS,
    Claim,
    HistoryEntry,
    MasterDataStore,
    Outcome,
    SendingHistory,
    SendInProgress,
    TherapyStoreError,
    one_month_before,
    open_store,
)

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "FORM",
    "Address",
    "Claim",
    "Continuation",
    "Discipline",
    "Doctor",
    "HistoryEntry",
    "MasterDataStore",
    "Outcome",
    "Patient",
    "Practice",
    "Prescription",
    "Recommendation",
    "SendInProgress",
    "SendingHistory",
    "Setting",
    "Therapist",
    "TherapyReport",
    "TherapyStoreError",
    "one_month_before",
    "open_store",
    "practice_from_dict",
    "practice_to_dict",
    "report_from_dict",
    "report_to_dict",
    "therapist_from_dict",
    "therapist_to_dict",
]
