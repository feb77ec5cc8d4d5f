"""Read the *claimed* PDF/A conformance from a PDF's XMP metadata.

ISO 19005 (PDF/A) requires the XMP properties ``pdfaid:part`` and ``pdfaid:conformance``
(namespace ``http://www.aiim.org/pdfa/ns/id/``) in the catalog's ``/Metadata`` stream, written as
attributes or as elements. They are read with regular expressions, never an XML parser, so entity
expansion ("billion laughs") and external entities cannot be triggered. The stream is inflated here
with an output cap (``zlib.decompressobj(...).decompress(data, max_length)``), so a metadata
decompression bomb costs at most the cap. The packet may be UTF-8, UTF-16 or UTF-32 (XMP Part 1
§7.3.2, the byte order from a BOM or from the zero bytes around the first ``<``).

This reports what the file *claims*; it is not a PDF/A validation. A claim ISO 19005 does not
define — a part other than 1–4, conformance other than A/B (part 1), A/B/U (parts 2, 3), none/E/F
(part 4) — is reported as invalid (:attr:`PdfaClaim.valid`).
"""

from __future__ import annotations

import re
import zlib

import attrs
from pypdf.generic import StreamObject

__all__ = ["MAX_XMP", "PdfaClaim", "XmpBomb", "claimed_pdfa"]

MAX_XMP = 4_000_000
_PART = re.compile(r"pdfaid:part\s*(?:=\s*[\"']\s*|>\s*)([^\"'<\s]{0,20})")
_CONFORMANCE = re.compile(r"pdfaid:conformance\s*(?:=\s*[\"']\s*|>\s*)([^\"'<\s]{0,20})")
# ISO 19005-1 §6.7.11, -2/-3 §6.6.4, -4 §6.6.4: the conformance levels each part defines.
_LEVELS = {"1": ("a", "b"), "2": ("a", "b", "u"), "3": ("a", "b", "u"), "4": ("", "e", "f")}
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


@attrs.frozen
class PdfaClaim:
    """The ``pdfaid`` part and conformance exactly as written (conformance may be empty)."""

    part: str
    conformance: str

    @property
    def valid(self) -> bool:
        return self.conformance.lower() in _LEVELS.get(self.part, ())

    @property
    def label(self) -> str:
        """``"2b"``, ``"4"``, ``"4f"`` …"""
        return self.part + self.conformance.lower()


def _text(data: bytes) -> str:
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    return data.decode("utf-8", errors="replace")


class XmpBomb(Exception):
    """The metadata stream inflates beyond :data:`MAX_XMP` bytes."""


def _decoded(metadata: StreamObject) -> bytes | None:
    raw = metadata._data  # the raw (still encoded) bytes pypdf read for this stream object
    if not isinstance(raw, bytes) or len(raw) > MAX_XMP:
        return None
    filters = metadata.get("/Filter")
    if filters is None:
        return raw
    if filters not in ("/FlateDecode", ["/FlateDecode"]) or "/DecodeParms" in metadata:
        return None  # PDF/A writers store XMP plain or flate; anything else is no readable claim
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, MAX_XMP)
    except zlib.error:
        return None
    if inflater.unconsumed_tail:
        raise XmpBomb(f"the XMP metadata inflates beyond {MAX_XMP} bytes")
    return data


def claimed_pdfa(metadata: StreamObject) -> PdfaClaim | None:
    """The claim, or ``None`` when the metadata claims no PDF/A part.

    Undecodable metadata counts as no claim; metadata that inflates beyond :data:`MAX_XMP` raises
    :class:`XmpBomb`.
    """
    data = _decoded(metadata)
    if data is None:
        return None
    text = _text(data)
    part = _PART.search(text)
    if part is None:
        return None
    conformance = _CONFORMANCE.search(text)
    return PdfaClaim(part.group(1), conformance.group(1) if conformance else "")
