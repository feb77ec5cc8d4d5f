"""The SQLite-backed verifier: enrolment life cycle, locks, sealing, rotation, two processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pyotp
import pytest

from leportal_core.secondfactor import (
    EnrolmentError,
    Keyring,
    ManualClock,
    Outcome,
    SealError,
    SealingKey,
    SecondFactorStore,
    ThrottlePolicy,
    TotpPolicy,
    encode_secret,
)

from .conftest import START

ACCOUNT = "anna@klinik.example"


def active(store: SecondFactorStore, clock: ManualClock, account: str = ACCOUNT) -> bytes:
    enrolment = store.enroll(account, issuer="LE-Portal")
    assert store.confirm(account, enrolment.policy.code(enrolment.secret, clock())).accepted
    clock.advance(30)
    return enrolment.secret


def test_enrolment_is_pending_until_confirmed(store: SecondFactorStore, clock: ManualClock) -> None:
    enrolment = store.enroll(ACCOUNT, issuer="LE-Portal")
    assert store.status(ACCOUNT) == "pending"
    code = enrolment.policy.code(enrolment.secret, clock())
    assert store.verify(ACCOUNT, code).outcome is Outcome.NOT_ENROLLED
    assert store.confirm(ACCOUNT, code).accepted
    assert store.status(ACCOUNT) == "active"
    with pytest.raises(EnrolmentError) as caught:
        store.confirm(ACCOUNT, code)
    assert caught.value.code == "secondfactor.enrolment.state"
    # The confirming code is spent: it cannot also log in.
    assert store.verify(ACCOUNT, code).outcome is Outcome.REPLAYED


def test_enrolment_uri_loads_in_pyotp(store: SecondFactorStore, clock: ManualClock) -> None:
    enrolment = store.enroll("dr. müller:station 3", issuer="Klinikum Beispiel")
    parsed = pyotp.parse_uri(enrolment.uri)
    assert isinstance(parsed, pyotp.TOTP)
    assert parsed.name == "dr. müller:station 3"
    assert parsed.issuer == "Klinikum Beispiel"
    assert parsed.byte_secret() == enrolment.secret
    assert len(enrolment.secret) * 8 >= 160
    assert enrolment.uri not in repr(enrolment)
    assert encode_secret(enrolment.secret) not in repr(enrolment)


def test_confirm_with_wrong_code_stays_pending(store: SecondFactorStore) -> None:
    store.enroll(ACCOUNT, issuer="LE-Portal")
    assert store.confirm(ACCOUNT, "12345").outcome is Outcome.MALFORMED
    assert store.status(ACCOUNT) == "pending"


def test_active_factor_not_replaced_silently(store: SecondFactorStore, clock: ManualClock) -> None:
    active(store, clock)
    with pytest.raises(EnrolmentError) as caught:
        store.enroll(ACCOUNT, issuer="LE-Portal")
    assert caught.value.code == "secondfactor.enrolment.exists"
    store.enroll(ACCOUNT, issuer="LE-Portal", replace=True)
    assert store.status(ACCOUNT) == "pending"


def test_verify_and_replay(store: SecondFactorStore, clock: ManualClock) -> None:
    secret = active(store, clock)
    code = TotpPolicy().code(secret, clock())
    assert store.verify(ACCOUNT, code).accepted
    assert store.verify(ACCOUNT, code).outcome is Outcome.REPLAYED
    clock.advance(60)
    assert store.verify(ACCOUNT, code).outcome is Outcome.WRONG  # two steps old now


def test_state_survives_reopening(
    store_path: Path, keyring: Keyring, store: SecondFactorStore, clock: ManualClock
) -> None:
    secret = active(store, clock)
    code = TotpPolicy().code(secret, clock())
    assert store.verify(ACCOUNT, code).accepted
    again = SecondFactorStore.open(store_path, keyring=keyring, clock=clock)
    try:
        assert again.verify(ACCOUNT, code).outcome is Outcome.REPLAYED
    finally:
        again.close()


def test_lock_unlock_and_revoke(store_path: Path, keyring: Keyring, clock: ManualClock) -> None:
    store = SecondFactorStore.open(
        store_path,
        keyring=keyring,
        clock=clock,
        throttle=ThrottlePolicy(max_failures=3),
        create=True,
    )
    secret = active(store, clock)
    right = TotpPolicy().code(secret, clock())
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(3):
        assert store.verify(ACCOUNT, wrong).outcome is Outcome.WRONG
        clock.advance(1)
    assert store.verify(ACCOUNT, right).outcome is Outcome.LOCKED
    # Revoking and re-enrolling does not lift the lock; only the administrator does.
    assert store.revoke(ACCOUNT)
    assert store.status(ACCOUNT) is None
    assert not store.revoke(ACCOUNT)
    enrolment = store.enroll(ACCOUNT, issuer="LE-Portal")
    first = enrolment.policy.code(enrolment.secret, clock())
    assert store.confirm(ACCOUNT, first).outcome is Outcome.LOCKED
    store.unlock(ACCOUNT)
    assert store.load_throttle(ACCOUNT, "totp").failures == 0
    assert store.confirm(ACCOUNT, first).accepted
    store.close()


def test_sealed_seed_moved_to_another_account_fails(
    store: SecondFactorStore, clock: ManualClock
) -> None:
    active(store, clock, "anna")
    active(store, clock, "bernd")
    with store.transaction() as tx:
        tx.execute(
            "UPDATE secondfactor_account SET sealed = "
            "(SELECT sealed FROM secondfactor_account WHERE account = 'anna') "
            "WHERE account = 'bernd'"
        )
    with pytest.raises(SealError) as caught:
        store.verify("bernd", "123456")
    assert caught.value.code == "secondfactor.seal.failed"
    assert store.verify("anna", "123456").outcome in {Outcome.WRONG, Outcome.ACCEPTED}


def test_seed_is_not_stored_in_clear(store: SecondFactorStore, store_path: Path) -> None:
    enrolment = store.enroll(ACCOUNT, issuer="LE-Portal")
    connection = sqlite3.connect(store_path)
    connection.execute("PRAGMA wal_checkpoint(FULL)")
    connection.close()
    assert enrolment.secret not in store_path.read_bytes()


def test_key_rotation_without_downtime(store_path: Path, clock: ManualClock) -> None:
    old, new = SealingKey.generate(), SealingKey.generate()
    before = SecondFactorStore.open(store_path, keyring=Keyring(old), clock=clock, create=True)
    secrets = {name: active(before, clock, name) for name in ("a", "b", "c")}
    during = SecondFactorStore.open(store_path, keyring=Keyring(new, [old]), clock=clock)
    assert during.rotate_keys(batch=2) == 3
    assert during.rotate_keys() == 0  # idempotent
    # A process still holding only the old key fails loudly, not silently.
    with pytest.raises(SealError) as caught:
        before.verify("a", "123456")
    assert caught.value.code == "secondfactor.seal.unknown_key"
    after = SecondFactorStore.open(store_path, keyring=Keyring(new), clock=clock)
    for name, secret in secrets.items():
        assert after.verify(name, TotpPolicy().code(secret, clock())).accepted
    for opened in (before, during, after):
        opened.close()


def test_unknown_newer_schema_refused(store_path: Path, keyring: Keyring) -> None:
    connection = sqlite3.connect(store_path)
    connection.execute(
        "CREATE TABLE leportal_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )
    connection.execute("INSERT INTO leportal_schema VALUES ('secondfactor', 99)")
    connection.commit()
    connection.close()
    from leportal_core.errors import StorageError

    with pytest.raises(StorageError) as caught:
        SecondFactorStore.open(store_path, keyring=keyring)
    assert caught.value.code == "store.newer"


def test_two_processes_accept_a_code_at_most_once(
    store: SecondFactorStore, store_path: Path, key: SealingKey, clock: ManualClock
) -> None:
    clock.now = START - 20 * 30  # enrol well before the race so every raced step is fresh
    secret = active(store, clock)
    now = START
    # Codes for successive steps, all judged at the same "now": each round is a fresh chance to
    # accept, and both processes try the same code at the same moment.
    policy = TotpPolicy(past_steps=10)
    store.close()
    codes = [policy.code(secret, now - 30 * back) for back in range(9, -1, -1)]
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(2), context.Queue()
    workers = [
        context.Process(
            target=_race_wide, args=(str(store_path), key.to_text(), now, codes, barrier, out)
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    for first, second in zip(*results, strict=True):
        assert sorted([first, second]) == ["accepted", "replayed"]


def _race_wide(
    path: str, key_text: str, at: float, codes: list[str], barrier: object, out: object
) -> None:
    store = SecondFactorStore.open(
        path, keyring=Keyring(SealingKey.from_text(key_text)), clock=lambda: at, past_steps=10
    )
    results = []
    for code in codes:
        barrier.wait()  # type: ignore[attr-defined]
        results.append(store.verify(ACCOUNT, code).outcome.value)
    store.close()
    out.put(results)  # type: ignore[attr-defined]


def test_start_time_is_a_step_boundary() -> None:
    assert START % 30 == 0


def test_store_paths_do_the_same_work(
    monkeypatch: pytest.MonkeyPatch, store_path: Path, keyring: Keyring, clock: ManualClock
) -> None:
    """Wrong, locked and unknown accounts: one decryption and the same HMACs each (counted)."""
    from leportal_core.secondfactor import verify as verify_module

    store = SecondFactorStore.open(
        store_path,
        keyring=keyring,
        clock=clock,
        throttle=ThrottlePolicy(max_failures=1),
        create=True,
    )
    active(store, clock)
    calls = {"open": 0, "hotp": 0}
    real_open, real_hotp = Keyring.open, verify_module.hotp  # type: ignore[attr-defined]

    def counted_open(self: Keyring, *args: object, **kwargs: object) -> bytes:
        calls["open"] += 1
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    def counted_hotp(*args: object, **kwargs: object) -> str:
        calls["hotp"] += 1
        return real_hotp(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Keyring, "open", counted_open)
    monkeypatch.setattr(verify_module, "hotp", counted_hotp)
    seen = {}
    for label, account, expected in [
        ("wrong", ACCOUNT, Outcome.MALFORMED),
        ("locked", ACCOUNT, Outcome.LOCKED),
        ("unknown", "nobody", Outcome.NOT_ENROLLED),
    ]:
        assert store.verify(account, "12345").outcome is expected
        seen[label] = dict(calls)
        calls.update(open=0, hotp=0)
    store.close()
    assert set(map(str, seen.values())) == {str({"open": 1, "hotp": 2})}, seen
