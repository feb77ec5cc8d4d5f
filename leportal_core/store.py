"""The embedded store: one SQLite file (stdlib ``sqlite3``) that keeps what must survive a restart.

Every component that persists state (audit cases, second factor, sending history, …) owns its
tables and their migrations and calls :func:`ensure_schema` with its own component name; the
versions live in one table ``leportal_schema``. Connections run in autocommit mode and every write
goes through :func:`transaction` (``BEGIN IMMEDIATE``), so two processes never interleave a
read-check-write and a crash leaves either the whole change or none of it. WAL journaling lets
readers go on while one process writes; foreign keys are on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from leportal_core.errors import ConfigurationError

__all__ = ["BUSY_TIMEOUT_MS", "connect", "ensure_schema", "schema_version", "transaction"]

BUSY_TIMEOUT_MS = 10_000


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (or create) the store file with leportal's settings; ``":memory:"`` for tests."""
    try:
        connection = sqlite3.connect(
            str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute(
                "PRAGMA synchronous = FULL"
            )  # an acknowledged write survives power loss
        connection.execute(
            "CREATE TABLE IF NOT EXISTS leportal_schema "
            "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )
    except sqlite3.Error as exc:
        raise ConfigurationError(f"cannot open the store {path}: {exc}") from exc
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception.

    IMMEDIATE takes the write lock at the start, so a check made inside the transaction (e.g.
    "was this TOTP step used?") still holds when the write happens.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    else:
        connection.execute("COMMIT")


def schema_version(connection: sqlite3.Connection, component: str) -> int:
    """The migration level of ``component`` in this store (0 when it has none)."""
    row = connection.execute(
        "SELECT version FROM leportal_schema WHERE component = ?", (component,)
    ).fetchone()
    return int(row[0]) if row else 0


def ensure_schema(
    connection: sqlite3.Connection, component: str, migrations: Sequence[str]
) -> None:
    """Bring ``component``'s tables up to date: migration *n* (a SQL script) runs once, in order.

    Migrations are append-only: never edit one that has shipped, add the next. A store written by
    a newer leportal (more migrations than this code knows) is refused rather than misread.
    """
    with transaction(connection):
        current = schema_version(connection, component)
        if current > len(migrations):
            raise ConfigurationError(
                f"the store has {component} schema version {current}, this leportal knows only "
                f"{len(migrations)}: upgrade leportal before using this store"
            )
        for version, script in enumerate(migrations[current:], start=current + 1):
            for statement in _statements(script):
                connection.execute(statement)
            connection.execute(
                "INSERT INTO leportal_schema (component, version) VALUES (?, ?) "
                "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                (component, version),
            )


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT our transaction; split on complete statements instead.
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:60]!r}")
    return statements
