"""Calling adapter code so that nothing it does (raise, recurse, exhaust memory) ends the run."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import queue
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

import attrs

from leportal_core.codec import Codec
from leportal_core.errors import FormatError, Problem

__all__ = [
    "DEFAULT_CALL_TIMEOUT",
    "PASS_THROUGH",
    "Call",
    "CallTimeout",
    "call",
    "call_deadline",
    "core_namespaces",
    "decode_contract_problem",
    "describe_exception",
    "differing_reprs",
    "format_error_problem",
    "interrupted",
    "new_test",
    "printable",
    "safe_str",
    "short_repr",
]

T = TypeVar("T")

# Exceptions the suite's own code lets through. Adapter code is different: whatever it raises,
# SystemExit and KeyboardInterrupt included, is a finding of the test that called it; only a
# Ctrl-C the person running the suite pressed (see interrupted) stops the run.
PASS_THROUGH: tuple[type[BaseException], ...] = (KeyboardInterrupt, SystemExit)

_MAX_TEXT = 300
# C0 and C1 controls except tab and newline, and the surrogate range.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@attrs.frozen
class Call(Generic[T]):
    """What one guarded call gave: its value, or the exception it raised (traceback dropped)."""

    value: T | None
    error: BaseException | None


# Long enough for a 1 MiB document through a slow pure-Python parser on a loaded machine.
DEFAULT_CALL_TIMEOUT = 30.0


class CallTimeout(Exception):
    """An adapter call did not return within the deadline; it is abandoned, not killed."""


@attrs.define
class _Policy:
    """The deadline of the current run and whether a call of the current test hung."""

    timeout: float | None
    worker: _Worker | None = None
    hung: str | None = None


_POLICY: contextvars.ContextVar[_Policy | None] = contextvars.ContextVar(
    "leportal_conformance_call_policy", default=None
)


class _Worker:
    """One daemon thread that runs adapter calls, so the caller can stop waiting for one.

    A thread that hangs cannot be killed: it is abandoned (daemon, so it does not keep the
    process alive) and the next call gets a fresh worker.
    """

    def __init__(self) -> None:
        self._requests: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="leportal-conformance-call", daemon=True).start()

    def _serve(self) -> None:
        while True:
            request = self._requests.get()
            try:
                # In the caller's context: a fixed clock (leportal_core.clock) reaches the call.
                request.value = request.context.run(request.function, *request.args)
            except BaseException as exc:  # carried to the caller, who decides
                request.error = exc.with_traceback(None)
            request.done.set()
            del request  # keep nothing of the call alive while waiting for the next one

    def submit(self, request: _Request) -> None:
        self._requests.put(request)


@attrs.define
class _Request:
    function: Callable[..., Any]
    args: tuple[Any, ...]
    value: Any = None
    error: BaseException | None = None
    done: threading.Event = attrs.field(factory=threading.Event)
    context: contextvars.Context = attrs.field(factory=contextvars.copy_context)


@contextlib.contextmanager
def call_deadline(seconds: float | None) -> Iterator[None]:
    """Within the block, :func:`call` gives up on an adapter call after ``seconds`` (``None``:
    no deadline, the call runs on the caller's thread)."""
    if seconds is not None and seconds <= 0:
        raise ValueError(f"the call timeout must be positive, got {seconds}")
    token = _POLICY.set(_Policy(timeout=seconds))
    try:
        yield
    finally:
        _POLICY.reset(token)


def new_test() -> None:
    """A new test starts: forget that a call of the previous one hung."""
    policy = _POLICY.get()
    if policy is not None:
        policy.hung = None


def call(function: Callable[..., T], *args: Any) -> Call[T]:
    """``function(*args)``, catching every exception it raises, ``SystemExit`` and
    ``KeyboardInterrupt`` included (only a real Ctrl-C during a direct call passes through).

    ``RecursionError`` and ``MemoryError`` are caught too: the stack is unwound and the memory
    released by the time we handle them. The traceback is dropped so a failing example's frames
    (and the large inputs they hold) are not kept alive by the report.

    Inside :func:`call_deadline` the call runs on a worker thread; when it does not return in
    time the result is a :class:`CallTimeout`, and every later call of the same test fails the
    same way at once (so that Hypothesis' shrinking does not wait for each one).
    """
    policy = _POLICY.get()
    if policy is None or policy.timeout is None:
        return _direct(function, *args)
    if policy.hung is not None:
        return Call(None, CallTimeout(f"not called: {policy.hung}"))
    if policy.worker is None:
        policy.worker = _Worker()
    request = _Request(function=function, args=args)
    policy.worker.submit(request)
    if not request.done.wait(policy.timeout):
        policy.worker = None  # abandoned with the call it is stuck in
        policy.hung = f"an earlier call did not return within {policy.timeout:g} s"
        return Call(None, CallTimeout(f"did not return within {policy.timeout:g} s"))
    if request.error is not None:
        return Call(None, request.error)  # raised in the worker: adapter code, never Ctrl-C
    return Call(request.value, None)


def _direct(function: Callable[..., T], *args: Any) -> Call[T]:
    try:
        return Call(function(*args), None)
    except KeyboardInterrupt as exc:
        if interrupted():
            raise
        return Call(None, exc.with_traceback(None))
    except BaseException as exc:  # SystemExit too: a misbehaving adapter is a finding
        return Call(None, exc.with_traceback(None))


def interrupted() -> bool:
    """Whether SIGINT arrived since the run began (a real Ctrl-C, not an adapter's raise)."""
    return _SIGINT_SEEN.is_set()


_SIGINT_SEEN = threading.Event()


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
    except BaseException:  # foreign code: even its SystemExit is only a broken message
        return f"<unprintable {type(value).__name__}>"


def short_repr(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages about differing values."""
    try:
        text = repr(value)
    except BaseException:  # foreign code, as in safe_str
        text = f"<unprintable {type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_error_problem(exc: BaseException) -> str | None:
    """Why ``exc`` is not an acceptable rejection of bad input, or ``None`` when it is one:
    a :class:`FormatError` whose problems each carry a code."""
    if isinstance(exc, CallTimeout):
        return f"decode hangs ({exc})"
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


def differing_reprs(first: object, second: object, limit: int = 80) -> tuple[str, str]:
    """Two unequal values as a reader can tell them apart: ``short_repr`` unless that shows both
    the same (strings that differ by Unicode normalisation, invisible characters, or beyond the
    cut), then the code points (``ascii()``) around the first difference.

    >>> differing_reprs("Caf\u00e9", "Cafe\u0301")
    ("'Caf\\\\xe9'", "'Cafe\\\\u0301'")
    """
    shown = short_repr(first, limit), short_repr(second, limit)
    if not (isinstance(first, str) and isinstance(second, str)):
        return shown
    looks_same = shown[0] == shown[1] or unicodedata.normalize(
        "NFKC", "".join(c for c in first if unicodedata.category(c) != "Cf")
    ) == unicodedata.normalize(
        "NFKC", "".join(c for c in second if unicodedata.category(c) != "Cf")
    )
    if not looks_same:
        return shown
    at = next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )
    start = max(0, at - 8)
    prefix = f"[{start}:] " if start else ""
    return (
        prefix + _cut(ascii(first[start : start + limit]), limit),
        prefix + _cut(ascii(second[start : start + limit]), limit),
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@functools.cache
def core_namespaces() -> frozenset[str]:
    """First parts of the problem codes leportal_core itself creates: an adapter may pass those
    on (``therapy.form.missing`` from the core's form reader) without owning them."""
    import leportal_core

    pattern = re.compile(r"""(?:code\s*=\s*|\.add\()["']([a-z][a-z0-9_]*)\.""")
    root = Path(leportal_core.__file__).parent
    names: set[str] = set()
    for path in root.rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return frozenset(names)
