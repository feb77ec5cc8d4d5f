"""Deadlines computed by hand from §§ 187-193 BGB, checked against the engine."""

from __future__ import annotations

import datetime

import pytest

from leportal_core.deadlines import (
    Bundesland,
    DeadlineError,
    Period,
    PruefvV,
    Unit,
    add_months,
    compute,
    holiday_name,
    is_working_day,
    period_end,
)

D = datetime.date


def test_documents_received_monday_9_february_2026_end_after_easter_monday() -> None:
    # 09.02.2026 is a Monday; 8 weeks later is Monday 06.04.2026 = Ostermontag, a holiday in HE,
    # so § 193 BGB moves the end to Tuesday 07.04.2026.
    deadline = compute("documents", D(2026, 2, 9), "HE")
    assert deadline.raw_end == D(2026, 4, 6)
    assert deadline.due == D(2026, 4, 7)
    assert [str(move) for move in deadline.moves] == ["06.04.2026 Ostermontag (HE)"]
    assert deadline.rule.source.startswith("§ 7 Abs. 2 PrüfvV 2022")
    assert "Ostermontag (HE)" in deadline.explain()
    assert "Di 07.04.2026" in deadline.explain()


def test_invoice_received_31_october_2026_plus_four_months_is_1_march_2027() -> None:
    # 31.10.2026 + 4 months: February 2027 has 28 days → 28.02.2027 (§ 188 Abs. 3 BGB), a Sunday
    # → Monday 01.03.2027.
    deadline = compute("audit_initiation", D(2026, 10, 31), Bundesland.HE)
    assert deadline.raw_end == D(2027, 2, 28)
    assert deadline.raw_end.weekday() == 6
    assert deadline.due == D(2027, 3, 1)
    assert [str(move) for move in deadline.moves] == ["28.02.2027 Sonntag"]
    assert deadline.rule.source == "§ 275c Abs. 1 S. 1 SGB V"


def test_leap_year_month_end() -> None:
    # 31.10.2027 + 4 months → 29.02.2028, a Tuesday: no move.
    deadline = compute("audit_initiation", D(2027, 10, 31), "BY")
    assert deadline.raw_end == deadline.due == D(2028, 2, 29)
    assert deadline.moves == ()


def test_roll_forward_switched_off_keeps_the_raw_end() -> None:
    deadline = compute("documents", D(2026, 2, 9), "HE", roll_forward_enabled=False)
    assert deadline.due == deadline.raw_end == D(2026, 4, 6)
    assert deadline.moves == ()
    assert "abgeschaltet" in deadline.explain()


def test_holidays_differ_by_bundesland() -> None:
    # Fronleichnam 2026 = Easter (05.04.) + 60 days = Thursday 04.06.2026: a holiday in HE, not NI.
    # PrüfvV 2017 § 7 Abs. 2 S. 4: 8 weeks, so Thursday 09.04.2026 + 8 weeks = 04.06.2026.
    start = D(2026, 4, 9)
    assert compute("documents", start, "HE", version=PruefvV.V2017).due == D(2026, 6, 5)
    assert compute("documents", start, "NI", version=PruefvV.V2017).due == D(2026, 6, 4)
    # Buß- und Bettag 2026 = Wednesday 18.11.2026 = Wed 23.09.2026 + 8 weeks; a holiday only in SN.
    assert compute("documents", D(2026, 9, 23), "SN", version=PruefvV.V2017).due == D(2026, 11, 19)
    assert compute("documents", D(2026, 9, 23), "HE", version=PruefvV.V2017).due == D(2026, 11, 18)


def test_christmas_chain_moves_over_three_days() -> None:
    # 11.12.2026 (Fri) + 2 weeks = Fri 25.12.2026 (1. Weihnachtstag), Sat 26.12. (2.
    # Weihnachtstag), Sun 27.12. → Monday 28.12.2026.
    deadline = compute("falldialog_answer", D(2026, 12, 11), "NW")
    assert deadline.due == D(2026, 12, 28)
    assert [move.day for move in deadline.moves] == [
        D(2026, 12, 25),
        D(2026, 12, 26),
        D(2026, 12, 27),
    ]


def test_pruefvv_2017_rules() -> None:
    # 15.03.2021 + 11 months = Tuesday 15.02.2022.
    deadline = compute("decision", D(2021, 3, 15), "HE", version=PruefvV.V2017)
    assert deadline.due == D(2022, 2, 15)
    assert deadline.version is PruefvV.V2017


def test_period_arithmetic() -> None:
    assert period_end(D(2026, 1, 31), Period(amount=1, unit=Unit.MONTHS)) == D(2026, 2, 28)
    assert period_end(D(2026, 1, 30), Period(amount=1, unit=Unit.MONTHS)) == D(2026, 2, 28)
    assert period_end(D(2026, 3, 31), Period(amount=1, unit=Unit.MONTHS)) == D(2026, 4, 30)
    assert period_end(D(2026, 2, 9), Period(amount=10, unit=Unit.DAYS)) == D(2026, 2, 19)
    assert add_months(D(2026, 12, 15), 2) == D(2027, 2, 15)
    assert str(Period(amount=1, unit=Unit.WEEKS)) == "1 Woche"
    with pytest.raises(ValueError, match="positive"):
        Period(amount=0, unit=Unit.DAYS)


def test_calendar_helpers() -> None:
    assert holiday_name(D(2026, 10, 31), Bundesland.NI) == "Reformationstag"
    assert holiday_name(D(2026, 10, 31), Bundesland.BY) is None
    assert not is_working_day(D(2026, 5, 1), Bundesland.BE)
    assert is_working_day(D(2026, 5, 4), Bundesland.BE)


def test_bad_arguments_are_all_reported() -> None:
    with pytest.raises(DeadlineError) as caught:
        compute("nope", "2026-01-01", "XX")  # type: ignore[arg-type]
    assert [p.code for p in caught.value.problems] == [
        "deadline.rule.unknown",
        "deadline.date.invalid",
        "deadline.state.unknown",
    ]


def test_rule_not_under_that_pruefvv() -> None:
    with pytest.raises(DeadlineError) as caught:
        compute("falldialog_end", D(2020, 1, 1), "HE", version=PruefvV.V2017)
    assert caught.value.code == "deadline.rule.not_applicable"


def test_end_beyond_the_calendar() -> None:
    with pytest.raises(DeadlineError) as caught:
        compute("audit_initiation", D(9999, 11, 1), "HE")
    assert caught.value.code == "deadline.date.out_of_range"


def test_json_view_has_the_explanation_facts() -> None:
    data = compute("documents", D(2026, 2, 9), "he").as_dict()
    assert data["due"] == "2026-04-07"
    assert data["raw_end"] == "2026-04-06"
    assert data["moves"] == [{"day": "2026-04-06", "reason": "Ostermontag (HE)"}]
    assert data["period"] == {"amount": 8, "unit": "Wochen"}
    assert data["pruefvv"] == "PrüfvV 2022"
