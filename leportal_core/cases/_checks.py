"""Small helpers that collect problems while a case object is validated on construction."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from leportal_core.errors import Location, Problem, ValidationError
from leportal_core.validation import date_problems, identifier_problems, text_problems

__all__ = ["CaseValidationError", "Checker"]


class CaseValidationError(ValidationError):
    """An audit case, one of its steps or an aggregate was rejected; ``problems`` says why."""

    default_code = "cases.invalid"


class Checker:
    """Collects problems; :meth:`done` raises them all at once."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, field: str) -> None:
        self.problems.append(Problem(code=code, message=message, location=Location(field=field)))

    def text(self, value: object, field: str, *, required: bool = True, max_len: int = 200) -> None:
        self.problems.extend(
            text_problems(
                value,
                "cases.field",
                label=field,
                location=Location(field=field),
                max_length=max_len,
                required=required,
            )
        )

    def date(self, value: object, field: str) -> None:
        self.problems.extend(
            date_problems(value, "cases.field.type", label=field, location=Location(field=field))
        )

    def identifier(self, value: object, validate: Callable[[str], str], field: str) -> None:
        if not isinstance(value, str):
            self.add("cases.field.type", f"{field} must be text", field)
            return
        self.problems.extend(
            identifier_problems(
                value, validate, "cases.field.format", label=field, location=Location(field=field)
            )
        )

    def order(self, first: object, second: object, field: str, message: str) -> None:
        if (
            isinstance(first, datetime.date)
            and isinstance(second, datetime.date)
            and second < first
        ):
            self.add("cases.date.order", message, field)

    def done(self) -> None:
        if self.problems:
            raise CaseValidationError(f"invalid {self.what}", self.problems)
