"""``leportal archive import|export``: MDM messages and archive export folders from the shell.

Exit status as everywhere in leportal: 0 all inputs read, 1 some input rejected, 2 usage error.
Progress goes to stderr and only when it is a terminal.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from leportal_core import ConfigurationError, Document, ValidationError
from leportal_core.cli.output import Progress, ReportedGroup, emit_json, problem_lines, shown
from leportal_core.files import write_bytes_atomic
from leportal_core.store import connect
from leportal_kis_archive.config import KdlSource, MdmConfig
from leportal_kis_archive.importer import ImportSummary, import_paths
from leportal_kis_archive.mdm_write import document_uid, encode_message
from leportal_kis_archive.model import ArchiveMessage, ImportItem, MdmEvent
from leportal_kis_archive.versions import DocumentVersions

__all__ = ["archive"]

_KDL_SOURCES = click.Choice([s.value for s in KdlSource])


@click.group(cls=ReportedGroup)
def archive() -> None:
    """Archive messages (HL7 v2 MDM) and archive export folders, both ways."""


@archive.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--kdl-source",
    type=_KDL_SOURCES,
    default="obx3",
    show_default=True,
    help="Where incoming messages carry the KDL code.",
)
@click.option(
    "--store",
    type=click.Path(path_type=Path, dir_okay=False),
    help="SQLite store that keeps document versions across runs (T10 supersedes, T11 cancels).",
)
@click.option(
    "--lenient-terminator",
    is_flag=True,
    help="Accept a last segment without CR/LF (many interface-engine samples) with a warning; "
    "by default such a file is rejected as cut short.",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def import_(
    paths: tuple[Path, ...],
    kdl_source: str,
    store: Path | None,
    lenient_terminator: bool,
    as_json: bool,
) -> None:
    """Read MDM message files, folders of them, or export folders (with index.csv).

    Only documents whose content is a PDF that passes the PDF check are deliverable, whatever
    type the message declares."""
    config = MdmConfig(kdl_source=KdlSource(kdl_source), require_terminator=not lenient_terminator)
    summary = ImportSummary()
    versions = DocumentVersions(connect(store)) if store is not None else None
    results: list[dict[str, Any]] = []
    progress = Progress(enabled=not as_json)
    files_done = 0

    def on_file(_: Path) -> None:
        nonlocal files_done
        files_done += 1
        progress.update(f"  {files_done} files, {summary.imported + summary.rejected} items")

    with progress:
        for item in import_paths(paths, config=config, on_file=on_file):
            summary.record(item)
            result = _item_dict(item)
            if versions is not None and item.ok and item.message is not None:
                versions.record(item.message, at=dt.datetime.now(dt.UTC))
            results.append(result)
            if not as_json:
                progress.clear()
                _print_item(item)
            del item  # the content goes; only the summary line stays
    if as_json:
        for result in results:
            uid = result.get("unique_id")
            if versions is not None and uid is not None:
                result["version_state"] = versions.state(uid)
            elif uid in summary.versions:
                result["version_state"] = summary.versions[uid]
        emit_json(
            {
                "ok": summary.rejected == 0,
                "imported": summary.imported,
                "rejected": summary.rejected,
                "deliverable": summary.deliverable,
                "items": results,
            }
        )
    else:
        click.echo(
            f"{summary.imported} imported ({summary.deliverable} deliverable), "
            f"{summary.rejected} rejected"
        )
    if versions is not None:
        versions.connection.close()
    sys.exit(0 if summary.rejected == 0 else 1)


def _item_dict(item: ImportItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": shown(item.source),
        "ok": item.ok,
        "deliverable": item.deliverable,
    }
    if item.message is not None:
        out["event"] = item.message.event.value
        out["unique_id"] = item.message.unique_id
        out["parent_id"] = item.message.parent_id
        out["completion_status"] = item.message.completion_status
        out["confidentiality"] = item.message.confidentiality
        out["kvnr"] = item.message.kvnr
    document = item.document
    if document is not None:
        out["document"] = {
            "title": document.title,
            "media_type": document.media_type,
            "created": document.created.isoformat(),
            "patient_id": document.patient_id,
            "case_id": document.case_id,
            "kdl_code": document.kdl_code,
            "size": document.size,
            "sha256": document.sha256,
        }
    out["problems"] = [p.as_dict() for p in item.problems]
    return out


def _print_item(item: ImportItem) -> None:
    document = item.document
    if item.ok and document is not None:
        click.echo(
            f"{shown(item.source)}: {document.title} ({document.kdl_code or 'ohne KDL'}), "
            f"patient {document.patient_id or '-'}, case {document.case_id or '-'}, "
            f"{document.size} bytes" + ("" if item.deliverable else ", NOT deliverable")
        )
    elif item.ok and item.message is not None:
        click.echo(f"{shown(item.source)}: {item.message.event.value} {item.message.unique_id}")
    else:
        click.echo(f"{shown(item.source)}: REJECTED")
    if item.problems:
        click.echo(problem_lines(item.problems))


@archive.command("export")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the .hl7 messages (created if missing).",
)
@click.option("--patient", help="Patient id (PID-3).")
@click.option("--case", "case_id", help="Case / visit number (PV1-19).")
@click.option("--kdl", "kdl_code", help="KDL code, e.g. AD010103.")
@click.option("--title", help="Document title (default: file name).")
@click.option("--date", "created", type=click.DateTime(["%Y-%m-%d"]), help="Document date.")
@click.option("--kvnr", help="KVNR of the patient (PID-3, identifier type KVNR).")
@click.option("--replaces", help="TXA-12 of the document this one replaces: writes an MDM^T10.")
@click.option("--status", default="AU", show_default=True, help="TXA-17 completion status.")
def export(
    files: tuple[Path, ...],
    out_dir: Path,
    patient: str | None,
    case_id: str | None,
    kdl_code: str | None,
    title: str | None,
    created: dt.datetime | None,
    kvnr: str | None,
    replaces: str | None,
    status: str,
) -> None:
    """Write each FILE as an MDM^T02 message (MDM^T10 with --replaces) into --out."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(out_dir, exc) from exc
    rejected = 0
    for file in files:
        try:
            document = Document.from_path(
                file,
                title=title,
                created=created.date() if created else None,
                patient_id=patient,
                case_id=case_id,
                kdl_code=kdl_code,
            )
            event = MdmEvent.T10 if replaces else MdmEvent.T02
            message = ArchiveMessage(
                event=event,
                unique_id=document_uid(document),
                document=document,
                parent_id=replaces,
                kvnr=kvnr,
                completion_status=status,
            )
            data = encode_message(message, config=MdmConfig())
        except ValidationError as exc:
            rejected += 1
            click.echo(f"{shown(str(file))}: REJECTED")
            click.echo(problem_lines(exc.problems))
            continue
        target = out_dir / f"{file.stem}.hl7"
        try:
            write_bytes_atomic(target, data)
        except OSError as exc:  # a read-only folder, a full disk: nothing half-written stays
            raise _unwritable(target, exc) from exc
        click.echo(
            f"{shown(str(file))} → {shown(str(target))} (MDM^{event.value}, TXA-12 {message.unique_id})"
        )
    sys.exit(0 if rejected == 0 else 1)


def _unwritable(path: Path, exc: OSError) -> ConfigurationError:
    return ConfigurationError(f"cannot write {shown(str(path))}: {exc.strerror or exc}")
