"""``leportal archive import|export``: MDM messages and archive export folders from the shell.

Exit status as everywhere in leportal: 0 all inputs read, 1 some input rejected, 2 usage error
(docs/cli.md; errors are mapped by the CLI's one reporter). Progress goes to stderr and only when
it is a terminal.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from leportal_core import ConfigurationError, Document, Problem, StorageError, ValidationError
from leportal_core.cli.output import (
    Progress,
    ReportedGroup,
    Result,
    problem_lines,
    report,
    shown,
)
from leportal_core.cli.params import (
    DATE,
    InputPath,
    json_option,
    out_option,
    store_alias_option,
    store_location,
)
from leportal_core.files import output_error, write_bytes_atomic
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
@click.argument("paths", nargs=-1, required=True, type=InputPath(dir_okay=True))
@click.option(
    "--kdl-source",
    type=_KDL_SOURCES,
    default="obx3",
    show_default=True,
    help="Where incoming messages carry the KDL code.",
)
@store_alias_option
@click.option(
    "--lenient-terminator",
    is_flag=True,
    help="Accept a last segment without CR/LF (many interface-engine samples) with a warning; "
    "by default such a file is rejected as cut short.",
)
@json_option
@click.pass_context
def import_(
    ctx: click.Context,
    paths: tuple[Path, ...],
    kdl_source: str,
    store_alias: str | None,
    lenient_terminator: bool,
    as_json: bool,
) -> None:
    """Read MDM message files, folders of them, or export folders (with index.csv).

    Only documents whose content is a PDF that passes the PDF check are deliverable, whatever
    type the message declares. With `leportal --store`, the store keeps document versions across
    runs (T10 supersedes, T11 cancels)."""
    config = MdmConfig(kdl_source=KdlSource(kdl_source), require_terminator=not lenient_terminator)
    summary = ImportSummary()
    store = store_location(ctx, store_alias)
    versions = DocumentVersions(connect(store)) if store is not None else None
    results: list[dict[str, Any]] = []
    problems: list[Problem] = []
    progress = Progress(enabled=not as_json)
    files_done = 0

    def on_file(_: Path) -> None:
        nonlocal files_done
        files_done += 1
        progress.update(f"  {files_done} files, {summary.imported + summary.rejected} items")

    with progress:
        for item in import_paths(paths, config=config, on_file=on_file):
            summary.record(item)
            problems.extend(item.problems)
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
    if versions is not None:
        versions.connection.close()
    line = (
        f"{summary.imported} imported ({summary.deliverable} deliverable), "
        f"{summary.rejected} rejected"
    )
    data = {
        "imported": summary.imported,
        "rejected": summary.rejected,
        "deliverable": summary.deliverable,
        "items": results,
    }
    report(Result(summary.rejected == 0, problems, data, lambda: click.echo(line)), as_json=as_json)


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
@click.argument("files", nargs=-1, required=True, type=InputPath())
@out_option(
    "Folder for the .hl7 messages (created if missing).",
    name="out_dir",
    required=True,
    file_okay=False,
)
@click.option("--patient", help="Patient id (PID-3).")
@click.option("--case", "case_id", help="Case / visit number (PV1-19).")
@click.option("--kdl", "kdl_code", help="KDL code, e.g. AD010103.")
@click.option("--title", help="Document title (default: file name).")
@click.option("--date", "created", type=DATE, help="Document date.")
@click.option("--kvnr", help="KVNR of the patient (PID-3, identifier type KVNR).")
@click.option("--replaces", help="TXA-12 of the document this one replaces: writes an MDM^T10.")
@click.option("--status", default="AU", show_default=True, help="TXA-17 completion status.")
@json_option
def export(
    files: tuple[Path, ...],
    out_dir: Path,
    patient: str | None,
    case_id: str | None,
    kdl_code: str | None,
    title: str | None,
    created: dt.date | None,
    kvnr: str | None,
    replaces: str | None,
    status: str,
    as_json: bool,
) -> None:
    """Write each FILE as an MDM^T02 message (MDM^T10 with --replaces) into --out."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(out_dir, exc) from exc
    problems: list[Problem] = []
    written: list[dict[str, Any]] = []
    say = (lambda _: None) if as_json else click.echo
    for file in files:
        try:
            document = Document.from_path(
                file,
                title=title,
                created=created,
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
            problems.extend(exc.problems)
            written.append(
                {
                    "file": shown(str(file)),
                    "ok": False,
                    "problems": [p.as_dict() for p in exc.problems],
                }
            )
            say(f"{shown(str(file))}: REJECTED\n{problem_lines(exc.problems)}")
            continue
        target = out_dir / f"{file.stem}.hl7"
        try:
            write_bytes_atomic(target, data)
        except OSError as exc:  # a read-only folder, a full disk: nothing half-written stays
            raise _unwritable(target, exc) from exc
        written.append(
            {
                "file": shown(str(file)),
                "ok": True,
                "message": shown(str(target)),
                "event": event.value,
                "unique_id": message.unique_id,
                "problems": [],
            }
        )
        say(
            f"{shown(str(file))} → {shown(str(target))} (MDM^{event.value}, TXA-12 {message.unique_id})"
        )
    ok = all(entry["ok"] for entry in written)
    report(Result(ok, problems, {"files": written}), as_json=as_json)  # text was said as it went


def _unwritable(path: Path, exc: OSError) -> StorageError | ConfigurationError:
    return output_error(path, exc)
