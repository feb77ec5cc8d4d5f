"""Find active content in a PDF's object graph without decoding any stream.

Active content per ISO 32000-1: JavaScript actions (§12.6.4.16) and the document-level
``/Names /JavaScript`` tree (§7.7.4), scripts in an XFA form (``<script>`` in the ``/AcroForm
/XFA`` packets — JavaScript or FormCalc, both run by the viewer), Launch actions (§12.6.4.5) and
embedded files (§7.11.4). They hide in the catalog's ``/OpenAction`` and ``/AA``, in pages' and
annotations' ``/AA`` and ``/A``, in outline items, form fields and the structure tree (associated
files ``/AF``, ISO 32000-2 §14.13, on structure elements, pages and annotations), so the walk
starts at the catalog and follows every reference, except the keys below that only lead to page
content, fonts, images and other streams (resolving those would read large raw data for nothing).

An embedded file is a file specification whose ``/EF`` dictionary holds a stream (§7.11.4); an
``/EF`` that is anything else — e.g. the *permission list* ``/EF [/Create /Delete …]`` of a
reader-extended form's ``/Perms /UR3`` transform parameters (§12.8.2.3) — is not a file. A
file-attachment annotation carries its file in such a specification (``/FS``), found the same way.
A visited set stops reference loops; an object budget and a depth limit bound the walk, and every
object visited and every XFA byte decoded is charged to the inspection's work budget.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import attrs
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from leportal_core.pdf._work import Work

__all__ = ["ActiveContent", "find_active_content"]

_SKIP = frozenset(
    {
        "/Parent", "/P", "/Prev", "/Last",  # back links: already reached from above
        "/Resources", "/Contents", "/AP", "/Thumb", "/Font", "/XObject", "/DR",
        "/Metadata", "/PieceInfo", "/ParentTree", "/DestOutputProfile",
        "/JS", "/EF", "/XFA",  # decided where they are found; their data is not walked
    }
)  # fmt: skip


@attrs.frozen(kw_only=True)
class ActiveContent:
    """The kinds found (sorted: ``embedded_file``, ``javascript``, ``launch``) and, when the walk
    stopped early, why."""

    kinds: tuple[str, ...]
    budget_exceeded: str | None = None


_XFA_SCRIPT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?script[\s>/]", re.IGNORECASE)


def _kinds_of(node: DictionaryObject, work: Work) -> set[str]:
    kinds = set()
    action = node.get("/S")
    if action == "/JavaScript" or "/JS" in node or "/JavaScript" in node:
        kinds.add("javascript")
    if action == "/Launch":
        kinds.add("launch")
    if _holds_file(node.get("/EF")):
        kinds.add("embedded_file")
    if "/XFA" in node and _xfa_has_script(node.get("/XFA"), work):
        kinds.add("javascript")
    return kinds


def _resolved(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _holds_file(ef: Any) -> bool:
    ef = _resolved(ef)
    return isinstance(ef, DictionaryObject) and any(
        isinstance(_resolved(ef.raw_get(key)), StreamObject) for key in ef
    )


def _xfa_has_script(xfa: Any, work: Work) -> bool:
    """The XFA form is one stream or an array ``[name stream name stream …]`` of its packets."""
    xfa = _resolved(xfa)
    parts = (
        [xfa]
        if isinstance(xfa, StreamObject)
        else list(xfa)
        if isinstance(xfa, ArrayObject)
        else []
    )
    data = b""
    for part in parts:
        part = _resolved(part)
        if isinstance(part, StreamObject):
            decoded = part.get_data()
            work.inflate(len(decoded))
            data += decoded
    return _XFA_SCRIPT.search(data) is not None


def find_active_content(
    root: Any, *, max_objects: int, max_depth: int, work: Work, skip: frozenset[str] = frozenset()
) -> ActiveContent:
    """Walk from ``root`` (the catalog) and report the active content found; keys in ``skip``
    are not followed either (see :func:`mentions_active_content`)."""
    skip = _SKIP | skip
    kinds: set[str] = set()
    visited: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int]] = [(root, 0)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key in visited:
                continue
            visited.add(key)
            value = value.get_object()
        if not isinstance(value, DictionaryObject | ArrayObject):
            continue
        seen += 1
        work.parse()
        if seen > max_objects:
            return ActiveContent(
                kinds=tuple(sorted(kinds)), budget_exceeded=f"more than {max_objects} objects"
            )
        if depth > max_depth:
            return ActiveContent(
                kinds=tuple(sorted(kinds)), budget_exceeded=f"nesting deeper than {max_depth}"
            )
        if isinstance(value, DictionaryObject):
            kinds |= _kinds_of(value, work)
            stack.extend((item, depth + 1) for name, item in value.items() if name not in skip)
        else:
            stack.extend((item, depth + 1) for item in value)
    return ActiveContent(kinds=tuple(sorted(kinds)))


# Every kind of active content needs one of these names (an embedded file its ``/EF``, however it
# is attached); a name written with ``#`` escapes could spell any of them.
_TRIGGER = re.compile(
    rb"/(?:JS|JavaScript|Launch|EF|XFA)(?![^\x00-\x20\x7f-\xff()<>\[\]{}/%])|/[!\x22-\x24&-\x27*-.0-;=?-Z\\^-z|~]*#[0-9A-Fa-f]{2}"
)
_OVERLAP = 64


_STREAM_START = re.compile(rb"stream(?:\r\n|\n|\r)")


class NameScan:
    """Fed the raw file chunk by chunk (in the one sequential pass), tells whether a name active
    content needs occurs outside stream data (``stream`` EOL … ``endstream``): compressed bytes
    would spell such names by chance."""

    def __init__(self) -> None:
        self.found = False
        self._in_stream = False
        self._carry = b""
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        if self.found:
            return
        data, position, previous = chunk, 0, b""
        if self._in_stream and self._carry:
            # only "endstream" split across the chunks matters here; no copy of the chunk
            end = (self._carry + chunk[:9]).find(b"endstream")
            if 0 <= end < len(self._carry):
                self._in_stream, position = False, end + 9 - len(self._carry)
            else:
                previous = self._carry
        elif self._carry:
            data = self._carry + chunk
        self._carry = b""
        while position < len(data):
            if self._in_stream:
                end = data.find(b"endstream", position)
                if end < 0:
                    self._carry = (previous + data[max(position, len(data) - 8) :])[-8:]
                    return
                self._in_stream, position = False, end + 9
            else:
                match = _STREAM_START.search(data, position)
                keep = match.start() if match else max(position, len(data) - 8)
                self._check(data[position:keep])
                if match is None:
                    self._carry = data[keep:]
                    return
                self._in_stream, position = True, match.end()

    def close(self) -> None:
        if not self._in_stream:
            self._check(self._carry)

    def _check(self, piece: bytes) -> None:
        if _TRIGGER.search(self._tail + piece):
            self.found = True
        self._tail = (self._tail + piece)[-_OVERLAP:]


def mentions_active_content(chunks: Iterable[bytes]) -> bool:
    """Whether any of the names active content needs occurs in ``chunks`` (decoded object
    streams: objects inside them are never streams)."""
    tail = b""
    for chunk in chunks:
        if _TRIGGER.search(tail + chunk):
            return True
        tail = chunk[-_OVERLAP:]
    return False
