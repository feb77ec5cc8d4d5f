"""Property: replaying a case's stored events rebuilds the same state as recording them did."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core.cases import (
    ALLOWED,
    CaseClosed,
    CaseStore,
    CaseValidationError,
    Delivery,
    EroerterungAnswered,
    EroerterungEnded,
    EroerterungStarted,
    EventKind,
    FalldialogEnded,
    FalldialogRequested,
    Gutachten,
    IllegalStep,
    ItemsWaived,
    Leistungsentscheidung,
    Pruefanzeige,
    Pruefeinleitung,
    Pruefgegenstand,
    Step,
    Unterlagenanforderung,
    open_deadlines,
    replay,
)

from .conftest import Clock, opened

D = datetime.date(2026, 2, 2)


def _step(kind: EventKind, offset: int) -> Step:
    day = D + datetime.timedelta(days=offset)
    steps: dict[EventKind, Step] = {
        EventKind.PRUEFEINLEITUNG: Pruefeinleitung(received=day, items=(Pruefgegenstand.PF000,)),
        EventKind.PRUEFANZEIGE: Pruefanzeige(received=day, items=(Pruefgegenstand.PF000,)),
        EventKind.WAIVER: ItemsWaived(
            waived=day, request="A3", items=("OP-Bericht",), reason="vom MD zurückgenommen"
        ),
        EventKind.EROERTERUNG_ANSWERED: EroerterungAnswered(received=day),
        EventKind.UNTERLAGENANFORDERUNG: Unterlagenanforderung(received=day, items=("OP-Bericht",)),
        EventKind.DELIVERY: Delivery(delivered=day, delivery_id=f"d-{offset}"),
        EventKind.GUTACHTEN: Gutachten(received=day, reduction=offset % 2 == 0),
        EventKind.LEISTUNGSENTSCHEIDUNG: Leistungsentscheidung(received=day, reduction=True),
        EventKind.FALLDIALOG_REQUESTED: FalldialogRequested(received=day),
        EventKind.FALLDIALOG_ENDED: FalldialogEnded(ended=day, agreement=False),
        EventKind.EROERTERUNG_STARTED: EroerterungStarted(started=day),
        EventKind.EROERTERUNG_ENDED: EroerterungEnded(ended=day, agreement=True),
        EventKind.CLOSED: CaseClosed(closed=day, reason="bezahlt"),
    }
    return steps[kind]


kinds = st.lists(st.sampled_from([k for k in EventKind if k is not EventKind.OPENED]), max_size=12)


@settings(max_examples=40)  # expensive examples
@given(sequence=kinds)
def test_replay_rebuilds_the_recorded_state(sequence: list[EventKind]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.sqlite"
        with CaseStore(path, clock=Clock(), create=True) as store:
            case_id = store.open_case(opened(), actor="kis").case_id
            refused: list[str] = []
            for offset, kind in enumerate(sequence, 1):
                allowed = store.view(case_id).allowed
                try:
                    store.record(case_id, _step(kind, offset), actor="kis")
                except IllegalStep:
                    assert kind not in allowed
                except CaseValidationError as exc:
                    # a waiver for a request the case does not have is refused as such
                    refused.append(exc.code)
                else:
                    assert kind in allowed
            live = store.view(case_id)
            rows = store.due_within(3000, today=datetime.date(2026, 1, 1))
        with CaseStore(path, clock=Clock()) as reopened:
            events = reopened.events(case_id)
            rebuilt = replay(events)
        assert rebuilt == live
        assert all(code.startswith("cases.request.") for code in refused), refused
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        # The deadline projection equals the deadlines derived from the replayed state.
        assert sorted((r.rule, r.subject, r.due, r.missing) for r in rows) == sorted(
            (d.rule.key, d.subject, d.due, d.missing) for d in open_deadlines(rebuilt)
        )
        assert set(ALLOWED[rebuilt.state]) == set(rebuilt.allowed)
