"""Link the delivery plan to the case: which requested items a delivery covers.

The documents component already matches offered documents to requested items
(:func:`leportal_core.delivery.plan_delivery`: ``matches`` and ``missing``). A case records
the outcome instead of computing it again: :func:`anforderung_from_request` turns the
plan's request into an :class:`~leportal_core.cases.Unterlagenanforderung` whose items are the
requested items' ids, and :func:`delivery_from_plan` records a delivery that covers exactly the
items the plan matched with an accepted document. The case's worklist then names what the plan
left missing.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from leportal_core.cases.model import Delivery, Unterlagenanforderung

if TYPE_CHECKING:  # the case needs only the plan's data, not the delivery machinery
    from leportal_core.delivery.model import DeliveryRequest
    from leportal_core.delivery.plan import DeliveryPlan

__all__ = ["anforderung_from_request", "delivery_from_plan"]


def anforderung_from_request(
    request: DeliveryRequest, *, received: datetime.date
) -> Unterlagenanforderung:
    """The Unterlagenanforderung of ``request``: its reference and its items' ids."""
    return Unterlagenanforderung(
        received=received,
        items=tuple(item.id for item in request.requested),
        reference=request.reference,
    )


def delivery_from_plan(
    plan: DeliveryPlan, *, delivered: datetime.date, delivery_id: str
) -> Delivery:
    """The delivery of ``plan``'s accepted documents: it covers the items the plan matched."""
    matched = {match.item_id for match in plan.matches}
    return Delivery(
        delivered=delivered,
        delivery_id=delivery_id,
        request=plan.request.reference,
        covers=tuple(item.id for item in plan.request.requested if item.id in matched),
    )
