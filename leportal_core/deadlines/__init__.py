"""The deadline engine: PrüfvV rules computed with §§ 187–193 BGB, each deadline explained.

>>> import datetime
>>> from leportal_core.deadlines import compute
>>> compute("audit_initiation", datetime.date(2026, 10, 31), "HE").due
datetime.date(2027, 3, 1)
"""

from __future__ import annotations

from leportal_core.deadlines.calendar import (
    MUNICIPALITIES,
    Bundesland,
    Move,
    Place,
    holiday_name,
    is_working_day,
    place_for,
    roll_forward,
)
from leportal_core.deadlines.engine import (
    Deadline,
    DeadlineError,
    compute,
    compute_rule,
    parse_state,
)
from leportal_core.deadlines.periods import Period, Unit, add_months, period_end
from leportal_core.deadlines.rules import (
    ALL_RULES,
    INVOICE_CUTOVER,
    PRUEFVV_2022_FROM,
    RULE_KEYS,
    RULES,
    PruefvV,
    Rule,
    SourceKind,
    find_rule,
    pruefvv_for_admission,
)

__all__ = [
    "ALL_RULES",
    "INVOICE_CUTOVER",
    "MUNICIPALITIES",
    "PRUEFVV_2022_FROM",
    "RULES",
    "RULE_KEYS",
    "Bundesland",
    "Deadline",
    "DeadlineError",
    "Move",
    "Period",
    "Place",
    "PruefvV",
    "Rule",
    "SourceKind",
    "Unit",
    "add_months",
    "compute",
    "compute_rule",
    "find_rule",
    "holiday_name",
    "is_working_day",
    "parse_state",
    "period_end",
    "place_for",
    "pruefvv_for_admission",
    "roll_forward",
]
