"""Send a Therapiebericht once and only once: KIM mail when the doctor has a KIM address,
otherwise a printable flyer; every outcome goes into the Versandhistorie.

Exactly once, through the store (see :class:`~leportal_core.therapy.SendingHistory`): the attempt
is committed as ``wird gesendet`` *before* the SMTP transaction, and only the process holding that
claim talks to the server; another process gets ``therapy.send.in_progress``. After the attempt:
accepted → ``versendet``; refused, or broken off before the whole message went out →
``fehlgeschlagen`` (a retry sends it again, same Message-ID); broken off after the final ``.``
(or the process died, or the result could not be written) → ``unbekannt``. An unknown outcome is
never retried blindly: a :class:`DeliveryProbe` (e.g. a look into the KIM client module's sent
folder) or a person (``leportal therapy settle``) decides first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

import attrs

from leportal_core.errors import ConfigurationError, Problem
from leportal_core.therapy import (
    Claim,
    HistoryEntry,
    Outcome,
    SendingHistory,
    TherapyReport,
    TherapyStoreError,
)
from leportal_therapy_pvs.kim import KimSettings, build_message, message_id_for
from leportal_therapy_pvs.render import accept_pdf, render_flyer, render_report
from leportal_therapy_pvs.smtp import SmtpRefused, SmtpSettings, SmtpUnavailable, send_message

__all__ = ["DeliveryProbe", "SendResult", "send_report"]

# The claim outlives the SMTP deadline by this much before another host may call it abandoned.
_LEASE_MARGIN = 120.0


class DeliveryProbe(Protocol):
    """Answers whether a message with this Message-ID reached the KIM client module:
    ``True``/``False``, or ``None`` when it cannot tell."""

    def was_delivered(self, message_id: str) -> bool | None: ...


@attrs.frozen(kw_only=True)
class SendResult:
    """What happened: the history entry, whether mail left in *this* call, the problem code of a
    failed or unknown attempt, and the flyer PDF when the doctor has no KIM address."""

    entry: HistoryEntry
    sent_now: bool
    flyer: bytes | None = None
    code: str | None = None

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
    probe: DeliveryProbe | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> SendResult:
    """Deliver ``report`` (rendered, or ``pdf`` from the practice software after the core's PDF
    check) to its doctor; see the module docstring for the retry rules.

    Raises :class:`~leportal_core.therapy.SendInProgress` when another process is sending this
    report, and :class:`~leportal_core.therapy.TherapyStoreError` when the store cannot be used.
    """
    kim = kim or KimSettings()
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    message_id = message_id_for(report, kim.message_id_domain)
    if report.doctor.kim_address is None:
        flyer = render_flyer(report)
        entry = history.record_flyer(
            report_id=report.report_id,
            recipient=report.doctor.name,
            message_id=message_id,
            detail="keine KIM-Adresse",
        )
        return SendResult(entry=entry, sent_now=False, flyer=flyer)
    sender = report.practice.kim_address
    if sender is None:
        raise ConfigurationError("the practice master data need a KIM address to send from")
    pdf = render_report(report) if pdf is None else _checked(pdf, report)
    lease = smtp.deadline + _LEASE_MARGIN
    claim = history.claim(
        report_id=report.report_id,
        recipient=report.doctor.kim_address,
        message_id=message_id,
        lease_seconds=lease,
    )
    if claim.token is None and claim.entry.outcome is Outcome.UNKNOWN:
        delivered = probe.was_delivered(claim.entry.message_id) if probe is not None else None
        if delivered is None:
            return SendResult(entry=claim.entry, sent_now=False, code="therapy.send.unknown")
        entry = history.settle(
            report.report_id,
            delivered=delivered,
            reason="delivery probe: " + ("found" if delivered else "not found"),
        )
        if delivered:
            return SendResult(entry=entry, sent_now=False)
        claim = history.claim(
            report_id=report.report_id,
            recipient=report.doctor.kim_address,
            message_id=message_id,
            lease_seconds=lease,
        )
    if claim.token is None:
        return SendResult(entry=claim.entry, sent_now=False)
    try:
        return _attempt(report, pdf, sender, claim, history, smtp, kim, clock)
    except BaseException:
        # A bug or an interrupt mid-send: leave the claim; the next attempt calls it unknown.
        history.abandon(claim)
        raise


def _attempt(
    report: TherapyReport,
    pdf: bytes,
    sender: str,
    claim: Claim,
    history: SendingHistory,
    smtp: SmtpSettings,
    kim: KimSettings,
    clock: Callable[[], dt.datetime],
) -> SendResult:
    message = build_message(
        report, pdf, sender=sender, message_id=claim.entry.message_id, date=clock(), settings=kim
    )
    try:
        send_message(message, smtp)
    except SmtpRefused as exc:
        return _finish(history, claim, Outcome.FAILED, exc.message, code=exc.code)
    except SmtpUnavailable as exc:
        outcome = Outcome.UNKNOWN if exc.maybe_delivered else Outcome.FAILED
        return _finish(history, claim, outcome, f"{exc.code}: {exc.message}", code=exc.code)
    return _finish(history, claim, Outcome.SENT, "", code=None)


def _finish(
    history: SendingHistory, claim: Claim, outcome: Outcome, detail: str, *, code: str | None
) -> SendResult:
    try:
        entry = history.finish(claim, outcome, detail)
    except TherapyStoreError as exc:
        history.abandon(claim)
        what = {
            Outcome.SENT: "the KIM client module ACCEPTED the message",
            Outcome.FAILED: "the message was NOT delivered",
        }.get(outcome, "the outcome is unknown")
        flag = {Outcome.SENT: "--delivered", Outcome.FAILED: "--not-delivered"}.get(outcome)
        hint = (
            f"run `leportal therapy settle {claim.entry.report_id} {flag} --reason …` once the "
            "store works again"
            if flag
            else "find out whether it arrived, then settle it"
        )
        raise TherapyStoreError(
            f"{what}, but the Versandhistorie could not record it; {hint}",
            (
                *exc.problems,
                Problem(
                    code="therapy.send.unrecorded",
                    message=f"{what} ({outcome.value}); the history still says "
                    "'wird gesendet' and will report it as unknown: " + hint,
                ),
            ),
        ) from exc
    return SendResult(entry=entry, sent_now=outcome is Outcome.SENT, code=code)


def _checked(pdf: bytes, report: TherapyReport) -> bytes:
    accept_pdf(pdf, name=f"Therapiebericht_{report.report_id}.pdf")
    return pdf
