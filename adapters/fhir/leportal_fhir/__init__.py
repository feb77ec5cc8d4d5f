"""leportal adapter ``fhir``: core documents as FHIR R4 DocumentReference JSON.

This walking-skeleton version maps the fields a :class:`~leportal_core.Document` has; full ISiK
Stufe 3 Dokumentenaustausch conformance (masterIdentifier, KDL/IHE-D codings, securityLabel,
bundles) is planned and not yet implemented.
"""

from __future__ import annotations

from leportal_fhir.document_reference import DocumentReferenceCodec

__version__ = "0.1.0"
__all__ = ["DocumentReferenceCodec", "__version__"]
