"""Document (+ :class:`~leportal_fhir.isik.IsikMetadata`) → ISiK DocumentReference as a JSON dict.

The mapping table is in ``docs/formats.md``. The result is plain ``dict``/``list``/``str``/``int``
so ``json.dumps`` writes it; nothing here imports ``fhir.resources``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from leportal_core import Document, ValidationError
from leportal_fhir.isik import (
    CONFIDENTIALITY_SYSTEM,
    PROFILE_URL,
    RFC3986,
    Coding,
    IsikMetadata,
    IsikOptions,
    class_coding,
    format_coding,
    kdl_coding,
    master_identifier,
    type_codings,
)

__all__ = ["attachment_hash", "reference", "to_resource"]

# FHIR R4 id: 1–64 of letters, digits, '-' and '.'; only such ids can be a literal reference.
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def attachment_hash(content: bytes) -> str:
    """``Attachment.hash``: base64 of the SHA-1 of the raw bytes (FHIR R4 datatypes)."""
    return base64.b64encode(hashlib.sha1(content).digest()).decode("ascii")  # noqa: S324 - FHIR R4 defines Attachment.hash as SHA-1


def reference(resource_type: str, value: str, identifier_system: str | None) -> dict[str, Any]:
    """``{"reference": "Patient/<id>"}`` when ``value`` is a FHIR id, plus an identifier when a
    system is configured; a value that is no FHIR id can only travel as an identifier (ISiK's
    check then reports the missing literal reference)."""
    out: dict[str, Any] = {}
    if FHIR_ID.match(value):
        out["reference"] = f"{resource_type}/{value}"
    if identifier_system is not None or "reference" not in out:
        identifier = {"value": value}
        if identifier_system is not None:
            identifier = {"system": identifier_system, "value": value}
        out["identifier"] = identifier
    return out


def to_resource(
    document: Document,
    metadata: IsikMetadata | None = None,
    options: IsikOptions | None = None,
    *,
    url: str | None = None,
) -> dict[str, Any]:
    """The DocumentReference for ``document``: content inline (``data``) unless ``url`` is given
    (e.g. the ``urn:uuid:`` of a Binary in the same transaction Bundle). ``hash`` and ``size``
    are written either way so the receiver can verify the bytes."""
    if not isinstance(document, Document):
        raise ValidationError(f"expected a Document, not {type(document).__name__}")
    metadata = metadata or IsikMetadata()
    options = options or IsikOptions()
    table = options.kdl_table()
    content = document.read_bytes()

    resource: dict[str, Any] = {"resourceType": "DocumentReference"}
    if options.with_profile:
        resource["meta"] = {"profile": [PROFILE_URL]}
    resource["masterIdentifier"] = {
        "system": RFC3986,
        "value": metadata.master_identifier or master_identifier(document),
    }
    resource["status"] = metadata.status.value
    if metadata.doc_status is not None:
        resource["docStatus"] = metadata.doc_status.value
    type_coding: list[Coding] = []
    category: list[Coding] = []
    if document.kdl_code is not None:
        type_coding.append(kdl_coding(document.kdl_code, table))
        derived_class = class_coding(document.kdl_code, table)
        type_coding.extend(
            (metadata.type_code,) if metadata.type_code else type_codings(document.kdl_code, table)
        )
        chosen_class = metadata.class_code or derived_class
        if chosen_class is not None:
            category.append(chosen_class)
    else:
        type_coding.extend(c for c in (metadata.type_code,) if c is not None)
        category.extend(c for c in (metadata.class_code,) if c is not None)
    type_coding.extend(metadata.extra_type_codings)
    category.extend(metadata.extra_category_codings)
    if type_coding:
        resource["type"] = {"coding": [c.as_json() for c in type_coding]}
    if category:
        resource["category"] = [{"coding": [c.as_json() for c in category]}]
    if document.patient_id is not None:
        resource["subject"] = reference(
            "Patient", document.patient_id, options.patient_identifier_system
        )
    resource["description"] = metadata.description or document.title
    labels = [
        Coding(system=CONFIDENTIALITY_SYSTEM, code=metadata.confidentiality.value),
        *metadata.extra_security_labels,
    ]
    resource["securityLabel"] = [{"coding": [label.as_json()]} for label in labels]
    if metadata.replaces is not None:
        target: dict[str, Any] = (
            {"identifier": {"system": RFC3986, "value": metadata.replaces}}
            if metadata.replaces.startswith("urn:oid:")
            else {"reference": metadata.replaces}
        )
        resource["relatesTo"] = [{"code": "replaces", "target": target}]

    attachment: dict[str, Any] = {
        "contentType": document.media_type,
        "language": metadata.language,
    }
    if url is not None:
        attachment["url"] = url
    elif content:
        # FHIR forbids empty strings: an empty file has size 0 and no data.
        attachment["data"] = base64.b64encode(content).decode("ascii")
    attachment["size"] = len(content)
    attachment["hash"] = attachment_hash(content)
    attachment["title"] = document.title
    attachment["creation"] = document.created.isoformat()
    resource["content"] = [
        {
            "attachment": attachment,
            "format": format_coding(
                document.media_type, metadata.pdfa, metadata.pdfa_verified
            ).as_json(),
        }
    ]
    context: dict[str, Any] = {}
    if document.case_id is not None:
        context["encounter"] = [
            reference("Encounter", document.case_id, options.encounter_identifier_system)
        ]
    context["facilityType"] = {
        "coding": [(metadata.facility_type or options.facility_type).as_json()]
    }
    context["practiceSetting"] = {
        "coding": [(metadata.practice_setting or options.practice_setting).as_json()]
    }
    resource["context"] = context
    return resource
