"""HL7 v2 ER7 ("pipe and hat") text: framing, segments, fields, escape sequences.

Sources: HL7 v2.5 Chapter 2 (Control) §2.5 message construction rules, §2.7 escape sequences
(``\\F\\ \\S\\ \\T\\ \\R\\ \\E\\``), §2.10.3 batch protocol (FHS/BHS/BTS/FTS) and Appendix C
(MLLP: ``<VT>`` message ``<FS><CR>``). The segment terminator is CR; archives often write LF or CRLF
instead, which is normalised here (hl7apy would otherwise see one segment only).

This is a small reader, not a general HL7 library: it gives each segment its 1-based position in
the file so problems can say *where*. Framing, segments and fields are split as **bytes** (the
delimiters are ASCII, and ASCII-compatible character sets keep them single bytes), so the possibly
27 MB base64 field is never decoded to text; only the short text fields are, with the message's
MSH-18 character set.
"""

from __future__ import annotations

import re
from typing import TypeVar

import attrs

__all__ = [
    "LONG_FIELD",
    "Delimiters",
    "Segment",
    "escape",
    "message_spans",
    "segment_spans",
    "split_fields",
    "split_messages",
    "split_segments",
    "unescape",
    "without_mllp",
]

_MLLP_START = b"\x0b"
_MLLP_END = b"\x1c"
_SEGMENT_ID = re.compile(rb"^[A-Z][A-Z0-9]{2}$")


@attrs.frozen(kw_only=True)
class Delimiters:
    """The encoding characters of MSH-1 and MSH-2 (defaults ``|^~\\&``)."""

    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"


DEFAULT_DELIMITERS = Delimiters()


@attrs.frozen(kw_only=True)
class Segment:
    """One segment: its id, its fields (``fields[0]`` is the id; for MSH ``fields[1]`` is MSH-1),
    and its 1-based position in the file for problem locations. A field of ``LONG_FIELD`` bytes
    or more (the base64 document) is a read-only view into the message, not a copy."""

    id: str
    fields: tuple[bytes | memoryview, ...]
    line: int

    def field(self, number: int) -> bytes:
        """Field ``number`` (HL7 numbering) raw, or ``b""`` when absent; a long field is copied."""
        value = self.fields[number] if number < len(self.fields) else b""
        return value if isinstance(value, bytes) else bytes(value)

    def view(self, number: int) -> memoryview:
        """Field ``number`` without a copy."""
        return memoryview(self.fields[number] if number < len(self.fields) else b"")


# Fields this long stay views into the message: the 27 MB base64 field is never copied.
LONG_FIELD = 1 << 16
# A segment "line" may end with CR (the standard), LF or CRLF; found with memchr-fast bytes.find.
_CR, _LF = b"\r", b"\n"


def without_mllp(data: bytes) -> bytes:
    """``data`` without MLLP start and end blocks (a copy only when it holds any)."""
    if _MLLP_START in data or _MLLP_END in data:
        return data.replace(_MLLP_START, b"").replace(_MLLP_END, b"")
    return data


def segment_spans(data: bytes, start: int = 0) -> list[tuple[int, int, int]]:
    """``(line, start, end)`` of every segment of ``data`` from ``start`` on (1-based line
    numbers; CR, LF and CRLF all end a segment; blank lines are skipped but counted). Offsets
    instead of slices, so the segments are never copied."""
    spans: list[tuple[int, int, int]] = []
    size = len(data)
    cr, lf = data.find(_CR, start), data.find(_LF, start)
    line, pos = 0, start
    while pos < size:
        if -1 < cr < pos:
            cr = data.find(_CR, pos)
        if -1 < lf < pos:
            lf = data.find(_LF, pos)
        end = min(cr if cr != -1 else size, lf if lf != -1 else size)
        line += 1
        # A segment that starts with white space is rare: only then is it copied to test it.
        if end > pos and not (data[pos : pos + 1].isspace() and data[pos:end].isspace()):
            spans.append((line, pos, end))
        pos = end + (2 if data.startswith(b"\r\n", end) else 1)
    return spans


def split_segments(data: bytes) -> list[tuple[int, bytes]]:
    """Segments of ``data`` with their 1-based line numbers; MLLP framing bytes and empty lines
    are dropped, CR, LF and CRLF are all accepted as terminators."""
    data = without_mllp(data)
    return [(line, data[start:end]) for line, start, end in segment_spans(data)]


def split_fields(data: bytes, start: int, end: int, separator: bytes) -> list[bytes | memoryview]:
    """The fields of the segment ``data[start:end]``; fields of ``LONG_FIELD`` bytes or more are
    views into ``data``."""
    if end - start < LONG_FIELD:
        return list(data[start:end].split(separator))
    view = memoryview(data)
    fields: list[bytes | memoryview] = []
    while True:
        stop = data.find(separator, start, end)
        stop = end if stop == -1 else stop
        fields.append(data[start:stop] if stop - start < LONG_FIELD else view[start:stop])
        if stop == end:
            return fields
        start = stop + 1


def is_segment_id(value: bytes) -> bool:
    """``True`` for a well-formed segment id such as ``MSH`` or ``ZBE``."""
    return bool(_SEGMENT_ID.match(value))


_T = TypeVar("_T")
_ENVELOPE = (b"FHS", b"BHS", b"BTS", b"FTS")


def _group(items: list[_T], heads: list[bytes]) -> list[list[_T]]:
    messages: list[list[_T]] = []
    current: list[_T] | None = None
    for item, head in zip(items, heads, strict=True):
        if head in _ENVELOPE:
            current = None
            continue
        if head == b"MSH" or current is None:
            current = []
            messages.append(current)
        current.append(item)
    return messages


def split_messages(segments: list[tuple[int, bytes]]) -> list[list[tuple[int, bytes]]]:
    """Group segments into messages at each ``MSH``; batch envelope segments (FHS, BHS, BTS, FTS)
    are dropped. Segments before the first MSH form a group of their own so they are reported."""
    return _group(segments, [segment[:3] for _, segment in segments])


def message_spans(
    data: bytes, spans: list[tuple[int, int, int]]
) -> list[list[tuple[int, int, int]]]:
    """:func:`split_messages` for the :func:`segment_spans` of ``data``."""
    return _group(spans, [data[start : min(start + 3, end)] for _, start, end in spans])


def unescape(value: str, delimiters: Delimiters = DEFAULT_DELIMITERS) -> str:
    r"""Resolve the escape sequences of HL7 v2.5 §2.7 (``\F\`` → field separator, …).

    Hexadecimal sequences (``\X0A\``) are decoded as Latin-1 code points; formatting sequences
    (``\H\``, ``\N\``, ``\.br\``) and unknown ones are kept as they are.

    >>> unescape(r"Fall/2026\F\7\S\3\T\x")
    'Fall/2026|7^3&x'
    """
    esc = delimiters.escape
    if esc not in value:
        return value
    table = {
        "F": delimiters.field,
        "S": delimiters.component,
        "T": delimiters.subcomponent,
        "R": delimiters.repetition,
        "E": delimiters.escape,
    }
    out: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        end = value.find(esc, i + 1) if char == esc else -1
        if end == -1:
            out.append(char)
            i += 1
            continue
        name = value[i + 1 : end]
        if name in table:
            out.append(table[name])
        elif (
            name.startswith("X")
            and len(name) > 1
            and re.fullmatch(r"(?:[0-9A-Fa-f]{2})+", name[1:])
        ):
            out.append(bytes.fromhex(name[1:]).decode("latin-1"))
        else:
            out.append(value[i : end + 1])
        i = end + 1
    return "".join(out)


def escape(value: str, delimiters: Delimiters = DEFAULT_DELIMITERS) -> str:
    r"""Escape the delimiter characters of ``value`` (HL7 v2.5 §2.7).

    >>> print(escape("Fall/2026|7^3&x"))
    Fall/2026\F\7\S\3\T\x
    """
    d = delimiters
    if not any(c in value for c in (d.escape, d.field, d.component, d.subcomponent, d.repetition)):
        return value
    out = []
    names = {d.escape: "E", d.field: "F", d.component: "S", d.subcomponent: "T", d.repetition: "R"}
    for char in value:
        name = names.get(char)
        out.append(f"{d.escape}{name}{d.escape}" if name else char)
    return "".join(out)
