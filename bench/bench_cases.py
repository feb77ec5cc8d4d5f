"""Benchmark: the case store's "due in the next 14 days" and "open a case by identifier" queries.

Builds a store with N audit cases (each opened, with a Prüfanzeige and an Unterlagenanforderung
of two items; every third case has a second request; a third of the requests fully delivered,
a sixth partly), through the public API in batches, then times in **CPU time**
(``time.process_time``, median of repeats)

- the due query as the worklist asks it: ``due_within(14, limit=100)`` + ``count_due_within(14)``
  (one page and the total), and the whole unpaged ``due_within(14)`` for comparison;
- ``CaseStore.resolve(identifier)`` + ``CaseStore.view(case_id)`` (identifier index + replay),

next to the same questions asked of a plain SQLite table with the same facts and no index.

    python bench/bench_cases.py --quick               # 100k cases
    python bench/bench_cases.py                       # 100k and 1M cases (long: builds 1M cases)
    python bench/bench_cases.py --sizes 10000,100000

Targets from issue 15: the due query under 50 ms at 100,000 cases and under 500 ms at 1,000,000.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from leportal_core.cases import (
    CaseOpened,
    CaseStore,
    Delivery,
    Pruefanzeige,
    Pruefgegenstand,
    Recorded,
    Stay,
    Unterlagenanforderung,
)
from leportal_core.deadlines import Bundesland, compute

TODAY = datetime.date(2026, 3, 30)
NOW = datetime.datetime(2026, 3, 30, 8, 0, tzinfo=datetime.UTC)
BATCH = 5_000


def _case_steps(n: int, rng: random.Random) -> tuple[str, list[Recorded], datetime.date, bool]:
    received = TODAY - datetime.timedelta(days=rng.randrange(0, 120))
    case_id = f"case-{n:08d}"
    opened = CaseOpened(
        case_number=f"F-{n:08d}",
        hospital_ik="260326822",
        kasse_ik="101575519",
        kvnr="A123456780",
        stay=Stay(admitted=received - datetime.timedelta(days=60), department="0300 Kardiologie"),
        state=Bundesland.HE,
        invoice_number=f"R-{n:08d}",
        invoice_received=received - datetime.timedelta(days=40),
    )
    steps = [
        Recorded(step=opened, actor="bench", case_id=case_id),
        Recorded(
            step=Pruefanzeige(
                received=received - datetime.timedelta(days=7),
                items=(Pruefgegenstand.KP000,),
                md_reference=f"MD-{n:08d}",
            ),
            actor="bench",
            case_id=case_id,
        ),
        Recorded(
            step=Unterlagenanforderung(received=received, items=("Arztbrief", "OP-Bericht")),
            actor="bench",
            case_id=case_id,
        ),
    ]
    if n % 3 == 1:  # a second request with its own deadline
        steps.append(
            Recorded(
                step=Unterlagenanforderung(
                    received=received + datetime.timedelta(days=3), items=("Fieberkurve",)
                ),
                actor="bench",
                case_id=case_id,
            )
        )
    delivered = n % 3 == 0
    covers = ("Arztbrief", "OP-Bericht") if delivered else ("Arztbrief",) if n % 6 == 1 else ()
    if covers:
        steps.append(
            Recorded(
                step=Delivery(
                    delivered=received, delivery_id=f"d-{n}", request="A3", covers=covers
                ),
                actor="bench",
                case_id=case_id,
            )
        )
    return case_id, steps, received, delivered


def _median_ms(action: Callable[[], object], repeats: int) -> float:
    """Median CPU time of ``action`` in ms (process time: other load on the machine does not count)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        action()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


SEED = 2_000
"""Cases built through the public API; larger stores replicate them by SQL (see _replicate)."""


def _replicate(path: Path, plain: sqlite3.Connection, copies: int) -> None:
    """Copy the seed cases ``copies`` times with suffixed ids, in every table of the store.

    Building a million cases through the API (replay, rules, fsync per batch) takes hours on a
    shared 2-core machine; the queries measured here only see rows and indexes, which the copies
    have exactly like API-built ones (same due-date distribution, same schema).
    """
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA synchronous = OFF")
    tables = ("case_cases", "case_events", "case_identifiers", "case_deadlines")
    # Seed rows go to temporary tables once, so each copy reads 2,000 cases, not the grown table.
    for table in tables:
        raw.execute(f"CREATE TEMP TABLE seed_{table} AS SELECT * FROM main.{table}")
    plain.execute("CREATE TEMP TABLE seed_plain AS SELECT * FROM main.plain_cases")
    for k in range(1, copies):
        sfx = f"#{k}"
        raw.execute(
            "INSERT INTO case_cases SELECT case_id || ?1, case_number || ?1, hospital_ik, state, "
            "sequence, updated_at, projection FROM seed_case_cases",
            (sfx,),
        )
        raw.execute(
            "INSERT INTO case_events SELECT case_id || ?1, sequence, event_id || ?1, kind, actor, "
            "recorded_at, payload FROM seed_case_events",
            (sfx,),
        )
        raw.execute(
            "INSERT INTO case_identifiers SELECT value || ?1, kind, case_id || ?1 "
            "FROM seed_case_identifiers",
            (sfx,),
        )
        raw.execute(
            "INSERT INTO case_deadlines SELECT due, case_id || ?1, rule, subject, "
            "case_number || ?1, state, missing FROM seed_case_deadlines",
            (sfx,),
        )
        plain.execute(
            "INSERT INTO plain_cases SELECT case_id || ?1, case_number || ?1, invoice_number || ?1, "
            "md_reference || ?1, kvnr, state, documents_due, payload FROM seed_plain",
            (sfx,),
        )
        if k % 50 == 0:
            raw.commit()
    raw.commit()
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    plain.commit()
    raw.close()


def run(size: int, folder: Path) -> dict[str, float]:
    rng = random.Random(size)
    path = folder / f"cases-{size}.sqlite"
    plain = sqlite3.connect(folder / f"plain-{size}.sqlite")
    plain.execute(
        "CREATE TABLE plain_cases (case_id TEXT, case_number TEXT, invoice_number TEXT, "
        "md_reference TEXT, kvnr TEXT, state TEXT, documents_due TEXT, payload TEXT)"
    )
    build_start = time.perf_counter()
    events = 0
    seed = min(size, SEED)
    with CaseStore(path, clock=lambda: NOW, create=True) as store:
        batch: list[Recorded] = []
        plain_rows: list[tuple[str | None, ...]] = []
        for n in range(seed):
            case_id, steps, received, delivered = _case_steps(n, rng)
            batch.extend(steps)
            due = (
                None if delivered else compute("documents", received, Bundesland.HE).due.isoformat()
            )
            plain_rows.append(
                (case_id, f"F-{n:08d}", f"R-{n:08d}", f"MD-{n:08d}", "A123456780", "x", due, "{}")
            )
            if len(batch) >= BATCH:
                events += len(store.record_many(batch))
                batch = []
                plain.executemany(
                    "INSERT INTO plain_cases VALUES (?, ?, ?, ?, ?, ?, ?, ?)", plain_rows
                )
                plain_rows = []
        if batch:
            events += len(store.record_many(batch))
        plain.executemany("INSERT INTO plain_cases VALUES (?, ?, ?, ?, ?, ?, ?, ?)", plain_rows)
        plain.commit()
    _replicate(path, plain, size // seed)
    events *= size // seed
    with CaseStore(path, clock=lambda: NOW) as store:
        build_s = time.perf_counter() - build_start

        probes = [
            f"R-{rng.randrange(seed):08d}#{rng.randrange(1, size // seed)}" for _ in range(50)
        ]
        if size == seed:
            probes = [f"R-{rng.randrange(seed):08d}" for _ in range(50)]
        due_rows = store.count_due_within(14, today=TODAY)
        end = (TODAY + datetime.timedelta(days=14)).isoformat()

        def page() -> object:
            return store.due_within(14, today=TODAY, limit=100), store.count_due_within(
                14, today=TODAY
            )

        page_ms = _median_ms(page, 15)
        due_ms = _median_ms(lambda: store.due_within(14, today=TODAY), 15)
        plain_due_ms = _median_ms(
            lambda: plain.execute(
                "SELECT case_id, case_number, state, documents_due FROM plain_cases "
                "WHERE documents_due BETWEEN ? AND ? ORDER BY documents_due",
                (TODAY.isoformat(), end),
            ).fetchall(),
            15,
        )
        raw = sqlite3.connect(path)
        indexed_due_ms = _median_ms(
            lambda: raw.execute(
                "SELECT case_id, case_number, state, rule, due FROM case_deadlines "
                "WHERE due BETWEEN ? AND ? ORDER BY due",
                (TODAY.isoformat(), end),
            ).fetchall(),
            15,
        )
        raw.close()
        probe = iter(probes * 10)
        open_ms = _median_ms(lambda: store.view(store.resolve(next(probe))), 50)
        plain_probe = iter(probes * 10)

        def plain_open() -> object:
            value = next(plain_probe)
            return plain.execute(
                "SELECT * FROM plain_cases WHERE case_id = ? OR case_number = ? "
                "OR invoice_number = ? OR md_reference = ? OR kvnr = ?",
                (value, value, value, value, value),
            ).fetchall()

        plain_open_ms = _median_ms(plain_open, 10)
    plain.close()
    return {
        "size": size,
        "events": events,
        "build_s": build_s,
        "due_rows": due_rows,
        "page_ms": page_ms,
        "due_ms": due_ms,
        "plain_due_ms": plain_due_ms,
        "indexed_due_ms": indexed_due_ms,
        "open_ms": open_ms,
        "plain_open_ms": plain_open_ms,
        "file_mb": path.stat().st_size / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated case counts (default 100000,1000000)")
    parser.add_argument("--quick", action="store_true", help="100,000 cases only")
    args = parser.parse_args()
    default = "100000" if args.quick else "100000,1000000"
    sizes = [int(part) for part in (args.sizes or default).split(",") if part.strip()]
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            results.append(run(size, Path(folder)))
            r = results[-1]
            print(
                f"built {r['size']:,} cases ({r['events']:,} events) in {r['build_s']:.1f} s",
                flush=True,
            )
    print()
    print("CPU time (time.process_time), median")
    print(
        "| cases | due rows | due query: page of 100 + count ms | all due rows ms "
        "| its SQL alone ms | plain unindexed ms "
        "| plain / due_within | plain / its SQL | open by identifier ms | plain unindexed ms "
        "| plain / open | file MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['size']:,} | {r['due_rows']:,} | {r['page_ms']:.2f} | {r['due_ms']:.2f} "
            f"| {r['indexed_due_ms']:.2f} "
            f"| {r['plain_due_ms']:.2f} | {r['plain_due_ms'] / r['due_ms']:.1f}x "
            f"| {r['plain_due_ms'] / r['indexed_due_ms']:.1f}x | {r['open_ms']:.3f} "
            f"| {r['plain_open_ms']:.2f} | {r['plain_open_ms'] / r['open_ms']:.0f}x "
            f"| {r['file_mb']:.1f} |"
        )
    if len(results) > 1:
        first = results[0]
        print()
        print("growth against the smallest size:")
        for r in results[1:]:
            factor = r["size"] / first["size"]
            print(
                f"  {factor:.0f}x cases: due_within {r['due_ms'] / first['due_ms']:.1f}x, "
                f"open by identifier {r['open_ms'] / first['open_ms']:.1f}x, "
                f"plain due {r['plain_due_ms'] / first['plain_due_ms']:.1f}x"
            )
    for size, limit in ((100_000, 50), (1_000_000, 500)):
        for r in (r for r in results if r["size"] == size):
            verdict = "met" if r["page_ms"] < limit else "NOT met"
            print(
                f"target due query (page + count) < {limit} ms CPU at {size:,} cases: "
                f"{verdict} ({r['page_ms']:.2f} ms)"
            )


if __name__ == "__main__":
    main()
