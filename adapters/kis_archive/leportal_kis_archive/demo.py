"""Demo chapter 210: the sample archive export (``samples/archive/``) read through this adapter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from leportal_kis_archive.importer import ImportSummary, import_paths
from leportal_kis_archive.mdm_read import read_message
from leportal_kis_archive.mdm_write import document_uid, encode_message
from leportal_kis_archive.model import ArchiveMessage, MdmEvent

if TYPE_CHECKING:
    from leportal_core.demo import DemoContext, DemoStep

__all__ = ["register_steps"]


def _read_archive(context: DemoContext) -> None:
    folder = context.samples / "archive"
    summary = ImportSummary()
    for item in import_paths([folder / "export", folder / "mdm"]):
        summary.record(item)
        name = item.source.replace(str(context.samples) + "/", "")
        document = item.document
        if document is not None:
            flag = "deliverable" if item.deliverable else "NOT deliverable"
            context.say(
                f"   {name}: {document.title} [{document.kdl_code}], patient {document.patient_id}, "
                f"case {document.case_id}, {document.size} bytes, {flag}"
            )
        else:
            context.say(f"   {name}: rejected")
        for problem in item.problems:
            context.say(f"      {problem.severity.value} {problem.code}: {problem.message}")
    for uid, state in sorted(summary.versions.items()):
        context.say(f"   version {uid}: {state}")
    context.say(
        f"   {summary.imported} imported ({summary.deliverable} deliverable), "
        f"{summary.rejected} rejected"
    )


def _write_back(context: DemoContext) -> None:
    document = context.shared.get("document")
    if document is None:
        context.say("   no document from an earlier chapter; skipped")
        return
    message = ArchiveMessage(
        event=MdmEvent.T02,
        unique_id=document_uid(document),
        document=document,
        completion_status="LA",
    )
    data = encode_message(message, clock=lambda: dt.datetime(2026, 2, 9, 12, 0, tzinfo=dt.UTC))
    context.out.mkdir(parents=True, exist_ok=True)
    target = context.out / "kis_archive-mdm_t02.hl7"
    target.write_bytes(data)
    back = read_message(data)
    same = back.document is not None and back.document.sha256 == document.sha256
    context.say(
        f"   MDM^T02 for the archive: {len(data)} bytes → {target}; read back intact: {same}"
    )


def register_steps(register: Callable[[DemoStep], None]) -> None:
    """Register this adapter's demo chapters (orders 210 and 211)."""
    from leportal_core.demo import DemoStep

    register(
        DemoStep(
            order=210,
            title="Read the sample archive export (index CSV and HL7 MDM messages)",
            run=_read_archive,
        )
    )
    register(
        DemoStep(
            order=211, title="File a document back into the archive as MDM^T02", run=_write_back
        )
    )
