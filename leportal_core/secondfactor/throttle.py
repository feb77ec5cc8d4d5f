"""Throttling per account: a growing delay after failures and a lock after too many in a row.

NIST SP 800-63B §5.2.2 caps consecutive failed attempts at 100 per account; BSI TR-03161 O.Auth_7
asks for delays and lockout that make guessing hard. A 6-digit code with two acceptable steps is
guessed with probability 2·10⁻⁶ per try; with the default lock after 10 failures an attacker gets
at most 10 tries until an administrator unlocks, i.e. a chance of 2·10⁻⁵ per lock. Success resets
the count; only :func:`unlocked` (an administrator action) lifts a lock.
"""

from __future__ import annotations

import attrs

from leportal_core.errors import Problem
from leportal_core.secondfactor.errors import SecondFactorInputError

__all__ = ["AttemptState", "ThrottlePolicy", "record_failure", "unlocked"]


def _at_least_one(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= 100:
        raise SecondFactorInputError(
            f"{attribute.name} must be 1..100 (NIST SP 800-63B's ceiling), got {value}",
            [Problem(code="secondfactor.policy.invalid", message=f"{attribute.name} out of range")],
        )


def _count(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not 0 <= value <= 100:
        raise SecondFactorInputError(
            f"{attribute.name} must be 0..100, got {value}",
            [Problem(code="secondfactor.policy.invalid", message=f"{attribute.name} out of range")],
        )


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0 <= value <= 86_400:
        raise SecondFactorInputError(
            f"{attribute.name} must be 0..86400 seconds, got {value}",
            [Problem(code="secondfactor.policy.invalid", message=f"{attribute.name} out of range")],
        )


@attrs.frozen(kw_only=True, slots=True)
class ThrottlePolicy:
    """Lock after ``max_failures`` consecutive failures; the first ``free_failures`` cost no wait
    (typos happen), each later one doubles the wait from ``base_delay`` up to ``max_delay``.

    >>> [ThrottlePolicy().delay_after(n) for n in range(1, 10)]
    [0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0]
    """

    max_failures: int = attrs.field(default=10, validator=_at_least_one)
    free_failures: int = attrs.field(default=2, validator=_count)
    base_delay: float = attrs.field(default=1.0, validator=_non_negative)
    max_delay: float = attrs.field(default=60.0, validator=_non_negative)

    def delay_after(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th consecutive failure."""
        if failures <= self.free_failures:
            return 0.0
        exponent = min(failures - self.free_failures - 1, 30)  # bounded: no huge powers
        return float(min(self.base_delay * 2**exponent, self.max_delay))


@attrs.frozen(kw_only=True, slots=True)
class AttemptState:
    """What the verifier remembers per account and factor between attempts."""

    last_step: int | None = None
    """The last accepted TOTP step: a code of this or an earlier step is a replay."""
    failures: int = 0
    not_before: float = 0.0
    """UNIX time before which attempts are refused as throttled without being judged."""
    locked: bool = False


def record_failure(state: AttemptState, policy: ThrottlePolicy, now: float) -> AttemptState:
    """The state after one more consecutive failure at ``now``."""
    failures = state.failures + 1
    return AttemptState(
        last_step=state.last_step,
        failures=failures,
        not_before=now + policy.delay_after(failures),
        locked=failures >= policy.max_failures,
    )


def unlocked(state: AttemptState) -> AttemptState:
    """The administrator's unlock: failures, delay and lock cleared, replay protection kept."""
    return AttemptState(last_step=state.last_step)
