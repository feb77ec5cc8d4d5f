"""A writer killed (SIGKILL) in the middle of its work loses no acknowledged write, on SQLite and
on PostgreSQL: every event and TOTP step it reported as done is in the store afterwards."""

from __future__ import annotations

import datetime
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from leportal_core.cases import CaseStore, Pruefanzeige, Pruefgegenstand
from leportal_core.secondfactor import (
    Keyring,
    ManualClock,
    SealingKey,
    SecondFactorStore,
    TotpPolicy,
)

from ..cases.conftest import opened

KEY = SealingKey(material=bytes(range(32)))
NOW = datetime.datetime(2026, 3, 30, 9, 0, tzinfo=datetime.UTC)

WRITER = textwrap.dedent(
    """
    import datetime, sys
    from leportal_core.cases import CaseStore, Unterlagenanforderung
    from leportal_core.secondfactor import Keyring, SealingKey, SecondFactorStore, TotpPolicy

    url, key_text, secret_hex, first = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    now = [0.0]
    cases = CaseStore(url)
    factor = SecondFactorStore.open(
        url, keyring=Keyring(SealingKey.from_text(key_text)), clock=lambda: now[0])
    secret, day = bytes.fromhex(secret_hex), datetime.date(2026, 2, 9)
    step = first
    while True:
        event = cases.record("case-1", Unterlagenanforderung(received=day, items=(str(step),)),
                             actor="writer")
        print("case", event.event_id, flush=True)
        step += 1
        now[0] = step * 30.0
        assert factor.verify("anna", TotpPolicy().code(secret, now[0])).accepted
        print("totp", step, flush=True)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_writer_loses_no_acknowledged_write(store_url: str) -> None:
    rng = random.Random(18)
    clock = ManualClock(1_000 * 30.0)
    factor = SecondFactorStore.open(store_url, keyring=Keyring(KEY), clock=clock, create=True)
    secret = factor.enroll("anna", issuer="Klinikum").secret
    assert factor.confirm("anna", TotpPolicy().code(secret, clock())).accepted
    factor.close()
    with CaseStore(store_url, clock=lambda: NOW) as cases:
        cases.open_case(opened(), actor="kis", case_id="case-1")
        cases.record(
            "case-1",
            Pruefanzeige(received=datetime.date(2026, 2, 2), items=(Pruefgegenstand.KP000,)),
            actor="kis",
        )
    case_acks: set[str] = set()
    totp_acks = [1_000]
    for _round in range(3):
        writer = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                store_url,
                KEY.to_text(),
                secret.hex(),
                str(max(totp_acks)),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        printed: list[str] = []
        try:
            for _ in range(rng.randint(2, 20)):
                line = writer.stdout.readline()
                assert line.endswith("\n"), "the writer stopped before it was killed"
                printed.append(line)
            time.sleep(rng.uniform(0, 0.02))  # somewhere into the next write
        finally:
            writer.send_signal(signal.SIGKILL)
            printed.append(writer.stdout.read())  # printed before the kill: acknowledged
            writer.wait(timeout=30)
            writer.stdout.close()
        assert writer.returncode == -signal.SIGKILL
        # Only whole lines are acknowledgements: the kill may cut the last one short.
        for line in "".join(printed).split("\n")[:-1]:
            kind, value = line.split(" ")
            assert kind in ("case", "totp"), line
            if kind == "case":
                case_acks.add(value)
            else:
                totp_acks.append(int(value))
        with CaseStore(store_url, clock=lambda: NOW) as cases:
            events = cases.events("case-1")
            assert case_acks <= {e.event_id for e in events}
            assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        factor = SecondFactorStore.open(store_url, keyring=Keyring(KEY))
        try:
            with factor.transaction() as tx:
                last = tx.one("SELECT last_step FROM secondfactor_account")[0]
        finally:
            factor.close()
        assert last >= max(totp_acks)
        totp_acks.append(last)  # the next writer starts after what the store holds
