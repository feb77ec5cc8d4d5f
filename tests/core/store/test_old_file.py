"""A store file written by the raw-sqlite3 code before issue 18 opens through the new layer,
in place: its data stays, its schema versions are read from the same table, and it is writable
(fixture: ../store_data/README.md)."""

from __future__ import annotations

import datetime
import shutil
import sqlite3
from pathlib import Path

import pyotp

from leportal_core.cases import CaseStore, Unterlagenanforderung
from leportal_core.secondfactor import Keyring, ManualClock, Outcome, SealingKey, SecondFactorStore
from leportal_core.store import open_store

FIXTURE = Path(__file__).parent.parent / "store_data" / "store-5d11ea0.sqlite"
SEED = "KHYPALGSHQJCIXQAT6XUKT3R66JN6PY3"
START = 1_800_000_000.0
NOW = datetime.datetime(2026, 3, 30, 9, 0, tzinfo=datetime.UTC)


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, target)
    return target


def test_the_fixture_is_an_old_raw_store(tmp_path: Path) -> None:
    raw = sqlite3.connect(_copy(tmp_path))
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # never opened by us
    assert raw.execute("SELECT * FROM leportal_schema ORDER BY 1").fetchall() == [
        ("cases", 2),
        ("secondfactor", 1),
    ]
    raw.close()


def test_second_factor_state_carries_over(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    clock = ManualClock(START)
    factor = SecondFactorStore.open(
        path, keyring=Keyring(SealingKey(material=bytes(range(32)))), clock=clock
    )
    try:
        code = pyotp.TOTP(SEED).at(int(START))
        assert factor.verify("alice", code).outcome is Outcome.REPLAYED  # its step was used
        clock.advance(30)
        assert factor.verify("alice", pyotp.TOTP(SEED).at(int(clock()))).accepted
        assert factor.status("bob") == "pending"
        assert factor.machine_seed("portal").secret == b"12345678901234567890"
    finally:
        factor.close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # the store's settings
    raw.close()


def test_cases_carry_over_and_take_new_events(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    with CaseStore(path, clock=lambda: NOW) as cases:
        assert cases.find("MD-1") == ["case-1"]
        assert cases.view("case-1").sequence == 2
        cases.record(
            "case-1",
            Unterlagenanforderung(received=datetime.date(2026, 2, 9), items=("OP-Bericht",)),
            actor="new",
            expected_sequence=2,
        )
    with open_store(path) as store:
        assert store.schema_version("cases") == 2
        assert store.schema_version("secondfactor") == 1
