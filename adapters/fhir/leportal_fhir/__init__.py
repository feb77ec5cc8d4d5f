"""leportal adapter ``fhir``: documents as ISiK Stufe 3 DocumentReference (FHIR R4 JSON).

Export (:func:`to_resource`, :class:`DocumentReferenceCodec`), delivery as a transaction Bundle
(:func:`build_transaction`), import with hash and size verified (:func:`read_document_reference`,
:func:`import_bundle`), and leportal's own ISiK rule checks (:func:`isik_problems`,
:func:`validate_bytes`). See ``docs/formats.md``.
"""

from __future__ import annotations

__version__ = "0.2.0"

from leportal_fhir.bundle import build_transaction, import_bundle, transaction_bytes
from leportal_fhir.checks import isik_problems
from leportal_fhir.document_reference import (
    DocumentReferenceCodec,
    ImportedDocument,
    read_document_reference,
    read_resource,
)
from leportal_fhir.export import to_resource
from leportal_fhir.isik import (
    Coding,
    Confidentiality,
    DocStatus,
    IsikMetadata,
    IsikOptions,
    RecordStatus,
    master_identifier,
)
from leportal_fhir.validate import ValidationReport, validate_bytes

__all__ = [
    "Coding",
    "Confidentiality",
    "DocStatus",
    "DocumentReferenceCodec",
    "ImportedDocument",
    "IsikMetadata",
    "IsikOptions",
    "RecordStatus",
    "ValidationReport",
    "__version__",
    "build_transaction",
    "import_bundle",
    "isik_problems",
    "master_identifier",
    "read_document_reference",
    "read_resource",
    "to_resource",
    "transaction_bytes",
    "validate_bytes",
]
