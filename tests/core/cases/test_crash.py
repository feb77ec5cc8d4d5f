"""Killing the process between two events loses nothing that was acknowledged.

A real child process records steps as fast as it can and prints each event id only after
``record`` returned (the acknowledgement); the test kills it with SIGKILL mid-stream and checks
that every acknowledged event is in the store and the case still replays.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from leportal_core.cases import CaseState, CaseStore

CHILD = textwrap.dedent(
    """
    import datetime, sys
    from leportal_core.cases import CaseOpened, CaseStore, Delivery, Pruefanzeige
    from leportal_core.cases import Pruefgegenstand, Stay, Unterlagenanforderung
    from leportal_core.deadlines import Bundesland

    store = CaseStore(sys.argv[1], create=True)
    day = datetime.date(2026, 2, 9)
    event = store.open_case(
        CaseOpened(case_number="F-1", hospital_ik="260326822", kasse_ik="101575519",
                   kvnr="A123456780", stay=Stay(admitted=datetime.date(2026, 1, 5)),
                   state=Bundesland.HE),
        actor="child")
    print(event.event_id, flush=True)
    case_id = event.case_id
    event = store.record(case_id, Pruefanzeige(received=day, items=(Pruefgegenstand.KP000,)), actor="child")
    print(event.event_id, flush=True)
    n = 0
    while True:
        n += 1
        step = (Unterlagenanforderung(received=day, items=(f"Teil {n}",)) if n % 2
                else Delivery(delivered=day, delivery_id=f"d-{n}"))
        event = store.record(case_id, step, actor="child")
        print(event.event_id, flush=True)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_between_events_loses_nothing_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    acknowledged: list[str] = []
    try:
        while len(acknowledged) < 25:
            line = child.stdout.readline()
            assert line, "the child stopped before it was killed"
            acknowledged.append(line.strip())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    with CaseStore(path) as store:
        (case_id,) = store.case_ids()
        events = store.events(case_id)
        stored = {event.event_id for event in events}
        assert set(acknowledged) <= stored
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        view = store.view(case_id)
        assert view.sequence == len(events)
        assert view.state in (CaseState.DOCUMENTS_REQUESTED, CaseState.DOCUMENTS_DELIVERED)
