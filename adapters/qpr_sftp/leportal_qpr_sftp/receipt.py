"""The Abholbeleg codec ``qpr_sftp.receipt``: a :class:`FetchedReport` as a small JSON object
(RFC 8259), for a host that archives or forwards what was picked up. ``decode`` is strict: unknown
or missing keys, wrong types, a bad SHA-256 or a naive timestamp are a :class:`FormatError`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from leportal_core.errors import FormatError, Location, Problem, ValidationError
from leportal_qpr_sftp.model import FetchedReport

__all__ = ["ReceiptCodec"]

_KEYS = (
    "remote_name",
    "local_name",
    "size",
    "remote_mtime",
    "sha256",
    "fetched_at",
    "recipient_ik",
)
_FORMAT = "leportal.qpr_sftp.receipt/1"
_MAX_BYTES = 64 * 1024


class ReceiptCodec:
    """FetchedReport ⇄ JSON receipt."""

    name = "qpr_sftp.receipt"
    media_type = "application/json"
    object_type = FetchedReport
    description = "Abholbeleg of one Prüfbericht fetched from the QPR-Portal over SFTP, as JSON."

    @property
    def conformance_samples(self) -> tuple[FetchedReport, ...]:
        """Fixed receipts for the conformance suite (docs/certifying.md)."""
        from leportal_qpr_sftp import conformance_examples

        return conformance_examples.receipts()

    def conformance_strategy(self) -> Any:
        """Hypothesis strategy of receipts, for the conformance suite."""
        from leportal_qpr_sftp import conformance_examples

        return conformance_examples.fetched_reports()

    def encode(self, obj: FetchedReport, /) -> bytes:
        if not isinstance(obj, FetchedReport):
            raise ValidationError(
                "only a FetchedReport can be encoded",
                [Problem(code="qpr_sftp.receipt.type", message=f"got {type(obj).__name__}")],
            )
        data = {
            "format": _FORMAT,
            "remote_name": obj.remote_name,
            "local_name": obj.local_name,
            "size": obj.size,
            "remote_mtime": obj.remote_mtime.astimezone(dt.UTC).isoformat(),
            "sha256": obj.sha256,
            "fetched_at": obj.fetched_at.astimezone(dt.UTC).isoformat(),
            "recipient_ik": obj.recipient_ik,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def decode(self, data: bytes, /) -> FetchedReport:
        if len(data) > _MAX_BYTES:
            raise _bad(
                code="qpr_sftp.receipt.too_large",
                message=f"a receipt is at most {_MAX_BYTES} bytes",
            )
        try:
            parsed: Any = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise _bad(
                code="qpr_sftp.receipt.syntax", message=f"not UTF-8 JSON: {type(exc).__name__}"
            ) from exc
        if not isinstance(parsed, dict):
            raise _bad(code="qpr_sftp.receipt.syntax", message="a receipt is a JSON object")
        problems = []
        if parsed.get("format") != _FORMAT:
            problems.append(
                _problem(
                    code="qpr_sftp.receipt.format",
                    message=f"format must be {_FORMAT!r}",
                    key="format",
                )
            )
        extra = set(parsed) - set(_KEYS) - {"format"}
        problems += [
            _problem(code="qpr_sftp.receipt.unknown_key", message="unknown key", key=key)
            for key in sorted(extra)
        ]
        fields: dict[str, Any] = {}
        for key in _KEYS:
            value = parsed.get(key)
            wanted = int if key == "size" else str
            if value is None or isinstance(value, bool) or not isinstance(value, wanted):
                problems.append(
                    _problem(
                        code="qpr_sftp.receipt.field",
                        message=f"{key} must be a {wanted.__name__}",
                        key=key,
                    )
                )
                continue
            if key in {"remote_mtime", "fetched_at"}:
                try:
                    value = dt.datetime.fromisoformat(str(value))
                except ValueError:
                    problems.append(
                        _problem(
                            code="qpr_sftp.receipt.field",
                            message=f"{key} is not an ISO 8601 time",
                            key=key,
                        )
                    )
                    continue
            fields[key] = value
        if not problems:
            try:
                return FetchedReport(**fields)
            except (ValueError, TypeError) as exc:
                problems.append(_problem(code="qpr_sftp.receipt.field", message=str(exc), key=""))
        raise FormatError("not a valid QPR pickup receipt", problems)


def _problem(code: str, message: str, key: str) -> Problem:
    return Problem(code=code, message=message, location=Location(pointer=f"/{key}" if key else ""))


def _bad(code: str, message: str) -> FormatError:
    # A problem of the receipt as a whole: located at the document root.
    return FormatError(
        message, [Problem(code=code, message=message, location=Location(pointer=""))]
    )
