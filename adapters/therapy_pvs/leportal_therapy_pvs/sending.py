"""Send a Therapiebericht once and only once: KIM mail when the doctor has a KIM address,
otherwise a printable flyer; every outcome goes into the Versandhistorie.

Idempotency: the intent is recorded (with the report's stable Message-ID) *before* the SMTP
transaction. A retry then finds the row: ``versendet`` → nothing is sent again; ``fehlgeschlagen``
(the server never took the message) → sent again with the same Message-ID; ``ausstehend`` (the
process died, or the connection broke, after the message may have been handed over) → it is
*reconciled* first with a :class:`DeliveryProbe` (e.g. a look into the KIM client module's sent
folder); without a probe that can tell, nothing is sent and the entry stays ``ausstehend`` for a
person to resolve. A report is thus never delivered twice by this code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

import attrs
from cryptography import x509

from leportal_core.errors import ConfigurationError
from leportal_core.therapy import HistoryEntry, Outcome, SendingHistory, TherapyReport
from leportal_therapy_pvs.kim import KimSettings, build_message, message_id_for
from leportal_therapy_pvs.render import accept_pdf, render_flyer, render_report
from leportal_therapy_pvs.smtp import SmtpRefused, SmtpSettings, SmtpUnavailable, send_message

__all__ = ["DeliveryProbe", "SendResult", "send_report"]


class DeliveryProbe(Protocol):
    """Answers whether a message with this Message-ID reached the KIM client module:
    ``True``/``False``, or ``None`` when it cannot tell."""

    def was_delivered(self, message_id: str) -> bool | None: ...


@attrs.frozen(kw_only=True)
class SendResult:
    """What happened: the history entry, whether mail left in *this* call, and the flyer PDF
    when the doctor has no KIM address."""

    entry: HistoryEntry
    sent_now: bool
    flyer: bytes | None = None

    @property
    def outcome(self) -> Outcome:
        return self.entry.outcome


def send_report(
    report: TherapyReport,
    *,
    history: SendingHistory,
    smtp: SmtpSettings,
    kim: KimSettings | None = None,
    pdf: bytes | None = None,
    recipient_certificate: x509.Certificate | None = None,
    probe: DeliveryProbe | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> SendResult:
    """Deliver ``report`` (rendered, or ``pdf`` from the practice software after the core's PDF
    check) to its doctor; see the module docstring for the retry rules."""
    kim = kim or KimSettings()
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    message_id = message_id_for(report, kim.message_id_domain)
    if report.doctor.kim_address is None:
        flyer = render_flyer(report)
        entry = history.record_intent(
            report_id=report.report_id,
            recipient=report.doctor.name,
            message_id=message_id,
            channel="flyer",
        )
        if entry.outcome in (Outcome.PENDING, Outcome.FAILED):  # never overwrite a delivery
            entry = history.mark(entry.message_id, Outcome.FLYER, "keine KIM-Adresse")
        return SendResult(entry=entry, sent_now=False, flyer=flyer)
    sender = report.practice.kim_address
    if sender is None:
        raise ConfigurationError("the practice master data need a KIM address to send from")
    pdf = render_report(report) if pdf is None else _checked(pdf, report)
    entry = history.record_intent(
        report_id=report.report_id, recipient=report.doctor.kim_address, message_id=message_id
    )
    if entry.outcome in (Outcome.SENT, Outcome.FLYER):
        return SendResult(entry=entry, sent_now=False)
    if entry.outcome is Outcome.PENDING and entry.attempts > 1:
        delivered = probe.was_delivered(entry.message_id) if probe is not None else None
        if delivered is None:
            return SendResult(entry=entry, sent_now=False)
        if delivered:
            return SendResult(
                entry=history.mark(entry.message_id, Outcome.SENT, "beim Abgleich gefunden"),
                sent_now=False,
            )
    message = build_message(
        report,
        pdf,
        sender=sender,
        message_id=entry.message_id,
        date=clock(),
        settings=kim,
        recipient_certificate=recipient_certificate,
    )
    try:
        send_message(message, smtp)
    except SmtpRefused as exc:
        return SendResult(
            entry=history.mark(entry.message_id, Outcome.FAILED, str(exc)), sent_now=False
        )
    except SmtpUnavailable as exc:
        outcome = Outcome.PENDING if exc.maybe_delivered else Outcome.FAILED
        return SendResult(entry=history.mark(entry.message_id, outcome, str(exc)), sent_now=False)
    return SendResult(entry=history.mark(entry.message_id, Outcome.SENT), sent_now=True)


def _checked(pdf: bytes, report: TherapyReport) -> bytes:
    accept_pdf(pdf, name=f"Therapiebericht_{report.report_id}.pdf")
    return pdf
