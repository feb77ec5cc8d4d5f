"""A deliberately broken copy of the fhir adapter: it drops the last byte of the content.

Hash and size are computed over the shortened bytes, so the DocumentReference it writes is
self-consistent and only a round-trip comparison can catch it — which certification must.
"""

from __future__ import annotations

from typing import Any

import attrs

from leportal_core import Document, hookimpl
from leportal_fhir import DocumentReferenceCodec

__version__ = "0.1.0-broken"


class LossyCodec(DocumentReferenceCodec):
    name = "fhir_broken.document_reference"

    def encode(self, document: Document, /) -> bytes:
        content = document.read_bytes()
        shortened = (
            Document(**{**_fields(document), "content": content[:-1]}) if content else document
        )
        return super().encode(shortened)


def _fields(document: Document) -> dict[str, Any]:
    return {
        a.name: getattr(document, a.name)
        for a in attrs.fields(Document)
        if a.init and a.name != "path"
    }


class BrokenFhirAdapter:
    ADAPTER_NAME = "fhir_broken"
    __version__ = __version__

    @hookimpl
    def leportal_register_codecs(self, register):  # type: ignore[no-untyped-def]
        register(LossyCodec())


adapter = BrokenFhirAdapter()
