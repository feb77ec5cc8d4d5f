"""The KIM message for a Therapiebericht: an eArztbrief-style MIME mail with the PDF attached.

KIM (Kommunikation im Medizinwesen, gematik, https://github.com/gematik/api-kim): the practice
software hands mail to its KIM client module over SMTP; every message carries
``X-KIM-Dienstkennung`` (eArztbrief: ``Arztbrief;VHitG-Versand;V1.2``, configurable) and
``X-KIM-Support`` (the vendor's/practice's support address).

No encryption here: signing and encrypting a KIM message is the KIM client module's job
(gemSpec_CM_KOMLE, 1.1 Zielsetzung: "Das Clientmodul ist verantwortlich für das Signieren und
Verschlüsseln von KOM-LE-Nachrichten beim Versenden"); the client module also writes the outer
headers of the encrypted message. So the practice software hands over a plain message, and that
message carries no patient data in any header: the Subject names the report number only, the
attachment's file name too; the patient is named in the body and the PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

import attrs

from leportal_core.errors import ConfigurationError, ValidationError
from leportal_core.therapy import TherapyReport

__all__ = [
    "DEFAULT_DIENSTKENNUNG",
    "KimSettings",
    "attachment_name",
    "build_message",
    "message_id_for",
    "subject",
]

DEFAULT_DIENSTKENNUNG = "Arztbrief;VHitG-Versand;V1.2"
# KIM 1.5 sends larger attachments through the KIM attachment service (KAS); not implemented.
MAX_MESSAGE_BYTES = 15 * 1024 * 1024
_HEADER_VALUE = re.compile(r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$")
# Headers are not folded (RFC 5322 allows 998 octets): a folded Message-ID would come back with a
# leading space and no longer match the history.
_POLICY = policy.SMTP.clone(max_line_length=998)
_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")


def _header_value(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _HEADER_VALUE.match(value):
        raise ConfigurationError(f"{attribute.name} must be printable ASCII on one line")


@attrs.frozen(kw_only=True)
class KimSettings:
    """What a practice configures for KIM: Dienstkennung, support address, Message-ID domain."""

    dienstkennung: str = attrs.field(default=DEFAULT_DIENSTKENNUNG, validator=_header_value)
    support: str | None = None
    message_id_domain: str = "leportal.invalid"

    def __attrs_post_init__(self) -> None:
        if self.support is not None:
            _header_value(self, attrs.fields(KimSettings).support, self.support)  # type: ignore[arg-type]
        if not _DOMAIN.match(self.message_id_domain):
            raise ConfigurationError("message_id_domain must be a domain name")


def message_id_for(report: TherapyReport, domain: str) -> str:
    """The stable Message-ID of a report: the same report always gets the same one, so a retry
    is recognisable by the server and by the history."""
    digest = hashlib.sha256(f"{report.practice.ik}\0{report.report_id}".encode()).hexdigest()[:20]
    return f"<therapiebericht.{digest}@{domain}>"


def subject(report: TherapyReport) -> str:
    """The Subject: the report number, no patient data (headers are readable on the way)."""
    return f"Therapiebericht {report.report_id}"


def attachment_name(report: TherapyReport) -> str:
    """File name of the attached PDF."""
    return f"Therapiebericht_{report.report_id}.pdf"


def build_message(
    report: TherapyReport,
    pdf: bytes,
    *,
    sender: str,
    message_id: str,
    date: dt.datetime,
    settings: KimSettings | None = None,
) -> EmailMessage:
    """The plain mail to ``report.doctor.kim_address`` for the KIM client module to encrypt."""
    settings = settings or KimSettings()
    recipient = report.doctor.kim_address
    if recipient is None:
        raise ValidationError("the doctor has no KIM address: print the flyer instead")
    support = settings.support or report.practice.support_contact
    if support is None:
        raise ConfigurationError(
            "X-KIM-Support is required: set KimSettings.support or the practice's support contact"
        )
    if date.tzinfo is None:
        raise ConfigurationError("the message date must be timezone-aware")
    patient = report.patient
    message = EmailMessage(policy=_POLICY)
    message.set_content(
        f"Sehr geehrte Damen und Herren,\n\nanbei erhalten Sie den Therapiebericht zu "
        f"{patient.given_name} {patient.family_name} (geb. {patient.birth_date:%d.%m.%Y}), "
        f"Verordnung vom {report.prescription.verordnungsdatum:%d.%m.%Y}.\n\n"
        f"Mit freundlichen Grüßen\n{report.therapist.name}\n{report.practice.name}\n"
    )
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=attachment_name(report)
    )
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject(report)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["X-KIM-Dienstkennung"] = settings.dienstkennung
    message["X-KIM-Support"] = support
    size = len(message.as_bytes())
    if size > MAX_MESSAGE_BYTES:
        raise ValidationError(
            f"the message has {size} bytes; over 15 MiB KIM needs its attachment service, which "
            "this adapter does not support"
        )
    return message
