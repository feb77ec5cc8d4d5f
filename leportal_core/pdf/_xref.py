"""Check a PDF's cross-reference structure ourselves, without repairing anything.

The damage criterion of ``docs/documents.md`` §1 starts here (ISO 32000-1 §7.5.4–§7.5.8):

1. the last ``startxref`` in the final KiB gives an offset inside the file;
2. at that offset — after at most a run of white-space, since writers commonly point at the end
   of line before the keyword — there is a cross-reference table (``xref`` … ``trailer`` <<…>>)
   or a cross-reference stream (``n g obj`` << /Type /XRef …>> stream);
3. every section reached through ``/Prev`` and ``/XRefStm`` is such a section too, with no loops;
4. every in-use entry of type 1 points at ``n g obj`` with its own number and generation, every
   entry of type 2 names an object stream that has a type-1 entry;
5. the newest trailer names a ``/Root``, and that object has an entry.

Anything else raises :class:`Damaged` with the offset where it went wrong. The page tree is
checked afterwards, over the objects pypdf reads (see ``inspect.py``).
"""

from __future__ import annotations

import io
import re
from typing import IO, Any, TypeGuard, cast

import attrs
from pypdf._utils import read_non_whitespace
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
    read_object,
)

from leportal_core.pdf._work import Work

__all__ = ["Damaged", "Xref", "read_xref"]

_WS = b"\x00\t\n\x0c\r "
_STARTXREF = re.compile(rb"startxref[\x00\t\n\x0c\r ]+(\d{1,15})")
_OBJ = re.compile(rb"[\x00\t\n\x0c\r ]*(\d{1,10})[\x00\t\n\x0c\r ]+(\d{1,5})[\x00\t\n\x0c\r ]+obj")
_SUBSECTION = re.compile(rb"[\x00\t\n\x0c\r ]*(\d{1,10})[\x00\t\n\x0c\r ]+(\d{1,10})")
# Exactly "nnnnnnnnnn ggggg n" per §7.5.4; qpdf accepts other spacing and digit counts, so do we.
_ENTRY = re.compile(rb"[\x00\t\n\x0c\r ]*(\d{1,10})[\t\x0c ]+(\d{1,5})[\t\x0c ]+([nf])")
# Abbreviated filter names belong to inline images (§8.9.7), but writers use them elsewhere too.
_ABBREVIATIONS = {"/Fl": "/FlateDecode", "/AHx": "/ASCIIHexDecode", "/A85": "/ASCII85Decode",
                  "/LZW": "/LZWDecode", "/RL": "/RunLengthDecode"}  # fmt: skip
_MAX_SECTIONS = 10_000
_BLOCK = 1 << 16


class _Unresolved:
    """Stands in for a reader while trailers are parsed: references stay unresolved."""

    strict = False

    def get_object(self, reference: object) -> None:
        return None


_UNRESOLVED = _Unresolved()


class Damaged(Exception):
    """The structure is broken; ``offset`` is where (or ``None``)."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


@attrs.frozen
class Xref:
    """What the cross-reference chain says: the entries and the newest trailer's keys."""

    root: tuple[int, int]
    encrypted: bool
    start: int  # where the newest section's ``xref`` or ``n g obj`` really begins
    sections: int
    entries: dict[int, tuple[int, int, int]]  # number -> (type, field 2, field 3)


def read_xref(stream: IO[bytes], size: int, tail: bytes, work: Work, base: int = 0) -> Xref:
    """Follow the chain from the last ``startxref`` and check every entry (criterion above).

    ``base`` is where ``%PDF-`` starts: offsets count from there when junk precedes the header.
    """
    found = list(_STARTXREF.finditer(tail))
    if not found:
        raise Damaged("no 'startxref' in the last 1024 bytes", size)
    stack = [base + int(found[-1].group(1))]
    start = _skip_space(stream, stack[0])
    entries: dict[int, tuple[int, int, int]] = {}
    trailers: list[DictionaryObject] = []
    seen: set[int] = set()

    def section(offset: int) -> tuple[DictionaryObject, dict[int, tuple[int, int, int]]]:
        if offset in seen:
            raise Damaged(f"the cross-reference chain loops back to offset {offset}", offset)
        if len(seen) >= _MAX_SECTIONS:
            raise Damaged(f"more than {_MAX_SECTIONS} cross-reference sections", offset)
        seen.add(offset)
        return _section(stream, size, offset, base, work)

    while stack:
        trailer, table = section(stack.pop())
        trailers.append(trailer)
        hybrid = trailer.get("/XRefStm")
        # A hybrid file's hidden stream (§7.5.8.4) lists what its table leaves free; qpdf lets its
        # entries win over the table's, as here.
        merged = [section(base + int(hybrid))[1]] if _is_int(hybrid) else []
        for part in (*merged, table):
            for number, entry in part.items():
                if entry[0] != 0:  # a free entry does not hide an older definition
                    entries.setdefault(number, entry)
        previous = trailer.get("/Prev")
        if previous is not None:
            if not _is_int(previous):
                raise Damaged("a trailer's /Prev is not an offset")
            stack.append(base + int(previous))
    if not _is_int(trailers[0].get("/Size")):
        raise Damaged("the trailer has no /Size")
    root = next((t.raw_get("/Root") for t in trailers if "/Root" in t), None)
    if not isinstance(root, IndirectObject):
        raise Damaged("the trailer has no /Root reference")
    if root.idnum not in entries:
        raise Damaged(f"the /Root object {root.idnum} has no cross-reference entry")
    _check_entries(stream, size, entries, base, work)
    encrypted = "/Encrypt" in trailers[0]
    return Xref(
        root=(root.idnum, root.generation),
        encrypted=encrypted,
        start=start,
        sections=len(seen),
        entries=entries,
    )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _skip_space(stream: IO[bytes], offset: int) -> int:
    window = _read(stream, offset, 64)
    return offset + len(window) - len(window.lstrip(_WS))


def _read(stream: IO[bytes], offset: int, length: int) -> bytes:
    stream.seek(offset)
    return stream.read(length)


def _section(
    stream: IO[bytes], size: int, offset: int, base: int, work: Work
) -> tuple[DictionaryObject, dict[int, tuple[int, int, int]]]:
    if not 0 <= offset < size:
        raise Damaged(f"a cross-reference offset ({offset}) lies outside the file", offset)
    window = _read(stream, offset, 64)
    start = offset + len(window) - len(window.lstrip(_WS))
    if window.lstrip(_WS).startswith(b"xref"):
        return _table(stream, start + 4, size, base, work)
    match = _OBJ.match(window)
    if match is None:
        raise Damaged(
            f"startxref or /Prev points at offset {offset}, where there is neither an 'xref' "
            "table nor a cross-reference stream",
            offset,
        )
    trailer, entries = _xref_stream(stream, offset + match.end(), base, work)
    # Readers locate a cross-reference stream through startxref, never through its own entry,
    # which writers often get wrong (qpdf: "a common error handled correctly").
    entries.pop(int(match.group(1)), None)
    return trailer, entries


def _table(
    stream: IO[bytes], offset: int, size: int, base: int, work: Work
) -> tuple[DictionaryObject, dict[int, tuple[int, int, int]]]:
    entries: dict[int, tuple[int, int, int]] = {}
    position = offset
    while True:
        head = _read(stream, position, 64)
        stripped = head.lstrip(_WS)
        if stripped.startswith(b"trailer"):
            position += len(head) - len(stripped) + 7
            break
        match = _SUBSECTION.match(head)
        if match is None:
            raise Damaged(f"the cross-reference table at {offset} has no 'trailer'", position)
        first, count = int(match.group(1)), int(match.group(2))
        position += match.end()
        if count * 18 > size - position:  # an entry takes at least 18 bytes ("n g n" + EOL)
            raise Damaged(
                f"the subsection at {position} lists more entries than fit in the file", position
            )
        work.parse(count)
        data, at = b"", 0
        for number in range(first, first + count):
            if len(data) - at < 40:
                data, at = _read(stream, position, _BLOCK), 0
            entry = _ENTRY.match(data, at)
            if entry is None:
                raise Damaged(f"cross-reference entry {number} is malformed", position)
            position += entry.end() - at
            at = entry.end()
            if entry.group(3) == b"n" and int(entry.group(1)):  # offset 0: qpdf reads it as free
                entries[number] = (1, base + int(entry.group(1)), int(entry.group(2)))
            else:
                entries.setdefault(number, (0, 0, 0))
    trailer = _object(stream, position, "the trailer")
    if not isinstance(trailer, DictionaryObject) or isinstance(trailer, StreamObject):
        raise Damaged("the trailer is not a dictionary", position)
    return trailer, entries


def _object(stream: IO[bytes], offset: int, what: str) -> object:
    stream.seek(offset)
    try:
        read_non_whitespace(stream)
        stream.seek(-1, io.SEEK_CUR)
        return read_object(stream, _UNRESOLVED)  # type: ignore[arg-type]
    except Exception as exc:  # pypdf's parser raises many types on garbage
        raise Damaged(f"{what} at {offset} cannot be parsed: {exc}"[:200], offset) from None


def _xref_stream(
    stream: IO[bytes], offset: int, base: int, work: Work
) -> tuple[DictionaryObject, dict[int, tuple[int, int, int]]]:
    xref = _object(stream, offset, "the cross-reference stream")
    if not isinstance(xref, StreamObject) or xref.get("/Type") != "/XRef":
        raise Damaged(f"the object at {offset} is not a cross-reference stream", offset)
    filters = xref.get("/Filter")
    if filters is None or isinstance(filters, NullObject):
        xref.pop("/Filter", None)
    elif isinstance(filters, NameObject) and filters in _ABBREVIATIONS:
        xref[NameObject("/Filter")] = NameObject(_ABBREVIATIONS[filters])
    try:
        data = xref.get_data() if "/Filter" in xref else bytes(xref._data)
        widths = [int(w) for w in cast(Any, xref["/W"])]
        size = int(cast(Any, xref["/Size"]))
        index_value: Any = xref.get("/Index", ArrayObject([NumberObject(0), NumberObject(size)]))
        index = [int(i) for i in index_value]
    except Exception as exc:
        raise Damaged(
            f"the cross-reference stream at {offset} is unreadable: {exc}"[:200], offset
        ) from None
    work.inflate(len(data))
    if len(widths) != 3 or min(widths) < 0 or sum(widths) == 0 or len(index) % 2:
        raise Damaged(f"the cross-reference stream at {offset} has a bad /W or /Index", offset)
    width = sum(widths)
    entries: dict[int, tuple[int, int, int]] = {}
    reader = io.BytesIO(data)
    if sum(index[1::2]) * width > len(data):
        raise Damaged(f"the cross-reference stream at {offset} is too short for its /Index", offset)
    for first, count in zip(index[::2], index[1::2], strict=True):
        work.parse(count)
        for number in range(first, first + count):
            row = reader.read(width)
            if len(row) < width:
                raise Damaged(f"the cross-reference stream at {offset} is too short", offset)
            fields = _fields(row, widths)
            if fields[0] == 1 and fields[1]:
                entries[number] = (1, base + fields[1], fields[2])
            elif fields[0] == 2:
                entries[number] = fields
            else:
                entries.setdefault(number, (0, 0, 0))
    return xref, entries


def _fields(row: bytes, widths: list[int]) -> tuple[int, int, int]:
    values = []
    position = 0
    for width in widths:
        values.append(int.from_bytes(row[position : position + width], "big"))
        position += width
    kind = values[0] if widths[0] else 1  # ISO 32000-1 Table 17: type 1 when /W[0] is 0
    return kind, values[1], values[2]


def _check_entries(
    stream: IO[bytes], size: int, entries: dict[int, tuple[int, int, int]], base: int, work: Work
) -> None:
    work.parse(len(entries))
    for number, (kind, second, third) in sorted(entries.items(), key=lambda e: e[1][1]):
        if kind == 1:
            if not 0 <= second < size:
                raise Damaged(f"object {number}'s offset {second} lies outside the file", second)
            match = _OBJ.match(_read(stream, second, 40))
            if match is None or (int(match.group(1)), int(match.group(2))) != (number, third):
                raise Damaged(
                    f"the cross-reference table puts object {number} at offset {second}, "
                    "but it is not there",
                    second,
                )
        elif kind == 2 and entries.get(second, (0,))[0] != 1:
            raise Damaged(
                f"object {number} lies in object stream {second}, which has no entry", None
            )
