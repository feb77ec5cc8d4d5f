"""The embedded store: migrations, transactions, and every way a store file can fail (real files).

Each fault is made for real where this machine allows it: random bytes and zeroed pages written
into the file, a lock held by another process, SQLite's own read-only mode and page limit. A
read-only mount and a full disk need a private mount namespace; those are in
``test_store_faults.py`` and skip where ``unshare`` is not allowed.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from leportal_core.errors import ConfigurationError, LeportalError, StorageError, ValidationError
from leportal_core.store import (
    TIMEOUT_ENV,
    connect,
    ensure_schema,
    guarded,
    remove,
    schema_version,
    storage_error,
    transaction,
)

from .lock_holder import holding_write_lock

V1 = "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
V2 = "ALTER TABLE item ADD COLUMN note TEXT;\nCREATE INDEX item_name ON item (name);"
PAGE = 4096


def made(path: Path, rows: int = 0) -> Path:
    """A store at ``path`` with the ``demo`` component and ``rows`` rows, closed (checkpointed)."""
    connection = connect(path, create=True)
    ensure_schema(connection, "demo", [V1])
    with transaction(connection):
        connection.executemany(
            "INSERT INTO item (name) VALUES (?)", [(f"row {n} " + "x" * 200,) for n in range(rows)]
        )
    connection.close()
    return path


def code_of(raised: pytest.ExceptionInfo[LeportalError]) -> str:
    return raised.value.code


# --- migrations and transactions ------------------------------------------------------------


def test_migrations_run_once_in_order(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    connection = connect(path, create=True)
    ensure_schema(connection, "demo", [V1])
    assert schema_version(connection, "demo") == 1
    connection.close()
    connection = connect(path)
    ensure_schema(connection, "demo", [V1, V2])
    ensure_schema(connection, "demo", [V1, V2])  # idempotent
    assert schema_version(connection, "demo") == 2
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    connection.execute("INSERT INTO item (name, note) VALUES ('a', 'b')")


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    connection = connect(tmp_path / "s.sqlite", create=True)
    ensure_schema(connection, "demo", [V1, V2])
    with pytest.raises(StorageError) as caught:
        ensure_schema(connection, "demo", [V1])
    assert code_of(caught) == "store.newer"
    assert "upgrade leportal" in str(caught.value)


def test_failed_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    connection = connect(tmp_path / "s.sqlite", create=True)
    with pytest.raises(StorageError) as caught:
        ensure_schema(connection, "demo", [V1 + "\nCREATE TABLE broken (;"])
    assert code_of(caught) == "store.failed"
    assert schema_version(connection, "demo") == 0
    assert (
        connection.execute("SELECT name FROM sqlite_master WHERE name = 'item'").fetchone() is None
    )


def test_transaction_rolls_back_on_error() -> None:
    connection = connect(":memory:")
    ensure_schema(connection, "demo", [V1])

    def insert_then_crash() -> None:
        with transaction(connection):
            connection.execute("INSERT INTO item (name) VALUES ('lost')")
            raise RuntimeError("crash midway")

    with pytest.raises(RuntimeError, match="crash midway"):
        insert_then_crash()
    assert connection.execute("SELECT count(*) FROM item").fetchone()[0] == 0
    assert not connection.in_transaction


def test_api_misuse_is_not_disguised_as_a_store_fault() -> None:
    connection = connect(":memory:")
    connection.close()
    with pytest.raises(sqlite3.ProgrammingError), guarded(connection):
        connection.execute("SELECT 1")


# --- creating is an explicit act ------------------------------------------------------------


def test_a_missing_store_is_refused_and_not_made(tmp_path: Path) -> None:
    path = tmp_path / "typo.sqlite"
    with pytest.raises(StorageError) as caught:
        connect(path)
    assert code_of(caught) == "store.missing"
    assert "leportal store init" in caught.value.problems[0].message
    assert caught.value.problems[0].location.file == str(path)
    assert caught.value.path == str(path)
    assert not path.exists()


def test_a_zero_byte_store_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "emptied.sqlite"
    path.write_bytes(b"")
    with pytest.raises(StorageError) as caught:
        connect(path)
    assert code_of(caught) == "store.empty"
    assert "backup" in caught.value.problems[0].message
    assert path.stat().st_size == 0


def test_a_sqlite_file_without_tables_is_empty_and_one_of_another_program_is_foreign(
    tmp_path: Path,
) -> None:
    blank = tmp_path / "blank.sqlite"
    raw = sqlite3.connect(blank)
    raw.execute("PRAGMA user_version = 1")  # a valid database file with no tables
    raw.close()
    other = tmp_path / "other.sqlite"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE moz_places (id INTEGER)")
    raw.close()
    with pytest.raises(StorageError) as caught:
        connect(blank)
    assert code_of(caught) == "store.empty"
    with pytest.raises(StorageError) as caught:
        connect(other)
    assert code_of(caught) == "store.foreign"
    raw = sqlite3.connect(other)
    assert [r[0] for r in raw.execute("SELECT name FROM sqlite_master")] == ["moz_places"]
    raw.close()


def test_create_makes_a_store_and_keeps_an_existing_one(tmp_path: Path) -> None:
    path = made(tmp_path / "s.sqlite", rows=3)
    again = connect(path, create=True)
    assert again.execute("SELECT count(*) FROM item").fetchone()[0] == 3
    again.close()
    emptied = tmp_path / "zero.sqlite"
    emptied.write_bytes(b"")
    connect(emptied, create=True).close()  # the explicit act may start over on an empty file
    connect(emptied).close()


def test_a_folder_a_fifo_and_a_missing_folder_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (tmp_path, fifo):
        for create in (False, True):
            with pytest.raises(StorageError) as caught:
                connect(target, create=create)  # a FIFO without a writer must not hang
            assert code_of(caught) == "store.unavailable"
    with pytest.raises(StorageError) as caught:
        connect(tmp_path / "no" / "such" / "s.sqlite", create=True)
    assert code_of(caught) == "store.unavailable"
    assert not (tmp_path / "no").exists()


def test_remove_deletes_the_file_and_its_companions(tmp_path: Path) -> None:
    path = made(tmp_path / "s.sqlite")
    keep_open = connect(path)
    with transaction(keep_open):
        keep_open.execute("INSERT INTO item (name) VALUES ('x')")
    assert path.with_name("s.sqlite-wal").exists()
    keep_open.close()
    path.with_name("s.sqlite-wal").write_bytes(b"")
    remove(path)
    assert sorted(tmp_path.iterdir()) == []


# --- damaged --------------------------------------------------------------------------------


def test_random_bytes_are_a_damaged_store(tmp_path: Path) -> None:
    path = tmp_path / "random.sqlite"
    path.write_bytes(os.urandom(8 * PAGE))
    for create in (False, True):
        with pytest.raises(StorageError) as caught:
            connect(path, create=create)
        assert code_of(caught) == "store.damaged"
        assert "backup" in caught.value.problems[0].message


def test_a_zeroed_first_page_is_a_damaged_store(tmp_path: Path) -> None:
    path = made(tmp_path / "s.sqlite", rows=500)
    data = bytearray(path.read_bytes())
    data[:PAGE] = bytes(PAGE)
    path.write_bytes(data)
    with pytest.raises(StorageError) as caught:
        connect(path)
    assert code_of(caught) == "store.damaged"


def test_zeroed_pages_inside_are_found_when_read(tmp_path: Path) -> None:
    path = made(tmp_path / "s.sqlite", rows=500)
    data = bytearray(path.read_bytes())
    assert len(data) > 10 * PAGE
    data[3 * PAGE : 8 * PAGE] = bytes(5 * PAGE)
    path.write_bytes(data)
    connection = connect(path)  # page 1 is intact: the damage shows when the rows are read
    with pytest.raises(StorageError) as caught, guarded(connection, doing="read"):
        connection.execute("SELECT max(name) FROM item").fetchall()
    assert code_of(caught) == "store.damaged"
    assert caught.value.path == str(path)
    with pytest.raises(StorageError) as caught, transaction(connection):
        connection.execute("UPDATE item SET name = 'y'")
    assert code_of(caught) == "store.damaged"
    assert not connection.in_transaction


# --- locked ---------------------------------------------------------------------------------


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A store whose write lock another process holds until teardown."""
    with holding_write_lock(made(tmp_path / "s.sqlite", rows=3)) as path:
        yield path


def test_a_write_waits_for_the_busy_timeout_then_reports_locked(locked: Path) -> None:
    connection = connect(locked, busy_timeout_ms=50)
    # An up-to-date schema is only read: opening needs no write lock and readers go on (WAL).
    ensure_schema(connection, "demo", [V1])
    assert connection.execute("SELECT count(*) FROM item").fetchone()[0] == 3
    with pytest.raises(StorageError) as caught, transaction(connection):
        connection.execute("INSERT INTO item (name) VALUES ('waits')")
    assert code_of(caught) == "store.locked"
    assert "Retry" in caught.value.problems[0].message
    assert not connection.in_transaction


def test_the_busy_timeout_comes_from_the_environment(
    locked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "20")
    connection = connect(locked)
    assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == 20
    with pytest.raises(StorageError) as caught, transaction(connection):
        pass
    assert code_of(caught) == "store.locked"


@pytest.mark.parametrize("value", ["soon", "-1", "3600001", "1e3"])
def test_a_bad_busy_timeout_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    path = made(tmp_path / "s.sqlite")
    monkeypatch.setenv(TIMEOUT_ENV, value)
    with pytest.raises(ConfigurationError) as caught:
        connect(path)
    assert code_of(caught) == "store.timeout.invalid"
    assert not isinstance(caught.value, StorageError)


# --- read-only and full ---------------------------------------------------------------------


def test_a_read_only_store_reports_readonly(tmp_path: Path) -> None:
    # Root ignores file modes, so SQLite's own read-only open stands in for a read-only file
    # here; a read-only mount is tried for real in test_store_faults.py.
    path = made(tmp_path / "s.sqlite", rows=1)
    connect(path).close()
    reader = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    assert reader.execute("SELECT count(*) FROM item").fetchone()[0] == 1
    with pytest.raises(StorageError) as caught, transaction(reader):
        reader.execute("INSERT INTO item (name) VALUES ('no')")
    assert code_of(caught) == "store.readonly"
    assert not reader.in_transaction


def test_a_full_store_keeps_its_old_state(tmp_path: Path) -> None:
    path = made(tmp_path / "s.sqlite", rows=10)
    connection = connect(path)
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL for real, as on a disk
    with pytest.raises(StorageError) as caught, transaction(connection):
        connection.executemany(
            "INSERT INTO item (name) VALUES (?)", [("y" * 2000,) for _ in range(50)]
        )
    assert code_of(caught) == "store.full"
    assert "Free space" in caught.value.problems[0].message
    assert not connection.in_transaction
    connection.close()
    reopened = connect(path)
    assert reopened.execute("SELECT count(*) FROM item").fetchone()[0] == 10
    assert reopened.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- what is not a store fault --------------------------------------------------------------


def test_a_lone_surrogate_is_a_validation_error_not_a_raw_unicode_error(tmp_path: Path) -> None:
    connection = connect(made(tmp_path / "s.sqlite"))
    with pytest.raises(ValidationError) as caught, transaction(connection):
        connection.execute("INSERT INTO item (name) VALUES (?)", ("Befund \udcff",))
    assert code_of(caught) == "store.text.unencodable"
    message = caught.value.problems[0].message
    message.encode("utf-8")  # the message itself is printable
    assert "position 8" in message
    assert connection.execute("SELECT count(*) FROM item").fetchone()[0] == 0


def test_sqlite_result_codes_map_to_one_code_each() -> None:
    cases = {
        sqlite3.SQLITE_CORRUPT: "store.damaged",
        sqlite3.SQLITE_NOTADB: "store.damaged",
        sqlite3.SQLITE_BUSY: "store.locked",
        sqlite3.SQLITE_LOCKED: "store.locked",
        sqlite3.SQLITE_READONLY: "store.readonly",
        sqlite3.SQLITE_FULL: "store.full",
        sqlite3.SQLITE_IOERR: "store.unavailable",
        sqlite3.SQLITE_CANTOPEN: "store.unavailable",
        sqlite3.SQLITE_ERROR: "store.failed",
    }
    for result_code, expected in cases.items():
        error = sqlite3.OperationalError("injected")
        error.sqlite_errorcode = result_code | (3 << 8)  # an extended code keeps its primary
        assert storage_error(error).code == expected, result_code
    assert storage_error(sqlite3.DatabaseError("no code")).code == "store.failed"
    assert not issubclass(StorageError, ConfigurationError)
