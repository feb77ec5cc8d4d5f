from __future__ import annotations

import pytest

from leportal_core.errors import (
    FormatError,
    InvalidChecksum,
    InvalidIdentifier,
    LeportalError,
    Location,
    Problem,
    Severity,
    ValidationError,
)


def test_problem_codes_must_be_dotted_lower_case() -> None:
    with pytest.raises(ValueError, match="dotted lower case"):
        Problem(code="Bad Code", message="x")
    with pytest.raises(ValueError, match="dotted lower case"):
        Problem(code="nodot", message="x")


def test_problem_as_dict_includes_only_set_location_fields() -> None:
    problem = Problem(
        code="ik.checksum",
        message="check digit is 3, expected 2",
        location=Location(field="ik", offset=8),
    )
    assert problem.as_dict() == {
        "code": "ik.checksum",
        "message": "check digit is 3, expected 2",
        "severity": "error",
        "location": {"field": "ik", "offset": 8},
    }
    assert "field ik" in str(problem)
    assert "byte 8" in str(problem)


def test_error_without_problems_gets_its_class_default_code() -> None:
    assert FormatError("broken").code == "format.invalid"
    assert LeportalError("x").problems[0].message == "x"


def test_error_keeps_all_problems_and_reports_first_code() -> None:
    problems = [
        Problem(code="a.b", message="one"),
        Problem(code="c.d", message="two", severity=Severity.WARNING),
    ]
    error = ValidationError("two findings", problems)
    assert error.code == "a.b"
    assert [p.code for p in error.problems] == ["a.b", "c.d"]
    assert "one" in str(error)
    assert "two" in str(error)


def test_hierarchy_lets_callers_catch_broadly() -> None:
    assert issubclass(InvalidChecksum, InvalidIdentifier)
    assert issubclass(InvalidIdentifier, ValidationError)
    assert issubclass(FormatError, ValidationError)
    assert issubclass(ValidationError, LeportalError)


def test_location_rejects_negative_positions() -> None:
    with pytest.raises(ValueError, match="line"):
        Location(line=-1)
