"""Properties of every deadline rule, over all Länder and many years."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from leportal_core.deadlines import RULES, Bundesland, compute_rule, is_working_day

rules = st.sampled_from(sorted(RULES.items(), key=lambda item: (item[0][0], item[0][1].value)))
days = st.dates(min_value=datetime.date(1995, 1, 1), max_value=datetime.date(2090, 12, 31))
lands = st.sampled_from(list(Bundesland))


@given(rule=rules, start=days, land=lands)
def test_with_roll_forward_a_deadline_is_a_working_day(rule, start, land) -> None:  # type: ignore[no-untyped-def]
    (_, version), found = rule
    deadline = compute_rule(found, start, land, version=version)
    assert is_working_day(deadline.due, land)
    assert deadline.due >= deadline.raw_end > start
    # Every skipped day is accounted for: the moves are exactly the days raw_end .. due - 1.
    skipped = (deadline.due - deadline.raw_end).days
    assert [m.day for m in deadline.moves] == [
        deadline.raw_end + datetime.timedelta(days=n) for n in range(skipped)
    ]


@given(rule=rules, first=days, gap=st.integers(0, 400), land=lands, roll=st.booleans())
def test_a_later_start_never_gives_an_earlier_deadline(rule, first, gap, land, roll) -> None:  # type: ignore[no-untyped-def]
    (_, version), found = rule
    later = first + datetime.timedelta(days=gap)
    a = compute_rule(found, first, land, version=version, roll_forward_enabled=roll)
    b = compute_rule(found, later, land, version=version, roll_forward_enabled=roll)
    assert a.due <= b.due


@given(rule=rules, start=days, land=lands)
def test_without_roll_forward_the_raw_end_stands(rule, start, land) -> None:  # type: ignore[no-untyped-def]
    (_, version), found = rule
    deadline = compute_rule(found, start, land, version=version, roll_forward_enabled=False)
    assert deadline.due == deadline.raw_end
    assert deadline.moves == ()
