"""FHIR adapter benchmark: ISiK DocumentReferences exported and imported per second.

    python bench/bench_fhir.py            # metadata only and 1 MB inline content
    python bench/bench_fhir.py --quick    # fewer rounds

For two payloads — metadata only (empty content) and 1 MB inline content — it times:
leportal's export (``to_resource`` + compact JSON) and import (strict JSON, base64, SHA-1 and size
verified, Document + ISiK metadata built); building the same resource with ``fhir.resources.R4B``
pydantic models and serialising it, and loading it back with ``model_validate_json``; and the floor,
``json.dumps``/``json.loads`` of the same hand-built dict. Ratios are against the floor.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

from fhir.resources.R4B.documentreference import DocumentReference

from leportal_core import Document
from leportal_fhir import read_document_reference, to_resource
from leportal_fhir.document_reference import dump


def _document(content: bytes) -> Document:
    return Document(
        title="Entlassungsbericht Kardiologie",
        media_type="application/pdf",
        created=dt.date(2026, 2, 6),
        content=content,
        patient_id="P-1001",
        case_id="F-2026-000123",
        kdl_code="AD010103",
    )


def _rate(function: Callable[[], object], seconds: float) -> float:
    """Calls per second, repeated until ``seconds`` have passed (at least 3 calls)."""
    function()  # warm-up: caches, imports
    calls, started = 0, time.perf_counter()
    while True:
        function()
        calls += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds and calls >= 3:
            return calls / elapsed


def _models(resource: dict[str, Any]) -> Callable[[], bytes]:
    """Build the resource as fhir.resources models (the way a user of that library would) and
    serialise it."""

    def build() -> bytes:
        model = DocumentReference(**resource)
        return model.model_dump_json(exclude_none=True).encode()

    return build


def _measure(label: str, content: bytes, seconds: float) -> list[tuple[str, str, float, float]]:
    document = _document(content)
    data = dump(to_resource(document))
    # The floor: the same dict, written and read by the standard library only.
    floor_dict = json.loads(data)
    floor_out = _rate(lambda: json.dumps(floor_dict).encode(), seconds)
    floor_in = _rate(lambda: json.loads(data), seconds)
    ours_out = _rate(lambda: dump(to_resource(document)), seconds)
    ours_in = _rate(lambda: read_document_reference(data), seconds)
    models_out = _rate(_models(floor_dict), seconds)
    models_in = _rate(lambda: DocumentReference.model_validate_json(data), seconds)
    # fhir.resources does not decode the base64 or check hash and size: a user does that on top.
    attachment = floor_dict["content"][0]["attachment"]
    assert len(base64.b64decode(attachment.get("data", ""))) == attachment["size"]
    return [
        (label, "export: json.dumps of a hand-built dict (floor)", floor_out, 1.0),
        (label, "export: leportal to_resource + JSON", ours_out, ours_out / floor_out),
        (label, "export: fhir.resources R4B model + JSON", models_out, models_out / floor_out),
        (label, "import: json.loads (floor, nothing checked)", floor_in, 1.0),
        (label, "import: leportal (hash+size verified)", ours_in, ours_in / floor_in),
        (label, "import: fhir.resources model_validate_json", models_in, models_in / floor_in),
    ]


def run(seconds: float) -> list[tuple[str, str, float, float]]:
    rows: list[tuple[str, str, float, float]] = []
    for label, content in (("metadata only", b""), ("1 MB inline", bytes(range(256)) * 4096)):
        rows += _measure(label, content, seconds)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 0.2 s per measurement")
    args = parser.parse_args()
    rows = run(0.2 if args.quick else 1.0)
    print(f"{'payload':<14} {'what':<46} {'per second':>12} {'vs floor':>9}")
    for label, what, rate, ratio in rows:
        print(f"{label:<14} {what:<46} {rate:>12,.0f} {ratio:>8.2f}x")


if __name__ == "__main__":
    main()
