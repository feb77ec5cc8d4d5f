"""Codec ``kis_archive.mdm``: :class:`~leportal_core.Document` ⇄ one MDM^T02 message.

Registered through ``leportal_register_codecs`` so the conformance suite can certify it. The
codec carries a Document only; replacements (T10), cancels (T11) and the TXA metadata are in
:mod:`leportal_kis_archive.mdm_read` and :mod:`leportal_kis_archive.mdm_write`.
"""

from __future__ import annotations

from leportal_core import Document, FormatError, Location, Problem, ValidationError
from leportal_kis_archive.config import MdmConfig
from leportal_kis_archive.mdm_read import read_message
from leportal_kis_archive.mdm_write import Clock, document_uid, encode_message, utc_now
from leportal_kis_archive.model import ArchiveMessage, MdmEvent

__all__ = ["MdmCodec"]


class MdmCodec:
    """Document ⇄ HL7 v2.5 MDM^T02 with the content as base64 in OBX-5 (ED)."""

    name = "kis_archive.mdm"
    media_type = "application/hl7-v2"
    object_type = Document
    description = (
        "Document as an HL7 v2.5 MDM^T02 archive message (TXA, PID, PV1, OBX ED base64 content)."
    )

    def __init__(self, config: MdmConfig | None = None, clock: Clock = utc_now) -> None:
        self.config = config or MdmConfig()
        self.clock = clock

    def encode(self, document: Document, /) -> bytes:
        """The document as an MDM^T02 message; TXA-12 is :func:`document_uid`."""
        if not isinstance(document, Document):
            raise ValidationError(
                f"{self.name} encodes Document objects, not {type(document).__name__}",
                [
                    Problem(
                        code="kis_archive.export.type",
                        message=f"expected a Document, got {type(document).__name__}",
                    )
                ],
            )
        message = ArchiveMessage(
            event=MdmEvent.T02, unique_id=document_uid(document), document=document
        )
        return encode_message(message, config=self.config, clock=self.clock)

    def decode(self, data: bytes, /) -> Document:
        """The document of the one MDM^T02/T10 message in ``data``; :class:`FormatError` else."""
        message = read_message(data, config=self.config)
        if message.document is None:
            raise FormatError(
                "the message carries no document",
                [
                    Problem(
                        code="kis_archive.event.no_document",
                        message=f"MDM^{message.event.value} carries no document content",
                        location=Location(segment="MSH", field="MSH-9"),
                    )
                ],
            )
        return message.document
