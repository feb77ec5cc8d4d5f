"""The store layer of issue 18 (SQLAlchemy 2 Core) against the raw ``sqlite3`` code it replaced.

    python bench/bench_store.py            # default run
    python bench/bench_store.py --quick    # smaller numbers, well under a minute

Same work through both: TOTP verifications of accepted codes (``SecondFactorStore.verify``, one
write transaction with FULL sync each), case event appends (``CaseStore.record``) and the
"due in 14 days" query. The old code path is a frozen copy in ``bench/legacy/`` (commit 5d11ea0).
Each contender gets its own fresh SQLite file; runs alternate (old first, then new first), the
best of the repeats counts. Printed: operations per wall second — for context only: on a shared
disk the fsync time of FULL sync varies tenfold between runs — and CPU microseconds per
operation; the ratio is old CPU / new CPU per operation, the new layer's speed relative to
today's (target ≥ 0.8; above 1 is faster). The NORMAL-sync TOTP row leaves out the fsync, so it
shows the layer's own cost. With a PostgreSQL server
(``LEPORTAL_TEST_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``) TOTP
verifications per second with 1 and 4 processes on the server are printed too (own schema,
dropped afterwards).
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.legacy

from bench.legacy import cases_store as old_cases
from bench.legacy import secondfactor_store as old_factor
from leportal_core.cases import (
    CaseOpened,
    CaseStore,
    Pruefanzeige,
    Pruefgegenstand,
    Stay,
    Unterlagenanforderung,
)
from leportal_core.deadlines import Bundesland
from leportal_core.secondfactor import (
    Keyring,
    ManualClock,
    SealingKey,
    SecondFactorStore,
    TotpPolicy,
)

START = 1_800_000_000.0
KEY = SealingKey(material=bytes(range(32)))
POLICY = TotpPolicy()
NOW = datetime.datetime(2026, 3, 30, 9, 0, tzinfo=datetime.UTC)
D = datetime.date


def timed(run: Callable[[], int]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, operations) of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    count = run()
    return time.perf_counter() - wall, time.process_time() - cpu, count


# -- TOTP ----------------------------------------------------------------------------------


def totp_run(factory: Any, path: str, accounts: int, rounds: int) -> Callable[[], int]:
    """Enrol ``accounts`` (not timed); the returned run verifies each one's code ``rounds`` times."""
    clock = ManualClock(START)
    store = factory(path, keyring=Keyring(KEY), clock=clock, create=True)
    secrets = {}
    for n in range(accounts):
        secret = store.enroll(f"user{n}", issuer="Bench").secret
        assert store.confirm(f"user{n}", POLICY.code(secret, START)).accepted
        secrets[f"user{n}"] = secret
    attempts = [
        (START + 30 * (r + 1), name, POLICY.code(secret, START + 30 * (r + 1)))
        for r in range(rounds)
        for name, secret in secrets.items()
    ]

    def run() -> int:
        for at, name, code in attempts:
            clock.now = at
            if not store.verify(name, code).accepted:
                raise AssertionError("a bench code was refused")
        store.close()
        return len(attempts)

    return run


def _new_factor(path: str, **kwargs: Any) -> SecondFactorStore:
    return SecondFactorStore.open(path, **kwargs)


def _old_factor(path: str, **kwargs: Any) -> Any:
    return old_factor.SecondFactorStore.open(path, **kwargs)


def _new_factor_normal(path: str, **kwargs: Any) -> SecondFactorStore:
    return SecondFactorStore.open(path, synchronous="NORMAL", **kwargs)


def _old_factor_normal(path: str, **kwargs: Any) -> Any:
    return old_factor.SecondFactorStore.open(path, synchronous="NORMAL", **kwargs)


# -- cases ---------------------------------------------------------------------------------


def _opened(n: int) -> CaseOpened:
    return CaseOpened(
        case_number=f"F-{n}",
        hospital_ik="260326822",
        kasse_ik="101575519",
        kvnr="A123456780",
        stay=Stay(admitted=D(2026, 1, 5), discharged=D(2026, 1, 12)),
        state=Bundesland.HE,
        invoice_number=f"R-{n}",
        invoice_date=D(2026, 1, 15),
        invoice_received=D(2026, 1, 19),
    )


def cases_run(kind: type, path: str, cases: int, appends: int) -> Callable[[], int]:
    store = kind(path, clock=lambda: NOW, create=True)
    for n in range(cases):
        store.open_case(_opened(n), actor="bench", case_id=f"case-{n}")
        store.record(
            f"case-{n}",
            Pruefanzeige(received=D(2026, 2, 2), items=(Pruefgegenstand.KP000,)),
            actor="bench",
        )

    def run() -> int:
        for a in range(appends):
            for n in range(cases):
                step = Unterlagenanforderung(received=D(2026, 2, 9), items=(f"Teil {a}",))
                store.record(f"case-{n}", step, actor="bench")
        store.close()
        return appends * cases

    return run


def due_run(kind: type, path: str, cases: int, queries: int) -> Callable[[], int]:
    store = kind(path, clock=lambda: NOW, create=True)
    for n in range(cases):
        store.open_case(_opened(n), actor="bench", case_id=f"case-{n}")

    def run() -> int:
        for _ in range(queries):
            store.due_within(14, today=D(2026, 2, 1), limit=50)
        store.close()
        return queries

    return run


# -- PostgreSQL ----------------------------------------------------------------------------


def _pg_worker(url: str, first: int, accounts: int, rounds: int, out: Any) -> None:
    clock = ManualClock(START)
    store = SecondFactorStore.open(url, keyring=Keyring(KEY), clock=clock)
    secret = bytes(20)
    attempts = [
        (START + 30 * (r + 1), f"user{first + n}", POLICY.code(secret, START + 30 * (r + 1)))
        for r in range(rounds)
        for n in range(accounts)
    ]
    began = time.perf_counter()
    for at, name, code in attempts:
        clock.now = at
        if not store.verify(name, code).accepted:
            raise AssertionError("refused")
    out.put((len(attempts), time.perf_counter() - began))
    store.close()


def postgres(rounds: int) -> list[tuple[str, float]]:
    try:
        import psycopg
    except ImportError:
        return []
    base = os.environ.get("LEPORTAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        admin = psycopg.connect(base, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        print(f"PostgreSQL: skipped ({str(exc).splitlines()[0]})")
        return []
    schema = f"leportal_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"
    rows = []
    try:
        accounts = 8
        setup = SecondFactorStore.open(
            url, keyring=Keyring(KEY), clock=ManualClock(START), create=True
        )
        # Each process verifies its own accounts (no contention: throughput, not a race).
        for n in range(accounts * 4):
            setup.enroll(f"user{n}", issuer="Bench")
        with setup.transaction() as tx:  # a known seed for every account (bench only)
            sealed = {
                f"user{n}": setup.keyring.seal(bytes(20), account=f"user{n}")
                for n in range(accounts * 4)
            }
            for name, seal in sealed.items():
                tx.execute(
                    "UPDATE secondfactor_account SET sealed = :s, key_id = :k, status = 'active' "
                    "WHERE account = :a",
                    {"s": seal.blob, "k": seal.key_id, "a": name},
                )
        setup.close()
        context = multiprocessing.get_context("spawn")
        for processes in (1, 4):
            out = context.Queue()
            workers = [
                context.Process(
                    target=_pg_worker,
                    args=(url, p * accounts, accounts, rounds, out),
                )
                for p in range(processes)
            ]
            for worker in workers:
                worker.start()
            results = [out.get(timeout=600) for _ in workers]
            for worker in workers:
                worker.join()
            # Throughput while all ran: operations over the longest worker's verify time.
            total = sum(count for count, _ in results)
            rows.append(
                (
                    f"PostgreSQL TOTP verify, {processes} process(es)",
                    total / max(t for _, t in results),
                )
            )
            with psycopg.connect(url, autocommit=True) as c:  # the next run reuses the steps
                c.execute("UPDATE secondfactor_account SET last_step = NULL")
    finally:
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller numbers")
    quick = parser.parse_args().quick
    repeats = 5
    accounts, rounds = (10, 10) if quick else (20, 25)
    cases, appends = (20, 5) if quick else (50, 10)
    due_cases, queries = (2000, 200) if quick else (10000, 1000)
    benches = [
        (
            "TOTP verify (FULL sync)",
            lambda k, p: totp_run(k, p, accounts, rounds),
            _old_factor,
            _new_factor,
        ),
        (
            "TOTP verify (NORMAL sync)",
            lambda k, p: totp_run(k, p, accounts, rounds),
            _old_factor_normal,
            _new_factor_normal,
        ),
        (
            "case event append",
            lambda k, p: cases_run(k, p, cases, appends),
            old_cases.CaseStore,
            CaseStore,
        ),
        (
            "due in 14 days (page of 50)",
            lambda k, p: due_run(k, p, due_cases, queries),
            old_cases.CaseStore,
            CaseStore,
        ),
    ]
    print(
        f"{'work':32} {'old ops/s':>10} {'new ops/s':>10} {'old CPU µs':>11} {'new CPU µs':>11} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for index, (name, make, old, new) in enumerate(benches):
            best: dict[str, tuple[float, float]] = {}
            for r in range(repeats):
                order = (("old", old), ("new", new))
                for label, kind in order if r % 2 == 0 else order[::-1]:
                    path = str(Path(folder) / f"{label}-{index}-{r}.sqlite")
                    wall, cpu, count = timed(make(kind, path))
                    rate, cpu_us = count / wall, cpu / count * 1e6
                    if label in best:
                        rate, cpu_us = max(rate, best[label][0]), min(cpu_us, best[label][1])
                    best[label] = (rate, cpu_us)
            (old_rate, old_cpu), (new_rate, new_cpu) = best["old"], best["new"]
            print(
                f"{name:32} {old_rate:10.0f} {new_rate:10.0f} {old_cpu:11.0f} {new_cpu:11.0f} "
                f"{old_cpu / new_cpu:6.2f}"
            )
    for name, rate in postgres(5 if quick else 20):
        print(f"{name:32} {rate:10.0f} verifications/s (wall)")


if __name__ == "__main__":
    main()
