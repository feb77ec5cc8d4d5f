"""The state of an audit case, derived from its events alone (replaying them rebuilds it).

:data:`ALLOWED` is the whole state machine: which step may follow in which state. A step that is
not allowed is refused with :class:`IllegalStep`, whose message names the current state and the
allowed steps. :func:`open_deadlines` says which deadlines run in the current state.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from leportal_core.cases import model
from leportal_core.cases._checks import CaseValidationError
from leportal_core.cases.events import CaseEvent, EventKind
from leportal_core.deadlines.engine import Deadline, compute_rule
from leportal_core.deadlines.rules import RULES, PruefvV, pruefvv_for_admission
from leportal_core.errors import Location, Problem, Severity

__all__ = [
    "ALLOWED",
    "CaseState",
    "CaseView",
    "IllegalStep",
    "apply",
    "findings",
    "open_deadlines",
    "replay",
]


class CaseState(enum.Enum):
    """Where a case stands; the value is the German label."""

    NEW = "neu"
    OPENED = "angelegt"
    ANNOUNCED = "Prüfung angezeigt"
    DOCUMENTS_REQUESTED = "Unterlagen angefordert"
    DOCUMENTS_DELIVERED = "Unterlagen geliefert"
    FALLDIALOG = "im Falldialog"
    ASSESSED = "begutachtet"
    DECIDED = "entschieden"
    EROERTERUNG = "im Erörterungsverfahren"
    EROERTERT = "erörtert"
    CLOSED = "abgeschlossen"


K = EventKind
_AUDIT_STEPS = frozenset(
    {K.UNTERLAGENANFORDERUNG, K.DELIVERY, K.GUTACHTEN, K.FALLDIALOG_REQUESTED, K.CLOSED}
)
ALLOWED: Mapping[CaseState, frozenset[EventKind]] = MappingProxyType(
    {
        CaseState.NEW: frozenset({K.OPENED}),
        CaseState.OPENED: frozenset({K.PRUEFANZEIGE, K.FALLDIALOG_REQUESTED, K.CLOSED}),
        CaseState.ANNOUNCED: _AUDIT_STEPS - {K.DELIVERY},
        CaseState.DOCUMENTS_REQUESTED: _AUDIT_STEPS,
        CaseState.DOCUMENTS_DELIVERED: _AUDIT_STEPS,
        CaseState.FALLDIALOG: frozenset({K.FALLDIALOG_ENDED, K.CLOSED}),
        CaseState.ASSESSED: frozenset({K.LEISTUNGSENTSCHEIDUNG, K.CLOSED}),
        CaseState.DECIDED: frozenset({K.EROERTERUNG_STARTED, K.CLOSED}),
        CaseState.EROERTERUNG: frozenset({K.EROERTERUNG_ENDED, K.CLOSED}),
        CaseState.EROERTERT: frozenset({K.CLOSED}),
        CaseState.CLOSED: frozenset(),
    }
)
"""Which event kinds may follow in each state."""


class IllegalStep(CaseValidationError):
    """The step is not allowed in the case's current state."""

    default_code = "cases.step.illegal"


@attrs.frozen(kw_only=True)
class CaseView:
    """A case as its events made it; build it with :func:`replay`, never by hand."""

    case_id: str = ""
    state: CaseState = CaseState.NEW
    sequence: int = 0
    opened: model.CaseOpened | None = None
    pruefanzeige: model.Pruefanzeige | None = None
    requests: tuple[model.Unterlagenanforderung, ...] = ()
    deliveries: tuple[model.Delivery, ...] = ()
    gutachten: model.Gutachten | None = None
    decision: model.Leistungsentscheidung | None = None
    falldialog: model.FalldialogRequested | None = None
    falldialog_end: model.FalldialogEnded | None = None
    eroerterung: model.EroerterungStarted | None = None
    eroerterung_end: model.EroerterungEnded | None = None
    closed: model.CaseClosed | None = None
    resume_state: CaseState | None = None

    @property
    def version(self) -> PruefvV:
        """The PrüfvV that governs the case (by admission date)."""
        if self.opened is None:
            return PruefvV.V2022
        return pruefvv_for_admission(self.opened.stay.admitted)

    @property
    def allowed(self) -> frozenset[EventKind]:
        """The steps that may be recorded next."""
        return ALLOWED[self.state]


def _refuse(view: CaseView, kind: EventKind) -> IllegalStep:
    allowed = sorted(k.value for k in ALLOWED[view.state])
    message = f"cannot record '{kind.value}': the case is '{view.state.value}'; allowed steps: " + (
        ", ".join(allowed) if allowed else "none (the case is closed)"
    )
    return IllegalStep(
        message,
        [Problem(code="cases.step.illegal", message=message, location=Location(field="step"))],
    )


def apply(view: CaseView, event: CaseEvent) -> CaseView:
    """The view after ``event``; raises :class:`IllegalStep` when the step is not allowed."""
    kind, step = event.kind, event.step
    if kind not in ALLOWED[view.state]:
        raise _refuse(view, kind)
    change: dict[str, object] = {"sequence": event.sequence, "case_id": event.case_id}
    if isinstance(step, model.CaseOpened):
        change.update(opened=step, state=CaseState.OPENED)
    elif isinstance(step, model.Pruefanzeige):
        change.update(pruefanzeige=step, state=CaseState.ANNOUNCED)
    elif isinstance(step, model.Unterlagenanforderung):
        change.update(requests=(*view.requests, step), state=CaseState.DOCUMENTS_REQUESTED)
    elif isinstance(step, model.Delivery):
        change.update(deliveries=(*view.deliveries, step), state=CaseState.DOCUMENTS_DELIVERED)
    elif isinstance(step, model.Gutachten):
        change.update(gutachten=step, state=CaseState.ASSESSED)
    elif isinstance(step, model.Leistungsentscheidung):
        change.update(decision=step, state=CaseState.DECIDED)
    elif isinstance(step, model.FalldialogRequested):
        change.update(falldialog=step, state=CaseState.FALLDIALOG, resume_state=view.state)
    elif isinstance(step, model.FalldialogEnded):
        change.update(falldialog_end=step, state=view.resume_state, resume_state=None)
    elif isinstance(step, model.EroerterungStarted):
        change.update(eroerterung=step, state=CaseState.EROERTERUNG)
    elif isinstance(step, model.EroerterungEnded):
        change.update(eroerterung_end=step, state=CaseState.EROERTERT)
    else:
        change.update(closed=step, state=CaseState.CLOSED)
    return attrs.evolve(view, **change)  # type: ignore[arg-type]


def replay(events: Iterable[CaseEvent]) -> CaseView:
    """The view of a case from all its events, in order."""
    view = CaseView()
    for event in events:
        view = apply(view, event)
    return view


def _deadline(view: CaseView, key: str, start: datetime.date | None) -> Deadline | None:
    rule = RULES.get((key, view.version))
    if rule is None or view.opened is None or start is None:
        return None
    return compute_rule(
        rule,
        start,
        view.opened.state,
        version=view.version,
        roll_forward_enabled=view.opened.roll_forward,
    )


def open_deadlines(view: CaseView) -> tuple[Deadline, ...]:
    """The deadlines running in the case's current state, earliest first."""
    found: list[Deadline | None] = []
    state, opened = view.state, view.opened
    if opened is None or state is CaseState.CLOSED:
        return ()
    initiation = _deadline(view, "audit_initiation", opened.invoice_received)
    if view.pruefanzeige is None:
        found.append(initiation)
    if state is CaseState.DOCUMENTS_REQUESTED:
        found.append(_deadline(view, "documents", view.requests[-1].received))
    if state is CaseState.FALLDIALOG and view.falldialog is not None:
        found.append(_deadline(view, "falldialog_answer", view.falldialog.received))
        found.append(_deadline(view, "falldialog_end", initiation.due if initiation else None))
    if state is CaseState.DECIDED and view.decision is not None and view.decision.reduction:
        found.append(_deadline(view, "eroerterung_request", view.decision.received))
    if state is CaseState.EROERTERUNG and view.eroerterung is not None:
        found.append(_deadline(view, "eroerterung_end", view.eroerterung.started))
    if view.pruefanzeige is not None and view.decision is None:
        found.append(_deadline(view, "decision", view.pruefanzeige.received))
    return tuple(sorted((d for d in found if d is not None), key=lambda d: (d.due, d.rule.key)))


def findings(view: CaseView) -> tuple[Problem, ...]:
    """Warnings a person should look at: a Prüfanzeige after the 4-month Prüfeinleitungsfrist
    (§ 275c Abs. 1 SGB V: the audit is void) and deliveries after the documents deadline
    (§ 7 Abs. 2 PrüfvV: the bill "gilt als erörtert", late documents are excluded)."""
    found: list[Problem] = []
    opened = view.opened
    if opened is None:
        return ()
    initiation = _deadline(view, "audit_initiation", opened.invoice_received)
    anzeige = view.pruefanzeige
    if anzeige is not None and initiation is not None and anzeige.received > initiation.due:
        found.append(
            Problem(
                code="cases.pruefanzeige.late",
                message=f"Prüfanzeige received {anzeige.received:%d.%m.%Y}, after the "
                f"Prüfeinleitungsfrist ended {initiation.due:%d.%m.%Y} (§ 275c Abs. 1 SGB V)",
                location=Location(field="pruefanzeige.received"),
                severity=Severity.WARNING,
            )
        )
    for delivery in view.deliveries:
        earlier = [r for r in view.requests if r.received <= delivery.delivered]
        deadline = _deadline(view, "documents", earlier[-1].received) if earlier else None
        if deadline is not None and delivery.delivered > deadline.due:
            found.append(
                Problem(
                    code="cases.delivery.late",
                    message=f"delivery {delivery.delivery_id} on {delivery.delivered:%d.%m.%Y} came "
                    f"after the documents deadline {deadline.due:%d.%m.%Y} ({deadline.rule.source})",
                    location=Location(field="delivery"),
                    severity=Severity.WARNING,
                )
            )
    return tuple(found)
