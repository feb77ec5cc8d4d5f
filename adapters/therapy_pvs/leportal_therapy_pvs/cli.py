"""``leportal therapy …``: render a report, send it over KIM, show and settle the
Versandhistorie, read GDT.

Exit status: 0 done, 1 input rejected, not delivered, outcome unknown, already being sent, or the
store damaged/locked/read-only/full (each with its problem code), 2 usage/configuration error
(including a store that does not exist: create it with ``therapy init``). Passwords come from an
environment variable, never from the command line, and are never printed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from leportal_core.cli.output import ReportedGroup, emit_json, problem_lines, shown, utf8_option
from leportal_core.errors import ConfigurationError, FormatError, LeportalError
from leportal_core.files import open_input, write_bytes_atomic
from leportal_core.therapy import (
    DEFAULT_RETENTION_DAYS,
    Outcome,
    SendingHistory,
    SendInProgress,
    TherapyReport,
    TherapyStoreError,
    open_store,
)
from leportal_therapy_pvs.codecs import GdtPatientCodec, ReportJsonCodec
from leportal_therapy_pvs.kim import DEFAULT_DIENSTKENNUNG, KimSettings
from leportal_therapy_pvs.render import render_flyer, render_report
from leportal_therapy_pvs.sending import send_report
from leportal_therapy_pvs.smtp import SmtpSettings, Tls

__all__ = ["therapy"]

_MAX_INPUT = 8 << 20


def _read(path: Path) -> bytes:
    try:
        with open_input(path) as stream:
            data = stream.read(_MAX_INPUT + 1)
    except OSError as exc:
        raise ConfigurationError(f"cannot read {shown(str(path))}: {exc.strerror}") from exc
    if len(data) > _MAX_INPUT:
        raise ConfigurationError(f"{shown(str(path))} is larger than {_MAX_INPUT} bytes")
    return data


def _write(path: Path, data: bytes) -> None:
    try:
        write_bytes_atomic(path, data)
    except OSError as exc:
        raise ConfigurationError(f"cannot write {shown(str(path))}: {exc.strerror}") from exc


def _report(path: Path, as_json: bool) -> TherapyReport:
    try:
        return ReportJsonCodec().decode(_read(path))
    except FormatError as exc:
        _rejected(str(path), exc, as_json)


def _store_option(function: Any) -> Any:
    function = click.option(
        "--store-timeout",
        type=click.FloatRange(0, 3600),
        default=10.0,
        show_default=True,
        help="Seconds to wait for a store another program holds.",
    )(function)
    return click.option(
        "--store",
        type=click.Path(path_type=Path, dir_okay=False),
        required=True,
        help="The therapy store (create it once with `leportal therapy init`).",
    )(function)


def _history(store: Path, store_timeout: float) -> SendingHistory:
    return SendingHistory(open_store(store, busy_timeout=store_timeout))


def _failed(exc: LeportalError, as_json: bool) -> NoReturn:
    if as_json:
        emit_json(
            {"ok": False, "error": exc.message, "problems": [p.as_dict() for p in exc.problems]}
        )
    else:
        click.echo(f"error: {exc.message}", err=True)
        click.echo(problem_lines(exc.problems), err=True)
    sys.exit(1)


def _rejected(label: str, exc: FormatError, as_json: bool) -> NoReturn:
    if as_json:
        emit_json(
            {"ok": False, "input": shown(label), "problems": [p.as_dict() for p in exc.problems]}
        )
    else:
        click.echo(f"{shown(label)}: REJECTED", err=True)
        click.echo(problem_lines(exc.problems), err=True)
    sys.exit(1)


@click.group(cls=ReportedGroup)
def therapy() -> None:
    """eTherapiebericht: render, send over KIM, Versandhistorie, GDT."""


@therapy.command()
@click.argument("report", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--flyer", is_flag=True, help="Render the printable flyer for a doctor without KIM.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def render(report: Path, output: Path, flyer: bool, as_json: bool) -> None:
    """Render REPORT (JSON report form) as a PDF/A-2b file."""
    parsed = _report(report, as_json)
    data = render_flyer(parsed) if flyer else render_report(parsed)
    _write(output, data)
    if as_json:
        emit_json({"ok": True, "output": shown(str(output)), "bytes": len(data), "pdfa": "2b"})
    else:
        click.echo(f"{shown(str(output))}: {len(data)} bytes, PDF/A-2b")


@therapy.command()
@click.option("--store", type=click.Path(path_type=Path, dir_okay=False), required=True)
def init(store: Path) -> None:
    """Create the therapy store at STORE (the one explicit act that makes a new store)."""
    existed = store.exists() and store.stat().st_size > 0
    SendingHistory(open_store(store, create=True))  # adds the component to a shared store too
    click.echo(f"{shown(str(store))}: therapy store {'ready' if existed else 'created'}")


@therapy.command()
@click.argument("report", type=click.Path(path_type=Path, dir_okay=False))
@_store_option
@click.option(
    "--smtp-host", required=True, callback=utf8_option, help="Host of the KIM client module."
)
@click.option("--smtp-port", type=click.IntRange(1, 65535), default=465, show_default=True)
@click.option("--tls", type=click.Choice([t.value for t in Tls]), default="tls", show_default=True)
@click.option("--username", help="KIM account for the SMTP login.")
@click.option("--password-env", help="Environment variable holding the SMTP password.")
@click.option(
    "--smtp-timeout",
    type=click.FloatRange(0.01, 3600),
    default=30.0,
    show_default=True,
    help="Seconds for connecting and for each reply of the server.",
)
@click.option(
    "--smtp-greeting-timeout",
    type=click.FloatRange(0.01, 3600),
    default=60.0,
    show_default=True,
    help="Seconds for the server's whole greeting.",
)
@click.option(
    "--smtp-deadline",
    type=click.FloatRange(0.01, 36000),
    default=300.0,
    show_default=True,
    help="Seconds for the whole SMTP transaction.",
)
@click.option("--dienstkennung", default=DEFAULT_DIENSTKENNUNG, show_default=True)
@click.option("--support", help="X-KIM-Support (default: the practice's support contact).")
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Send this PDF from the practice software instead of rendering.",
)
@click.option(
    "--flyer-output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the flyer when the doctor has no KIM address.",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def send(
    report: Path,
    store: Path,
    store_timeout: float,
    smtp_host: str,
    smtp_port: int,
    tls: str,
    username: str | None,
    password_env: str | None,
    smtp_timeout: float,
    smtp_greeting_timeout: float,
    smtp_deadline: float,
    dienstkennung: str,
    support: str | None,
    pdf_path: Path | None,
    flyer_output: Path | None,
    as_json: bool,
) -> None:
    """Send REPORT to the doctor's KIM address once (a retry never delivers twice).

    The KIM client module encrypts and signs; this sends it the plain message."""
    parsed = _report(report, as_json)
    password = None
    if password_env is not None:
        password = os.environ.get(password_env)
        if password is None:
            raise ConfigurationError(f"environment variable {shown(password_env)} is not set")
    settings = SmtpSettings(
        host=smtp_host,
        port=smtp_port,
        tls=Tls(tls),
        username=username,
        password=password,
        timeout=smtp_timeout,
        greeting_timeout=smtp_greeting_timeout,
        deadline=smtp_deadline,
    )
    kim = KimSettings(dienstkennung=dienstkennung, support=support)
    pdf = _read(pdf_path) if pdf_path is not None else None
    history = _history(store, store_timeout)
    try:
        result = send_report(parsed, history=history, smtp=settings, kim=kim, pdf=pdf)
    except (SendInProgress, TherapyStoreError) as exc:
        _failed(exc, as_json)
    if result.flyer is not None:
        target = flyer_output or report.with_name(f"{report.stem}-flyer.pdf")
        _write(target, result.flyer)
    entry = result.entry
    ok = entry.outcome in (Outcome.SENT, Outcome.FLYER)
    hint = (
        f"the outcome of an earlier attempt is unknown: find out whether it arrived, then settle "
        f"it with `leportal therapy settle {entry.report_id} --store … --delivered|--not-delivered "
        "--reason …`; nothing is sent until then"
        if entry.outcome is Outcome.UNKNOWN
        else None
    )
    if as_json:
        emit_json(
            {"ok": ok, "sent_now": result.sent_now, "code": result.code, "hint": hint}
            | entry.as_dict()
        )
    else:
        note = " (sent now)" if result.sent_now else ""
        click.echo(
            f"{entry.report_id} → {shown(entry.recipient)}: {entry.outcome.value}{note} {entry.message_id}"
        )
        if entry.detail:
            click.echo(f"    {shown(entry.detail)}")
        if hint:
            click.echo(f"    {hint}")
    sys.exit(0 if ok else 1)


@therapy.command()
@click.argument("report_id")
@_store_option
@click.option("--delivered/--not-delivered", default=None, help="What you found out.")
@click.option("--reason", required=True, help="How you know (kept in the history).")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def settle(
    report_id: str,
    store: Path,
    store_timeout: float,
    delivered: bool | None,
    reason: str,
    as_json: bool,
) -> None:
    """Decide an attempt of unknown outcome: --delivered (no resend) or --not-delivered (the next
    send delivers it)."""
    if delivered is None:
        raise click.UsageError("say --delivered or --not-delivered")
    try:
        entry = _history(store, store_timeout).settle(
            shown(report_id), delivered=delivered, reason=shown(reason)
        )
    except ConfigurationError:
        raise
    except LeportalError as exc:  # nothing to settle, no reason, store unusable
        _failed(exc, as_json)
    if as_json:
        emit_json({"ok": True, **entry.as_dict()})
    else:
        click.echo(f"{entry.report_id}: {entry.outcome.value} ({shown(entry.detail)})")


@therapy.command()
@_store_option
@click.option("--purge", is_flag=True, help="First delete entries older than the retention period.")
@click.option(
    "--retention-days",
    type=click.IntRange(31, 36500),
    default=DEFAULT_RETENTION_DAYS,
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def history(
    store: Path, store_timeout: float, purge: bool, retention_days: int, as_json: bool
) -> None:
    """Show the Versandhistorie of the last month."""
    sends = _history(store, store_timeout)
    purged = sends.purge(retention_days) if purge else 0
    entries = sends.recent()
    if as_json:
        emit_json({"purged": purged, "entries": [e.as_dict() for e in entries]})
        return
    if purge:
        click.echo(f"purged {purged} entries older than {retention_days} days")
    if not entries:
        click.echo("no sends in the last month")
    for e in entries:
        click.echo(
            f"{e.updated_at:%Y-%m-%d %H:%M} UTC  {e.outcome.value:<15} {e.report_id}  {shown(e.recipient)}  {e.message_id}"
        )


@therapy.command("gdt-patient")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def gdt_patient(path: Path, as_json: bool) -> None:
    """Read a patient from a GDT 6301/6302 file (GDT 2.0/2.1, character set per field 9206)."""
    try:
        patient, warnings = GdtPatientCodec().read(_read(path))
    except FormatError as exc:
        _rejected(str(path), exc, as_json)
    data = {
        "patient_id": patient.patient_id,
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "birth_date": patient.birth_date.isoformat(),
        "kvnr": patient.kvnr,
    }
    if as_json:
        emit_json({"ok": True, "patient": data, "problems": [p.as_dict() for p in warnings]})
    else:
        click.echo(
            f"{shown(patient.family_name)}, {shown(patient.given_name)} "
            f"(geb. {patient.birth_date:%d.%m.%Y}), Patientennummer {shown(patient.patient_id)}"
        )
        if warnings:
            click.echo(problem_lines(warnings))
