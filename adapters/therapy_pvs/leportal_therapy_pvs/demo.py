"""Demo chapters 230–233: a report rendered, sent to an SMTP server started for the demo on
127.0.0.1 (and stopped afterwards), retried without a second delivery, shown in the history, and a
GDT hand-over from the practice software and back."""

from __future__ import annotations

import datetime as dt

from leportal_core.demo import DemoContext, DemoStep
from leportal_core.files import write_bytes_atomic
from leportal_core.pdf import inspect_pdf
from leportal_core.therapy import MasterDataStore, SendingHistory, open_store
from leportal_therapy_pvs.codecs import GdtPatientCodec, GdtResult, GdtResultCodec
from leportal_therapy_pvs.kim import KimSettings
from leportal_therapy_pvs.render import render_report
from leportal_therapy_pvs.samples import sample_practice, sample_report, sample_therapist
from leportal_therapy_pvs.sending import send_report
from leportal_therapy_pvs.smtp import SmtpSettings, Tls

__all__ = ["steps"]


def _render(context: DemoContext) -> None:
    context.out.mkdir(parents=True, exist_ok=True)
    store = context.out / "therapy.sqlite"
    for leftover in (
        store,
        store.with_name(store.name + "-wal"),
        store.with_name(store.name + "-shm"),
    ):
        leftover.unlink(missing_ok=True)  # every demo run starts with a new store
    connection = open_store(store, create=True)
    master = MasterDataStore(connection)
    master.save(sample_practice(), sample_therapist())
    template = sample_report()
    report = master.new_report(
        **{
            name: getattr(template, name)
            for name in (
                "report_id",
                "created",
                "patient",
                "doctor",
                "prescription",
                "befund",
                "therapieverlauf",
                "therapieziele",
                "recommendation",
            )
        }
    )
    pdf = render_report(report)
    target = context.out / f"Therapiebericht_{report.report_id}.pdf"
    write_bytes_atomic(target, pdf)
    verdict = inspect_pdf(pdf)
    context.shared["therapy_report"] = report
    context.shared["therapy_pdf"] = target
    context.shared["therapy_store"] = connection
    context.say(f"   master data saved once: {report.practice.name}, IK {report.practice.ik}")
    context.say(
        f"   {target.name}: {len(pdf)} bytes, {verdict.pages} page(s), PDF/A-{verdict.pdfa}, "
        f"core PDF check ok: {verdict.ok}"
    )


def _send(context: DemoContext) -> None:
    try:
        from leportal_therapy_pvs.localsmtp import LocalSmtpServer
    except ImportError:
        context.say("   aiosmtpd is not installed (pip install 'leportal-therapy-pvs[demo]')")
        return
    report = context.shared["therapy_report"]
    history = SendingHistory(context.shared["therapy_store"])
    with LocalSmtpServer() as server:
        context.say(
            f"   SMTP server for the demo on {server.host}:{server.port} (KIM client stand-in)"
        )
        smtp = SmtpSettings(host=server.host, port=server.port, tls=Tls.NONE)
        first = send_report(report, history=history, smtp=smtp, kim=KimSettings())
        again = send_report(report, history=history, smtp=smtp, kim=KimSettings())
        received = server.received[0].message()
        context.say(f"   Subject: {received['Subject']} (no patient data in the headers)")
        context.say(f"   sent: {first.outcome.value}, Message-ID {first.entry.message_id}")
        context.say(f"   X-KIM-Dienstkennung: {received['X-KIM-Dienstkennung']}")
        context.say(f"   X-KIM-Support: {received['X-KIM-Support']}")
        context.say(
            f"   retry: sent again? {again.sent_now}; messages on the server: {len(server.received)}"
        )
    context.say("   SMTP server stopped")


def _history(context: DemoContext) -> None:
    history = SendingHistory(context.shared["therapy_store"])
    entries = history.recent()
    context.say(
        f"   Versandhistorie (last month): {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
    )
    for entry in entries:
        context.say(
            f"   {entry.updated_at:%Y-%m-%d %H:%M} UTC  {entry.outcome.value}  {entry.report_id} → "
            f"{entry.recipient} (attempts {entry.attempts})"
        )


def _gdt(context: DemoContext) -> None:
    report = context.shared["therapy_report"]
    patient_codec, result_codec = GdtPatientCodec(), GdtResultCodec()
    incoming = patient_codec.encode(report.patient)
    patient = patient_codec.decode(incoming)
    context.say(
        f"   GDT 6301 from the practice software ({len(incoming)} bytes, IBM CP437): "
        f"{patient.family_name}, {patient.given_name}"
    )
    result = GdtResult(
        patient=patient,
        examined_on=dt.date(2026, 11, 20),
        report_id=report.report_id,
        pdf_path=str(context.shared["therapy_pdf"]),
        text_lines=("Therapiebericht an Dr. med. Öztürk Çelik versendet",),
    )
    target = context.out / "therapiebericht.gdt"
    write_bytes_atomic(target, result_codec.encode(result))
    context.say(f"   GDT 6310 back to the practice software: {target.name}, refers to the PDF")


def steps() -> list[DemoStep]:
    return [
        DemoStep(
            order=230,
            title="Therapiebericht: master data pre-filled, rendered as PDF/A-2b",
            run=_render,
        ),
        DemoStep(
            order=231,
            title="Send it as a KIM message to a local SMTP server, then retry",
            run=_send,
        ),
        DemoStep(order=232, title="The Versandhistorie of the last month", run=_history),
        DemoStep(
            order=233, title="GDT: patient in (6301), result with the PDF out (6310)", run=_gdt
        ),
    ]
