"""Issue 15 property tests over arbitrary event sequences (in memory, through ``apply``):

- no event makes an undischarged deadline vanish: a deadline leaves the worklist only by an
  event of :data:`DISCHARGED_BY` for its rule (or the closing), and a documents deadline only
  when its request has nothing missing (or the Gutachten/closing ended the audit);
- replaying the (JSON round-tripped) events gives the same state;
- adding an event never moves an existing deadline earlier;
- the store's worklist (what `case due`/`case overdue` read) holds exactly the running
  deadlines after every event.
"""

from __future__ import annotations

import datetime
import itertools
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core.cases import (
    DISCHARGED_BY,
    CaseClosed,
    CaseEvent,
    CaseState,
    CaseStore,
    CaseValidationError,
    CaseView,
    Delivery,
    EroerterungAnswered,
    EroerterungEnded,
    EroerterungStarted,
    EventKind,
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
    open_deadlines,
    replay,
    request_status,
)
from leportal_core.cases.events import step_from_json, step_to_json
from leportal_core.cases.state import apply

from .conftest import NOW, opened

POOL = ("Arztbrief", "OP-Bericht", "Fieberkurve")
KP = (Pruefgegenstand.KP000,)

moves = st.lists(
    st.tuples(
        # which of the steps allowed now (0-94), or the closing (95-99): sampling any kind
        # would make almost every sequence end after a few steps (no case got a second request)
        st.integers(0, 99),
        st.integers(0, 40),  # days after the previous event
        st.integers(0, 7),  # which request
        st.sets(st.sampled_from(POOL)),  # items
        st.booleans(),
    ),
    min_size=4,
    max_size=24,
)
admissions = st.sampled_from([datetime.date(2019, 5, 1), datetime.date(2026, 1, 5)])


def _step(
    view: CaseView, kind: EventKind, day: datetime.date, pick: int, items: set[str], flag: bool
) -> Step | None:
    chosen = tuple(i for i in POOL if i in items)
    ids = view.request_ids
    if kind in (EventKind.DELIVERY, EventKind.WAIVER) and ids:
        request_id = ids[pick % len(ids)]
        requested = view.requests[pick % len(ids)].items
        chosen = tuple(i for i in chosen if i in requested)
    else:
        request_id = ""
    steps: dict[EventKind, Any] = {
        EventKind.PRUEFEINLEITUNG: lambda: Pruefeinleitung(received=day, items=KP),
        EventKind.PRUEFANZEIGE: lambda: Pruefanzeige(received=day, items=KP),
        EventKind.UNTERLAGENANFORDERUNG: lambda: Unterlagenanforderung(received=day, items=chosen),
        EventKind.DELIVERY: lambda: Delivery(
            delivered=day,
            delivery_id=f"d{pick}",
            request=request_id if flag else "",
            covers=chosen if flag else (),
        ),
        EventKind.WAIVER: lambda: (
            ItemsWaived(waived=day, request=request_id, items=chosen, reason="entfällt")
            if request_id and chosen
            else None
        ),
        EventKind.GUTACHTEN: lambda: Gutachten(received=day, reduction=flag),
        EventKind.LEISTUNGSENTSCHEIDUNG: lambda: Leistungsentscheidung(
            received=day, reduction=flag
        ),
        EventKind.FALLDIALOG_REQUESTED: lambda: FalldialogRequested(received=day),
        EventKind.FALLDIALOG_ENDED: lambda: FalldialogEnded(ended=day, agreement=flag),
        EventKind.EROERTERUNG_STARTED: lambda: EroerterungStarted(started=day),
        EventKind.EROERTERUNG_ANSWERED: lambda: EroerterungAnswered(received=day),
        EventKind.EROERTERUNG_ENDED: lambda: EroerterungEnded(ended=day, agreement=flag),
        EventKind.CLOSED: lambda: CaseClosed(closed=day, reason="erledigt"),
    }
    return steps[kind]()  # type: ignore[no-any-return]


def _kind(view: CaseView, choice: int) -> EventKind:
    allowed = sorted(view.allowed - {EventKind.CLOSED}, key=lambda k: k.value)
    if choice >= 95 or not allowed:
        return EventKind.CLOSED
    return allowed[choice % len(allowed)]


def _run(
    admitted: datetime.date, sequence: list[tuple[int, int, int, set[str], bool]]
) -> tuple[list[CaseEvent], list[CaseView]]:
    first = opened(
        stay=Stay(admitted=admitted),
        invoice_date=admitted + datetime.timedelta(days=10),
        invoice_received=admitted + datetime.timedelta(days=14),
    )
    events = [
        CaseEvent(event_id="e1", case_id="c", sequence=1, step=first, actor="t", recorded_at=NOW)
    ]
    views = [apply(CaseView(), events[0])]
    day = admitted + datetime.timedelta(days=20)
    for choice, gap, pick, items, flag in sequence:
        day += datetime.timedelta(days=gap)
        view = views[-1]
        if view.state is CaseState.CLOSED:
            break
        kind = _kind(view, choice)
        step = _step(view, kind, day, pick, items, flag)
        if step is None:
            continue
        event = CaseEvent(
            event_id=f"e{len(events) + 1}",
            case_id="c",
            sequence=len(events) + 1,
            step=step,
            actor="t",
            recorded_at=NOW,
        )
        try:
            after = apply(view, event)
        except CaseValidationError:
            continue  # not allowed now (IllegalStep) or naming nothing requested
        events.append(event)
        views.append(after)
    return events, views


def _keyed(view: CaseView) -> dict[tuple[str, str], datetime.date]:
    return {(d.rule.key, d.subject): d.due for d in open_deadlines(view)}


@settings(max_examples=300, deadline=None)
@given(admitted=admissions, sequence=moves)
def test_no_event_makes_an_undischarged_deadline_vanish(
    admitted: datetime.date, sequence: Any
) -> None:
    events, views = _run(admitted, sequence)
    for event, before, after in zip(events[1:], views[:-1], views[1:], strict=True):
        now, then = _keyed(before), _keyed(after)
        for (rule, subject), _due in now.items():
            if (rule, subject) in then or event.kind is EventKind.CLOSED:
                continue
            assert event.kind in DISCHARGED_BY[rule], (rule, subject, event.kind)
            if rule in ("documents", "documents_late") and event.kind is not EventKind.GUTACHTEN:
                status = {r.request_id: r for r in request_status(after)}[subject]
                assert status.discharged
                assert not status.missing


@settings(max_examples=300, deadline=None)
@given(admitted=admissions, sequence=moves)
def test_adding_an_event_never_moves_a_deadline_earlier(
    admitted: datetime.date, sequence: Any
) -> None:
    _, views = _run(admitted, sequence)
    for before, after in itertools.pairwise(views):
        now, then = _keyed(before), _keyed(after)
        for key in now.keys() & then.keys():
            assert then[key] >= now[key], key


@settings(max_examples=150, deadline=None)
@given(admitted=admissions, sequence=moves)
def test_replaying_the_stored_events_gives_the_same_state(
    admitted: datetime.date, sequence: Any
) -> None:
    events, views = _run(admitted, sequence)
    stored = [
        CaseEvent(
            event_id=e.event_id,
            case_id=e.case_id,
            sequence=e.sequence,
            step=step_from_json(e.kind, step_to_json(e.step)),
            actor=e.actor,
            recorded_at=e.recorded_at,
        )
        for e in events
    ]
    assert replay(stored) == views[-1] == replay(events)
    assert open_deadlines(replay(stored)) == open_deadlines(views[-1])


def _worklist(store: CaseStore, today: datetime.date) -> set[tuple[str, str, datetime.date, Any]]:
    entries = store.overdue(today=today) + store.due_within(3660, today=today)
    assert store.count_overdue(today=today) + store.count_due_within(3660, today=today) == len(
        entries
    )
    return {(e.rule, e.subject, e.due, e.missing) for e in entries}


@settings(max_examples=40, deadline=None)
@given(admitted=admissions, sequence=moves)
def test_every_running_deadline_is_on_the_stored_worklist(
    admitted: datetime.date, sequence: Any
) -> None:
    """What `case due` and `case overdue` read (the store's deadline rows) is, after every event,
    exactly what the case's events say is running: nothing undischarged is missing from them."""
    events, views = _run(admitted, sequence)
    with (
        tempfile.TemporaryDirectory() as folder,
        CaseStore(Path(folder) / "cases.sqlite", create=True) as store,
    ):
        case_id = store.open_case(events[0].step, actor="t").case_id  # type: ignore[arg-type]
        for event, view in zip(events, views, strict=True):
            if event.sequence > 1:
                store.record(case_id, event.step, actor="t")
            # overdue before ``today``, due from it up to 3660 days later: together all
            today = admitted + datetime.timedelta(days=30 * event.sequence)
            expected = {(d.rule.key, d.subject, d.due, d.missing) for d in open_deadlines(view)}
            assert _worklist(store, today) == expected
