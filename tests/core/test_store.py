from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from leportal_core.errors import ConfigurationError
from leportal_core.store import connect, ensure_schema, schema_version, transaction

V1 = "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
V2 = "ALTER TABLE item ADD COLUMN note TEXT;\nCREATE INDEX item_name ON item (name);"


def test_migrations_run_once_in_order(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    connection = connect(path)
    ensure_schema(connection, "demo", [V1])
    assert schema_version(connection, "demo") == 1
    connection.close()
    connection = connect(path)
    ensure_schema(connection, "demo", [V1, V2])
    ensure_schema(connection, "demo", [V1, V2])  # idempotent
    assert schema_version(connection, "demo") == 2
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    connection.execute("INSERT INTO item (name, note) VALUES ('a', 'b')")


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    connection = connect(tmp_path / "s.sqlite")
    ensure_schema(connection, "demo", [V1, V2])
    with pytest.raises(ConfigurationError, match="upgrade leportal"):
        ensure_schema(connection, "demo", [V1])


def test_failed_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    connection = connect(tmp_path / "s.sqlite")
    with pytest.raises(sqlite3.OperationalError):
        ensure_schema(connection, "demo", [V1 + "\nCREATE TABLE broken (;"])
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


def test_unopenable_path_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        connect(tmp_path / "no" / "such" / "dir" / "s.sqlite")
