"""Small helpers that collect problems while a case object is validated on construction."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from leportal_core.errors import CaseValidationError, InvalidIdentifier, Location, Problem

__all__ = ["CaseValidationError", "Checker"]


class Checker:
    """Collects problems; :meth:`done` raises them all at once."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, field: str) -> None:
        self.problems.append(Problem(code=code, message=message, location=Location(field=field)))

    def text(self, value: object, field: str, *, required: bool = True, max_len: int = 200) -> None:
        if not isinstance(value, str):
            self.add("cases.field.type", f"{field} must be text", field)
        elif required and not value.strip():
            self.add("cases.field.missing", f"{field} must not be empty", field)
        elif len(value) > max_len or any(ord(c) < 32 for c in value):
            self.add(
                "cases.field.format",
                f"{field} must be at most {max_len} printable characters",
                field,
            )

    def date(self, value: object, field: str) -> None:
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            self.add("cases.field.type", f"{field} must be a date", field)

    def identifier(self, value: object, validate: Callable[[str], str], field: str) -> None:
        if not isinstance(value, str):
            self.add("cases.field.type", f"{field} must be text", field)
            return
        try:
            if validate(value) != value:
                self.add("cases.field.format", f"{field} must be given in compact form", field)
        except InvalidIdentifier as exc:
            for problem in exc.problems:
                self.problems.append(
                    Problem(
                        code=problem.code, message=problem.message, location=Location(field=field)
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
