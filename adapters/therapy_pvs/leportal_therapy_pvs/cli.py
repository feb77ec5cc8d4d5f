"""``leportal therapy …``: render a report, send it over KIM, show and settle the
Versandhistorie, read GDT.

Exit status: 0 done, 1 input rejected, not delivered, outcome unknown, already being sent, or the
store damaged/locked/read-only/full (each with its problem code), 2 usage/configuration error
(including a store that does not exist: create it with ``therapy init``). Passwords come from an
environment variable, never from the command line, and are never printed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from leportal_core.cli.output import (
    ReportedGroup,
    Result,
    problem_lines,
    report,
    shown,
    utf8_option,
)
from leportal_core.cli.params import (
    InputPath,
    json_option,
    out_option,
    required_store,
    store_alias_option,
)
from leportal_core.errors import ConfigurationError
from leportal_core.files import open_input, output_error, write_bytes_atomic
from leportal_core.therapy import (
    DEFAULT_RETENTION_DAYS,
    Outcome,
    SendingHistory,
    TherapyReport,
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
        raise output_error(path, exc) from exc


def _report(path: Path) -> TherapyReport:
    # A FormatError (the report is rejected) is mapped by the CLI: exit 1 with its problems.
    return ReportJsonCodec().decode(_read(path))


def _store_option(function: Any) -> Any:
    """``--store-timeout``, the deprecated per-command ``--store`` and the context, which carries
    ``leportal --store`` (create the therapy store once with ``leportal therapy init``)."""
    function = click.option(
        "--store-timeout",
        type=click.FloatRange(0, 3600),
        default=10.0,
        show_default=True,
        help="Seconds to wait for a store another program holds.",
    )(function)
    return click.pass_context(store_alias_option(function))


def _history(ctx: click.Context, alias: str | None, store_timeout: float) -> SendingHistory:
    return SendingHistory(open_store(required_store(ctx, alias), busy_timeout=store_timeout))


@click.group(cls=ReportedGroup)
def therapy() -> None:
    """eTherapiebericht: render, send over KIM, Versandhistorie, GDT."""


@therapy.command()
@click.argument("report_path", metavar="REPORT", type=InputPath())
@out_option(
    "The PDF to write.", name="output", required=True, dir_okay=False, aliases=("-o", "--output")
)
@click.option("--flyer", is_flag=True, help="Render the printable flyer for a doctor without KIM.")
@json_option
def render(report_path: Path, output: Path, flyer: bool, as_json: bool) -> None:
    """Render REPORT (JSON report form) as a PDF/A-2b file."""
    parsed = _report(report_path)
    data = render_flyer(parsed) if flyer else render_report(parsed)
    _write(output, data)
    done = f"{shown(str(output))}: {len(data)} bytes, PDF/A-2b"
    result = {"output": shown(str(output)), "bytes": len(data), "pdfa": "2b"}
    report(Result(True, data=result, text=lambda: click.echo(done)), as_json=as_json)


@therapy.command()
@store_alias_option
@json_option
@click.pass_context
def init(ctx: click.Context, store_alias: str | None, as_json: bool) -> None:
    """Create the therapy store at `leportal --store` (the one explicit act that makes a new
    store)."""
    store = required_store(ctx, store_alias)
    existed = Path(store).exists() and Path(store).stat().st_size > 0
    SendingHistory(open_store(store, create=True))  # adds the component to a shared store too
    done = f"{shown(store)}: therapy store {'ready' if existed else 'created'}"
    data = {"store": shown(store), "created": not existed}
    report(Result(True, data=data, text=lambda: click.echo(done)), as_json=as_json)


@therapy.command()
@click.argument("report_path", metavar="REPORT", type=InputPath())
@_store_option
@click.option(
    "--smtp-host", required=True, callback=utf8_option, help="Host of the KIM client module."
)
@click.option(
    "--smtp-port",
    type=click.IntRange(1, 65535),
    default=465,
    show_default=True,
    help="Port of the KIM client module.",
)
@click.option(
    "--tls",
    type=click.Choice([t.value for t in Tls]),
    default="tls",
    show_default=True,
    help="tls: TLS from the start; starttls: upgrade; none: only on a local, trusted link.",
)
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
@click.option(
    "--dienstkennung",
    default=DEFAULT_DIENSTKENNUNG,
    show_default=True,
    help="X-KIM-Dienstkennung of the message.",
)
@click.option("--support", help="X-KIM-Support (default: the practice's support contact).")
@click.option(
    "--pdf",
    "pdf_path",
    type=InputPath(),
    help="Send this PDF from the practice software instead of rendering.",
)
@click.option(
    "--flyer-output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the flyer when the doctor has no KIM address.",
)
@json_option
def send(
    ctx: click.Context,
    store_alias: str | None,
    report_path: Path,
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
    parsed = _report(report_path)
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
    history = _history(ctx, store_alias, store_timeout)
    # The CLI maps SendInProgress (exit 1) and TherapyStoreError (a StorageError: exit 74).
    result = send_report(parsed, history=history, smtp=settings, kim=kim, pdf=pdf)
    if result.flyer is not None:
        target = flyer_output or report_path.with_name(f"{report_path.stem}-flyer.pdf")
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

    def text() -> None:
        note = " (sent now)" if result.sent_now else ""
        click.echo(
            f"{entry.report_id} → {shown(entry.recipient)}: {entry.outcome.value}{note} {entry.message_id}"
        )
        if entry.detail:
            click.echo(f"    {shown(entry.detail)}")
        if hint:
            click.echo(f"    {hint}")

    data = {"sent_now": result.sent_now, "code": result.code, "hint": hint} | entry.as_dict()
    report(Result(ok, data=data, text=text), as_json=as_json)


@therapy.command()
@click.argument("report_id")
@_store_option
@click.option("--delivered/--not-delivered", default=None, help="What you found out.")
@click.option("--reason", required=True, help="How you know (kept in the history).")
@json_option
def settle(
    ctx: click.Context,
    store_alias: str | None,
    report_id: str,
    store_timeout: float,
    delivered: bool | None,
    reason: str,
    as_json: bool,
) -> None:
    """Decide an attempt of unknown outcome: --delivered (no resend) or --not-delivered (the next
    send delivers it)."""
    if delivered is None:
        raise click.UsageError("say --delivered or --not-delivered")
    # Nothing to settle, no reason, a store that cannot be used: mapped by the CLI.
    entry = _history(ctx, store_alias, store_timeout).settle(
        shown(report_id), delivered=delivered, reason=shown(reason)
    )
    done = f"{entry.report_id}: {entry.outcome.value} ({shown(entry.detail)})"
    report(Result(True, data=entry.as_dict(), text=lambda: click.echo(done)), as_json=as_json)


@therapy.command()
@_store_option
@click.option("--purge", is_flag=True, help="First delete entries older than the retention period.")
@click.option(
    "--retention-days",
    type=click.IntRange(31, 36500),
    default=DEFAULT_RETENTION_DAYS,
    show_default=True,
    help="How long entries are kept (with --purge).",
)
@json_option
def history(
    ctx: click.Context,
    store_alias: str | None,
    store_timeout: float,
    purge: bool,
    retention_days: int,
    as_json: bool,
) -> None:
    """Show the Versandhistorie of the last month."""
    sends = _history(ctx, store_alias, store_timeout)
    purged = sends.purge(retention_days) if purge else 0
    entries = sends.recent()

    def text() -> None:
        if purge:
            click.echo(f"purged {purged} entries older than {retention_days} days")
        if not entries:
            click.echo("no sends in the last month")
        for e in entries:
            click.echo(
                f"{e.updated_at:%Y-%m-%d %H:%M} UTC  {e.outcome.value:<15} {e.report_id}  {shown(e.recipient)}  {e.message_id}"
            )

    data = {"purged": purged, "entries": [e.as_dict() for e in entries]}
    report(Result(True, data=data, text=text), as_json=as_json)


@therapy.command("gdt-patient")
@click.argument("path", type=InputPath())
@json_option
def gdt_patient(path: Path, as_json: bool) -> None:
    """Read a patient from a GDT 6301/6302 file (GDT 2.0/2.1, character set per field 9206)."""
    patient, warnings = GdtPatientCodec().read(_read(path))  # a FormatError: exit 1 (the CLI)
    data = {
        "patient_id": patient.patient_id,
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "birth_date": patient.birth_date.isoformat(),
        "kvnr": patient.kvnr,
    }

    def text() -> None:
        click.echo(
            f"{shown(patient.family_name)}, {shown(patient.given_name)} "
            f"(geb. {patient.birth_date:%d.%m.%Y}), Patientennummer {shown(patient.patient_id)}"
        )
        if warnings:
            click.echo(problem_lines(warnings))

    report(Result(True, warnings, {"patient": data}, text), as_json=as_json)
