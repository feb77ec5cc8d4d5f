"""Built-in behaviour, registered through the plug-in manager like any plug-in (as tox does)."""

from __future__ import annotations

from leportal_core.category import Category, Classification
from leportal_core.document import Document
from leportal_core.hookspecs import hookimpl


@hookimpl(trylast=True)
def leportal_classify_document(document: Document) -> Classification:
    """Fallback when no rule decided: *zusätzliche Unterlagen*, flagged for a person to look at."""
    return Classification(
        category=Category.ADDITIONAL,
        rule="builtin.fallback",
        reason=f"no rule classified {document.title!r}; filed under zusätzliche Unterlagen for review",
        needs_review=True,
    )
