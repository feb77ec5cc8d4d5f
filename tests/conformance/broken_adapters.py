"""Adapters broken on purpose, one way each; the suite must refuse to certify every one of them."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from leportal_core.codec import Codec
from leportal_core.document import Document
from leportal_core.errors import FormatError, Problem
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


# Set by the tests when they are done with the hanging adapter, so its thread can end.
RELEASE_HANG = threading.Event()


class _HangsOnEmpty(ToyDocumentCodec):
    """Waits forever (as for a socket that never answers) when given empty input."""

    def decode(self, data: bytes, /) -> Document:
        if not data:
            RELEASE_HANG.wait()
            raise _fail_empty()
        return super().decode(data)


def _fail_empty() -> FormatError:
    return FormatError("empty", [Problem(code="toy.empty", message="empty input")])


class _RandomIds(ToyDocumentCodec):
    """Stamps every encoding with a fresh random message id (and strips it when decoding)."""

    def encode(self, obj: Document, /) -> bytes:
        return b"%s\n" % uuid.uuid4().hex.encode("ascii") + super().encode(obj)

    def decode(self, data: bytes, /) -> Document:
        head, newline, rest = data.partition(b"\n")
        if not newline or len(head) != 32:
            raise _fail_empty()
        return super().decode(rest)


class _Hoards(ToyDocumentCodec):
    """Keeps every decoded Document in a cache that never forgets."""

    cache: ClassVar[list[Document]] = []

    def decode(self, data: bytes, /) -> Document:
        document = super().decode(data)
        self.cache.append(document)
        return document


class _SwallowsErrors(ToyDocumentCodec):
    """Catches every error and returns an empty Document instead."""

    def decode(self, data: bytes, /) -> Document:
        try:
            return super().decode(data)
        except FormatError:
            return Document(
                title="leer", media_type="text/plain", created=dt.date(2026, 1, 1), content=b""
            )


class _SwapsReferences(ToyDocumentCodec):
    """Writes the patient reference where the case reference belongs, and vice versa."""

    def encode(self, obj: Document, /) -> bytes:
        return super().encode(
            Document(
                title=obj.title,
                media_type=obj.media_type,
                created=obj.created,
                content=obj.read_bytes(),
                patient_id=obj.case_id,
                case_id=obj.patient_id,
                kdl_code=obj.kdl_code,
            )
        )


class _LosesCategory(ToyDocumentCodec):
    """Drops the KDL code (the document's category) without declaring it cannot carry it."""

    def encode(self, obj: Document, /) -> bytes:
        record = json.loads(super().encode(obj))
        record["kdl_code"] = None
        return json.dumps(record, ensure_ascii=False).encode("utf-8")


class _ClaimsUncarriedButInvents(ToyDocumentCodec):
    """Declares it cannot carry the KDL code, yet decodes one it made up."""

    conformance_capabilities: ClassVar[dict[str, Any]] = {"uncarried_fields": ["kdl_code"]}

    def decode(self, data: bytes, /) -> Document:
        document = super().decode(data)
        return Document(
            title=document.title,
            media_type=document.media_type,
            created=document.created,
            content=document.read_bytes(),
            patient_id=document.patient_id,
            case_id=document.case_id,
            kdl_code="AA000000",
        )


class _BadCapabilities(ToyDocumentCodec):
    """Declares a direction that does not exist."""

    conformance_capabilities: ClassVar[dict[str, Any]] = {"directions": ["read"]}


class _EncodeLeaksTypeError(ToyDocumentCodec):
    """Does not check what it is given to encode: foreign objects raise AttributeError."""

    def encode(self, obj: Document, /) -> bytes:
        obj.read_bytes()
        return super().encode(obj)


class _EmptyProblemMessage(ToyDocumentCodec):
    """Rejects empty input with a problem that explains nothing."""

    def decode(self, data: bytes, /) -> Document:
        if not data:
            raise FormatError("rejected", [Problem(code="toy.empty", message="")])
        return super().decode(data)


class _WrongHash(ToyDocumentCodec):
    """Writes the SHA-256 of the wrong bytes, so it rejects its own output."""

    def encode(self, obj: Document, /) -> bytes:
        record = json.loads(super().encode(obj))
        record["sha256"] = hashlib.sha256(obj.read_bytes() + b"\n").hexdigest()
        return json.dumps(record, ensure_ascii=False).encode("utf-8")


class _GoldenMismatch(ToyDocumentCodec):
    """Declares a golden vector whose bytes are not what it encodes."""

    conformance_golden_vectors: ClassVar[tuple[tuple[bytes, object], ...]] = (
        (
            b'{"format":"leportal-toy/1","title":"Befund","media_type":"text/plain",'
            b'"created":"2026-02-09","patient_id":null,"case_id":null,"kdl_code":null,"size":0,'
            b'"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",'
            b'"content":""}',
            Document(
                title="Befund", media_type="text/plain", created=dt.date(2026, 2, 10), content=b""
            ),
        ),
    )


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


class HangsOnEmpty(ToyAdapter):
    codec_types = (_HangsOnEmpty,)


class RandomIds(ToyAdapter):
    codec_types = (_RandomIds,)


class Hoards(ToyAdapter):
    codec_types = (_Hoards,)


class SwallowsErrors(ToyAdapter):
    codec_types = (_SwallowsErrors,)


class SwapsReferences(ToyAdapter):
    codec_types = (_SwapsReferences,)


class LosesCategory(ToyAdapter):
    codec_types = (_LosesCategory,)


class ClaimsUncarriedButInvents(ToyAdapter):
    codec_types = (_ClaimsUncarriedButInvents,)


class BadCapabilities(ToyAdapter):
    codec_types = (_BadCapabilities,)


class EncodeLeaksTypeError(ToyAdapter):
    codec_types = (_EncodeLeaksTypeError,)


class EmptyProblemMessage(ToyAdapter):
    codec_types = (_EmptyProblemMessage,)


class WrongHash(ToyAdapter):
    codec_types = (_WrongHash,)


class GoldenMismatch(ToyAdapter):
    codec_types = (_GoldenMismatch,)


class UndocumentedHook:
    """Its hook implementation has no docstring."""

    ADAPTER_NAME = "toy"

    @hookimpl
    def leportal_register_codecs(self, register: Callable[[Codec[Any]], None]) -> None:
        register(ToyDocumentCodec())  # type: ignore[arg-type]


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
hangs_on_empty = HangsOnEmpty()
random_ids = RandomIds()
hoards = Hoards()
swallows_errors = SwallowsErrors()
swaps_references = SwapsReferences()
loses_category = LosesCategory()
claims_uncarried_but_invents = ClaimsUncarriedButInvents()
bad_capabilities = BadCapabilities()
encode_leaks_type_error = EncodeLeaksTypeError()
empty_problem_message = EmptyProblemMessage()
wrong_hash = WrongHash()
golden_mismatch = GoldenMismatch()
undocumented_hook = UndocumentedHook()
