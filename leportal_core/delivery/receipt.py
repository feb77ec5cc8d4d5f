"""Reconcile the portal's Dateiquittung (receipt) with what was sent.

After a Vorgang is finished the LE-Portal offers a *Dateiquittung* for 100 days (md-nord.de); its
format is **not public**. leportal therefore accepts two simple, documented forms a person or a
host can produce from it (``docs/documents.md``):

* JSON: ``{"files": [{"name": "…", "size": 123, "sha256": "…"}, …]}``
* CSV (UTF-8, header row): ``name,size,sha256``

``name`` is the file name as the portal shows it, with or without the category folder; ``size``
and ``sha256`` are each optional, but every entry needs at least one of them. Each sent file is
*received as sent*, *altered* (size or hash differ), or *missing*; receipt entries that match no
sent file are *unexpected*.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from leportal_core.errors import ConfigurationError, FormatError, Location, Problem
from leportal_core.files import open_input

__all__ = [
    "ReceiptEntry",
    "Reconciliation",
    "SentFile",
    "load_manifest",
    "load_receipt",
    "parse_receipt_csv",
    "parse_receipt_json",
    "reconcile",
    "reconciliation_problems",
]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MAX_BYTES = 16 << 20


@attrs.frozen(kw_only=True)
class ReceiptEntry:
    """One line of the receipt."""

    name: str
    size: int | None = None
    sha256: str | None = None


@attrs.frozen(kw_only=True)
class SentFile:
    """One file of the delivery manifest."""

    path: str
    size: int
    sha256: str


@attrs.frozen(kw_only=True)
class Reconciliation:
    """The four outcomes; ``altered`` pairs what was sent with what the receipt says."""

    received: tuple[SentFile, ...]
    missing: tuple[SentFile, ...]
    altered: tuple[tuple[SentFile, ReceiptEntry], ...]
    unexpected: tuple[ReceiptEntry, ...]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered or self.unexpected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "received": [f.path for f in self.received],
            "missing": [f.path for f in self.missing],
            "altered": [
                {
                    "path": sent.path,
                    "sent": {"size": sent.size, "sha256": sent.sha256},
                    "receipt": {"name": got.name, "size": got.size, "sha256": got.sha256},
                }
                for sent, got in self.altered
            ],
            "unexpected": [attrs.asdict(e) for e in self.unexpected],
        }


def _entry(raw: dict[str, Any], where: Location, problems: list[Problem]) -> ReceiptEntry | None:
    name, size, sha256 = raw.get("name"), raw.get("size"), raw.get("sha256")
    before = len(problems)
    if not isinstance(name, str) or not name.strip():
        problems.append(
            Problem(code="delivery.receipt.name", message="name is missing", location=where)
        )
    if isinstance(size, str) and size.strip().isdigit():
        size = int(size)
    elif size in ("", None):
        size = None
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        problems.append(
            Problem(
                code="delivery.receipt.size",
                message=f"size {size!r} is not a byte count",
                location=where,
            )
        )
    if sha256 in ("", None):
        sha256 = None
    elif not isinstance(sha256, str) or not _SHA256.match(sha256.lower()):
        problems.append(
            Problem(
                code="delivery.receipt.sha256",
                message="sha256 is not 64 hex digits",
                location=where,
            )
        )
    if size is None and sha256 is None:
        problems.append(
            Problem(
                code="delivery.receipt.unverifiable",
                message="an entry needs a size or a sha256 to be compared",
                location=where,
            )
        )
    if len(problems) > before:
        return None
    return ReceiptEntry(
        name=str(name).strip(), size=size, sha256=sha256.lower() if sha256 else None
    )


def _entries(rows: Iterable[tuple[Any, Location]]) -> tuple[ReceiptEntry, ...]:
    problems: list[Problem] = []
    entries = []
    for raw, where in rows:
        if not isinstance(raw, dict):
            problems.append(
                Problem(
                    code="delivery.receipt.entry",
                    message="an entry must be an object",
                    location=where,
                )
            )
            continue
        entry = _entry(raw, where, problems)
        if entry is not None:
            entries.append(entry)
    if problems:
        raise FormatError(f"the receipt has {len(problems)} problems", problems)
    return tuple(entries)


def parse_receipt_json(text: str, *, source: str | None = None) -> tuple[ReceiptEntry, ...]:
    """Entries of a JSON receipt; all problems are reported at once in a :class:`FormatError`."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise FormatError(
            "the receipt is not JSON",
            [
                Problem(
                    code="delivery.receipt.json",
                    message=str(exc)
                    if isinstance(exc, json.JSONDecodeError)
                    else "nested too deeply",
                    location=Location(
                        file=source,
                        line=getattr(exc, "lineno", None),
                        column=getattr(exc, "colno", None),
                    ),
                )
            ],
        ) from exc
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        raise FormatError(
            "the receipt has no file list",
            [
                Problem(
                    code="delivery.receipt.files",
                    message='expected {"files": [...]}',
                    location=Location(file=source, pointer="/files"),
                )
            ],
        )
    return _entries(
        (raw, Location(file=source, pointer=f"/files/{i}")) for i, raw in enumerate(files)
    )


def parse_receipt_csv(text: str, *, source: str | None = None) -> tuple[ReceiptEntry, ...]:
    """Entries of a CSV receipt with header ``name,size,sha256`` (``,`` or ``;`` separated)."""
    try:
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        if not reader.fieldnames or "name" not in [f.strip() for f in reader.fieldnames]:
            raise FormatError(
                "the receipt CSV has no 'name' column",
                [
                    Problem(
                        code="delivery.receipt.columns",
                        message="header row must name the columns name,size,sha256",
                        location=Location(file=source, line=1),
                    )
                ],
            )
        rows = [
            (
                {
                    (k or "").strip(): (v or "").strip() if isinstance(v, str) else v
                    for k, v in row.items()
                },
                Location(file=source, line=reader.line_num),
            )
            for row in reader
        ]
    except csv.Error as exc:
        raise FormatError(
            "the receipt is not valid CSV",
            [
                Problem(
                    code="delivery.receipt.csv", message=str(exc), location=Location(file=source)
                )
            ],
        ) from exc
    return _entries(rows)


def _read_text(path: Path, what: str) -> str:
    try:
        with open_input(path) as stream:
            raw = stream.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the {what} {path}",
            [
                Problem(
                    code="delivery.file.unreadable",
                    message=exc.strerror or str(exc),
                    location=Location(file=str(path)),
                )
            ],
        ) from exc
    try:
        if len(raw) > _MAX_BYTES:
            raise UnicodeError("too large")
        return raw.decode("utf-8-sig")
    except UnicodeError as exc:
        raise FormatError(
            f"the {what} {path} is not UTF-8 text of at most {_MAX_BYTES} bytes",
            [
                Problem(
                    code="delivery.file.encoding",
                    message="not UTF-8 text, or too large",
                    location=Location(file=str(path)),
                )
            ],
        ) from exc


def load_receipt(path: str | os.PathLike[str]) -> tuple[ReceiptEntry, ...]:
    """A receipt file: JSON when it starts with ``{``, CSV otherwise."""
    path = Path(path)
    text = _read_text(path, "receipt")
    if text.lstrip().startswith("{"):
        return parse_receipt_json(text, source=str(path))
    return parse_receipt_csv(text, source=str(path))


def load_manifest(path: str | os.PathLike[str]) -> tuple[SentFile, ...]:
    """The files of a ``manifest.json`` written by :func:`~leportal_core.delivery.build_folder`
    (``path`` may be the file or the delivery folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.json"
    text = _read_text(path, "manifest")
    problems: list[Problem] = []
    sent: list[SentFile] = []
    try:
        data = json.loads(text)
        files = data["files"]
        for index, raw in enumerate(files):
            try:
                sent.append(
                    SentFile(
                        path=str(raw["path"]), size=int(raw["size"]), sha256=str(raw["sha256"])
                    )
                )
            except (KeyError, TypeError, ValueError):
                problems.append(
                    Problem(
                        code="delivery.manifest.entry",
                        message="an entry lacks path, size or sha256",
                        location=Location(file=str(path), pointer=f"/files/{index}"),
                    )
                )
    except (json.JSONDecodeError, RecursionError, KeyError, TypeError) as exc:
        raise FormatError(
            f"{path} is not a delivery manifest",
            [
                Problem(
                    code="delivery.manifest.invalid",
                    message=str(exc)[:200],
                    location=Location(file=str(path)),
                )
            ],
        ) from exc
    if problems:
        raise FormatError(f"{path} has {len(problems)} bad entries", problems)
    return tuple(sent)


def _base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def reconcile(sent: Iterable[SentFile], receipt: Iterable[ReceiptEntry]) -> Reconciliation:
    """Compare what was sent with what the portal acknowledges.

    A receipt entry matches a sent file by its full path, or else by its file name when that name
    is unique among the sent files (the portal may not show category folders). Names compare
    exactly; the delivery folder's names are already ASCII-safe.
    """
    sent = list(sent)
    entries = list(receipt)
    by_path = {f.path: f for f in sent}
    base_count: dict[str, int] = {}
    for f in sent:
        base_count[_base(f.path)] = base_count.get(_base(f.path), 0) + 1
    by_base = {_base(f.path): f for f in sent if base_count[_base(f.path)] == 1}
    claimed: dict[str, ReceiptEntry] = {}
    unexpected = []
    for entry in entries:
        target = by_path.get(entry.name) or by_base.get(_base(entry.name))
        if target is None or target.path in claimed:
            unexpected.append(entry)
        else:
            claimed[target.path] = entry
    received, missing, altered = [], [], []
    for f in sent:
        got = claimed.get(f.path)
        if got is None:
            missing.append(f)
        elif (got.size is not None and got.size != f.size) or (
            got.sha256 is not None and got.sha256 != f.sha256
        ):
            altered.append((f, got))
        else:
            received.append(f)
    return Reconciliation(
        received=tuple(received),
        missing=tuple(missing),
        altered=tuple(altered),
        unexpected=tuple(unexpected),
    )


def reconciliation_problems(result: Reconciliation) -> tuple[Problem, ...]:
    """Problems for everything that is not received as sent (for exit codes and reports)."""
    problems = [
        Problem(
            code="delivery.receipt.missing",
            message=f"{f.path} is not on the receipt",
            location=Location(file=f.path),
        )
        for f in result.missing
    ]
    problems += [
        Problem(
            code="delivery.receipt.altered",
            message=f"{f.path} differs from what was sent",
            location=Location(file=f.path),
        )
        for f, _ in result.altered
    ]
    problems += [
        Problem(
            code="delivery.receipt.unexpected",
            message=f"{e.name} was not sent",
            location=Location(file=e.name),
        )
        for e in result.unexpected
    ]
    return tuple(problems)
