"""A small but fully correct adapter: Documents as strict JSON with the content in base64.

It is what the conformance suite must certify; the broken adapters next to it derive from it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any, ClassVar

from leportal_core.codec import Codec
from leportal_core.document import Document
from leportal_core.errors import FormatError, Location, Problem, ValidationError
from leportal_core.hookspecs import hookimpl

ADAPTER_NAME = "toy"
__version__ = "1.0.0"

_MARKER = "leportal-toy/1"
_KEYS = frozenset(
    {"format", "title", "media_type", "created", "patient_id", "case_id", "kdl_code"}
    | {"size", "sha256", "content"}
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _fail(code: str, message: str, **where: Any) -> FormatError:
    return FormatError(message, [Problem(code=code, message=message, location=Location(**where))])


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


class ToyDocumentCodec:
    """Document <-> ``application/vnd.leportal-toy+json``."""

    name: ClassVar[str] = "toy.document"
    media_type: ClassVar[str] = "application/vnd.leportal-toy+json"
    object_type: ClassVar[type[Any]] = Document
    description: ClassVar[str] = "A Document as one JSON object, its content in base64."
    # Worked out by hand: SHA-256 of no bytes, and the keys in the order encode writes them.
    conformance_golden_vectors: ClassVar[tuple[tuple[bytes, object], ...]] = (
        (
            b'{"format":"leportal-toy/1","title":"Befund","media_type":"text/plain",'
            b'"created":"2026-02-09","patient_id":null,"case_id":null,"kdl_code":null,"size":0,'
            b'"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",'
            b'"content":""}',
            Document(
                title="Befund", media_type="text/plain", created=dt.date(2026, 2, 9), content=b""
            ),
        ),
    )

    def encode(self, obj: Document, /) -> bytes:
        if not isinstance(obj, Document):
            raise ValidationError(f"{self.name} encodes Documents, not {type(obj).__name__}")
        content = obj.read_bytes()
        record = {
            "format": _MARKER,
            "title": obj.title,
            "media_type": obj.media_type,
            "created": obj.created.isoformat(),
            "patient_id": obj.patient_id,
            "case_id": obj.case_id,
            "kdl_code": obj.kdl_code,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "content": base64.b64encode(content).decode("ascii"),
        }
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def decode(self, data: bytes, /) -> Document:
        if not isinstance(data, bytes):
            raise _fail("toy.type", f"expected bytes, got {type(data).__name__}")
        try:
            text = data.decode("utf-8")  # strict: UTF-16 or Latin-1 is not this format
        except UnicodeDecodeError as exc:
            raise _fail("toy.encoding", "not UTF-8", offset=exc.start) from exc
        try:
            record = json.loads(
                text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates
            )
        except json.JSONDecodeError as exc:
            raise _fail("toy.syntax", exc.msg, line=exc.lineno, column=exc.colno) from exc
        except (ValueError, RecursionError) as exc:  # duplicate keys, NaN, huge ints, deep nesting
            raise _fail("toy.syntax", f"not strict JSON: {type(exc).__name__}", pointer="") from exc
        if not isinstance(record, dict):
            raise _fail("toy.structure", "the top level must be a JSON object", pointer="")
        if record.get("format") != _MARKER:
            raise _fail("toy.structure", f"'format' must be {_MARKER!r}", pointer="/format")
        if set(record) != _KEYS:
            missing, extra = sorted(_KEYS - set(record)), sorted(set(record) - _KEYS)
            raise _fail(
                "toy.structure", f"missing keys {missing}, unknown keys {extra}", pointer=""
            )
        content = self._content(record)
        try:
            return Document(
                title=_typed(record, "title", str),
                media_type=_typed(record, "media_type", str),
                created=self._created(record),
                content=content,
                patient_id=_typed(record, "patient_id", str, optional=True),
                case_id=_typed(record, "case_id", str, optional=True),
                kdl_code=_typed(record, "kdl_code", str, optional=True),
            )
        except ValidationError as exc:
            raise FormatError("the fields do not make a valid Document", exc.problems) from exc

    def _created(self, record: dict[str, Any]) -> dt.date:
        text = _typed(record, "created", str)
        if not _DATE.fullmatch(text):
            raise _fail("toy.created", "'created' must be YYYY-MM-DD", pointer="/created")
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise _fail("toy.created", f"no such date: {text}", pointer="/created") from exc

    def _content(self, record: dict[str, Any]) -> bytes:
        encoded = _typed(record, "content", str)
        try:
            content = base64.b64decode(encoded.encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error) as exc:
            raise _fail("toy.content", "'content' is not base64", pointer="/content") from exc
        size = record["size"]
        if type(size) is not int or size != len(content):
            raise _fail("toy.size", "'size' does not match the content", pointer="/size")
        digest = _typed(record, "sha256", str)
        if not _SHA256.fullmatch(digest) or digest != hashlib.sha256(content).hexdigest():
            raise _fail("toy.sha256", "'sha256' does not match the content", pointer="/sha256")
        return content


class ToyNoteCodec:
    """A codec for another object type than Document: ``str`` as a ``TOYNOTE <length>`` line
    plus that many bytes of UTF-8 text. It declares its samples and strategy (``str`` is no
    type the suite knows)."""

    name: ClassVar[str] = "toy.note"
    media_type: ClassVar[str] = "text/vnd.leportal-toy-note"
    object_type: ClassVar[type[Any]] = str
    description: ClassVar[str] = "A short note as text after a TOYNOTE line giving its length."
    conformance_samples: ClassVar[tuple[str, ...]] = ("", "Grüße 🩺\nZeile 2", "x" * 300)

    _HEADER = re.compile(rb"TOYNOTE (0|[1-9][0-9]{0,8})\n")

    def conformance_strategy(self) -> Any:
        """Any text without lone surrogates."""
        from hypothesis import strategies as st

        return st.text()

    def encode(self, obj: str, /) -> bytes:
        if not isinstance(obj, str):
            raise ValidationError(f"{self.name} encodes text, not {type(obj).__name__}")
        try:
            text = obj.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValidationError("the note has lone surrogates") from exc
        return b"TOYNOTE %d\n" % len(text) + text

    def decode(self, data: bytes, /) -> str:
        header = self._HEADER.match(data) if isinstance(data, bytes) else None
        if header is None:
            raise _fail("toy.note.marker", "not a toy note: the TOYNOTE line is missing", offset=0)
        text = data[header.end() :]
        if len(text) != int(header.group(1)):
            raise _fail(
                "toy.note.length",
                "the text is not as long as the TOYNOTE line says",
                offset=header.end(),
            )
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail("toy.encoding", "not UTF-8", offset=exc.start + header.end()) from exc


def _typed(record: dict[str, Any], key: str, kind: type[Any], *, optional: bool = False) -> Any:
    value = record[key]
    if value is None and optional:
        return None
    if type(value) is not kind:
        raise _fail("toy.structure", f"{key!r} must be {kind.__name__}", pointer=f"/{key}")
    return value


class ToyAdapter:
    """The plug-in object: registers its codecs; subclasses swap in broken ones."""

    ADAPTER_NAME: ClassVar[str] = ADAPTER_NAME
    codec_types: ClassVar[tuple[type[Any], ...]] = (ToyDocumentCodec,)

    @hookimpl
    def leportal_register_codecs(self, register: Callable[[Codec[Any]], None]) -> None:
        """One instance of each codec type."""
        for codec_type in self.codec_types:
            register(codec_type())


plugin = ToyAdapter()


class TwoCodecsAdapter(ToyAdapter):
    """Documents and notes: certifiable, with the Document-only tests skipped for notes."""

    codec_types = (ToyDocumentCodec, ToyNoteCodec)


two_codecs = TwoCodecsAdapter()


class ToyReaderCodec(ToyDocumentCodec):
    """Reads the toy format but does not write it, and says so."""

    name: ClassVar[str] = "toy.reader"
    conformance_capabilities: ClassVar[dict[str, Any]] = {"directions": ["decode"]}
    conformance_golden_vectors: ClassVar[tuple[tuple[bytes, object], ...]] = ()

    def encode(self, obj: Document, /) -> bytes:
        raise ValidationError(f"{self.name} does not write the toy format")


class ToyNoCategoryCodec(ToyDocumentCodec):
    """A format without a place for the KDL code, declared as such."""

    name: ClassVar[str] = "toy.no_category"
    conformance_capabilities: ClassVar[dict[str, Any]] = {
        "directions": ["encode", "decode"],
        "uncarried_fields": ["kdl_code"],
    }
    conformance_golden_vectors: ClassVar[tuple[tuple[bytes, object], ...]] = ()

    def encode(self, obj: Document, /) -> bytes:
        if not isinstance(obj, Document):
            raise ValidationError(f"{self.name} encodes Documents, not {type(obj).__name__}")
        record = json.loads(super().encode(obj))
        record["kdl_code"] = None
        return json.dumps(record, ensure_ascii=False).encode("utf-8")


class DeclaringAdapter(ToyAdapter):
    """Codecs that declare capabilities: certifiable, with what does not apply skipped."""

    codec_types = (ToyReaderCodec, ToyNoCategoryCodec)


declaring = DeclaringAdapter()
