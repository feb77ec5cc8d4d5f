"""FHIR DocumentReference import (and export): leportal against fhir.resources R4B (issue 19).

    python bench/bench_fhir.py            # metadata only and 1 MB inline content
    python bench/bench_fhir.py --quick    # fewer repeats

Import: leportal's :func:`read_document_reference` (strict JSON, base64, ``size`` and SHA-1
``hash`` verified, Document with its SHA-256 and the ISiK metadata built) against
``DocumentReference.model_validate_json`` of fhir.resources R4B — which decodes the base64 but
checks neither hash nor size, so the anchor for inline content does that on top, as a user would.
Export: ``to_resource`` + JSON against building the fhir.resources model and dumping it. The
ratios are the anchor's CPU time divided by leportal's (``time.process_time``, contenders
interleaved, minimum of the repeats; higher is better). ``json.loads``/``json.dumps`` of the same
resource (nothing checked) is printed as the floor, for context.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Callable

from _cpu import interleaved
from fhir.resources import __version__ as fhir_resources_version
from fhir.resources.R4B.documentreference import DocumentReference

from leportal_core import Document
from leportal_fhir import read_document_reference, to_resource
from leportal_fhir.document_reference import dump

PAYLOADS = (("metadata only", b""), ("1 MB inline", bytes(range(256)) * 4096))


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


def anchor_import(data: bytes) -> object:
    """fhir.resources' import plus the size and hash check leportal does (when there is data)."""
    model = DocumentReference.model_validate_json(data)
    attachment = model.content[0].attachment
    if attachment.data is not None:
        digest = hashlib.sha1(attachment.data).digest()
        if attachment.size != len(attachment.data) or attachment.hash != digest:
            raise ValueError("hash or size mismatch")
    return model


def contenders(content: bytes) -> tuple[dict[str, Callable[[], object]], dict[str, str]]:
    document = _document(content)
    resource = to_resource(document)
    data = dump(resource)
    plain = json.loads(data)
    assert read_document_reference(data).document == document
    anchor_import(data)
    ways: dict[str, Callable[[], object]] = {
        "import leportal": lambda: read_document_reference(data),
        "import fhir.resources": lambda: anchor_import(data),
        "import json.loads": lambda: json.loads(data),
        "export leportal": lambda: dump(to_resource(document)),
        "export fhir.resources": lambda: (
            DocumentReference(**plain).model_dump_json(exclude_none=True).encode()
        ),
        "export json.dumps": lambda: json.dumps(plain).encode(),
    }
    anchors = {
        "import leportal": "import fhir.resources",
        "export leportal": "export fhir.resources",
    }
    return ways, anchors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    print(f"fhir.resources {fhir_resources_version}, Python {sys.version.split()[0]}")
    print(f"{'payload':<14} {'way':<22} {'per CPU second':>15} {'ratio':>30}")
    for label, content in PAYLOADS:
        ways, anchors = contenders(content)
        count = (200 if args.quick else 1000) if not content else (5 if args.quick else 20)
        rates = interleaved(ways, count, 3 if args.quick else 7)
        for name, rate in rates.items():
            ratio = ""
            if name in anchors:
                ratio = f"{rate / rates[anchors[name]]:.2f}x vs fhir.resources"
            print(f"{label:<14} {name:<22} {rate:>15,.0f} {ratio:>30}")
    print("\nratio = fhir.resources' CPU time / leportal's (higher is better).")


if __name__ == "__main__":
    main()
