"""leportal adapter ``therapy_pvs``: the eTherapiebericht inside practice software (PVS).

Renders a :class:`~leportal_core.therapy.TherapyReport` as PDF/A-2b, sends it to the doctor as a
KIM message (or makes a printable flyer), keeps the Versandhistorie, reads patients from GDT 6301
and writes GDT 6310 results. See ``docs/therapy.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leportal_core.lazyimport import lazy_exports

if TYPE_CHECKING:
    from leportal_therapy_pvs.codecs import (
        GdtPatientCodec,
        GdtResult,
        GdtResultCodec,
        ReportJsonCodec,
    )
    from leportal_therapy_pvs.kim import (
        DEFAULT_DIENSTKENNUNG,
        KimSettings,
        build_message,
        message_id_for,
    )
    from leportal_therapy_pvs.render import accept_pdf, render_flyer, render_report
    from leportal_therapy_pvs.sending import DeliveryProbe, SendResult, send_report
    from leportal_therapy_pvs.smtp import SmtpSettings, Tls, send_message

# Imported on first use (PEP 562): the plug-in manager imports this package's ``plugin`` module,
# which must not pull in the adapter's dependencies.
_EXPORTS = {
    "GdtPatientCodec": "codecs",
    "GdtResult": "codecs",
    "GdtResultCodec": "codecs",
    "ReportJsonCodec": "codecs",
    "DEFAULT_DIENSTKENNUNG": "kim",
    "KimSettings": "kim",
    "build_message": "kim",
    "message_id_for": "kim",
    "accept_pdf": "render",
    "render_flyer": "render",
    "render_report": "render",
    "DeliveryProbe": "sending",
    "SendResult": "sending",
    "send_report": "sending",
    "SmtpSettings": "smtp",
    "Tls": "smtp",
    "send_message": "smtp",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)


__version__ = "0.1.0"
__all__ = [
    "DEFAULT_DIENSTKENNUNG",
    "DeliveryProbe",
    "GdtPatientCodec",
    "GdtResult",
    "GdtResultCodec",
    "KimSettings",
    "ReportJsonCodec",
    "SendResult",
    "SmtpSettings",
    "Tls",
    "__version__",
    "accept_pdf",
    "build_message",
    "message_id_for",
    "render_flyer",
    "render_report",
    "send_message",
    "send_report",
]
