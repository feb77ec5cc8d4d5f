"""Benchmark: a full certification of each bundled adapter, and how it splits across groups.

The issue's measure: wall time of ``certify(adapter)`` with the default 200 examples per
property (the command a vendor runs), against the target of one minute per adapter on a 2-core
machine. ``fhir`` is certified as installed; ``kis_archive`` and ``therapy_pvs`` from their
source folders (``adapters/<name>``) when importable, else reported as not measured.

Run: ``python bench/bench_conformance.py [--quick] [--max-examples N] [--seed N] [--adapter NAME]``
(``--quick``: 50 examples per property). Besides the wall time it prints the CPU seconds of the
run (this process and the interpreters it started): on a shared machine the wall time is an
upper bound, the CPU time what the run itself costs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for name in ("kis_archive", "therapy_pvs", "qpr_sftp"):
    folder = ROOT / "adapters" / name
    if folder.is_dir():
        sys.path.insert(0, str(folder))

from leportal_conformance import certify  # noqa: E402
from leportal_conformance.catalog import GROUPS  # noqa: E402
from leportal_conformance.runner import DEFAULT_MAX_EXAMPLES  # noqa: E402

TARGET_S = 60.0
ADAPTERS = (
    ("fhir", "fhir", None),
    ("kis_archive", "leportal_kis_archive.plugin", "leportal_kis_archive"),
    ("therapy_pvs", "leportal_therapy_pvs.plugin", "leportal_therapy_pvs"),
    ("qpr_sftp", "qpr_sftp", "leportal_qpr_sftp"),
)


def _importable(module: str | None) -> str | None:
    if module is None:
        return None
    try:
        importlib.import_module(module)
    except Exception as exc:  # a half-written adapter: say so, measure the others
        return f"{type(exc).__name__}: {exc}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 examples per property")
    parser.add_argument("--max-examples", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20260209)
    parser.add_argument("--adapter", action="append", help="only this adapter (repeatable)")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="also time the self-test (every broken adapter, tests/conformance, via pytest)",
    )
    args = parser.parse_args()
    examples = args.max_examples or (50 if args.quick else DEFAULT_MAX_EXAMPLES)
    print(f"conformance certification, {examples} examples per property, seed {args.seed}")
    print(f"target: {TARGET_S:.0f} s per adapter\n")
    rows = []
    for label, spec, module in ADAPTERS:
        if args.adapter and label not in args.adapter:
            continue
        problem = _importable(module)
        if problem is not None:
            print(f"{label}: not measured ({problem})")
            continue
        started = time.perf_counter()
        cpu = _cpu_seconds()
        try:
            result = certify(spec, seed=args.seed, max_examples=examples)
        except Exception as exc:  # not installed / not loadable
            print(f"{label}: not measured ({type(exc).__name__}: {exc})")
            continue
        elapsed = time.perf_counter() - started
        rows.append((label, result, elapsed, _cpu_seconds() - cpu))
    header = (
        f"{'adapter':<12} {'codecs':>6} {'tests':>5} {'verdict':<14} {'seconds':>8} {'cpu s':>7} "
        f"{'÷ target':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, result, elapsed, cpu in rows:
        print(
            f"{label:<12} {len(result.codecs):>6} {len(result.tests):>5} {result.verdict:<14} "
            f"{elapsed:>8.2f} {cpu:>7.2f} {elapsed / TARGET_S:>8.3f}"
        )
    print("\nseconds per group (share of the run)")
    print(f"{'group':<12}" + "".join(f"{label:>22}" for label, *_ in rows))
    for group in GROUPS:
        cells = []
        for _, result, elapsed, _ in rows:
            seconds = result.group_durations().get(group, 0.0)
            cells.append(f"{seconds:>12.2f} ({seconds / elapsed:>5.1%})")
        print(f"{group:<12}" + "".join(f"{cell:>22}" for cell in cells))
    if args.self_test:
        _self_test()


def _cpu_seconds() -> float:
    """CPU seconds of this process and of the finished interpreters it started."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _self_test() -> None:
    """Wall time of the whole self-test: every broken adapter certified and refused."""
    import subprocess

    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/conformance"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    summary = (completed.stdout.strip().splitlines() or ["no output"])[-1]
    print(f"\nself-test (tests/conformance): {elapsed:.1f} s wall; {summary}")


if __name__ == "__main__":
    main()
