"""pypdf's reader, charging the work budget for what it reads, started where our own check of the
cross-reference chain (``_xref.py``) found the newest section.

pypdf parses a whole object stream to return one object from it (a 1.5 MB page with a 65,000-object
stream cost seconds). Here the stream's header is indexed once and only the object asked for is
parsed; the header's pairs and the decompressed bytes are charged to the :class:`Work` budget
before any object is parsed, so a hostile stream is refused before it costs anything.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

import pypdf
from pypdf.generic import (
    IndirectObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    read_object,
)

from leportal_core.pdf._work import Work

__all__ = ["BudgetedReader"]

_NUMBER = re.compile(rb"\d+")


class BudgetedReader(pypdf.PdfReader):
    """A lenient :class:`pypdf.PdfReader` whose object reads are charged to ``work``."""

    def __init__(self, stream: IO[bytes], work: Work, start: int) -> None:
        self._work = work
        self._start = start
        self._object_streams: dict[int, tuple[bytes, int, dict[int, int]] | None] = {}
        super().__init__(stream, strict=False, root_object_recovery_limit=1000)

    def _find_startxref_pos(self, stream: Any) -> int:
        # The offset our own check resolved (white-space before ``xref`` skipped): pypdf would
        # otherwise rebuild the whole cross-reference table by scanning for it.
        return self._start

    def get_object(self, indirect_reference: int | IndirectObject) -> PdfObject | None:
        self._work.parse()
        return super().get_object(indirect_reference)

    def object_stream_data(self, number: int) -> bytes:
        """The decoded data of object stream ``number`` (empty when it is none), indexed once."""
        if number not in self._object_streams:
            self._object_streams[number] = None  # a stream inside itself resolves to null
            self._object_streams[number] = self._index(number)
        index = self._object_streams[number]
        return b"" if index is None else index[0]

    def _get_object_from_stream(self, indirect_reference: IndirectObject) -> PdfObject:
        number, _ = self.xref_objStm[indirect_reference.idnum]
        self.object_stream_data(number)
        index = self._object_streams[number]
        if index is None:
            return NullObject()
        data, first, offsets = index
        offset = offsets.get(indirect_reference.idnum)
        if offset is None or not 0 <= first + offset < len(data):
            return NullObject()
        reader = io.BytesIO(data)
        reader.seek(first + offset)
        while reader.read(1) in b"\x00\t\n\x0c\r ":
            if reader.tell() >= len(data):
                return NullObject()
        reader.seek(-1, io.SEEK_CUR)
        result: Any = read_object(reader, self)
        return result  # type: ignore[no-any-return]

    def _index(self, number: int) -> tuple[bytes, int, dict[int, int]] | None:
        stream = IndirectObject(number, 0, self).get_object()
        if not isinstance(stream, StreamObject) or stream.get("/Type") != "/ObjStm":
            return None
        count, first = stream.get("/N"), stream.get("/First")
        if not isinstance(count, NumberObject) or not isinstance(first, NumberObject):
            return None
        if count < 0 or first < 0:
            return None
        self._work.parse(int(count))
        data = stream.get_data()
        self._work.inflate(len(data))
        numbers = [int(n) for n in _NUMBER.findall(data, 0, int(first))[: 2 * int(count)]]
        return data, int(first), dict(zip(numbers[::2], numbers[1::2], strict=False))
