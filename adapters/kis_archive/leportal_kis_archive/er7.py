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

import attrs

__all__ = ["Delimiters", "Segment", "escape", "split_messages", "split_segments", "unescape"]

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
    and its 1-based position in the file for problem locations."""

    id: str
    fields: tuple[bytes, ...]
    line: int

    def field(self, number: int) -> bytes:
        """Field ``number`` (HL7 numbering) raw, or ``b""`` when absent."""
        return self.fields[number] if number < len(self.fields) else b""


def split_segments(data: bytes) -> list[tuple[int, bytes]]:
    """Segments of ``data`` with their 1-based line numbers; MLLP framing bytes and empty lines
    are dropped, CR, LF and CRLF are all accepted as terminators."""
    if _MLLP_START in data or _MLLP_END in data:
        data = data.replace(_MLLP_START, b"").replace(_MLLP_END, b"")
    # bytes.split is several times faster than a regular expression on a 27 MB segment; LF and
    # CRLF files pay one replace. ``not s.isspace()`` tests a segment without copying it.
    if b"\n" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = data.split(b"\n")
    else:
        lines = data.split(b"\r")
    return [(n, s) for n, s in enumerate(lines, 1) if s and not s.isspace()]


def is_segment_id(value: bytes) -> bool:
    """``True`` for a well-formed segment id such as ``MSH`` or ``ZBE``."""
    return bool(_SEGMENT_ID.match(value))


def split_messages(segments: list[tuple[int, bytes]]) -> list[list[tuple[int, bytes]]]:
    """Group segments into messages at each ``MSH``; batch envelope segments (FHS, BHS, BTS, FTS)
    are dropped. Segments before the first MSH form a group of their own so they are reported."""
    messages: list[list[tuple[int, bytes]]] = []
    current: list[tuple[int, bytes]] | None = None
    for line, segment in segments:
        head = segment[:3]
        if head in (b"FHS", b"BHS", b"BTS", b"FTS"):
            current = None
            continue
        if head == b"MSH" or current is None:
            current = []
            messages.append(current)
        current.append((line, segment))
    return messages


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
