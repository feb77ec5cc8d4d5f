"""Find active content in a PDF's object graph without decoding any stream.

Active content per ISO 32000-1: JavaScript actions (§12.6.4.16) and the document-level
``/Names /JavaScript`` tree (§7.7.4), Launch actions (§12.6.4.5), embedded files (§7.11.4) and
file-attachment annotations (§12.5.6.15). They hide in the catalog's ``/OpenAction`` and ``/AA``,
in pages' and annotations' ``/AA`` and ``/A``, in outline items and in form fields, so the walk
starts at the catalog and follows every reference, except the keys below that only lead to page
content, fonts, images and other streams (resolving those would read large raw data for nothing).
A visited set stops reference loops; an object budget and a depth limit bound the work.
"""

from __future__ import annotations

from typing import Any

import attrs
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

__all__ = ["ActiveContent", "find_active_content"]

_SKIP = frozenset(
    {
        "/Parent", "/P", "/Prev", "/Last",  # back links: already reached from above
        "/Resources", "/Contents", "/AP", "/Thumb", "/Font", "/XObject", "/DR",
        "/Metadata", "/PieceInfo", "/StructTreeRoot", "/ParentTree", "/DestOutputProfile",
        "/JS", "/EF",  # their presence decides; their data (often a stream) is not needed
    }
)  # fmt: skip


@attrs.frozen(kw_only=True)
class ActiveContent:
    """The kinds found (sorted: ``embedded_file``, ``javascript``, ``launch``) and, when the walk
    stopped early, why."""

    kinds: tuple[str, ...]
    budget_exceeded: str | None = None


def _kinds_of(node: DictionaryObject) -> set[str]:
    kinds = set()
    action = node.get("/S")
    if action == "/JavaScript" or "/JS" in node or "/JavaScript" in node:
        kinds.add("javascript")
    if action == "/Launch":
        kinds.add("launch")
    if (
        "/EF" in node
        or "/EmbeddedFiles" in node
        or node.get("/Type") == "/EmbeddedFile"
        or node.get("/Subtype") == "/FileAttachment"
    ):
        kinds.add("embedded_file")
    return kinds


def find_active_content(root: Any, *, max_objects: int, max_depth: int) -> ActiveContent:
    """Walk from ``root`` (the catalog) and report the active content found."""
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
        if seen > max_objects:
            return ActiveContent(
                kinds=tuple(sorted(kinds)), budget_exceeded=f"more than {max_objects} objects"
            )
        if depth > max_depth:
            return ActiveContent(
                kinds=tuple(sorted(kinds)), budget_exceeded=f"nesting deeper than {max_depth}"
            )
        if isinstance(value, DictionaryObject):
            kinds |= _kinds_of(value)
            stack.extend((item, depth + 1) for name, item in value.items() if name not in _SKIP)
        else:
            stack.extend((item, depth + 1) for item in value)
    return ActiveContent(kinds=tuple(sorted(kinds)))
