"""Delivery as a FHIR transaction Bundle, and import of Bundles with verification of the bytes.

A transaction (FHIR R4 http.html#transaction) carries one ``POST DocumentReference`` entry per
document, the content either inline (``attachment.data``, ISiK's *Dokumentenbereitstellung*) or as
a ``POST Binary`` entry the attachment points to by its ``urn:uuid:`` fullUrl (the server rewrites
that reference when it stores the Binary). ``hash`` and ``size`` are written in both forms. A
replacement is a new DocumentReference with ``relatesTo`` ``replaces`` (ISiK: "Bei inhaltlichen
Updates MUSS eine replaces-Relation angegeben werden"). Import accepts transaction, batch,
collection and searchset Bundles, resolves ``url`` to a Binary of the same Bundle (by fullUrl or
``Binary/<id>``) and refuses any content whose hash or size does not match.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from leportal_core import Document, FormatError, Location, Problem
from leportal_fhir.document_reference import (
    ImportedDocument,
    decode_base64binary,
    dump,
    parse_json,
    read_resource,
)
from leportal_fhir.export import to_resource
from leportal_fhir.isik import IsikMetadata, IsikOptions, master_identifier

__all__ = ["build_transaction", "import_bundle", "transaction_bytes"]

_BUNDLE_TYPES = ("transaction", "batch", "collection", "searchset", "transaction-response")
# fullUrls are UUIDv5 of the masterIdentifier: the same delivery gives the same Bundle.
_ENTRY_NAMESPACE = uuid.UUID("0b7d3a64-52c3-4a8e-bf47-1e8a9a3d6c05")


def build_transaction(
    items: Iterable[Document | tuple[Document, IsikMetadata]],
    *,
    options: IsikOptions | None = None,
    binary: bool = False,
) -> dict[str, Any]:
    """A transaction Bundle creating one DocumentReference per document (content inline, or with
    ``binary=True`` in a Binary entry the DocumentReference points to)."""
    entries: list[dict[str, Any]] = []
    for item in items:
        document, metadata = item if isinstance(item, tuple) else (item, IsikMetadata())
        oid = metadata.master_identifier or master_identifier(document)
        full_url = f"urn:uuid:{uuid.uuid5(_ENTRY_NAMESPACE, oid)}"
        url = None
        if binary:
            url = f"urn:uuid:{uuid.uuid5(_ENTRY_NAMESPACE, oid + '#binary')}"
            content = document.read_bytes()
            resource: dict[str, Any] = {
                "resourceType": "Binary",
                "contentType": document.media_type,
            }
            if content:
                resource["data"] = base64.b64encode(content).decode("ascii")
            entries.append(
                {
                    "fullUrl": url,
                    "resource": resource,
                    "request": {"method": "POST", "url": "Binary"},
                }
            )
        entries.append(
            {
                "fullUrl": full_url,
                "resource": to_resource(document, metadata, options, url=url),
                "request": {"method": "POST", "url": "DocumentReference"},
            }
        )
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def transaction_bytes(
    items: Iterable[Document | tuple[Document, IsikMetadata]],
    *,
    options: IsikOptions | None = None,
    binary: bool = False,
) -> bytes:
    """:func:`build_transaction` as compact UTF-8 JSON."""
    return dump(build_transaction(items, options=options, binary=binary))


def import_bundle(data: bytes) -> tuple[ImportedDocument, ...]:
    """Every DocumentReference of a Bundle as an :class:`ImportedDocument`, content verified.

    One :class:`FormatError` lists the problems of all entries (pointers into the Bundle); no
    partial result is returned, so a tampered entry cannot slip through beside good ones.
    """
    bundle = parse_json(data)
    problems: list[Problem] = []
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FormatError(
            "not a Bundle",
            [
                Problem(
                    code="fhir.bundle.resource_type",
                    message="resourceType must be 'Bundle'",
                    location=Location(pointer="/resourceType"),
                )
            ],
        )
    if bundle.get("type") not in _BUNDLE_TYPES:
        problems.append(
            Problem(
                code="fhir.bundle.type",
                message=f"Bundle.type must be one of {', '.join(_BUNDLE_TYPES)}",
                location=Location(pointer="/type"),
            )
        )
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        entries = []
        problems.append(
            Problem(
                code="fhir.structure",
                message="entry must be an array",
                location=Location(pointer="/entry"),
            )
        )
    binaries = _binaries(entries, problems)
    imported: list[ImportedDocument] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            problems.append(
                Problem(
                    code="fhir.bundle.entry",
                    message="entry has no resource",
                    location=Location(pointer=f"/entry/{index}"),
                )
            )
            continue
        if resource.get("resourceType") != "DocumentReference":
            continue
        try:
            imported.append(
                read_resource(resource, pointer=f"/entry/{index}/resource", resolve=binaries.get)
            )
        except FormatError as exc:
            problems.extend(exc.problems)
    if not imported and not problems:
        problems.append(
            Problem(
                code="fhir.bundle.empty",
                message="the Bundle holds no DocumentReference",
                location=Location(pointer="/entry"),
            )
        )
    if problems:
        raise FormatError(f"not a usable Bundle ({len(problems)} problems)", problems)
    return tuple(imported)


def _binaries(entries: list[Any], problems: list[Problem]) -> dict[str, bytes]:
    """Binary contents by every name an attachment url may use: fullUrl and ``Binary/<id>``."""
    found: dict[str, bytes] = {}
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, Mapping) or resource.get("resourceType") != "Binary":
            continue
        data = resource.get("data", "")
        try:
            if not isinstance(data, str):
                raise ValueError("data is not a string")
            content = decode_base64binary(data)
        except (binascii.Error, ValueError) as exc:
            problems.append(
                Problem(
                    code="fhir.binary.data",
                    message=f"Binary.data is not valid base64: {exc}",
                    location=Location(pointer=f"/entry/{index}/resource/data"),
                )
            )
            continue
        names = [entry.get("fullUrl")]
        if isinstance(resource.get("id"), str):
            names.append(f"Binary/{resource['id']}")
        for name in names:
            if isinstance(name, str):
                found[name] = content
    return found
