"""Benchmark: importing MDM^T02 messages with 100 kB, 5 MB and 20 MB PDFs.

Three ways to get the document bytes out of one message, side by side:

- ``leportal``: :func:`leportal_kis_archive.read_message` (all fields mapped, checked, base64
  decoded into a core Document);
- ``hl7apy``: a plain full parse with hl7apy's default settings (``parse_message``, tolerant,
  groups found) followed by decoding OBX-5.5 — what a user would write instead;
- ``split``: the floor: split the bytes at CR and ``|`` and ``^`` and decode the base64, no
  checks, no mapping.

Prints MB/s and messages/s (message bytes per wall second, best of the repetitions), the ratio
against ``split`` and against ``hl7apy``, and the peak memory (tracemalloc, separate run) per
message relative to the message size. Run: ``python bench/bench_kis_archive.py [--quick]``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "adapters" / "kis_archive"))

from hl7apy.parser import parse_message  # type: ignore[import-untyped]  # noqa: E402

from leportal_core import Document  # noqa: E402
from leportal_kis_archive import (  # noqa: E402
    ArchiveMessage,
    MdmEvent,
    encode_message,
    read_message,
)


def _message(size: int) -> bytes:
    filler = (b"%PDF-1.7\n" + bytes(range(256)) * (size // 256 + 1))[: size - 6] + b"%%EOF\n"
    document = Document(
        title="Entlassungsbericht",
        media_type="application/pdf",
        created=dt.date(2026, 2, 6),
        content=filler,
        patient_id="P-1001",
        case_id="F-2026-000123",
        kdl_code="AD010103",
    )
    message = ArchiveMessage(event=MdmEvent.T02, unique_id="KH-DOK-1", document=document)
    return encode_message(message, clock=lambda: dt.datetime(2026, 2, 9, tzinfo=dt.UTC))


def ours(data: bytes) -> bytes:
    document = read_message(data).document
    assert document is not None
    return document.read_bytes()


def with_hl7apy(data: bytes) -> bytes:
    message = parse_message(data.decode("utf-8"))
    obx = message.mdm_t02_observation.obx
    return base64.b64decode(obx.obx_5.children[4].to_er7())


def floor(data: bytes) -> bytes:
    for segment in data.split(b"\r"):
        if segment.startswith(b"OBX|"):
            return base64.b64decode(segment.split(b"|")[5].split(b"^")[4])
    raise ValueError("no OBX")


WAYS: dict[str, Callable[[bytes], bytes]] = {
    "leportal": ours,
    "hl7apy": with_hl7apy,
    "split": floor,
}


def _time(way: Callable[[bytes], bytes], data: bytes, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        way(data)
        times.append(time.perf_counter() - start)
    return min(times)  # the least disturbed run, as timeit recommends


def _peak(way: Callable[[bytes], bytes], data: bytes) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    way(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 kB and 5 MB only, fewer runs")
    args = parser.parse_args()
    plan = (
        [(100_000, 20), (5_000_000, 3)]
        if args.quick
        else [
            (100_000, 30),
            (5_000_000, 5),
            (20_000_000, 3),
        ]
    )
    print(
        f"{'PDF':>8} {'way':<9} {'MB/s':>8} {'msg/s':>9} {'vs split':>9} {'vs hl7apy':>10} "
        f"{'peak MB':>8} {'peak/msg':>9}"
    )
    for size, repeat in plan:
        data = _message(size)
        expected = floor(data)
        for way in WAYS.values():
            assert way(data) == expected
        seconds = {name: _time(way, data, repeat) for name, way in WAYS.items()}
        for name, way in WAYS.items():
            peak = _peak(way, data)
            mb_s = len(data) / seconds[name] / 1e6
            print(
                f"{size / 1e6:>6.1f}MB {name:<9} {mb_s:>8.1f} {1 / seconds[name]:>9.1f} "
                f"{seconds['split'] / seconds[name]:>8.2f}x {seconds['hl7apy'] / seconds[name]:>9.2f}x "
                f"{peak / 1e6:>8.1f} {peak / len(data):>8.2f}x"
            )
    print(
        "\nMB/s counts message bytes (base64 inflates the PDF by 4/3); 'vs' = speed relative to "
        "that way (>1 = faster); peak/msg = peak traced memory / message size."
    )


if __name__ == "__main__":
    main()
