"""Codec: :class:`~leportal_core.Document` ⇄ FHIR R4 DocumentReference (JSON).

Mapping (FHIR R4 4.0.1, https://hl7.org/fhir/R4/documentreference.html):

============================  ==========================================================
Document                      DocumentReference
============================  ==========================================================
title                         content[0].attachment.title (read: else ``description``)
media_type                    content[0].attachment.contentType
content                       content[0].attachment.data (base64); omitted when empty,
                              because FHIR forbids empty strings
size                          content[0].attachment.size (raw byte count)
(SHA-1 of the content)        content[0].attachment.hash (base64 SHA-1, as FHIR R4 defines)
created                       content[0].attachment.creation (date)
kdl_code                      type.coding[system=http://dvmd.de/fhir/CodeSystem/kdl].code
patient_id                    subject.identifier.value (``subject.reference`` ``Patient/x``
                              is read too)
case_id                       context.encounter[0].identifier.value (``Encounter/x`` read too)
============================  ==========================================================

Decoding is strict: the bytes must be UTF-8 JSON without duplicate keys or NaN; ``hash`` and
``size``, when present, must match the decoded bytes (a mismatch means the content was altered or
cut in transit). Every finding becomes a problem with a ``fhir.*`` code and a JSON pointer; all of
them are raised together as one :class:`~leportal_core.FormatError`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from typing import Any

from leportal_core import Document, FormatError, Location, Problem, ValidationError

__all__ = ["KDL_SYSTEM", "DocumentReferenceCodec"]

KDL_SYSTEM = "http://dvmd.de/fhir/CodeSystem/kdl"
_STATUSES = ("current", "superseded", "entered-in-error")
# FHIR dateTime with at least a full date: YYYY-MM-DD, optionally Thh:mm:ss[.fff](Z|±hh:mm).
_DATE_TIME = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?$"
)


class _Problems:
    """Collects problems with JSON pointers while the decoder walks the resource."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: str, message: str, pointer: str) -> None:
        self.items.append(Problem(code=code, message=message, location=Location(pointer=pointer)))


class DocumentReferenceCodec:
    """Document ⇄ FHIR R4 DocumentReference JSON with the content inline."""

    name = "fhir.document_reference"
    media_type = "application/fhir+json"
    object_type = Document
    description = (
        "Document as a FHIR R4 DocumentReference with inline base64 content, SHA-1 hash and size."
    )

    def encode(self, document: Document, /) -> bytes:
        """The document as DocumentReference JSON (UTF-8, stable key order)."""
        if not isinstance(document, Document):
            raise ValidationError(
                f"{self.name} encodes Document objects, not {type(document).__name__}"
            )
        content = document.read_bytes()
        attachment: dict[str, Any] = {"contentType": document.media_type}
        if content:
            attachment["data"] = base64.b64encode(content).decode("ascii")
        attachment["size"] = len(content)
        attachment["hash"] = base64.b64encode(hashlib.sha1(content).digest()).decode("ascii")  # noqa: S324 - FHIR R4 defines Attachment.hash as SHA-1
        attachment["title"] = document.title
        attachment["creation"] = document.created.isoformat()
        resource: dict[str, Any] = {"resourceType": "DocumentReference", "status": "current"}
        if document.kdl_code is not None:
            resource["type"] = {"coding": [{"system": KDL_SYSTEM, "code": document.kdl_code}]}
        if document.patient_id is not None:
            resource["subject"] = {"identifier": {"value": document.patient_id}}
        resource["content"] = [{"attachment": attachment}]
        if document.case_id is not None:
            resource["context"] = {"encounter": [{"identifier": {"value": document.case_id}}]}
        return json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def decode(self, data: bytes, /) -> Document:
        """The Document the DocumentReference describes; :class:`FormatError` with every problem."""
        resource = _parse_json(data)
        problems = _Problems()
        fields = _read_resource(resource, problems)
        if problems.items:
            raise FormatError(
                f"not a usable DocumentReference ({len(problems.items)} problems)", problems.items
            )
        try:
            return Document(**fields)
        except ValidationError as exc:
            raise FormatError(
                "the DocumentReference describes an invalid document", exc.problems
            ) from exc


def _parse_json(data: bytes) -> Any:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise FormatError(
            "input must be bytes",
            [Problem(code="fhir.input.type", message=f"expected bytes, got {type(data).__name__}")],
        )
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(
            "input is not UTF-8",
            [
                Problem(
                    code="fhir.json.encoding", message=str(exc), location=Location(offset=exc.start)
                )
            ],
        ) from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        where = Location(line=exc.lineno, column=exc.colno)
        raise FormatError(
            "input is not JSON", [Problem(code="fhir.json.syntax", message=exc.msg, location=where)]
        ) from exc
    except _DuplicateKey as exc:
        raise FormatError(
            "JSON object has a duplicate key",
            [Problem(code="fhir.json.duplicate_key", message=f"key {exc.args[0]!r} appears twice")],
        ) from exc
    except RecursionError as exc:
        raise FormatError(
            "JSON is nested too deeply",
            [Problem(code="fhir.json.depth", message="nesting exceeds the parser's limit")],
        ) from exc
    except ValueError as exc:  # e.g. NaN, or an integer longer than Python's digit limit
        raise FormatError(
            "input is not valid JSON", [Problem(code="fhir.json.syntax", message=str(exc))]
        ) from exc


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in FHIR JSON")


def _object(
    value: Any, pointer: str, problems: _Problems, *, required: bool = True
) -> dict[str, Any] | None:
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        problems.add("fhir.structure", f"expected a JSON object, got {_kind(value)}", pointer)
        return None
    return value


def _string(
    obj: dict[str, Any], key: str, pointer: str, problems: _Problems, *, code: str, required: bool
) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            problems.add(code, f"{key} is required", f"{pointer}/{key}")
        return None
    if not isinstance(value, str) or not value:
        problems.add(
            code, f"{key} must be a non-empty string, got {_kind(value)}", f"{pointer}/{key}"
        )
        return None
    return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def _read_resource(resource: Any, problems: _Problems) -> dict[str, Any]:
    root = _object(resource, "", problems)
    if root is None:
        return {}
    if root.get("resourceType") != "DocumentReference":
        problems.add(
            "fhir.resource_type",
            f"resourceType must be 'DocumentReference', got {root.get('resourceType')!r}",
            "/resourceType",
        )
        return {}
    status = root.get("status")
    if status not in _STATUSES:
        problems.add(
            "fhir.status",
            f"status must be one of {', '.join(_STATUSES)}, got {status!r}",
            "/status",
        )
    fields: dict[str, Any] = {
        "kdl_code": _read_kdl_code(root, problems),
        "patient_id": _read_reference(root.get("subject"), "/subject", "Patient", problems),
        "case_id": _read_case(root, problems),
    }
    content = root.get("content")
    if not isinstance(content, list) or len(content) != 1:
        problems.add(
            "fhir.content.count", "content must be an array with exactly one entry", "/content"
        )
        return fields
    entry = _object(content[0], "/content/0", problems)
    attachment = _object(
        entry.get("attachment") if entry else None, "/content/0/attachment", problems
    )
    if attachment is not None:
        fields.update(_read_attachment(attachment, "/content/0/attachment", problems))
        fields["title"] = _read_title(root, attachment, "/content/0/attachment", problems)
    return fields


def _read_title(
    root: dict[str, Any], attachment: dict[str, Any], pointer: str, problems: _Problems
) -> str | None:
    # ISiK requires description but not attachment.title; servers often send only the former.
    if attachment.get("title") is None and isinstance(root.get("description"), str):
        return _string(
            root, "description", "", problems, code="fhir.attachment.title", required=True
        )
    return _string(
        attachment, "title", pointer, problems, code="fhir.attachment.title", required=True
    )


def _read_kdl_code(root: dict[str, Any], problems: _Problems) -> str | None:
    type_ = _object(root.get("type"), "/type", problems, required=False)
    if type_ is None:
        return None
    codings = type_.get("coding", [])
    if not isinstance(codings, list):
        problems.add("fhir.structure", "type.coding must be an array", "/type/coding")
        return None
    for index, coding in enumerate(codings):
        coding = _object(coding, f"/type/coding/{index}", problems)
        if coding is not None and coding.get("system") == KDL_SYSTEM:
            return _string(
                coding,
                "code",
                f"/type/coding/{index}",
                problems,
                code="fhir.type.kdl",
                required=True,
            )
    return None


def _read_case(root: dict[str, Any], problems: _Problems) -> str | None:
    context = _object(root.get("context"), "/context", problems, required=False)
    if context is None or context.get("encounter") is None:
        return None
    encounters = context["encounter"]
    if not isinstance(encounters, list) or len(encounters) != 1:
        problems.add(
            "fhir.context.encounter",
            "context.encounter must hold exactly one reference",
            "/context/encounter",
        )
        return None
    return _read_reference(encounters[0], "/context/encounter/0", "Encounter", problems)


def _read_reference(
    value: Any, pointer: str, resource_type: str, problems: _Problems
) -> str | None:
    reference = _object(value, pointer, problems, required=False)
    if reference is None:
        return None
    identifier = _object(
        reference.get("identifier"), f"{pointer}/identifier", problems, required=False
    )
    if identifier is not None:
        return _string(
            identifier,
            "value",
            f"{pointer}/identifier",
            problems,
            code="fhir.reference",
            required=True,
        )
    literal = _string(
        reference, "reference", pointer, problems, code="fhir.reference", required=True
    )
    if literal is None:
        return None
    kind, _, ident = literal.partition("/")
    if kind != resource_type or not ident:
        problems.add(
            "fhir.reference",
            f"reference must look like '{resource_type}/<id>', got {literal!r}",
            f"{pointer}/reference",
        )
        return None
    return ident


def _read_attachment(
    attachment: dict[str, Any], pointer: str, problems: _Problems
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "media_type": _string(
            attachment,
            "contentType",
            pointer,
            problems,
            code="fhir.attachment.content_type",
            required=True,
        ),
        "created": _read_creation(attachment, pointer, problems),
    }
    content = _read_data(attachment, pointer, problems)
    if content is None:
        return fields
    fields["content"] = content
    size = attachment.get("size")
    if size is not None and (type(size) is not int or size != len(content)):
        problems.add(
            "fhir.attachment.size_mismatch",
            f"size says {size!r} bytes, the data has {len(content)}",
            f"{pointer}/size",
        )
    digest = attachment.get("hash")
    if digest is not None:
        expected = base64.b64encode(hashlib.sha1(content).digest()).decode("ascii")  # noqa: S324 - FHIR R4 Attachment.hash is SHA-1
        if digest != expected:
            problems.add(
                "fhir.attachment.hash_mismatch",
                "hash does not match the data: the content was altered or cut",
                f"{pointer}/hash",
            )
    return fields


def _read_data(attachment: dict[str, Any], pointer: str, problems: _Problems) -> bytes | None:
    data = attachment.get("data")
    if data is None:
        # FHIR forbids empty strings, so an empty file is size 0 without data.
        if attachment.get("size") == 0 and type(attachment.get("size")) is int:
            return b""
        if "url" in attachment:
            problems.add(
                "fhir.attachment.url_unsupported",
                "content by url is not supported yet; send data inline",
                f"{pointer}/url",
            )
        else:
            problems.add(
                "fhir.attachment.data_missing", "attachment has no data", f"{pointer}/data"
            )
        return None
    if not isinstance(data, str) or not data:
        problems.add(
            "fhir.attachment.data",
            f"data must be a non-empty base64 string, got {_kind(data)}",
            f"{pointer}/data",
        )
        return None
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        problems.add("fhir.attachment.data", f"data is not valid base64: {exc}", f"{pointer}/data")
        return None


def _read_creation(attachment: dict[str, Any], pointer: str, problems: _Problems) -> dt.date | None:
    text = _string(
        attachment, "creation", pointer, problems, code="fhir.attachment.creation", required=True
    )
    if text is None:
        return None
    match = _DATE_TIME.match(text)
    try:
        if match is None:
            raise ValueError("not a FHIR date or dateTime with a full date")
        return dt.date.fromisoformat(match["date"])
    except ValueError as exc:
        problems.add("fhir.attachment.creation", f"creation {text!r}: {exc}", f"{pointer}/creation")
        return None
