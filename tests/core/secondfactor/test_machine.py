"""Machine login: fresh, unused codes from a sealed seed, waiting through the injected sleeper."""

from __future__ import annotations

import pytest

from leportal_core.secondfactor import (
    EnrolmentError,
    MachineLogin,
    ManualClock,
    MemoryVerifier,
    SecondFactorStore,
    TotpPolicy,
)

from .conftest import SEED_SHA1, START

PORTAL = "le-portal-maschine"


@pytest.fixture
def login(store: SecondFactorStore, clock: ManualClock) -> MachineLogin:
    store.save_machine_seed(PORTAL, SEED_SHA1)
    return MachineLogin(store, clock=clock, sleeper=clock.sleep)


def test_code_now_without_waiting(login: MachineLogin, clock: ManualClock) -> None:
    clock.advance(2)
    code = login.current_code(PORTAL)
    assert clock.slept == []
    assert code.step == TotpPolicy().step(START)
    assert code.valid_until == START + 30
    portal = MemoryVerifier(clock=clock)
    portal.add("kis", SEED_SHA1)
    assert portal.verify("kis", code.code).accepted
    assert code.code not in repr(code)


def test_waits_when_step_is_about_to_expire(login: MachineLogin, clock: ManualClock) -> None:
    clock.advance(27)
    code = login.current_code(PORTAL)
    assert clock.slept == [3.0]
    assert code.step == TotpPolicy().step(START) + 1


def test_never_sends_a_step_twice(
    login: MachineLogin, store: SecondFactorStore, clock: ManualClock
) -> None:
    first = login.current_code(PORTAL)
    other_process = MachineLogin(store, clock=clock, sleeper=clock.sleep)
    second = other_process.current_code(PORTAL)
    assert second.step == first.step + 1
    assert clock.slept == [30.0]
    assert second.code != first.code or second.step != first.step


def test_gives_up_after_bounded_wait(
    login: MachineLogin, store: SecondFactorStore, clock: ManualClock
) -> None:
    with store.transaction() as tx:
        tx.execute("UPDATE secondfactor_machine SET last_step = 1000000000000")
    with pytest.raises(EnrolmentError) as caught:
        login.current_code(PORTAL)
    assert caught.value.code == "secondfactor.machine.busy"
    assert len(clock.slept) == 3


def test_unknown_account(login: MachineLogin) -> None:
    with pytest.raises(EnrolmentError) as caught:
        login.current_code("nobody")
    assert caught.value.code == "secondfactor.machine.unknown"
