"""MDM import: leportal against the string-split floor, hl7apy and python-hl7 (issue 19).

    python bench/bench_kis_archive.py            # 100 kB, 5 MB and 20 MB documents
    python bench/bench_kis_archive.py --quick    # 100 kB and 5 MB, fewer repeats

Four ways to get the document bytes out of one MDM^T02 message:

- ``leportal``: :func:`leportal_kis_archive.read_message` — every field mapped and checked, the
  base64 decoded strictly, a core Document built (with its SHA-256);
- ``split``: the floor — split the bytes at CR, ``|`` and ``^`` and decode the base64, nothing
  checked or mapped;
- ``hl7apy``: a full parse with hl7apy's defaults (``parse_message``), then OBX-5.5 decoded;
- ``python-hl7``: ``hl7.parse`` of the text, then OBX-5.5 decoded.

The ratios are the anchor's CPU time divided by leportal's (``time.process_time``; contenders
interleaved; minimum of the repeats; higher is better). ``peak/msg`` is the peak memory one import
allocates (tracemalloc, separate run; the message itself, already in memory, is not counted)
divided by the message size.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "adapters" / "kis_archive"))

import hl7  # type: ignore[import-untyped]  # noqa: E402
from _cpu import interleaved, traced_peak  # noqa: E402
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


def floor(data: bytes) -> bytes:
    for segment in data.split(b"\r"):
        if segment.startswith(b"OBX|"):
            return base64.b64decode(segment.split(b"|")[5].split(b"^")[4])
    raise ValueError("no OBX")


def with_hl7apy(data: bytes) -> bytes:
    message = parse_message(data.decode("utf-8"))
    obx = message.mdm_t02_observation.obx
    return base64.b64decode(obx.obx_5.children[4].to_er7())


def with_python_hl7(data: bytes) -> bytes:
    message = hl7.parse(data.decode("utf-8"))
    return base64.b64decode(message["OBX.F5.R1.C5"])


WAYS: dict[str, Callable[[bytes], bytes]] = {
    "leportal": ours,
    "split": floor,
    "hl7apy": with_hl7apy,
    "python-hl7": with_python_hl7,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 kB and 5 MB only, fewer runs")
    args = parser.parse_args()
    plan = (
        [(100_000, 20, 3), (5_000_000, 1, 5)]
        if args.quick
        else [(100_000, 50, 5), (5_000_000, 2, 7), (20_000_000, 1, 7)]
    )
    print(
        f"{'PDF':>8} {'way':<11} {'MB/s':>7} {'vs split':>9} {'vs hl7apy':>10} "
        f"{'vs python-hl7':>14} {'peak/msg':>9}"
    )
    for size, count, repeats in plan:
        data = _message(size)
        expected = floor(data)
        for way in WAYS.values():
            assert way(data) == expected
        rates = interleaved(
            {name: (lambda way=way, data=data: way(data)) for name, way in WAYS.items()},
            count,
            repeats,
        )
        for name, way in WAYS.items():
            peak = traced_peak(lambda way=way, data=data: way(data))
            print(
                f"{size / 1e6:>6.1f}MB {name:<11} {len(data) * rates[name] / 1e6:>7.1f} "
                f"{rates[name] / rates['split']:>8.2f}x {rates[name] / rates['hl7apy']:>9.2f}x "
                f"{rates[name] / rates['python-hl7']:>13.2f}x {peak / len(data):>8.2f}x"
            )
    print(
        "\nMB/s: message bytes per CPU second (base64 makes the message 4/3 of the PDF); "
        "'vs X' = speed relative to X (>1 = faster); peak/msg = traced peak / message size."
    )


if __name__ == "__main__":
    main()
