"""The deadline engine: PrüfvV rules computed with §§ 187–193 BGB, each deadline explained.

>>> import datetime
>>> from leportal_core.deadlines import compute
>>> compute("audit_initiation", datetime.date(2026, 10, 31), "HE").due
datetime.date(2027, 3, 1)
"""

from __future__ import annotations

from leportal_core.deadlines.calendar import (
    Bundesland,
    Move,
    holiday_name,
    is_working_day,
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
    PRUEFVV_2022_FROM,
    RULE_KEYS,
    RULES,
    PruefvV,
    Rule,
    SourceKind,
    pruefvv_for_admission,
)

__all__ = [
    "PRUEFVV_2022_FROM",
    "RULES",
    "RULE_KEYS",
    "Bundesland",
    "Deadline",
    "DeadlineError",
    "Move",
    "Period",
    "PruefvV",
    "Rule",
    "SourceKind",
    "Unit",
    "add_months",
    "compute",
    "compute_rule",
    "holiday_name",
    "is_working_day",
    "parse_state",
    "period_end",
    "pruefvv_for_admission",
    "roll_forward",
]
