"""ISiK Stufe 3 *Dokumentenaustausch* metadata the core :class:`~leportal_core.Document` lacks.

ISiK (gematik, profile ``ISiKDokumentenMetadaten``, https://simplifier.net/isik-dokumentenaustausch-v3,
sources ``gematik/spec-ISiK-Dokumentenaustausch``) requires on a DocumentReference: a
version-specific ``masterIdentifier`` (``urn:ietf:rfc:3986`` + ``urn:oid:…``), ``status``, a KDL
``type`` coding with display, ``description``, ``securityLabel`` N/R/V, exactly one ``content``
with ``contentType``, ``language``, ``creation`` and a ``format`` code, and ``context`` with
``facilityType`` and ``practiceSetting``. :class:`IsikMetadata` carries these per document with
defaults derived from the Document; :class:`IsikOptions` carries what is the same for a whole
installation (facility type, Fachabteilung, KDL table).

The masterIdentifier default follows the ISiK comment on it and IHE's "Creating Unique IDs - OID
and UUID": a UUID as one 128-bit integer under the root OID ``2.25``. The UUID is a UUIDv5
(RFC 9562 §5.5) over the document's SHA-256, media type, patient and case, so the same document
gets the same identifier on every export (idempotent re-uploads) and changed bytes a new one.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Mapping
from typing import Any

import attrs

from leportal_core import Document, ValidationError
from leportal_core.errors import Location, Problem
from leportal_core.terminology import (
    CLASS_CODE_SYSTEM,
    TYPE_CODE_SYSTEM,
    KdlTable,
    class_codes,
    installed_kdl_table,
    type_codes,
)

__all__ = [
    "CONFIDENTIALITY_SYSTEM",
    "FACILITY_TYPE_SYSTEM",
    "FORMAT_CODE_SYSTEM",
    "IHE_D_FORMAT_SYSTEM",
    "KDL_SYSTEM",
    "MASTER_IDENTIFIER_NAMESPACE",
    "MIME_TYPE_SUFFICIENT",
    "NULL_FLAVOR_SYSTEM",
    "PRACTICE_SETTING_SYSTEM",
    "PROFILE_URL",
    "RFC3986",
    "Coding",
    "Confidentiality",
    "DocStatus",
    "IsikMetadata",
    "IsikOptions",
    "RecordStatus",
    "class_coding",
    "format_coding",
    "ihe_class_coding",
    "ihe_type_coding",
    "is_language",
    "is_oid_uri",
    "kdl_coding",
    "master_identifier",
    "type_codings",
]

KDL_SYSTEM = "http://dvmd.de/fhir/CodeSystem/kdl"
NULL_FLAVOR_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
FORMAT_CODE_SYSTEM = "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode"
IHE_D_FORMAT_SYSTEM = "http://ihe-d.de/CodeSystems/DeutscheDokumentenformate"
FACILITY_TYPE_SYSTEM = "http://ihe-d.de/CodeSystems/PatientBezogenenGesundheitsversorgung"
PRACTICE_SETTING_SYSTEM = "http://ihe-d.de/CodeSystems/AerztlicheFachrichtungen"
MIME_TYPE_SUFFICIENT = "urn:ihe:iti:xds:2017:mimeTypeSufficient"
RFC3986 = "urn:ietf:rfc:3986"
PROFILE_URL = "https://gematik.de/fhir/isik/v3/Dokumentenaustausch/StructureDefinition/ISiKDokumentenMetadaten"
# leportal's own UUIDv5 namespace for masterIdentifiers (a fixed, never-changing random UUID).
MASTER_IDENTIFIER_NAMESPACE = uuid.UUID("6f1f3c1e-7a35-4c59-9d0a-2f8e4b51c7d2")

# IHE-D DeutscheDokumentenformate codes for the PDF/A parts (IHE-Germany/ITI.XDS.VS formatCode).
_PDFA_FORMATS = {
    "1": ("urn:ihe-d:spec:PDF_A1:2005", "PDF/A-1"),
    "2": ("urn:ihe-d:spec:PDF_A2:2011", "PDF/A-2"),
    "3": ("urn:ihe-d:spec:PDF_A3:2012", "PDF/A-3"),
}
_OID = re.compile(r"^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def is_oid_uri(value: object) -> bool:
    """``urn:oid:`` followed by a dotted OID (the form ISiK wants in masterIdentifier)."""
    return isinstance(value, str) and _OID.match(value) is not None


def is_language(value: object) -> bool:
    """A BCP 47 language tag of the simple kind FHIR attachments use (``de``, ``de-DE``)."""
    return isinstance(value, str) and _LANGUAGE.match(value) is not None


class RecordStatus(enum.Enum):
    """``DocumentReference.status``: Status des Metadatensatzes."""

    CURRENT = "current"
    SUPERSEDED = "superseded"
    ENTERED_IN_ERROR = "entered-in-error"


class DocStatus(enum.Enum):
    """``DocumentReference.docStatus``: Bearbeitungsstatus des Dokumentes (optional in ISiK)."""

    PRELIMINARY = "preliminary"
    FINAL = "final"
    AMENDED = "amended"
    ENTERED_IN_ERROR = "entered-in-error"


class Confidentiality(enum.Enum):
    """ISiKConfidentialityCodes: N normal, R restricted (eingeschränkt), V very restricted."""

    NORMAL = "N"
    RESTRICTED = "R"
    VERY_RESTRICTED = "V"


def _optional_text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError(
            f"{attribute.name} must be non-empty text",
            [
                Problem(
                    code="fhir.metadata.invalid",
                    message=f"{attribute.name} must be non-empty text, got {value!r}",
                    location=Location(field=attribute.name),
                )
            ],
        )


_CODING_PARTS = ("system", "code", "display", "version")


@attrs.frozen(kw_only=True)
class Coding:
    """A FHIR Coding; every part optional as in FHIR, so foreign codings survive an import."""

    system: str | None = attrs.field(default=None, validator=_optional_text)
    code: str | None = attrs.field(default=None, validator=_optional_text)
    display: str | None = attrs.field(default=None, validator=_optional_text)
    version: str | None = attrs.field(default=None, validator=_optional_text)

    def as_json(self) -> dict[str, str]:
        out = {"system": self.system, "version": self.version, "code": self.code}
        out["display"] = self.display
        return {k: v for k, v in out.items() if v is not None}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Coding | None:
        """The coding, or ``None`` when ``value`` holds no usable text parts."""
        parts = {}
        for key in _CODING_PARTS:
            text = value.get(key)
            if isinstance(text, str) and text.strip():
                parts[key] = text
        return cls(**parts) if parts else None


def _check_metadata(instance: IsikMetadata) -> None:
    problems = []
    if instance.master_identifier is not None and not is_oid_uri(instance.master_identifier):
        problems.append(
            Problem(
                code="fhir.metadata.master_identifier",
                message=f"masterIdentifier {instance.master_identifier!r} is not 'urn:oid:<oid>'",
                location=Location(field="master_identifier"),
            )
        )
    if not is_language(instance.language):
        problems.append(
            Problem(
                code="fhir.metadata.language",
                message=f"language {instance.language!r} is not a BCP 47 tag like 'de' or 'de-DE'",
                location=Location(field="language"),
            )
        )
    if instance.pdfa is not None and instance.pdfa[:1] not in "1234":
        problems.append(
            Problem(
                code="fhir.metadata.pdfa",
                message=f"pdfa {instance.pdfa!r} is not a PDF/A part like '2b'",
                location=Location(field="pdfa"),
            )
        )
    if problems:
        raise ValidationError(f"invalid ISiK metadata ({len(problems)} problems)", problems)


@attrs.frozen(kw_only=True)
class IsikMetadata:
    """Per-document ISiK metadata; ``None`` means "derive the documented default".

    Defaults: ``master_identifier`` from :func:`master_identifier`; ``description`` = the
    Document's title; ``type_code``/``class_code`` from the KDL table (IHE-D maps of DVMD);
    ``confidentiality`` N; ``language`` ``de``; ``status`` current; ``doc_status`` final (a
    document handed over is finished; set ``None`` to leave it out); ``pdfa`` the *claimed* PDF/A
    conformance (e.g. ``"2b"`` from :class:`~leportal_core.pdf.PdfVerdict`); ``pdfa_verified``
    whether a PDF/A validator confirmed it — only then does ``pdfa`` select the IHE-D PDF/A format
    code, a bare claim is exported as mime type sufficient; ``replaces`` the masterIdentifier (``urn:oid:…``) or reference
    (``DocumentReference/<id>``) of the document this one replaces. ``extra_*`` keep codings an
    import found beyond the ones leportal understands, so nothing is dropped on a round trip.
    """

    master_identifier: str | None = None
    status: RecordStatus = RecordStatus.CURRENT
    doc_status: DocStatus | None = DocStatus.FINAL
    description: str | None = attrs.field(default=None, validator=_optional_text)
    confidentiality: Confidentiality = Confidentiality.NORMAL
    language: str = "de"
    type_code: Coding | None = None
    class_code: Coding | None = None
    practice_setting: Coding | None = None
    facility_type: Coding | None = None
    pdfa: str | None = None
    pdfa_verified: bool = False
    replaces: str | None = attrs.field(default=None, validator=_optional_text)
    extra_type_codings: tuple[Coding, ...] = ()
    extra_category_codings: tuple[Coding, ...] = ()
    extra_security_labels: tuple[Coding, ...] = ()

    def __attrs_post_init__(self) -> None:
        _check_metadata(self)


@attrs.frozen(kw_only=True)
class IsikOptions:
    """What is the same for a whole installation.

    ``facility_type`` defaults to KHS (Krankenhaus), as the ISiK profile suggests.
    ``practice_setting`` (the Fachabteilung, IHE-D ``AerztlicheFachrichtungen``) defaults to
    ``ALLG`` as in gematik's own examples — **a placeholder: set your Fachabteilung**. ``kdl`` is a
    loaded :class:`~leportal_core.terminology.KdlTable`, ``None`` for none, or ``"installed"`` for
    the optional ``leportal-kdl-data`` distribution; without a table the KDL display and the
    IHE-D codes cannot be derived. ``patient_identifier_system``/``encounter_identifier_system``
    add a business identifier with that system next to the literal reference.
    """

    facility_type: Coding = Coding(system=FACILITY_TYPE_SYSTEM, code="KHS", display="Krankenhaus")
    practice_setting: Coding = Coding(
        system=PRACTICE_SETTING_SYSTEM, code="ALLG", display="Allgemeinmedizin"
    )
    kdl: KdlTable | str | None = "installed"
    patient_identifier_system: str | None = None
    encounter_identifier_system: str | None = None
    with_profile: bool = True

    def kdl_table(self) -> KdlTable | None:
        if self.kdl == "installed":
            return installed_kdl_table()
        return self.kdl if isinstance(self.kdl, KdlTable) else None


def master_identifier(document: Document) -> str:
    """The default ``urn:oid:2.25.<int>`` of a document: stable for the same bytes and context.

    >>> import datetime
    >>> doc = Document(title="x", media_type="application/pdf", created=datetime.date(2026, 1, 1),
    ...                content=b"%PDF", patient_id="P-1")
    >>> master_identifier(doc) == master_identifier(doc)
    True
    >>> master_identifier(doc).startswith("urn:oid:2.25.")
    True
    """
    name = "|".join(
        (document.sha256, document.media_type, document.patient_id or "", document.case_id or "")
    )
    return f"urn:oid:2.25.{uuid.uuid5(MASTER_IDENTIFIER_NAMESPACE, name).int}"


def kdl_coding(code: str, table: KdlTable | None) -> Coding:
    """The KDL coding, with its display when the table knows the code."""
    entry = table.get(code) if table is not None else None
    return Coding(system=KDL_SYSTEM, code=code, display=entry.display if entry else None)


def type_codings(code: str, table: KdlTable | None) -> tuple[Coding, ...]:
    """The IHE-D typeCode DVMD maps a KDL code to, or NullFlavor ``UNK`` where DVMD says UNK;
    empty when the code is not in the table (nothing is guessed)."""
    entry = table.get(code) if table is not None else None
    if entry is None:
        return ()
    if entry.type_code is None:
        return (Coding(system=NULL_FLAVOR_SYSTEM, code="UNK", display="unknown"),)
    concept = type_codes().get(entry.type_code)
    return (
        Coding(
            system=TYPE_CODE_SYSTEM,
            code=entry.type_code,
            display=concept.display if concept else None,
        ),
    )


def class_coding(code: str, table: KdlTable | None) -> Coding | None:
    """The IHE-D classCode of a KDL code; ``None`` for UNK (ISiK's category slice needs a real
    classCode, so no category is written) or an unknown code."""
    entry = table.get(code) if table is not None else None
    if entry is None or entry.class_code is None:
        return None
    concept = class_codes().get(entry.class_code)
    return Coding(
        system=CLASS_CODE_SYSTEM,
        code=entry.class_code,
        display=concept.display if concept else None,
    )


def ihe_type_coding(code: str) -> Coding | None:
    """The IHE-D typeCode coding for ``code`` with its display, ``None`` for an unknown code."""
    concept = type_codes().get(code)
    return Coding(system=TYPE_CODE_SYSTEM, code=code, display=concept.display) if concept else None


def ihe_class_coding(code: str) -> Coding | None:
    """The IHE-D classCode coding for ``code`` with its display, ``None`` for an unknown code."""
    concept = class_codes().get(code)
    return Coding(system=CLASS_CODE_SYSTEM, code=code, display=concept.display) if concept else None


def format_coding(media_type: str, pdfa: str | None, verified: bool = False) -> Coding:
    """``mimeTypeSufficient``, or the IHE-D PDF/A code for a PDF *verified* as PDF/A-1, -2 or -3.

    A claim in the XMP metadata is not conformance (veraPDF's failing test files claim PDF/A as
    often as its passing ones), so an unverified claim stays ``mimeTypeSufficient``.
    """
    if verified and media_type == "application/pdf" and pdfa and pdfa[0] in _PDFA_FORMATS:
        code, display = _PDFA_FORMATS[pdfa[0]]
        return Coding(system=IHE_D_FORMAT_SYSTEM, code=code, display=display)
    return Coding(
        system=FORMAT_CODE_SYSTEM, code=MIME_TYPE_SUFFICIENT, display="mimeType Sufficient"
    )
