"""leportal's own ISiK Stufe 3 rule checks for a DocumentReference, one problem code per rule.

The rules are the cardinalities and bindings of gematik's ``ISiKDokumentenMetadaten`` (FSH source
``Resources/input/fsh/ISiKDokumentenMetadaten.fsh`` in ``gematik/spec-ISiK-Dokumentenaustausch``).
Bindings are checked against the code lists leportal ships (IHE-D typeCode/classCode, the KDL table
when one is loaded, N/R/V, and the IHE-D 4.0.0 value sets ISiK binds *required* to
``content.format``, ``context.facilityType``, ``context.practiceSetting`` and ``context.event``;
:func:`leportal_core.terminology.value_set`). A required binding on a CodeableConcept is met when
one of its codings is a member (FHIR R4 §4.1.5 "required"); extra codings are allowed. A known spelling slip (``CodeSystem`` singular in the IHE-D
URLs, as in ISiK's own examples) is a warning. Nothing here needs ``fhir.resources``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leportal_core import Location, Problem, Severity
from leportal_core.terminology import (
    CLASS_CODE_SYSTEM,
    EVENT_CODE_VS,
    FACILITY_TYPE_VS,
    FORMAT_CODE_VS,
    PRACTICE_SETTING_VS,
    TYPE_CODE_SYSTEM,
    KdlTable,
    class_codes,
    in_value_set,
)
from leportal_core.terminology import type_codes as ihe_type_codes
from leportal_fhir.isik import (
    CONFIDENTIALITY_SYSTEM,
    KDL_SYSTEM,
    NULL_FLAVOR_SYSTEM,
    RFC3986,
    IsikOptions,
)

__all__ = ["isik_problems"]

_OID_PREFIX = "urn:oid:"
_STATUSES = ("current", "superseded", "entered-in-error")
_DOC_STATUSES = ("preliminary", "final", "amended", "entered-in-error")
_RELATIONS = ("replaces", "transforms", "signs", "appends")


class _Findings:
    def __init__(self, prefix: str) -> None:
        self.items: list[Problem] = []
        self.prefix = prefix

    def add(self, code: str, message: str, pointer: str, *, warning: bool = False) -> None:
        self.items.append(
            Problem(
                code=code,
                message=message,
                location=Location(pointer=self.prefix + pointer),
                severity=Severity.WARNING if warning else Severity.ERROR,
            )
        )


def _codings(concept: object) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    return [(i, c) for i, c in enumerate(concept["coding"]) if isinstance(c, dict)]


def _known(code: object, table: Mapping[str, object]) -> bool:
    return isinstance(code, str) and code in table


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def isik_problems(
    resource: Mapping[str, Any], *, options: IsikOptions | None = None, pointer: str = ""
) -> list[Problem]:
    """Every ISiK rule ``resource`` breaks (errors) and every slip worth a look (warnings)."""
    found = _Findings(pointer)
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "DocumentReference":
        found.add("fhir.resource_type.invalid", "not a DocumentReference", "/resourceType")
        return found.items
    table = (options or IsikOptions()).kdl_table()
    _master_identifier(resource, found)
    if resource.get("status") not in _STATUSES:
        found.add(
            "fhir.isik.status", "status must be current, superseded or entered-in-error", "/status"
        )
    if "docStatus" in resource and resource["docStatus"] not in _DOC_STATUSES:
        found.add(
            "fhir.isik.doc_status",
            "docStatus must be preliminary, final, amended or entered-in-error",
            "/docStatus",
        )
    _type(resource, found, table)
    _category(resource, found)
    subject = resource.get("subject")
    if not isinstance(subject, dict) or not _text(subject.get("reference")):
        found.add(
            "fhir.isik.subject",
            "subject.reference (the Patient on the server) is required (1..1)",
            "/subject",
        )
    if not _text(resource.get("description")):
        found.add("fhir.isik.description", "description is required (1..1)", "/description")
    _security_labels(resource, found)
    if "custodian" in resource:
        found.add("fhir.isik.custodian", "custodian is not allowed (0..0)", "/custodian")
    _relates_to(resource, found)
    _content(resource, found)
    _context(resource, found)
    return found.items


def _master_identifier(resource: Mapping[str, Any], found: _Findings) -> None:
    master = resource.get("masterIdentifier")
    if not isinstance(master, dict):
        found.add(
            "fhir.isik.master_identifier",
            "masterIdentifier is required (1..1)",
            "/masterIdentifier",
        )
        return
    if master.get("system") != RFC3986:
        found.add(
            "fhir.isik.master_identifier",
            f"masterIdentifier.system must be {RFC3986}",
            "/masterIdentifier/system",
        )
    value = master.get("value")
    if not isinstance(value, str) or not value.startswith(_OID_PREFIX):
        found.add(
            "fhir.isik.master_identifier",
            "masterIdentifier.value must be an OID with prefix 'urn:oid:'",
            "/masterIdentifier/value",
        )


def _type(resource: Mapping[str, Any], found: _Findings, table: KdlTable | None) -> None:
    codings = _codings(resource.get("type"))
    kdl = [(i, c) for i, c in codings if c.get("system") == KDL_SYSTEM]
    if len(kdl) != 1:
        found.add(
            "fhir.isik.type.kdl",
            f"type needs exactly one KDL coding ({KDL_SYSTEM}), found {len(kdl)}",
            "/type/coding",
        )
    for index, coding in kdl:
        where = f"/type/coding/{index}"
        if not _text(coding.get("code")) or not _text(coding.get("display")):
            found.add("fhir.isik.type.kdl", "the KDL coding needs code and display", where)
        elif table is not None and table.get(coding["code"]) is None:
            found.add(
                "fhir.isik.type.kdl_unknown",
                f"KDL code {coding['code']!r} is not in {table.source}",
                where,
            )
    xds = [(i, c) for i, c in codings if c.get("system") in _spellings(TYPE_CODE_SYSTEM)]
    if len(xds) > 1:
        found.add(
            "fhir.isik.type.xds", "at most one IHE-D typeCode is allowed (0..1)", "/type/coding"
        )
    for index, coding in xds:
        where = f"/type/coding/{index}"
        _spelling(coding, TYPE_CODE_SYSTEM, where, found)
        if not _known(coding.get("code"), ihe_type_codes()) or not _text(coding.get("display")):
            found.add(
                "fhir.isik.type.xds",
                f"IHE-D typeCode {coding.get('code')!r} is unknown or has no display",
                where,
            )
    for index, coding in codings:
        if coding.get("system") == NULL_FLAVOR_SYSTEM and coding.get("code") != "UNK":
            found.add(
                "fhir.isik.type.xds",
                "only NullFlavor UNK stands for a typeCode",
                f"/type/coding/{index}",
            )


def _category(resource: Mapping[str, Any], found: _Findings) -> None:
    categories = resource.get("category")
    if categories is None:
        return
    if not isinstance(categories, list) or len(categories) > 1:
        found.add("fhir.isik.category", "category holds at most one entry (0..1)", "/category")
        return
    for category_index, category in enumerate(categories):
        codings = _codings(category)
        xds = [(i, c) for i, c in codings if c.get("system") in _spellings(CLASS_CODE_SYSTEM)]
        base = f"/category/{category_index}/coding"
        if len(xds) != 1:
            found.add(
                "fhir.isik.category", "category needs exactly one IHE-D classCode coding", base
            )
        for index, coding in xds:
            _spelling(coding, CLASS_CODE_SYSTEM, f"{base}/{index}", found)
            if not _known(coding.get("code"), class_codes()) or not _text(coding.get("display")):
                found.add(
                    "fhir.isik.category",
                    f"IHE-D classCode {coding.get('code')!r} is unknown or has no display",
                    f"{base}/{index}",
                )


def _security_labels(resource: Mapping[str, Any], found: _Findings) -> None:
    labels = resource.get("securityLabel")
    codings: list[dict[str, Any]] = []
    for label in labels if isinstance(labels, list) else []:
        codings.extend(coding for _, coding in _codings(label))
    if not any(
        c.get("system") == CONFIDENTIALITY_SYSTEM and c.get("code") in ("N", "R", "V")
        for c in codings
    ):
        found.add(
            "fhir.isik.security_label",
            "securityLabel needs a confidentiality N, R or V (v3-Confidentiality)",
            "/securityLabel",
        )


def _relates_to(resource: Mapping[str, Any], found: _Findings) -> None:
    relations = resource.get("relatesTo")
    if relations is None:
        return
    for index, relation in enumerate(relations if isinstance(relations, list) else [None]):
        target = relation.get("target") if isinstance(relation, dict) else None
        if (
            not isinstance(relation, dict)
            or relation.get("code") not in _RELATIONS
            or not isinstance(target, dict)
            or not (target.get("reference") or target.get("identifier"))
        ):
            found.add(
                "fhir.isik.relates_to",
                "relatesTo needs a code (replaces, transforms, signs, appends) and a target",
                f"/relatesTo/{index}",
            )


def _content(resource: Mapping[str, Any], found: _Findings) -> None:
    content = resource.get("content")
    if not isinstance(content, list) or len(content) != 1 or not isinstance(content[0], dict):
        found.add("fhir.isik.content", "content must hold exactly one entry (1..1)", "/content")
        return
    entry = content[0]
    attachment = entry.get("attachment")
    if not isinstance(attachment, dict):
        found.add("fhir.isik.content", "content.attachment is required", "/content/0/attachment")
        return
    where = "/content/0/attachment"
    if not _text(attachment.get("contentType")):
        found.add("fhir.isik.content_type", "attachment.contentType is required", where)
    if not _text(attachment.get("language")):
        found.add("fhir.isik.language", "attachment.language is required (1..1)", where)
    if not _text(attachment.get("creation")):
        found.add("fhir.isik.creation", "attachment.creation is required (1..1)", where)
    if "data" not in attachment and "url" not in attachment and attachment.get("size") != 0:
        found.add("fhir.isik.data_or_url", "attachment needs data or url", where)
    codings = (
        _codings({"coding": [entry.get("format")]}) if isinstance(entry.get("format"), dict) else []
    )
    if (
        not codings
        or not _text(codings[0][1].get("system"))
        or not _text(codings[0][1].get("code"))
    ):
        found.add(
            "fhir.isik.format",
            "content.format (system and code) is required (1..1)",
            "/content/0/format",
        )
    elif not in_value_set(FORMAT_CODE_VS, codings[0][1]["system"], codings[0][1]["code"]):
        found.add(
            "fhir.isik.format.binding",
            f"content.format {codings[0][1]['system']}#{codings[0][1]['code']} is not in the "
            f"required value set {FORMAT_CODE_VS} (IHE-D 4.0.0)",
            "/content/0/format",
        )


def _context(resource: Mapping[str, Any], found: _Findings) -> None:
    context = resource.get("context")
    if not isinstance(context, dict):
        found.add(
            "fhir.isik.context", "context is required (facilityType, practiceSetting)", "/context"
        )
        return
    encounters = context.get("encounter")
    if encounters is not None and (not isinstance(encounters, list) or len(encounters) > 1):
        found.add(
            "fhir.isik.encounter",
            "context.encounter holds at most one reference (0..1)",
            "/context/encounter",
        )
    if not _coded(context.get("facilityType")):
        found.add(
            "fhir.isik.facility_type",
            "context.facilityType with system and code is required (1..1)",
            "/context/facilityType",
        )
    else:
        _binding(
            context["facilityType"],
            FACILITY_TYPE_VS,
            "/context/facilityType",
            found,
            code="fhir.isik.facility_type.binding",
        )
    if not _coded(context.get("practiceSetting")):
        found.add(
            "fhir.isik.practice_setting",
            "context.practiceSetting with system and code is required (1..1)",
            "/context/practiceSetting",
        )
    else:
        _binding(
            context["practiceSetting"],
            PRACTICE_SETTING_VS,
            "/context/practiceSetting",
            found,
            code="fhir.isik.practice_setting.binding",
        )
    events = context.get("event")
    if events is not None:
        if not isinstance(events, list):
            events = [events]
        for index, event in enumerate(events):
            _binding(
                event,
                EVENT_CODE_VS,
                f"/context/event/{index}",
                found,
                code="fhir.isik.event.binding",
            )


def _binding(concept: object, value_set: str, pointer: str, found: _Findings, *, code: str) -> None:
    """A required binding: one coding of ``concept`` must be a member of ``value_set``."""
    codings = _codings(concept)
    if any(in_value_set(value_set, c.get("system"), c.get("code")) for _, c in codings):
        return
    shown = ", ".join(f"{c.get('system')}#{c.get('code')}" for _, c in codings) or "no coding"
    found.add(
        code,
        f"{shown}: not in the required value set {value_set} (IHE-D 4.0.0)",
        pointer,
    )


def _coded(concept: object) -> bool:
    return any(_text(c.get("system")) and _text(c.get("code")) for _, c in _codings(concept))


def _spellings(system: str) -> tuple[str, str]:
    return system, system.replace("/CodeSystems/", "/CodeSystem/")


def _spelling(coding: Mapping[str, Any], system: str, where: str, found: _Findings) -> None:
    if coding.get("system") != system:
        found.add(
            "fhir.isik.system_spelling",
            f"system should be {system} (plural 'CodeSystems'), got {coding.get('system')!r}",
            f"{where}/system",
            warning=True,
        )
