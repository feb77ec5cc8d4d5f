"""What was fetched, in the embedded store (component ``qpr``): one row per remote file version.

A remote file is identified by server, folder, name, size and modification time, so a re-run
skips what it already has and a re-published file (new size or time) counts as new. A row is
written *before* the local rename (``pending``) and marked ``filed`` after it, so a crash between
the two is recovered on the next run instead of filing the report twice (see ``docs/qpr.md``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from leportal_core import store
from leportal_core.errors import ConfigurationError, Location, Problem, StorageError
from leportal_qpr_sftp.errors import PickupError

__all__ = ["COMPONENT", "Ledger", "LedgerRow", "RemoteKey"]

COMPONENT = "qpr"
_MIGRATIONS = [
    """
    CREATE TABLE qpr_fetched (
        id INTEGER PRIMARY KEY,
        server TEXT NOT NULL,
        remote_dir TEXT NOT NULL,
        remote_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        local_name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'filed', 'quarantined')),
        fetched_at TEXT NOT NULL,
        notified INTEGER NOT NULL DEFAULT 0,
        remote_done INTEGER NOT NULL DEFAULT 0,
        UNIQUE (server, remote_dir, remote_name, size, mtime)
    );
    CREATE INDEX qpr_fetched_sha256 ON qpr_fetched (sha256);
    """
]


@attrs.frozen(kw_only=True)
class RemoteKey:
    """The identity of one version of one remote file."""

    server: str
    remote_dir: str
    remote_name: str
    size: int
    mtime: int


@attrs.frozen(kw_only=True)
class LedgerRow:
    """One recorded remote file version and where its local copy went."""

    id: int
    key: RemoteKey
    sha256: str
    local_name: str
    status: str
    fetched_at: dt.datetime
    notified: bool
    remote_done: bool


class Ledger:
    """The ``qpr_fetched`` table; every write is one ``BEGIN IMMEDIATE`` transaction.

    Creating the ledger is explicit (``create=True``: ``leportal qpr init``, or the first-use flag
    ``qpr fetch --init``): a missing or emptied ledger is ``qpr_sftp.store.missing``, because a
    fresh one would file every report on the server again as ``A (2).pdf``. SQLite failures become
    ``qpr_sftp.store.*`` problems (damaged, locked, read-only, full).
    """

    def __init__(self, path: Path | str, *, create: bool = False) -> None:
        path = Path(path)
        if not create and _missing_or_empty(path):
            raise _missing(path)
        try:
            # Whether a new file may be made was decided above, in the ledger's own terms.
            self._conn = store.connect(path, create=True)
        except (ConfigurationError, StorageError) as exc:
            if isinstance(exc.__cause__, sqlite3.Error):
                raise _store_error(exc.__cause__) from exc
            raise
        with _errors():
            version = store.schema_version(self._conn, COMPONENT)
            if version == 0 and not create:
                self._conn.close()
                raise _missing(path)
            if version != len(_MIGRATIONS):
                store.ensure_schema(self._conn, COMPONENT, _MIGRATIONS)

    def close(self) -> None:
        self._conn.close()

    def find(self, key: RemoteKey) -> LedgerRow | None:
        with _errors():
            return self._find(key)

    def _find(self, key: RemoteKey) -> LedgerRow | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM qpr_fetched WHERE server = ? AND remote_dir = ? "  # noqa: S608 - fixed column list
            "AND remote_name = ? AND size = ? AND mtime = ?",
            (key.server, key.remote_dir, key.remote_name, key.size, key.mtime),
        ).fetchone()
        return None if row is None else _row(row)

    def filed_with_sha256(self, sha256: str) -> LedgerRow | None:
        with _errors():
            return self._filed_with_sha256(sha256)

    def _filed_with_sha256(self, sha256: str) -> LedgerRow | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM qpr_fetched WHERE sha256 = ? AND status = 'filed' LIMIT 1",  # noqa: S608 - fixed column list
            (sha256,),
        ).fetchone()
        return None if row is None else _row(row)

    def rows(self, status: str) -> list[LedgerRow]:
        with _errors():
            return self._rows(status)

    def _rows(self, status: str) -> list[LedgerRow]:
        return [
            _row(r)
            for r in self._conn.execute(
                f"SELECT {_COLUMNS} FROM qpr_fetched WHERE status = ? ORDER BY id",  # noqa: S608 - fixed column list
                (status,),
            )
        ]

    def unfinished(self) -> list[LedgerRow]:
        """Filed rows whose host hook has not yet returned."""
        with _errors():
            return self._unfinished()

    def _unfinished(self) -> list[LedgerRow]:
        return [
            _row(r)
            for r in self._conn.execute(
                f"SELECT {_COLUMNS} FROM qpr_fetched WHERE status = 'filed' AND notified = 0 ORDER BY id"  # noqa: S608 - fixed column list
            )
        ]

    def add(
        self,
        key: RemoteKey,
        *,
        sha256: str,
        local_name: str,
        status: str,
        fetched_at: dt.datetime,
        notified: bool = False,
    ) -> int:
        try:
            with store.transaction(self._conn) as conn:
                cursor = conn.execute(
                    "INSERT INTO qpr_fetched (server, remote_dir, remote_name, size, mtime, sha256, "
                    "local_name, status, fetched_at, notified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key.server,
                        key.remote_dir,
                        key.remote_name,
                        key.size,
                        key.mtime,
                        sha256,
                        local_name,
                        status,
                        fetched_at.isoformat(),
                        int(notified),
                    ),
                )
                return int(cursor.lastrowid or 0)
        except StorageError as exc:  # the core's transaction helper maps what SQLite raised
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise ValueError(f"{key.remote_name} is already recorded") from exc
            if isinstance(exc.__cause__, sqlite3.Error):
                raise _store_error(exc.__cause__) from exc
            raise

    def update(self, row_id: int, **values: object) -> None:
        allowed = {"status", "notified", "remote_done", "local_name"}
        if not set(values) <= allowed:
            raise ValueError(f"cannot set {sorted(set(values) - allowed)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        with _errors(), store.transaction(self._conn) as conn:
            conn.execute(
                f"UPDATE qpr_fetched SET {assignments} WHERE id = ?",  # noqa: S608 - names checked above
                (*values.values(), row_id),
            )

    def delete(self, row_id: int) -> None:
        with _errors(), store.transaction(self._conn) as conn:
            conn.execute("DELETE FROM qpr_fetched WHERE id = ?", (row_id,))


def _missing_or_empty(path: Path) -> bool:
    # The core's connect(path, create=...) takes this check over once it has one.
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True


def _missing(path: Path) -> ConfigurationError:
    return ConfigurationError(
        f"the pickup ledger {path} is missing or empty",
        [
            Problem(
                code="qpr_sftp.store.missing",
                message="no ledger of fetched reports there: restore it from a backup (without "
                "it every report on the server would be filed again), or create it for the "
                "first pickup with `leportal qpr init` / `qpr fetch --init`",
                location=Location(file=str(path)),
            )
        ],
    )


def _store_error(exc: sqlite3.Error) -> PickupError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        code, hint = _kind(
            code="qpr_sftp.store.locked", hint="another program holds the ledger; retry later"
        )
    elif "readonly" in text or "read-only" in text:
        code, hint = _kind(
            code="qpr_sftp.store.readonly", hint="the ledger is read-only; fix its permissions"
        )
    elif "full" in text:
        code, hint = _kind(
            code="qpr_sftp.store.full", hint="the disk is full; free space and retry"
        )
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        code, hint = _kind(
            code="qpr_sftp.store.damaged", hint="the ledger is damaged; restore it from a backup"
        )
    else:
        code, hint = _kind(code="qpr_sftp.store.failed", hint="the ledger cannot be used")
    return PickupError(
        f"the pickup ledger cannot be used: {exc}",
        [Problem(code=code, message=f"{hint} (SQLite: {exc})")],
    )


def _kind(*, code: str, hint: str) -> tuple[str, str]:
    # the keyword form lets the registry test (tests/test_problem_registry.py) find codes
    return code, hint


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise _store_error(exc) from exc
    except StorageError as exc:  # the core's transaction helper has mapped it already
        if isinstance(exc.__cause__, sqlite3.Error):
            raise _store_error(exc.__cause__) from exc
        raise


_COLUMNS = (
    "id, server, remote_dir, remote_name, size, mtime, sha256, local_name, status, fetched_at, "
    "notified, remote_done"
)


def _row(r: tuple[Any, ...]) -> LedgerRow:
    return LedgerRow(
        id=int(r[0]),
        key=RemoteKey(
            server=str(r[1]),
            remote_dir=str(r[2]),
            remote_name=str(r[3]),
            size=int(r[4]),
            mtime=int(r[5]),
        ),
        sha256=str(r[6]),
        local_name=str(r[7]),
        status=str(r[8]),
        fetched_at=dt.datetime.fromisoformat(str(r[9])),
        notified=bool(r[10]),
        remote_done=bool(r[11]),
    )
