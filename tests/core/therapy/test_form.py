"""JSON report form: round trip (property) and every problem located by a JSON pointer."""

from __future__ import annotations

import copy
import datetime as dt
import json

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core.errors import FormatError
from leportal_core.therapy import (
    FORM,
    Continuation,
    Recommendation,
    Setting,
    report_from_dict,
    report_to_dict,
)
from tests.core.therapy.sample import report

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=40
).filter(str.strip)


@settings(max_examples=60, deadline=None)
@given(
    befund=_TEXT,
    verlauf=_TEXT,
    units=st.integers(1, 99),
    created=st.dates(dt.date(2026, 3, 1), dt.date(2030, 1, 1)),
    continuation=st.sampled_from(Continuation),
    setting=st.sampled_from(Setting),
    other=st.none() | _TEXT,
)
def test_round_trip(
    befund: str,
    verlauf: str,
    units: int,
    created: dt.date,
    continuation: Continuation,
    setting: Setting,
    other: str | None,
) -> None:
    base = report()
    original = report(
        befund=befund,
        therapieverlauf=verlauf,
        created=created,
        prescription=attrs.evolve(base.prescription, behandlungseinheiten=units),
        recommendation=Recommendation(
            continuation=continuation,
            pause_weeks=3 if continuation is Continuation.PAUSIEREN else None,
            setting=setting,
            other_therapy=other,
        ),
    )
    data = json.loads(json.dumps(report_to_dict(original)))
    assert report_from_dict(data) == original


def test_golden_shape() -> None:
    data = report_to_dict(report())
    assert data["form"] == FORM
    assert data["practice"]["ik"] == "401109876"
    assert data["prescription"]["verordnungsdatum"] == "2026-03-01"
    assert data["recommendation"] == {
        "continuation": "fortsetzen",
        "pause_weeks": None,
        "wiedervorstellung": False,
        "other_therapy": None,
        "setting": "Einzeltherapie",
        "frequency": None,
        "hausbesuch": False,
    }


def test_every_problem_with_pointer() -> None:
    data = copy.deepcopy(report_to_dict(report()))
    data["practice"]["ik"] = "401109877"
    del data["patient"]["birth_date"]
    data["prescription"]["behandlungseinheiten"] = "10"
    data["prescription"]["icd10_codes"] = ["F80.1", "nonsense"]
    data["recommendation"]["continuation"] = "weiter"
    data["created"] = "04.05.2026"
    data["extra"] = 1
    with pytest.raises(FormatError) as exc:
        report_from_dict(data)
    found = {(p.code, p.location.pointer) for p in exc.value.problems}
    assert found == {
        ("therapy.form.unknown_field", "/extra"),
        ("therapy.form.date", "/created"),
        ("therapy.ik.invalid", "/practice/ik"),
        ("therapy.form.missing", "/patient/birth_date"),
        ("therapy.form.type", "/prescription/behandlungseinheiten"),
        ("therapy.form.enum", "/recommendation/continuation"),
    }


def test_model_problems_inside_a_buildable_part_are_relocated() -> None:
    data = report_to_dict(report())
    data["prescription"]["icd10_codes"] = ["F80.1", "nonsense"]
    with pytest.raises(FormatError) as exc:
        report_from_dict(data)
    assert [(p.code, p.location.pointer) for p in exc.value.problems] == [
        ("therapy.icd10.invalid", "/prescription/icd10_codes/1")
    ]


@pytest.mark.parametrize("value", [None, [], "x", 3, {}, {"form": "other"}])
def test_wrong_shapes_are_format_errors(value: object) -> None:
    with pytest.raises(FormatError) as exc:
        report_from_dict(value)
    assert all(p.code.startswith("therapy.") for p in exc.value.problems)


def test_booleans_are_not_integers() -> None:
    data = report_to_dict(report())
    data["prescription"]["behandlungseinheiten"] = True
    with pytest.raises(FormatError) as exc:
        report_from_dict(data)
    assert exc.value.problems[0].code == "therapy.form.type"
