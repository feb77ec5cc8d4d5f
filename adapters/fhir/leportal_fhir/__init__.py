"""leportal adapter ``fhir``: documents as ISiK Stufe 3 DocumentReference (FHIR R4 JSON).

Export (:func:`to_resource`, :class:`DocumentReferenceCodec`), delivery as a transaction Bundle
(:func:`build_transaction`), import with hash and size verified (:func:`read_document_reference`,
:func:`import_bundle`), and leportal's own ISiK rule checks (:func:`isik_problems`,
:func:`validate_bytes`). See ``docs/formats.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leportal_core.lazyimport import lazy_exports

if TYPE_CHECKING:
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

# Imported on first use (PEP 562): the plug-in manager imports this package's ``plugin`` module,
# which must not pull in the adapter's dependencies.
_EXPORTS = {
    "build_transaction": "bundle",
    "import_bundle": "bundle",
    "transaction_bytes": "bundle",
    "isik_problems": "checks",
    "DocumentReferenceCodec": "document_reference",
    "ImportedDocument": "document_reference",
    "read_document_reference": "document_reference",
    "read_resource": "document_reference",
    "to_resource": "export",
    "Coding": "isik",
    "Confidentiality": "isik",
    "DocStatus": "isik",
    "IsikMetadata": "isik",
    "IsikOptions": "isik",
    "RecordStatus": "isik",
    "master_identifier": "isik",
    "ValidationReport": "validate",
    "validate_bytes": "validate",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)


__version__ = "0.2.0"


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
