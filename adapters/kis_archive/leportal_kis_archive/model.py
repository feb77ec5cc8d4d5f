"""What an MDM message says about one archive document, beyond the core :class:`Document`.

HL7 v2.5 Chapter 9 (Medical Records/Information Management): MDM^T02 original document with
content, MDM^T10 replacement with content (TXA-13 names the parent), MDM^T11 cancel (no content).
"""

from __future__ import annotations

import enum

import attrs

from leportal_core import Document, Problem, Severity

__all__ = ["ArchiveMessage", "ImportItem", "MdmEvent", "MessageOutcome"]


class MdmEvent(enum.Enum):
    """The MDM trigger events this adapter reads and writes (MSH-9.2)."""

    T02 = "T02"  # Mitteilung eines neuen Dokuments mit Inhalt
    T10 = "T10"  # Ersatz eines Dokuments (neue Version), mit Inhalt
    T11 = "T11"  # Stornierung eines Dokuments

    @property
    def structure(self) -> str:
        """MSH-9.3, without which hl7apy does not recognise the message (domain brief §5)."""
        return "MDM_T01" if self is MdmEvent.T11 else "MDM_T02"

    @property
    def carries_content(self) -> bool:
        """T02 and T10 carry the document in an OBX ED; T11 does not."""
        return self is not MdmEvent.T11


@attrs.frozen(kw_only=True)
class ArchiveMessage:
    """One MDM message read or to be written.

    ``document`` is ``None`` for a cancel (T11). ``unique_id`` is TXA-12, ``parent_id`` TXA-13,
    ``completion_status`` TXA-17 (``AU`` authenticated, ``LA`` legally authenticated, …),
    ``confidentiality`` TXA-18 (``N``/``R``/``V``), ``kvnr`` the PID-3 repetition with the KVNR
    identifier type. ``deliverable`` says whether the configured completion statuses allow
    sending the document to the MD; ``warnings`` are problems that do not reject the message.
    """

    event: MdmEvent
    unique_id: str
    document: Document | None = None
    parent_id: str | None = None
    document_type: str | None = None
    completion_status: str | None = None
    confidentiality: str | None = None
    kvnr: str | None = None
    control_id: str | None = None
    deliverable: bool = False
    warnings: tuple[Problem, ...] = ()


@attrs.frozen(kw_only=True)
class MessageOutcome:
    """The result of reading one message of a file: the message, or the problems that rejected
    it. ``number`` counts messages in the file from 1; ``line`` is where its MSH sits."""

    file: str | None
    number: int
    line: int
    message: ArchiveMessage | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """``True`` when the message was read."""
        return self.message is not None


@attrs.frozen(kw_only=True)
class ImportItem:
    """One imported document (or one rejected input) of a batch import.

    ``source`` names the file, and for batches the message number (``batch.hl7#3``) or index row
    (``index.csv:7``); ``problems`` holds errors (then ``document`` is ``None``) and warnings.
    ``deliverable`` is ``True`` when the document may go to the MD (authenticated, PDF checked).
    """

    source: str
    document: Document | None
    message: ArchiveMessage | None = None
    problems: tuple[Problem, ...] = ()
    deliverable: bool = False

    @property
    def ok(self) -> bool:
        """``True`` when the input was read into a document (or a cancel)."""
        return not any(p.severity is Severity.ERROR for p in self.problems)
