"""Machine login: the KIS produces the TOTP code of a portal account from a sealed seed.

A portal verifier accepts each code once (RFC 6238 §5.2), so an automated client must never send
the code of a step it already used, and should not send one that expires before the portal sees
it. :class:`MachineLogin` therefore claims the step in the store (so two processes of the same KIS
do not both use it) and, when the current step was used or has less than ``min_remaining`` seconds
left, waits through the injected sleeper for the next step. Waiting is bounded: at most two steps.
"""

from __future__ import annotations

import attrs

from leportal_core.errors import Problem
from leportal_core.secondfactor.clock import Clock, Sleeper, system_clock, system_sleeper
from leportal_core.secondfactor.errors import EnrolmentError
from leportal_core.secondfactor.policy import hotp
from leportal_core.secondfactor.store import SecondFactorStore

__all__ = ["MachineCode", "MachineLogin"]


@attrs.frozen(kw_only=True, slots=True)
class MachineCode:
    """A code to send now, its step and until when (UNIX seconds) it is current."""

    code: str = attrs.field(repr=False)
    step: int
    valid_until: float


class MachineLogin:
    """Fresh, unused TOTP codes for automated logins of the accounts in ``store``."""

    def __init__(
        self,
        store: SecondFactorStore,
        *,
        clock: Clock = system_clock,
        sleeper: Sleeper = system_sleeper,
        min_remaining: float = 5.0,
    ) -> None:
        self._store = store
        self._clock = clock
        self._sleeper = sleeper
        self._min_remaining = min_remaining

    def current_code(self, account: str) -> MachineCode:
        """The code to send for ``account`` now, after waiting for a fresh step if needed."""
        seed = self._store.machine_seed(account)
        policy = seed.policy
        for _ in range(3):  # at most: too late in this step, then a step another process took
            now = self._clock()
            step = policy.step(now)
            ends = policy.step_start(step + 1)
            if ends - now < min(self._min_remaining, policy.period / 2):
                self._sleeper(ends - now)
                continue
            if self._store.claim_machine_step(account, step):
                code = hotp(seed.secret, step, digits=policy.digits, algorithm=policy.algorithm)
                return MachineCode(code=code, step=step, valid_until=ends)
            self._sleeper(ends - now)  # this step's code was used already: wait for the next one
        # Three steps in a row were taken by others: the clock or the store is misbehaving.
        raise EnrolmentError(
            f"no unused step for {account!r} after waiting two steps",
            [Problem(code="secondfactor.machine.busy", message="every recent step already used")],
        )
