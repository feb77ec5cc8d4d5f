"""Shared builders for the audit-case tests."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from leportal_core.cases import CaseOpened, CaseStore, Stay
from leportal_core.deadlines import Bundesland

NOW = datetime.datetime(2026, 3, 30, 9, 0, tzinfo=datetime.UTC)


def opened(**changes: Any) -> CaseOpened:
    values: dict[str, Any] = {
        "case_number": "F-2026-000123",
        "hospital_ik": "260326822",
        "kasse_ik": "101575519",
        "kvnr": "A123456780",
        "stay": Stay(
            admitted=datetime.date(2026, 1, 5),
            discharged=datetime.date(2026, 1, 12),
            department="0300 Kardiologie",
        ),
        "state": Bundesland.HE,
        "invoice_number": "R-4711",
        "invoice_date": datetime.date(2026, 1, 15),
        "invoice_received": datetime.date(2026, 1, 19),
        "kasse_case_number": "KK-99",
    }
    values.update(changes)
    return CaseOpened(**values)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "cases.sqlite"


@pytest.fixture
def store(store_path: Path, clock: Clock) -> Any:
    with CaseStore(store_path, clock=clock, create=True) as opened_store:
        yield opened_store
