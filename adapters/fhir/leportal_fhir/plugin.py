"""The plug-in object of the ``fhir`` adapter (entry point ``leportal.adapters: fhir``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leportal_core import Codec, hookimpl
from leportal_fhir import __version__
from leportal_fhir.document_reference import DocumentReferenceCodec

ADAPTER_NAME = "fhir"
__all__ = ["ADAPTER_NAME", "__version__", "leportal_register_codecs"]


@hookimpl
def leportal_register_codecs(register: Callable[[Codec[Any]], None]) -> None:
    """The adapter's codecs: Document ⇄ DocumentReference."""
    register(DocumentReferenceCodec())
