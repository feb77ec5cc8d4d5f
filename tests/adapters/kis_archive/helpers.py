"""Shared builders for the kis_archive tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from leportal_core import Document

ROOT = Path(__file__).resolve().parents[3]
DATA = Path(__file__).parent / "data"
SAMPLES = ROOT / "samples"
PDF = (SAMPLES / "entlassungsbericht.pdf").read_bytes()
FIXED = dt.datetime(2026, 2, 9, 12, 0, tzinfo=dt.UTC)


def clock() -> dt.datetime:
    return FIXED


def pdf_document(**changes: object) -> Document:
    fields: dict[str, object] = {
        "title": "Entlassungsbericht Kardiologie",
        "media_type": "application/pdf",
        "created": dt.date(2026, 2, 6),
        "content": PDF,
        "patient_id": "P-1001",
        "case_id": "F-2026-000123",
        "kdl_code": "AD010103",
    }
    fields.update(changes)
    return Document(**fields)  # type: ignore[arg-type]


def message_bytes(*segments: str, sep: str = "\r") -> bytes:
    return (sep.join(segments) + sep).encode("utf-8")
