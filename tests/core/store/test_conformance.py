"""What every store backend must do (the conformance suite; see docs/store.md).

Each test runs on SQLite and on PostgreSQL (``conftest.py``), and on a hospital's own URL when
``LEPORTAL_TEST_STORE_URL`` is set.
"""

from __future__ import annotations

import datetime

import pytest

from leportal_core.cases import CaseStore, Pruefanzeige, Pruefgegenstand, Unterlagenanforderung
from leportal_core.cases.aggregates import Begehungsliste
from leportal_core.errors import StorageError, ValidationError
from leportal_core.secondfactor import (
    Keyring,
    ManualClock,
    Outcome,
    SealingKey,
    SecondFactorStore,
    ThrottlePolicy,
    TotpPolicy,
)
from leportal_core.store import Component, Tx, open_store

from ..cases.conftest import opened

NOW = datetime.datetime(2026, 3, 30, 9, 0, tzinfo=datetime.UTC)
START = 1_800_000_000.0
SUITE = Component(
    name="suite",
    migrations=(
        "CREATE TABLE suite_items (name VARCHAR(40) PRIMARY KEY, amount INTEGER NOT NULL);",
        "ALTER TABLE suite_items ADD COLUMN note VARCHAR(200);",
    ),
)


def test_a_missing_store_is_refused_not_made(store_url: str) -> None:
    with pytest.raises(StorageError) as caught:
        open_store(store_url)
    assert caught.value.code in {"store.missing", "store.empty"}


def test_create_then_open_and_migrate_once(store_url: str) -> None:
    with open_store(store_url, create=True) as store:
        store.ensure(SUITE)
        assert store.schema_version("suite") == 2
        with store.transaction() as tx:
            tx.execute("INSERT INTO suite_items (name, amount, note) VALUES ('a', 1, 'n')")
    with open_store(store_url) as store:
        store.ensure(SUITE)  # up to date: nothing runs again (a re-run CREATE TABLE would fail)
        with store.transaction(write=False) as tx:
            assert tx.all("SELECT name, amount, note FROM suite_items") == [("a", 1, "n")]


def test_a_newer_schema_is_refused(store_url: str) -> None:
    with open_store(store_url, create=True) as store:
        store.ensure(SUITE)
        older = Component(name="suite", migrations=SUITE.migrations[:1])
        fresh = open_store(store_url)
        try:
            with pytest.raises(StorageError) as caught:
                fresh.ensure(older)
        finally:
            fresh.close()
    assert caught.value.code == "store.newer"


def test_a_failed_transaction_leaves_nothing(store_url: str) -> None:
    with open_store(store_url, create=True) as store:
        store.ensure(SUITE)

        def half(tx: Tx) -> None:
            tx.execute("INSERT INTO suite_items (name, amount) VALUES ('x', 1)")
            raise RuntimeError("between two writes")

        with pytest.raises(RuntimeError):
            store.run(half)

        def twice(tx: Tx) -> None:
            tx.execute("INSERT INTO suite_items (name, amount) VALUES ('y', 1)")
            tx.execute("INSERT INTO suite_items (name, amount) VALUES ('y', 2)")

        with pytest.raises(StorageError) as caught:  # a constraint failure: the engine's error
            store.run(twice)
        assert caught.value.code == "store.failed"
        with store.transaction(write=False) as tx:
            assert tx.all("SELECT name FROM suite_items") == []


def test_unstorable_text_is_a_validation_error(store_url: str) -> None:
    with open_store(store_url, create=True) as store:
        store.ensure(SUITE)
        with pytest.raises(ValidationError) as caught:
            store.run(
                lambda tx: tx.execute(
                    "INSERT INTO suite_items (name, amount) VALUES (:name, 1)", {"name": "a\ud800"}
                )
            )
    assert caught.value.code == "store.text.unencodable"


def test_second_factor_round_trip(store_url: str) -> None:
    clock = ManualClock(START)
    keyring = Keyring(SealingKey(material=bytes(range(32))))
    factor = SecondFactorStore.open(
        store_url, keyring=keyring, clock=clock, create=True, throttle=ThrottlePolicy()
    )
    try:
        enrolment = factor.enroll("anna", issuer="Klinikum")
        code = TotpPolicy().code(enrolment.secret, clock())
        assert factor.confirm("anna", code).outcome is Outcome.ACCEPTED
        assert factor.verify("anna", code).outcome is Outcome.REPLAYED
        clock.advance(30)
        wrong = "000000" if TotpPolicy().code(enrolment.secret, clock()) != "000000" else "111111"
        assert factor.verify("anna", wrong).outcome is Outcome.WRONG
        assert factor.load_throttle("anna", "totp").failures == 1
        assert factor.verify("anna", TotpPolicy().code(enrolment.secret, clock())).accepted
        assert factor.load_throttle("anna", "totp").failures == 0
        factor.save_machine_seed("portal", b"12345678901234567890")
        assert factor.claim_machine_step("portal", 2**40)  # steps beyond 32 bits
        assert not factor.claim_machine_step("portal", 2**40)
        assert factor.machine_seed("portal").last_step == 2**40
        assert factor.revoke("anna")
        assert factor.status("anna") is None
    finally:
        factor.close()


def test_cases_round_trip(store_url: str) -> None:
    with CaseStore(store_url, clock=lambda: NOW, create=True) as cases:
        event = cases.open_case(opened(), actor="kis", case_id="case-1", event_id="e-1")
        assert cases.open_case(opened(), actor="kis", case_id="case-1", event_id="e-1") == event
        cases.record(
            "case-1",
            Pruefanzeige(
                received=datetime.date(2026, 2, 2),
                items=(Pruefgegenstand.KP000,),
                md_reference="MD-7",
            ),
            actor="mc",
        )
        for n in range(3):
            cases.record(
                "case-1",
                Unterlagenanforderung(received=datetime.date(2026, 2, 9), items=(f"Teil {n}",)),
                actor="mc",
            )
        assert cases.find("MD-7") == ["case-1"]
        assert cases.view("case-1").sequence == 5
        today = datetime.date(2026, 2, 10)
        total = cases.count_due_within(3000, today=today)
        first, rest = (
            cases.due_within(3000, today=today, limit=2),
            cases.due_within(3000, today=today, offset=2),
        )
        assert len(first) == 2
        assert len(first) + len(rest) == total >= 3
        item = Begehungsliste(
            hospital_ik="260326822",
            received=datetime.date(2026, 3, 1),
            audit_date=datetime.date(2026, 5, 4),
            items=("Intensivstation",),
        )
        cases.save_begehungsliste(item, item_id="b-1")
        cases.save_begehungsliste(item, item_id="b-1")  # the same id replaces
        assert [name for name, _ in cases.begehungslisten()] == ["b-1"]
    with CaseStore(store_url, clock=lambda: NOW) as again:  # reopened: all of it is there
        assert [e.sequence for e in again.events("case-1")] == [1, 2, 3, 4, 5]


def test_components_share_one_store(store_url: str) -> None:
    keyring = Keyring(SealingKey(material=bytes(range(32))))
    with open_store(store_url, create=True, clock=lambda: NOW) as store:
        cases = CaseStore(store)
        factor = SecondFactorStore(store, keyring=keyring)
        cases.open_case(opened(), actor="kis", case_id="case-1")
        factor.enroll("anna", issuer="Klinikum")
        assert factor.clock() == NOW.timestamp()  # the store's one clock
        cases.close()
        factor.close()  # a shared store stays open
        assert store.schema_version("cases") == 2
        assert store.schema_version("secondfactor") == 1


def test_a_serialisation_failure_is_retried(store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("SQLite takes the write lock first (BEGIN IMMEDIATE): it never reports one")
    attempts: list[int] = []

    def flaky(tx: Tx) -> int:
        attempts.append(1)
        tx.execute(
            "INSERT INTO suite_items (name, amount) VALUES (:n, 1)", {"n": str(len(attempts))}
        )
        if len(attempts) < 3:  # what PostgreSQL raises when a concurrent writer won
            tx.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'test' USING ERRCODE = 'serialization_failure'; END $$"
            )
        return len(attempts)

    with open_store(store_url, create=True) as store:
        store.ensure(SUITE)
        assert store.run(flaky) == 3
        with store.transaction(write=False) as tx:  # the failed attempts left nothing
            assert tx.all("SELECT name FROM suite_items") == [("3",)]
        with pytest.raises(StorageError) as caught, store.transaction() as tx:  # one attempt
            tx.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'serialization_failure'; END $$"
            )
    assert caught.value.code == "store.conflict"
