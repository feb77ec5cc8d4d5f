"""Inspect a PDF for upload to the LE-Portal without trusting it.

The bytes are read once, sequentially, in 1 MiB chunks: that pass computes size and SHA-256 and
keeps the first and last KiB for the header (ISO 32000-1 §7.5.2: ``%PDF-x.y``; readers accept it
within the first 1024 bytes) and the ``%%EOF`` marker (§7.5.5; a truncated file has none). Only a
file that passes these checks is handed to pypdf, which then reads the cross-reference table, the
catalog, the page tree and the XMP metadata by random access. Page content streams are never
decoded: nothing this module decides needs them, and they are where decompression bombs sit.

Limits on the hostile side: pypdf's own :class:`pypdf.Configuration` limits are tightened for the
call (decompressed bytes per stream, elements per array/dictionary, page-tree size and depth); the
stream handed to pypdf refuses to load more than ``policy.max_repair_bytes`` at once (pypdf reads a
damaged file whole to rebuild its cross-reference table); the walk for active content has an object
budget, a depth limit and a visited set against reference loops. Whatever pypdf raises on a hostile
file becomes a problem of this module; only :class:`~leportal_core.errors.LeportalError` escapes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import pypdf
from pypdf.errors import LimitReachedError
from pypdf.generic import StreamObject

from leportal_core.errors import Location, Problem, Severity
from leportal_core.files import open_input
from leportal_core.pdf._active import (
    ActiveContent,
    NameScan,
    find_active_content,
    mentions_active_content,
)
from leportal_core.pdf._pages import count_pages
from leportal_core.pdf._reader import BudgetedReader
from leportal_core.pdf._work import Work, WorkBudgetExceeded
from leportal_core.pdf._xmp import XmpBomb, claimed_pdfa
from leportal_core.pdf._xref import Damaged, read_xref
from leportal_core.pdf.policy import ActiveContentAction, PdfPolicy
from leportal_core.pdf.verdict import PdfVerdict

__all__ = ["CHUNK_SIZE", "inspect_pdf"]

CHUNK_SIZE = 1 << 20
_EDGE = 1024
_HEADER = re.compile(rb"%PDF-(\d\.\d)")
_CATALOG_VERSION = re.compile(r"^/?(\d\.\d)$")
# Tighter than pypdf's defaults (75 MB per stream): nothing decoded here (xref and object streams,
# XMP) is legitimately that big, and a bomb should stop early.
_PYPDF_LIMITS: dict[str, Any] = {
    "zlib_maximum_output_length": 32_000_000,
    "lzw_maximum_output_length": 32_000_000,
    "run_length_maximum_output_length": 32_000_000,
    "brotli_maximum_output_length": 32_000_000,
    "array_based_stream_maximum_output_length": 32_000_000,
    "stream_decoding_work_maximum_length": 64_000_000,
    "xmp_maximum_input_length": 4_000_000,
    "page_tree_maximum_depth": 64,
}

_pypdf_logger = logging.getLogger("pypdf")
# A library does not print: without this, pypdf's repair warnings reach stderr via lastResort.
_pypdf_logger.addHandler(logging.NullHandler())

Source = str | os.PathLike[str] | bytes | BinaryIO


class _Budget(Exception):
    """Internal: a size or structure limit of the policy was hit."""


class _GuardedStream(io.RawIOBase):
    """A seekable view of the file for pypdf that refuses unbounded reads beyond ``limit``."""

    def __init__(self, inner: IO[bytes], size: int, limit: int) -> None:
        super().__init__()
        self._inner = inner
        self._size = size
        self._limit = limit
        # pypdf swallows some exceptions while repairing, so the refusal is also remembered here.
        self.tripped: str | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell()

    def read(self, size: int | None = -1) -> bytes:
        want = self._size - self._inner.tell() if size is None or size < 0 else size
        if want > self._limit:
            self.tripped = f"pypdf asked to load {want} bytes at once (limit {self._limit})"
            raise _Budget(self.tripped)
        return self._inner.read(want)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def _pypdf_guard() -> Iterator[None]:
    with warnings.catch_warnings(), pypdf.apply_configuration(**_PYPDF_LIMITS):
        warnings.simplefilter("ignore")
        yield


class _Scan:
    """The single sequential pass: size, SHA-256, head and tail, and the names active content
    needs (:class:`NameScan`)."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.tail = b""
        self.names = NameScan()

    def feed(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.names.feed(chunk)
        self.size += len(chunk)
        if len(self.head) < _EDGE:
            self.head += chunk[: _EDGE - len(self.head)]
        self.tail = (self.tail + chunk[-_EDGE:])[-_EDGE:]


def inspect_pdf(
    source: Source, *, policy: PdfPolicy | None = None, name: str | None = None
) -> PdfVerdict:
    """Inspect ``source`` (a path, bytes or a binary stream) and return the verdict.

    Never raises for a bad file: every finding is a problem in the verdict (``verdict.ok`` is
    ``False`` when any is an error). ``name`` is what problems and the verdict call the file.

    >>> verdict = inspect_pdf(b"%PDF-1.7 not really", name="x.pdf")
    >>> verdict.ok, [p.code for p in verdict.problems]
    (False, ['pdf.damaged'])
    """
    policy = policy or PdfPolicy()
    if isinstance(source, bytes):
        return _inspect_stream(io.BytesIO(source), policy, name)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        label = name if name is not None else str(path)
        try:
            stream = open_input(path)
        except OSError as exc:
            return _unreadable(label, exc)
        with stream:
            return _inspect_stream(stream, policy, label)
    if _seekable(source) and source.tell() == 0:
        return _inspect_stream(source, policy, name)
    # A pipe or socket, or a stream not at its start (pypdf needs offset 0 to be the file's
    # start): keep a copy, in memory up to 8 MiB, then on disk, for pypdf's seeks.
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        return _inspect_stream(source, policy, name, spool=spool)


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _unreadable(label: str | None, exc: OSError) -> PdfVerdict:
    return PdfVerdict(
        source=label,
        problems=(
            Problem(
                code="pdf.unreadable",
                message=f"cannot read the file: {exc.strerror or exc}",
                location=Location(file=label),
            ),
        ),
    )


def _inspect_stream(
    stream: IO[bytes], policy: PdfPolicy, label: str | None, *, spool: IO[bytes] | None = None
) -> PdfVerdict:
    where = Location(file=label)
    scan = _Scan()
    try:
        first = b""
        while chunk := stream.read(CHUNK_SIZE):
            if not scan.size:
                first = chunk
            scan.feed(chunk)
            if spool is not None and scan.size <= policy.max_size:
                spool.write(chunk)
    except OSError as exc:
        return _unreadable(label, exc)
    facts: dict[str, Any] = {"source": label, "size": scan.size, "sha256": scan.digest.hexdigest()}

    def verdict(*problems: Problem, **more: Any) -> PdfVerdict:
        return PdfVerdict(**facts, **more, problems=problems)

    if scan.size > policy.max_size:
        return verdict(
            Problem(
                code="pdf.too_large",
                message=f"{scan.size} bytes exceed the limit of {policy.max_size} bytes",
                location=where,
            )
        )
    if scan.size == 0:
        return verdict(Problem(code="pdf.empty", message="the file is empty", location=where))
    header = _HEADER.search(scan.head)
    if header is None:
        return verdict(
            Problem(
                code="pdf.not_pdf",
                message="no '%PDF-' header in the first 1024 bytes: not a PDF file",
                location=Location(file=label, offset=0),
            )
        )
    facts["version"] = header.group(1).decode("ascii")
    if b"%%EOF" not in scan.tail:
        return verdict(
            Problem(
                code="pdf.damaged",
                message="no '%%EOF' marker in the last 1024 bytes: the file is truncated",
                location=Location(file=label, offset=scan.size),
            )
        )
    # A file that came in one chunk is parsed from memory: many small PDFs, no re-reading.
    body: IO[bytes] = io.BytesIO(first) if scan.size == len(first) else (spool or stream)
    body.seek(0)
    # A file no larger than the repair limit may be loaded whole anyway; skip the guard's cost.
    guarded: IO[bytes] = (
        body
        if scan.size <= policy.max_repair_bytes
        else cast(IO[bytes], _GuardedStream(body, scan.size, policy.max_repair_bytes))
    )
    return _parse(guarded, policy, facts, where, scan, header.start())


def _parse(
    stream: IO[bytes],
    policy: PdfPolicy,
    facts: dict[str, Any],
    where: Location,
    scan: _Scan,
    base: int,
) -> PdfVerdict:
    problems: list[Problem] = []
    work = Work(
        max_objects=policy.max_parsed_objects,
        max_inflated=policy.max_inflated_bytes,
        max_cpu_seconds=policy.max_cpu_seconds,
    )
    with _pypdf_guard():
        try:
            xref = read_xref(stream, scan.size, scan.tail, work, base)
            facts["encrypted"] = xref.encrypted
            object_streams = sorted({e[1] for e in xref.entries.values() if e[0] == 2})
            scan.names.close()
            _read_structure(
                stream, policy, facts, problems, where, work, xref.start, object_streams, scan.names
            )
        except Exception as exc:  # every failure becomes a problem: see _failure
            problems.append(_failure(exc, where))
    facts["parsed_objects"], facts["inflated_bytes"] = work.objects, work.inflated
    tripped = getattr(stream, "tripped", None)
    if tripped is not None:
        problems = [p for p in problems if p.code not in ("pdf.damaged", "pdf.too_complex")]
        problems.insert(
            0,
            Problem(
                code="pdf.too_complex",
                message=f"the file is too large to repair safely: {tripped}",
                location=where,
            ),
        )
    return PdfVerdict(**facts, problems=tuple(problems))


def _read_structure(
    stream: IO[bytes],
    policy: PdfPolicy,
    facts: dict[str, Any],
    problems: list[Problem],
    where: Location,
    work: Work,
    start: int,
    object_streams: list[int],
    names: NameScan,
) -> None:
    try:
        reader = BudgetedReader(stream, work, start)
        locked = reader.is_encrypted and not _try_empty_password(reader)
    except (WorkBudgetExceeded, _Budget):
        raise
    except Exception as exc:
        if not facts["encrypted"]:
            raise
        # The structure is sound (checked above) but pypdf cannot handle this encryption (an
        # unsupported key length or handler): it is still encrypted, not damaged.
        locked = True
        detail = f" ({type(exc).__name__}: {exc})"[:120]
    else:
        detail = ""
    if facts["encrypted"] or reader.is_encrypted:
        facts["encrypted"] = True
        problems.append(
            Problem(
                code="pdf.encrypted",
                message=(
                    "the file is password-protected or uses an encryption this check cannot "
                    f"open{detail}: the MD cannot open it"
                    if locked
                    else "the file is encrypted (it opens without a password but carries "
                    "restrictions); upload it unencrypted"
                ),
                location=where,
            )
        )
        if locked:
            return
    catalog = reader.trailer["/Root"].get_object()
    if not isinstance(catalog, dict):
        raise Damaged("the trailer's /Root is not a dictionary")
    facts["version"] = _newer_version(facts.get("version"), catalog.get("/Version"))
    pages = count_pages(catalog, work, max_depth=policy.max_depth)
    facts["pages"] = pages
    if pages == 0:
        problems.append(
            Problem(code="pdf.no_pages", message="the document has no pages", location=where)
        )
    facts["pdfa"] = _pdfa(catalog, problems, where)
    # Annotations and the structure tree can hold tens of thousands of objects; they are walked
    # only when a name active content needs occurs somewhere in the file at all.
    quiet = not names.found and not mentions_active_content(
        reader.object_stream_data(number) for number in object_streams
    )
    found = find_active_content(
        catalog,
        max_objects=policy.max_objects,
        max_depth=policy.max_depth,
        work=work,
        skip=_BULKY if quiet else frozenset(),
    )
    if found.budget_exceeded:
        raise _Budget(found.budget_exceeded)
    facts["active_content"] = found.kinds
    problems.extend(_active_problems(found, policy, where))


_BULKY = frozenset({"/Annots", "/StructTreeRoot"})


def _failure(exc: Exception, where: Location) -> Problem:
    """The problem for what stopped the inspection. pypdf raises many exception types on hostile
    input (PdfReadError, ValueError, KeyError, zlib.error, struct.error, RecursionError, …) even
    where our structure check found the file sound: a limit or recursion means "too complex",
    anything else "cannot be parsed"."""
    if isinstance(exc, Damaged):
        location = Location(file=where.file, offset=exc.offset)
        return Problem(
            code="pdf.damaged", message=f"the file is damaged: {exc}"[:300], location=location
        )
    if isinstance(exc, WorkBudgetExceeded):
        message = f"checking the file needs more work than allowed: {exc}"
        return Problem(code="pdf.work_budget", message=message, location=where)
    if isinstance(exc, _Budget):
        message = f"the file exceeds a safety limit and was not inspected further: {exc}"
        return Problem(code="pdf.too_complex", message=message, location=where)
    if isinstance(exc, XmpBomb):
        message = f"a stream the check must decode inflates beyond its cap: {exc}"
        return Problem(code="pdf.decompression_bomb", message=message, location=where)
    if _caused_by(exc, (RecursionError, LimitReachedError)):
        message = f"the file exceeds a safety limit (nesting or size of objects): {exc}"
        return Problem(code="pdf.too_complex", message=message[:300], location=where)
    message = f"the file cannot be parsed: {type(exc).__name__}: {exc}"
    return Problem(code="pdf.damaged", message=message[:300], location=where)


def _caused_by(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kinds):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _try_empty_password(reader: pypdf.PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # unsupported or broken encryption dictionaries: treat as locked
        return False


def _newer_version(header: object, catalog_version: object) -> str | None:
    version = header if isinstance(header, str) else None
    if catalog_version is not None:
        match = _CATALOG_VERSION.match(str(catalog_version))
        if match and (version is None or match.group(1) > version):
            return match.group(1)
    return version


def _pdfa(catalog: Any, problems: list[Problem], where: Location) -> str | None:
    metadata = catalog.get("/Metadata")
    if metadata is None:
        return None
    metadata = metadata.get_object()
    if not isinstance(metadata, StreamObject):
        return None
    claim = claimed_pdfa(metadata)
    if claim is None:
        return None
    if not claim.valid:
        problems.append(
            Problem(
                code="pdf.pdfa_claim_invalid",
                message=(
                    f"the XMP metadata claims PDF/A part {claim.part!r} with conformance "
                    f"{claim.conformance!r}, which ISO 19005 does not define; the claim is ignored"
                )[:300],
                location=where,
                severity=Severity.WARNING,
            )
        )
        return None
    return claim.label


def _active_problems(found: ActiveContent, policy: PdfPolicy, where: Location) -> list[Problem]:
    severity = (
        Severity.ERROR if policy.active_content is ActiveContentAction.REJECT else Severity.WARNING
    )
    problems = []
    if "javascript" in found.kinds:
        problems.append(
            Problem(
                code="pdf.active_content.javascript",
                message="the document contains JavaScript",
                location=where,
                severity=severity,
            )
        )
    if "launch" in found.kinds:
        problems.append(
            Problem(
                code="pdf.active_content.launch",
                message="the document contains a Launch action that starts a program",
                location=where,
                severity=severity,
            )
        )
    if "embedded_file" in found.kinds:
        problems.append(
            Problem(
                code="pdf.active_content.embedded_file",
                message="the document contains embedded files",
                location=where,
                severity=severity,
            )
        )
    return problems
