"""Write the upload-ready folder of a delivery, atomically, with a deterministic ``manifest.json``.

Layout (``docs/documents.md``)::

    <out>/
      manifest.json
      1_KH-Berichte/<name>.pdf
      2_Kurve-Pflege-Arzt-Doku/…
      3_Technische-Laborbefunde/…
      4_Zusaetzliche-Informationen/…

The folder is built next to its target as ``.<name>.partial`` (every file and the manifest
fsynced), then swapped in by rename. When ``<out>`` already exists the old one is first renamed to
``.<name>.previous``; a crash between the two renames leaves ``.<name>.previous`` complete, and the
next build puts it back before doing anything else. So a reader of ``<out>`` finds the old folder
or the complete new one, never a half one. The manifest holds no clock time unless the caller
passes ``created``: the same inputs give a byte-identical manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, BinaryIO

from leportal_core.delivery.names import CATEGORY_FOLDERS, safe_stem, unique_names
from leportal_core.delivery.plan import CheckedDocument, DeliveryPlan
from leportal_core.errors import ConfigurationError, Location, Problem, ValidationError
from leportal_core.files import fsync_directory

__all__ = ["MANIFEST_FORMAT", "MANIFEST_NAME", "build_folder", "manifest_bytes"]

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "leportal.delivery.manifest/1"
_CHUNK = 1 << 20


def _layout(plan: DeliveryPlan) -> list[tuple[str, CheckedDocument]]:
    """(relative path, document) for every accepted document, in stable order."""
    placed: list[tuple[str, CheckedDocument]] = []
    for category, folder in CATEGORY_FOLDERS.items():
        members = [c for c in plan.accepted if c.classification.category is category]
        stems = [
            (safe_stem(c.source.document.title, fallback=safe_stem(c.source.id)), c)
            for c in members
        ]
        stems.sort(key=lambda pair: (pair[0].lower(), pair[1].source.id))
        names = unique_names([stem for stem, _ in stems])
        placed += [(f"{folder}/{name}", c) for name, (_, c) in zip(names, stems, strict=True)]
    return placed


def manifest_bytes(plan: DeliveryPlan, *, created: str | None = None) -> bytes:
    """The manifest for ``plan`` as UTF-8 JSON bytes (deterministic for the same inputs)."""
    items_of: dict[str, list[str]] = {}
    for match in plan.matches:
        items_of.setdefault(match.document_id, []).append(match.item_id)
    files = [
        {
            "path": path,
            "category": c.classification.category.value,
            "category_label": c.classification.category.label,
            "size": c.verdict.size,
            "sha256": c.verdict.sha256,
            "pages": c.verdict.pages,
            "document_id": c.source.id,
            "title": c.source.document.title,
            "items": sorted(items_of.get(c.source.id, [])),
            "classification": {
                "rule": c.classification.rule,
                "reason": c.classification.reason,
                "needs_review": c.classification.needs_review,
            },
            "warnings": [p.as_dict() for p in c.verdict.problems],
        }
        for path, c in _layout(plan)
    ]
    deadline = plan.deadline
    data: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "reference": plan.request.reference,
        "created": created,
        "due": deadline.due.isoformat() if deadline.due else None,
        "files": files,
        "missing": [{"id": item.id, "label": item.label} for item in plan.missing],
        "extra": list(plan.extra),
        "rejected": [
            {
                "document_id": c.source.id,
                "title": c.source.document.title,
                "problems": [p.as_dict() for p in c.verdict.problems],
            }
            for c in plan.rejected
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _copy_file(source: BinaryIO, target: Path) -> str:
    """Copy streamed, fsync, and return the SHA-256 of what was written."""
    digest = hashlib.sha256()
    with target.open("xb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _recover(out: Path) -> None:
    partial = out.with_name(f".{out.name}.partial")
    previous = out.with_name(f".{out.name}.previous")
    if partial.exists():
        shutil.rmtree(partial)
    if previous.exists():
        if out.exists():
            shutil.rmtree(previous)
        else:
            previous.rename(out)


def build_folder(
    plan: DeliveryPlan, out: str | os.PathLike[str], *, created: str | None = None
) -> Path:
    """Write the accepted documents of ``plan`` and its manifest to ``out``, atomically.

    Raises :class:`ValidationError` (``delivery.source_changed``) when a file changed since it was
    checked, and :class:`ConfigurationError` (``delivery.output.failed``) when the folder cannot be
    written; in both cases ``out`` is left as it was.
    """
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _recover(out)
        partial = out.with_name(f".{out.name}.partial")
        partial.mkdir()
    except OSError as exc:
        raise _output_error(out, exc) from exc
    try:
        _fill(plan, partial, created)
        _swap(partial, out)
    except BaseException as exc:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _output_error(out, exc) from exc
        raise
    return out


def _fill(plan: DeliveryPlan, partial: Path, created: str | None) -> None:
    changed = []
    for path, checked in _layout(plan):
        target = partial / path
        target.parent.mkdir(exist_ok=True)
        with checked.source.document.open() as source:
            written = _copy_file(source, target)
        if written != checked.verdict.sha256:
            changed.append(
                Problem(
                    code="delivery.source_changed",
                    message=f"document {checked.source.id} changed after it was checked; check again",
                    location=Location(field=checked.source.id),
                )
            )
    if changed:
        raise ValidationError("documents changed while the delivery was built", changed)
    manifest = partial / MANIFEST_NAME
    with manifest.open("xb") as stream:
        stream.write(manifest_bytes(plan, created=created))
        stream.flush()
        os.fsync(stream.fileno())
    for folder in partial.iterdir():
        if folder.is_dir():
            fsync_directory(folder)
    fsync_directory(partial)


def _swap(partial: Path, out: Path) -> None:
    previous = out.with_name(f".{out.name}.previous")
    if out.exists():
        out.rename(previous)
        partial.rename(out)
        fsync_directory(out.parent)
        shutil.rmtree(previous)
    else:
        partial.rename(out)
        fsync_directory(out.parent)


def _output_error(out: Path, exc: OSError) -> ConfigurationError:
    return ConfigurationError(
        f"cannot write the delivery folder {out}",
        [
            Problem(
                code="delivery.output.failed",
                message=exc.strerror or str(exc),
                location=Location(file=str(out)),
            )
        ],
    )
