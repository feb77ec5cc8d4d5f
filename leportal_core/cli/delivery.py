"""``leportal delivery build|reconcile``: the Unterlagenlieferung from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
import pluggy

from leportal_core.cli.output import ReportedGroup, Result, problem_lines, report, utf8_option
from leportal_core.cli.params import DATE, InputPath, json_option, out_option
from leportal_core.cli.pdf import policy_options
from leportal_core.delivery import (
    build_folder,
    load_manifest,
    load_receipt,
    load_request,
    plan_delivery,
    reconcile,
    reconciliation_problems,
)
from leportal_core.pdf import ActiveContentAction, PdfPolicy
from leportal_core.terminology import KdlTable, load_kdl_csv


@click.group(cls=ReportedGroup)
def delivery() -> None:
    """Unterlagenlieferung: build the upload folder for an Unterlagenanforderung, reconcile the
    Dateiquittung."""


def _today(value: dt.date | None) -> dt.date:
    if value is None:
        return dt.datetime.now(dt.UTC).astimezone(_berlin()).date()
    return value


def _berlin() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")


@delivery.command()
@click.argument("request", type=InputPath())
@out_option("Folder to write.", required=True)
@click.option(
    "--today",
    type=DATE,
    help="Civil date to measure the deadline against (default: today in Berlin).",
)
@click.option("--kdl", type=InputPath(), help="KDL CSV table (GPL data) to use.")
@policy_options
@click.option(
    "--created",
    callback=utf8_option,
    help="Creation stamp to put into the manifest (default: none, so re-runs are byte-identical).",
)
@json_option
@click.pass_obj
def build(
    pm: pluggy.PluginManager,
    request: Path,
    out: Path,
    today: dt.date | None,
    kdl: Path | None,
    max_size: int,
    active_content: str,
    created: str | None,
    as_json: bool,
) -> None:
    """Check, classify and match the documents of REQUEST (a JSON file) and write the upload folder.

    Exit 0 when every requested item is delivered and nothing was rejected, 1 otherwise (the folder
    is still written with the acceptable documents)."""
    day = _today(today)
    kdl_table: KdlTable | str | None = load_kdl_csv(kdl) if kdl is not None else "installed"
    policy = PdfPolicy(max_size=max_size, active_content=ActiveContentAction(active_content))
    plan = plan_delivery(load_request(request), pm, today=day, policy=policy, kdl=kdl_table)
    folder = build_folder(plan, out, created=created)
    problems = plan.problems()

    def text() -> None:
        status = plan.deadline
        click.echo(f"Vorgang {plan.request.reference}: {len(plan.accepted)} files → {folder}")
        for checked in plan.accepted:
            c = checked.classification
            review = " (review!)" if c.needs_review else ""
            click.echo(f"  {checked.source.id}: {c.category.label}{review} — {c.reason}")
        for checked in plan.rejected:
            click.echo(f"  {checked.source.id}: REJECTED")
            click.echo(problem_lines(checked.verdict.errors))
        for item in plan.missing:
            click.echo(f"  missing: {item.id} {item.label}")
        for extra in plan.extra:
            click.echo(f"  extra (not requested): {extra}")
        days = "" if status.days_left is None else f", {status.days_left} days left"
        click.echo(f"  Frist: {status.state.value}{days}")

    report(Result(not problems, problems, _plan_json(plan, folder), text), as_json=as_json)


def _plan_json(plan: Any, folder: Path) -> dict[str, Any]:
    status = plan.deadline
    return {
        "reference": plan.request.reference,
        "folder": str(folder),
        "complete": plan.complete,
        "deadline": {
            "due": status.due.isoformat() if status.due else None,
            "today": status.today.isoformat(),
            "days_left": status.days_left,
            "state": status.state.value,
        },
        "accepted": [
            {
                "document_id": c.source.id,
                "category": c.classification.category.value,
                "rule": c.classification.rule,
                "reason": c.classification.reason,
                "needs_review": c.classification.needs_review,
                "pdf": c.verdict.as_dict(),
            }
            for c in plan.accepted
        ],
        "rejected": [
            {"document_id": c.source.id, "pdf": c.verdict.as_dict()} for c in plan.rejected
        ],
        "matches": [
            {"item": m.item_id, "document_id": m.document_id, "rule": m.rule} for m in plan.matches
        ],
        "missing": [{"id": i.id, "label": i.label} for i in plan.missing],
        "extra": list(plan.extra),
    }


@delivery.command("reconcile")
@click.argument("manifest", type=InputPath(dir_okay=True))
@click.argument("receipt", type=InputPath())
@json_option
def reconcile_command(manifest: Path, receipt: Path, as_json: bool) -> None:
    """Compare RECEIPT (the Dateiquittung as JSON or CSV) with MANIFEST (manifest.json or the
    delivery folder). Exit 0 when everything arrived as sent, 1 otherwise."""
    result = reconcile(load_manifest(manifest), load_receipt(receipt))
    problems = reconciliation_problems(result)

    def text() -> None:
        click.echo(
            f"received as sent: {len(result.received)}, missing: {len(result.missing)}, "
            f"altered: {len(result.altered)}, unexpected: {len(result.unexpected)}"
        )
        if problems:
            click.echo(problem_lines(problems))

    data = {k: v for k, v in result.as_dict().items() if k not in ("ok", "problems")}
    report(Result(result.ok, problems, data, text), as_json=as_json)
