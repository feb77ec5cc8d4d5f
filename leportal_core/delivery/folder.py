"""Write the upload-ready folder of a delivery, atomically, with a deterministic ``manifest.json``.

Layout (``docs/documents.md``)::

    <out>/
      manifest.json
      1_KH-Berichte/<name>.pdf
      2_Kurve-Pflege-Arzt-Doku/…
      3_Technische-Laborbefunde/…
      4_Zusaetzliche-Informationen/…

A build only ever replaces what a build made: ``<out>`` must be missing, an empty folder, or a
delivery folder whose every entry its own ``manifest.json`` lists. A folder with anything else in
it (the source archive, a user's files, a file added after the build), a file, or a symlink is
refused (``delivery.output.foreign``, ``delivery.output.not_folder``) and left untouched, and so is
an ``<out>`` that holds a source document (``delivery.output.overlaps_sources``).

One build per target at a time: the build holds an OS lock on ``.<name>.lock`` beside the target
(waiting up to ``lock_timeout`` seconds, then ``delivery.output.busy``); the lock ends with the
process, also on SIGKILL. The folder is built next to its target as ``.<name>.partial`` (every
file and the manifest fsynced), then swapped in by rename. When ``<out>`` already exists the old
one is first renamed to ``.<name>.previous``; a failed second rename puts it back at once, and a
crash between the two renames leaves ``.<name>.previous`` complete, which the next build puts back
before doing anything else. So ``<out>`` holds the old folder or the complete new one, never a
half one. The manifest holds no clock time unless the caller passes ``created``: the same inputs
give a byte-identical manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from leportal_core.delivery.names import CATEGORY_FOLDERS, safe_stem, unique_names
from leportal_core.delivery.plan import CheckedDocument, DeliveryPlan
from leportal_core.errors import (
    ConfigurationError,
    Location,
    Problem,
    StorageError,
    ValidationError,
)
from leportal_core.files import (
    create_file,
    exclusive_lock,
    fsync_directory,
    output_error,
    read_input_bytes,
)

__all__ = ["MANIFEST_FORMAT", "MANIFEST_NAME", "build_folder", "manifest_bytes"]

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "leportal.delivery.manifest/1"
_CHUNK = 1 << 20
_MAX_MANIFEST = 16 << 20
LOCK_TIMEOUT = 60.0
_FOLDER_NAMES = frozenset(CATEGORY_FOLDERS.values())


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
    with create_file(target) as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _partial(out: Path) -> Path:
    return out.with_name(f".{out.name}.partial")


def _previous(out: Path) -> Path:
    return out.with_name(f".{out.name}.previous")


def _entries(folder: Path) -> list[str]:
    """The entries of ``folder`` and of its category folders, as relative POSIX paths; nothing
    else is descended into (the layout has two levels), so ``--out ~`` is refused without
    walking a whole home folder."""
    found = []
    for name in sorted(os.listdir(folder)):
        found.append(name)
        inner = folder / name
        if name in _FOLDER_NAMES and inner.is_dir() and not inner.is_symlink():
            found += [f"{name}/{child}" for child in sorted(os.listdir(inner))]
    return found


def _foreign_entries(folder: Path) -> list[str]:
    """What in ``folder`` a build did not make: empty for an empty folder or a delivery folder
    whose entries its manifest lists; everything when there is no readable leportal manifest."""
    entries = _entries(folder)
    if not entries:
        return []
    made: set[str] = {MANIFEST_NAME}
    try:
        data = json.loads(read_input_bytes(folder / MANIFEST_NAME, _MAX_MANIFEST))
        if data.get("format") != MANIFEST_FORMAT:
            raise ValueError("not a leportal manifest")
        for entry in data["files"]:
            path = str(entry["path"])
            made |= {path, path.partition("/")[0]}
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return entries
    return [entry for entry in entries if entry not in made]


def _partial_leftovers(partial: Path) -> list[str]:
    """What in a half-built ``.partial`` or half-removed ``.previous`` folder a build could not
    have written (such a folder may lack its manifest)."""
    return [
        entry
        for entry in _entries(partial)
        if entry != MANIFEST_NAME
        and entry not in _FOLDER_NAMES
        and not (entry.partition("/")[0] in _FOLDER_NAMES and entry.endswith(".pdf"))
    ]


def _refused(out: Path, *, code: str, message: str) -> ConfigurationError:
    return ConfigurationError(
        f"refusing to write the delivery folder {out}: {message}",
        [Problem(code=code, message=message, location=Location(file=str(out)))],
    )


def _require_ours(folder: Path, target: Path) -> None:
    """Refuse unless ``folder`` is missing, empty, or a delivery folder a build made."""
    if not os.path.lexists(folder):
        return
    if folder.is_symlink() or not folder.is_dir():
        raise _refused(
            target,
            code="delivery.output.not_folder",
            message=f"{folder} exists and is not a folder; choose another --out",
        )
    foreign = _foreign_entries(folder)
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise _refused(
            target,
            code="delivery.output.foreign",
            message=f"{folder} holds what no delivery build made ({shown}); it is left untouched: "
            "choose a new or empty folder, or move those entries away",
        )


def _recover(out: Path) -> None:
    """Finish what a crashed build left: put ``.previous`` back, drop a ``.partial`` (only ever
    what a build made; anything else is refused)."""
    partial, previous = _partial(out), _previous(out)
    if os.path.lexists(partial):
        _remove_leftover(partial, out)
    if os.path.lexists(previous):
        if os.path.lexists(out):  # the swap was done; the old folder may be half removed
            _remove_leftover(previous, out)
        else:  # killed between the renames: the old folder is complete, put it back
            _require_ours(previous, out)
            previous.rename(out)
            fsync_directory(out.parent)


def _remove_leftover(folder: Path, out: Path) -> None:
    if folder.is_symlink() or not folder.is_dir() or _partial_leftovers(folder):
        raise _refused(
            out,
            code="delivery.output.foreign",
            message=f"{folder} is in the way and holds what no delivery build made",
        )
    shutil.rmtree(folder)


def _overlapping(out: Path, sources: Iterable[Path]) -> list[str]:
    resolved = out.resolve()
    return sorted(str(s) for s in sources if s.resolve().is_relative_to(resolved))


def build_folder(
    plan: DeliveryPlan,
    out: str | os.PathLike[str],
    *,
    created: str | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Path:
    """Write the accepted documents of ``plan`` and its manifest to ``out``, atomically.

    Raises :class:`ValidationError` (``delivery.source_changed``) when a file changed since it was
    checked, and :class:`ConfigurationError` when ``out`` is not this build's to replace
    (``delivery.output.foreign``, ``.not_folder``, ``.overlaps_sources``), is being built by
    another process for longer than ``lock_timeout`` seconds (``delivery.output.busy``), or cannot
    be written (``delivery.output.failed``); in every case ``out`` is left as it was.
    """
    out = Path(os.path.abspath(out))  # "." and "a/.." have no name to put beside
    if out.parent == out:
        raise _refused(
            out, code="delivery.output.not_folder", message="the root folder cannot be replaced"
        )
    sources = [c.source.document.path for c in plan.checked if c.source.document.path is not None]
    overlapping = _overlapping(out, sources)
    if overlapping:
        raise _refused(
            out,
            code="delivery.output.overlaps_sources",
            message=f"it holds source documents of this request ({', '.join(overlapping[:3])}); "
            "write the delivery to a folder of its own",
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(out.with_name(f".{out.name}.lock"), timeout=lock_timeout):
            return _build_locked(plan, out, created)  # maps its own OSErrors
    except BlockingIOError as exc:
        raise _refused(
            out,
            code="delivery.output.busy",
            message=f"another build writes this folder (waited {lock_timeout:g} s); try again later",
        ) from exc
    except OSError as exc:
        raise _output_error(out, exc) from exc


def _build_locked(plan: DeliveryPlan, out: Path, created: str | None) -> Path:
    partial = _partial(out)
    try:
        _recover(out)
        _require_ours(out, out)
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
    with create_file(partial / MANIFEST_NAME) as stream:
        stream.write(manifest_bytes(plan, created=created))
    for folder in partial.iterdir():
        if folder.is_dir():
            fsync_directory(folder)
    fsync_directory(partial)


def _swap(partial: Path, out: Path) -> None:
    if not out.exists():
        partial.rename(out)
        fsync_directory(out.parent)
        return
    previous = _previous(out)
    out.rename(previous)
    try:
        partial.rename(out)
    except BaseException:
        previous.rename(out)  # put the old folder back at once; if this fails, _recover will
        raise
    try:
        fsync_directory(out.parent)
    finally:  # the new folder is in place: the old one goes even when the fsync failed
        shutil.rmtree(previous, ignore_errors=True)


def _output_error(out: Path, exc: OSError) -> StorageError | ConfigurationError:
    # The class by the files kernel's rule (a full or read-only disk is a StorageError, a path
    # that cannot be an output a ConfigurationError); the code stays the one hosts map.
    kind = type(output_error(out, exc))
    return kind(
        f"cannot write the delivery folder {out}",
        [
            Problem(
                code="delivery.output.failed",
                message=exc.strerror or str(exc),
                location=Location(file=str(out)),
            )
        ],
    )
