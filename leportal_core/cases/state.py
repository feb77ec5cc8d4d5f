"""The state of an audit case, derived from its events alone (replaying them rebuilds it).

:data:`ALLOWED` is the whole state machine: which step may follow in which state. A step that is
not allowed is refused with :class:`IllegalStep`, whose message names the current state and the
allowed steps. :func:`open_deadlines` says which deadlines run: a deadline leaves the worklist
only when an event of :data:`DISCHARGED_BY` discharges it (or the case is closed) — never because
a later event of another kind arrived. Every Unterlagenanforderung keeps its own deadline and
items (:func:`request_status`) until all its items are delivered or waived.
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
from leportal_core.deadlines.rules import PruefvV, Rule, find_rule, pruefvv_for_admission
from leportal_core.errors import Location, Problem, Severity

__all__ = [
    "ALLOWED",
    "DISCHARGED_BY",
    "CaseState",
    "CaseView",
    "IllegalStep",
    "RequestStatus",
    "apply",
    "findings",
    "open_deadlines",
    "replay",
    "request_status",
]


class CaseState(enum.Enum):
    """Where a case stands; the value is the German label."""

    NEW = "neu"
    OPENED = "angelegt"
    INITIATED = "Prüfung eingeleitet"
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
    {
        K.UNTERLAGENANFORDERUNG,
        K.DELIVERY,
        K.WAIVER,
        K.GUTACHTEN,
        K.FALLDIALOG_REQUESTED,
        K.CLOSED,
    }
)
ALLOWED: Mapping[CaseState, frozenset[EventKind]] = MappingProxyType(
    {
        CaseState.NEW: frozenset({K.OPENED}),
        CaseState.OPENED: frozenset(
            {K.PRUEFEINLEITUNG, K.PRUEFANZEIGE, K.FALLDIALOG_REQUESTED, K.CLOSED}
        ),
        CaseState.INITIATED: frozenset({K.PRUEFANZEIGE, K.FALLDIALOG_REQUESTED, K.CLOSED}),
        CaseState.ANNOUNCED: _AUDIT_STEPS - {K.DELIVERY, K.WAIVER},
        CaseState.DOCUMENTS_REQUESTED: _AUDIT_STEPS,
        CaseState.DOCUMENTS_DELIVERED: _AUDIT_STEPS,
        CaseState.FALLDIALOG: frozenset({K.FALLDIALOG_ENDED, K.CLOSED}),
        CaseState.ASSESSED: frozenset({K.LEISTUNGSENTSCHEIDUNG, K.CLOSED}),
        CaseState.DECIDED: frozenset({K.EROERTERUNG_STARTED, K.CLOSED}),
        CaseState.EROERTERUNG: frozenset(
            {K.EROERTERUNG_ANSWERED, K.DELIVERY, K.EROERTERUNG_ENDED, K.CLOSED}
        ),
        CaseState.EROERTERT: frozenset({K.CLOSED}),
        CaseState.CLOSED: frozenset(),
    }
)
"""Which event kinds may follow in each state."""

DISCHARGED_BY: Mapping[str, frozenset[EventKind]] = MappingProxyType(
    {
        "audit_initiation": frozenset({K.PRUEFEINLEITUNG, K.PRUEFANZEIGE, K.FALLDIALOG_REQUESTED}),
        "data_correction": frozenset({K.PRUEFANZEIGE}),
        "falldialog_answer": frozenset({K.FALLDIALOG_ENDED}),
        "falldialog_end": frozenset({K.FALLDIALOG_ENDED}),
        "invoice_correction": frozenset(),
        "md_commission": frozenset({K.PRUEFANZEIGE}),
        # only when every item of the request is delivered or waived; the Gutachten ends the
        # MD's audit, after which no document can be used any more
        "documents": frozenset({K.DELIVERY, K.WAIVER, K.GUTACHTEN}),
        "documents_late": frozenset({K.DELIVERY, K.WAIVER, K.GUTACHTEN}),
        "decision": frozenset({K.LEISTUNGSENTSCHEIDUNG}),
        "nachverfahren": frozenset({K.EROERTERUNG_STARTED}),
        "invoice_correction_decision": frozenset({K.EROERTERUNG_STARTED}),
        "eroerterung_request": frozenset({K.EROERTERUNG_STARTED}),
        "eroerterung_answer": frozenset({K.EROERTERUNG_ANSWERED, K.EROERTERUNG_ENDED}),
        "eroerterung_documents": frozenset({K.DELIVERY, K.EROERTERUNG_ENDED}),
        "eroerterung_end": frozenset({K.EROERTERUNG_ENDED}),
        # no event records the corrected invoice; the closing ends these reminders
        "invoice_correction_eroerterung": frozenset(),
    }
)
"""The only event kinds that take a running deadline off the worklist (``CLOSED`` takes all)."""


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
    einleitung: model.Pruefeinleitung | None = None
    pruefanzeige: model.Pruefanzeige | None = None
    requests: tuple[model.Unterlagenanforderung, ...] = ()
    request_ids: tuple[str, ...] = ()
    deliveries: tuple[model.Delivery, ...] = ()
    waivers: tuple[model.ItemsWaived, ...] = ()
    gutachten: model.Gutachten | None = None
    decision: model.Leistungsentscheidung | None = None
    falldialog: model.FalldialogRequested | None = None
    falldialog_end: model.FalldialogEnded | None = None
    falldialog_failed: bool = False
    falldialog_agreement: model.FalldialogEnded | None = None
    eroerterung: model.EroerterungStarted | None = None
    eroerterung_answer: model.EroerterungAnswered | None = None
    eroerterung_delivery: model.Delivery | None = None
    eroerterung_end: model.EroerterungEnded | None = None
    closed: model.CaseClosed | None = None
    resume_state: CaseState | None = None
    rules: Mapping[tuple[str, PruefvV], Rule] | None = attrs.field(default=None, eq=False)
    """The rule book its deadlines use (``None``: :data:`~leportal_core.deadlines.RULES`)."""

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


@attrs.frozen(kw_only=True)
class RequestStatus:
    """One Unterlagenanforderung as the case stands: requested, delivered (item → delivery),
    waived (item → reason) and missing items, and its own deadline (``None`` once discharged)."""

    request_id: str
    received: datetime.date
    requested: tuple[str, ...]
    delivered: tuple[tuple[str, str], ...]
    waived: tuple[tuple[str, str], ...]
    missing: tuple[str, ...]
    discharged: bool
    due: datetime.date | None
    answered_by: tuple[str, ...] = ()


def _refuse(view: CaseView, kind: EventKind) -> IllegalStep:
    allowed = sorted(k.value for k in ALLOWED[view.state])
    message = f"cannot record '{kind.value}': the case is '{view.state.value}'; allowed steps: " + (
        ", ".join(allowed) if allowed else "none (the case is closed)"
    )
    return IllegalStep(
        message,
        [Problem(code="cases.step.illegal", message=message, location=Location(field="step"))],
    )


def _unknown(*, code: str, message: str, field: str) -> CaseValidationError:
    return CaseValidationError(
        message, [Problem(code=code, message=message, location=Location(field=field))]
    )


def _check_request_items(
    view: CaseView, request_id: str, items: tuple[str, ...], field: str
) -> None:
    """Refuse a delivery or waiver naming a request or items the case does not have."""
    if request_id not in view.request_ids:
        known = ", ".join(view.request_ids) or "none"
        raise _unknown(
            code="cases.request.unknown",
            message=f"no Unterlagenanforderung {request_id!r} in this case (known: {known})",
            field="request",
        )
    requested = view.requests[view.request_ids.index(request_id)].items
    unknown = [item for item in items if item not in requested]
    if unknown:
        raise _unknown(
            code="cases.request.unknown_item",
            message=f"{', '.join(unknown)} not requested in {request_id} (requested: "
            f"{', '.join(requested) or 'nothing named'})",
            field=field,
        )


def _documents_state(view: CaseView) -> CaseState:
    open_requests = [r for r in request_status(view) if not r.discharged]
    return CaseState.DOCUMENTS_REQUESTED if open_requests else CaseState.DOCUMENTS_DELIVERED


def apply(view: CaseView, event: CaseEvent) -> CaseView:
    """The view after ``event``; raises :class:`IllegalStep` when the step is not allowed."""
    kind, step = event.kind, event.step
    if kind not in ALLOWED[view.state]:
        raise _refuse(view, kind)
    change: dict[str, object] = {"sequence": event.sequence, "case_id": event.case_id}
    if isinstance(step, model.CaseOpened):
        change.update(opened=step, state=CaseState.OPENED)
    elif isinstance(step, model.Pruefeinleitung):
        change.update(einleitung=step, state=CaseState.INITIATED)
    elif isinstance(step, model.Pruefanzeige):
        change.update(pruefanzeige=step, state=CaseState.ANNOUNCED)
    elif isinstance(step, model.Unterlagenanforderung):
        request_id = step.reference or f"A{event.sequence}"
        if request_id in view.request_ids:
            raise _unknown(
                code="cases.request.duplicate",
                message=f"an Unterlagenanforderung {request_id!r} exists already",
                field="reference",
            )
        change.update(
            requests=(*view.requests, step),
            request_ids=(*view.request_ids, request_id),
            state=CaseState.DOCUMENTS_REQUESTED,
        )
    elif isinstance(step, model.Delivery):
        if view.state is CaseState.EROERTERUNG:
            return attrs.evolve(view, eroerterung_delivery=step, **change)  # type: ignore[arg-type]
        if step.request:
            _check_request_items(view, step.request, step.covers, "covers")
        elif step.covers:
            # items without a request: each must be unique to one request of the case
            for item in step.covers:
                if not any(item in r.items for r in view.requests):
                    raise _unknown(
                        code="cases.request.unknown_item",
                        message=f"{item} was not requested in this case; name the request",
                        field="covers",
                    )
        moved = attrs.evolve(view, deliveries=(*view.deliveries, step))
        change.update(deliveries=moved.deliveries, state=_documents_state(moved))
    elif isinstance(step, model.ItemsWaived):
        _check_request_items(view, step.request, step.items, "items")
        moved = attrs.evolve(view, waivers=(*view.waivers, step))
        change.update(waivers=moved.waivers, state=_documents_state(moved))
    elif isinstance(step, model.Gutachten):
        change.update(gutachten=step, state=CaseState.ASSESSED)
    elif isinstance(step, model.Leistungsentscheidung):
        change.update(decision=step, state=CaseState.DECIDED)
    elif isinstance(step, model.FalldialogRequested):
        change.update(falldialog=step, state=CaseState.FALLDIALOG, resume_state=view.state)
    elif isinstance(step, model.FalldialogEnded):
        # Both outcomes stick: a failed Falldialog opened the MD commission period, an agreement
        # the Rechnungskorrektur; a later Falldialog does not take either back.
        change.update(
            falldialog_end=step,
            falldialog_failed=view.falldialog_failed or not step.agreement,
            falldialog_agreement=view.falldialog_agreement or (step if step.agreement else None),
            state=view.resume_state,
            resume_state=None,
        )
    elif isinstance(step, model.EroerterungStarted):
        change.update(eroerterung=step, state=CaseState.EROERTERUNG)
    elif isinstance(step, model.EroerterungAnswered):
        change.update(eroerterung_answer=step)
    elif isinstance(step, model.EroerterungEnded):
        change.update(eroerterung_end=step, state=CaseState.EROERTERT)
    else:
        change.update(closed=step, state=CaseState.CLOSED)
    return attrs.evolve(view, **change)  # type: ignore[arg-type]


def replay(
    events: Iterable[CaseEvent], *, rules: Mapping[tuple[str, PruefvV], Rule] | None = None
) -> CaseView:
    """The view of a case from all its events, in order; ``rules`` from
    :func:`~leportal_core.deadlines.rules.configure` replaces periods that are not public."""
    view = CaseView(rules=rules)
    for event in events:
        view = apply(view, event)
    return view


def _deadline(
    view: CaseView,
    key: str,
    start: datetime.date | None,
    *,
    subject: str = "",
    missing: tuple[str, ...] = (),
) -> Deadline | None:
    rule = find_rule(key, view.version, start, view.rules)
    if rule is None or view.opened is None or start is None:
        return None
    deadline = compute_rule(
        rule,
        start,
        view.opened.place,
        version=view.version,
        roll_forward_enabled=view.opened.roll_forward,
    )
    if subject or missing:
        deadline = attrs.evolve(deadline, subject=subject, missing=missing)
    return deadline


def _covers(
    delivery: model.Delivery, request_id: str, request: model.Unterlagenanforderung
) -> tuple[str, ...] | None:
    """The items of ``request`` that ``delivery`` covers; ``None`` when it does not address it."""
    if delivery.request and delivery.request != request_id:
        return None
    if delivery.covers:
        return tuple(item for item in delivery.covers if item in request.items)
    if delivery.request or not request.items:
        # a delivery naming no items answers a request that named none (and an old delivery
        # recorded before items were tracked answers such requests received before it)
        return () if request.items else ("*",)
    return None


def request_status(view: CaseView) -> tuple[RequestStatus, ...]:
    """Every Unterlagenanforderung with requested, delivered, waived and missing items."""
    result = []
    for request_id, request in zip(view.request_ids, view.requests, strict=True):
        delivered: dict[str, str] = {}
        answered: list[str] = []
        for delivery in view.deliveries:
            if delivery.delivered < request.received and not delivery.request:
                continue
            covered = _covers(delivery, request_id, request)
            if covered is None:
                continue
            answered.append(delivery.delivery_id)
            for item in covered:
                delivered.setdefault(item, delivery.delivery_id)
        waived: dict[str, str] = {}
        for waiver in view.waivers:
            if waiver.request == request_id:
                for item in waiver.items:
                    waived.setdefault(item, waiver.reason)
        if request.items:
            missing = tuple(i for i in request.items if i not in delivered and i not in waived)
        else:
            missing = () if "*" in delivered else ("(Unterlagen laut Anforderung)",)
        discharged = not missing or view.gutachten is not None or view.closed is not None
        deadline = None if discharged else _deadline(view, "documents", request.received)
        result.append(
            RequestStatus(
                request_id=request_id,
                received=request.received,
                requested=request.items,
                delivered=tuple((k, v) for k, v in delivered.items() if k != "*"),
                waived=tuple(waived.items()),
                missing=missing,
                discharged=discharged,
                due=deadline.due if deadline else None,
                answered_by=tuple(answered),
            )
        )
    return tuple(result)


def _initiation(view: CaseView) -> Deadline | None:
    assert view.opened is not None
    return _deadline(view, "audit_initiation", view.opened.invoice_received)


def _commission(view: CaseView) -> Deadline | None:
    """The MD commission period after a failed Falldialog (12 weeks after the Einleitung)."""
    if view.einleitung is None or not view.falldialog_failed:
        return None
    return _deadline(view, "md_commission", view.einleitung.received)


def open_deadlines(view: CaseView) -> tuple[Deadline, ...]:
    """The deadlines running now, earliest first; see :data:`DISCHARGED_BY`."""
    found: list[Deadline | None] = []
    opened = view.opened
    if opened is None or view.state is CaseState.CLOSED:
        return ()
    initiation = _initiation(view)
    if view.einleitung is None and view.pruefanzeige is None and view.falldialog is None:
        found.append(initiation)
    if view.einleitung is not None and view.pruefanzeige is None:
        found.append(_deadline(view, "data_correction", view.einleitung.received))
    if view.state is CaseState.FALLDIALOG and view.falldialog is not None:
        found.append(_deadline(view, "falldialog_answer", view.falldialog.received))
        found.append(_deadline(view, "falldialog_end", initiation.due if initiation else None))
    if view.falldialog_agreement is not None:
        found.append(_deadline(view, "invoice_correction", view.falldialog_agreement.ended))
    if view.pruefanzeige is None:
        found.append(_commission(view))
    for status in request_status(view):
        if status.discharged:
            continue
        found.append(
            _deadline(
                view,
                "documents",
                status.received,
                subject=status.request_id,
                missing=status.missing,
            )
        )
        documents = _deadline(view, "documents", status.received)
        if documents is not None:
            found.append(
                _deadline(
                    view,
                    "documents_late",
                    documents.due,
                    subject=status.request_id,
                    missing=status.missing,
                )
            )
    anzeige = view.pruefanzeige
    if anzeige is not None and view.decision is None:
        found.append(_deadline(view, "decision", anzeige.transmitted or anzeige.received))
    decision = view.decision
    if decision is not None and decision.reduction and view.eroerterung is None:
        found.append(_deadline(view, "eroerterung_request", decision.received))
        found.append(_deadline(view, "nachverfahren", decision.received))
        found.append(_deadline(view, "invoice_correction_decision", decision.received))
    if view.eroerterung is not None and view.eroerterung_end is None:
        started = view.eroerterung.started
        if view.eroerterung_answer is None:
            found.append(_deadline(view, "eroerterung_answer", started))
        if view.eroerterung_delivery is None:
            found.append(_deadline(view, "eroerterung_documents", started))
        found.append(_deadline(view, "eroerterung_end", started))
    ended = view.eroerterung_end
    if ended is not None and ended.agreement:
        found.append(_deadline(view, "invoice_correction_eroerterung", ended.ended))
    return tuple(
        sorted((d for d in found if d is not None), key=lambda d: (d.due, d.rule.key, d.subject))
    )


def _late(*, code: str, message: str, field: str) -> Problem:
    return Problem(
        code=code, message=message, location=Location(field=field), severity=Severity.WARNING
    )


def findings(view: CaseView) -> tuple[Problem, ...]:
    """Warnings a person should look at.

    - a Prüfeinleitung after the Prüfeinleitungsfrist (§ 275c Abs. 1 SGB V; before 2020
      § 275 Abs. 1c S. 2 SGB V a.F.): the audit is void;
    - a Prüfanzeige after that period — or, when a Falldialog failed, after the later of that
      period and the MD commission period of 12 weeks after the Einleitung: void;
    - items delivered after their request's documents deadline (§ 7 Abs. 2 PrüfvV).
    """
    found: list[Problem] = []
    opened = view.opened
    if opened is None:
        return ()
    initiation = _initiation(view)
    einleitung = view.einleitung
    if einleitung is not None and initiation is not None and einleitung.received > initiation.due:
        found.append(
            _late(
                code="cases.pruefeinleitung.late",
                message=f"Prüfeinleitung received {einleitung.received:%d.%m.%Y}, after the "
                f"Prüfeinleitungsfrist ended {initiation.due:%d.%m.%Y} ({initiation.rule.source}): "
                "the audit is void",
                field="einleitung.received",
            )
        )
    anzeige = view.pruefanzeige
    commission = _commission(view)
    if anzeige is not None and initiation is not None:
        limit, basis = initiation.due, initiation.rule.source
        if commission is not None and commission.due > limit:
            limit, basis = (
                commission.due,
                f"{commission.rule.source}, nach gescheitertem Falldialog",
            )
        if anzeige.received > limit:
            found.append(
                _late(
                    code="cases.pruefanzeige.late",
                    message=f"Prüfanzeige received {anzeige.received:%d.%m.%Y}, after the period ended "
                    f"{limit:%d.%m.%Y} ({basis}): the audit is void",
                    field="pruefanzeige.received",
                )
            )
    for request_id, request in zip(view.request_ids, view.requests, strict=True):
        deadline = _deadline(view, "documents", request.received)
        if deadline is None:
            continue
        for delivery in view.deliveries:
            covered = _covers(delivery, request_id, request)
            if covered is None or delivery.delivered < request.received:
                continue
            if delivery.delivered > deadline.due:
                what = ", ".join(i for i in covered if i != "*") or "documents"
                found.append(
                    _late(
                        code="cases.delivery.late",
                        message=f"delivery {delivery.delivery_id} on {delivery.delivered:%d.%m.%Y} "
                        f"({what} for {request_id}) came after the documents deadline "
                        f"{deadline.due:%d.%m.%Y} ({deadline.rule.source})"
                        + _nachfrist(view, deadline.due, delivery.delivered),
                        field="delivery",
                    )
                )
    return tuple(found)


def _nachfrist(view: CaseView, documents_due: datetime.date, delivered: datetime.date) -> str:
    """Whether a late delivery still fell into the Nachlieferung against 300 EUR."""
    late = _deadline(view, "documents_late", documents_due)
    if late is None:
        return ""
    if delivered <= late.due:
        return (
            f"; within the Nachfrist until {late.due:%d.%m.%Y} (300 EUR; {late.rule.source} "
            f"[{late.rule.source_kind.value}])"
        )
    return f"; also after the Nachfrist ended {late.due:%d.%m.%Y} ({late.rule.source})"
