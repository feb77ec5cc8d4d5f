"""Realistic vendor adapters, broken on purpose in exactly one way each (issue 14).

Each wraps a bundled adapter's codec through its public API (``leportal_fhir``,
``leportal_kis_archive``), keeps its names, version and documented hook, and gets one thing
wrong, the way a vendor would. The suite must refuse each, naming the test, and nothing else.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import sys
import threading
import unicodedata
from collections.abc import Callable
from typing import Any, ClassVar

import attrs

from leportal_core.codec import Codec
from leportal_core.document import Document
from leportal_core.errors import FormatError, Location, Problem, ValidationError
from leportal_core.hookspecs import hookimpl
from leportal_fhir import DocumentReferenceCodec
from leportal_fhir.export import attachment_hash
from leportal_kis_archive.codec import MdmCodec
from leportal_qpr_sftp.model import FetchedReport
from leportal_qpr_sftp.receipt import ReceiptCodec

__version__ = "0.0.1"

# Set by the tests when they are done with blocks_at_import, so its import can finish; its own
# event, as other test modules set broken_adapters.RELEASE_HANG when they end.
RELEASE_IMPORT = threading.Event()


class _Vendor:
    """A vendor's plug-in object registering one codec, under the bundled adapter's name."""

    ADAPTER_NAME: ClassVar[str] = "fhir"
    __version__ = "0.0.1"
    codec_factory: ClassVar[Callable[[], Codec[Any]]]

    @hookimpl
    def leportal_register_codecs(self, register: Callable[[Codec[Any]], None]) -> None:
        """The vendor's one codec."""
        register(type(self).codec_factory())


class _FirstJsonValue(DocumentReferenceCodec):
    """Parses the first JSON value and ignores whatever follows it (raw_decode)."""

    def decode(self, data: bytes, /) -> Document:
        try:
            text = data.decode("utf-8")
            _, end = json.JSONDecoder().raw_decode(text)
        except ValueError:
            return super().decode(data)
        return super().decode(text[:end].encode("utf-8"))


class _ExitsOnEmpty(DocumentReferenceCodec):
    """Reuses the vendor's command-line code: empty input ends the process with status 0."""

    def decode(self, data: bytes, /) -> Document:
        if not data.strip():
            sys.exit(0)
        return super().decode(data)


class _DebugPrint(DocumentReferenceCodec):
    """A debug print left in decode."""

    def decode(self, data: bytes, /) -> Document:
        print(f"DEBUG decoding {len(data)} bytes")
        return super().decode(data)


class _ClaimsUncarriedButWrites(DocumentReferenceCodec):
    """Declares the KDL code uncarried (its reader ignores it) yet writes it."""

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
        )


class _ReadOnlyButWrites(DocumentReferenceCodec):
    """Declares itself decode-only (to skip the encode tests) but still encodes."""

    conformance_capabilities: ClassVar[dict[str, Any]] = {"directions": ["decode"]}


class _QuadraticEncode(DocumentReferenceCodec):
    """Collects the output in 1 KiB pieces by concatenating bytes: quadratic in the size.

    (With 8 KiB pieces the quadratic copying was too cheap beside the linear work on a machine
    with fast memory: the 8 MiB/1 MiB ratio stayed under the limit and the adapter certified.)"""

    def encode(self, obj: Document, /) -> bytes:
        data = super().encode(obj)
        out = b""
        for start in range(0, len(data), 1024):
            out = out + data[start : start + 1024]
        return out


# KDL codes the vendor's (2024) table lacks: the last ones of KDL 2026 in code order.
_OUTDATED = frozenset({"VL160101", "VL160201", "VL170101", "VL170201", "VL180101", "VL190101"})


class _OutdatedKdlTable(DocumentReferenceCodec):
    """Maps the KDL code through an outdated table: newer codes are silently dropped."""

    def encode(self, obj: Document, /) -> bytes:
        if isinstance(obj, Document) and obj.kdl_code in _KDL_MISSING:
            obj = Document(
                title=obj.title,
                media_type=obj.media_type,
                created=obj.created,
                content=obj.read_bytes(),
                patient_id=obj.patient_id,
                case_id=obj.case_id,
            )
        return super().encode(obj)


def _missing_codes() -> frozenset[str]:
    from leportal_core.terminology.kdl import installed_kdl_table

    table = installed_kdl_table()
    return frozenset(sorted(table.entries)[-6:]) if table is not None else _OUTDATED


_KDL_MISSING = _missing_codes()


class _WallClock(MdmCodec):
    """Stamps MSH-7 from its own wall clock instead of the injectable one."""

    def __init__(self) -> None:
        super().__init__(clock=lambda: dt.datetime.now(dt.UTC))


class _LineFeeds(MdmCodec):
    """Ends segments with LF (written on Unix with print-style lines); its own reader copes."""

    def encode(self, obj: Document, /) -> bytes:
        return super().encode(obj).replace(b"\r", b"\n")

    def decode(self, data: bytes, /) -> Document:
        return super().decode(data.replace(b"\n", b"\r"))


class _GenericName(MdmCodec):
    """Registers its codec under a generic name that another adapter may use too."""

    name = "hl7.mdm"


class _TidiesInPlace(DocumentReferenceCodec):
    """Normalises the title it was given to NFC in place before encoding (as its archive does):
    the round trip still matches, because the caller's own object changed too."""

    def encode(self, document: Document, /) -> bytes:
        if isinstance(document, Document):
            tidy = unicodedata.normalize("NFC", document.title)
            if tidy != document.title:
                object.__setattr__(document, "title", tidy)
        return super().encode(document)


class _TrustsTheTransport(DocumentReferenceCodec):
    """Recomputes the attachment's hash from its data before reading (its archive rewrites the
    PDF's metadata in transit, so "the hash is always wrong anyway"): altered content passes."""

    def decode(self, data: bytes, /) -> Document:
        try:
            resource = json.loads(data.decode("utf-8"))
            attachment = resource["content"][0]["attachment"]
            content = base64.b64decode(attachment["data"], validate=True)
        except (ValueError, TypeError, KeyError, IndexError):
            return super().decode(data)  # let the real reader say what is wrong
        attachment["hash"] = attachment_hash(content)
        return super().decode(json.dumps(resource).encode("utf-8"))


class _ReceiptInSeconds(ReceiptCodec):
    """Writes the receipt's times to the second (its archive's column type): a non-Document
    codec whose round trip loses the microseconds."""

    def encode(self, obj: FetchedReport, /) -> bytes:
        data = json.loads(super().encode(obj))
        if isinstance(obj, FetchedReport):
            for key, value in (("remote_mtime", obj.remote_mtime), ("fetched_at", obj.fetched_at)):
                data[key] = value.astimezone(dt.UTC).isoformat(timespec="seconds")
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


@attrs.frozen(kw_only=True)
class DeliveryNote:
    """The vendor's own object type: a Lieferschein for a batch of documents."""

    number: str
    documents: int


class _DeliveryNoteCodec:
    """A correct codec of the vendor's own type that declares no samples or strategy."""

    name = "fhir.delivery_note"
    media_type = "application/json"
    object_type = DeliveryNote
    description = "Lieferschein of a document batch, as JSON."

    def encode(self, obj: DeliveryNote, /) -> bytes:
        if not isinstance(obj, DeliveryNote):
            raise ValidationError(
                "only a DeliveryNote", [Problem(code="fhir.note.type", message="not a note")]
            )
        return json.dumps({"number": obj.number, "documents": obj.documents}).encode()

    def decode(self, data: bytes, /) -> DeliveryNote:
        try:
            parsed = json.loads(data)
            if not isinstance(parsed, dict) or set(parsed) != {"number", "documents"}:
                raise ValueError("not a delivery note")
            if not isinstance(parsed["number"], str) or type(parsed["documents"]) is not int:
                raise ValueError("wrong types")
        except (ValueError, RecursionError) as exc:
            where = Location(pointer="")
            raise FormatError(
                "not a delivery note",
                [Problem(code="fhir.note.syntax", message=str(exc), location=where)],
            ) from exc
        return DeliveryNote(number=parsed["number"], documents=parsed["documents"])


class _RoutesByContentType(DocumentReferenceCodec):
    """Looks at the attachment's content type first to route PDFs to its archive: a member
    missing or of another type ends in KeyError or TypeError instead of FormatError."""

    def decode(self, data: bytes, /) -> Document:
        try:
            resource = json.loads(data)
        except (ValueError, RecursionError):
            return super().decode(data)
        if isinstance(resource, dict) and resource.get("resourceType") == "DocumentReference":
            kind = resource["content"][0]["attachment"]["contentType"]
            if kind.startswith("application/pdf"):
                pass  # the vendor's archive routing would go here
        return super().decode(data)


class _AcceptsResults(MdmCodec):
    """Reads ORU^R01 lab results as documents too (its lab sends PDFs that way): a result with
    the same segments becomes a Document."""

    def decode(self, data: bytes, /) -> Document:
        head, separator, rest = data.partition(b"\r")
        fields = head.split(b"|")
        if len(fields) > 8 and fields[8].startswith(b"ORU^R01"):
            fields[8] = b"MDM^T02^MDM_T02"
            data = b"|".join(fields) + separator + rest
        return super().decode(data)


class FirstJsonValue(_Vendor):
    codec_factory = _FirstJsonValue


class ExitsOnEmpty(_Vendor):
    codec_factory = _ExitsOnEmpty


class DebugPrint(_Vendor):
    codec_factory = _DebugPrint


class ClaimsUncarriedButWrites(_Vendor):
    codec_factory = _ClaimsUncarriedButWrites


class ReadOnlyButWrites(_Vendor):
    codec_factory = _ReadOnlyButWrites


class QuadraticEncode(_Vendor):
    codec_factory = _QuadraticEncode


class OutdatedKdlTable(_Vendor):
    codec_factory = _OutdatedKdlTable


class WallClock(_Vendor):
    ADAPTER_NAME = "kis_archive"
    codec_factory = _WallClock


class LineFeeds(_Vendor):
    ADAPTER_NAME = "kis_archive"
    codec_factory = _LineFeeds


class GenericName(_Vendor):
    ADAPTER_NAME = "kis_archive"
    codec_factory = _GenericName


class TrustsTheTransport(_Vendor):
    codec_factory = _TrustsTheTransport


class TidiesInPlace(_Vendor):
    codec_factory = _TidiesInPlace


class CommandsNeedTheGui(_Vendor):
    """Its commands import the vendor's GUI toolkit, which a server install does not have."""

    codec_factory = DocumentReferenceCodec

    @hookimpl
    def leportal_register_commands(self, cli: Any) -> None:
        """The vendor's `leportal acme` group."""
        import acme_gui_toolkit  # type: ignore[import-not-found]

        cli.add_command(acme_gui_toolkit.commands)


class ReceiptInSeconds(_Vendor):
    ADAPTER_NAME = "qpr_sftp"
    codec_factory = _ReceiptInSeconds


class NoSamples(_Vendor):
    codec_factory = _DeliveryNoteCodec


class RoutesByContentType(_Vendor):
    codec_factory = _RoutesByContentType


class AcceptsResults(_Vendor):
    ADAPTER_NAME = "kis_archive"
    codec_factory = _AcceptsResults


receipt_in_seconds = ReceiptInSeconds()
no_samples = NoSamples()
routes_by_content_type = RoutesByContentType()
accepts_results = AcceptsResults()
first_json_value = FirstJsonValue()
exits_on_empty = ExitsOnEmpty()
debug_print = DebugPrint()
claims_uncarried_but_writes = ClaimsUncarriedButWrites()
read_only_but_writes = ReadOnlyButWrites()
quadratic_encode = QuadraticEncode()
outdated_kdl_table = OutdatedKdlTable()
wall_clock = WallClock()
line_feeds = LineFeeds()
generic_name = GenericName()
tidies_in_place = TidiesInPlace()
trusts_the_transport = TrustsTheTransport()
commands_need_the_gui = CommandsNeedTheGui()
