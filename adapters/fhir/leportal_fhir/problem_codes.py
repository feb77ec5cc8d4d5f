"""The problem codes of leportal_fhir, declared once; registered by ``plugin.leportal_register_problem_codes``.

Plain data: importing this module loads nothing heavy (see docs/plugins.md).
"""

from __future__ import annotations

from leportal_core.errors import Severity
from leportal_core.problems import Kind, Section
from leportal_core.problems import ProblemCode as P

__all__ = ["SECTIONS"]

WARNING = Severity.WARNING

SECTIONS = (
    Section(
        "FHIR adapter (`fhir.document_reference`, [formats.md](formats.md))",
        "",
        (
            P("fhir.input.type", Kind.INPUT, "decode was given something other than bytes"),
            P("fhir.json.encoding", Kind.FORMAT, "the bytes are not UTF-8"),
            P("fhir.json.syntax", Kind.FORMAT, "not JSON (also `NaN`, over-long numbers)"),
            P("fhir.json.duplicate_key", Kind.FORMAT, "a JSON object has the same key twice"),
            P("fhir.json.depth", Kind.FORMAT, "JSON nested too deeply"),
            P(
                "fhir.structure",
                Kind.INPUT,
                "an element has the wrong JSON type (object, array, …)",
            ),
            P(
                "fhir.resource_type.invalid",
                Kind.INPUT,
                "`resourceType` is not `DocumentReference`",
                formerly=("fhir.resource_type",),
            ),
            P(
                "fhir.status.invalid",
                Kind.INPUT,
                "`status` missing or not current/superseded/entered-in-error",
                formerly=("fhir.status",),
            ),
            P("fhir.type.kdl", Kind.INPUT, "the KDL coding has no usable code"),
            P(
                "fhir.reference.invalid",
                Kind.INPUT,
                "subject or encounter reference unusable",
                formerly=("fhir.reference",),
            ),
            P(
                "fhir.context.encounter",
                Kind.INPUT,
                "`context.encounter` does not hold exactly one reference",
            ),
            P("fhir.content.count", Kind.INPUT, "`content` is not an array with exactly one entry"),
            P("fhir.attachment.content_type", Kind.INPUT, "`contentType` missing or empty"),
            P("fhir.attachment.title", Kind.INPUT, "neither `attachment.title` nor `description`"),
            P(
                "fhir.attachment.creation",
                Kind.INPUT,
                "`creation` missing or not a full date / dateTime",
            ),
            P("fhir.attachment.data", Kind.INPUT, "`data` is not valid base64"),
            P("fhir.attachment.data_missing", Kind.INPUT, "no `data` (and not an empty file)"),
            P(
                "fhir.attachment.url_unsupported",
                Kind.INPUT,
                "content by `url` outside a Bundle that carries the Binary: it cannot be read",
            ),
            P(
                "fhir.attachment.size_mismatch",
                Kind.INPUT,
                "`size` differs from the decoded byte count",
            ),
            P(
                "fhir.attachment.hash_mismatch",
                Kind.INPUT,
                "`hash` (SHA-1) differs from the decoded bytes: altered or cut content",
            ),
            P(
                "fhir.attachment.url_unresolved",
                Kind.INPUT,
                "an attachment `url` names no Binary with data in the same Bundle",
            ),
            P(
                "fhir.attachment.not_verified",
                Kind.INPUT,
                "(warning, validate) content is held at its url; hash and size not verified",
                WARNING,
            ),
            P("fhir.bundle.resource_type", Kind.INPUT, "the input is not a Bundle"),
            P(
                "fhir.bundle.type",
                Kind.INPUT,
                "Bundle.type is not transaction, batch, collection, searchset or transaction-response",
            ),
            P("fhir.bundle.entry", Kind.INPUT, "a Bundle entry has no resource"),
            P("fhir.bundle.empty", Kind.INPUT, "the Bundle holds no DocumentReference"),
            P("fhir.binary.data", Kind.INPUT, "a Binary's `data` is not valid base64"),
            P(
                "fhir.metadata.invalid",
                Kind.INPUT,
                "an `IsikMetadata`/`Coding` text field is empty or not text",
            ),
            P(
                "fhir.metadata.master_identifier",
                Kind.INPUT,
                "`master_identifier` is not `urn:oid:<oid>`",
            ),
            P("fhir.metadata.language", Kind.INPUT, "`language` is not a BCP 47 tag"),
            P("fhir.metadata.pdfa", Kind.INPUT, "`pdfa` is not a PDF/A part like `2b`"),
            P(
                "fhir.isik.master_identifier",
                Kind.INPUT,
                "masterIdentifier missing, system not `urn:ietf:rfc:3986`, or value not `urn:oid:…`",
            ),
            P(
                "fhir.isik.status",
                Kind.INPUT,
                "status missing or not current/superseded/entered-in-error",
            ),
            P(
                "fhir.isik.doc_status",
                Kind.INPUT,
                "docStatus not preliminary/final/amended/entered-in-error",
            ),
            P(
                "fhir.isik.type.kdl",
                Kind.INPUT,
                "not exactly one KDL coding, or it lacks code or display",
            ),
            P(
                "fhir.isik.type.kdl_unknown",
                Kind.INPUT,
                "the KDL code is not in the loaded KDL table",
            ),
            P(
                "fhir.isik.type.xds",
                Kind.INPUT,
                "more than one IHE-D typeCode, an unknown one, one without display, or a NullFlavor other than UNK",
            ),
            P(
                "fhir.isik.category",
                Kind.INPUT,
                "more than one category, or not exactly one known IHE-D classCode with display",
            ),
            P("fhir.isik.subject", Kind.INPUT, "no `subject.reference` (ISiK 1..1)"),
            P("fhir.isik.description", Kind.INPUT, "description missing (1..1)"),
            P("fhir.isik.security_label", Kind.INPUT, "no confidentiality N, R or V"),
            P("fhir.isik.custodian", Kind.INPUT, "custodian present (ISiK 0..0)"),
            P("fhir.isik.relates_to", Kind.INPUT, "a relatesTo without a known code or a target"),
            P("fhir.isik.content", Kind.INPUT, "not exactly one content with an attachment"),
            P("fhir.isik.content_type", Kind.INPUT, "attachment.contentType missing"),
            P("fhir.isik.language", Kind.INPUT, "attachment.language missing"),
            P("fhir.isik.creation", Kind.INPUT, "attachment.creation missing"),
            P(
                "fhir.isik.data_or_url",
                Kind.INPUT,
                "attachment has neither data nor url (and is not an empty file)",
            ),
            P("fhir.isik.format", Kind.INPUT, "content.format (system, code) missing"),
            P(
                "fhir.isik.format.binding",
                Kind.INPUT,
                "content.format is not in IHEXDSformatCodeDE (required binding)",
            ),
            P("fhir.isik.context", Kind.INPUT, "context missing"),
            P("fhir.isik.encounter", Kind.INPUT, "more than one context.encounter"),
            P(
                "fhir.isik.facility_type",
                Kind.INPUT,
                "context.facilityType with system and code missing",
            ),
            P(
                "fhir.isik.practice_setting",
                Kind.INPUT,
                "context.practiceSetting with system and code missing",
            ),
            P(
                "fhir.isik.facility_type.binding",
                Kind.INPUT,
                "no coding of context.facilityType is in IHEXDShealthcareFacilityTypeCode",
            ),
            P(
                "fhir.isik.practice_setting.binding",
                Kind.INPUT,
                "no coding of context.practiceSetting is in IHEXDSpracticeSettingCode",
            ),
            P(
                "fhir.isik.event.binding",
                Kind.INPUT,
                "no coding of a context.event is in IHEXDSeventCodeList",
            ),
            P(
                "fhir.isik.system_spelling",
                Kind.INPUT,
                "(warning) IHE-D system spelled `CodeSystem` (singular), as in ISiK's examples",
                WARNING,
            ),
        ),
        owner="leportal_fhir",
    ),
)
