"""``leportal deadlines`` and ``leportal case …``: PrüfvV deadlines and audit cases from the shell.

Exit status: 0 done, 1 the input was checked and rejected (problem codes on stderr, or in the
``--json`` envelope), 2 usage error, 74 the store could not be used (``store.*`` codes); errors are
mapped by the CLI's one reporter (:mod:`leportal_core.cli.output`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import click
import pluggy

from leportal_core.cases import (
    Begehungsliste,
    CaseClosed,
    CaseEvent,
    CaseOpened,
    CaseStore,
    CaseValidationError,
    CaseView,
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
    Strukturpruefung,
    Unterlagenanforderung,
    findings,
    open_deadlines,
    request_status,
)
from leportal_core.cases.events import step_to_json
from leportal_core.cases.store import DueEntry
from leportal_core.cli.output import (
    ReportedCommand,
    ReportedGroup,
    Result,
    report,
    shown,
    utf8_option,
)
from leportal_core.cli.params import DATE, json_option, required_store
from leportal_core.deadlines import (
    RULE_KEYS,
    Bundesland,
    Deadline,
    Place,
    PruefvV,
    compute,
    parse_state,
    place_for,
)
from leportal_core.deadlines.rules import pruefvv_for_admission
from leportal_core.errors import ConfigurationError, Location, Problem

__all__ = ["case", "deadlines"]

_STORE_KEY = "leportal.cases.store"


def _deadline_text(deadline: Deadline) -> str:
    return deadline.explain()


@click.command(cls=ReportedCommand)
@click.option("--rule", required=True, help="Rule key: " + ", ".join(RULE_KEYS) + ".")
@click.option(
    "--received",
    "--start",
    "start",
    required=True,
    type=DATE,
    help="Day of the start event (e.g. receipt of the Unterlagenanforderung).",
)
@click.option("--state", required=True, help="Bundesland of the hospital, e.g. HE, BY, NW.")
@click.option(
    "--admission",
    type=DATE,
    help="Admission date: chooses PrüfvV 2017 (before 2022-01-01) or 2022. Default: PrüfvV 2022.",
)
@click.option(
    "--no-roll-forward",
    is_flag=True,
    help="Do not move an end on a weekend or holiday to the next working day (§ 193 BGB).",
)
@click.option(
    "--municipality",
    default="",
    help="Municipality (AGS or name) for local holidays, e.g. Augsburg; default: the Land.",
)
@click.option(
    "--catholic-holidays/--no-catholic-holidays",
    default=None,
    help="The municipality keeps the Land's local Catholic holidays (BY, SN, TH).",
)
@json_option
def deadlines(
    rule: str,
    start: datetime.date,
    state: str,
    admission: datetime.date | None,
    no_roll_forward: bool,
    municipality: str,
    catholic_holidays: bool | None,
    as_json: bool,
) -> None:
    """Compute a PrüfvV deadline with §§ 187-193 BGB and explain it."""
    version = pruefvv_for_admission(admission) if admission else PruefvV.V2022
    where: str | Place = shown(state)
    if municipality:
        where = place_for(
            parse_state(shown(state)), shown(municipality), catholic=catholic_holidays
        )
    result = compute(
        shown(rule),
        start,
        where,
        version=version,
        roll_forward_enabled=not no_roll_forward,
    )
    report(
        Result(
            True, data={"deadline": result.as_dict()}, text=lambda: click.echo(result.explain())
        ),
        as_json=as_json,
    )


# --- leportal case ------------------------------------------------------------------------


@click.group(cls=ReportedGroup)
@click.option(
    "--store",
    "store_path",
    envvar="LEPORTAL_CASE_STORE",
    hidden=True,  # deprecated: `leportal --store PATH_OR_URL case …` or LEPORTAL_STORE
    help="Deprecated: use `leportal --store PATH_OR_URL` or LEPORTAL_STORE.",
)
@click.pass_context
def case(ctx: click.Context, store_path: str | None) -> None:
    """Audit cases (Prüfverfahren) in `leportal --store`: create, record steps, list due and
    overdue deadlines."""
    ctx.meta[_STORE_KEY] = store_path


def _open_store(ctx: click.Context) -> CaseStore:
    # Checked here, not by click, so that ``leportal case due --help`` works without a store.
    location = required_store(ctx, ctx.meta.get(_STORE_KEY))
    return CaseStore(location, pm=ctx.find_object(pluggy.PluginManager))


def _event_dict(event: CaseEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "case_id": event.case_id,
        "sequence": event.sequence,
        "kind": event.kind.name,
        "label": event.kind.value,
        "actor": event.actor,
        "recorded_at": event.recorded_at.isoformat(),
        "step": json.loads(step_to_json(event.step)),
    }


def _view_dict(view: CaseView, events: list[CaseEvent] | None = None) -> dict[str, Any]:
    assert view.opened is not None
    out: dict[str, Any] = {
        "case_id": view.case_id,
        "case_number": view.opened.case_number,
        "state": view.state.name,
        "state_label": view.state.value,
        "pruefvv": view.version.value,
        "allowed_steps": sorted(kind.name for kind in view.allowed),
        "calendar": view.opened.place.calendar,
        "deadlines": [d.as_dict() for d in open_deadlines(view)],
        "requests": [
            {
                "request": r.request_id,
                "received": r.received.isoformat(),
                "requested": list(r.requested),
                "delivered": [{"item": i, "delivery_id": d} for i, d in r.delivered],
                "waived": [{"item": i, "reason": why} for i, why in r.waived],
                "missing": list(r.missing),
                "discharged": r.discharged,
                "due": r.due.isoformat() if r.due else None,
            }
            for r in request_status(view)
        ],
        "findings": [p.as_dict() for p in findings(view)],
    }
    if events is not None:
        out["events"] = [_event_dict(event) for event in events]
    return out


def _common(func: Callable[..., None]) -> Callable[..., None]:
    func = json_option(func)
    func = click.option(
        "--event-id",
        callback=utf8_option,
        help="Idempotency key: a retry with it records nothing twice.",
    )(func)
    return click.option("--actor", default="cli", show_default=True, help="Who records the step.")(
        func
    )


def _record(
    ctx: click.Context,
    case_ref: str,
    build: Callable[[], Step],
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    with _open_store(ctx) as store:
        case_id = store.resolve(shown(case_ref))
        event = store.record(case_id, build(), actor=shown(actor), event_id=event_id)
        view = store.view(event.case_id)
    _report(view, event, as_json)


def _report(view: CaseView, event: CaseEvent, as_json: bool) -> None:
    def text() -> None:
        assert view.opened is not None
        click.echo(
            f"{view.opened.case_number} ({view.case_id}): #{event.sequence} {event.kind.value}; "
            f"state: {view.state.value}"
        )
        for deadline in open_deadlines(view):
            label = _entry_label(deadline.rule.key, deadline.subject, deadline.missing)
            click.echo(f"  due {deadline.due:%d.%m.%Y}: {label} – {deadline.rule.title}")

    data = {"event": _event_dict(event), "case": _view_dict(view)}
    report(Result(True, data=data, text=text), as_json=as_json)


def _entry_label(rule: str, subject: str, missing: tuple[str, ...]) -> str:
    label = f"{rule} {subject}".strip()
    return label + (f" (fehlt: {', '.join(missing)})" if missing else "")


@case.command()
@click.option("--case-number", required=True, help="Aufnahmenummer / Fallnummer of the hospital.")
@click.option("--hospital-ik", required=True, help="IK of the hospital.")
@click.option("--kasse-ik", required=True, help="IK of the Krankenkasse.")
@click.option("--kvnr", required=True, help="KVNR of the patient.")
@click.option("--admitted", required=True, type=DATE, help="Admission day.")
@click.option("--discharged", type=DATE, help="Discharge day.")
@click.option(
    "--department", default="", help="Aufnehmende Fachabteilung, e.g. '0300 Kardiologie'."
)
@click.option("--state", required=True, help="Bundesland of the hospital (holidays), e.g. HE.")
@click.option("--invoice-number", default="", help="Rechnungsnummer.")
@click.option("--invoice-date", type=DATE, help="Rechnungsdatum.")
@click.option("--invoice-received", type=DATE, help="Day the invoice reached the Kasse.")
@click.option("--md-reference", default="", help="Reference of the Medizinischer Dienst.")
@click.option("--kasse-case-number", default="", help="Fallnummer der Krankenkasse.")
@click.option("--no-roll-forward", is_flag=True, help="Switch § 193 BGB off for this case.")
@click.option(
    "--municipality",
    default="",
    help="Municipality of the hospital (AGS or name) for local holidays, e.g. 09761000 (Augsburg).",
)
@click.option(
    "--catholic-holidays/--no-catholic-holidays",
    default=None,
    help="The municipality keeps the Land's local Catholic holidays (BY: Mariä Himmelfahrt; "
    "SN/TH: Fronleichnam). Needed for municipalities the built-in table does not know.",
)
@_common
@click.pass_context
def create(ctx: click.Context, /, **options: Any) -> None:
    """Create a case; prints its id."""
    as_json = bool(options.pop("as_json"))
    actor, event_id = options.pop("actor"), options.pop("event_id")

    opened = _build_opened(options)
    with _open_store(ctx) as store:
        event = store.open_case(opened, actor=shown(actor), event_id=event_id)
        view = store.view(event.case_id)
    _report(view, event, as_json)


def _build_opened(options: dict[str, Any]) -> CaseOpened:
    # Collect the stay's, the Land's and the rest's problems together, so the user sees all at once.
    problems: list[Problem] = []
    stay = Stay(admitted=options["admitted"])
    try:
        stay = Stay(
            admitted=options["admitted"],
            discharged=options["discharged"],
            department=shown(options["department"]),
        )
    except CaseValidationError as exc:
        problems.extend(exc.problems)
    land = Bundesland.HE
    try:
        land = Bundesland[shown(options["state"]).strip().upper()]
    except KeyError:
        problems.append(
            Problem(
                code="cases.state.unknown",
                message=f"unknown Bundesland {shown(options['state'])!r}",
            )
        )
    try:
        opened = CaseOpened(
            case_number=shown(options["case_number"]),
            hospital_ik=shown(options["hospital_ik"]),
            kasse_ik=shown(options["kasse_ik"]),
            kvnr=shown(options["kvnr"]),
            stay=stay,
            state=land,
            invoice_number=shown(options["invoice_number"]),
            invoice_date=options["invoice_date"],
            invoice_received=options["invoice_received"],
            md_reference=shown(options["md_reference"]),
            kasse_case_number=shown(options["kasse_case_number"]),
            roll_forward=not options["no_roll_forward"],
            municipality=shown(options["municipality"]),
            catholic_holidays=options["catholic_holidays"],
        )
    except CaseValidationError as exc:
        problems.extend(exc.problems)
    if problems:
        raise CaseValidationError("invalid case", problems)
    return opened


_CASE = click.argument("case_ref", metavar="CASE")


@case.command()
@_CASE
@click.option("--received", required=True, type=DATE, help="Day the Prüfanzeige arrived.")
@click.option(
    "--item",
    "items",
    multiple=True,
    help="Prüfgegenstand by § 301 code: "
    + ", ".join(f"{p.name} ({p.value})" for p in Pruefgegenstand),
)
@click.option("--question", default="", help="Fragestellung der Kasse.")
@click.option("--md-reference", default="", help="Reference of the Medizinischer Dienst.")
@click.option(
    "--transmitted",
    type=DATE,
    help="Day the MD sent it (Übermittlung; PrüfvV 2017 § 8 counts from it).",
)
@_common
@click.pass_context
def pruefanzeige(
    ctx: click.Context,
    case_ref: str,
    received: datetime.date,
    items: tuple[str, ...],
    question: str,
    md_reference: str,
    transmitted: datetime.date | None,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record the MD's Prüfanzeige (§ 6 PrüfvV; at least one Prüfgegenstand)."""

    def build() -> Step:
        return Pruefanzeige(
            received=received,
            items=_pruefgegenstaende(items),
            question=shown(question),
            md_reference=shown(md_reference),
            transmitted=transmitted,
        )

    _record(ctx, case_ref, build, actor, event_id, as_json)


def _pruefgegenstaende(items: tuple[str, ...]) -> tuple[Pruefgegenstand, ...]:
    codes: list[Pruefgegenstand] = []
    for item in items:
        try:
            codes.append(Pruefgegenstand[shown(item).strip().upper()])
        except KeyError:
            raise CaseValidationError(
                "unknown Prüfgegenstand",
                [
                    Problem(
                        code="cases.pruefanzeige.unknown_item",
                        message=f"{shown(item)!r} is not one of {', '.join(p.name for p in Pruefgegenstand)}",
                    )
                ],
            ) from None
    return tuple(codes)


@case.command()
@_CASE
@click.option(
    "--received",
    required=True,
    type=DATE,
    help="Day the Kasse's Prüfeinleitung reached the hospital.",
)
@click.option(
    "--item",
    "items",
    multiple=True,
    help="Prüfgegenstand by § 301 code: " + ", ".join(p.name for p in Pruefgegenstand),
)
@click.option("--question", default="", help="Fragestellung der Kasse.")
@_common
@click.pass_context
def einleitung(
    ctx: click.Context,
    case_ref: str,
    received: datetime.date,
    items: tuple[str, ...],
    question: str,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record the Kasse's Prüfeinleitung (§ 275c Abs. 1 SGB V, § 4 PrüfvV)."""
    _record(
        ctx,
        case_ref,
        lambda: Pruefeinleitung(
            received=received, items=_pruefgegenstaende(items), question=shown(question)
        ),
        actor,
        event_id,
        as_json,
    )


@case.command("request-documents")
@_CASE
@click.option(
    "--received",
    required=True,
    type=DATE,
    help="Day the Unterlagenanforderung arrived.",
)
@click.option("--item", "items", multiple=True, help="A requested document, e.g. 'OP-Bericht'.")
@click.option(
    "--reference", default="", help="The request's reference (MD's Vorgang); default A<event no.>."
)
@_common
@click.pass_context
def request_documents(
    ctx: click.Context,
    case_ref: str,
    received: datetime.date,
    items: tuple[str, ...],
    reference: str,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record an Unterlagenanforderung; starts its own 8-week Ausschlussfrist."""
    _record(
        ctx,
        case_ref,
        lambda: Unterlagenanforderung(
            received=received, items=tuple(shown(i) for i in items), reference=shown(reference)
        ),
        actor,
        event_id,
        as_json,
    )


@case.command()
@_CASE
@click.option(
    "--delivered",
    required=True,
    type=DATE,
    help="Day the documents were delivered.",
)
@click.option("--delivery-id", required=True, help="Id of the delivery in the documents component.")
@click.option(
    "--request", "request_ref", default="", help="The request it answers (reference or A<n>)."
)
@click.option("--item", "items", multiple=True, help="A requested item the delivery contains.")
@_common
@click.pass_context
def deliver(
    ctx: click.Context,
    case_ref: str,
    delivered: datetime.date,
    delivery_id: str,
    request_ref: str,
    items: tuple[str, ...],
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record that documents were delivered to the MD, and which requested items they cover."""
    _record(
        ctx,
        case_ref,
        lambda: Delivery(
            delivered=delivered,
            delivery_id=shown(delivery_id),
            request=shown(request_ref),
            covers=tuple(shown(i) for i in items),
        ),
        actor,
        event_id,
        as_json,
    )


@case.command()
@_CASE
@click.option("--waived", required=True, type=DATE, help="Day of the decision.")
@click.option("--request", "request_ref", required=True, help="The request (reference or A<n>).")
@click.option(
    "--item", "items", multiple=True, required=True, help="A requested item not delivered."
)
@click.option("--reason", required=True, help="Why, e.g. 'vom MD zurückgenommen'.")
@_common
@click.pass_context
def waive(
    ctx: click.Context,
    case_ref: str,
    waived: datetime.date,
    request_ref: str,
    items: tuple[str, ...],
    reason: str,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record requested items that will not be delivered, with the reason."""
    _record(
        ctx,
        case_ref,
        lambda: ItemsWaived(
            waived=waived,
            request=shown(request_ref),
            items=tuple(shown(i) for i in items),
            reason=shown(reason),
        ),
        actor,
        event_id,
        as_json,
    )


@case.command()
@_CASE
@click.option("--received", required=True, type=DATE, help="Day the Gutachten arrived.")
@click.option("--reduction/--no-reduction", required=True, help="Does it reduce the bill?")
@click.option("--summary", default="", help="Short result.")
@_common
@click.pass_context
def gutachten(
    ctx: click.Context,
    case_ref: str,
    received: datetime.date,
    reduction: bool,
    summary: str,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record the MD's Gutachten."""
    _record(
        ctx,
        case_ref,
        lambda: Gutachten(received=received, reduction=reduction, summary=shown(summary)),
        actor,
        event_id,
        as_json,
    )


@case.command()
@_CASE
@click.option(
    "--received",
    required=True,
    type=DATE,
    help="Day the Kasse's decision arrived.",
)
@click.option("--reduction/--no-reduction", required=True, help="Does it reduce the bill?")
@_common
@click.pass_context
def decision(
    ctx: click.Context,
    case_ref: str,
    received: datetime.date,
    reduction: bool,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record the Kasse's Leistungsentscheidung."""
    _record(
        ctx,
        case_ref,
        lambda: Leistungsentscheidung(received=received, reduction=reduction),
        actor,
        event_id,
        as_json,
    )


@case.command()
@_CASE
@click.option(
    "--received",
    required=True,
    type=DATE,
    help="Day the Falldialog request arrived.",
)
@_common
@click.pass_context
def falldialog(
    ctx: click.Context,
    case_ref: str,
    received: datetime.date,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record a request for a Falldialog."""
    _record(ctx, case_ref, lambda: FalldialogRequested(received=received), actor, event_id, as_json)


@case.command("falldialog-end")
@_CASE
@click.option("--ended", required=True, type=DATE, help="Day the Falldialog ended.")
@click.option("--agreement/--no-agreement", required=True, help="Did it end with an agreement?")
@_common
@click.pass_context
def falldialog_end(
    ctx: click.Context,
    case_ref: str,
    ended: datetime.date,
    agreement: bool,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record the end of the Falldialog."""
    _record(
        ctx,
        case_ref,
        lambda: FalldialogEnded(ended=ended, agreement=agreement),
        actor,
        event_id,
        as_json,
    )


@case.command()
@_CASE
@click.option(
    "--started",
    required=True,
    type=DATE,
    help="Day the Erörterungsverfahren began.",
)
@_common
@click.pass_context
def eroerterung(
    ctx: click.Context,
    case_ref: str,
    started: datetime.date,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record the start of the Erörterungsverfahren (§ 9 PrüfvV)."""
    _record(ctx, case_ref, lambda: EroerterungStarted(started=started), actor, event_id, as_json)


@case.command("eroerterung-answer")
@_CASE
@click.option(
    "--received",
    required=True,
    type=DATE,
    help="Day the Kasse's answer arrived.",
)
@_common
@click.pass_context
def eroerterung_answer(
    ctx: click.Context,
    case_ref: str,
    received: datetime.date,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record the Kasse's answer in the Erörterungsverfahren."""
    _record(ctx, case_ref, lambda: EroerterungAnswered(received=received), actor, event_id, as_json)


@case.command("eroerterung-end")
@_CASE
@click.option(
    "--ended",
    required=True,
    type=DATE,
    help="Day the Erörterungsverfahren ended.",
)
@click.option("--agreement/--no-agreement", required=True, help="Did it end with an agreement?")
@_common
@click.pass_context
def eroerterung_end(
    ctx: click.Context,
    case_ref: str,
    ended: datetime.date,
    agreement: bool,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Record the end of the Erörterungsverfahren."""
    _record(
        ctx,
        case_ref,
        lambda: EroerterungEnded(ended=ended, agreement=agreement),
        actor,
        event_id,
        as_json,
    )


@case.command()
@_CASE
@click.option("--closed", required=True, type=DATE, help="Day the case was finished.")
@click.option("--reason", required=True, help="Why, e.g. 'Rechnung bezahlt'.")
@_common
@click.pass_context
def close(
    ctx: click.Context,
    case_ref: str,
    closed: datetime.date,
    reason: str,
    actor: str,
    event_id: str | None,
    as_json: bool,
) -> None:
    """Close the case; nothing may be recorded afterwards."""
    _record(
        ctx,
        case_ref,
        lambda: CaseClosed(closed=closed, reason=shown(reason)),
        actor,
        event_id,
        as_json,
    )


def _print_due(
    entries: list[DueEntry],
    total: int,
    page: tuple[int, int],
    as_json: bool,
    today: datetime.date,
) -> None:
    limit, offset = page

    def text() -> None:
        if not entries:
            click.echo(f"no deadlines ({total} in all)")
            return
        for e in entries:
            click.echo(
                f"{e.due:%d.%m.%Y}  {_entry_label(e.rule, e.subject, e.missing):<20} "
                f"{e.case_number}  ({e.case_id}, {e.state})"
            )
        click.echo(f"{offset + 1}–{offset + len(entries)} of {total}")

    data = {
        "today": today.isoformat(),
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + len(entries) if offset + len(entries) < total else None,
        "deadlines": [
            {
                "case_id": e.case_id,
                "case_number": e.case_number,
                "state": e.state,
                "rule": e.rule,
                "subject": e.subject,
                "missing": list(e.missing),
                "due": e.due.isoformat(),
            }
            for e in entries
        ],
    }
    report(Result(True, data=data, text=text), as_json=as_json)


def _paging(func: Callable[..., None]) -> Callable[..., None]:
    func = click.option(
        "--offset", default=0, show_default=True, type=click.IntRange(0), help="Skip this many."
    )(func)
    return click.option(
        "--limit",
        default=100,
        show_default=True,
        type=click.IntRange(1, 10_000),
        help="Show at most this many (the total is printed).",
    )(func)


@case.command()
@click.option(
    "--days",
    default=14,
    show_default=True,
    type=click.IntRange(0, 3660),
    help="Look ahead this many days.",
)
@click.option(
    "--today",
    type=DATE,
    help="Pretend today is this day (default: today in Europe/Berlin).",
)
@_paging
@json_option
@click.pass_context
def due(
    ctx: click.Context,
    days: int,
    today: datetime.date | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """List running deadlines due from today to today + DAYS, a page at a time."""

    if today is not None and today > datetime.date.max - datetime.timedelta(days=days):
        raise ConfigurationError(
            "--today is too late",
            [
                Problem(
                    code="cli.option.range",
                    message=f"--today {today.isoformat()} plus {days} days is past the year 9999",
                    location=Location(field="--today"),
                )
            ],
        )

    with _open_store(ctx) as store:
        day = today or store.today()
        entries = store.due_within(days, today=day, limit=limit, offset=offset)
        total = store.count_due_within(days, today=day)
    _print_due(entries, total, (limit, offset), as_json, day)


@case.command()
@click.option(
    "--today",
    type=DATE,
    help="Pretend today is this day (default: today in Europe/Berlin).",
)
@_paging
@json_option
@click.pass_context
def overdue(
    ctx: click.Context, today: datetime.date | None, limit: int, offset: int, as_json: bool
) -> None:
    """List running deadlines whose day has passed, a page at a time."""

    with _open_store(ctx) as store:
        day = today or store.today()
        entries = store.overdue(today=day, limit=limit, offset=offset)
        total = store.count_overdue(today=day)
    _print_due(entries, total, (limit, offset), as_json, day)


@case.command()
@_CASE
@json_option
@click.pass_context
def show(ctx: click.Context, case_ref: str, as_json: bool) -> None:
    """Show a case by any identifier: state, allowed steps, events, deadlines explained."""
    with _open_store(ctx) as store:
        case_id = store.resolve(shown(case_ref))
        events = store.events(case_id)
        view = store.view(case_id)

    def text() -> None:
        assert view.opened is not None
        click.echo(f"{view.opened.case_number} ({view.case_id}) – {view.version.value}")
        click.echo(f"state: {view.state.value}")
        click.echo("allowed steps: " + (", ".join(sorted(k.value for k in view.allowed)) or "none"))
        click.echo("events:")
        for event in events:
            click.echo(f"  {event.describe()}")
        click.echo(f"calendar: {view.opened.place.calendar}")
        for problem in findings(view):
            click.echo(f"WARNING {problem.code}: {problem.message}")
        for r in request_status(view):
            status = "erledigt" if r.discharged else f"Frist {r.due:%d.%m.%Y}" if r.due else "offen"
            click.echo(f"Unterlagenanforderung {r.request_id} vom {r.received:%d.%m.%Y} ({status})")
            click.echo("  angefordert: " + (", ".join(r.requested) or "(keine Einzelangaben)"))
            click.echo("  geliefert: " + (", ".join(f"{i} ({d})" for i, d in r.delivered) or "–"))
            if r.waived:
                click.echo("  entbehrlich: " + ", ".join(f"{i} ({why})" for i, why in r.waived))
            click.echo("  fehlt: " + (", ".join(r.missing) or "–"))
        for deadline in open_deadlines(view):
            click.echo(_deadline_text(deadline))

    # The findings are warnings: in "problems" like every command's, and under "case".
    result = Result(True, findings(view), {"case": _view_dict(view, events)}, text)
    report(result, as_json=as_json)


# --- Begehungsliste and Strukturprüfung ----------------------------------------------------


@case.command("begehung")
@click.option("--hospital-ik", required=True, help="IK of the hospital.")
@click.option("--received", required=True, type=DATE, help="Day the list came.")
@click.option("--audit-date", required=True, type=DATE, help="Day of the Begehung.")
@click.option("--item", "items", multiple=True, required=True, help="An item of the list.")
@click.option("--id", "item_id", help="Id to replace an earlier list (default: a new one).")
@json_option
@click.pass_context
def begehung(
    ctx: click.Context,
    hospital_ik: str,
    received: datetime.date,
    audit_date: datetime.date,
    items: tuple[str, ...],
    item_id: str | None,
    as_json: bool,
) -> None:
    """Keep the MD's Begehungsliste for an on-site audit; lists every Begehung by date."""

    item = Begehungsliste(
        hospital_ik=shown(hospital_ik),
        received=received,
        audit_date=audit_date,
        items=tuple(shown(i) for i in items),
    )
    with _open_store(ctx) as store:
        saved = store.save_begehungsliste(item, item_id=item_id)
        every = store.begehungslisten()
    listed = [
        {"id": key, "audit_date": b.audit_date.isoformat(), "items": list(b.items)}
        for key, b in every
    ]

    def text() -> None:
        click.echo(f"saved {saved}")
        for entry in listed:
            click.echo(f"{entry['audit_date']}  {entry['id']}  {', '.join(entry['items'])}")

    data = {"id": saved, "begehungslisten": listed}
    report(Result(True, data=data, text=text), as_json=as_json)


@case.command("strukturpruefung")
@click.option("--standort", required=True, help="Standortnummer (9 digits, 77…).")
@click.option("--ops", "ops_codes", multiple=True, required=True, help="OPS code, e.g. 8-98f.")
@click.option("--evidence", multiple=True, help="Id of an evidence document.")
@click.option("--recurrence", type=click.IntRange(2, 3), required=True, help="Every 2 or 3 years.")
@click.option(
    "--ops-recurrence",
    "ops_recurrence",
    multiple=True,
    help="A code's own recurrence, e.g. '8-98f=3' (default: --recurrence).",
)
@click.option("--last-checked", required=True, type=DATE, help="Day of the last check.")
@click.option("--id", "item_id", help="Id to replace an earlier entry (default: a new one).")
@json_option
@click.pass_context
def strukturpruefung(
    ctx: click.Context,
    standort: str,
    ops_codes: tuple[str, ...],
    evidence: tuple[str, ...],
    recurrence: int,
    ops_recurrence: tuple[str, ...],
    last_checked: datetime.date,
    item_id: str | None,
    as_json: bool,
) -> None:
    """Keep a Strukturprüfung of one Standort; prints when each OPS code is due next."""
    pairs = []
    for pair in ops_recurrence:
        code, _, years = shown(pair).partition("=")
        pairs.append((code.strip(), int(years) if years.strip().isdigit() else 0))
    item = Strukturpruefung(
        ops_recurrence=tuple(pairs),
        standortnummer=shown(standort),
        ops_codes=tuple(shown(c) for c in ops_codes),
        evidence=tuple(shown(e) for e in evidence),
        recurrence_years=recurrence,
        last_checked=last_checked,
    )
    with _open_store(ctx) as store:
        saved = store.save_strukturpruefung(item, item_id=item_id)
    by_ops = {code: day.isoformat() for code, day in item.due_by_ops()}

    def text() -> None:
        click.echo(f"saved {saved}; next Strukturprüfung due {item.next_due:%d.%m.%Y}")
        for code, day in item.due_by_ops():
            click.echo(f"  {code}: {day:%d.%m.%Y}")

    data = {"id": saved, "next_due": item.next_due.isoformat(), "by_ops": by_ops}
    report(Result(True, data=data, text=text), as_json=as_json)


@case.command("strukturpruefung-due")
@click.option("--before", required=True, type=DATE, help="Due before this day.")
@json_option
@click.pass_context
def strukturpruefung_due(ctx: click.Context, before: datetime.date, as_json: bool) -> None:
    """List the Strukturprüfungen due before a day, earliest first."""
    with _open_store(ctx) as store:
        found = store.strukturpruefungen_due(before)
    listed = [
        {
            "id": key,
            "standortnummer": s.standortnummer,
            "ops_codes": list(s.ops_codes),
            "next_due": s.next_due.isoformat(),
        }
        for key, s in found
    ]

    def text() -> None:
        if not listed:
            click.echo("no Strukturprüfung due")
        for entry in listed:
            click.echo(
                f"{entry['next_due']}  {entry['standortnummer']}  {', '.join(entry['ops_codes'])}"
            )

    report(Result(True, data={"strukturpruefungen": listed}, text=text), as_json=as_json)
