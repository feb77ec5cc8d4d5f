"""Benchmark: the one-time re-projection of a case store whose rule book changed.

A store remembers the rule book its worklist was computed with; opened with another one (a
hospital's ``configure(...)``, or a release that adds rules, as the PrüfvV 2022 Nachfrist and
the § 11 correction reminders did) it recomputes every case's deadline rows on opening. This
builds N cases (the same mix as ``bench_cases.py``) under the book without the three unverified
PrüfvV 2022 rules, then opens the store with the default book and prints, in **CPU time**
(``time.process_time``), the re-projection next to recording the same events in the first place.

    python bench/bench_reprojection.py                 # 10,000 cases
    python bench/bench_reprojection.py --size 100000
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_cases import BATCH, NOW, _case_steps

from leportal_core.cases import CaseStore, Recorded
from leportal_core.deadlines import PruefvV
from leportal_core.deadlines.rules import RULES, SourceKind, configure

FAR = datetime.date(2020, 1, 1)  # before every deadline: count_due_within(3660) counts all rows


def run(size: int, folder: Path) -> tuple[float, float, int, int]:
    unverified = {
        key: None
        for key, rule in RULES.items()
        if key[1] is PruefvV.V2022 and rule.source_kind is SourceKind.UNVERIFIED
    }
    path = folder / "cases.sqlite"
    rng = random.Random(15)
    batch: list[Recorded] = []
    started = time.process_time()
    with CaseStore(path, clock=lambda: NOW, create=True, rules=configure(unverified)) as store:
        for n in range(size):
            batch.extend(_case_steps(n, rng)[1])
            if len(batch) >= BATCH:
                store.record_many(batch)
                batch = []
        if batch:
            store.record_many(batch)
        rows_before = store.count_due_within(3660, today=FAR)
    recording = time.process_time() - started
    started = time.process_time()
    with CaseStore(path, clock=lambda: NOW) as store:
        reprojection = time.process_time() - started
        rows_after = store.count_due_within(3660, today=FAR)
    return recording, reprojection, rows_before, rows_after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="cases (default 10000)")
    parser.add_argument("--quick", action="store_true", help="1,000 cases (make bench --quick)")
    args = parser.parse_args()
    size = 1_000 if args.quick else args.size
    with tempfile.TemporaryDirectory() as folder:
        recording, reprojection, before, after = run(size, Path(folder))
    print(
        "| cases | recording (s CPU) | re-projection on opening (s CPU) | µs a case | ratio | rows |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {size:,} | {recording:.2f} | {reprojection:.2f} | {reprojection / size * 1e6:.0f} "
        f"| {reprojection / recording:.2f}× | {before:,} → {after:,} |"
    )


if __name__ == "__main__":
    main()
