"""PDF inspection: throughput and peak memory against plain SHA-256 and "open with pypdf and read
every page"; time and memory to reject a decompression bomb.

    python bench/bench_pdf.py            # 100 MB scan-like PDF, 1,000 small PDFs (about a minute)
    python bench/bench_pdf.py --quick    # 20 MB, 200 small PDFs
    python bench/bench_pdf.py --hostile  # only the per-file table (hostile files, corpus)

The large file is generated on the fly in a temporary folder: N pages, each drawing one 1 MB
greyscale image XObject of random (incompressible) bytes, like a scanned Kurve. Times are CPU
time (``time.process_time``), contenders interleaved, minimum of the repeats, with a warm page
cache; peak memory is measured in a separate run with tracemalloc (Python allocations). Targets
(issues 3 and 19): inspection within 1.2x of plain SHA-256 on the large file, peak memory
independent of file size, 1,000 small files at least as fast as pypdf opening each and reading
its page count and document information, bomb rejected in under a second.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pypdf
from _cpu import interleaved, traced_peak

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # leportal_core, tests.core.pdf

from leportal_core.pdf import inspect_pdf

IMAGE_SIDE = 1024  # 1024 x 1024 x 8 bit = 1 MiB per page


def write_pdf(path: Path, pages: int, *, image_side: int = IMAGE_SIDE, seed: int = 1) -> None:
    """A PDF with ``pages`` pages, each showing one raw random image (written streamed)."""
    rng = __import__("random").Random(seed)
    offsets: list[int] = []
    with path.open("wb") as out:

        def obj(body: bytes) -> None:
            offsets.append(out.tell())
            out.write(f"{len(offsets)} 0 obj\n".encode() + body + b"\nendobj\n")

        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(pages))
        obj(b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
        draw = f"q {image_side} 0 0 {image_side} 0 0 cm /Im0 Do Q".encode()
        for i in range(pages):
            page, content, image = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
            obj(
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {image_side} {image_side}] "
                f"/Contents {content} 0 R /Resources << /XObject << /Im0 {image} 0 R >> >> >>".encode()
            )
            obj(b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream")
            pixels = rng.randbytes(image_side * image_side)
            obj(
                b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Length %d >>\nstream\n"
                % (image_side, image_side, len(pixels))
                + pixels
                + b"\nendstream"
            )
            del page
        xref = out.tell()
        out.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        out.write(
            f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
        )


def plain_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def pypdf_open_pages_metadata(path: Path) -> int:
    """The anchor of issue 19 for small files: open with pypdf, count the pages, read the
    document information (what a user checking an upload would do)."""
    reader = pypdf.PdfReader(path)
    count = len(reader.pages)
    reader.metadata  # noqa: B018 - the read is the point
    return count


def pypdf_every_page(path: Path) -> int:
    """The naive alternative: open with pypdf and read every page with its content and images."""
    reader = pypdf.PdfReader(path)
    count = 0
    for page in reader.pages:
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()
        resources = page.get("/Resources")
        if resources is not None:
            for xobject in resources.get_object().get("/XObject", {}).values():
                xobject.get_object().get_data()
        count += 1
    return count


def mb(n: float) -> str:
    return f"{n / 1e6:8.1f} MB"


def small_pdf(i: int) -> bytes:
    buffer = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"Befund {i}"})
    writer.write(buffer)
    return buffer.getvalue()


def bomb(megabytes: int) -> bytes:
    """A PDF whose XMP metadata inflates to ``megabytes`` MB (the stream the check must decode)."""
    compressor = zlib.compressobj(9)
    block = bytes(1 << 20)
    data = b"".join(compressor.compress(block) for _ in range(megabytes)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        b"<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length %d >>\nstream\n" % len(data)
        + data
        + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write(b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets))
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 MB and 200 small files")
    parser.add_argument("--pages", type=int, help="pages (1 MiB each) of the large PDF")
    parser.add_argument("--small", type=int, help="number of small PDFs")
    parser.add_argument("--hostile", action="store_true", help="only hostile files and corpus")
    args = parser.parse_args()
    if args.hostile:
        hostile_and_corpus()
        return
    pages = args.pages or (20 if args.quick else 100)
    small_count = args.small or (200 if args.quick else 1000)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(
            f"pypdf {pypdf.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n"
        )

        # Large scan-like PDF, and a quarter-size one to show memory does not grow with size.
        large, quarter = folder / "kurve.pdf", folder / "kurve-quarter.pdf"
        write_pdf(large, pages)
        write_pdf(quarter, max(1, pages // 4), seed=2)
        size = large.stat().st_size
        plain_sha256(large)  # warm the page cache
        verdict = inspect_pdf(large)
        if not (verdict.ok and verdict.pages == pages):
            raise SystemExit(f"generated PDF not accepted: {verdict}")
        rates = interleaved(
            {"hash": lambda: plain_sha256(large), "inspect": lambda: inspect_pdf(large)},
            1,
            5,
        )
        t_hash, t_inspect = 1 / rates["hash"], 1 / rates["inspect"]
        t_pypdf = 1 / interleaved({"pypdf": lambda: pypdf_every_page(large)}, 1, 1)["pypdf"]
        m_hash = traced_peak(lambda: plain_sha256(large))
        m_inspect = traced_peak(lambda: inspect_pdf(large))
        m_inspect_quarter = traced_peak(lambda: inspect_pdf(quarter))
        m_pypdf = traced_peak(lambda: pypdf_every_page(large))
        print(f"Large PDF: {pages} pages, {mb(size)} (image-heavy, incompressible)")
        print(f"{'method':34} {'time':>9} {'MB/s':>8} {'peak mem':>11} {'time ratio':>11}")
        for name, t, m in (
            ("plain SHA-256 (floor)", t_hash, m_hash),
            ("leportal inspect_pdf", t_inspect, m_inspect),
            ("pypdf open + read every page", t_pypdf, m_pypdf),
        ):
            print(f"{name:34} {t:8.3f}s {size / t / 1e6:8.0f} {mb(m):>11} {t / t_hash:10.2f}x")
        print(
            f"ratio inspect_pdf / plain SHA-256, large file: {t_inspect / t_hash:.2f}x CPU "
            "(target <= 1.2x); "
            f"pypdf every page / inspect_pdf: {t_pypdf / t_inspect:.1f}x"
        )
        print(
            f"peak memory of inspect_pdf: {mb(m_inspect).strip()} at {mb(size).strip()}, "
            f"{mb(m_inspect_quarter).strip()} at {mb(quarter.stat().st_size).strip()} "
            f"(independent of size: ratio {m_inspect / max(m_inspect_quarter, 1):.2f}x "
            f"for a {size / quarter.stat().st_size:.1f}x larger file)\n"
        )

        # Many small PDFs.
        small_dir = folder / "small"
        small_dir.mkdir()
        paths = []
        for i in range(small_count):
            path = small_dir / f"befund-{i:04d}.pdf"
            path.write_bytes(small_pdf(i))
            paths.append(path)
        total = sum(p.stat().st_size for p in paths)
        rates = interleaved(
            {
                "plain SHA-256 (floor)": lambda: [plain_sha256(p) for p in paths],
                "leportal inspect_pdf": lambda: [inspect_pdf(p) for p in paths],
                "pypdf open + pages + metadata": lambda: [
                    pypdf_open_pages_metadata(p) for p in paths
                ],
                "pypdf open + read every page": lambda: [pypdf_every_page(p) for p in paths],
            },
            1,
            5 if small_count <= 200 else 3,
        )
        print(f"{small_count} small PDFs: {mb(total).strip()} in total")
        print(f"{'method':34} {'CPU s':>9} {'files/s':>8} {'vs floor':>9}")
        floor = rates["plain SHA-256 (floor)"]
        for name, rate in rates.items():
            print(f"{name:34} {1 / rate:8.3f}s {small_count * rate:8.0f} {floor / rate:8.2f}x")
        print(
            f"ratio inspect_pdf vs pypdf open + pages + metadata, {small_count} small files: "
            f"{rates['leportal inspect_pdf'] / rates['pypdf open + pages + metadata']:.2f}x "
            "speed (target >= 1.0x)\n"
        )

        # Decompression bomb in the one stream the check decodes (XMP metadata).
        data = bomb(1024)
        t_bomb = 1 / interleaved({"bomb": lambda: inspect_pdf(data)}, 1, 3)["bomb"]
        m_bomb = traced_peak(lambda: inspect_pdf(data))
        codes = [p.code for p in inspect_pdf(data).problems]
        print(
            f"Bomb: {mb(len(data)).strip()} inflating to 1,073.7 MB → {codes} in {t_bomb * 1000:.1f} ms, "
            f"peak {mb(m_bomb).strip()} (target < 1 s, bounded)"
        )
        hostile_and_corpus()


def hostile_and_corpus() -> None:
    """Issue 16 item 4: CPU time and work-budget counters per file, for the hostile files the tests
    generate, a one-page file with a 65,000-object object stream, and the real-file corpus."""
    from tests.core.pdf import makepdf

    root = Path(__file__).resolve().parents[1]
    hostile: dict[str, Callable[[], bytes]] = {
        name: getattr(makepdf, name)
        for name in (
            "broken_xref", "garbage_with_header", "page_tree_loop", "deep_direct_nesting",
            "deep_reference_chain", "reference_loop", "encrypted", "firefox_saved", "xfa_form",
        )
    }  # fmt: skip
    hostile["content_bomb(200)"] = lambda: makepdf.content_bomb(200)
    hostile["metadata_bomb(200)"] = lambda: makepdf.metadata_bomb(200)
    hostile["big_object_stream(65000)"] = makepdf.big_object_stream
    files = {name: build() for name, build in hostile.items()}
    files |= {p.name: p.read_bytes() for p in sorted((root / "tests/corpus/pdf").glob("*.pdf"))}
    print(
        f"\n{'file (hostile, then corpus)':44} {'CPU s':>7} {'objects':>9} {'inflated':>10}  codes"
    )
    worst = 0.0
    for name, data in files.items():
        start = time.process_time()
        verdict = inspect_pdf(data)
        spent = time.process_time() - start
        worst = max(worst, spent)
        codes = ",".join(p.code.removeprefix("pdf.") for p in verdict.problems) or "-"
        print(
            f"{name[:44]:44} {spent:7.3f} {verdict.parsed_objects:9} {verdict.inflated_bytes:10}  {codes}"
        )
    print(f"slowest: {worst:.3f} s CPU (target < 1 s per file)")


if __name__ == "__main__":
    main()
