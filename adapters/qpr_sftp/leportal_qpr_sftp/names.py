"""Remote file names are untrusted: :func:`check_remote_name` refuses what could escape the remote
folder or confuse a person (path separators, ``.``/``..``, control characters), and
:func:`local_name` turns an accepted name into one that is safe on Windows and POSIX file systems.
Which names are reserved on Windows: Microsoft, "Naming Files, Paths, and Namespaces".
"""

from __future__ import annotations

import unicodedata

from leportal_core.validation import is_printable

__all__ = ["MAX_NAME_BYTES", "check_remote_name", "local_name", "numbered"]

MAX_NAME_BYTES = 200  # leaves room for " (n)" and ".pdf" within the usual 255-byte limit
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)
}
_WINDOWS_FORBIDDEN = set('<>:"|?*')


def check_remote_name(name: str) -> str | None:
    """Why ``name`` must not be fetched, or ``None`` when it may be.

    >>> check_remote_name("Pruefbericht_260326822.pdf") is None
    True
    >>> check_remote_name("../../etc/passwd")
    'contains a path separator'
    >>> check_remote_name("..")
    'is a relative folder reference'
    """
    if not name:
        return "is empty"
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if name in {".", ".."}:
        return "is a relative folder reference"
    # The kit's strict rule (every C* category), plus the line and paragraph separators (Zl, Zp).
    if not is_printable(name, strict=True) or "\u2028" in name or "\u2029" in name:
        return "contains control or invisible formatting characters"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes"
    return None


def local_name(remote: str, *, pdf: bool = True) -> str:
    """The local file name for an accepted remote name: NFC, Windows-safe, and (``pdf``) ending in
    ``.pdf`` so a filed report opens as what it is.

    >>> local_name("Bericht:2026?.PDF")
    'Bericht_2026_.PDF'
    >>> local_name("con")
    '_con.pdf'
    >>> local_name(".hidden")
    '_hidden.pdf'
    >>> local_name("notiz.txt", pdf=False)
    'notiz.txt'
    """
    name = unicodedata.normalize("NFC", remote)
    name = "".join("_" if c in _WINDOWS_FORBIDDEN else c for c in name).rstrip(" .")
    if not name:
        name = "unbenannt"
    if name.startswith(".") or name.startswith("-"):
        name = "_" + name[1:]
    if pdf and not name.lower().endswith(".pdf"):
        name += ".pdf"
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        name = "_" + name
    return _fit(name)


def _fit(name: str) -> str:
    """Shorten the stem so the name has at most :data:`MAX_NAME_BYTES` UTF-8 bytes: NFC can make
    a name longer (e.g. U+0958 becomes two code points), past the file system's limit.

    >>> len(_fit("\u0958" * 66 + ".pdf").encode())
    199
    """
    if len(name.encode("utf-8", "surrogateescape")) <= MAX_NAME_BYTES:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = name, ""
    tail = f".{suffix}" if suffix else ""
    room = MAX_NAME_BYTES - len(tail.encode("utf-8", "surrogateescape"))
    while len(stem.encode("utf-8", "surrogateescape")) > room:
        stem = stem[:-1]
    return stem + tail


def numbered(name: str, n: int) -> str:
    """The ``n``-th alternative when ``name`` is taken.

    >>> numbered("bericht.pdf", 2)
    'bericht (2).pdf'
    """
    stem, dot, suffix = name.rpartition(".")
    return f"{stem} ({n}).{suffix}" if dot else f"{name} ({n})"
