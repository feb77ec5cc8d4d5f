"""PDF checks before a document goes to the Medizinischer Dienst: :func:`inspect_pdf` returns a
:class:`PdfVerdict` (size, SHA-256, pages, version, claimed PDF/A, active content, problems) under a
:class:`PdfPolicy` (size limit per MD, reject or warn on active content). See ``docs/documents.md``.
"""

from __future__ import annotations

from leportal_core.pdf._inspect import inspect_pdf
from leportal_core.pdf.policy import DEFAULT_MAX_SIZE, ActiveContentAction, PdfPolicy
from leportal_core.pdf.verdict import PdfVerdict

__all__ = ["DEFAULT_MAX_SIZE", "ActiveContentAction", "PdfPolicy", "PdfVerdict", "inspect_pdf"]
