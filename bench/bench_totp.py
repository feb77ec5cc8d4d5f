"""Verifications per second: leportal's TOTP verifier next to pyotp and raw ``hmac.digest``.

    python bench/bench_totp.py            # default run (well under a minute)
    python bench/bench_totp.py --quick    # smaller numbers, a few seconds

Rows (all SHA1, 6 digits, 30 s, current code, accepted):
* ``hmac.digest`` — one raw HMAC-SHA1 of an 8-byte counter: the floor, no TOTP logic at all;
* ``pyotp.TOTP.verify(valid_window=1)`` — pyotp's plain check: no replay, no throttle, no state;
* ``leportal MemoryVerifier`` — window, single use (last step kept), throttle and lock checks;
* ``leportal SecondFactorStore`` — the same on a real SQLite file: unseal (AES-GCM), judge and
  commit the new last step in one ``BEGIN IMMEDIATE`` transaction, once with ``synchronous=FULL``
  (an fsync per attempt: the figure is the disk's fsync rate) and once with ``NORMAL`` (WAL).

Each accepted code is a new step for its account (as in real use; a repeated code would be a
replay), so the codes are computed beforehand and only verification is timed.
"""

from __future__ import annotations

import argparse
import hmac
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pyotp

from leportal_core.secondfactor import (
    Keyring,
    ManualClock,
    MemoryVerifier,
    SealingKey,
    SecondFactorStore,
    TotpPolicy,
    encode_secret,
)

START = 1_800_000_000.0
POLICY = TotpPolicy()


def timed(run: Callable[[], int]) -> tuple[int, float]:
    began = time.perf_counter()
    count = run()
    return count, time.perf_counter() - began


def workload(accounts: int, rounds: int) -> tuple[dict[str, bytes], list[tuple[float, str, str]]]:
    secrets = {f"user{n}": bytes([n % 256]) * 20 for n in range(accounts)}
    attempts = []
    for r in range(rounds):
        at = START + 30 * r + 7
        for name, secret in secrets.items():
            attempts.append((at, name, POLICY.code(secret, at)))
    return secrets, attempts


def bench_hmac(count: int) -> int:
    key = b"12345678901234567890"
    for counter in range(count):
        hmac.digest(key, counter.to_bytes(8, "big"), "sha1")
    return count


def bench_pyotp(secrets: dict[str, bytes], attempts: list[tuple[float, str, str]]) -> int:
    totps = {name: pyotp.TOTP(encode_secret(secret)) for name, secret in secrets.items()}
    ok = 0
    for at, name, code in attempts:
        ok += totps[name].verify(code, for_time=at, valid_window=1)
    assert ok == len(attempts)
    return ok


def bench_memory(secrets: dict[str, bytes], attempts: list[tuple[float, str, str]]) -> int:
    clock = ManualClock(START)
    verifier = MemoryVerifier(clock=clock)
    for name, secret in secrets.items():
        verifier.add(name, secret)

    def run() -> int:
        ok = 0
        for at, name, code in attempts:
            clock.now = at
            ok += verifier.verify(name, code).accepted
        return ok

    count, _ = 0, None
    count = run()
    assert count == len(attempts)
    return count


def prepare_store(
    folder: Path, secrets: dict[str, bytes], synchronous: Literal["FULL", "NORMAL"]
) -> tuple[SecondFactorStore, ManualClock]:
    clock = ManualClock(START - 3600)
    store = SecondFactorStore.open(
        folder / f"bench-{synchronous}.sqlite",
        keyring=Keyring(SealingKey.generate()),
        clock=clock,
        synchronous=synchronous,
        create=True,
    )
    for name, secret in secrets.items():
        enrolment = store.enroll(name, issuer="bench")
        # Replace the random seed by the workload's seed through the public sealing API.
        sealed = store.keyring.seal(secret, account=name)
        store.connection.execute(
            "UPDATE secondfactor_account SET sealed = ?, key_id = ?, status = 'active' "
            "WHERE account = ?",
            (sealed.blob, sealed.key_id, enrolment.account),
        )
    return store, clock


def timed_store(
    folder: Path,
    secrets: dict[str, bytes],
    attempts: list[tuple[float, str, str]],
    synchronous: Literal["FULL", "NORMAL"],
) -> tuple[int, float]:
    store, clock = prepare_store(folder, secrets, synchronous)

    def run() -> int:
        ok = 0
        for at, name, code in attempts:
            clock.now = at
            ok += store.verify(name, code).accepted
        assert ok == len(attempts)
        return ok

    try:
        return timed(run)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (a few seconds)")
    parser.add_argument("--folder", help="where the store file goes (default: the temp dir)")
    args = parser.parse_args()
    accounts, rounds, store_rounds = (50, 20, 5) if args.quick else (200, 100, 20)

    secrets, attempts = workload(accounts, rounds)
    _, store_attempts = workload(accounts, store_rounds)
    results: list[tuple[str, int, float]] = []
    n, seconds = timed(lambda: bench_hmac(len(attempts)))
    results.append(("hmac.digest (1 HMAC-SHA1, the floor)", n, seconds))
    n, seconds = timed(lambda: bench_pyotp(secrets, attempts))
    results.append(("pyotp.TOTP.verify(valid_window=1)", n, seconds))
    n, seconds = timed(lambda: bench_memory(secrets, attempts))
    results.append(("leportal MemoryVerifier (replay+throttle)", n, seconds))
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        for synchronous in ("FULL", "NORMAL"):
            n, seconds = timed_store(Path(folder), secrets, store_attempts, synchronous)
            results.append((f"leportal SecondFactorStore (SQLite, {synchronous})", n, seconds))

    pyotp_rate = results[1][1] / results[1][2]
    print(
        f"{'implementation':44} {'verifications':>13} {'per second':>12} {'µs each':>9} {'vs pyotp':>9}"
    )
    for name, count, seconds in results:
        rate = count / seconds
        print(f"{name:44} {count:13,d} {rate:12,.0f} {1e6 / rate:9.2f} {rate / pyotp_rate:8.2f}×")
    memory_rate = results[2][1] / results[2][2]
    full_rate = results[3][1] / results[3][2]
    normal_rate = results[4][1] / results[4][2]
    print(
        f"\nin-memory vs pyotp: {memory_rate / pyotp_rate:.2f}× (target > 1); "
        f"SQLite: {full_rate:,.0f}/s with an fsync per attempt, {normal_rate:,.0f}/s without "
        f"(target > 5,000/s); "
        f"hmac floor vs in-memory: {results[0][1] / results[0][2] / memory_rate:.1f}×"
    )


if __name__ == "__main__":
    main()
