"""Read the *claimed* PDF/A conformance from a PDF's XMP metadata.

ISO 19005 (PDF/A) requires the XMP properties ``pdfaid:part`` and ``pdfaid:conformance``
(namespace ``http://www.aiim.org/pdfa/ns/id/``) in the catalog's ``/Metadata`` stream, written as
attributes or as elements. They are read with regular expressions, never an XML parser, so entity
expansion ("billion laughs") and external entities cannot be triggered. The stream is inflated here
with an output cap (``zlib.decompressobj(...).decompress(data, max_length)``), so a metadata
decompression bomb costs at most the cap. This reports what the file *claims*; it is not a PDF/A
validation.
"""

from __future__ import annotations

import re
import zlib

from pypdf.generic import StreamObject

__all__ = ["MAX_XMP", "XmpBomb", "claimed_pdfa"]

MAX_XMP = 4_000_000
_PART = re.compile(rb"pdfaid:part\s*(?:=\s*[\"']\s*|>\s*)([1-4])")
_CONFORMANCE = re.compile(rb"pdfaid:conformance\s*(?:=\s*[\"']\s*|>\s*)([A-Za-z])")


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


def claimed_pdfa(metadata: StreamObject) -> str | None:
    """``"2b"``, ``"1a"``, ``"4"`` … or ``None`` when the metadata claims no PDF/A part.

    Undecodable metadata counts as no claim; metadata that inflates beyond :data:`MAX_XMP` raises
    :class:`XmpBomb`.
    """
    data = _decoded(metadata)
    if data is None:
        return None
    part = _PART.search(data)
    if part is None:
        return None
    conformance = _CONFORMANCE.search(data)
    return part.group(1).decode() + (conformance.group(1).decode().lower() if conformance else "")
