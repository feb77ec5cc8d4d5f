"""What a codec is: the unit an adapter contributes to map one core object type onto one host format.

A codec is any object with these attributes and methods (structural typing, so an adapter does not
have to inherit from anything of ours):

- ``name``: unique dotted lower-case name, first part the adapter's name (``fhir.document_reference``);
- ``media_type``: the media type of the encoded bytes (``application/fhir+json``);
- ``object_type``: the core class it encodes (e.g. :class:`~leportal_core.document.Document`);
- ``description``: one sentence a person reads in a certificate;
- ``encode(obj) -> bytes`` and ``decode(data: bytes) -> obj`` with ``decode(encode(x)) == x``.

``decode`` of bad bytes raises :class:`~leportal_core.errors.FormatError` (with problem codes) and
nothing else; ``encode`` of an object it cannot carry raises
:class:`~leportal_core.errors.ValidationError`. The conformance suite checks all of this.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, TypeVar, runtime_checkable

__all__ = ["CODEC_NAME", "Codec"]

T = TypeVar("T")

CODEC_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@runtime_checkable
class Codec(Protocol[T]):
    """Maps objects of ``object_type`` to and from bytes of ``media_type``."""

    name: str
    media_type: str
    object_type: type[Any]
    description: str

    def encode(self, obj: T, /) -> bytes:
        """The object as bytes of this codec's format."""
        ...

    def decode(self, data: bytes, /) -> T:
        """The object these bytes describe; :class:`FormatError` if they describe none."""
        ...
