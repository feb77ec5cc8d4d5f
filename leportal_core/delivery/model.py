"""What an Unterlagenanforderung asks for, what the hospital offers, and the deadline status.

The MD names the documents it wants (PrüfvV 2022 § 7 Abs. 2); the hospital must deliver them within
the Ausschlussfrist of 8 weeks after receipt of the request. The due date itself is computed
elsewhere (the deadline engine); here it is an input, and the status is relative to an injected
``today`` so the result never depends on the clock.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable

import attrs

from leportal_core.category import Category
from leportal_core.document import Document

__all__ = [
    "DeadlineState",
    "DeadlineStatus",
    "DeliveryDocument",
    "DeliveryRequest",
    "RequestedItem",
    "deadline_status",
]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def _identifier(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(
            f"{attribute.name} {value!r} must be 1–128 characters of letters, digits, '.', '_', ':', '-'"
        )


def _identifiers(
    _: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    for item in value:
        if not isinstance(item, str) or not _ID.match(item):
            raise ValueError(f"{attribute.name} contains the invalid id {item!r}")


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class RequestedItem:
    """One document the MD asks for: an ``id`` (e.g. the line of the Anforderung), a ``label`` as the
    MD wrote it, and optionally what satisfies it: KDL codes and/or the eVV category."""

    id: str = attrs.field(validator=_identifier)
    label: str
    category: Category | None = None
    kdl_codes: tuple[str, ...] = attrs.field(default=(), converter=_strings)


@attrs.frozen(kw_only=True)
class DeliveryDocument:
    """A document offered for delivery: the source ``id`` in the host (archive id), the
    :class:`Document`, IHE-D codes the host knows, and requested items it answers explicitly."""

    id: str = attrs.field(validator=_identifier)
    document: Document
    type_code: str | None = None
    class_code: str | None = None
    item_ids: tuple[str, ...] = attrs.field(default=(), converter=_strings, validator=_identifiers)


def _items(value: Iterable[RequestedItem]) -> tuple[RequestedItem, ...]:
    return tuple(value)


def _documents(value: Iterable[DeliveryDocument]) -> tuple[DeliveryDocument, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class DeliveryRequest:
    """One Unterlagenanforderung: its ``reference`` (the MD's Vorgang), requested items, offered
    documents and the due date of the Ausschlussfrist (``None`` when not known)."""

    reference: str = attrs.field(validator=_identifier)
    requested: tuple[RequestedItem, ...] = attrs.field(converter=_items)
    documents: tuple[DeliveryDocument, ...] = attrs.field(converter=_documents)
    due: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        for kind, ids in (
            ("requested item", [item.id for item in self.requested]),
            ("document", [doc.id for doc in self.documents]),
        ):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"{kind} id(s) appear twice: {', '.join(duplicates)}")
        known = {item.id for item in self.requested}
        unknown = sorted({i for doc in self.documents for i in doc.item_ids} - known)
        if unknown:
            raise ValueError(f"documents answer unknown requested item(s): {', '.join(unknown)}")


class DeadlineState(enum.Enum):
    """Where the delivery stands against the Ausschlussfrist."""

    NO_DEADLINE = "keine Frist"
    OPEN = "offen"
    DUE_TODAY = "heute fällig"
    OVERDUE = "überfällig"


@attrs.frozen(kw_only=True)
class DeadlineStatus:
    """``days_left`` is negative when overdue, ``None`` without a due date."""

    due: dt.date | None
    today: dt.date
    days_left: int | None
    state: DeadlineState


def deadline_status(due: dt.date | None, today: dt.date) -> DeadlineStatus:
    """The status on ``today`` (a civil date in Europe/Berlin, supplied by the caller).

    >>> deadline_status(dt.date(2026, 3, 30), dt.date(2026, 3, 23)).days_left
    7
    >>> deadline_status(dt.date(2026, 3, 30), dt.date(2026, 3, 31)).state.value
    'überfällig'
    """
    if due is None:
        return DeadlineStatus(
            due=None, today=today, days_left=None, state=DeadlineState.NO_DEADLINE
        )
    left = (due - today).days
    state = (
        DeadlineState.OPEN
        if left > 0
        else DeadlineState.DUE_TODAY
        if left == 0
        else DeadlineState.OVERDUE
    )
    return DeadlineStatus(due=due, today=today, days_left=left, state=state)
