"""Decide the eVV category of a document through the ``leportal_classify_document`` hook chain."""

from __future__ import annotations

import pluggy

from leportal_core.category import Classification
from leportal_core.document import Document
from leportal_core.errors import PluginError

__all__ = ["classify"]


def classify(document: Document, pm: pluggy.PluginManager) -> Classification:
    """The first answer of the hook chain: a host's rule first, the built-in fallback last."""
    result = pm.hook.leportal_classify_document(document=document)
    if not isinstance(result, Classification):
        raise PluginError(f"leportal_classify_document returned {result!r}, not a Classification")
    return result
