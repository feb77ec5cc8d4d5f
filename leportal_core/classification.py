"""Decide the eVV category of a document, explainably, in a fixed order of rules.

1. the host's ``leportal_classify_document`` hook (``firstresult``: a hospital's own rule wins);
2. a reviewed per-KDL row (:mod:`leportal_core.terminology.evv_kdl`) for codes whose IHE-D
   typeCode and classCode point to different categories (needs no KDL table);
3. the document's KDL code through a KDL table (host-supplied, or the optional
   ``leportal-kdl-data`` distribution) to IHE-D typeCode/classCode, then IHE-D typeCode, then
   classCode (from the KDL table or given by the host, e.g. from a FHIR DocumentReference) →
   category through leportal's own table (:mod:`leportal_core.terminology.evv_map`); when
   typeCode and classCode disagree, the typeCode wins with ``needs_review=True`` and both
   candidates named;
4. otherwise *zusätzliche Unterlagen* with ``needs_review=True``.

The returned :class:`~leportal_core.category.Classification` names the deciding rule and the chain
of codes that led to it.
"""

from __future__ import annotations

import attrs
import pluggy

from leportal_core.builtin import fallback_classification
from leportal_core.category import Classification
from leportal_core.document import Document
from leportal_core.errors import PluginError
from leportal_core.terminology.evv_map import CategoryTable
from leportal_core.terminology.kdl import KdlTable, installed_kdl_table

__all__ = ["INSTALLED", "classify"]

INSTALLED = "installed"
_DEFAULT_TABLE = CategoryTable()


def classify(
    document: Document,
    pm: pluggy.PluginManager,
    *,
    kdl: KdlTable | str | None = INSTALLED,
    table: CategoryTable | None = None,
    type_code: str | None = None,
    class_code: str | None = None,
) -> Classification:
    """The category of ``document`` with the rule that decided it.

    ``kdl`` is a loaded table, ``None`` for none, or ``"installed"`` (default) for the optional data
    distribution when it is installed. ``type_code``/``class_code`` are IHE-D codes the host
    already knows; a KDL code found in the table takes precedence over them.
    """
    result = pm.hook.leportal_classify_document(document=document)
    if result is not None:
        if not isinstance(result, Classification):
            raise PluginError(
                f"leportal_classify_document returned {result!r}, not a Classification"
            )
        return result
    table = table or _DEFAULT_TABLE
    kdl_table = installed_kdl_table() if kdl == INSTALLED else kdl
    note = ""
    if document.kdl_code is not None:
        entry = kdl_table.get(document.kdl_code) if isinstance(kdl_table, KdlTable) else None
        codes = (
            f" (IHE-D typeCode {entry.type_code}, classCode {entry.class_code} in "
            f"{kdl_table.source})"  # type: ignore[union-attr]
            if entry
            else ""
        )
        reviewed = table.for_kdl(document.kdl_code, via=codes)
        if reviewed is not None:
            return reviewed
        if entry is not None:
            via = f"KDL {entry.code} ({entry.display}) in {kdl_table.source}"  # type: ignore[union-attr]
            decided = table.decide(
                type_code=entry.type_code, class_code=entry.class_code, via=f"{via} → "
            )
            if decided is not None:
                return decided
            note = f"; {via} maps to no IHE-D code with a category (UNK)"
        elif isinstance(kdl_table, KdlTable):
            note = f"; KDL {document.kdl_code} is not in {kdl_table.source}"
        else:
            note = f"; KDL {document.kdl_code} not looked up: no KDL table is loaded"
    decided = table.decide(type_code=type_code, class_code=class_code)
    if decided is not None:
        return attrs.evolve(decided, reason=decided.reason + note) if note else decided
    fallback = fallback_classification(document)
    return Classification(
        category=fallback.category,
        rule=fallback.rule,
        reason=fallback.reason + note,
        needs_review=True,
    )
