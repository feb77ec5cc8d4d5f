"""The KIM message for a Therapiebericht: an eArztbrief-style MIME mail with the PDF attached.

KIM (Kommunikation im Medizinwesen, gematik, https://github.com/gematik/api-kim): the practice
software hands mail to its KIM client module over SMTP; every message carries
``X-KIM-Dienstkennung`` (eArztbrief: ``Arztbrief;VHitG-Versand;V1.2``, configurable) and
``X-KIM-Support`` (the vendor's/practice's support address).

Encryption (optional here; the KIM client module normally does it): the body is wrapped for the
recipient's certificate with ``cryptography``'s :class:`PKCS7EnvelopeBuilder`. KIM asks for
``smime-type=authenticated-enveloped-data`` (RFC 5083, AES-GCM); ``cryptography`` (50.x) builds
only *enveloped-data* (RFC 5652, AES-CBC), so this module sends ``smime-type=enveloped-data`` with
AES-256-CBC — **provisional**, documented in ``docs/therapy.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

import attrs
from cryptography import x509
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from leportal_core.errors import ConfigurationError, ValidationError
from leportal_core.therapy import TherapyReport

__all__ = [
    "DEFAULT_DIENSTKENNUNG",
    "KimSettings",
    "attachment_name",
    "build_message",
    "message_id_for",
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
    recipient_certificate: x509.Certificate | None = None,
) -> EmailMessage:
    """The mail to ``report.doctor.kim_address``; encrypted when a certificate is given."""
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
    body = EmailMessage(policy=_POLICY)
    body.set_content(
        f"Sehr geehrte Damen und Herren,\n\nanbei erhalten Sie den Therapiebericht zu "
        f"{patient.given_name} {patient.family_name} (geb. {patient.birth_date:%d.%m.%Y}), "
        f"Verordnung vom {report.prescription.verordnungsdatum:%d.%m.%Y}.\n\n"
        f"Mit freundlichen Grüßen\n{report.therapist.name}\n{report.practice.name}\n"
    )
    body.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=attachment_name(report)
    )
    if recipient_certificate is None:
        message = body
    else:
        message = EmailMessage(policy=_POLICY)
        enveloped = (
            pkcs7.PKCS7EnvelopeBuilder()
            .set_data(body.as_bytes())
            .set_content_encryption_algorithm(algorithms.AES256)
            .add_recipient(recipient_certificate)
            .encrypt(Encoding.DER, [])
        )
        message.set_content(
            enveloped,
            maintype="application",
            subtype="pkcs7-mime",
            params={"smime-type": "enveloped-data", "name": "smime.p7m"},
            disposition="attachment",
            filename="smime.p7m",
        )
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = f"Therapiebericht {patient.family_name}, {patient.given_name}"
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
