"""Store faults through the command line, and a fault-injection run over real processes.

- Every broken store reaches the user as exit 74 with a ``store.*`` problem (JSON with ``--json``),
  never exit 0 with an empty answer and never exit 70.
- A read-only mount and a full disk are made for real in a private mount namespace
  (``unshare --mount``, a read-only bind mount and a tiny tmpfs); where that is not allowed the
  tests skip and say so.
- Fault injection in the spirit of SQLite's own I/O-error tests: a writer process recording case
  events and TOTP verifications into one store is killed with SIGKILL at random points, and a
  store is filled up (``PRAGMA max_page_count``: SQLITE_FULL for real) at every page step; each
  time every acknowledged write is there, nothing half-written is, and the store opens.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from leportal_core.cases import (
    CaseOpened,
    CaseState,
    CaseStore,
    Delivery,
    Pruefanzeige,
    Pruefgegenstand,
    Stay,
    Unterlagenanforderung,
)
from leportal_core.cli import build_cli
from leportal_core.deadlines import Bundesland
from leportal_core.errors import StorageError, ValidationError
from leportal_core.plugins import new_plugin_manager
from leportal_core.secondfactor import (
    Keyring,
    ManualClock,
    Outcome,
    SealingKey,
    SecondFactorStore,
    TotpPolicy,
)
from leportal_core.store import TIMEOUT_ENV, connect

from .lock_holder import holding_write_lock

START = 1_800_000_000.0  # a TOTP step boundary
ACCOUNT = "anna@klinik.example"
DAY = datetime.date(2026, 2, 9)
LEPORTAL = Path(sys.executable).with_name("leportal")
KILL_SEED = int(os.environ.get("LEPORTAL_FAULT_SEED", "20261202"))


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(build_cli(new_plugin_manager()), list(args))


def problem_codes(result: Result) -> list[str]:
    return [p["code"] for p in json.loads(result.output)["problems"]]


def opened(number: str = "F-1") -> CaseOpened:
    return CaseOpened(
        case_number=number,
        hospital_ik="260326822",
        kasse_ik="101575519",
        kvnr="A123456780",
        stay=Stay(admitted=datetime.date(2026, 1, 5)),
        state=Bundesland.HE,
    )


@pytest.fixture
def key() -> SealingKey:
    return SealingKey.generate()


@pytest.fixture
def shared_store(tmp_path: Path, key: SealingKey) -> tuple[Path, str, bytes]:
    """One store with a case (Prüfanzeige recorded) and an active TOTP factor; closed."""
    path = tmp_path / "store.sqlite"
    with CaseStore(path, create=True) as cases:
        case_id = cases.open_case(opened(), actor="kis").case_id
        cases.record(
            case_id, Pruefanzeige(received=DAY, items=(Pruefgegenstand.KP000,)), actor="kis"
        )
    clock = ManualClock(START)
    factor = SecondFactorStore.open(path, keyring=Keyring(key), clock=clock)
    enrolment = factor.enroll(ACCOUNT, issuer="LE-Portal")
    assert factor.confirm(ACCOUNT, enrolment.policy.code(enrolment.secret, clock())).accepted
    factor.close()
    return path, case_id, enrolment.secret


# --- the command line: exit 74 and a store.* code, never 0 or 70 -----------------------------


def test_store_init_is_the_explicit_act(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    made = cli("store", "init", str(path), "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.output) == {
        "ok": True,
        "problems": [],
        "store": str(path),
        "created": True,
    }
    again = cli("store", "init", str(path), "--json")
    assert json.loads(again.output)["created"] is False
    assert cli("case", "--store", str(path), "due", "--json").exit_code == 0
    emptied = tmp_path / "zero.sqlite"
    emptied.write_bytes(b"")
    assert json.loads(cli("store", "init", str(emptied), "--json").output)["created"] is True
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(os.urandom(4096))
    refused = cli("store", "init", str(junk), "--json")
    assert refused.exit_code == 74
    assert problem_codes(refused) == ["store.damaged"]


def test_a_mistyped_or_emptied_case_store_is_not_an_empty_worklist(tmp_path: Path) -> None:
    typo = tmp_path / "cses.sqlite"
    result = cli("case", "--store", str(typo), "due", "--json")
    assert result.exit_code == 74, result.output
    assert problem_codes(result) == ["store.missing"]
    assert not typo.exists()
    emptied = tmp_path / "cases.sqlite"
    emptied.write_bytes(b"")
    result = cli("case", "--store", str(emptied), "overdue", "--json")
    assert result.exit_code == 74
    assert problem_codes(result) == ["store.empty"]
    assert emptied.stat().st_size == 0
    text = cli("case", "--store", str(emptied), "due")
    assert text.exit_code == 74
    assert "store.empty" in text.output
    assert "backup" in text.output


def test_a_newer_store_through_the_cli(shared_store: tuple[Path, str, bytes]) -> None:
    path = shared_store[0]
    raw = sqlite3.connect(path)
    raw.execute("UPDATE leportal_schema SET version = 99 WHERE component = 'cases'")
    raw.commit()
    raw.close()
    newer = cli("case", "--store", str(path), "due", "--json")
    assert newer.exit_code == 74, newer.output
    assert problem_codes(newer) == ["store.newer"]


@pytest.mark.parametrize(
    "damage",
    ["random", "zeroed-first-page", "zeroed-pages"],
)
def test_a_damaged_store_through_the_cli(
    shared_store: tuple[Path, str, bytes], damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _, _ = shared_store
    data = bytearray(path.read_bytes())
    if damage == "random":
        data = bytearray(os.urandom(len(data)))
    elif damage == "zeroed-first-page":
        data[:4096] = bytes(4096)
    else:
        data[4096:] = bytes(len(data) - 4096)  # sqlite_master intact, every table zeroed
    path.write_bytes(data)
    monkeypatch.setenv("LEPORTAL_SEAL_KEY", SealingKey.generate().to_text())
    for args in (
        ["case", "--store", str(path), "due", "--json"],
        ["case", "--store", str(path), "show", "F-1", "--json"],
        ["totp", "verify", "--store", str(path), "--account", ACCOUNT, "123456", "--json"],
    ):
        result = cli(*args)
        assert result.exit_code == 74, (args, result.output)
        assert problem_codes(result) == ["store.damaged"], args


@pytest.fixture
def held(shared_store: tuple[Path, str, bytes]) -> Iterator[Path]:
    """The shared store while another process holds ``BEGIN EXCLUSIVE`` on it."""
    with holding_write_lock(shared_store[0]) as path:
        yield path


def test_a_locked_store_through_the_cli(
    held: Path, key: SealingKey, shared_store: tuple[Path, str, bytes]
) -> None:
    env = {TIMEOUT_ENV: "50", "LEPORTAL_SEAL_KEY": key.to_text()}
    due = cli("case", "--store", str(held), "due", "--json", env=env)
    assert due.exit_code == 0, due.output  # readers go on while another process writes (WAL)
    secret = shared_store[2]
    code = TotpPolicy().code(secret, START + 30)
    for args in (
        ["case", "--store", str(held), "falldialog", "F-1", "--received", "2026-02-10", "--json"],
        ["totp", "verify", "--store", str(held), "--account", ACCOUNT, code, "--at", str(START + 30), "--json"],
    ):  # fmt: skip
        result = cli(*args, env=env)
        assert result.exit_code == 74, (args, result.output)
        assert problem_codes(result) == ["store.locked"], args


def test_a_lone_surrogate_in_a_case_text_is_rejected_with_a_code(
    shared_store: tuple[Path, str, bytes],
) -> None:
    path, case_id, _ = shared_store
    # Refused where the step is built (the validation kit), so it never reaches the store.
    with pytest.raises(ValidationError) as caught:  # not a raw UnicodeEncodeError
        Unterlagenanforderung(received=DAY, items=("Befund \udcff",))
    assert caught.value.problems[0].code == "cases.field.characters"
    with CaseStore(path) as cases:
        assert len(cases.events(case_id)) == 2  # nothing written


# --- a read-only mount and a full disk, for real ---------------------------------------------

NAMESPACE_SCRIPT = textwrap.dedent(
    """
    import datetime, json, subprocess, sys
    from leportal_core.cases import CaseOpened, CaseStore, Stay
    from leportal_core.deadlines import Bundesland
    from leportal_core.errors import StorageError
    from leportal_core.store import connect

    folder, mode, leportal = sys.argv[1:4]
    run = lambda *a: subprocess.run(list(a), capture_output=True, text=True)
    store = folder + "/s.sqlite"
    result = {"answers": []}

    def create(number):  # one case through the command line
        done = run(leportal, "case", "--store", store, "create", "--case-number", number,
                   "--hospital-ik", "260326822", "--kasse-ik", "101575519", "--kvnr",
                   "A123456780", "--admitted", "2026-01-05", "--state", "HE", "--json")
        result["answers"].append((number, done.returncode, done.stdout))
        return done.returncode

    if mode == "readonly":
        connect(store, create=True).close()
        assert run("mount", "--bind", folder, folder).returncode == 0
        assert run("mount", "-o", "remount,bind,ro", folder).returncode == 0
        create("F-0")
    else:
        assert run("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", folder).returncode == 0
        connect(store, create=True).close()
        try:  # fill the disk through the API, it is faster
            with CaseStore(store) as cases:
                for m in range(1, 10_000):
                    cases.open_case(CaseOpened(case_number=f"G-{m}", hospital_ik="260326822",
                        kasse_ik="101575519", kvnr="A123456780",
                        stay=Stay(admitted=datetime.date(2026, 1, 5)), state=Bundesland.HE),
                        actor="kis")
                    result["api_acknowledged"] = m
        except StorageError as exc:
            result["api_error"] = exc.code
        for n in range(5):
            if create(f"F-{n}") != 0:
                break
        shown = run(leportal, "case", "--store", store, "show", "G-1", "--json")
        result["show"] = (shown.returncode, shown.stdout)
        connection = connect(store)  # what the store holds now, read afresh
        result["integrity"] = connection.execute("PRAGMA integrity_check").fetchone()[0]
        result["stored"] = [r[0] for r in connection.execute("SELECT case_number FROM case_cases")]
    print(json.dumps(result))
    """
)


def in_private_mount(tmp_path: Path, mode: str) -> dict[str, Any]:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("needs unshare(1) and mount(8) for a real read-only mount or full disk")
    probe = subprocess.run(
        ["unshare", "--mount", "true"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here ({probe.stderr.strip()}): cannot mount")
    folder = tmp_path / "mnt"
    folder.mkdir()
    done = subprocess.run(
        ["unshare", "--mount", "--", sys.executable, "-c", NAMESPACE_SCRIPT, str(folder), mode, str(LEPORTAL)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_a_read_only_mount_through_the_cli(tmp_path: Path) -> None:
    result = in_private_mount(tmp_path, "readonly")
    ((_, status, out),) = result["answers"]
    assert status == 74, out
    assert [p["code"] for p in json.loads(out)["problems"]] == ["store.readonly"]


def test_a_full_disk_through_the_cli_keeps_every_acknowledged_case(tmp_path: Path) -> None:
    result = in_private_mount(tmp_path, "full")
    assert result["api_error"] == "store.full"
    _, status, out = result["answers"][-1]  # the command line meets the full disk too
    assert status == 74, out
    assert [p["code"] for p in json.loads(out)["problems"]] == ["store.full"]
    assert result["integrity"] == "ok"
    # Every acknowledged case is there, and none that was refused.
    by_api = [f"G-{m}" for m in range(1, result["api_acknowledged"] + 1)]
    by_cli = [number for number, status, _ in result["answers"] if status == 0]
    assert sorted(result["stored"]) == sorted(by_api + by_cli)
    status, out = result["show"]  # reading needs no space
    assert status == 0, out
    assert json.loads(out)["case"]["case_number"] == "G-1"


# --- fault injection: SIGKILL at random points ----------------------------------------------

WRITER = textwrap.dedent(
    """
    import datetime, sys, uuid
    from leportal_core.cases import CaseState, CaseStore, Delivery, Unterlagenanforderung
    from leportal_core.secondfactor import Keyring, SealingKey, SecondFactorStore, TotpPolicy

    path, key_text, secret_hex, account = sys.argv[1:5]
    cases = CaseStore(path)
    (case_id,) = cases.case_ids()
    now = [0.0]
    factor = SecondFactorStore.open(
        path, keyring=Keyring(SealingKey.from_text(key_text)), clock=lambda: now[0])
    with factor.transaction() as tx:
        step = tx.one("SELECT last_step FROM secondfactor_account")[0]
    secret, policy, day = bytes.fromhex(secret_hex), TotpPolicy(), datetime.date(2026, 2, 9)
    while True:
        if cases.view(case_id).state is CaseState.DOCUMENTS_REQUESTED:
            step_ = Delivery(delivered=day, delivery_id=uuid.uuid4().hex)
        else:
            step_ = Unterlagenanforderung(received=day, items=("Pflegebericht",))
        print("case", cases.record(case_id, step_, actor="writer").event_id, flush=True)
        step += 1
        now[0] = step * 30.0
        assert factor.verify(account, policy.code(secret, now[0])).accepted
        print("totp", step, flush=True)
    """
)


def note(line: str, case_acks: set[str], totp_acks: list[int]) -> None:
    kind, value = line.split()
    if kind == "case":
        case_acks.add(value)
    else:
        totp_acks.append(int(value))


def check_store(path: Path, key: SealingKey, case_acks: set[str], totp_acks: list[int]) -> int:
    """Every acknowledged write is in the store, which opens and is intact; returns last_step."""
    raw = connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    with CaseStore(path) as cases:
        (case_id,) = cases.case_ids()
        events = cases.events(case_id)
        assert case_acks <= {e.event_id for e in events}
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        assert cases.view(case_id).sequence == len(events)
    factor = SecondFactorStore.open(path, keyring=Keyring(key))
    try:
        with factor.transaction() as tx:
            last = tx.one("SELECT last_step FROM secondfactor_account")
    finally:
        factor.close()
    assert last[0] >= max(totp_acks, default=0)
    return int(last[0])


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_at_random_points_loses_no_acknowledged_write(
    shared_store: tuple[Path, str, bytes], key: SealingKey
) -> None:
    path, _, secret = shared_store
    rng = random.Random(KILL_SEED)  # LEPORTAL_FAULT_SEED repeats a run
    case_acks: set[str] = set()
    totp_acks: list[int] = []
    for _round in range(6):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), key.to_text(), secret.hex(), ACCOUNT],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        wanted, seen = rng.randint(1, 40), 0
        try:
            while seen < wanted:
                line = writer.stdout.readline()
                assert line, "the writer stopped before it was killed"
                note(line, case_acks, totp_acks)
                seen += 1
            time.sleep(rng.uniform(0, 0.02))  # let it get somewhere into the next write
        finally:
            writer.send_signal(signal.SIGKILL)
            rest = writer.stdout.read()  # printed before the kill: acknowledged too
            writer.wait(timeout=30)
            writer.stdout.close()
        for line in rest.splitlines():
            note(line, case_acks, totp_acks)
        assert writer.returncode == -signal.SIGKILL
        check_store(path, key, case_acks, totp_acks)
    # The newest acknowledged code is used up for good: it cannot log in again.
    newest = max(totp_acks)
    factor = SecondFactorStore.open(path, keyring=Keyring(key), clock=lambda: newest * 30.0)
    try:
        assert factor.verify(ACCOUNT, TotpPolicy().code(secret, newest * 30.0)).outcome in (
            Outcome.REPLAYED,
            Outcome.WRONG,  # a later step was accepted after our last read of the pipe
        )
    finally:
        factor.close()


# --- fault injection: the disk fills up at every page step ----------------------------------


def next_step(cases: CaseStore, case_id: str, item: str = "Pflegebericht") -> Any:
    """A request for documents, or their delivery when a request is open (bulky on purpose)."""
    if cases.view(case_id).state is CaseState.DOCUMENTS_REQUESTED:
        return Delivery(delivered=DAY, delivery_id=uuid.uuid4().hex)
    return Unterlagenanforderung(received=DAY, items=tuple(f"{item} {n}" for n in range(8)))


def write_until_failure(
    cases: CaseStore,
    case_id: str,
    factor: SecondFactorStore,
    secret: bytes,
    case_acks: list[str],
    totp_acks: list[int],
) -> None:
    """Alternate case events and TOTP logins, noting each acknowledged one, until one raises."""
    clock = factor.clock
    for n in range(10_000):
        step = next_step(cases, case_id, f"Teil {n} " + "x" * 150)
        case_acks.append(cases.record(case_id, step, actor="kis").event_id)
        clock.advance(30)  # type: ignore[attr-defined]
        assert factor.verify(ACCOUNT, TotpPolicy().code(secret, clock())).accepted
        totp_acks.append(int(clock() // 30))


def test_a_full_store_at_every_page_step_keeps_the_old_state_complete(
    shared_store: tuple[Path, str, bytes], key: SealingKey, tmp_path: Path
) -> None:
    base, case_id, secret = shared_store
    probe = sqlite3.connect(base)
    base_pages = probe.execute("PRAGMA page_count").fetchone()[0]
    probe.close()
    failed_at: set[str] = set()
    for extra in range(12):
        path = tmp_path / f"step-{extra}.sqlite"
        shutil.copyfile(base, path)
        clock = ManualClock(START + 30)
        cases = CaseStore(path)
        factor = SecondFactorStore.open(path, keyring=Keyring(key), clock=clock)
        limit = base_pages + extra
        for opened in (cases.store, factor.store):  # test-only: impose the limit
            # A SQLite store uses one connection per thread: the limit holds for what follows.
            with opened.transaction(write=False) as tx:
                tx.execute(f"PRAGMA max_page_count = {limit}")
        case_acks: list[str] = []
        totp_acks = [int(START // 30)]
        with pytest.raises(StorageError) as caught:
            write_until_failure(cases, case_id, factor, secret, case_acks, totp_acks)
        assert caught.value.code == "store.full"
        last_step = totp_acks[-1]
        failed_at.add(f"{len(case_acks)}")
        cases.close()
        factor.close()
        with CaseStore(path) as reopened:
            events = reopened.events(case_id)
            assert [e.event_id for e in events[2:]] == case_acks  # old state complete, no torso
            assert [e.sequence for e in events] == list(range(1, len(events) + 1))
            reopened.record(case_id, next_step(reopened, case_id), actor="kis")  # usable again
        assert check_store(path, key, set(case_acks), [last_step]) == last_step
    assert len(failed_at) > 3  # the limit hit the writes at many different points
