"""TOTP verification: leportal's in-memory verifier against ``pyotp.TOTP.verify(valid_window=1)``.

    python bench/bench_totp.py            # default run (well under a minute)
    python bench/bench_totp.py --quick    # smaller numbers, a few seconds

The ratio of issue 19 is ``leportal MemoryVerifier`` verifications per CPU second divided by
pyotp's (higher is better). Both check the same accepted codes (SHA1, 6 digits, 30 s); pyotp does a
plain check (no replay, no throttle, no state), leportal adds the window, single use (last step
kept), throttle and lock checks and constant work. Each accepted code is a new step for its
account (as in real use; a repeated code would be a replay), so the codes are computed beforehand
and only verification is timed. CPU time (``time.process_time``), contenders interleaved, minimum
of the repeats. Raw ``hmac.digest`` (the floor) and the SQLite store are printed for context.
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
Attempts = list[tuple[float, str, str]]


def workload(accounts: int, rounds: int) -> tuple[dict[str, bytes], Attempts]:
    secrets = {f"user{n}": bytes([n % 256]) * 20 for n in range(accounts)}
    attempts = []
    for r in range(rounds):
        at = START + 30 * r + 7
        for name, secret in secrets.items():
            attempts.append((at, name, POLICY.code(secret, at)))
    return secrets, attempts


def cpu(run: Callable[[], int]) -> float:
    """CPU seconds of one run (its setup is done by the caller, outside)."""
    began = time.process_time()
    run()
    return time.process_time() - began


def hmac_run(count: int) -> Callable[[], int]:
    key = b"12345678901234567890"

    def run() -> int:
        for counter in range(count):
            hmac.digest(key, counter.to_bytes(8, "big"), "sha1")
        return count

    return run


def pyotp_run(secrets: dict[str, bytes], attempts: Attempts) -> Callable[[], int]:
    totps = {name: pyotp.TOTP(encode_secret(secret)) for name, secret in secrets.items()}

    def run() -> int:
        ok = 0
        for at, name, code in attempts:
            ok += totps[name].verify(code, for_time=at, valid_window=1)
        assert ok == len(attempts)
        return ok

    return run


def memory_run(secrets: dict[str, bytes], attempts: Attempts) -> Callable[[], int]:
    clock = ManualClock(START)
    verifier = MemoryVerifier(clock=clock)
    for name, secret in secrets.items():
        verifier.add(name, secret)

    def run() -> int:
        ok = 0
        for at, name, code in attempts:
            clock.now = at
            ok += verifier.verify(name, code).accepted
        assert ok == len(attempts)
        return ok

    return run


def store_rate(
    folder: Path,
    secrets: dict[str, bytes],
    attempts: Attempts,
    synchronous: Literal["FULL", "NORMAL"],
) -> float:
    clock = ManualClock(START - 3600)
    store = SecondFactorStore.open(
        folder / f"bench-{synchronous}.sqlite",
        keyring=Keyring(SealingKey.generate()),
        clock=clock,
        synchronous=synchronous,
        create=True,
    )
    try:
        for name, secret in secrets.items():
            enrolment = store.enroll(name, issuer="bench")
            # Replace the random seed by the workload's seed through the public sealing API.
            sealed = store.keyring.seal(secret, account=name)
            store.connection.execute(
                "UPDATE secondfactor_account SET sealed = ?, key_id = ?, status = 'active' "
                "WHERE account = ?",
                (sealed.blob, sealed.key_id, enrolment.account),
            )

        def run() -> int:
            ok = 0
            for at, name, code in attempts:
                clock.now = at
                ok += store.verify(name, code).accepted
            assert ok == len(attempts)
            return ok

        return len(attempts) / cpu(run)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (a few seconds)")
    parser.add_argument("--folder", help="where the store file goes (default: the temp dir)")
    parser.add_argument("--skip-store", action="store_true", help="leave out the SQLite rows")
    args = parser.parse_args()
    accounts, rounds, repeats, store_rounds = (50, 20, 5, 3) if args.quick else (200, 50, 9, 10)

    secrets, attempts = workload(accounts, rounds)
    best = {"hmac": float("inf"), "pyotp": float("inf"), "leportal": float("inf")}
    for _ in range(repeats):  # interleaved: every repeat runs each contender once
        best["pyotp"] = min(best["pyotp"], cpu(pyotp_run(secrets, attempts)))
        best["leportal"] = min(best["leportal"], cpu(memory_run(secrets, attempts)))
        best["hmac"] = min(best["hmac"], cpu(hmac_run(len(attempts))))
    rates = {name: len(attempts) / seconds for name, seconds in best.items()}

    print(f"{len(attempts):,} accepted codes, minimum CPU time of {repeats} interleaved repeats")
    print(f"{'implementation':44} {'per CPU second':>15} {'µs each':>9}")
    rows = [
        ("hmac.digest (1 HMAC-SHA1, the floor)", rates["hmac"]),
        ("pyotp.TOTP.verify(valid_window=1)", rates["pyotp"]),
        ("leportal MemoryVerifier (replay+throttle)", rates["leportal"]),
    ]
    if not args.skip_store:
        _, store_attempts = workload(accounts, store_rounds)
        with tempfile.TemporaryDirectory(dir=args.folder) as folder:
            for synchronous in ("FULL", "NORMAL"):
                rate = store_rate(Path(folder), secrets, store_attempts, synchronous)
                rows.append((f"leportal SecondFactorStore (SQLite, {synchronous})", rate))
    for name, rate in rows:
        print(f"{name:44} {rate:15,.0f} {1e6 / rate:9.2f}")
    print(
        f"\nratio TOTP in-memory verifier vs pyotp.TOTP.verify(valid_window=1): "
        f"{rates['leportal'] / rates['pyotp']:.2f}× (target ≥ 1.7×)"
    )


if __name__ == "__main__":
    main()
