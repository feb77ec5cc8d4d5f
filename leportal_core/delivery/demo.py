"""The Unterlagenlieferung chapters of ``leportal demo`` (orders 120–139).

A small archive of sample PDFs (``samples/documents/``, one encrypted, one cut off) is checked,
classified and matched against an Unterlagenanforderung, becomes an upload-ready folder with the bad
ones rejected and explained, and is reconciled against a Dateiquittung.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from leportal_core.delivery.folder import build_folder
from leportal_core.delivery.plan import DeliveryPlan, plan_delivery
from leportal_core.delivery.receipt import load_manifest, parse_receipt_json, reconcile
from leportal_core.delivery.request_file import load_request
from leportal_core.demo import DemoContext, DemoStep
from leportal_core.hookspecs import hookimpl
from leportal_core.pdf import inspect_pdf

__all__ = ["leportal_demo_steps"]


def _check_pdfs(context: DemoContext) -> None:
    for path in sorted((context.samples / "documents").glob("*.pdf")):
        verdict = inspect_pdf(path, name=path.name)
        if verdict.ok:
            context.say(f"   {path.name}: ok, {verdict.pages} page(s), PDF {verdict.version}")
        else:
            for problem in verdict.errors:
                context.say(f"   {path.name}: REJECTED {problem.code}: {problem.message}")


def _build(context: DemoContext) -> None:
    request = load_request(context.samples / "documents" / "anforderung.json")
    plan = plan_delivery(request, context.pm, today=context.today)
    folder = build_folder(plan, context.out / "lieferung")
    context.shared["delivery_plan"] = plan
    context.shared["delivery_folder"] = folder
    for checked in plan.accepted:
        c = checked.classification
        context.say(f"   {checked.source.id} → {c.category.label}: {c.reason}")
    for checked in plan.rejected:
        reasons = "; ".join(f"{p.code}: {p.message}" for p in checked.verdict.errors)
        context.say(
            f"   {checked.source.id} ({checked.source.document.title}) rejected — {reasons}"
        )
    for item in plan.missing:
        context.say(f"   still missing: item {item.id} {item.label}")
    status = plan.deadline
    context.say(
        f"   Ausschlussfrist {status.due}: {status.state.value}, {status.days_left} days left "
        f"(as of {status.today}); folder {folder} with manifest.json"
    )


def _reconcile(context: DemoContext) -> None:
    plan: DeliveryPlan = context.shared["delivery_plan"]
    sent = load_manifest(context.shared["delivery_folder"])
    # A made-up Dateiquittung: one file arrived altered, one is not listed, one is unknown.
    entries = [
        {"name": f.path.rsplit("/", 1)[-1], "size": f.size, "sha256": f.sha256} for f in sent
    ]
    entries[0]["size"] = int(str(entries[0]["size"])) + 1
    entries.pop()
    entries.append({"name": "fremd.pdf", "size": 1})
    result = reconcile(sent, parse_receipt_json(json.dumps({"files": entries})))
    context.say(
        f"   Vorgang {plan.request.reference}: received as sent {len(result.received)}, "
        f"altered {len(result.altered)}, missing {len(result.missing)}, "
        f"unexpected {len(result.unexpected)}"
    )


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """The Unterlagenlieferung chapters."""
    register(
        DemoStep(order=120, title="Check the PDFs of an Unterlagenanforderung", run=_check_pdfs)
    )
    register(
        DemoStep(
            order=125,
            title="Build the upload folder for the MD (bad PDFs rejected and explained)",
            run=_build,
        )
    )
    register(
        DemoStep(order=130, title="Reconcile a Dateiquittung with what was sent", run=_reconcile)
    )
