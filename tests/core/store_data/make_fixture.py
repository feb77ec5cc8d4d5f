"""Builds store-5d11ea0.sqlite with the code of commit 5d11ea0 (the raw-sqlite3 store, before
issue 18): ``python make_fixture.py store-5d11ea0.sqlite`` on a checkout of 5d11ea0."""

import datetime
import sqlite3
import sys

import pyotp

from leportal_core.cases import CaseOpened, CaseStore, Pruefanzeige, Pruefgegenstand, Stay
from leportal_core.deadlines import Bundesland
from leportal_core.secondfactor import Keyring, ManualClock, SealingKey, SecondFactorStore

D = datetime.date
NOW = datetime.datetime(2026, 3, 30, 9, 0, tzinfo=datetime.UTC)
START = 1_800_000_000.0


def main() -> None:
    """Write the fixture to the path given as the first argument."""
    path = sys.argv[1]

    keyring = Keyring(SealingKey(material=bytes(range(32))))
    clock = ManualClock(START)
    factor = SecondFactorStore.open(path, keyring=keyring, clock=clock, create=True)
    enrolment = factor.enroll("alice", issuer="Klinikum")
    code = pyotp.TOTP(enrolment.uri.split("secret=")[1].split("&")[0]).at(START)
    assert factor.confirm("alice", code).outcome.name == "ACCEPTED"
    factor.enroll("bob", issuer="Klinikum")
    assert factor.verify("carol", "000000").outcome.name == "NOT_ENROLLED"
    factor.save_machine_seed("portal", b"12345678901234567890")
    factor.close()
    print(enrolment.uri)  # recorded in README.md

    with CaseStore(path, clock=lambda: NOW) as cases:
        cases.open_case(
            CaseOpened(
                case_number="F-1",
                hospital_ik="260326822",
                kasse_ik="101575519",
                kvnr="A123456780",
                stay=Stay(admitted=D(2026, 1, 5), discharged=D(2026, 1, 12)),
                state=Bundesland.HE,
                invoice_number="R-1",
                invoice_date=D(2026, 1, 15),
                invoice_received=D(2026, 1, 19),
            ),
            actor="v1",
            case_id="case-1",
        )
        cases.record(
            "case-1",
            Pruefanzeige(
                received=D(2026, 2, 2), items=(Pruefgegenstand.KP000,), md_reference="MD-1"
            ),
            actor="v1",
        )
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.execute("VACUUM")
    connection.close()


if __name__ == "__main__":  # a script: pytest --doctest-modules imports it, too
    main()
