"""Walk the page tree (ISO 32000-1 §7.7.3) and count its leaves; a tree that breaks is damage.

Every node must resolve to a dictionary: a kid that is missing or not a dictionary, or a node that
is its own ancestor (qpdf: "Loop detected in /Pages structure"), makes the file damaged. A page
listed twice is counted twice (qpdf copies it with a warning). A node with ``/Kids`` is an inner node, any other a page (qpdf also accepts pages
without ``/Type``). Nesting deeper than ``max_depth`` is a safety limit, not damage.
"""

from __future__ import annotations

from typing import Any

from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from leportal_core.pdf._work import Work
from leportal_core.pdf._xref import Damaged

__all__ = ["count_pages"]


def count_pages(catalog: Any, work: Work, *, max_depth: int) -> int:
    """The number of pages reachable from ``catalog``'s ``/Pages``; raises :class:`Damaged`."""
    root = catalog.get("/Pages")
    root = root.get_object() if root is not None else None
    if not isinstance(root, DictionaryObject):
        raise Damaged("the catalog has no page tree (/Pages)")
    stack: list[tuple[DictionaryObject, tuple[int, ...]]] = [(root, ())]
    pages = 0
    while stack:
        node, ancestors = stack.pop()
        if id(node) in ancestors:
            raise Damaged("the page tree has a loop: a node is its own ancestor")
        work.parse()
        depth = len(ancestors)
        kids = node.get("/Kids")
        if kids is None:
            pages += 1
            continue
        if depth >= max_depth:
            raise LimitReachedError(f"the page tree is nested deeper than {max_depth}")
        kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
        if not isinstance(kids, ArrayObject):
            raise Damaged("a page tree node's /Kids is not an array")
        for position, kid in enumerate(kids):
            target = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if not isinstance(target, DictionaryObject):
                name = (
                    f"{kid.idnum} {kid.generation} R"
                    if isinstance(kid, IndirectObject)
                    else repr(kid)
                )
                raise Damaged(f"page tree kid {position} ({name}) is missing or not a dictionary")
            stack.append((target, (*ancestors, id(node))))
    return pages
