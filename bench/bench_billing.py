"""Billing codec benchmark: decode+validate rows/s and peak memory, encode rows/s.

    python bench/bench_billing.py              # 1,000,000 rows (a few minutes)
    python bench/bench_billing.py --rows 200000
    python bench/bench_billing.py --quick      # 100,000 rows

Compares leportal's profile-driven validator on a generated ``mass-provisional-v1`` file with
(a) a hand-written loop over the standard ``csv`` module doing the same type conversions and the
same row and file checks (the floor a Python user would write), and (b) pandas ``read_csv`` with
``dtype``/``converters``/``decimal=','`` plus vectorised checks (the popular tool). Each
contender runs in its own process so peak memory (ru_maxrss) is its own; leportal is also run on a
file a tenth as long to show that its memory stays flat as the file grows.
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
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
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
    started = time.perf_counter()
    rows = CONTENDERS[name](path)
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mib": peak_mib()}))


def measure(name: str, path: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--worker", name, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def generate(path: Path, rows: int) -> float:
    """Write the file; returns the seconds spent encoding (record generation subtracted)."""
    started = time.perf_counter()
    for _ in records(rows):
        pass
    making = time.perf_counter() - started
    started = time.perf_counter()
    with path.open("wb") as stream:
        write(records(rows), PROFILE, stream)
    return time.perf_counter() - started - making


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--worker", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return
    rows = 100_000 if args.quick else args.rows
    small_rows = max(rows // 10, 1000)
    with tempfile.TemporaryDirectory(prefix="bench-billing-") as folder:
        big, small = Path(folder) / "big.csv", Path(folder) / "small.csv"
        encode_seconds = generate(big, rows)
        generate(small, small_rows)
        size = big.stat().st_size
        print(
            f"file: {rows:,} rows, {size / 2**20:.1f} MiB ({PROFILE.name}); Python {sys.version.split()[0]}"
        )
        print(
            f"encode (records → bytes, every value and rule checked): {rows / encode_seconds:,.0f} "
            f"rows/s ({encode_seconds:.1f} s, record generation not counted)"
        )
        names = ["leportal", "csv-loop"] + ([] if args.skip_pandas else ["pandas"])
        results = {name: measure(name, big) for name in names}
        flat = measure("leportal", small)
        base = results["csv-loop"]
        print()
        print(
            f"{'decode+validate':<18}{'rows/s':>12}{'seconds':>10}{'peak MiB':>10}{'speed vs csv-loop':>20}"
        )
        for name, result in results.items():
            speed = result["rows"] / result["seconds"]
            ratio = base["seconds"] / result["seconds"]
            print(
                f"{name:<18}{speed:>12,.0f}{result['seconds']:>10.1f}{result['peak_mib']:>10.0f}{ratio:>19.2f}x"
            )
        ours = results["leportal"]
        print()
        print(
            f"leportal peak memory: {flat['peak_mib']:.0f} MiB at {small_rows:,} rows, "
            f"{ours['peak_mib']:.0f} MiB at {rows:,} rows (ratio {ours['peak_mib'] / flat['peak_mib']:.2f})"
        )
        if "pandas" in results:
            print(
                f"leportal vs pandas: {results['pandas']['seconds'] / ours['seconds']:.2f}x the speed, "
                f"{results['pandas']['peak_mib'] / ours['peak_mib']:.1f}x less memory"
            )


if __name__ == "__main__":
    main()
