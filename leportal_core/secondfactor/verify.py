"""TOTP verification beyond a plain code check: window, single use, throttling, constant work.

What this adds to ``pyotp.TOTP.verify`` (each with its source):

* only the current step and ``past_steps`` steps back are accepted (RFC 6238 §5.2; ASVS 5.0
  §6.5.5) — pyotp's ``valid_window`` is symmetric and also accepts future codes;
* each code is usable once: the last accepted step is kept and a code of that or an earlier step
  is refused as :attr:`Outcome.REPLAYED` so the host can alert (RFC 6238 §5.2, NIST SP 800-63B
  §5.1.4.2, ASVS 5.0 §6.5.1);
* per-account throttling and lock (:mod:`.throttle`);
* the same work on every path: every candidate code is computed and compared with
  :func:`hmac.compare_digest` whether the account is locked, throttled, the input malformed or the
  code wrong, so the response time does not tell an attacker which it was or how close a guess came;
* the time comes from an injected trusted clock, never from the request (ASVS 5.0 §6.5).
"""

from __future__ import annotations

import enum
from hmac import compare_digest

import attrs

from leportal_core.errors import Problem
from leportal_core.secondfactor.clock import Clock, system_clock
from leportal_core.secondfactor.policy import (
    HotpKey,
    TotpPolicy,
    check_secret_length,
    hotp,
    normalise_code,
)
from leportal_core.secondfactor.throttle import (
    AttemptState,
    ThrottlePolicy,
    record_failure,
)

__all__ = ["MemoryVerifier", "Outcome", "Verdict", "check_totp"]

_DUMMY_SECRET = b"leportal.secondfactor.no-such-account"
_DEFAULT_POLICY = TotpPolicy()
_DUMMY_KEY = HotpKey(_DUMMY_SECRET, _DEFAULT_POLICY.algorithm)
_FRESH = AttemptState()  # frozen: one instance serves every account without state


class Outcome(enum.Enum):
    """Why a code was accepted or refused; the values are what the CLI prints."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    MALFORMED = "malformed"
    REPLAYED = "replayed"
    THROTTLED = "throttled"
    LOCKED = "locked"
    NOT_ENROLLED = "not enrolled"
    EXPIRED = "expired"


def _problem(outcome: Outcome, retry_after: float | None) -> Problem | None:
    if outcome is Outcome.ACCEPTED:
        return None
    if outcome is Outcome.WRONG:
        return Problem(code="secondfactor.code.wrong", message="the code is wrong")
    if outcome is Outcome.MALFORMED:
        return Problem(code="secondfactor.code.malformed", message="the input is not a code")
    if outcome is Outcome.REPLAYED:
        return Problem(
            code="secondfactor.code.replayed",
            message="the code was already used; it may have been seen by someone else",
        )
    if outcome is Outcome.THROTTLED:
        return Problem(
            code="secondfactor.account.throttled",
            message=f"too many failures; try again in {retry_after or 0:.0f} s",
        )
    if outcome is Outcome.LOCKED:
        return Problem(
            code="secondfactor.account.locked",
            message="locked after too many failures; an administrator must unlock it",
        )
    if outcome is Outcome.NOT_ENROLLED:
        return Problem(code="secondfactor.account.not_enrolled", message="no active second factor")
    return Problem(code="secondfactor.passcode.expired", message="the passcode has expired")


@attrs.frozen(kw_only=True, slots=True)
class Verdict:
    """The answer to one attempt. ``step`` is the accepted (or replayed) TOTP step."""

    outcome: Outcome
    step: int | None = None
    retry_after: float | None = None
    failures: int = 0

    @property
    def accepted(self) -> bool:
        """True only for :attr:`Outcome.ACCEPTED`."""
        return self.outcome is Outcome.ACCEPTED

    @property
    def problem(self) -> Problem | None:
        """The refusal as a problem with a stable code (``None`` when accepted)."""
        return _problem(self.outcome, self.retry_after)


def match_step(
    secret: bytes | HotpKey, policy: TotpPolicy, code: str | None, current: int
) -> int | None:
    """The step in the window whose code equals ``code``; every candidate is always compared."""
    digits, algorithm = policy.digits, policy.algorithm
    if type(secret) is not HotpKey:
        secret = HotpKey(secret, algorithm)  # type: ignore[arg-type]  # set up once per window
    probe = code if code is not None else "x" * digits  # never equals a code of digits
    matched = None
    # No step before 0 (the first 30 s of 1970): a counter is never negative (RFC 4226 §5.1).
    for step in range(max(0, current - policy.past_steps), current + policy.future_steps + 1):
        expected = hotp(secret, step, digits=digits, algorithm=algorithm)
        if compare_digest(probe, expected) and matched is None:
            matched = step
    return matched


def check_totp(
    *,
    secret: bytes | HotpKey | None,
    policy: TotpPolicy,
    throttle: ThrottlePolicy,
    state: AttemptState,
    code: str,
    now: float,
    dummy: bytes | HotpKey = _DUMMY_SECRET,
) -> tuple[Verdict, AttemptState]:
    """Judge one attempt at ``now``; returns the verdict and the state to store.

    ``secret=None`` means the account has no active factor: the same work is done with ``dummy``
    so the answer time does not reveal which accounts are enrolled (pass a :class:`HotpKey` as
    ``dummy`` when enrolled accounts' secrets are given as keys, so both paths cost the same).
    """
    candidate = normalise_code(code, digits=policy.digits)
    matched = match_step(
        secret if secret is not None else dummy, policy, candidate, policy.step(now)
    )
    if secret is None:
        return Verdict(outcome=Outcome.NOT_ENROLLED), state
    if state.locked:
        return Verdict(outcome=Outcome.LOCKED, failures=state.failures), state
    if now < state.not_before:
        return Verdict(
            outcome=Outcome.THROTTLED, retry_after=state.not_before - now, failures=state.failures
        ), state
    if candidate is None or matched is None:
        new = record_failure(state, throttle, now)
        outcome = Outcome.MALFORMED if candidate is None else Outcome.WRONG
        retry = new.not_before - now if new.not_before > now else None
        return Verdict(outcome=outcome, retry_after=retry, failures=new.failures), new
    if state.last_step is not None and matched <= state.last_step:
        # Not counted as a failure: a replay tells an attacker nothing about other codes, and a
        # double-submitted form must not lock a person out. The host should alert on it.
        return Verdict(outcome=Outcome.REPLAYED, step=matched, failures=state.failures), state
    return Verdict(outcome=Outcome.ACCEPTED, step=matched), AttemptState(last_step=matched)


class MemoryVerifier:
    """Accounts and their attempt state in a dict: for a single process and for measurements.

    Hosts with more than one process use :class:`~leportal_core.secondfactor.store.SecondFactorStore`.
    """

    def __init__(
        self,
        *,
        clock: Clock = system_clock,
        throttle: ThrottlePolicy | None = None,
    ) -> None:
        self._clock = clock
        self._throttle = throttle or ThrottlePolicy()
        # The seed is kept only as a HotpKey: the HMAC set-up is done once per account.
        self._accounts: dict[str, tuple[HotpKey, TotpPolicy]] = {}
        self._states: dict[str, AttemptState] = {}

    def add(self, account: str, secret: bytes, policy: TotpPolicy | None = None) -> None:
        """Register an active factor for ``account``."""
        policy = policy or _DEFAULT_POLICY
        self._accounts[account] = (HotpKey(check_secret_length(secret), policy.algorithm), policy)
        self._states[account] = _FRESH

    def verify(self, account: str, code: str) -> Verdict:
        """Judge ``code`` for ``account`` at the trusted clock's time."""
        secret, policy = self._accounts.get(account, (None, _DEFAULT_POLICY))
        state = self._states.get(account, _FRESH)
        verdict, new = check_totp(
            secret=secret,
            policy=policy,
            throttle=self._throttle,
            state=state,
            code=code,
            now=self._clock(),
            dummy=_DUMMY_KEY,  # unknown accounts get the default policy, whose algorithm it has
        )
        if secret is not None and new is not state:
            self._states[account] = new
        return verdict

    def unlock(self, account: str) -> None:
        """The administrator's unlock."""
        if account in self._states:
            self._states[account] = AttemptState(last_step=self._states[account].last_step)

    def state(self, account: str) -> AttemptState:
        """The attempt state of ``account`` (fresh when unknown)."""
        return self._states.get(account, _FRESH)
