"""Write MDM^T02/T10/T11 messages (HL7 v2.5 Chapter 9) an archive accepts.

Each message is ``MSH EVN PID PV1 TXA [OBX]`` with CR segment terminators, ``UNICODE UTF-8`` in
MSH-18 and MSH-9 with its structure (``MDM^T02^MDM_T02``; hl7apy ignores a message without it,
domain brief §5). The document travels in one OBX ED: ``^AP^PDF^Base64^<data>``. Every text value
is escaped (HL7 v2.5 §2.7), so titles and case numbers with ``|^~\\&`` survive. The same document
always gets the same TXA-12 (:func:`document_uid`), which makes a re-sent message idempotent for
the archive.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable

from leportal_core import Document, Location, Problem, ValidationError
from leportal_core import clock as core_clock
from leportal_core.validation import is_printable
from leportal_kis_archive.config import KdlSource, MdmConfig
from leportal_kis_archive.er7 import escape
from leportal_kis_archive.media import ed_from_media_type
from leportal_kis_archive.model import ArchiveMessage, MdmEvent

__all__ = ["Clock", "document_uid", "encode_message", "utc_now"]

Clock = Callable[[], dt.datetime]
_DEFAULT = MdmConfig()


def utc_now() -> dt.datetime:
    """The default clock: now, in UTC, from the injectable :func:`leportal_core.clock.now`."""
    return core_clock.now()


def document_uid(document: Document) -> str:
    """A stable unique document number (TXA-12) derived from the document's metadata and bytes.

    >>> import datetime
    >>> doc = Document(title="t", media_type="a/b", created=datetime.date(2026, 1, 1), content=b"")
    >>> document_uid(doc) == document_uid(doc), len(document_uid(doc))
    (True, 36)
    """
    digest = hashlib.sha256()
    for part in (
        document.sha256,
        document.title,
        document.media_type,
        document.created.isoformat(),
        document.patient_id or "",
        document.case_id or "",
        document.kdl_code or "",
    ):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x00")
    return "LEP-" + digest.hexdigest()[:32]


def _timestamp(instant: dt.datetime) -> str:
    if instant.tzinfo is None:
        raise ValidationError(
            "the clock must return a timezone-aware instant",
            [Problem(code="kis_archive.clock.naive", message="naive datetime from the clock")],
        )
    return instant.strftime("%Y%m%d%H%M%S%z")


def encode_message(
    message: ArchiveMessage, *, config: MdmConfig = _DEFAULT, clock: Clock = utc_now
) -> bytes:
    """The MDM message for ``message`` as bytes (UTF-8, CR-terminated segments).

    A T02/T10 needs a document; a T10 and a T11 need ``parent_id`` (T11: the cancelled id may be
    given as ``unique_id`` instead). :class:`ValidationError` says what is missing.
    """
    _check(message)
    now = _timestamp(clock())
    event = message.event
    document = message.document
    e = escape
    # MSH-10 is at most 20 characters in v2.5 (ST); unique enough per document, event and second.
    control = e(message.control_id or f"{message.unique_id[-11:]}{event.value}{now[8:14]}")
    segments = [
        "|".join(
            [
                "MSH",
                "^~\\&",
                e(config.sending_application),
                e(config.sending_facility),
                e(config.receiving_application),
                e(config.receiving_facility),
                now,
                "",
                f"MDM^{event.value}^{event.structure}",
                control,
                "P",
                "2.5",
                "",
                "",
                "",
                "",
                "DEU",
                "UNICODE UTF-8",
            ]
        ),
        f"EVN|{event.value}|{now}",
        _pid(message, config),
        _pv1(document),
        _txa(message, config),
    ]
    if document is not None and event.carries_content:
        segments.append(_obx(document, config))
    return ("\r".join(segments) + "\r").encode("utf-8")


def _check(message: ArchiveMessage) -> None:
    problems = []
    if not isinstance(message, ArchiveMessage):
        raise ValidationError(
            "encode_message takes an ArchiveMessage",
            [Problem(code="kis_archive.export.type", message=f"got {type(message).__name__}")],
        )
    if message.event.carries_content and message.document is None:
        problems.append(
            Problem(
                code="kis_archive.export.document_missing",
                message=f"an MDM^{message.event.value} carries a document; none was given",
                location=Location(segment="OBX"),
            )
        )
    if message.event is MdmEvent.T10 and not message.parent_id:
        problems.append(
            Problem(
                code="kis_archive.export.parent_missing",
                message="a replacement (T10) needs the replaced document's number (TXA-13)",
                location=Location(segment="TXA", field="TXA-13"),
            )
        )
    if not message.unique_id:
        problems.append(
            Problem(
                code="kis_archive.export.uid_missing",
                message="TXA-12 (unique document number) is required",
                location=Location(segment="TXA", field="TXA-12"),
            )
        )
    for name in (
        "unique_id",
        "parent_id",
        "kvnr",
        "completion_status",
        "confidentiality",
        "document_type",
        "control_id",
    ):
        value = getattr(message, name)
        # Control characters would end a segment (CR, LF) or an MLLP frame (VT, FS) early.
        if value is not None and not is_printable(value):
            problems.append(
                Problem(
                    code="kis_archive.export.characters",
                    message=f"{name} must not contain control characters",
                    location=Location(field=name),
                )
            )
    if problems:
        raise ValidationError(f"cannot write this MDM message ({len(problems)} problems)", problems)


def _pid(message: ArchiveMessage, config: MdmConfig) -> str:
    document = message.document
    ids = []
    if document is not None and document.patient_id is not None:
        ids.append(f"{escape(document.patient_id)}^^^^{escape(config.patient_id_type)}")
    if message.kvnr is not None:
        ids.append(f"{escape(message.kvnr)}^^^^{escape(config.kvnr_id_type)}")
    return f"PID|1||{'~'.join(ids)}"


def _pv1(document: Document | None) -> str:
    case = escape(document.case_id) if document is not None and document.case_id else ""
    return "PV1|1|U" + "|" * 17 + case


def _txa(message: ArchiveMessage, config: MdmConfig) -> str:
    document = message.document
    created = document.created.strftime("%Y%m%d") if document is not None else ""
    if document is not None:
        # strftime pads years < 1000 inconsistently across platforms; HL7 DTM needs four digits.
        created = (
            f"{document.created.year:04d}{document.created.month:02d}{document.created.day:02d}"
        )
    kdl = document.kdl_code if document is not None else None
    doc_type = message.document_type or config.type_for_kdl(kdl)
    if config.kdl_source is KdlSource.TXA2 and kdl is not None:
        doc_type = kdl
    fields = [""] * 19
    fields[0] = "TXA"
    fields[1] = "1"
    fields[2] = escape(doc_type)
    fields[3] = "AP"
    fields[4] = created
    fields[6] = created
    fields[12] = escape(message.unique_id)
    fields[13] = escape(message.parent_id or "")
    fields[17] = escape(message.completion_status or "AU")
    fields[18] = escape(message.confidentiality or "")
    return "|".join(fields).rstrip("|")


def _obx(document: Document, config: MdmConfig) -> str:
    if document.kdl_code is not None:
        observation = (
            f"{document.kdl_code}^{escape(document.title)}^{escape(config.kdl_coding_system)}"
        )
    else:
        observation = f"{escape(config.default_document_type)}^{escape(document.title)}^L"
    type_of_data, subtype = ed_from_media_type(document.media_type, config.pdf_subtype)
    data = base64.b64encode(document.read_bytes()).decode("ascii")
    value = f"^{escape(type_of_data)}^{escape(subtype)}^Base64^{data}"
    return f"OBX|1|ED|{observation}||{value}||||||F"
