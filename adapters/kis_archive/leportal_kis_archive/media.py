"""Media type ⇄ HL7 ED type of data (ED-2, HL7 table 0191) and data subtype (ED-3, table 0291).

``application/pdf`` is written as ``AP^PDF`` (the subtype is a local agreement, configurable);
other media types keep their MIME subtype in ED-3 so they read back exactly. Unknown ED-2 values
from foreign archives are taken as the MIME top-level type in lower case.
"""

from __future__ import annotations

__all__ = ["ed_from_media_type", "media_type_from_ed"]

_TOP_TO_ED = {"application": "AP", "image": "IM", "text": "TEXT", "audio": "AU"}
_ED_TO_TOP = {code: top for top, code in _TOP_TO_ED.items()}


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
