"""Read MDM^T02/T10/T11 messages (HL7 v2.5 Chapter 9) into :class:`ArchiveMessage` objects.

Tolerant where archives differ (LF/CRLF terminators, MLLP frames, FHS/BHS batches, missing
MSH-9.3, unknown Z-segments, MSH-18 8859/1 or UTF-8), strict where a wrong answer would be silent:
the message type, the unique document number, the base64 content and the dates. Every finding is a
problem with a ``kis_archive.*`` code and a location (file, line, segment, field); a bad message in
a batch never stops the others (:func:`iter_messages`).

Mapping (see ``docs/format-hl7-mdm.md``): TXA-12 unique id, TXA-13 parent, TXA-2 type, TXA-4
(else TXA-6, else MSH-7) date, TXA-17 completion status, TXA-18 confidentiality, PID-3 patient id
and KVNR, PV1-19 case, OBX-3 KDL code and title, OBX-5 ED ``source^type^subtype^Base64^data``.
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
from collections.abc import Iterator

from leportal_core import Document, FormatError, Location, Problem, Severity, ValidationError
from leportal_core.identifiers import kvnr as kvnr_scheme
from leportal_kis_archive.config import CHARSETS, KdlSource, MdmConfig
from leportal_kis_archive.er7 import (
    Delimiters,
    Segment,
    is_segment_id,
    message_spans,
    segment_spans,
    split_fields,
    unescape,
    without_mllp,
)
from leportal_kis_archive.media import media_type_from_ed
from leportal_kis_archive.model import ArchiveMessage, MdmEvent, MessageOutcome

__all__ = ["iter_messages", "read_message"]

_BOM = b"\xef\xbb\xbf"
_DATE = re.compile(rb"^([0-9]{4})([0-9]{2})([0-9]{2})")
_KDL = re.compile(r"^[A-Z]{2}[0-9]{6}$")
_DEFAULT = MdmConfig()


def _shown(raw: bytes) -> str:
    """Bytes as printable ASCII, anything else as ``\\xNN``: a message never shows mojibake."""
    return "".join(chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}" for b in raw)


class _Reject(Exception):
    """Stops reading one message; the problems are already collected."""


class _Reader:
    """Reads one message's segments; collects problems with locations."""

    def __init__(
        self,
        data: bytes,
        segments: list[tuple[int, int, int]],
        config: MdmConfig,
        file: str | None,
    ):
        # The message's segments as (line, start, end) in ``data``: split into fields here, and
        # a long field stays a view into ``data`` — the message's bytes exist once.
        self.data = data
        self.raw = segments
        self.config = config
        self.file = file
        self.problems: list[Problem] = []
        self.delims = Delimiters()
        self.charset = "utf-8"
        self.segments: list[Segment] = []

    def where(self, segment: Segment | None, field: str | None = None) -> Location:
        if segment is None:
            return Location(file=self.file)
        return Location(file=self.file, line=segment.line, segment=segment.id, field=field)

    def add(
        self,
        code: str,
        message: str,
        location: Location,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.problems.append(
            Problem(code=code, message=message, location=location, severity=severity)
        )

    # --- structure -------------------------------------------------------------------------

    def read_header(self) -> Segment:
        line, start, end = self.raw[0]
        if self.data.startswith(_BOM, start, end):  # also inside an MLLP frame
            start += len(_BOM)
        # Enough of MSH for its id and encoding characters; the fields are split below.
        first = self.data[start : min(end, start + 64)]
        if not first.startswith(b"MSH"):
            head = _shown(first[:3])
            self.add(
                "kis_archive.msh.missing",
                f"a message must start with an MSH segment, not '{head}'",
                Location(file=self.file, line=line, segment=head),
            )
            raise _Reject
        if len(first) < 8 or first[3:4].isalnum():
            self.add(
                "kis_archive.msh.invalid",
                "MSH-1/MSH-2 (field separator and encoding characters) are missing or invalid",
                Location(file=self.file, line=line, segment="MSH", field="MSH-2"),
            )
            raise _Reject
        sep = first[3:4]
        enc = first[4:].split(sep, 1)[0]
        delimiters = sep + enc[:4]
        if (
            len(enc) < 4
            or len(set(delimiters)) != 5
            or not all(0x21 <= b < 0x7F and not chr(b).isalnum() for b in delimiters)
        ):
            self.add(
                "kis_archive.msh.invalid",
                "MSH-1/MSH-2 must be five distinct printable ASCII punctuation characters",
                Location(file=self.file, line=line, segment="MSH", field="MSH-2"),
            )
            raise _Reject
        chars = delimiters.decode("ascii")
        self.delims = Delimiters(
            field=chars[0],
            component=chars[1],
            repetition=chars[2],
            escape=chars[3],
            subcomponent=chars[4],
        )
        parts = split_fields(self.data, start, end, sep)
        msh = Segment(id="MSH", fields=(b"MSH", sep, *parts[1:]), line=line)
        declared = _shown(msh.field(18).split(enc[:1])[0]).strip()
        name = declared or self.config.default_charset
        if name not in CHARSETS:
            self.add(
                "kis_archive.charset.unsupported",
                f"character set '{name}' is not supported (use one of {', '.join(CHARSETS)})",
                self.where(msh, "MSH-18"),
            )
            raise _Reject
        self.charset = CHARSETS[name]
        return msh

    def read_segments(self, msh: Segment) -> None:
        sep = self.delims.field.encode("ascii")
        self.segments = [msh]
        for line, start, end in self.raw[1:]:
            fields = split_fields(self.data, start, end, sep)
            # A segment id as long as LONG_FIELD is a view; its first bytes show it is none.
            seg_id = fields[0] if isinstance(fields[0], bytes) else bytes(fields[0][:12])
            if not is_segment_id(seg_id):
                self.add(
                    "kis_archive.segment.invalid",
                    f"'{_shown(seg_id[:12])}' is not a segment id; the file may be "
                    "truncated, or a segment was broken by a stray line break",
                    Location(file=self.file, line=line),
                )
                continue
            self.segments.append(
                Segment(id=seg_id.decode("ascii"), fields=tuple(fields), line=line)
            )

    def find(self, seg_id: str) -> list[Segment]:
        return [s for s in self.segments if s.id == seg_id]

    # --- values ----------------------------------------------------------------------------

    def text(self, segment: Segment, number: int, component: int | None = None) -> str:
        """Field (or component, 1-based) of the first repetition, decoded and unescaped."""
        raw = segment.field(number)
        if segment.id == "MSH" and number <= 2:
            return raw.decode("ascii", "replace")
        return self._decode(segment, number, raw, component)

    def repetitions(self, segment: Segment, number: int) -> list[bytes]:
        return segment.field(number).split(self.delims.repetition.encode("ascii"))

    def _decode(self, segment: Segment, number: int, raw: bytes, component: int | None) -> str:
        raw = raw.split(self.delims.repetition.encode("ascii"))[0]
        if component is not None:
            parts = raw.split(self.delims.component.encode("ascii"))
            raw = parts[component - 1] if component <= len(parts) else b""
        try:
            value = raw.decode(self.charset)
        except UnicodeDecodeError:
            field = f"{segment.id}-{number}" + (f".{component}" if component else "")
            self.add(
                "kis_archive.charset.undecodable",
                f"the bytes of {field} are not valid {self.charset}; check MSH-18",
                self.where(segment, field),
            )
            return raw.decode("latin-1")
        return unescape(value, self.delims)

    def component_of(self, segment: Segment, number: int, raw: bytes, component: int) -> str:
        return self._decode(segment, number, raw, component)


def _optional(value: str) -> str | None:
    return value if value else None


def _read(reader: _Reader) -> ArchiveMessage:
    config = reader.config
    msh = reader.read_header()
    reader.read_segments(msh)
    event = _event(reader, msh)
    txa_list = reader.find("TXA")
    if not txa_list:
        reader.add(
            "kis_archive.txa.missing",
            "an MDM message needs a TXA segment (document notification)",
            reader.where(msh),
        )
        raise _Reject
    txa = txa_list[0]
    unique_id = reader.text(txa, 12, 1)
    if not unique_id:
        reader.add(
            "kis_archive.txa12.missing",
            "TXA-12 (unique document number) is empty",
            reader.where(txa, "TXA-12"),
        )
    parent_id = _optional(reader.text(txa, 13, 1))
    if event is MdmEvent.T10 and parent_id is None:
        reader.add(
            "kis_archive.txa13.missing",
            "a replacement (T10) must name the replaced document in TXA-13",
            reader.where(txa, "TXA-13"),
        )
    document_type = _optional(reader.text(txa, 2, 1))
    status = _optional(reader.text(txa, 17))
    confidentiality = _optional(reader.text(txa, 18, 1))
    patient_id, kvnr = _patient(reader)
    case_id = None
    pv1 = reader.find("PV1")
    if pv1:
        case_id = _optional(reader.text(pv1[0], 19, 1))
    document = None
    if event.carries_content:
        document = _document(reader, msh, txa, document_type, patient_id, case_id)
    if any(p.severity is Severity.ERROR for p in reader.problems):
        raise _Reject
    return ArchiveMessage(
        event=event,
        unique_id=unique_id,
        document=document,
        parent_id=parent_id,
        document_type=document_type,
        completion_status=status,
        confidentiality=confidentiality,
        kvnr=kvnr,
        control_id=_optional(reader.text(msh, 10)),
        deliverable=status in config.deliverable_statuses,
        warnings=tuple(reader.problems),
    )


def _event(reader: _Reader, msh: Segment) -> MdmEvent:
    kind = reader.text(msh, 9, 1)
    trigger = reader.text(msh, 9, 2)
    if kind != "MDM" or trigger not in MdmEvent.__members__:
        reader.add(
            "kis_archive.msh9.unsupported",
            f"MSH-9 is {kind}^{trigger}; this adapter reads MDM^T02, MDM^T10 and MDM^T11",
            reader.where(msh, "MSH-9"),
        )
        raise _Reject
    return MdmEvent(trigger)


def _patient(reader: _Reader) -> tuple[str | None, str | None]:
    pids = reader.find("PID")
    if not pids:
        return None, None
    pid = pids[0]
    config = reader.config
    patient_id: str | None = None
    kvnr: str | None = None
    preferred = False
    for raw in reader.repetitions(pid, 3):
        value = reader.component_of(pid, 3, raw, 1)
        id_type = reader.component_of(pid, 3, raw, 5)
        if not value:
            continue
        if id_type == config.kvnr_id_type:
            kvnr = kvnr or value
        elif id_type == config.patient_id_type and not preferred:
            # The configured identifier type wins; else the first identifier that is no KVNR.
            patient_id, preferred = value, True
        elif patient_id is None:
            patient_id = value
    if kvnr is not None and not kvnr_scheme.is_valid(kvnr):
        reader.add(
            "kis_archive.kvnr.invalid",
            "the KVNR in PID-3 fails its check (Krankenversichertennummer)",
            reader.where(pid, "PID-3"),
            Severity.WARNING,
        )
    return patient_id, kvnr


def _date(reader: _Reader, msh: Segment, txa: Segment) -> dt.date | None:
    for segment, number in ((txa, 4), (txa, 6), (msh, 7)):
        raw = segment.field(number).split(reader.delims.component.encode("ascii"))[0]
        if not raw:
            continue
        match = _DATE.match(raw)
        try:
            if match is None:
                raise ValueError(raw)
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            field = f"{segment.id}-{number}"
            reader.add(
                "kis_archive.date.invalid",
                f"{field} is not an HL7 date (YYYYMMDD…)",
                reader.where(segment, field),
            )
            return None
    reader.add(
        "kis_archive.date.missing",
        "no document date in TXA-4, TXA-6 or MSH-7",
        reader.where(txa, "TXA-4"),
    )
    return None


def _kdl(reader: _Reader, txa: Segment, obx: Segment, document_type: str | None) -> str | None:
    config = reader.config
    code: str | None = None
    if config.kdl_source is KdlSource.OBX3:
        if reader.text(obx, 3, 3) == config.kdl_coding_system:
            code = _optional(reader.text(obx, 3, 1))
        where = reader.where(obx, "OBX-3")
    elif config.kdl_source is KdlSource.TXA2:
        code = document_type
        where = reader.where(txa, "TXA-2")
    else:
        code = config.kdl_for_type(document_type) if document_type else None
        where = reader.where(txa, "TXA-2")
        if code is None and document_type:
            reader.add(
                "kis_archive.kdl.unmapped",
                f"document type {document_type!r} is not in the type table",
                where,
                Severity.WARNING,
            )
    if code is not None and not _KDL.match(code):
        reader.add(
            "kis_archive.kdl.invalid",
            f"{code!r} is not a KDL level-3 code; the document is imported without one",
            where,
            Severity.WARNING,
        )
        return None
    return code


# ED-1 … ED-4 of a long OBX-5 are looked for in its first bytes only.
_ED_HEAD = 4096
_BASE64_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def _ed_components(
    value: memoryview, delims: Delimiters, *, whole: bool = False
) -> tuple[list[bytes], memoryview, bool]:
    """ED-1 … ED-4 as bytes and ED-5 (the data) as a view into ``value``, not a copy; only the
    first repetition counts.

    The third item is ``False`` when the data's end is assumed, not found: in a long field the
    repetition separator is not searched for (a pass over megabytes), so the data runs to the
    field's end. Strict base64 decoding then proves the assumption (the separator is no base64
    character); when decoding fails, :func:`_content` reads the field again with ``whole=True``.
    """
    component = delims.component.encode("ascii")
    repetition = delims.repetition.encode("ascii")
    assume = not whole and len(value) > _ED_HEAD and repetition[0] not in _BASE64_CHARS
    head = bytes(value[:_ED_HEAD]) if assume else bytes(value)
    stop = head.find(repetition)
    found = stop != -1 or not assume
    stop = len(head) if stop == -1 else stop
    parts: list[bytes] = []
    start = 0
    while len(parts) < 4:
        end = head.find(component, start, stop)
        if end == -1:
            if not found:  # ED-1 … ED-4 longer than the head: read the field as a whole
                return _ed_components(value, delims, whole=True)
            parts.append(head[start:stop])
            start = stop
            break
        parts.append(head[start:end])
        start = end + 1
    parts.extend([b""] * (4 - len(parts)))
    if found:
        return parts, value[start:stop], True
    return parts, value[start:], False


def _blank(value: memoryview) -> bool:
    """``True`` when ``value`` is empty or white space only, without copying a long field."""
    return not bytes(value[:64]).strip() and not bytes(value).strip()


def _base64(data: memoryview) -> bytes:
    # strict_mode (C, Python 3.11+) rejects what b64decode(validate=True) rejects, without its
    # regular-expression pass over the whole (possibly 27 MB) field.
    return binascii.a2b_base64(data, strict_mode=True) if len(data) else b""


def _content(reader: _Reader) -> tuple[Segment, bytes, str] | None:
    observations = reader.find("OBX")
    ed = [obx for obx in observations if obx.field(2) == b"ED"]
    if not ed:
        if observations:
            reader.add(
                "kis_archive.obx.not_ed",
                f"no OBX carries the document: OBX-2 is {reader.text(observations[0], 2)!r}, "
                "not 'ED' (encapsulated data)",
                reader.where(observations[0], "OBX-2"),
            )
        else:
            reader.add(
                "kis_archive.obx.missing",
                "T02/T10 need an OBX segment with the document (OBX-2 'ED')",
                reader.where(reader.segments[0]),
            )
        return None
    obx = ed[0]
    if _blank(obx.view(5)):
        reader.add(
            "kis_archive.obx5.empty",
            "OBX-5 (the encapsulated document) is empty: the archive sent no content",
            reader.where(obx, "OBX-5"),
        )
        return None
    parts, data, found = _ed_components(obx.view(5), reader.delims)
    encoding = _shown(parts[3])
    if encoding.lower() != "base64":
        reader.add(
            "kis_archive.ed.encoding",
            f"OBX-5.4 (ED encoding) is '{encoding}'; only 'Base64' is read",
            reader.where(obx, "OBX-5.4"),
        )
        return None
    try:
        try:
            content = _base64(data)
        except (binascii.Error, ValueError):
            if found:
                raise
            # The data did not run to the field's end, or is not base64: read it as written.
            _, data, _ = _ed_components(obx.view(5), reader.delims, whole=True)
            content = _base64(data)
    except (binascii.Error, ValueError) as exc:
        reader.add(
            "kis_archive.ed.base64",
            f"OBX-5.5 is not valid base64 ({exc}); the message may be truncated",
            reader.where(obx, "OBX-5.5"),
        )
        return None
    if not content:
        # A warning here (an empty Document is still a Document, and reads back as written); the
        # import refuses it (importer._checked).
        reader.add(
            "kis_archive.obx5.empty",
            "OBX-5.5 (the base64 data of the document) is empty: the archive sent no content",
            reader.where(obx, "OBX-5.5"),
            Severity.WARNING,
        )
    type_of_data = unescape(_shown(parts[1]), reader.delims)
    subtype = unescape(_shown(parts[2]), reader.delims)
    return obx, content, media_type_from_ed(type_of_data, subtype, reader.config.pdf_subtype)


def _document(
    reader: _Reader,
    msh: Segment,
    txa: Segment,
    document_type: str | None,
    patient_id: str | None,
    case_id: str | None,
) -> Document | None:
    created = _date(reader, msh, txa)
    found = _content(reader)
    if found is None or created is None:
        return None
    obx, content, media_type = found
    kdl_code = _kdl(reader, txa, obx, document_type)
    title = reader.text(obx, 3, 2) or document_type or "Dokument"
    try:
        return Document(
            title=title,
            media_type=media_type,
            created=created,
            content=content,
            patient_id=patient_id,
            case_id=case_id,
            kdl_code=kdl_code,
        )
    except ValidationError as exc:
        for problem in exc.problems:
            reader.add(
                problem.code,
                problem.message,
                Location(
                    file=reader.file,
                    line=obx.line,
                    segment="OBX",
                    field=problem.location.field,
                ),
            )
        return None


def iter_messages(
    data: bytes, *, config: MdmConfig = _DEFAULT, file: str | None = None
) -> Iterator[MessageOutcome]:
    """Every message in ``data`` (one message, MLLP frames, or an FHS/BHS batch), each read on its
    own: a bad message becomes an outcome with problems and the next one is still read."""
    if not isinstance(data, bytes | bytearray | memoryview):
        problem = Problem(
            code="kis_archive.input.type",
            message=f"expected bytes, got {type(data).__name__}",
            location=Location(file=file),
        )
        yield MessageOutcome(file=file, number=1, line=1, message=None, problems=(problem,))
        return
    # RFC 3629 §6: a UTF-8 byte order mark is no part of the text; Windows editors write one.
    # It is skipped by offset: the message is never copied (bytes(data) copies no bytes object),
    # and the readers split it into views.
    raw = bytes(data)
    skip = len(_BOM) if raw.startswith(_BOM) else 0
    truncated = _truncation(raw, file, strict=config.require_terminator, skip=skip)
    raw = without_mllp(raw)  # the BOM (no MLLP byte) still leads, so ``skip`` holds
    groups = message_spans(raw, segment_spans(raw, skip))
    if not groups:
        problem = Problem(
            code="kis_archive.input.empty",
            message="no HL7 segments in the input",
            location=Location(file=file),
        )
        yield MessageOutcome(file=file, number=1, line=1, message=None, problems=(problem,))
        return
    for number, segments in enumerate(groups, 1):
        reader = _Reader(raw, segments, config, file)
        first_line = segments[0][0]
        try:
            ending = truncated if number == len(groups) else None
            if ending is not None:
                # Said first: it explains whatever else is missing from this message.
                reader.problems.append(ending)
            message = _read(reader)
            if ending is not None and ending.severity is Severity.ERROR:
                raise _Reject
        except _Reject:
            yield MessageOutcome(
                file=file,
                number=number,
                line=first_line,
                message=None,
                problems=tuple(reader.problems),
            )
        else:
            yield MessageOutcome(
                file=file,
                number=number,
                line=first_line,
                message=message,
                problems=message.warnings,
            )


def _truncation(
    data: bytes, file: str | None, *, strict: bool = True, skip: int = 0
) -> Problem | None:
    """A problem when ``data`` ends inside a segment or inside an MLLP frame.

    HL7 v2.5 §2.5: every segment ends with a terminator; MLLP (Appendix C) ends every frame with
    ``<FS><CR>``. A file cut short in transit fails one of the two, which catches the truncations
    that would otherwise decode (base64 cut at a 4-character boundary, a cut after OBX-5). Many
    interface-engine samples omit the last terminator: ``strict=False`` (``--lenient-terminator``)
    makes that one a warning; an MLLP frame without its end block stays an error. The first
    ``skip`` bytes (a byte order mark) are no part of the text.
    """
    framed = b"\x0b" in data[skip : skip + 16]
    end = data[-64:].rstrip(b" \t")  # the tail only: never copy a 27 MB message to look at it
    if end.endswith((b"\x1c\r", b"\x1c")):
        end = end[: end.rindex(b"\x1c")]
    elif framed:
        return Problem(
            code="kis_archive.input.truncated",
            message="the MLLP frame has no end block (FS CR): the transfer was cut short",
            location=Location(file=file, offset=len(data) - skip),
        )
    if not end.endswith((b"\r", b"\n")):
        if not strict:
            return Problem(
                code="kis_archive.input.no_terminator",
                message="the last segment has no terminator (CR or LF); accepted as configured, "
                "so a cut at a segment end is not detected (the PDF check still is)",
                location=Location(file=file, offset=len(data) - skip),
                severity=Severity.WARNING,
            )
        return Problem(
            code="kis_archive.input.truncated",
            message="the last segment has no terminator (CR or LF): the file was cut short",
            location=Location(file=file, offset=len(data) - skip),
        )
    return None


def read_message(
    data: bytes, *, config: MdmConfig = _DEFAULT, file: str | None = None
) -> ArchiveMessage:
    """The one MDM message in ``data``; :class:`FormatError` with every problem otherwise."""
    outcomes = list(iter_messages(data, config=config, file=file))
    if len(outcomes) != 1:
        raise FormatError(
            f"expected one message, found {len(outcomes)}",
            [
                Problem(
                    code="kis_archive.input.multiple",
                    message=f"the input holds {len(outcomes)} messages; read it with iter_messages",
                    location=Location(file=file),
                )
            ],
        )
    outcome = outcomes[0]
    if outcome.message is None:
        raise FormatError(
            f"not a usable MDM message ({len(outcome.problems)} problems)", outcome.problems
        )
    return outcome.message
