"""Verification rules: window, single use, throttling, lock, constant work."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leportal_core.secondfactor import (
    ManualClock,
    MemoryVerifier,
    Outcome,
    SecondFactorInputError,
    ThrottlePolicy,
    TotpPolicy,
    normalise_code,
)
from leportal_core.secondfactor import verify as verify_module

from .conftest import SEED_SHA1, START

POLICY = TotpPolicy()


def code_at(offset_steps: int, clock: ManualClock) -> str:
    return POLICY.code(SEED_SHA1, clock() + 30 * offset_steps)


@pytest.fixture
def verifier(clock: ManualClock) -> MemoryVerifier:
    verifier = MemoryVerifier(clock=clock, throttle=ThrottlePolicy(max_failures=5))
    verifier.add("anna", SEED_SHA1)
    return verifier


def test_current_code_accepted(verifier: MemoryVerifier, clock: ManualClock) -> None:
    verdict = verifier.verify("anna", code_at(0, clock))
    assert verdict.outcome is Outcome.ACCEPTED
    assert verdict.step == POLICY.step(START)
    assert verdict.problem is None


def test_one_step_old_accepted(verifier: MemoryVerifier, clock: ManualClock) -> None:
    assert verifier.verify("anna", code_at(-1, clock)).accepted


def test_two_steps_old_refused_by_default(verifier: MemoryVerifier, clock: ManualClock) -> None:
    verdict = verifier.verify("anna", code_at(-2, clock))
    assert verdict.outcome is Outcome.WRONG
    assert verdict.problem is not None
    assert verdict.problem.code == "secondfactor.code.wrong"


def test_future_code_refused_by_default(verifier: MemoryVerifier, clock: ManualClock) -> None:
    assert verifier.verify("anna", code_at(1, clock)).outcome is Outcome.WRONG


def test_window_is_configurable(clock: ManualClock) -> None:
    verifier = MemoryVerifier(clock=clock)
    verifier.add("anna", SEED_SHA1, TotpPolicy(past_steps=2))
    assert verifier.verify("anna", code_at(-2, clock)).accepted
    strict = MemoryVerifier(clock=clock)
    strict.add("anna", SEED_SHA1, TotpPolicy(past_steps=0))
    assert strict.verify("anna", code_at(-1, clock)).outcome is Outcome.WRONG


def test_replay_refused_and_reported(verifier: MemoryVerifier, clock: ManualClock) -> None:
    code = code_at(0, clock)
    assert verifier.verify("anna", code).accepted
    clock.advance(20)  # still inside the window
    replay = verifier.verify("anna", code)
    assert replay.outcome is Outcome.REPLAYED
    assert replay.problem is not None
    assert replay.problem.code == "secondfactor.code.replayed"
    assert verifier.state("anna").failures == 0  # a replay is an alert, not a guess


def test_older_code_refused_after_newer_accepted(
    verifier: MemoryVerifier, clock: ManualClock
) -> None:
    older, newer = code_at(-1, clock), code_at(0, clock)
    assert verifier.verify("anna", newer).accepted
    assert verifier.verify("anna", older).outcome is Outcome.REPLAYED


def test_next_step_accepted_after_replay(verifier: MemoryVerifier, clock: ManualClock) -> None:
    assert verifier.verify("anna", code_at(0, clock)).accepted
    clock.advance(30)
    assert verifier.verify("anna", code_at(0, clock)).accepted


def test_lock_after_configured_failures(verifier: MemoryVerifier, clock: ManualClock) -> None:
    wrong = "000000" if code_at(0, clock) != "000000" else "111111"
    outcomes = []
    for _ in range(5):
        outcomes.append(verifier.verify("anna", wrong).outcome)
        clock.advance(61)  # past any delay
    assert outcomes == [Outcome.WRONG] * 5
    assert verifier.state("anna").locked
    locked = verifier.verify("anna", code_at(0, clock))  # even the right code
    assert locked.outcome is Outcome.LOCKED
    assert locked.problem is not None
    assert locked.problem.code == "secondfactor.account.locked"
    verifier.unlock("anna")
    assert verifier.verify("anna", code_at(0, clock)).accepted


def test_growing_delay(clock: ManualClock) -> None:
    verifier = MemoryVerifier(clock=clock, throttle=ThrottlePolicy(free_failures=1, base_delay=2))
    verifier.add("anna", SEED_SHA1)
    wrong = "000000" if code_at(0, clock) != "000000" else "111111"
    assert verifier.verify("anna", wrong).retry_after is None  # first failure is free
    second = verifier.verify("anna", wrong)
    assert second.retry_after == 2.0
    throttled = verifier.verify("anna", code_at(0, clock))
    assert throttled.outcome is Outcome.THROTTLED
    assert throttled.retry_after == pytest.approx(2.0)
    assert verifier.state("anna").failures == 2  # a throttled attempt is not judged
    clock.advance(2)
    third = verifier.verify("anna", wrong)
    assert third.retry_after == 4.0


def test_success_resets_failures(verifier: MemoryVerifier, clock: ManualClock) -> None:
    for _ in range(2):
        verifier.verify("anna", "12345")
    assert verifier.state("anna").failures == 2
    assert verifier.verify("anna", code_at(0, clock)).accepted
    assert verifier.state("anna").failures == 0


def test_malformed_counts_as_failure(verifier: MemoryVerifier) -> None:
    verdict = verifier.verify("anna", "12ab56")
    assert verdict.outcome is Outcome.MALFORMED
    assert verifier.state("anna").failures == 1


def test_unknown_account(verifier: MemoryVerifier, clock: ManualClock) -> None:
    assert verifier.verify("bernd", code_at(0, clock)).outcome is Outcome.NOT_ENROLLED


def test_normalised_input_accepted(verifier: MemoryVerifier, clock: ManualClock) -> None:
    code = code_at(0, clock)
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in code)
    spaced = f"{fullwidth[:3]}\u00a0{fullwidth[3:]}"
    assert verifier.verify("anna", spaced).accepted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123456", "123456"),
        (" 123 456\n", "123456"),
        ("123-456", "123456"),
        ("１２３４５６", "123456"),
        ("123\u2009456", "123456"),
        ("¹²³456", None),  # superscripts fold to digits under NFKC but nobody types them
        ("١٢٣٤٥٦", None),  # Arabic-Indic digits: NFKC leaves them, we refuse them
        ("12345", None),
        ("1234567", None),
        ("12345a", None),
        ("1" * 100, None),
        ("", None),
    ],
)
def test_normalise_code(text: str, expected: str | None) -> None:
    assert normalise_code(text, digits=6) == expected


@given(st.text(max_size=80))
def test_normalise_never_crashes(text: str) -> None:
    result = normalise_code(text, digits=6)
    assert result is None or (len(result) == 6 and result.isascii() and result.isdigit())


@given(st.text(max_size=80))
def test_verify_never_crashes(text: str) -> None:
    verifier = MemoryVerifier(clock=ManualClock(START))
    verifier.add("anna", SEED_SHA1)
    assert verifier.verify("anna", text).outcome in set(Outcome)


def test_policy_refuses_bad_values() -> None:
    with pytest.raises(SecondFactorInputError) as caught:
        TotpPolicy(digits=7)
    assert caught.value.code == "secondfactor.policy.invalid"
    with pytest.raises(SecondFactorInputError):
        ThrottlePolicy(max_failures=101)  # above NIST SP 800-63B's ceiling
    with pytest.raises(SecondFactorInputError):
        MemoryVerifier().add("anna", b"short")


class _Spy:
    """Counts the calls of the comparison and HMAC functions the verifier uses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.compares = 0
        self.hmacs = 0
        real_compare = verify_module.compare_digest  # type: ignore[attr-defined]
        real_hotp = verify_module.hotp  # type: ignore[attr-defined]

        def compare(a: str, b: str) -> bool:
            self.compares += 1
            return real_compare(a, b)

        def counted_hotp(*args: object, **kwargs: object) -> str:
            self.hmacs += 1
            return real_hotp(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(verify_module, "compare_digest", compare)
        monkeypatch.setattr(verify_module, "hotp", counted_hotp)

    def take(self) -> tuple[int, int]:
        counts = (self.compares, self.hmacs)
        self.compares = self.hmacs = 0
        return counts


def test_wrong_and_locked_do_the_same_work(
    monkeypatch: pytest.MonkeyPatch, clock: ManualClock
) -> None:
    """No timing difference that leaks the code: every path computes and compares every
    candidate (asserted by counting calls, never by wall-clock)."""
    verifier = MemoryVerifier(clock=clock, throttle=ThrottlePolicy(max_failures=5))
    verifier.add("anna", SEED_SHA1)
    right = code_at(0, clock)
    wrong = "000000" if right != "000000" else "111111"
    spy = _Spy(monkeypatch)
    work = {}

    def attempt(label: str, account: str, code: str, expected: Outcome) -> None:
        assert verifier.verify(account, code).outcome is expected
        work[label] = spy.take()

    attempt("wrong", "anna", wrong, Outcome.WRONG)
    attempt("malformed", "anna", "12ab56", Outcome.MALFORMED)
    attempt("wrong_again", "anna", wrong, Outcome.WRONG)  # third failure: a delay starts
    attempt("throttled", "anna", right, Outcome.THROTTLED)
    for _ in range(2):
        clock.advance(120)
        verifier.verify("anna", wrong)
    spy.take()
    attempt("locked_wrong", "anna", wrong, Outcome.LOCKED)
    attempt("locked_right", "anna", right, Outcome.LOCKED)
    attempt("not_enrolled", "nobody", wrong, Outcome.NOT_ENROLLED)
    verifier.unlock("anna")
    attempt("accepted", "anna", code_at(0, clock), Outcome.ACCEPTED)

    expected = (POLICY.past_steps + 1, POLICY.past_steps + 1)
    assert set(work.values()) == {expected}, work
