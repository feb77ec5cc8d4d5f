"""Check, classify and match the documents of one Unterlagenanforderung.

Every offered document is checked as a PDF (:func:`leportal_core.pdf.inspect_pdf` under the MD's
policy) and classified (:func:`leportal_core.classification.classify`); rejected documents are
kept with their problems so a person sees why. Accepted documents are matched to requested items
(explicit assignment by the host first, then KDL code, then eVV category); what matches no item is
*extra*, an item nothing matches is *missing*.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pluggy

from leportal_core.category import Category, Classification
from leportal_core.classification import INSTALLED, classify
from leportal_core.delivery.model import (
    DeadlineStatus,
    DeliveryDocument,
    DeliveryRequest,
    RequestedItem,
    deadline_status,
)
from leportal_core.errors import Location, Problem
from leportal_core.pdf import PdfPolicy, PdfVerdict, inspect_pdf
from leportal_core.terminology.evv_map import CategoryTable
from leportal_core.terminology.kdl import KdlTable

__all__ = ["CheckedDocument", "DeliveryPlan", "Match", "plan_delivery"]

_CATEGORY_ORDER = {category: index for index, category in enumerate(Category)}


@attrs.frozen(kw_only=True)
class Match:
    """A requested item answered by a document, and by which rule (``explicit``, ``kdl``,
    ``category``)."""

    item_id: str
    document_id: str
    rule: str


@attrs.frozen(kw_only=True)
class CheckedDocument:
    """An offered document with its PDF verdict and classification."""

    source: DeliveryDocument
    verdict: PdfVerdict
    classification: Classification

    @property
    def accepted(self) -> bool:
        return self.verdict.ok


@attrs.frozen(kw_only=True)
class DeliveryPlan:
    """The outcome before anything is written: accepted and rejected documents, matches, missing
    items, extra documents, and the deadline status."""

    request: DeliveryRequest
    checked: tuple[CheckedDocument, ...]
    matches: tuple[Match, ...]
    missing: tuple[RequestedItem, ...]
    extra: tuple[str, ...]
    deadline: DeadlineStatus

    @property
    def accepted(self) -> tuple[CheckedDocument, ...]:
        """Accepted documents in upload order: category, then source id."""
        return tuple(
            sorted(
                (c for c in self.checked if c.accepted),
                key=lambda c: (_CATEGORY_ORDER[c.classification.category], c.source.id),
            )
        )

    @property
    def rejected(self) -> tuple[CheckedDocument, ...]:
        return tuple(c for c in self.checked if not c.accepted)

    @property
    def complete(self) -> bool:
        """Nothing rejected and nothing missing."""
        return not self.rejected and not self.missing

    def problems(self) -> tuple[Problem, ...]:
        """Why the delivery is not complete, one problem per rejected document and missing item."""
        found = [
            Problem(
                code="delivery.document.rejected",
                message=f"document {c.source.id} rejected: "
                + "; ".join(f"{p.code}: {p.message}" for p in c.verdict.errors),
                location=Location(field=c.source.id),
            )
            for c in self.rejected
        ]
        found += [
            Problem(
                code="delivery.item.missing",
                message=f"requested item {item.id} ({item.label}) has no accepted document",
                location=Location(field=item.id),
            )
            for item in self.missing
        ]
        return tuple(found)


def _matches(item: RequestedItem, checked: CheckedDocument) -> str | None:
    source = checked.source
    if item.id in source.item_ids:
        return "explicit"
    if source.document.kdl_code is not None and source.document.kdl_code in item.kdl_codes:
        return "kdl"
    if not item.kdl_codes and item.category is checked.classification.category:
        return "category"
    return None


def plan_delivery(
    request: DeliveryRequest,
    pm: pluggy.PluginManager,
    *,
    today: dt.date,
    policy: PdfPolicy | None = None,
    kdl: KdlTable | str | None = INSTALLED,
    table: CategoryTable | None = None,
) -> DeliveryPlan:
    """Check, classify and match every document of ``request``; ``today`` is the civil date."""
    policy = policy or PdfPolicy()
    checked = []
    for offered in sorted(request.documents, key=lambda d: d.id):
        document = offered.document
        with document.open() as stream:
            verdict = inspect_pdf(stream, policy=policy, name=offered.id)
        classification = classify(
            document,
            pm,
            kdl=kdl,
            table=table,
            type_code=offered.type_code,
            class_code=offered.class_code,
        )
        checked.append(
            CheckedDocument(source=offered, verdict=verdict, classification=classification)
        )
    matches = [
        Match(item_id=item.id, document_id=c.source.id, rule=rule)
        for item in request.requested
        for c in checked
        if c.accepted and (rule := _matches(item, c)) is not None
    ]
    answered = {m.item_id for m in matches}
    used = {m.document_id for m in matches}
    return DeliveryPlan(
        request=request,
        checked=tuple(checked),
        matches=tuple(matches),
        missing=tuple(item for item in request.requested if item.id not in answered),
        extra=tuple(c.source.id for c in checked if c.accepted and c.source.id not in used),
        deadline=deadline_status(request.due, today),
    )
