"""Audit cases (Prüfverfahren) of the Medizinischer Dienst: model, event history, state, store.

>>> import datetime
>>> from leportal_core.cases import (CaseOpened, CaseStore, Pruefanzeige, Pruefgegenstand, Stay,
...                                  Unterlagenanforderung)
>>> from leportal_core.deadlines import Bundesland
>>> store = CaseStore(":memory:")
>>> opened = store.open_case(
...     CaseOpened(case_number="F-1", hospital_ik="260326822", kasse_ik="101575519",
...                kvnr="A123456780", stay=Stay(admitted=datetime.date(2026, 1, 5)),
...                state=Bundesland.HE),
...     actor="kis")
>>> _ = store.record(opened.case_id, Pruefanzeige(received=datetime.date(2026, 2, 2),
...                  items=(Pruefgegenstand.KP000,)), actor="kis")
>>> _ = store.record(opened.case_id, Unterlagenanforderung(received=datetime.date(2026, 2, 9)),
...                  actor="kis")
>>> [(e.rule, e.due) for e in store.due_within(14, today=datetime.date(2026, 3, 30))]
[('documents', datetime.date(2026, 4, 7))]
"""

from __future__ import annotations

from leportal_core.cases._checks import CaseValidationError
from leportal_core.cases.aggregates import Begehungsliste, Strukturpruefung
from leportal_core.cases.events import CaseEvent, EventKind
from leportal_core.cases.model import (
    CaseClosed,
    CaseOpened,
    Delivery,
    EroerterungAnswered,
    EroerterungEnded,
    EroerterungStarted,
    FalldialogEnded,
    FalldialogRequested,
    Gutachten,
    ItemsWaived,
    Leistungsentscheidung,
    Pruefanzeige,
    Pruefeinleitung,
    Pruefgegenstand,
    Stay,
    Step,
    Unterlagenanforderung,
)
from leportal_core.cases.plan_link import anforderung_from_request, delivery_from_plan
from leportal_core.cases.reminders import (
    BegehungReminder,
    begehung_reminders,
    begehungen_for_case,
)
from leportal_core.cases.state import (
    ALLOWED,
    DISCHARGED_BY,
    CaseState,
    CaseView,
    IllegalStep,
    RequestStatus,
    findings,
    open_deadlines,
    replay,
    request_status,
)
from leportal_core.cases.store import (
    CaseHookError,
    CaseNotFound,
    CaseStore,
    CaseStoreError,
    DueEntry,
    Recorded,
)

__all__ = [
    "ALLOWED",
    "DISCHARGED_BY",
    "BegehungReminder",
    "Begehungsliste",
    "CaseClosed",
    "CaseEvent",
    "CaseHookError",
    "CaseNotFound",
    "CaseOpened",
    "CaseState",
    "CaseStore",
    "CaseStoreError",
    "CaseValidationError",
    "CaseView",
    "Delivery",
    "DueEntry",
    "EroerterungAnswered",
    "EroerterungEnded",
    "EroerterungStarted",
    "EventKind",
    "FalldialogEnded",
    "FalldialogRequested",
    "Gutachten",
    "IllegalStep",
    "ItemsWaived",
    "Leistungsentscheidung",
    "Pruefanzeige",
    "Pruefeinleitung",
    "Pruefgegenstand",
    "Recorded",
    "RequestStatus",
    "Stay",
    "Step",
    "Strukturpruefung",
    "Unterlagenanforderung",
    "anforderung_from_request",
    "begehung_reminders",
    "begehungen_for_case",
    "delivery_from_plan",
    "findings",
    "open_deadlines",
    "replay",
    "request_status",
]
