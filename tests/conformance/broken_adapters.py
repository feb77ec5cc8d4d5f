"""Adapters broken on purpose, one way each; the suite must refuse to certify every one of them."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any, ClassVar

from leportal_core.codec import Codec
from leportal_core.document import Document
from leportal_core.errors import FormatError
from leportal_core.hookspecs import hookimpl

from .toy_adapter import ToyAdapter, ToyDocumentCodec

__version__ = "0.0.1"


class _DropsLastByte(ToyDocumentCodec):
    """Loses the last byte of the content, consistently enough that decode does not notice."""

    def encode(self, obj: Document, /) -> bytes:
        record = json.loads(super().encode(obj))
        content = obj.read_bytes()[:-1]
        record["content"] = base64.b64encode(content).decode("ascii")
        record["size"] = len(content)
        record["sha256"] = hashlib.sha256(content).hexdigest()
        return json.dumps(record, ensure_ascii=False).encode("utf-8")


class _LeakyDecode(ToyDocumentCodec):
    """Lets the parser's ValueError and a KeyError for missing fields escape."""

    def decode(self, data: bytes, /) -> Document:
        record = json.loads(data.decode("utf-8"))
        return Document(
            title=record["title"],
            media_type=record["media_type"],
            created=dt.date.fromisoformat(record["created"]),
            content=base64.b64decode(record["content"]),
            patient_id=record["patient_id"],
            case_id=record["case_id"],
            kdl_code=record["kdl_code"],
        )


class _AcceptsEmpty(ToyDocumentCodec):
    """Turns empty input into a placeholder Document instead of rejecting it."""

    def decode(self, data: bytes, /) -> Document:
        if not data:
            return Document(
                title="leer", media_type="text/plain", created=dt.date.today(), content=b""
            )
        return super().decode(data)


class _AcceptsUtf16(ToyDocumentCodec):
    """Lets json.loads guess the encoding, so UTF-16 input is accepted."""

    def decode(self, data: bytes, /) -> Document:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return super().decode(json.dumps(json.loads(data), ensure_ascii=False).encode("utf-8"))
        return super().decode(data)


class _NoneOnBadChecksum(ToyDocumentCodec):
    """Returns None instead of raising when the content does not match its checksum."""

    def decode(self, data: bytes, /) -> Document:
        try:
            return super().decode(data)
        except FormatError as exc:
            if exc.code in ("toy.content", "toy.size", "toy.sha256"):
                return None  # type: ignore[return-value]  # the bug under test
            raise


class _Recurses(ToyDocumentCodec):
    """Recurses without end on input it does not recognise."""

    def decode(self, data: bytes, /) -> Document:
        if not data:
            return self._descend(0)
        return super().decode(data)

    def _descend(self, depth: int) -> Document:
        return self._descend(depth + 1)


class Boom(BaseException):
    """Not even an Exception: only a runner that guards BaseException survives it."""


class _RaisesBaseException(ToyDocumentCodec):
    def decode(self, data: bytes, /) -> Document:
        if not data:
            raise Boom("kaboom")
        return super().decode(data)


class _NastyMessage(ToyDocumentCodec):
    """Its exception message has what XML and UTF-8 files cannot carry, and markup."""

    def decode(self, data: bytes, /) -> Document:
        if not data:
            raise ValueError("bad \x00 \x1b[31m \ud800 \ufffe ]]> </failure> | `x` <b>")
        return super().decode(data)


class _Flaky(ToyDocumentCodec):
    """Keeps state between calls: every second decode of non-empty input fails."""

    def __init__(self) -> None:
        self.calls = 0

    def decode(self, data: bytes, /) -> Document:
        self.calls += 1
        if data and self.calls % 2 == 0:
            raise KeyError("every other call")
        return super().decode(data)


class _NoDescription(ToyDocumentCodec):
    description: ClassVar[str] = ""


class DropsLastByte(ToyAdapter):
    codec_types = (_DropsLastByte,)


class LeakyDecode(ToyAdapter):
    codec_types = (_LeakyDecode,)


class AcceptsEmpty(ToyAdapter):
    codec_types = (_AcceptsEmpty,)


class AcceptsUtf16(ToyAdapter):
    codec_types = (_AcceptsUtf16,)


class NoneOnBadChecksum(ToyAdapter):
    codec_types = (_NoneOnBadChecksum,)


class Recurses(ToyAdapter):
    codec_types = (_Recurses,)


class RaisesBaseException(ToyAdapter):
    codec_types = (_RaisesBaseException,)


class NastyMessage(ToyAdapter):
    codec_types = (_NastyMessage,)


class Flaky(ToyAdapter):
    codec_types = (_Flaky,)


class NoDescription(ToyAdapter):
    codec_types = (_NoDescription,)


class NoCodecs(ToyAdapter):
    codec_types = ()


class HookRaises:
    """Its registration hook itself fails."""

    ADAPTER_NAME = "toy"

    @hookimpl
    def leportal_register_codecs(self, register: Callable[[Codec[Any]], None]) -> None:
        raise RuntimeError("database not reachable")


drops_last_byte = DropsLastByte()
leaky_decode = LeakyDecode()
accepts_empty = AcceptsEmpty()
accepts_utf16 = AcceptsUtf16()
none_on_bad_checksum = NoneOnBadChecksum()
recurses = Recurses()
raises_base_exception = RaisesBaseException()
nasty_message = NastyMessage()
flaky = Flaky()
no_description = NoDescription()
no_codecs = NoCodecs()
hook_raises = HookRaises()
