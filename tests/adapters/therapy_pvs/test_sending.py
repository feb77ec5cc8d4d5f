"""Sending through a real SMTP server on loopback (aiosmtpd): headers without patient data,
attachment bytes, history and idempotent retries, a crash between send and record, and every SMTP
deadline against misbehaving servers."""

from __future__ import annotations

import datetime as dt
import socket
from email.message import EmailMessage
from pathlib import Path

import attrs
import pytest

from leportal_core.errors import ConfigurationError
from leportal_core.store import connect
from leportal_core.therapy import Outcome, SendingHistory
from leportal_therapy_pvs.kim import DEFAULT_DIENSTKENNUNG, KimSettings, message_id_for
from leportal_therapy_pvs.localsmtp import LocalSmtpServer, MisbehavingSmtpServer
from leportal_therapy_pvs.render import render_report
from leportal_therapy_pvs.samples import sample_report
from leportal_therapy_pvs.sending import send_report
from leportal_therapy_pvs.smtp import SmtpSettings, Tls

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


def clock() -> dt.datetime:
    return NOW


def history(tmp_path: Path) -> SendingHistory:
    return SendingHistory(connect(tmp_path / "therapy.sqlite", create=True), clock)


def smtp_for(server: LocalSmtpServer) -> SmtpSettings:
    return SmtpSettings(host=server.host, port=server.port, tls=Tls.NONE, timeout=5)


def pdf_attachment(message: EmailMessage) -> bytes:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1
    payload = parts[0].get_content()
    assert isinstance(payload, bytes)
    return payload


def test_kim_message_headers_and_attachment(tmp_path: Path, smtp_server: LocalSmtpServer) -> None:
    report = sample_report()
    pdf = render_report(report)
    result = send_report(
        report, history=history(tmp_path), smtp=smtp_for(smtp_server), pdf=pdf, clock=clock
    )
    assert result.sent_now
    assert result.outcome is Outcome.SENT
    [received] = smtp_server.received
    assert received.mail_from == "praxis.schlosspark@physio.kim.telematik"
    assert received.rcpt_tos == ("praxis.celik@arzt.kim.telematik",)
    message = received.message()
    assert message["X-KIM-Dienstkennung"] == "Arztbrief;VHitG-Versand;V1.2" == DEFAULT_DIENSTKENNUNG
    assert message["X-KIM-Support"] == "support@pvs-hersteller.example"
    assert message["Message-ID"] == message_id_for(report, KimSettings().message_id_domain)
    assert message["Subject"] == "Therapiebericht TB-2026-0001"
    assert message["Date"] == "Fri, 20 Nov 2026 09:30:00 +0000"
    assert pdf_attachment(message) == pdf
    [part] = list(message.iter_attachments())
    assert part.get_filename() == "Therapiebericht_TB-2026-0001.pdf"


def test_dienstkennung_and_support_are_configurable(
    tmp_path: Path, smtp_server: LocalSmtpServer
) -> None:
    kim = KimSettings(dienstkennung="KIM-Mail;Default;V1.0", support="hotline@vendor.example")
    send_report(sample_report(), history=history(tmp_path), smtp=smtp_for(smtp_server), kim=kim)
    message = smtp_server.received[0].message()
    assert message["X-KIM-Dienstkennung"] == "KIM-Mail;Default;V1.0"
    assert message["X-KIM-Support"] == "hotline@vendor.example"


def test_bad_header_settings_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError):
        KimSettings(dienstkennung="Arztbrief\r\nBcc: x@y")
    with pytest.raises(ConfigurationError):
        SmtpSettings(host="127.0.0.1", username="u")
    with pytest.raises(ConfigurationError):  # a password in clear text over the network
        SmtpSettings(host="kim.praxis.lan", tls=Tls.NONE, username="u", password="p")


def test_no_patient_data_in_any_header(tmp_path: Path, smtp_server: LocalSmtpServer) -> None:
    """Headers are readable on the way to (and inside) the KIM client module: Subject, file names
    and X- headers carry the report number only; the patient is in the body and the PDF."""
    report = sample_report()
    send_report(report, history=history(tmp_path), smtp=smtp_for(smtp_server), clock=clock)
    message = smtp_server.received[0].message()
    patient = report.patient
    secrets = {patient.family_name, patient.given_name, f"{patient.birth_date:%d.%m.%Y}"}
    if patient.kvnr:
        secrets.add(patient.kvnr)
    headers = [str(v) for part in message.walk() for _, v in part.items()]
    headers += [str(part.get_filename()) for part in message.walk() if part.get_filename()]
    leaks = [(h, x) for h in headers for x in secrets if x.lower() in h.lower()]
    assert leaks == []
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert patient.family_name in body.get_content()  # named where the doctor reads it


def test_retry_after_success_does_not_send_again(
    tmp_path: Path, smtp_server: LocalSmtpServer
) -> None:
    sends = history(tmp_path)
    first = send_report(sample_report(), history=sends, smtp=smtp_for(smtp_server))
    second = send_report(sample_report(), history=sends, smtp=smtp_for(smtp_server))
    assert first.sent_now
    assert not second.sent_now
    assert second.outcome is Outcome.SENT
    assert second.entry.attempts == 1  # attempts count transmissions, not calls
    assert len(smtp_server.received) == 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_failed_send_is_retried_with_the_same_message_id(
    tmp_path: Path, smtp_server: LocalSmtpServer
) -> None:
    sends = history(tmp_path)
    down = SmtpSettings(host="127.0.0.1", port=_closed_port(), tls=Tls.NONE, timeout=2)
    failed = send_report(sample_report(), history=sends, smtp=down)
    assert failed.outcome is Outcome.FAILED
    assert not failed.sent_now
    assert "cannot connect" in failed.entry.detail
    retried = send_report(sample_report(), history=sends, smtp=smtp_for(smtp_server))
    assert retried.sent_now
    assert retried.outcome is Outcome.SENT
    assert smtp_server.message_ids() == [failed.entry.message_id]


class _CrashAfterSend(Exception):
    pass


def test_crash_between_send_and_record_does_not_send_twice(
    tmp_path: Path, smtp_server: LocalSmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sends = history(tmp_path)
    original_finish = SendingHistory.finish

    def crash(self: SendingHistory, *args: object, **kwargs: object) -> object:
        raise _CrashAfterSend  # the process dies after the server took the mail

    monkeypatch.setattr(SendingHistory, "finish", crash)
    with pytest.raises(_CrashAfterSend):
        send_report(sample_report(), history=sends, smtp=smtp_for(smtp_server))
    monkeypatch.setattr(SendingHistory, "finish", original_finish)
    assert len(smtp_server.received) == 1
    entry = sends.get("TB-2026-0001")
    assert entry is not None
    assert entry.outcome is Outcome.SENDING
    # Retry without a way to reconcile: nothing is sent, the entry waits for a person.
    blind = send_report(sample_report(), history=sends, smtp=smtp_for(smtp_server))
    assert blind.outcome is Outcome.UNKNOWN
    assert blind.code == "therapy.send.unknown"
    assert not blind.sent_now
    assert len(smtp_server.received) == 1
    # Retry with a probe that can see the server: reconciled as sent, still one delivery.
    reconciled = send_report(
        sample_report(), history=sends, smtp=smtp_for(smtp_server), probe=smtp_server
    )
    assert reconciled.outcome is Outcome.SENT
    assert not reconciled.sent_now
    assert len(smtp_server.received) == 1


def test_unknown_not_found_by_the_probe_is_sent_once(
    tmp_path: Path, smtp_server: LocalSmtpServer
) -> None:
    sends = history(tmp_path)
    report = sample_report()
    # A previous attempt claimed the report and died before talking to the server.
    claim = sends.claim(
        report_id=report.report_id,
        recipient="praxis.celik@arzt.kim.telematik",
        message_id=message_id_for(report, KimSettings().message_id_domain),
    )
    sends.abandon(claim)
    result = send_report(report, history=sends, smtp=smtp_for(smtp_server), probe=smtp_server)
    assert result.sent_now
    assert result.outcome is Outcome.SENT
    assert len(smtp_server.received) == 1


class _Refusing:
    async def handle_RCPT(
        self, server: object, session: object, envelope: object, address: str, options: list[str]
    ) -> str:
        return "550 unknown KIM address"


def test_refused_recipient_is_recorded(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    port = _closed_port()
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        result = send_report(
            sample_report(), history=history(tmp_path),
            smtp=SmtpSettings(host="127.0.0.1", port=port, tls=Tls.NONE, timeout=5),
        )  # fmt: skip
    finally:
        controller.stop()
    assert result.outcome is Outcome.FAILED
    assert "refused" in result.entry.detail


def test_doctor_without_kim_gets_a_flyer(tmp_path: Path, smtp_server: LocalSmtpServer) -> None:
    sends = history(tmp_path)
    result = send_report(sample_report(kim=False), history=sends, smtp=smtp_for(smtp_server))
    assert result.outcome is Outcome.FLYER
    assert result.flyer is not None
    assert result.flyer.startswith(b"%PDF-")
    assert smtp_server.received == []
    assert [e.channel for e in sends.recent()] == ["flyer"]


def test_flyer_never_overwrites_a_delivery(tmp_path: Path, smtp_server: LocalSmtpServer) -> None:
    sends = history(tmp_path)
    send_report(sample_report(), history=sends, smtp=smtp_for(smtp_server))
    later = send_report(sample_report(kim=False), history=sends, smtp=smtp_for(smtp_server))
    assert later.outcome is Outcome.SENT
    assert later.flyer is not None


@pytest.mark.parametrize(
    ("mode", "code", "outcome"),
    [
        ("silent", "therapy.smtp.greeting_timeout", Outcome.FAILED),
        ("endless_greeting", "therapy.smtp.greeting_timeout", Outcome.FAILED),
        ("stall_after_data", "therapy.smtp.command_timeout", Outcome.UNKNOWN),
        ("drop_after_data", "therapy.smtp.connection_lost", Outcome.UNKNOWN),
    ],
)
def test_misbehaving_servers_meet_a_deadline(
    tmp_path: Path, mode: str, code: str, outcome: Outcome
) -> None:
    smtp = SmtpSettings(
        host="127.0.0.1", port=25, tls=Tls.NONE, timeout=0.3, greeting_timeout=0.5, deadline=3
    )
    with MisbehavingSmtpServer(mode) as server:
        smtp = attrs.evolve(smtp, port=server.port)
        result = send_report(sample_report(), history=history(tmp_path), smtp=smtp)
    assert (result.code, result.outcome) == (code, outcome)
    assert result.entry.detail.startswith(code)
    assert server.messages == (1 if outcome is Outcome.UNKNOWN else 0)


def test_the_whole_transaction_has_a_deadline(tmp_path: Path) -> None:
    # An endless greeting that never idles: only the greeting or transaction deadline ends it.
    with MisbehavingSmtpServer("endless_greeting") as server:
        smtp = SmtpSettings(
            host=server.host, port=server.port, tls=Tls.NONE, timeout=5, greeting_timeout=5,
            deadline=0.4,
        )  # fmt: skip
        result = send_report(sample_report(), history=history(tmp_path), smtp=smtp)
    assert result.code == "therapy.smtp.deadline"
    assert result.outcome is Outcome.FAILED


def test_history_lists_the_send(tmp_path: Path, smtp_server: LocalSmtpServer) -> None:
    sends = history(tmp_path)
    send_report(sample_report(), history=sends, smtp=smtp_for(smtp_server))
    [entry] = sends.recent()
    assert (entry.report_id, entry.recipient, entry.outcome) == (
        "TB-2026-0001", "praxis.celik@arzt.kim.telematik", Outcome.SENT,
    )  # fmt: skip
    assert entry.updated_at == NOW


# Loopback only: plain-text AUTH is fine here, the warning is aiosmtpd's reminder.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_smtp_login(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    got: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            got.append(envelope.content)  # type: ignore[attr-defined]
            return "250 OK"

    def authenticator(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"kim-user",
            b"s3cret",
        )
        return AuthResult(success=ok)

    port = _closed_port()
    controller = Controller(
        Handler(), hostname="127.0.0.1", port=port, authenticator=authenticator,
        auth_require_tls=False, auth_required=True,
    )  # fmt: skip
    controller.start()
    try:
        good = SmtpSettings(
            host="127.0.0.1", port=port, tls=Tls.NONE, username="kim-user", password="s3cret"
        )
        SmtpSettings(
            host="127.0.0.1", port=port, tls=Tls.NONE, username="kim-user", password="wrong"
        )
        assert "s3cret" not in repr(good)
        sent = send_report(sample_report("R-2"), history=history(tmp_path), smtp=good)
    finally:
        controller.stop()
    assert sent.outcome is Outcome.SENT
    assert len(got) == 1


def test_a_greeting_that_never_ends_is_cut_off(tmp_path: Path) -> None:
    with MisbehavingSmtpServer("endless_greeting") as server:
        smtp = SmtpSettings(
            host=server.host, port=server.port, tls=Tls.NONE, timeout=30, greeting_timeout=30,
            deadline=30,
        )  # fmt: skip
        result = send_report(sample_report(), history=history(tmp_path), smtp=smtp)
    assert result.code == "therapy.smtp.reply_too_long"
    assert result.outcome is Outcome.FAILED
