"""The second factor's chapters of ``leportal demo``: an enrolment and logins (orders 150-159).

The sealing key is generated for the demo run and thrown away afterwards — a real host keeps its
key in a secret store and passes it in (``LEPORTAL_SEAL_KEY``). The clock is the demo's own
(:class:`ManualClock`), so the story is the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable

from leportal_core.demo import DemoContext, DemoStep
from leportal_core.hookspecs import hookimpl
from leportal_core.secondfactor.clock import ManualClock
from leportal_core.secondfactor.enrolment import qr_svg
from leportal_core.secondfactor.machine import MachineLogin
from leportal_core.secondfactor.policy import TotpPolicy
from leportal_core.secondfactor.sealing import Keyring, SealingKey
from leportal_core.secondfactor.store import SecondFactorStore
from leportal_core.store import remove as remove_store

_START = 1_795_000_000.0  # 2026-11-18, a fixed demo time
_ACCOUNT = "kis-archiv@klinikum-beispiel.de"


def _enrol(context: DemoContext) -> None:
    clock = ManualClock(_START)
    keyring = Keyring(SealingKey.generate())
    context.out.mkdir(parents=True, exist_ok=True)
    path = context.out / "secondfactor.sqlite"
    remove_store(path)  # the demo starts afresh and makes its new store on purpose
    store = SecondFactorStore.open(path, keyring=keyring, clock=clock, create=True)
    context.say("   sealing key: generated for this demo only (a host supplies its own)")
    enrolment = store.enroll(_ACCOUNT, issuer="LE-Portal Demo")
    (context.out / "secondfactor-qr.svg").write_text(qr_svg(enrolment.uri), encoding="utf-8")
    context.say(
        f"   enrolled {_ACCOUNT}: status {store.status(_ACCOUNT)}, QR → secondfactor-qr.svg"
    )
    first = enrolment.policy.code(enrolment.secret, clock())
    verdict = store.confirm(_ACCOUNT, first)
    context.say(
        f"   confirmed with the first code: {verdict.outcome.value}; status {store.status(_ACCOUNT)}"
    )
    context.shared["secondfactor"] = (store, clock, enrolment.secret)


def _login(context: DemoContext) -> None:
    store, clock, secret = context.shared["secondfactor"]
    policy = TotpPolicy()
    clock.advance(30)
    code = policy.code(secret, clock())
    context.say(f"   login with the next code: {store.verify(_ACCOUNT, code).outcome.value}")
    context.say(f"   the same code again:       {store.verify(_ACCOUNT, code).outcome.value}")
    context.say(f"   a wrong code:              {store.verify(_ACCOUNT, '000000').outcome.value}")
    store.save_machine_seed("portal-maschine", secret, policy)
    machine = MachineLogin(store, clock=clock, sleeper=clock.sleep)
    first = machine.current_code("portal-maschine")
    second = machine.current_code("portal-maschine")
    context.say(
        f"   machine login: step {first.step}, then step {second.step} after waiting "
        f"{sum(clock.slept):.0f} s for a fresh one (a code is never sent twice)"
    )
    store.close()


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """The second factor's chapters."""
    register(
        DemoStep(order=150, title="Enrol a TOTP second factor (sealed seed, QR code)", run=_enrol)
    )
    register(
        DemoStep(
            order=151, title="Log in with TOTP: accepted, replay refused, machine login", run=_login
        )
    )
