"""Running one property with Hypothesis, programmatically, reproducibly, capturing the example."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import errors as hypothesis_errors
from hypothesis import strategies as st
from hypothesis.reporting import with_reporter

from leportal_conformance.guard import describe_exception
from leportal_conformance.model import Finding, Status

__all__ = ["Violation", "check_property", "no_local_constants"]

T = TypeVar("T")

_MAX_EXAMPLE_TEXT = 4000


class Violation(AssertionError):
    """The codec broke the contract for one generated example; the message says how."""


def check_property(
    name: str,
    strategy: st.SearchStrategy[T],
    body: Callable[[T], None],
    *,
    seed: int,
    max_examples: int,
    examples: Sequence[T] = (),
) -> Finding:
    """Run ``body`` on up to ``max_examples`` values of ``strategy``, seeded with ``seed``.

    ``body`` raises :class:`Violation` when the codec misbehaves (adapter exceptions are caught
    inside it and turned into violations). The result is ``passed``, ``failed`` with the shrunk
    falsifying example in ``details``, or ``error`` when Hypothesis itself could not run.
    ``examples`` are tried first, every run, in addition to the generated values.
    """
    calls = 0
    reported: list[str] = []

    def report(text: object) -> None:
        reported.append(str(text))

    def example(value: T) -> None:
        nonlocal calls
        calls += 1
        body(value)

    # Hypothesis names the failing call after the function: make it say which property failed.
    example.__name__ = example.__qualname__ = name
    decorated = given(strategy)(example)
    for value in reversed(examples):  # decorators apply inside out; keep the given order
        decorated = hypothesis.example(value)(decorated)
    test = hypothesis.seed(seed)(
        settings(
            max_examples=max_examples,
            database=None,  # a run must depend on the seed only, not on earlier runs
            deadline=None,  # an adapter is slow or fast; that is not what we certify here
            derandomize=False,
            suppress_health_check=list(HealthCheck),
            print_blob=False,
            report_multiple_bugs=False,
            verbosity=Verbosity.normal,
            # the explain phase traces execution, which is slow and says nothing about adapters
            phases=[phase for phase in Phase if phase is not Phase.explain],
        )(decorated)
    )
    try:
        with with_reporter(report):
            test()
    except Violation as exc:
        return Finding(
            status=Status.FAILED,
            message=str(exc),
            details={"falsifying_example": _example_text(exc, reported)},
        )
    except hypothesis_errors.Flaky as exc:
        return Finding(
            status=Status.FAILED,
            message=(
                "a failure did not reproduce when the example was replayed: the codec behaves "
                "non-deterministically or keeps state between calls"
            ),
            details={
                "hypothesis": describe_exception(exc),
                "falsifying_example": _example_text(exc, reported),
            },
        )
    except hypothesis_errors.HypothesisException as exc:
        return Finding(
            status=Status.ERROR,
            message=f"Hypothesis could not run the property: {describe_exception(exc)}",
        )
    return Finding(status=Status.PASSED, message=f"{calls} generated examples")


@contextlib.contextmanager
def no_local_constants() -> Iterator[None]:
    """Within the block, Hypothesis draws no constants from the source of loaded modules.

    Since 6.131 Hypothesis mixes literals found in "local" modules (anything loaded that is
    not in site-packages or the standard library) into generated values, so the examples of a
    seed depend on what else the process has imported (the CLI, a test run, a host), and it
    caches them under ``.hypothesis/constants``. Hypothesis has no setting for it (checked in 6.155 and
    6.170); the provider looks the collector up by name at every draw, so we replace it with
    one that finds nothing, and empty the cache of permitted constants on the way in and out.
    Versions without the feature are left alone.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # a Hypothesis without providers: nothing to pin
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    constants_type = getattr(providers, "Constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or constants_type is None:
        yield
        return
    empty = constants_type()
    _clear(cache)
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        _clear(cache)


def _clear(cache: object) -> None:
    clear = getattr(getattr(cache, "cache", None), "clear", None)
    if callable(clear):
        clear()


def _example_text(exc: BaseException, reported: list[str]) -> str:
    # Recent Hypothesis attaches "Falsifying example: ..." as a note on the exception; older
    # versions send it to the reporter. Take both.
    notes = [str(note) for note in getattr(exc, "__notes__", ())]
    text = "\n".join([*reported, *notes]).strip()
    return text if len(text) <= _MAX_EXAMPLE_TEXT else text[: _MAX_EXAMPLE_TEXT - 1] + "…"
