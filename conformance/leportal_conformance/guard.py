"""Calling adapter code so that nothing it does (raise, recurse, exhaust memory) ends the run."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import attrs

from leportal_core.codec import Codec
from leportal_core.errors import FormatError, Problem

__all__ = [
    "PASS_THROUGH",
    "Call",
    "call",
    "decode_contract_problem",
    "describe_exception",
    "format_error_problem",
    "printable",
    "safe_str",
    "short_repr",
]

T = TypeVar("T")

# The person running the suite may stop it; everything else an adapter raises is a finding.
PASS_THROUGH: tuple[type[BaseException], ...] = (KeyboardInterrupt, SystemExit)

_MAX_TEXT = 300
# C0 and C1 controls except tab and newline, and the surrogate range.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@attrs.frozen
class Call(Generic[T]):
    """What one guarded call gave: its value, or the exception it raised (traceback dropped)."""

    value: T | None
    error: BaseException | None


def call(function: Callable[..., T], *args: Any) -> Call[T]:
    """``function(*args)``, catching every exception but :data:`PASS_THROUGH`.

    ``RecursionError`` and ``MemoryError`` are caught too: the stack is unwound and the memory
    released by the time we handle them. The traceback is dropped so a failing example's frames
    (and the large inputs they hold) are not kept alive by the report.
    """
    try:
        return Call(function(*args), None)
    except PASS_THROUGH:
        raise
    except BaseException as exc:  # a misbehaving adapter is a finding, not a crash
        return Call(None, exc.with_traceback(None))


def describe_exception(exc: BaseException) -> str:
    """``module.Type: message``, shortened, for a one-line report."""
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    text = printable(safe_str(exc))
    if len(text) > _MAX_TEXT:
        text = text[: _MAX_TEXT - 1] + "…"
    return f"{name}: {text}" if text else name


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates escaped (``\\x1b``, ``\\ud800``):
    an adapter's message may hold anything, and must not break a terminal or a UTF-8 file."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_str(value: object) -> str:
    """``str(value)``, or a placeholder when a foreign ``__str__`` is itself broken."""
    try:
        return str(value)
    except PASS_THROUGH:
        raise
    except BaseException:
        return f"<unprintable {type(value).__name__}>"


def short_repr(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages about differing values."""
    try:
        text = repr(value)
    except PASS_THROUGH:
        raise
    except BaseException:
        text = f"<unprintable {type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_error_problem(exc: BaseException) -> str | None:
    """Why ``exc`` is not an acceptable rejection of bad input, or ``None`` when it is one:
    a :class:`FormatError` whose problems each carry a code."""
    if not isinstance(exc, FormatError):
        return f"decode raised {describe_exception(exc)} instead of FormatError"
    problems = getattr(exc, "problems", None)
    if not isinstance(problems, tuple) or not problems:
        return "decode raised a FormatError without problems"
    for problem in problems:
        if (
            not isinstance(problem, Problem)
            or not isinstance(problem.code, str)
            or not problem.code
        ):
            return (
                f"decode raised a FormatError with a problem without a code: {short_repr(problem)}"
            )
    return None


def decode_contract_problem(codec: Codec[Any], data: bytes, *, must_reject: bool) -> str | None:
    """What is wrong with how ``codec`` decodes ``data``, or ``None`` when it kept the contract.

    The contract: return an instance of ``object_type`` or raise :class:`FormatError` with coded
    problems. With ``must_reject`` the input is known to be bad, so only the FormatError will do.
    """
    outcome = call(codec.decode, data)
    if outcome.error is not None:
        return format_error_problem(outcome.error)
    value = outcome.value
    if must_reject:
        return f"decode returned {short_repr(value)} instead of raising FormatError"
    if not isinstance(value, codec.object_type):
        return (
            f"decode returned a {type(value).__name__}, not a {codec.object_type.__name__} "
            "and did not raise FormatError"
        )
    return None
