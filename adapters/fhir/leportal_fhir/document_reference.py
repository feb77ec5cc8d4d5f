"""Codec and reader: :class:`~leportal_core.Document` ⇄ ISiK DocumentReference (FHIR R4 JSON).

Writing follows ISiK Stufe 3 ``ISiKDokumentenMetadaten`` (:mod:`leportal_fhir.export`; mapping
table in ``docs/formats.md``). Reading (:func:`read_document_reference`) is strict where the bytes
are concerned: UTF-8 JSON without duplicate keys or NaN; ``hash`` (base64 SHA-1, FHIR R4
Attachment) and ``size``, when present, must match the decoded bytes (a mismatch means the content
was altered or cut). It is lenient about ISiK completeness — that is what
:func:`leportal_fhir.checks.isik_problems` reports — and it keeps codings of unknown systems in the
:class:`~leportal_fhir.isik.IsikMetadata`. Every finding becomes a problem with a ``fhir.*`` code
and a JSON pointer; all of them are raised together as one :class:`~leportal_core.FormatError`.
Sources: FHIR R4 DocumentReference (https://hl7.org/fhir/R4/documentreference.html), Attachment
(https://hl7.org/fhir/R4/datatypes.html#Attachment), gematik ISiK Dokumentenaustausch Stufe 3.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import pluggy
import pybase64

from leportal_core import (
    Classification,
    Document,
    FormatError,
    Location,
    Problem,
    ValidationError,
    classify,
)
from leportal_fhir.export import attachment_hash, to_resource
from leportal_fhir.isik import (
    CONFIDENTIALITY_SYSTEM,
    KDL_SYSTEM,
    Coding,
    Confidentiality,
    DocStatus,
    IsikMetadata,
    IsikOptions,
    RecordStatus,
    is_language,
    is_oid_uri,
)

__all__ = [
    "KDL_SYSTEM",
    "DocumentReferenceCodec",
    "ImportedDocument",
    "parse_json",
    "read_document_reference",
    "read_resource",
]

# Resolves an attachment url to bytes (a Binary in the same Bundle), or None when it cannot.
UrlResolver = Callable[[str], bytes | None]
_STATUSES = ("current", "superseded", "entered-in-error")
# FHIR dateTime with at least a full date: YYYY-MM-DD, optionally Thh:mm:ss[.fff](Z|±hh:mm).
_DATE_TIME = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?$"
)


class _Problems:
    """Collects problems with JSON pointers (under ``prefix``) while the reader walks the resource."""

    def __init__(self, prefix: str = "") -> None:
        self.items: list[Problem] = []
        self.prefix = prefix

    def add(self, code: str, message: str, pointer: str) -> None:
        self.items.append(
            Problem(code=code, message=message, location=Location(pointer=self.prefix + pointer))
        )


@attrs.frozen(kw_only=True)
class ImportedDocument:
    """What an import found: the core :class:`Document`, the ISiK metadata around it, and the
    resource's logical ``id`` when it had one."""

    document: Document
    metadata: IsikMetadata
    resource_id: str | None = None

    def classify(self, pm: pluggy.PluginManager) -> Classification:
        """The eVV category (:func:`leportal_core.classify`), with the IHE-D type/class codes
        the DocumentReference carried as the host's codes (a KDL code in the table still wins)."""
        meta = self.metadata
        return classify(
            self.document,
            pm,
            type_code=meta.type_code.code if meta.type_code else None,
            class_code=meta.class_code.code if meta.class_code else None,
        )


class DocumentReferenceCodec:
    """Document ⇄ ISiK DocumentReference JSON with the content inline."""

    name = "fhir.document_reference"
    media_type = "application/fhir+json"
    object_type = Document
    description = (
        "Document as an ISiK Stufe 3 DocumentReference (FHIR R4) with inline base64 content, "
        "SHA-1 hash and size."
    )

    def __init__(self, options: IsikOptions | None = None) -> None:
        self.options = options or IsikOptions()

    def encode(self, document: Document, /) -> bytes:
        """The document as DocumentReference JSON (UTF-8, stable key order)."""
        if not isinstance(document, Document):
            raise ValidationError(
                f"{self.name} encodes Document objects, not {type(document).__name__}"
            )
        return dump(to_resource(document, options=self.options))

    def decode(self, data: bytes, /) -> Document:
        """The Document the DocumentReference describes; :class:`FormatError` with every problem."""
        return read_document_reference(data).document


def dump(resource: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, keys in the order written."""
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read_document_reference(data: bytes) -> ImportedDocument:
    """Import one DocumentReference (JSON bytes) with content inline; :class:`FormatError` lists
    every problem."""
    return read_resource(parse_json(data))


def read_resource(
    resource: Any, *, pointer: str = "", resolve: UrlResolver | None = None
) -> ImportedDocument:
    """Import an already parsed DocumentReference; ``resolve`` turns ``attachment.url`` into
    bytes (a Binary of the same Bundle); ``pointer`` prefixes the problem locations."""
    problems = _Problems(pointer)
    fields = _read_resource(resource, problems, resolve)
    if problems.items:
        raise FormatError(
            f"not a usable DocumentReference ({len(problems.items)} problems)", problems.items
        )
    try:
        document = Document(**fields)
    except ValidationError as exc:
        raise FormatError(
            "the DocumentReference describes an invalid document", exc.problems
        ) from exc
    resource_id = resource.get("id")
    return ImportedDocument(
        document=document,
        metadata=read_metadata(resource),
        resource_id=resource_id if isinstance(resource_id, str) else None,
    )


_B64_SPACE = re.compile(rb"[ \t\r\n\f]+")
_BOM = "\ufeff"


def decode_base64binary(value: object) -> bytes:
    """FHIR R4 ``base64Binary``: base64 (RFC 4648 §4) in which whitespace is allowed — the type's
    regex is ``(\\s*([0-9a-zA-Z\\+\\=]){4}\\s*)+`` — so line-wrapped data (gematik's own ISiK
    examples) is read; any other stray character is :class:`binascii.Error`.

    >>> decode_base64binary("JVBE Ri0x\\nLjc=")
    b'%PDF-1.7'
    """
    if not isinstance(value, str):
        raise ValueError(f"base64Binary must be a JSON string, got {type(value).__name__}")
    try:
        # Most data has no white space: decoded strictly as it is (from the ASCII str itself),
        # without a copy or a regular-expression pass over megabytes. Strict decoding rejects
        # white space, so whatever it accepts reads the same as below.
        return _strict_base64(value)
    except (binascii.Error, ValueError):
        pass
    raw = value.encode("ascii")  # UnicodeEncodeError is a ValueError: not base64 either
    return base64.b64decode(_B64_SPACE.sub(b"", raw), validate=True)


def _strict_base64(value: str) -> bytes:
    """``binascii.a2b_base64(value, strict_mode=True)``, with pybase64's SIMD decoder (about 40×
    faster) for data in canonical form: a length divisible by 4 and ``=`` only as the last one or
    two characters. For such data the two decoders agree wherever pybase64 accepts (its
    ``validate`` refuses every character outside the alphabet); anything it refuses is decoded
    again by binascii, so errors and edge cases stay binascii's."""
    size, pad = len(value), value.find("=")
    if size % 4 == 0 and (pad == -1 or (pad >= size - 2 and value[-1] == "=")):
        try:
            return pybase64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            pass
    return binascii.a2b_base64(value, strict_mode=True)


def parse_json(data: bytes) -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN; every failure a FormatError. A leading
    byte order mark is ignored (RFC 8259 §8.1 lets parsers ignore it; Windows tools write one)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise FormatError(
            "input must be bytes",
            [Problem(code="fhir.input.type", message=f"expected bytes, got {type(data).__name__}")],
        )
    try:
        text = bytes(data).decode("utf-8").removeprefix(_BOM)
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
            [
                Problem(
                    code="fhir.json.duplicate_key",
                    message=f"key {exc.args[0]!r} appears twice",
                    location=_WHOLE,
                )
            ],
        ) from exc
    except RecursionError as exc:
        raise FormatError(
            "JSON is nested too deeply",
            [
                Problem(
                    code="fhir.json.depth",
                    message="nesting exceeds the parser's limit",
                    location=_WHOLE,
                )
            ],
        ) from exc
    except ValueError as exc:  # e.g. NaN, or an integer longer than Python's digit limit
        raise FormatError(
            "input is not valid JSON",
            [Problem(code="fhir.json.syntax", message=str(exc), location=_WHOLE)],
        ) from exc


# Problems of the JSON text as a whole (the parser does not say where): the document root.
_WHOLE = Location(pointer="")


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # in C; fewer keys than pairs means a key came twice
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
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


def _read_resource(
    resource: Any, problems: _Problems, resolve: UrlResolver | None
) -> dict[str, Any]:
    root = _object(resource, "", problems)
    if root is None:
        return {}
    if root.get("resourceType") != "DocumentReference":
        problems.add(
            "fhir.resource_type.invalid",
            f"resourceType must be 'DocumentReference', got {root.get('resourceType')!r}",
            "/resourceType",
        )
        return {}
    status = root.get("status")
    if status not in _STATUSES:
        problems.add(
            "fhir.status.invalid",
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
        fields.update(_read_attachment(attachment, "/content/0/attachment", problems, resolve))
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
        system = coding.get("system") if coding is not None else None
        if system is not None and not isinstance(system, str):
            # Not a uri: it might have named the KDL, so skipping it would lose the code silently.
            problems.add(
                "fhir.structure",
                f"type.coding.system must be a string, got {_kind(system)}",
                f"/type/coding/{index}/system",
            )
        elif coding is not None and system == KDL_SYSTEM:
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
            code="fhir.reference.invalid",
            required=True,
        )
    literal = _string(
        reference, "reference", pointer, problems, code="fhir.reference.invalid", required=True
    )
    if literal is None:
        return None
    # Relative ("Patient/1"), absolute ("https://kis/fhir/Patient/1") or versioned references.
    parts = literal.split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    kind, ident = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", "")
    if kind != resource_type or not ident:
        problems.add(
            "fhir.reference.invalid",
            f"reference must look like '{resource_type}/<id>', got {literal!r}",
            f"{pointer}/reference",
        )
        return None
    return ident


def _read_attachment(
    attachment: dict[str, Any], pointer: str, problems: _Problems, resolve: UrlResolver | None
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
    content = _read_data(attachment, pointer, problems, resolve)
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
    if digest is not None and digest != attachment_hash(content):
        problems.add(
            "fhir.attachment.hash_mismatch",
            "hash does not match the data: the content was altered or cut",
            f"{pointer}/hash",
        )
    return fields


def _read_data(
    attachment: dict[str, Any], pointer: str, problems: _Problems, resolve: UrlResolver | None
) -> bytes | None:
    data = attachment.get("data")
    url = attachment.get("url")
    if data is None and isinstance(url, str) and resolve is not None:
        content = resolve(url)
        if content is not None:
            return content
        problems.add(
            "fhir.attachment.url_unresolved",
            f"url {url!r} names no Binary with data in this Bundle",
            f"{pointer}/url",
        )
        return None
    if data is None:
        # FHIR forbids empty strings, so an empty file is size 0 without data.
        if attachment.get("size") == 0 and type(attachment.get("size")) is int:
            return b""
        if "url" in attachment:
            problems.add(
                "fhir.attachment.url_unsupported",
                "content by url cannot be read from a lone DocumentReference; "
                "import it in a Bundle with its Binary, or send data inline",
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
        return decode_base64binary(data)
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


def read_metadata(resource: Mapping[str, Any]) -> IsikMetadata:
    """The ISiK metadata of a DocumentReference, leniently: what is missing or unusable is left at
    its default (the ISiK check reports it), codings leportal does not interpret are kept."""
    fields: dict[str, Any] = {}
    master = resource.get("masterIdentifier")
    # Values that are not ours to judge here stay at their default; the ISiK check names them.
    if isinstance(master, dict) and is_oid_uri(master.get("value")):
        fields["master_identifier"] = master["value"]
    fields["status"] = _enum(RecordStatus, resource.get("status"), RecordStatus.CURRENT)
    fields["doc_status"] = _enum(DocStatus, resource.get("docStatus"), None)
    if isinstance(resource.get("description"), str) and resource["description"].strip():
        fields["description"] = resource["description"]
    type_codings = _codings(resource.get("type"))
    kdl = [c for c in type_codings if c.system == KDL_SYSTEM]
    known_type = [c for c in type_codings if c.system in _TYPE_SYSTEMS]
    fields["type_code"] = known_type[0] if known_type else None
    fields["extra_type_codings"] = tuple(
        c for c in type_codings if c not in kdl[:1] and c is not fields["type_code"]
    )
    categories = resource.get("category")
    category_codings = [
        c for entry in (categories if isinstance(categories, list) else []) for c in _codings(entry)
    ]
    known_class = [c for c in category_codings if c.system in _CLASS_SYSTEMS]
    fields["class_code"] = known_class[0] if known_class else None
    fields["extra_category_codings"] = tuple(
        c for c in category_codings if c is not fields["class_code"]
    )
    labels = resource.get("securityLabel")
    label_codings = [
        c for entry in (labels if isinstance(labels, list) else []) for c in _codings(entry)
    ]
    confidentiality = [
        c
        for c in label_codings
        if c.system == CONFIDENTIALITY_SYSTEM and c.code in _CONFIDENTIALITY_CODES
    ]
    if confidentiality:
        fields["confidentiality"] = Confidentiality(confidentiality[0].code)
    fields["extra_security_labels"] = tuple(
        c for c in label_codings if c not in confidentiality[:1]
    )
    content = resource.get("content")
    entry = content[0] if isinstance(content, list) and content else None
    attachment = entry.get("attachment") if isinstance(entry, dict) else None
    if isinstance(attachment, dict):
        language = attachment.get("language")
        if is_language(language):
            fields["language"] = language
    if isinstance(entry, dict) and isinstance(entry.get("format"), dict):
        format_code = entry["format"].get("code")
        part = format_code[len(_PDFA_PREFIX) :][:1] if isinstance(format_code, str) else ""
        if isinstance(format_code, str) and format_code.startswith(_PDFA_PREFIX) and part in "123":
            fields["pdfa"] = part or None
            fields["pdfa_verified"] = True  # the sender states the format: pass it on as stated
    context = resource.get("context")
    if isinstance(context, dict):
        for key, name in (
            ("facilityType", "facility_type"),
            ("practiceSetting", "practice_setting"),
        ):
            codings = _codings(context.get(key))
            fields[name] = codings[0] if codings else None
    relates = resource.get("relatesTo")
    for relation in relates if isinstance(relates, list) else []:
        if isinstance(relation, dict) and relation.get("code") == "replaces":
            target = relation.get("target")
            if isinstance(target, dict):
                identifier = target.get("identifier")
                value = (
                    identifier.get("value")
                    if isinstance(identifier, dict)
                    else target.get("reference")
                )
                if isinstance(value, str) and value.strip():
                    fields["replaces"] = value
                    break
    return IsikMetadata(**fields)


_PDFA_PREFIX = "urn:ihe-d:spec:PDF_A"
_CONFIDENTIALITY_CODES = frozenset(m.value for m in Confidentiality)
_TYPE_SYSTEMS = frozenset(
    {
        "http://ihe-d.de/CodeSystems/IHEXDStypeCode",
        # ISiK's own examples spell it singular; read it, the check warns.
        "http://ihe-d.de/CodeSystem/IHEXDStypeCode",
        "http://terminology.hl7.org/CodeSystem/v3-NullFlavor",
    }
)
_CLASS_SYSTEMS = frozenset(
    {"http://ihe-d.de/CodeSystems/IHEXDSclassCode", "http://ihe-d.de/CodeSystem/IHEXDSclassCode"}
)


def _enum(kind: Any, value: object, default: Any) -> Any:
    try:
        return kind(value)
    except (ValueError, TypeError):  # TypeError: an unhashable JSON array or object
        return default


def _codings(concept: object) -> list[Coding]:
    """The usable codings of a CodeableConcept (non-objects and empty codings skipped)."""
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    found = []
    for coding in concept["coding"]:
        if isinstance(coding, dict):
            parsed = Coding.from_json(coding)
            if parsed is not None:
                found.append(parsed)
    return found
