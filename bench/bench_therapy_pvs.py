"""therapy_pvs benchmark: reports rendered per second and PDF size; GDT records parsed per second.

    python bench/bench_therapy_pvs.py            # default (~20 s)
    python bench/bench_therapy_pvs.py --quick    # a few seconds

Comparisons: rendering against plain fpdf2 writing the same text with a built-in font (no
embedded font, no PDF/A, no layout, no PDF check: the floor of the library underneath); GDT
parsing (6301, checks and decoding per field 9206, model validation) against a plain loop that
splits lines on CR LF and slices field id and content without any check.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "adapters" / "therapy_pvs"))

from fpdf import FPDF  # noqa: E402

from leportal_core.therapy import report_to_dict  # noqa: E402
from leportal_therapy_pvs.codecs import GdtPatientCodec  # noqa: E402
from leportal_therapy_pvs.render import render_report  # noqa: E402
from leportal_therapy_pvs.samples import sample_report  # noqa: E402


def rate(function: Callable[[], object], count: int) -> float:
    function()  # warm-up (font parsing, imports)
    start = time.perf_counter()
    for _ in range(count):
        function()
    return count / (time.perf_counter() - start)


def plain_fpdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.multi_cell(0, 5, text.encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())


def plain_split(data: bytes) -> dict[bytes, bytes]:
    fields = {}
    for line in data.split(b"\r\n"):
        if line:
            fields[line[3:7]] = line[7:]
    return fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    renders, parses = (20, 5_000) if args.quick else (150, 50_000)

    report = sample_report()
    text = "\n".join(f"{k}: {v}" for k, v in report_to_dict(report).items())
    ours_pdf, plain_pdf = render_report(report), plain_fpdf(text)
    render_ours = rate(lambda: render_report(report), renders)
    render_plain = rate(lambda: plain_fpdf(text), renders)

    gdt = GdtPatientCodec().encode(report.patient)
    codec = GdtPatientCodec()
    parse_ours = rate(lambda: codec.decode(gdt), parses)
    parse_plain = rate(lambda: plain_split(gdt), parses)

    rows = [
        (
            "render report → PDF/A-2b (leportal)",
            f"{render_ours:,.1f} reports/s",
            f"{len(ours_pdf):,} B",
        ),
        (
            "plain fpdf2, built-in font, no checks",
            f"{render_plain:,.1f} reports/s",
            f"{len(plain_pdf):,} B",
        ),
        (
            "ratio leportal / plain",
            f"{render_ours / render_plain:.2f}×",
            f"{len(ours_pdf) / len(plain_pdf):.2f}×",
        ),
        ("parse GDT 6301 → Patient (leportal)", f"{parse_ours:,.0f} records/s", f"{len(gdt)} B"),
        ("plain CRLF split + slice, no checks", f"{parse_plain:,.0f} records/s", ""),
        ("ratio leportal / plain", f"{parse_ours / parse_plain:.2f}×", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'speed':>20}  {'size':>10}")
    for name, speed, size in rows:
        print(f"{name:<{width}}  {speed:>20}  {size:>10}")


if __name__ == "__main__":
    main()
