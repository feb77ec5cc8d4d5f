"""Safe, unique, stable file and folder names for the upload folder.

The LE-Portal leaves file names free (eVV; MD Saarland); they still travel through Windows
machines, browsers and the portal, so names are reduced to ASCII letters, digits, ``-``, ``_`` and
``.``: German letters are transliterated (ä → ae, ß → ss), path separators and reserved characters
(``<>:"/\\|?*``, control characters) become ``_``, leading dots go (no hidden files, no ``..``),
Windows' reserved device names (CON, NUL, COM1, …) get ``_`` right after the device name (Windows
reserves ``CON.txt.pdf`` as it does ``CON``: what counts is the part before the first dot), and
names are capped at 100 characters. Collisions get ``-2``, ``-3`` … in a stable order.
"""

from __future__ import annotations

import re
import unicodedata

from leportal_core.category import Category

__all__ = ["CATEGORY_FOLDERS", "safe_stem", "unique_names"]

CATEGORY_FOLDERS = {
    Category.HOSPITAL_REPORTS: "1_KH-Berichte",
    Category.CHART_AND_CARE_RECORDS: "2_Kurve-Pflege-Arzt-Doku",
    Category.TECHNICAL_AND_LAB_FINDINGS: "3_Technische-Laborbefunde",
    Category.ADDITIONAL: "4_Zusaetzliche-Informationen",
}
_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])$", re.IGNORECASE)
MAX_STEM = 100


def safe_stem(text: str, *, fallback: str = "dokument") -> str:
    """A file-name stem that is safe on every platform.

    >>> safe_stem("Entlassungsbericht Dr. Müller / Station 3")
    'Entlassungsbericht_Dr.Mueller_Station_3'
    >>> safe_stem("../../etc/passwd")
    'etc_passwd'
    >>> safe_stem("NUL")
    'NUL_'
    >>> safe_stem("CON.txt")
    'CON_.txt'
    """
    text = unicodedata.normalize("NFC", text).translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("_", text)
    stem = re.sub(r"_*\._*", ".", stem)  # "Dr. " → "Dr." keeps names readable
    stem = re.sub(r"\.{2,}", ".", stem).strip("._-")[:MAX_STEM].strip("._-")
    if stem.lower().endswith(".pdf"):
        stem = stem[:-4].rstrip("._-")
    if not stem:
        stem = fallback
    device, dot, rest = stem.partition(".")
    if _RESERVED.match(device):
        stem = f"{device}_{dot}{rest}"[:MAX_STEM]
    return stem


def unique_names(stems: list[str], suffix: str = ".pdf") -> list[str]:
    """File names for ``stems`` in order, made unique case-insensitively with ``-2``, ``-3``….

    >>> unique_names(["a", "A", "a", "b"])
    ['a.pdf', 'A-2.pdf', 'a-3.pdf', 'b.pdf']
    """
    used: set[str] = set()
    names = []
    for stem in stems:
        candidate, number = stem, 1
        while (candidate + suffix).lower() in used:
            number += 1
            candidate = f"{stem}-{number}"
        used.add((candidate + suffix).lower())
        names.append(candidate + suffix)
    return names
