"""A document the hospital or practice hands over: the bytes, what they are, and whom they concern.

A :class:`Document` holds its content either in memory (``content``) or as a file on disk
(``path``); ``size`` and ``sha256`` are always derived from the bytes when the document is made,
streamed in 1 MiB chunks so a 500 MB scan is never held twice. Construction validates every field
and reports *all* problems at once in a :class:`~leportal_core.errors.ValidationError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import attrs

from leportal_core.errors import Location, Problem, ValidationError
from leportal_core.files import open_input
from leportal_core.validation import is_date, text_problems

__all__ = ["CHUNK_SIZE", "MAX_REFERENCE_LENGTH", "MAX_TITLE_LENGTH", "Document"]

CHUNK_SIZE = 1 << 20
MAX_TITLE_LENGTH = 1024
MAX_REFERENCE_LENGTH = 128

# RFC 6838 §4.2 restricted-name, type "/" subtype, no parameters (documents are files).
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")
# KDL level-3 code: two letters (class), two digits (subclass), two digits (subclass), two digits.
_KDL_CODE = re.compile(r"^[A-Z]{2}[0-9]{6}$")
_SUFFIX_MEDIA_TYPES = {".pdf": "application/pdf", ".xml": "application/xml", ".txt": "text/plain"}


def _content_repr(content: bytes | None) -> str:
    return "None" if content is None else f"<{len(content)} bytes>"


@attrs.frozen(kw_only=True)
class Document:
    """One document: title, media type, content (bytes or a file), derived size and SHA-256,
    creation date, and optional patient, case and KDL references.

    >>> import datetime
    >>> doc = Document(title="Entlassungsbericht", media_type="application/pdf",
    ...                content=b"%PDF-1.7", created=datetime.date(2026, 2, 9), kdl_code="AD010103")
    >>> doc.size, doc.sha256[:12]
    (8, '86edbaa24831')

    Two documents are equal when their metadata and bytes are, whether the bytes are in memory
    or in a file.
    """

    title: str
    media_type: str
    created: dt.date
    # Equality is by value: same metadata and same bytes (size + SHA-256), wherever they are kept.
    content: bytes | None = attrs.field(default=None, repr=_content_repr, eq=False)
    path: Path | None = attrs.field(default=None, eq=False)
    patient_id: str | None = None
    case_id: str | None = None
    kdl_code: str | None = None
    size: int = attrs.field(init=False)
    sha256: str = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise ValidationError(f"invalid document ({len(problems)} problems)", problems)
        if self.content is not None:
            size, digest = len(self.content), hashlib.sha256(self.content).hexdigest()
        else:
            assert self.path is not None
            size, digest = _hash_file(self.path)
        object.__setattr__(self, "size", size)
        object.__setattr__(self, "sha256", digest)

    def _problems(self) -> list[Problem]:
        problems: list[Problem] = []
        problems += text_problems(
            self.title,
            "document.title",
            label="title",
            location=Location(field="title"),
            max_length=MAX_TITLE_LENGTH,
        )
        # Optional references may be absent, but never blank.
        problems += text_problems(
            self.patient_id,
            "document.patient_id",
            label="patient_id",
            location=Location(field="patient_id"),
            max_length=MAX_REFERENCE_LENGTH,
            optional=True,
        )
        problems += text_problems(
            self.case_id,
            "document.case_id",
            label="case_id",
            location=Location(field="case_id"),
            max_length=MAX_REFERENCE_LENGTH,
            optional=True,
        )
        if not isinstance(self.media_type, str) or not _MEDIA_TYPE.match(self.media_type):
            problems.append(
                Problem(
                    code="document.media_type.invalid",
                    message=f"media type {self.media_type!r} is not a lower-case 'type/subtype' (RFC 6838)",
                    location=Location(field="media_type"),
                )
            )
        if not is_date(self.created):
            problems.append(
                Problem(
                    code="document.created.type",
                    message=f"created must be a datetime.date, not {type(self.created).__name__}",
                    location=Location(field="created"),
                )
            )
        if self.kdl_code is not None and (
            not isinstance(self.kdl_code, str) or not _KDL_CODE.match(self.kdl_code)
        ):
            problems.append(
                Problem(
                    code="document.kdl_code.invalid",
                    message=f"KDL code {self.kdl_code!r} is not a level-3 code like 'AD010103'",
                    location=Location(field="kdl_code"),
                )
            )
        problems.extend(self._content_problems())
        return problems

    def _content_problems(self) -> list[Problem]:
        where = Location(field="content")
        if (self.content is None) == (self.path is None):
            return [
                Problem(
                    code="document.content.source",
                    message="give exactly one of content or path",
                    location=where,
                )
            ]
        if self.content is not None and not isinstance(self.content, bytes):
            return [
                Problem(
                    code="document.content.type",
                    message=f"content must be bytes, not {type(self.content).__name__}",
                    location=where,
                )
            ]
        if self.path is not None:
            if not isinstance(self.path, Path):
                return [
                    Problem(
                        code="document.path.type",
                        message="path must be a pathlib.Path",
                        location=Location(field="path"),
                    )
                ]
            if not self.path.is_file():
                return [
                    Problem(
                        code="document.path.missing",
                        message="no readable file at this path",
                        location=Location(file=str(self.path), field="path"),
                    )
                ]
        return []

    @classmethod
    def from_path(
        cls,
        path: str | Path,
        *,
        title: str | None = None,
        media_type: str | None = None,
        created: dt.date | None = None,
        patient_id: str | None = None,
        case_id: str | None = None,
        kdl_code: str | None = None,
    ) -> Document:
        """A document backed by a file; title defaults to the file name without its suffix, media
        type to what the suffix says (``.pdf`` → ``application/pdf``), creation date to the file's
        modification date. The file is hashed once, streamed, now."""
        path = Path(path)
        if created is None and path.is_file():
            created = dt.date.fromtimestamp(path.stat().st_mtime)
        return cls(
            title=path.stem if title is None else title,
            media_type=media_type
            or _SUFFIX_MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
            created=created,  # type: ignore[arg-type]  # a missing file is reported by validation
            path=path,
            patient_id=patient_id,
            case_id=case_id,
            kdl_code=kdl_code,
        )

    def open(self) -> BinaryIO:
        """A binary stream over the content; the caller closes it."""
        if self.content is not None:
            return io.BytesIO(self.content)
        assert self.path is not None
        return open_input(self.path)

    def iter_chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The content in chunks of at most ``chunk_size`` bytes, without loading a file whole."""
        with self.open() as stream:
            while chunk := stream.read(chunk_size):
                yield chunk

    def read_bytes(self) -> bytes:
        """The whole content in memory; for formats that embed it (base64 in JSON or HL7)."""
        if self.content is not None:
            return self.content
        assert self.path is not None
        return self.path.read_bytes()


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open_input(path) as stream:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
