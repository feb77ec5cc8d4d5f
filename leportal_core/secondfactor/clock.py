"""Trusted time for the second factor: a clock and a sleeper are injected, never taken from input.

OWASP ASVS 5.0 §6.5 asks that time-based codes are checked against a *trusted* time source; the
verifier therefore never accepts "the time" from the caller's request. Hosts pass their own clock
(e.g. an NTP-disciplined one); tests pass :class:`ManualClock`, so no test ever sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Clock", "ManualClock", "Sleeper", "system_clock", "system_sleeper"]

Clock = Callable[[], float]
"""Returns the current time as UNIX seconds (float, UTC)."""

Sleeper = Callable[[float], None]
"""Waits the given number of seconds."""

system_clock: Clock = time.time
system_sleeper: Sleeper = time.sleep


class ManualClock:
    """A clock that moves only when told: ``sleep`` advances it instead of waiting.

    >>> clock = ManualClock(59.0)
    >>> clock.sleep(2); clock()
    61.0
    """

    def __init__(self, now: float = 0.0) -> None:
        self.now = float(now)
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` and remember the wait."""
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        """Advance the clock without recording a wait."""
        self.now += seconds
