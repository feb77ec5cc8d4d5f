"""The result of inspecting one PDF: facts found and problems, with ``ok`` derived from them."""

from __future__ import annotations

import attrs

from leportal_core.errors import Problem, Severity, ValidationError

__all__ = ["PdfVerdict"]


@attrs.frozen(kw_only=True)
class PdfVerdict:
    """What :func:`~leportal_core.pdf.inspect_pdf` found.

    ``size`` and ``sha256`` cover the raw bytes (``None`` when the file could not be read); ``version`` is the header version (or the newer
    catalog ``/Version``); ``pdfa`` is the *claimed* PDF/A conformance from the XMP ``pdfaid``
    entries (e.g. ``"2b"``), not a validation — ``pdfa_verified`` stays ``False`` because no
    validator runs; ``active_content`` names what was found (``javascript``, ``launch``,
    ``embedded_file``); ``parsed_objects`` and ``inflated_bytes`` are the work spent (the budget's
    counters). Facts that could not be read are ``None``.
    """

    source: str | None
    size: int | None = None
    sha256: str | None = None
    version: str | None = None
    pages: int | None = None
    encrypted: bool = False
    pdfa: str | None = None
    pdfa_verified: bool = False
    active_content: tuple[str, ...] = ()
    parsed_objects: int = 0
    inflated_bytes: int = 0
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """``True`` when no problem is an error (warnings still allow the upload)."""
        return not any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that reject the file."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    def raise_for_problems(self) -> None:
        """Raise :class:`ValidationError` with every problem when the file is rejected."""
        if not self.ok:
            raise ValidationError(
                f"PDF {self.source or ''} rejected ({len(self.errors)} problems)".replace(
                    "  ", " "
                ),
                self.problems,
            )

    def as_dict(self) -> dict[str, object]:
        """JSON-ready view (the ``leportal pdf check --json`` shape)."""
        return {
            "path": self.source,
            "ok": self.ok,
            "pages": self.pages,
            "version": self.version,
            "encrypted": self.encrypted,
            "pdfa": self.pdfa,
            "pdfa_verified": self.pdfa_verified,
            "active_content": list(self.active_content),
            "sha256": self.sha256,
            "size": self.size,
            "problems": [p.as_dict() for p in self.problems],
        }
