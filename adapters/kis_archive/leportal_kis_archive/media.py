"""Media type ⇄ HL7 ED type of data (ED-2, HL7 table 0191) and data subtype (ED-3, table 0291),
and the media type the content itself shows (:func:`sniff_media_type`).

``application/pdf`` is written as ``AP^PDF`` (the subtype is a local agreement, configurable);
other media types keep their MIME subtype in ED-3 so they read back exactly. Unknown ED-2 values
from foreign archives are taken as the MIME top-level type in lower case.
"""

from __future__ import annotations

__all__ = [
    "GENERIC_MEDIA_TYPES",
    "ed_from_media_type",
    "media_type_from_ed",
    "same_media_type",
    "sniff_media_type",
]

_TOP_TO_ED = {"application": "AP", "image": "IM", "text": "TEXT", "audio": "AU"}
_ED_TO_TOP = {code: top for top, code in _TOP_TO_ED.items()}
# Declarations that say nothing about the format: never "disagree" with what the content shows.
GENERIC_MEDIA_TYPES = frozenset({"application/octet-stream", "application/unknown"})
# Signatures at offset 0 (the "magic numbers" of each format's specification). PDF is not here:
# ISO 32000-1 §7.5.2 lets the header follow up to 1024 bytes of junk, as the core check does.
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"PK\x03\x04", "application/zip"),
    (b"{\\rtf", "application/rtf"),
)
_ALIASES = {"image/jpg": "image/jpeg", "text/xml": "application/xml", "image/tif": "image/tiff"}


def ed_from_media_type(media_type: str, pdf_subtype: str = "PDF") -> tuple[str, str]:
    """ED-2 and ED-3 for ``media_type``.

    >>> ed_from_media_type("application/pdf")
    ('AP', 'PDF')
    >>> ed_from_media_type("image/jpeg")
    ('IM', 'jpeg')
    """
    top, _, subtype = media_type.partition("/")
    if media_type == "application/pdf":
        return "AP", pdf_subtype
    return _TOP_TO_ED.get(top, top), subtype


def media_type_from_ed(type_of_data: str, subtype: str, pdf_subtype: str = "PDF") -> str:
    """The media type ED-2 and ED-3 stand for; without a subtype, ``application/octet-stream``.

    >>> media_type_from_ed("AP", "PDF"), media_type_from_ed("IM", "JPEG")
    ('application/pdf', 'image/jpeg')
    """
    if type_of_data == "AP" and subtype.upper() == pdf_subtype.upper():
        return "application/pdf"
    top = _ED_TO_TOP.get(type_of_data, type_of_data.lower())
    if not top or not subtype:
        return "application/octet-stream"
    return f"{top}/{subtype.lower()}"


def sniff_media_type(head: bytes) -> str | None:
    """The media type the first bytes of a content show; ``None`` when no known signature fits.

    >>> sniff_media_type(b"%PDF-1.7"), sniff_media_type(b"\\xff\\xd8\\xff\\xe0"), sniff_media_type(b"??")
    ('application/pdf', 'image/jpeg', None)
    """
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<?xml") or text.startswith(b"<ClinicalDocument"):
        return "application/xml"
    return None


def same_media_type(declared: str, sniffed: str) -> bool:
    """``True`` when ``declared`` names the format ``sniffed`` (``image/jpg`` is ``image/jpeg``,
    any ``…+xml`` or ``text/xml`` is XML, a ZIP-based office format is ZIP)."""
    declared = _ALIASES.get(declared, declared)
    if declared == sniffed:
        return True
    if sniffed == "application/xml":
        return declared.endswith("+xml") or declared == "application/xml"
    if sniffed == "application/zip":
        return declared.startswith("application/vnd.") or declared.endswith("+zip")
    return False
