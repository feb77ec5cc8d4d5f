"""The wall clock adapters read, replaceable for the current context.

Code that stamps the current time into its output (HL7 MSH-7, a receipt's time) calls
:func:`now` instead of ``datetime.now``, so that a caller (the conformance suite, a test) can
fix the instant with :func:`fixed` and get byte-identical output from identical input.

>>> import datetime as dt
>>> with fixed(dt.datetime(2026, 2, 9, 12, 0, tzinfo=dt.UTC)):
...     now().isoformat()
'2026-02-09T12:00:00+00:00'
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

__all__ = ["fixed", "now"]

_FIXED: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "leportal_clock_fixed", default=None
)


def now() -> dt.datetime:
    """The current instant, timezone-aware in UTC, or the instant :func:`fixed` set."""
    instant = _FIXED.get()
    return instant if instant is not None else dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def fixed(instant: dt.datetime) -> Iterator[None]:
    """Within the block (and threads run in a copy of its context), :func:`now` is ``instant``."""
    if instant.tzinfo is None:
        raise ValueError("the fixed instant must be timezone-aware")
    token = _FIXED.set(instant)
    try:
        yield
    finally:
        _FIXED.reset(token)
