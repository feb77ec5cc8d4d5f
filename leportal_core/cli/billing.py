"""``leportal billing``: validate, explain and reconcile MASS billing files (see docs/billing.md).

Exit status: 0 valid / equal, 1 the input was checked and rejected (problems or differences),
2 usage or configuration error (unknown profile, unreadable file); errors are mapped by the CLI's
one reporter (:mod:`leportal_core.cli.output`).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import click

from leportal_core.billing.decoder import DEFAULT_MAX_PROBLEMS, ValidationReport, decode, validate
from leportal_core.billing.encoder import write_file
from leportal_core.billing.profile import Profile, available_profiles, load_profile
from leportal_core.billing.reconcile import reconcile
from leportal_core.billing.webentry import (
    Facility,
    approvals_from_records,
    attendance_from_records,
    build_invoice,
)
from leportal_core.cli.output import (
    TTY_PROBLEM_LINES,
    Progress,
    ReportedGroup,
    Result,
    for_a_person,
    report,
    shown,
)
from leportal_core.cli.params import DATE, InputPath, json_option, out_option
from leportal_core.errors import Location, Problem
from leportal_core.files import output_error

__all__ = ["billing"]

_PROFILE_HELP = "Profile name (see 'leportal billing profiles') or path to a profile TOML file."


@click.group(cls=ReportedGroup)
def billing() -> None:
    """MASS billing files (Abrechnungsdatei): validate, build, reconcile with paper, profiles."""


def _profile(name: str) -> Profile:
    return load_profile(Path(name) if name.endswith(".toml") or "/" in name else name)


def _report_json(path: Path, profile: Profile, report: ValidationReport) -> dict[str, Any]:
    return {
        "file": shown(str(path)),
        "profile": profile.name,
        "provisional": profile.provisional,
        "counts": {
            "rows": report.rows,
            "valid_rows": report.valid_rows,
            "errors": report.errors,
            "warnings": report.warnings,
        },
        "truncated": report.truncated,
        "dropped": report.dropped,
        "dropped_codes": dict(report.dropped_codes),
        "totals": {key: str(total) for key, total in report.sums.items()},
        "groups": [
            {
                "group": group.group,
                "rows": group.rows,
                "total": str(group.total),
                "declared": None if group.declared is None else str(group.declared),
            }
            for group in report.groups
        ],
    }


@billing.command(name="validate")
@click.argument("file", type=InputPath())
@click.option(
    "--profile",
    "profile_name",
    default="mass-provisional-v1",
    show_default=True,
    help=_PROFILE_HELP,
)
@json_option
@click.option(
    "--max-problems",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_PROBLEMS,
    show_default=True,
    help="Keep this many problems; later ones are counted (per code), not listed.",
)
def validate_command(file: Path, profile_name: str, as_json: bool, max_problems: int) -> None:
    """Check a billing FILE line by line; exit 0 when valid, 1 when it has problems."""
    profile = _profile(profile_name)
    with Progress(enabled=not as_json) as progress:
        checked = validate(
            file,
            profile,
            max_problems=max_problems,
            on_rows=lambda rows: progress.update(f"  {rows:,} lines checked"),
        )
    report(
        Result(
            checked.valid,
            checked.problems,
            _report_json(file, profile, checked),
            lambda: _print_report(file, profile, checked),
        ),
        as_json=as_json,
    )


def _print_report(path: Path, profile: Profile, report: ValidationReport) -> None:
    label = profile.name + (" (provisional)" if profile.provisional else "")
    verdict = "valid" if report.valid else "INVALID"
    click.echo(
        f"{shown(str(path))}: {verdict} - {report.rows} lines, {report.valid_rows} without "
        f"problems, {report.errors} errors, {report.warnings} warnings (profile {label})"
    )
    for key, total in report.sums.items():
        click.echo(f"    sum of {profile.column(key).header} over lines without problems: {total}")
    listed = report.problems[:TTY_PROBLEM_LINES] if for_a_person() else report.problems
    for problem in listed:
        where = []
        if problem.location.line is not None:
            where.append(f"line {problem.location.line}")
        if problem.location.field is not None:
            where.append(shown(problem.location.field))
        prefix = ", ".join(where) or "file"
        kind = "" if problem.severity.value == "error" else " (warning)"
        click.echo(f"    {prefix}: {problem.code}{kind}: {shown(problem.message)}")
    if len(listed) < len(report.problems):
        click.echo(
            f"    … and {len(report.problems) - len(listed) + report.dropped} more "
            "(on a terminal only the first are listed; --json lists them all)"
        )
    elif report.dropped:
        click.echo(
            f"    ({report.dropped} more problems not listed; raise --max-problems to see them)"
        )


@billing.command(name="profiles")
@json_option
@click.option("--columns", is_flag=True, help="Also list each profile's columns.")
def profiles_command(as_json: bool, columns: bool) -> None:
    """List the billing profiles shipped with leportal."""
    loaded = [load_profile(name) for name in available_profiles()]

    def text() -> None:
        for p in loaded:
            flag = " [PROVISIONAL]" if p.provisional else ""
            click.echo(
                f"{p.name}{flag}: {p.title} - {len(p.columns)} columns, {p.encoding}, {p.delimiter!r}"
            )
            if p.note:
                click.echo(f"    {p.note}")
            if columns:
                for c in p.columns:
                    optional = "" if c.required else ", optional"
                    click.echo(f"      {c.header} ({c.key}): {c.type.value}{optional}")

    data = {
        "profiles": [
            {
                "name": p.name,
                "version": p.version,
                "title": p.title,
                "provisional": p.provisional,
                "note": p.note,
                "columns": [
                    {
                        "key": c.key,
                        "header": c.header,
                        "type": c.type.value,
                        "required": c.required,
                    }
                    for c in p.columns
                ],
            }
            for p in loaded
        ]
    }
    report(Result(True, data=data, text=text), as_json=as_json)


@billing.command(name="reconcile")
@click.argument("electronic", type=InputPath())
@click.argument("paper", type=InputPath())
@click.option(
    "--profile",
    "profile_name",
    default="mass-provisional-v1",
    show_default=True,
    help=_PROFILE_HELP,
)
@click.option(
    "--paper-profile",
    "paper_profile_name",
    default="paper-lines-v1",
    show_default=True,
    help="Profile of the paper invoice's lines.",
)
@json_option
def reconcile_command(
    electronic: Path, paper: Path, profile_name: str, paper_profile_name: str, as_json: bool
) -> None:
    """Compare the ELECTRONIC billing file with the PAPER invoice's lines (pilot phase).

    Exit 0 when they agree per person, Leistungsart and period; 1 when they differ or a file is
    invalid.
    """
    profile = _profile(profile_name)
    paper_profile = _profile(paper_profile_name)
    result = reconcile(electronic, paper, profile=profile, paper_profile=paper_profile)

    def text() -> None:
        verdict = "agree" if result.equal else "DIFFER"
        click.echo(
            f"electronic and paper {verdict}: {result.matched} lines match, "
            f"{len(result.differences)} differ; totals {result.electronic_total} (electronic) "
            f"vs {result.paper_total} (paper)"
        )
        for difference in result.differences:
            click.echo(f"    {difference.code}: {shown(difference.message)}")

    # Each difference is also a problem, so hosts read every command's problems the same way.
    problems = [
        Problem(
            code=d.code,
            message=d.message,
            location=Location(field=f"{d.file_reference}/{d.service_type}"),
        )
        for d in result.differences
    ]
    data = {
        "matched": result.matched,
        "electronic_total": str(result.electronic_total),
        "paper_total": str(result.paper_total),
        "differences": [
            {
                "code": d.code,
                "aktenzeichen": d.file_reference,
                "leistungsart": d.service_type,
                "zeitraum_von": d.period_start.isoformat(),
                "zeitraum_bis": d.period_end.isoformat(),
                "electronic": None if d.electronic is None else [str(v) for v in d.electronic],
                "paper": None if d.paper is None else [str(v) for v in d.paper],
                "message": d.message,
            }
            for d in result.differences
        ],
    }
    report(Result(result.equal, problems, data, text), as_json=as_json)


def _month(_: click.Context, __: click.Parameter, value: str) -> tuple[int, int]:
    try:
        parsed = datetime.datetime.strptime(value, "%Y-%m")
    except ValueError as exc:
        raise click.BadParameter("use JJJJ-MM, e.g. 2026-10") from exc
    return parsed.year, parsed.month


@billing.command(name="build")
@click.argument("approvals", type=InputPath())
@click.argument("attendance", type=InputPath())
@click.option("--month", required=True, callback=_month, help="Billing month, JJJJ-MM.")
@click.option("--invoice-number", required=True, help="Rechnungsnummer.")
@click.option(
    "--invoice-date", required=True, type=DATE, help="Rechnungsdatum, TT.MM.JJJJ or JJJJ-MM-TT."
)
@click.option("--ik", required=True, help="IK of the Einrichtung.")
@click.option("--facility-number", required=True, help="Einrichtungsnummer.")
@out_option("Billing file to write (atomically).", required=True, dir_okay=False)
@click.option(
    "--profile",
    "profile_name",
    default="mass-provisional-v1",
    show_default=True,
    help=_PROFILE_HELP,
)
@json_option
def build_command(
    approvals: Path,
    attendance: Path,
    month: tuple[int, int],
    invoice_number: str,
    invoice_date: datetime.date,
    ik: str,
    facility_number: str,
    out: Path,
    profile_name: str,
    as_json: bool,
) -> None:
    """Build the invoice of a month from APPROVALS and ATTENDANCE, as MASS_web does.

    APPROVALS is a CSV in the profile approvals-v1, ATTENDANCE one in attendance-v1 (see
    'leportal billing profiles --columns'). Exit 0 when the file was written, 1 when the input
    was rejected (nothing is written then).
    """
    profile = _profile(profile_name)
    try:
        lines = build_invoice(
            facility=Facility(ik=ik, facility_number=facility_number),
            year=month[0],
            month=month[1],
            invoice_number=invoice_number,
            invoice_date=invoice_date,
            approvals=approvals_from_records(decode(approvals, load_profile("approvals-v1"))),
            attendance=attendance_from_records(decode(attendance, load_profile("attendance-v1"))),
        )
        write_file(lines, profile, out)
    except OSError as exc:  # a full or read-only disk is a StorageError (exit 74), not a setting
        raise output_error(out, exc) from exc
    total = lines[0].invoice_total if lines else None
    data = {
        "file": shown(str(out)),
        "lines": len(lines),
        "total": None if total is None else str(total),
    }
    done = f"{shown(str(out))}: {len(lines)} lines, Rechnungsbetrag {total} EUR"
    report(Result(True, data=data, text=lambda: click.echo(done)), as_json=as_json)
