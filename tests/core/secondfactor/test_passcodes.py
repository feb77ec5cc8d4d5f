"""One-time passcodes: issued through the delivery hook, hashed, single use, throttled."""

from __future__ import annotations

import pluggy
import pytest

from leportal_core.errors import ConfigurationError
from leportal_core.hookspecs import hookimpl
from leportal_core.plugins import new_plugin_manager
from leportal_core.secondfactor import (
    ALPHANUMERIC,
    ManualClock,
    Outcome,
    PasscodeDelivery,
    PasscodePolicy,
    Passcodes,
    SecondFactorStore,
)


class Outbox:
    """A host's delivery plug-in that keeps what it "sent"."""

    def __init__(self, answer: bool | None = True, fail: bool = False) -> None:
        self.sent: list[PasscodeDelivery] = []
        self.answer = answer
        self.fail = fail

    @hookimpl
    def leportal_deliver_passcode(self, delivery: PasscodeDelivery) -> bool | None:
        if self.fail:
            raise OSError("SMTP server unreachable")
        self.sent.append(delivery)
        return self.answer


def manager(outbox: Outbox) -> pluggy.PluginManager:
    pm = new_plugin_manager()
    pm.register(outbox)
    return pm


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def passcodes(store: SecondFactorStore, outbox: Outbox) -> Passcodes:
    return Passcodes(store, manager(outbox))


def test_issue_and_accept_once(passcodes: Passcodes, outbox: Outbox, clock: ManualClock) -> None:
    expires = passcodes.issue("anna", recipient="anna@klinik.example")
    [delivery] = outbox.sent
    assert delivery.recipient == "anna@klinik.example"
    assert len(delivery.code) == 8
    assert delivery.code.isdigit()
    assert delivery.code not in repr(delivery)
    assert expires.timestamp() == clock() + 600
    assert passcodes.verify("anna", delivery.code).accepted
    assert passcodes.verify("anna", delivery.code).outcome is Outcome.NOT_ENROLLED


def test_stored_only_as_hash(
    passcodes: Passcodes, outbox: Outbox, store: SecondFactorStore
) -> None:
    passcodes.issue("anna", recipient="x")
    with store.transaction() as tx:
        rows = tx.all("SELECT * FROM secondfactor_passcode")
    flat = repr(rows)
    assert outbox.sent[0].code not in flat
    assert outbox.sent[0].code.encode() not in b"".join(r[3] for r in rows)


def test_expired(passcodes: Passcodes, outbox: Outbox, clock: ManualClock) -> None:
    passcodes.issue("anna", recipient="x")
    clock.advance(600)
    verdict = passcodes.verify("anna", outbox.sent[0].code)
    assert verdict.outcome is Outcome.EXPIRED
    assert verdict.problem is not None
    assert verdict.problem.code == "secondfactor.passcode.expired"


def test_reissue_replaces(passcodes: Passcodes, outbox: Outbox) -> None:
    passcodes.issue("anna", recipient="x")
    passcodes.issue("anna", recipient="x")
    first, second = outbox.sent
    if first.code != second.code:
        assert passcodes.verify("anna", first.code).outcome is Outcome.WRONG
    assert passcodes.verify("anna", second.code).accepted


def test_wrong_attempts_lock(store: SecondFactorStore, outbox: Outbox, clock: ManualClock) -> None:
    passcodes = Passcodes(store, manager(outbox))
    passcodes.issue("anna", recipient="x")
    right = outbox.sent[0].code
    wrong = "00000000" if right != "00000000" else "11111111"
    for _ in range(10):
        assert passcodes.verify("anna", wrong).outcome is Outcome.WRONG
        clock.advance(61)
    assert passcodes.verify("anna", right).outcome is Outcome.LOCKED
    store.unlock("anna")
    passcodes.issue("anna", recipient="x")
    assert passcodes.verify("anna", outbox.sent[-1].code).accepted


def test_throttled(passcodes: Passcodes, outbox: Outbox) -> None:
    passcodes.issue("anna", recipient="x")
    for _ in range(3):
        passcodes.verify("anna", "1234")
    verdict = passcodes.verify("anna", outbox.sent[0].code)
    assert verdict.outcome is Outcome.THROTTLED
    assert verdict.retry_after == 1.0


def test_alphanumeric(store: SecondFactorStore, outbox: Outbox) -> None:
    passcodes = Passcodes(store, manager(outbox), policy=PasscodePolicy(alphabet=ALPHANUMERIC))
    passcodes.issue("anna", recipient="x", purpose="initial")
    code = outbox.sent[0].code
    assert set(code) <= set(ALPHANUMERIC)
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert passcodes.verify("anna", typed, purpose="initial").accepted


@pytest.mark.parametrize("outbox_kind", ["nobody", "failing"])
def test_undelivered_leaves_nothing(store: SecondFactorStore, outbox_kind: str) -> None:
    outbox = Outbox(answer=None) if outbox_kind == "nobody" else Outbox(fail=True)
    passcodes = Passcodes(store, manager(outbox))
    with pytest.raises(ConfigurationError) as caught:
        passcodes.issue("anna", recipient="x")
    assert caught.value.code == "secondfactor.passcode.undelivered"
    with store.transaction() as tx:
        count = tx.all("SELECT COUNT(*) FROM secondfactor_passcode")[0][0]
    assert count == 0


def test_policy_bounds() -> None:
    from leportal_core.secondfactor import SecondFactorInputError

    with pytest.raises(SecondFactorInputError):
        PasscodePolicy(length=4)
    with pytest.raises(SecondFactorInputError):
        PasscodePolicy(lifetime=10)
