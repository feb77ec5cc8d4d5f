"""therapy_pvs benchmark: eTherapiebericht rendering and GDT parsing against plain tools.

    python bench/bench_therapy_pvs.py            # default (~20 s)
    python bench/bench_therapy_pvs.py --quick    # a few seconds

The ratio of issue 19 is reports per CPU second of ``render_report`` (PDF/A-2b, layout, letterhead,
page numbers, the core's PDF check) divided by those of plain fpdf2 writing the same text after
adding the same font per document (``add_font`` of the full DejaVu Sans TTF, regular and bold, as a
user of fpdf2 does; no PDF/A, no layout, no check). GDT parsing (6301, checks and decoding per
field 9206, model validation) is compared with a plain loop that splits lines on CR LF and slices
field id and content without any check. CPU time (``time.process_time``), contenders interleaved,
minimum of the repeats; one warm-up call each first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "adapters" / "therapy_pvs"))

from _cpu import interleaved  # noqa: E402
from fpdf import FPDF  # noqa: E402

from leportal_core.therapy import report_to_dict  # noqa: E402
from leportal_therapy_pvs.codecs import GdtPatientCodec  # noqa: E402
from leportal_therapy_pvs.render import render_report  # noqa: E402
from leportal_therapy_pvs.samples import sample_report  # noqa: E402

# The anchor embeds the full font as released by DejaVu, as a user of fpdf2 would; leportal's
# shipped subset is printed as a second, stricter anchor.
FULL_FONTS = ROOT / "adapters" / "therapy_pvs" / "fonts-source"
SUBSET_FONTS = ROOT / "adapters" / "therapy_pvs" / "leportal_therapy_pvs" / "fonts"


def plain_fpdf(text: str, regular: str, bold: str) -> bytes:
    pdf = FPDF()
    pdf.add_font("DejaVu", "", regular)
    pdf.add_font("DejaVu", "B", bold)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", size=15)
    pdf.cell(0, 9, "Therapiebericht", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    pdf.multi_cell(0, 5, text)
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
    renders, parses, repeats = (4, 2_000, 3) if args.quick else (10, 20_000, 7)

    report = sample_report()
    text = "\n".join(f"{k}: {v}" for k, v in report_to_dict(report).items())
    regular, bold = str(FULL_FONTS / "DejaVuSans.ttf"), str(FULL_FONTS / "DejaVuSans-Bold.ttf")
    small, small_bold = (str(SUBSET_FONTS / n) for n in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    ours_pdf, plain_pdf = render_report(report), plain_fpdf(text, regular, bold)
    render = interleaved(
        {
            "ours": lambda: render_report(report),
            "plain": lambda: plain_fpdf(text, regular, bold),
            "subset": lambda: plain_fpdf(text, small, small_bold),
        },
        renders,
        repeats,
    )
    gdt = GdtPatientCodec().encode(report.patient)
    codec = GdtPatientCodec()
    parse = interleaved(
        {"ours": lambda: codec.decode(gdt), "plain": lambda: plain_split(gdt)}, parses, repeats
    )

    rows = [
        ("render report → PDF/A-2b (leportal)", f"{render['ours']:,.1f} reports/s", f"{len(ours_pdf):,} B"),
        ("plain fpdf2, same font added per document", f"{render['plain']:,.1f} reports/s", f"{len(plain_pdf):,} B"),
        ("plain fpdf2, leportal's subset font per doc.", f"{render['subset']:,.1f} reports/s", ""),
        ("parse GDT 6301 → Patient (leportal)", f"{parse['ours']:,.0f} records/s", f"{len(gdt)} B"),
        ("plain CRLF split + slice, no checks", f"{parse['plain']:,.0f} records/s", ""),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"per CPU second, minimum of {repeats} interleaved repeats")
    print(f"{'measure':<{width}}  {'speed':>20}  {'size':>10}")
    for name, speed, size in rows:
        print(f"{name:<{width}}  {speed:>20}  {size:>10}")
    print(
        f"\nratio eTherapiebericht rendering vs plain fpdf2 adding the same font per document: "
        f"{render['ours'] / render['plain']:.2f}× (target ≥ 2×)"
    )
    print(
        f"  (the same vs plain fpdf2 with leportal's subset font: {render['ours'] / render['subset']:.2f}×)"
    )
    print(f"ratio GDT parsing vs plain split: {parse['ours'] / parse['plain']:.2f}×")


if __name__ == "__main__":
    main()
