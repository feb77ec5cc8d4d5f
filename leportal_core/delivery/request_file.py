"""Read a delivery request from a JSON file (the ``leportal delivery build`` input).

Form (``docs/documents.md``)::

    {"reference": "MD-2026-4711", "due": "2026-03-30",
     "requested": [{"id": "1", "label": "Entlassungsbericht", "category": "KHB",
                    "kdl_codes": ["AD010103"]}],
     "documents": [{"id": "DOC-1", "path": "entlassung.pdf", "title": "Entlassungsbericht",
                    "kdl_code": "AD010103", "type_code": "BERI", "class_code": "BRI",
                    "items": ["1"]}]}

Relative document paths are resolved against the request file's folder. Every problem is reported
at once in a :class:`~leportal_core.errors.FormatError` with a JSON pointer to its place.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from leportal_core.category import Category
from leportal_core.delivery.model import DeliveryDocument, DeliveryRequest, RequestedItem
from leportal_core.document import Document
from leportal_core.errors import FormatError, Location, Problem, ValidationError
from leportal_core.files import open_input
from leportal_core.validation import parse_iso_date

__all__ = ["load_request", "parse_request"]

_MAX_BYTES = 4 << 20


def _problem(*, code: str, message: str, pointer: str, source: str | None) -> Problem:
    return Problem(code=code, message=message, location=Location(file=source, pointer=pointer))


def _date(value: Any, pointer: str, source: str | None, problems: list[Problem]) -> dt.date | None:
    if value is None:
        return None
    parsed = parse_iso_date(value)
    if parsed is None:
        problems.append(
            _problem(
                code="delivery.request.date",
                message=f"{value!r} is not a date YYYY-MM-DD",
                pointer=pointer,
                source=source,
            )
        )
        return None
    return parsed


def _category(
    value: Any, pointer: str, source: str | None, problems: list[Problem]
) -> Category | None:
    if value is None:
        return None
    try:
        return Category(value)
    except ValueError:
        problems.append(
            _problem(
                code="delivery.request.category",
                message=f"{value!r} is not one of KHB, KPA, TLB, ZUS",
                pointer=pointer,
                source=source,
            )
        )
        return None


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    return value


def _optional_text(raw: dict[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a string or null, not {type(value).__name__}")
    return value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def parse_request(data: Any, *, base: Path, source: str | None = None) -> DeliveryRequest:
    """Build a :class:`DeliveryRequest` from decoded JSON; document paths relative to ``base``."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise FormatError(
            "the request must be a JSON object",
            [
                _problem(
                    code="delivery.request.shape",
                    message="expected an object",
                    pointer="",
                    source=source,
                )
            ],
        )
    due = _date(data.get("due"), "/due", source, problems)
    items: list[RequestedItem] = []
    for index, raw in enumerate(_list(data.get("requested"))):
        pointer = f"/requested/{index}"
        try:
            if not isinstance(raw, dict):
                raise TypeError("must be an object")
            codes = _strings(raw.get("kdl_codes"))
            if codes is None:
                raise TypeError("kdl_codes must be a list of strings")
            items.append(
                RequestedItem(
                    id=_text(raw.get("id"), "id"),
                    label=str(raw.get("label") or raw.get("id")),
                    category=_category(
                        raw.get("category"), pointer + "/category", source, problems
                    ),
                    kdl_codes=codes,
                )
            )
        except (TypeError, ValueError) as exc:
            problems.append(
                _problem(
                    code="delivery.request.item", message=str(exc), pointer=pointer, source=source
                )
            )
    documents: list[DeliveryDocument] = []
    for index, raw in enumerate(_list(data.get("documents"))):
        pointer = f"/documents/{index}"
        try:
            if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
                raise TypeError("must be an object with a path")
            item_ids = _strings(raw.get("items"))
            if item_ids is None:
                raise TypeError("items must be a list of strings")
            texts = {
                n: _optional_text(raw, n) for n in ("title", "kdl_code", "type_code", "class_code")
            }
            path = base / raw["path"]
            try:
                document = Document.from_path(
                    path,
                    title=texts["title"],
                    kdl_code=texts["kdl_code"],
                    created=_date(raw.get("created"), pointer + "/created", source, problems),
                )
            except OSError as exc:  # a name too long for the file system, a loop of links, …
                raise ValueError(f"path {raw['path']!r}: {exc.strerror or exc}") from exc
            documents.append(
                DeliveryDocument(
                    id=_text(raw.get("id"), "id"),
                    document=document,
                    type_code=texts["type_code"],
                    class_code=texts["class_code"],
                    item_ids=item_ids,
                )
            )
        except ValidationError as exc:
            problems += [
                _problem(
                    code=p.code,
                    message=p.message,
                    pointer=f"{pointer}/{p.location.field or ''}",
                    source=source,
                )
                for p in exc.problems
            ]
        except (TypeError, ValueError) as exc:
            problems.append(
                _problem(
                    code="delivery.request.document",
                    message=str(exc),
                    pointer=pointer,
                    source=source,
                )
            )
    if not isinstance(data.get("requested"), list) or not isinstance(data.get("documents"), list):
        problems.append(
            _problem(
                code="delivery.request.shape",
                message="requested and documents must be lists",
                pointer="",
                source=source,
            )
        )
    if problems:
        raise FormatError(f"the delivery request has {len(problems)} problems", problems)
    try:
        return DeliveryRequest(
            reference=_text(data.get("reference"), "reference"),
            requested=items,
            documents=documents,
            due=due,
        )
    except (TypeError, ValueError) as exc:
        raise FormatError(
            "the delivery request is inconsistent",
            [
                _problem(
                    code="delivery.request.invalid", message=str(exc), pointer="", source=source
                )
            ],
        ) from exc


def load_request(path: str | os.PathLike[str]) -> DeliveryRequest:
    """Read and validate a JSON request file (UTF-8, at most 4 MiB)."""
    path = Path(path)
    try:
        with open_input(path) as stream:
            raw = stream.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise FormatError(
            f"cannot read {path}",
            [
                _problem(
                    code="delivery.request.unreadable",
                    message=exc.strerror or str(exc),
                    pointer="",
                    source=str(path),
                )
            ],
        ) from exc
    try:
        if len(raw) > _MAX_BYTES:
            raise ValueError(f"larger than {_MAX_BYTES} bytes")
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        raise FormatError(
            f"{path} is not a JSON request",
            [
                _problem(
                    code="delivery.request.json",
                    message=str(exc)[:200] or "nested too deeply",
                    pointer="",
                    source=str(path),
                )
            ],
        ) from exc
    return parse_request(data, base=path.parent, source=str(path))
