"""The demo chapter of the audit cases: a case whose documents are due soon, its deadlines explained.

Registered with the plug-in manager like any plug-in; writes ``cases.sqlite`` in the demo's output
folder (replaced on every run, so the demo can be repeated).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from leportal_core.cases.model import (
    CaseOpened,
    Pruefanzeige,
    Pruefgegenstand,
    Stay,
    Unterlagenanforderung,
)
from leportal_core.cases.state import open_deadlines
from leportal_core.cases.store import BERLIN, CaseStore
from leportal_core.deadlines import Bundesland, compute
from leportal_core.demo import DemoContext, DemoStep
from leportal_core.hookspecs import hookimpl

__all__ = ["STORE_NAME", "leportal_demo_steps", "run_cases_demo"]

STORE_NAME = "cases.sqlite"


def run_cases_demo(context: DemoContext) -> None:
    """Create the store, record a case up to its Unterlagenanforderung, show what is due."""
    context.out.mkdir(parents=True, exist_ok=True)
    path = context.out / STORE_NAME
    for leftover in (
        path,
        path.with_name(STORE_NAME + "-wal"),
        path.with_name(STORE_NAME + "-shm"),
    ):
        leftover.unlink(missing_ok=True)
    # The store's clock stands at noon (Berlin) of the story's day, like every other chapter's.
    noon = datetime.datetime.combine(context.today, datetime.time(12), tzinfo=BERLIN)
    with CaseStore(path, pm=context.pm, create=True, clock=lambda: noon) as store:
        today = store.today()
        # Received 7 weeks and 2 days ago: the 8-week Ausschlussfrist ends in about 5 days.
        received = today - datetime.timedelta(weeks=7, days=2)
        opened = store.open_case(
            CaseOpened(
                case_number="F-2026-000123",
                hospital_ik="260326822",
                kasse_ik="101575519",
                kvnr="A123456780",
                stay=Stay(
                    admitted=received - datetime.timedelta(days=70),
                    discharged=received - datetime.timedelta(days=62),
                    department="0300 Kardiologie",
                ),
                state=Bundesland.HE,
                invoice_number="R-2026-4711",
                invoice_date=received - datetime.timedelta(days=55),
                invoice_received=received - datetime.timedelta(days=52),
            ),
            actor="demo",
        )
        case_id = opened.case_id
        store.record(
            case_id,
            Pruefanzeige(
                received=received - datetime.timedelta(days=7),
                items=(Pruefgegenstand.KP000, Pruefgegenstand.SF000),
                question="Ist die Hauptdiagnose korrekt kodiert? War die Verweildauer notwendig?",
                md_reference="MD-HE-2026-0815",
            ),
            actor="demo",
        )
        store.record(
            case_id,
            Unterlagenanforderung(
                received=received, items=("Entlassungsbericht", "OP-Bericht", "Pflegedokumentation")
            ),
            actor="demo",
        )
        context.say(f"   store: {path}")
        for entry in store.due_within(14, today=today):
            context.say(
                f"   due within 14 days: {entry.case_number} {entry.rule} on {entry.due:%d.%m.%Y}"
            )
        for deadline in open_deadlines(store.view(case_id)):
            context.say("   " + deadline.explain().replace("\n", "\n   "))
    context.say("   worked example (docs/deadlines.md):")
    example = compute("documents", datetime.date(2026, 2, 9), Bundesland.HE)
    context.say("   " + example.explain().replace("\n", "\n   "))


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """The audit-case chapter (order 140)."""
    register(
        DemoStep(
            order=140,
            title="Record an audit case whose documents are due soon and explain its deadlines",
            run=run_cases_demo,
        )
    )
