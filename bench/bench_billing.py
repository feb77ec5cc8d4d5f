"""Billing decode+validate against pandas ``read_csv`` with the same conversions and checks.

    python bench/bench_billing.py              # 100,000 rows, flatness up to 1,000,000 (minutes)
    python bench/bench_billing.py --quick      # 100,000 rows, flatness up to 200,000

The ratios of issue 19, on a generated ``mass-provisional-v1`` file of 100,000 rows:

* speed = pandas CPU seconds / leportal CPU seconds (higher is better; target >= 0.5x);
* memory = leportal peak RSS / pandas peak RSS (lower is better; target <= 0.2x);
* flatness = leportal peak RSS on the large file / on the 100,000-row file (target about 1).

pandas runs ``read_csv`` with ``dtype``/``converters``/``decimal=','`` plus vectorised checks;
a hand-written loop over the standard ``csv`` module doing the same conversions and checks is
printed for context. Each contender runs in its own fresh process, so its peak memory
(``VmHWM``, the whole process, interpreter and imports included) is its own; CPU time is
``time.process_time`` around the work (imports not counted). Contenders are interleaved and the
minimum of the repeats is taken.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leportal_core.billing import BillingRecord, load_profile, validate, write

PROFILE = load_profile("mass-provisional-v1")
UNITS = ("Tag", "Stunde", "Monat", "Pauschale")
INVOICE_LINES = 1000
CENT = Decimal("0.01")


def records(rows: int) -> Iterator[BillingRecord]:
    """Valid, varied records; every block of INVOICE_LINES lines is one invoice."""
    names = ["Muster", "Öztürk", "Schäfer-Weiß", "Nguyễn", "Kowalski", "=Formel", "Beispiel"]
    for start in range(0, rows, INVOICE_LINES):
        block = []
        for i in range(start, min(rows, start + INVOICE_LINES)):
            quantity = Decimal(i % 31 + 1) + Decimal(i % 4) * Decimal("0.25")
            rate = Decimal(9000 + i % 5000) / 100
            block.append(
                {
                    "rechnungsnummer": f"RE-{start // INVOICE_LINES:06d}",
                    "rechnungsdatum": datetime.date(2026, 11, 4),
                    "ik": "260326822",
                    "einrichtungsnummer": "E-4711",
                    "aktenzeichen": f"50-2026-{i:08d}",
                    "name": names[i % len(names)],
                    "vorname": "Erika",
                    "geburtsdatum": datetime.date(1950 + i % 50, i % 12 + 1, i % 28 + 1),
                    "leistungsart": "LT 25",
                    "zeitraum_von": datetime.date(2026, 10, 1),
                    "zeitraum_bis": datetime.date(2026, 10, 31),
                    "menge": quantity.quantize(CENT),
                    "einheit": UNITS[i % 4],
                    "einzelpreis": rate,
                    "betrag": (quantity * rate).quantize(CENT, rounding=ROUND_HALF_UP),
                    "bemerkung": None if i % 3 else "Nachtrag; siehe Anlage",
                }
            )
        total = sum((line["betrag"] for line in block), Decimal("0.00"))
        for line in block:
            line["rechnungsbetrag"] = total
            yield BillingRecord(values=line)


def peak_mib() -> float:
    """This process's peak resident memory: ``VmHWM``, the high-water mark of its own address
    space. Not ``ru_maxrss``: Linux carries that across ``exec``, so a worker started by this
    script would report the parent's peak (the parent generates the files, about 37 MiB)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux; see above
    return kib / 1024


# -- contenders (each runs in a fresh process) ---------------------------------------------------


def run_leportal(path: Path) -> int:
    report = validate(path, PROFILE)
    assert report.valid, report.problems[:3]
    return report.rows


def run_csv_loop(path: Path) -> int:
    """What a careful Python user writes by hand with the csv module: same conversions and checks."""
    rows = 0
    problems = []
    seen: set[tuple[str, str, datetime.date, datetime.date]] = set()
    totals: dict[str, list[Decimal]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        assert len(header) == 17
        for row in reader:
            rows += 1
            if len(row) != 17:
                problems.append((reader.line_num, "columns"))
                continue
            try:
                invoice_date = datetime.datetime.strptime(row[1], "%d.%m.%Y").date()
                birth = datetime.datetime.strptime(row[7], "%d.%m.%Y").date()
                start = datetime.datetime.strptime(row[9], "%d.%m.%Y").date()
                end = datetime.datetime.strptime(row[10], "%d.%m.%Y").date()
                quantity = Decimal(row[11].replace(",", "."))
                rate = Decimal(row[13].replace(",", "."))
                amount = Decimal(row[14].replace(",", "."))
                declared = Decimal(row[15].replace(",", "."))
            except ValueError:
                problems.append((reader.line_num, "value"))
                continue
            if len(row[2]) != 9 or not row[2].isdigit() or row[3] == "" or row[4] == "":
                problems.append((reader.line_num, "value"))
            if row[12] not in UNITS:
                problems.append((reader.line_num, "unit"))
            if (quantity * rate).quantize(CENT, rounding=ROUND_HALF_UP) != amount:
                problems.append((reader.line_num, "amount"))
            if start > end or (start.year, start.month) != (end.year, end.month):
                problems.append((reader.line_num, "period"))
            key = (row[4], row[8], start, end)
            if key in seen:
                problems.append((reader.line_num, "duplicate"))
            seen.add(key)
            entry = totals.setdefault(row[0], [Decimal(0), declared])
            entry[0] += amount
            del invoice_date, birth
    for total, declared in totals.values():
        if total != declared:
            problems.append((0, "total"))
    assert not problems, problems[:3]
    return rows


def run_pandas(path: Path) -> int:
    import pandas as pd

    def money(text: str) -> Decimal:
        return Decimal(text.replace(",", "."))

    dates = ["Rechnungsdatum", "Geburtsdatum", "Zeitraum von", "Zeitraum bis"]
    frame = pd.read_csv(
        path,
        sep=";",
        encoding="utf-8-sig",
        dtype={
            "Rechnungsnummer": str,
            "IK": str,
            "Einrichtungsnummer": str,
            "Aktenzeichen": str,
            "Name": str,
            "Vorname": str,
            "Leistungsart": str,
            "Einheit": "category",
            "Bemerkung": str,
        },
        converters={
            "Menge": money,
            "Einzelpreis": money,
            "Betrag": money,
            "Rechnungsbetrag": money,
        },
        decimal=",",
        keep_default_na=False,
    )
    for column in dates:
        frame[column] = pd.to_datetime(frame[column], format="%d.%m.%Y", errors="raise")
    expected = [
        (q * r).quantize(CENT, rounding=ROUND_HALF_UP)
        for q, r in zip(frame["Menge"], frame["Einzelpreis"], strict=True)
    ]
    assert (frame["Betrag"] == pd.Series(expected)).all()
    assert not frame.duplicated(
        ["Aktenzeichen", "Leistungsart", "Zeitraum von", "Zeitraum bis"]
    ).any()
    assert (frame["Zeitraum von"] <= frame["Zeitraum bis"]).all()
    assert frame["Einheit"].isin(UNITS).all()
    sums = frame.groupby("Rechnungsnummer")["Betrag"].sum()
    declared = frame.groupby("Rechnungsnummer")["Rechnungsbetrag"].first()
    assert (sums == declared).all()
    return len(frame)


CONTENDERS = {"leportal": run_leportal, "csv-loop": run_csv_loop, "pandas": run_pandas}


def worker(name: str, path: Path) -> None:
    started = time.process_time()
    rows = CONTENDERS[name](path)
    seconds = time.process_time() - started
    print(json.dumps({"rows": rows, "cpu": seconds, "peak_mib": peak_mib()}))


def measure(name: str, path: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--worker", name, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def best_of(names: list[str], path: Path, repeats: int) -> dict[str, dict[str, float]]:
    """Minimum CPU time and peak memory per contender over interleaved repeats."""
    best: dict[str, dict[str, float]] = {}
    for _ in range(repeats):
        for name in names:
            result = measure(name, path)
            if name not in best:
                best[name] = result
            else:
                best[name]["cpu"] = min(best[name]["cpu"], result["cpu"])
                best[name]["peak_mib"] = min(best[name]["peak_mib"], result["peak_mib"])
    return best


def generate(path: Path, rows: int) -> None:
    with path.open("wb") as stream:
        write(records(rows), PROFILE, stream)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the compared file")
    parser.add_argument("--large", type=int, default=None, help="rows of the flatness file")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller large file")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--csv-loop", action="store_true", help="also run the csv-module loop")
    parser.add_argument("--worker", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return
    rows = args.rows
    large = args.large or (2 * rows if args.quick else 10 * rows)
    repeats = args.repeats or (2 if args.quick else 3)
    with tempfile.TemporaryDirectory(prefix="bench-billing-") as folder:
        path, large_path = Path(folder) / "rows.csv", Path(folder) / "large.csv"
        generate(path, rows)
        generate(large_path, large)
        size = path.stat().st_size
        print(
            f"file: {rows:,} rows, {size / 2**20:.1f} MiB ({PROFILE.name}); "
            f"Python {sys.version.split()[0]}; minimum of {repeats} interleaved repeats"
        )
        names = ["leportal", "pandas"] + (["csv-loop"] if args.csv_loop else [])
        results = best_of(names, path, repeats)
        flat = best_of(["leportal"], large_path, 1)["leportal"]
        print(f"{'decode+validate':<18}{'rows/CPU s':>12}{'CPU s':>8}{'peak MiB':>10}")
        for name, result in results.items():
            speed = result["rows"] / result["cpu"]
            print(f"{name:<18}{speed:>12,.0f}{result['cpu']:>8.2f}{result['peak_mib']:>10.0f}")
        print(
            f"{'leportal':<18}{flat['rows'] / flat['cpu']:>12,.0f}{flat['cpu']:>8.2f}"
            f"{flat['peak_mib']:>10.0f}  ({large:,} rows)"
        )
        ours, theirs = results["leportal"], results["pandas"]
        print(
            f"\nratio billing decode+validate vs pandas read_csv, {rows:,} rows: "
            f"{theirs['cpu'] / ours['cpu']:.2f}× speed (target ≥ 0.5×), "
            f"{ours['peak_mib'] / theirs['peak_mib']:.2f}× memory (target ≤ 0.2×); "
            f"memory {large:,} / {rows:,} rows: {flat['peak_mib'] / ours['peak_mib']:.2f}× "
            "(target: flat)"
        )


if __name__ == "__main__":
    main()
