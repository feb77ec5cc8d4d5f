"""GDT (Gerätedatentransfer, Qualitätsring Medizinische Software): how practice software hands a
patient to a plug-in (Satzart 6301 Stammdaten übermitteln, or 6302 neue Untersuchung anfordern)
and takes a result back (Satzart 6310).

Versions: GDT 2.0 and 2.1 (field 9218 ``02.00``/``02.10``, or absent) are read; both have the same
line and record format (5-digit 8100), tested with the specification examples of both. GDT 3.x
(9218 ``03.…``: objects 8200/8201, a 7-digit Satzlänge) is refused with
``therapy_pvs.gdt.version`` — it is not claimed. Written records are GDT 2.1.

A record is a sequence of lines ``LLLFFFFcontent CR LF``: ``LLL`` is the byte length of the whole
line including itself and the CR LF, ``FFFF`` the field id. The first field is 8000 (Satzart), then
8100 (Satzlänge: the byte length of the whole record, five digits). Field 9206 names the character
set: 1 = 7-bit (DIN 66003, the German reference version of ISO 646: ``[\\]{|}~@`` are
``ÄÖÜäöüß§``), 2 = 8-bit IBM code page 437 (the default when 9206 is absent), 3 = ISO 8859-1
("ANSI"). Source: QMS, GDT-Schnittstellenbeschreibung 2.1 (qms-standards.de), field table
"Feldkennungen".

Lengths are checked on bytes, before any decoding, so a wrong character set can never shift a
line; every problem names its line number and field id. Tolerated framing: a trailing DOS EOF
byte (0x1A, written by old DOS/Windows practice software) and trailing empty lines; a file with
LF-only line ends is refused as such, in one problem.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Sequence

import attrs

from leportal_core.errors import FormatError, Location, Problem, ValidationError

__all__ = [
    "KNOWN_SATZARTEN",
    "MAX_RECORD_BYTES",
    "SUPPORTED_VERSIONS",
    "GdtEncoding",
    "GdtField",
    "GdtRecord",
    "parse_record",
    "write_record",
]

MAX_RECORD_BYTES = 1 << 20  # a patient record is a few hundred bytes; refuse anything absurd
SUPPORTED_VERSIONS = ("02.00", "02.10")
MAX_CONTENT_BYTES = 999 - 9  # LLL has three digits; 9 bytes are length, field id and CR LF
# Satzarten of GDT 2.1 (6300 Stammdaten anfordern, 6301 übermitteln, 6302 Untersuchung
# anfordern, 6310 Daten einer Untersuchung übermitteln, 6311 Daten anzeigen).
KNOWN_SATZARTEN = frozenset({"6300", "6301", "6302", "6310", "6311"})
_LINE_HEAD = re.compile(rb"^[0-9]{7}")
_DIN_66003 = str.maketrans("@[\\]{|}~", "§ÄÖÜäöüß")
_DIN_66003_BACK = str.maketrans("§ÄÖÜäöüß", "@[\\]{|}~")


class GdtEncoding(enum.Enum):
    """Values of field 9206 (Zeichensatz) and the Python codec each means."""

    DIN_66003 = "1"
    CP437 = "2"
    ISO_8859_1 = "3"

    @property
    def codec(self) -> str:
        return {"1": "ascii", "2": "cp437", "3": "latin-1"}[self.value]

    def decode(self, raw: bytes) -> str:
        text = raw.decode(self.codec)
        return text.translate(_DIN_66003) if self is GdtEncoding.DIN_66003 else text

    def encode(self, text: str) -> bytes:
        if self is GdtEncoding.DIN_66003:
            if any(c in "@[\\]{|}~" for c in text):
                raise UnicodeEncodeError("din66003", text, 0, 1, "character not in DIN 66003")
            text = text.translate(_DIN_66003_BACK)
        return text.encode(self.codec)


@attrs.frozen(kw_only=True)
class GdtField:
    """One line: field id, decoded content and the 1-based line number it came from."""

    field_id: str
    content: str
    line: int = 0


@attrs.frozen(kw_only=True)
class GdtRecord:
    """One decoded record: Satzart, character set and the fields in file order."""

    satzart: str
    encoding: GdtEncoding
    fields: tuple[GdtField, ...]

    def first(self, field_id: str) -> GdtField | None:
        """The first occurrence of ``field_id``."""
        return next((f for f in self.fields if f.field_id == field_id), None)

    def all(self, field_id: str) -> list[GdtField]:
        """Every occurrence of a repeatable field (e.g. 6220 Befundtext)."""
        return [f for f in self.fields if f.field_id == field_id]


def _problem(code: str, message: str, line: int | None = None, field: str | None = None) -> Problem:
    return Problem(code=code, message=message, location=Location(line=line, field=field))


def parse_record(data: bytes, *, expect: Iterable[str] = KNOWN_SATZARTEN) -> GdtRecord:
    """Decode one GDT record; :class:`FormatError` with every problem (line numbers from 1)."""
    if not isinstance(data, bytes):
        raise FormatError(
            "GDT input must be bytes", [_problem(code="therapy_pvs.gdt.type", message="not bytes")]
        )
    if not data:
        raise FormatError(
            "empty GDT file", [_problem(code="therapy_pvs.gdt.empty", message="the file is empty")]
        )
    if len(data) > MAX_RECORD_BYTES:
        raise FormatError(
            "GDT file too large",
            [
                _problem(
                    code="therapy_pvs.gdt.too_large", message=f"more than {MAX_RECORD_BYTES} bytes"
                )
            ],
        )
    data = _unframed(data)
    if b"\r\n" not in data and b"\n" in data:
        raise FormatError(
            "GDT file with LF line endings",
            [
                _problem(
                    code="therapy_pvs.gdt.line_endings",
                    message="the file has LF line endings; GDT lines end with CR LF (and their "
                    "lengths count both), so convert it back or fix the sender's export",
                    line=1,
                )
            ],
        )
    found: list[Problem] = []
    raw_lines = data.split(b"\r\n")
    if raw_lines[-1] != b"":
        found.append(
            _problem(
                code="therapy_pvs.gdt.line_format",
                message="the last line does not end with CR LF",
                line=len(raw_lines),
            )
        )
    raw_fields: list[tuple[int, bytes, bytes]] = []
    for number, line in enumerate(raw_lines[:-1] if raw_lines[-1] == b"" else raw_lines, 1):
        if not _LINE_HEAD.match(line):
            found.append(
                _problem(
                    code="therapy_pvs.gdt.line_format",
                    message="a line starts with 3 digits of length and 4 digits of field id",
                    line=number,
                )
            )
            continue
        line_field = line[3:7].decode("ascii")
        declared, actual = int(line[:3]), len(line) + 2
        if declared != actual:
            found.append(
                _problem(
                    code="therapy_pvs.gdt.line_length",
                    message=f"line length says {declared} bytes, the line has {actual}",
                    line=number,
                    field=line_field,
                )
            )
        raw_fields.append((number, line[3:7], line[7:]))
    if not raw_fields:
        found.append(
            _problem(code="therapy_pvs.gdt.satzart", message="no field 8000 (Satzart)", line=1)
        )
        raise FormatError("malformed GDT record", found)
    first_line, first_id, first_value = raw_fields[0]
    satzart = first_value.decode("ascii", "replace")
    expected = set(expect)
    if first_id != b"8000":
        found.append(
            _problem(
                code="therapy_pvs.gdt.satzart",
                message="the first field must be 8000 (Satzart)",
                line=first_line,
            )
        )
    elif satzart not in KNOWN_SATZARTEN:
        found.append(
            _problem(
                code="therapy_pvs.gdt.satzart",
                message=f"unknown Satzart {satzart!r}",
                line=first_line,
                field="8000",
            )
        )
    elif satzart not in expected:
        found.append(
            _problem(
                code="therapy_pvs.gdt.satzart",
                message=f"Satzart {satzart} where {'/'.join(sorted(expected))} was expected",
                line=first_line,
                field="8000",
            )
        )
    for number, field_id, _ in raw_fields[1:]:
        if field_id == b"8000":
            found.append(
                _problem(
                    code="therapy_pvs.gdt.multiple_records",
                    message="a second record starts; one record per file",
                    line=number,
                    field="8000",
                )
            )
    encoding = _encoding(raw_fields, found)
    _check_version(raw_fields, found)
    _check_record_length(raw_fields, len(data), found)
    fields = []
    for number, field_id, value in raw_fields:
        try:
            text = encoding.decode(value)
        except UnicodeDecodeError:
            found.append(
                _problem(
                    code="therapy_pvs.gdt.encoding",
                    message=f"bytes that are not {encoding.codec} (field 9206 = {encoding.value})",
                    line=number,
                    field=field_id.decode("ascii"),
                )
            )
            continue
        fields.append(GdtField(field_id=field_id.decode("ascii"), content=text, line=number))
    if found:
        raise FormatError(f"malformed GDT record ({len(found)} problems)", found)
    return GdtRecord(satzart=satzart, encoding=encoding, fields=tuple(fields))


def _unframed(data: bytes) -> bytes:
    """``data`` without a trailing DOS EOF byte (0x1A) and without empty lines after the record;
    the Satzlänge (8100) counts the record only."""
    record = data.rstrip(b"\r\n\x1a")
    tail = data[len(record) :]
    return record + b"\r\n" if tail.startswith(b"\r\n") else data.removesuffix(b"\x1a")


def _check_version(raw_fields: Sequence[tuple[int, bytes, bytes]], found: list[Problem]) -> None:
    for number, field_id, value in raw_fields:
        if field_id == b"9218" and value.startswith(b"03"):
            found.append(
                _problem(
                    code="therapy_pvs.gdt.version",
                    message=f"GDT version {value.decode('ascii', 'replace')} is not supported "
                    f"(supported: {', '.join(SUPPORTED_VERSIONS)}); GDT 3.x records have objects "
                    "and another Satzlänge",
                    line=number,
                    field="9218",
                )
            )


def _encoding(raw_fields: Sequence[tuple[int, bytes, bytes]], found: list[Problem]) -> GdtEncoding:
    for number, field_id, value in raw_fields:
        if field_id == b"9206":
            try:
                return GdtEncoding(value.decode("ascii"))
            except (UnicodeDecodeError, ValueError):
                found.append(
                    _problem(
                        code="therapy_pvs.gdt.encoding",
                        message="field 9206 must be 1 (7-bit), 2 (IBM CP437) or 3 (ISO 8859-1)",
                        line=number,
                        field="9206",
                    )
                )
    return GdtEncoding.CP437


def _check_record_length(
    raw_fields: Sequence[tuple[int, bytes, bytes]], size: int, found: list[Problem]
) -> None:
    lengths = [(n, v) for n, f, v in raw_fields if f == b"8100"]
    if not lengths:
        found.append(
            _problem(code="therapy_pvs.gdt.missing", message="field 8100 (Satzlänge) is missing")
        )
        return
    number, value = lengths[0]
    if not value.isdigit() or int(value) != size:
        found.append(
            _problem(
                code="therapy_pvs.gdt.record_length",
                message=f"Satzlänge says {value.decode('ascii', 'replace')!r}, the record has {size} bytes",
                line=number,
                field="8100",
            )
        )


def write_record(
    satzart: str, fields: Sequence[tuple[str, str]], encoding: GdtEncoding = GdtEncoding.CP437
) -> bytes:
    """One GDT record: 8000, 8100 (computed), 9206, then ``fields`` in order.

    Raises :class:`ValidationError` (codes ``therapy_pvs.gdt.*``) when a value has a line break,
    a character the character set lacks, or does not fit a line.
    """
    found: list[Problem] = []
    lines: list[bytes] = []
    for field_id, content in [("9206", encoding.value), *fields]:
        if not re.fullmatch(r"[0-9]{4}", field_id):
            found.append(
                _problem(
                    code="therapy_pvs.gdt.field_id",
                    message="field ids have 4 digits",
                    field=field_id,
                )
            )
            continue
        if "\r" in content or "\n" in content:
            found.append(
                _problem(
                    code="therapy_pvs.gdt.line_break",
                    message="a value has no line break",
                    field=field_id,
                )
            )
            continue
        try:
            raw = encoding.encode(content)
        except UnicodeEncodeError:
            found.append(
                _problem(
                    code="therapy_pvs.gdt.unencodable",
                    message=f"a character has no code in {encoding.codec}",
                    field=field_id,
                )
            )
            continue
        if len(raw) > MAX_CONTENT_BYTES:
            found.append(
                _problem(
                    code="therapy_pvs.gdt.too_long",
                    message=f"{len(raw)} bytes, a line holds {MAX_CONTENT_BYTES}",
                    field=field_id,
                )
            )
            continue
        lines.append(_line(field_id, raw))
    if found:
        raise ValidationError(f"cannot write GDT record ({len(found)} problems)", found)
    head = _line("8000", satzart.encode("ascii"))
    size = len(head) + 14 + sum(len(line) for line in lines)  # 8100 line: 3+4+5+2 bytes
    return head + _line("8100", f"{size:05d}".encode("ascii")) + b"".join(lines)


def _line(field_id: str, raw: bytes) -> bytes:
    return f"{len(raw) + 9:03d}{field_id}".encode("ascii") + raw + b"\r\n"


def parse_date(field: GdtField | None) -> tuple[dt.date | None, Problem | None]:
    """A GDT date TTMMJJJJ."""
    if field is None:
        return None, None
    text = field.content
    try:
        if not re.fullmatch(r"[0-9]{8}", text):
            raise ValueError(text)
        return dt.date(int(text[4:]), int(text[2:4]), int(text[:2])), None
    except ValueError:
        return None, _problem(
            code="therapy_pvs.gdt.date",
            message="not a date TTMMJJJJ",
            line=field.line,
            field=field.field_id,
        )


def format_date(value: dt.date) -> str:
    """A date as TTMMJJJJ."""
    return f"{value.day:02d}{value.month:02d}{value.year:04d}"
