"""The billing chapters of ``leportal demo`` (orders 160-169), on ``samples/billing/``."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from leportal_core.billing.decoder import decode, validate
from leportal_core.billing.encoder import write_file
from leportal_core.billing.profile import load_profile
from leportal_core.billing.reconcile import reconcile
from leportal_core.billing.webentry import (
    Facility,
    approvals_from_records,
    attendance_from_records,
    build_invoice,
)
from leportal_core.demo import DemoContext, DemoStep
from leportal_core.hookspecs import hookimpl

__all__ = ["leportal_demo_steps"]

PROFILE = "mass-provisional-v1"


def _valid(context: DemoContext) -> None:
    profile = load_profile(PROFILE)
    path = context.samples / "billing" / "mass-2026-10.csv"
    report = validate(path, profile)
    context.say(
        f"   profile {profile.name} (provisional: the official MASS layout is not public), "
        f"{len(profile.columns)} columns"
    )
    context.say(
        f"   {path.name}: valid {report.valid}, {report.rows} lines, "
        f"sum of Betrag {report.sums.get('betrag')} EUR"
    )
    for group in report.groups:
        context.say(
            f"   invoice {group.group}: control total {group.declared} = sum of {group.rows} lines"
        )


def _broken(context: DemoContext) -> None:
    profile = load_profile(PROFILE)
    path = context.samples / "billing" / "mass-2026-10-fehlerhaft.csv"
    report = validate(path, profile)
    context.say(
        f"   {path.name}: valid {report.valid}, {report.errors} errors, {report.warnings} warnings"
    )
    for problem in report.problems:
        context.say(
            f"   line {problem.location.line}, {problem.location.field}: {problem.code}"
            f"\n      {problem.message}"
        )


def _reconcile(context: DemoContext) -> None:
    folder = context.samples / "billing"
    result = reconcile(
        folder / "mass-2026-10.csv",
        folder / "papierrechnung-2026-10.csv",
        profile=load_profile(PROFILE),
    )
    context.say(
        f"   {result.matched} lines agree; electronic {result.electronic_total} EUR vs paper "
        f"{result.paper_total} EUR"
    )
    for difference in result.differences:
        context.say(f"   {difference.code}: {difference.message}")


def _build(context: DemoContext) -> None:
    folder = context.samples / "billing"
    lines = build_invoice(
        facility=Facility(ik="260326822", facility_number="E-4711"),
        year=2026,
        month=10,
        invoice_number="RE-2026-10-001",
        invoice_date=datetime.date(2026, 11, 4),
        approvals=approvals_from_records(
            decode(folder / "bewilligungen.csv", load_profile("approvals-v1"))
        ),
        attendance=attendance_from_records(
            decode(folder / "anwesenheit-2026-10.csv", load_profile("attendance-v1"))
        ),
    )
    for line in lines:
        context.say(
            f"   {line.file_reference} {line.service_type}: {line.quantity} {line.unit.value} × "
            f"{line.rate} = {line.amount} EUR"
        )
    context.out.mkdir(parents=True, exist_ok=True)
    target = context.out / "mass-2026-10.csv"
    write_file(lines, load_profile(PROFILE), target)
    same = target.read_bytes() == (folder / "mass-2026-10.csv").read_bytes()
    context.say(f"   written to {target}; identical to the sample file: {same}")


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """The billing chapters."""
    register(
        DemoStep(order=160, title="Validate a MASS billing file (provisional profile)", run=_valid)
    )
    register(
        DemoStep(
            order=161, title="Explain every problem in a broken MASS billing file", run=_broken
        )
    )
    register(
        DemoStep(
            order=163,
            title="Build the invoice from approvals and attendance, as MASS_web does",
            run=_build,
        )
    )
    register(
        DemoStep(
            order=162,
            title="Reconcile the electronic MASS file with the paper invoice (pilot phase)",
            run=_reconcile,
        )
    )
