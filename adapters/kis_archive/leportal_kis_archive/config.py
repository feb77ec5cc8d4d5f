"""What differs from archive to archive, as one validated configuration object.

HL7 v2.5 leaves several MDM details to local agreement (domain brief §5): where the document class
sits (TXA-2, OBX-3, or a local type code translated by a table), which completion statuses make a
document deliverable (HL7 table 0271: DI dictated, DO documented, IN incomplete, IP in progress,
AU authenticated, PA pre-authenticated, LA legally authenticated), the ED data subtype of a PDF,
the identifier type of the KVNR in PID-3, and the character set when MSH-18 is empty.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from leportal_core import ConfigurationError, Location, Problem

__all__ = ["CHARSETS", "KdlSource", "MdmConfig"]

# MSH-18 (HL7 table 0211) → Python codec; "" means "not declared".
CHARSETS: Mapping[str, str] = {
    "ASCII": "ascii",
    "8859/1": "latin-1",
    "8859/15": "iso8859-15",
    "UNICODE UTF-8": "utf-8",
}


class KdlSource(enum.Enum):
    """Where an incoming message carries the KDL code of its document."""

    TXA2 = "txa2"
    OBX3 = "obx3"
    TABLE = "table"


def _frozen_mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(value)


@attrs.frozen(kw_only=True)
class MdmConfig:
    """Local agreements for reading and writing MDM messages; the defaults suit our own export.

    - ``kdl_source``: where the KDL code is read (``OBX3`` reads OBX-3.1 when OBX-3.3 equals
      ``kdl_coding_system``; ``TXA2`` reads TXA-2; ``TABLE`` maps TXA-2 through ``type_table``);
    - ``deliverable_statuses``: TXA-17 values that make a document deliverable to the MD;
    - ``pdf_subtype``: ED-3 data subtype written for ``application/pdf`` (read case-insensitively);
    - ``kvnr_id_type``: PID-3.5 identifier type code of the KVNR repetition;
    - ``default_charset``: MSH-18 value assumed when the message declares none;
    - ``sending_application``/``sending_facility``/``receiving_*``: MSH-3 … MSH-6 on export;
    - ``max_message_bytes``: larger files are rejected unread (memory bound);
    - ``require_terminator``: a file whose last segment lacks its CR/LF (or whose MLLP frame lacks
      its end block) is rejected as truncated; switch off for archives that strip the last one.
    """

    kdl_source: KdlSource = KdlSource.OBX3
    kdl_coding_system: str = "KDL"
    type_table: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    deliverable_statuses: frozenset[str] = frozenset({"AU", "LA"})
    pdf_subtype: str = "PDF"
    kvnr_id_type: str = "KVNR"
    patient_id_type: str = "PI"
    default_charset: str = "UNICODE UTF-8"
    default_document_type: str = "DOK"
    sending_application: str = "LEPORTAL"
    sending_facility: str = ""
    receiving_application: str = "ARCHIV"
    receiving_facility: str = ""
    max_message_bytes: int = 64 * 1024 * 1024
    require_terminator: bool = True

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if self.default_charset not in CHARSETS:
            problems.append(
                Problem(
                    code="kis_archive.config.charset",
                    message=f"default_charset must be one of {', '.join(CHARSETS)}",
                    location=Location(field="default_charset"),
                )
            )
        if self.max_message_bytes <= 0:
            problems.append(
                Problem(
                    code="kis_archive.config.limit",
                    message="max_message_bytes must be positive",
                    location=Location(field="max_message_bytes"),
                )
            )
        if not self.pdf_subtype or not self.kdl_coding_system:
            problems.append(
                Problem(
                    code="kis_archive.config.empty",
                    message="pdf_subtype and kdl_coding_system must not be empty",
                    location=Location(field="pdf_subtype"),
                )
            )
        if problems:
            raise ConfigurationError("invalid kis_archive configuration", problems)

    def kdl_for_type(self, type_code: str) -> str | None:
        """The KDL code the local document type ``type_code`` stands for, if the table knows it."""
        return self.type_table.get(type_code)

    def type_for_kdl(self, kdl_code: str | None) -> str:
        """The local document type written to TXA-2 for ``kdl_code``."""
        if kdl_code is None:
            return self.default_document_type
        if self.kdl_source is KdlSource.TABLE:
            for local, kdl in self.type_table.items():
                if kdl == kdl_code:
                    return local
            return self.default_document_type
        return kdl_code
