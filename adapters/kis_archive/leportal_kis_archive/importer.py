"""Batch import: many files, folders and export folders, one document at a time.

Each input file is read and each message turned into an :class:`ImportItem` before the next is
looked at, so at most one document's content is in memory (plus the raw bytes of the current
file, which ``MdmConfig.max_message_bytes`` bounds). A bad file or message becomes an item with
problems and the import goes on. The content is sniffed whatever the message declares; PDFs are
checked with :func:`leportal_core.pdf.inspect_pdf`, and only authenticated documents (TXA-17 in
``deliverable_statuses``) whose content is a PDF that passed the check are marked deliverable. T10 replacements mark their parent *superseded*, T11 cancels mark it *cancelled*
(:class:`ImportSummary.versions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs

from leportal_core import Location, Problem, Severity
from leportal_core.files import read_input_bytes
from leportal_core.pdf import PdfPolicy, inspect_pdf
from leportal_kis_archive.config import MdmConfig
from leportal_kis_archive.export_folder import IndexLayout, read_export_folder
from leportal_kis_archive.mdm_read import iter_messages
from leportal_kis_archive.media import GENERIC_MEDIA_TYPES, same_media_type, sniff_media_type
from leportal_kis_archive.model import ImportItem, MdmEvent

__all__ = ["MESSAGE_SUFFIXES", "ImportSummary", "import_paths", "message_files"]

MESSAGE_SUFFIXES = frozenset({".hl7", ".er7", ".mdm", ".msg"})
PDF = "application/pdf"


@attrs.define(kw_only=True)
class ImportSummary:
    """Counts and version states collected while items stream past (metadata only)."""

    imported: int = 0
    rejected: int = 0
    deliverable: int = 0
    versions: dict[str, str] = attrs.field(factory=dict)

    def record(self, item: ImportItem) -> None:
        """Count ``item`` and apply its event to the version states."""
        if not item.ok:
            self.rejected += 1
            return
        self.imported += 1
        self.deliverable += item.deliverable
        message = item.message
        if message is None:
            return
        if message.event is MdmEvent.T11:
            self.versions[message.unique_id] = "cancelled"  # T11: TXA-12 names the cancelled one
            return
        if message.event is MdmEvent.T10 and message.parent_id:
            self.versions[message.parent_id] = "superseded"
        self.versions.setdefault(message.unique_id, "current")


def message_files(folder: Path) -> list[Path]:
    """The message files under ``folder`` (by suffix), sorted for a reproducible order."""
    return sorted(
        p for p in folder.rglob("*") if p.suffix.lower() in MESSAGE_SUFFIXES and p.is_file()
    )


def import_paths(
    paths: Iterable[Path],
    *,
    config: MdmConfig | None = None,
    layout: IndexLayout | None = None,
    pdf_policy: PdfPolicy | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> Iterator[ImportItem]:
    """Items for every message file, folder of message files, or export folder (a folder with an
    index) in ``paths``; ``on_file`` is called after each file (for progress bars)."""
    config = config or MdmConfig()
    layout = layout or IndexLayout()
    for path in paths:
        if path.is_dir() and (path / layout.file_name).is_file():
            for item in read_export_folder(path, layout=layout, config=config):
                yield _checked(item, pdf_policy)
            if on_file:
                on_file(path)
        elif path.is_dir():
            for file in message_files(path):
                yield from _import_file(file, config, pdf_policy)
                if on_file:
                    on_file(file)
        else:
            yield from _import_file(path, config, pdf_policy)
            if on_file:
                on_file(path)


def _import_file(path: Path, config: MdmConfig, policy: PdfPolicy | None) -> Iterator[ImportItem]:
    where = Location(file=str(path))
    try:
        size = path.stat().st_size
        if size > config.max_message_bytes:
            yield ImportItem(
                source=str(path),
                document=None,
                problems=(
                    Problem(
                        code="kis_archive.file.too_large",
                        message=f"{size} bytes; the limit is {config.max_message_bytes}",
                        location=where,
                    ),
                ),
            )
            return
        data = read_input_bytes(path, config.max_message_bytes)
    except OSError as exc:
        yield ImportItem(
            source=str(path),
            document=None,
            problems=(
                Problem(
                    code="kis_archive.file.unreadable",
                    message=f"cannot read: {exc.strerror or exc}",
                    location=where,
                ),
            ),
        )
        return
    for outcome in iter_messages(data, config=config, file=str(path)):
        source = str(path) if outcome.number == 1 else f"{path}#{outcome.number}"
        message = outcome.message
        item = ImportItem(
            source=source,
            document=message.document if message else None,
            message=message,
            problems=outcome.problems,
            deliverable=bool(message and message.deliverable and message.document),
        )
        if message is not None and message.event.carries_content and not message.deliverable:
            item = attrs.evolve(
                item,
                problems=(
                    *item.problems,
                    Problem(
                        code="kis_archive.txa17.not_deliverable",
                        message=f"completion status {message.completion_status!r} is not "
                        "authenticated; the document is imported but not offered to the MD",
                        location=Location(file=str(path), segment="TXA", field="TXA-17"),
                        severity=Severity.WARNING,
                    ),
                ),
            )
        del message
        yield _checked(item, policy)


def _checked(item: ImportItem, policy: PdfPolicy | None) -> ImportItem:
    """The delivery gate: whatever the message or index declares, the content decides.

    Only content that is a PDF and passes :func:`inspect_pdf` may stay deliverable. A declared type
    the content contradicts is a warning and makes the document not deliverable (the archive's
    metadata needs a look). Other content is imported, never deliverable: leportal cannot verify
    that it is complete (a base64 cut at a 4-character boundary still decodes).
    """
    document = item.document
    if document is None:
        return item
    if document.size == 0 and item.message is not None:
        # The reader's warning names OBX-5.5; here it rejects: there is nothing to deliver.
        refused = tuple(
            attrs.evolve(p, severity=Severity.ERROR) if p.code == "kis_archive.obx5.empty" else p
            for p in item.problems
        )
        return attrs.evolve(item, problems=refused, document=None, deliverable=False)
    where = (
        Location(file=item.source, segment="OBX", field="OBX-5")
        if item.message is not None
        else Location(file=item.source)
    )
    problems = list(item.problems)
    try:
        with document.open() as stream:
            sniffed = sniff_media_type(stream.read(1024))
    except OSError as exc:
        problems.append(
            Problem(
                code="kis_archive.file.unreadable",
                message=f"cannot read: {exc.strerror or exc}",
                location=where,
            )
        )
        return attrs.evolve(item, problems=tuple(problems), document=None, deliverable=False)
    declared = document.media_type
    mismatch = (
        sniffed is not None
        and declared not in GENERIC_MEDIA_TYPES
        and not same_media_type(declared, sniffed)
    )
    if mismatch:
        problems.append(
            Problem(
                code="kis_archive.content.type_mismatch",
                message=f"declared as {declared}, but the content is {sniffed}; check the "
                "archive's metadata (the document is not offered to the MD)",
                location=where,
                severity=Severity.WARNING,
            )
        )
    if PDF not in (sniffed, declared):
        problems.append(
            Problem(
                code="kis_archive.content.not_pdf",
                message=f"the content is {sniffed or 'of an unknown type'} (declared {declared}): "
                "only PDFs that pass the PDF check are deliverable; whether this content is "
                "complete cannot be verified",
                location=where,
                severity=Severity.WARNING,
            )
        )
        return attrs.evolve(item, problems=tuple(problems), deliverable=False)
    if sniffed == PDF and declared in GENERIC_MEDIA_TYPES:
        document = attrs.evolve(document, media_type=PDF)
    source = document.path if document.path is not None else document.read_bytes()
    verdict = inspect_pdf(source, policy=policy, name=item.source)
    return attrs.evolve(
        item,
        problems=(*problems, *verdict.problems),
        deliverable=item.deliverable and verdict.ok and not mismatch,
        document=document if verdict.ok else None,
    )
