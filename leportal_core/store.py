"""The store: what must survive a restart, in one SQLite file or on a database server.

**The Store** (issue 18): ``open_store(url_or_path, create=False)`` returns a :class:`Store` — a
path means the embedded SQLite file (below), ``postgresql://user@host/db`` a PostgreSQL server
(driver psycopg 3, extra ``leportal-core[postgresql]``). It is built on SQLAlchemy 2 Core, imported
only when a store is opened. A Store is a context manager and offers:

- ``store.ensure(component)`` — bring a :class:`Component`'s tables to its newest version;
- ``store.run(work)`` — ``work(tx)`` in one write transaction, repeated when the engine reports a
  serialisation failure (PostgreSQL runs writes SERIALIZABLE; SQLite takes the write lock with
  ``BEGIN IMMEDIATE``); ``with store.transaction(write=...) as tx`` is a single attempt;
- ``tx.execute(sql, params)`` / ``tx.one`` / ``tx.all`` with ``:name`` parameters;
  ``store.query(sql, params)`` for one read statement on its own;
- ``store.clock()`` — the one clock (:func:`leportal_core.clock.now` unless a host injects one);
- one error mapping: every failure is a :class:`StorageError` with a ``store.*`` code, by
  SQLite result code or SQLSTATE (never by message text).

Components (second factor, cases, …) declare a :class:`Component` (name + append-only
migrations, SQL per dialect) and contribute it through the hook ``leportal_store_components``;
``leportal store sql`` prints the scripts for a DBA. Components not yet converted use the raw ``sqlite3`` API below on the same file.

**The raw SQLite API** (before issue 18, still used by therapy, kis_archive, qpr ledger):

Every component that persists state (audit cases, second factor, sending history, …) owns its
tables and their migrations and calls :func:`ensure_schema` with its own component name; the
versions live in one table ``leportal_schema``. Connections run in autocommit mode and every write
goes through :func:`transaction` (``BEGIN IMMEDIATE``), so two processes never interleave a
read-check-write and a crash leaves either the whole change or none of it. WAL journaling lets
readers go on while one process writes; foreign keys are on.

How a component uses it (the whole API):

- ``connect(path, create=False)`` opens an existing store. A missing file (``store.missing``), a
  zero-byte file (``store.empty``) or a SQLite file without leportal's tables (``store.empty``,
  ``store.foreign``) is refused, never silently made anew: a mistyped path must not look like an
  empty worklist. ``create=True`` is the explicit act that makes a new store (``leportal store
  init PATH`` on the command line); an existing store is opened unchanged.
  ``busy_timeout_ms`` is how long a write waits for another process's lock (default
  :data:`BUSY_TIMEOUT_MS`, or ``$LEPORTAL_STORE_BUSY_TIMEOUT_MS``).
- ``ensure_schema(connection, component, migrations)`` once after connecting.
- ``with transaction(connection) as db:`` around every write.
- ``with guarded(connection):`` around every read outside a transaction (``transaction`` and
  ``ensure_schema`` are guarded already).

Every failure of the store then reaches the caller as one :class:`~leportal_core.errors.StorageError`
with one of the ``store.*`` codes (damaged, locked, read-only, full, missing, empty, foreign,
unavailable, newer, failed; see ``docs/problem-codes.md``) and a message saying what the user can
do; the command line exits with ``leportal_core.cli.EXIT_STORAGE`` (74) for all of them. Text that SQLite cannot
store (a lone surrogate) becomes a :class:`~leportal_core.errors.ValidationError`
``store.text.unencodable`` instead of a raw ``UnicodeEncodeError``. SQLite's own
``ProgrammingError``/``InterfaceError`` (wrong bindings, a closed connection) are bugs in the
caller and pass through unchanged.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import attrs

from leportal_core import clock as _clock
from leportal_core.errors import (
    ConfigurationError,
    Location,
    Problem,
    StorageError,
    ValidationError,
)

if TYPE_CHECKING:
    import pluggy

    from leportal_core._sqlstore import SqlStore as Store
    from leportal_core._sqlstore import Tx

__all__ = [
    "BUSY_TIMEOUT_MS",
    "TIMEOUT_ENV",
    "Component",
    "Store",
    "Tx",
    "components",
    "connect",
    "ensure_schema",
    "guarded",
    "open_store",
    "remove",
    "schema_version",
    "storage_error",
    "transaction",
]

BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another process's lock before ``store.locked``."""

TIMEOUT_ENV = "LEPORTAL_STORE_BUSY_TIMEOUT_MS"
"""Environment variable that overrides :data:`BUSY_TIMEOUT_MS` (milliseconds, 0 – 3 600 000)."""

MEMORY = ":memory:"
_MEMORY = MEMORY
SCHEMA_TABLE = (
    "CREATE TABLE IF NOT EXISTS leportal_schema "
    "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
)
_BACKUP = "Restore the store from the last backup; keep the damaged file for analysis."
_INIT = "To start a new, empty store on purpose, run `leportal store init {path}`."


def connect(
    path: str | Path, *, create: bool = False, busy_timeout_ms: int | None = None
) -> sqlite3.Connection:
    """Open the store file at ``path`` with leportal's settings; ``":memory:"`` for tests.

    Without ``create`` the file must exist and hold a leportal store (see the module docstring);
    with it, a missing or zero-byte file becomes a new store. Failures are :class:`StorageError`.
    """
    label = str(path)
    timeout = _busy_timeout(busy_timeout_ms)
    if label != _MEMORY:
        _check_file(Path(path), create=create)
    with guarded(label, doing="open"):
        connection = sqlite3.connect(
            _target(label, create=create),
            uri=True,
            isolation_level=None,
            timeout=timeout / 1000,
            check_same_thread=False,
        )
    try:
        with guarded(label, doing="open"):
            connection.execute(f"PRAGMA busy_timeout = {timeout}")
            connection.execute("PRAGMA foreign_keys = ON")
            if label != _MEMORY:
                _require_leportal_store(connection, label, create=create)
                connection.execute("PRAGMA journal_mode = WAL")
                # An acknowledged write survives power loss.
                connection.execute("PRAGMA synchronous = FULL")
            connection.execute(SCHEMA_TABLE)
    except BaseException:
        connection.close()
        raise
    return connection


def remove(path: str | Path) -> None:
    """Delete a store file with its ``-wal`` and ``-shm`` companions (demos and tests only)."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@contextmanager
def guarded(
    store: sqlite3.Connection | str | Path | None = None, *, doing: str = "use"
) -> Iterator[None]:
    """Map what SQLite raises inside the block to leportal's errors (the one place that does it).

    ``store`` (a connection or the file path) names the file in the message; ``doing`` is a verb
    for it ("open", "read", "write").
    """
    try:
        yield
    except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise  # misuse of the API: a bug to see, not a state of the store
    except sqlite3.Error as exc:
        raise storage_error(exc, store, doing=doing) from exc
    except UnicodeEncodeError as exc:
        raise unencodable(exc) from exc


def unencodable(exc: UnicodeEncodeError) -> ValidationError:
    """The error for text no store can hold (a lone surrogate)."""
    return ValidationError(
        "a text contains a character that cannot be stored",
        [
            Problem(
                code="store.text.unencodable",
                message=(
                    f"a text contains {exc.object[exc.start : exc.end]!r} at position "
                    f"{exc.start + 1}, a lone surrogate (U+D800–U+DFFF) that is not a "
                    "character and cannot be stored as UTF-8; correct the text"
                ),
            )
        ],
    )


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception (a failed COMMIT too).

    IMMEDIATE takes the write lock at the start, so a check made inside the transaction (e.g.
    "was this TOTP step used?") still holds when the write happens. SQLite failures become
    :class:`StorageError` (see :func:`guarded`).
    """
    with guarded(connection, doing="write"):
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            rollback(connection)
            raise


def schema_version(connection: sqlite3.Connection, component: str) -> int:
    """The migration level of ``component`` in this store (0 when it has none)."""
    with guarded(connection, doing="read"):
        row = connection.execute(
            "SELECT version FROM leportal_schema WHERE component = ?", (component,)
        ).fetchone()
    return int(row[0]) if row else 0


def ensure_schema(
    connection: sqlite3.Connection, component: str, migrations: Sequence[str]
) -> None:
    """Bring ``component``'s tables up to date: migration *n* (a SQL script) runs once, in order.

    Migrations are append-only: never edit one that has shipped, add the next. A store written by
    a newer leportal (more migrations than this code knows) is refused (``store.newer``) rather
    than misread. A store that is up to date is only read, so opening it never waits for a writer.
    """
    if schema_version(connection, component) == len(migrations):
        return
    with transaction(connection):
        current = schema_version(connection, component)
        if current > len(migrations):
            raise newer(component, current, len(migrations))
        for version, script in enumerate(migrations[current:], start=current + 1):
            for statement in _statements(script):
                connection.execute(statement)
            connection.execute(
                "INSERT INTO leportal_schema (component, version) VALUES (?, ?) "
                "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                (component, version),
            )


def newer(component: str, current: int, known: int) -> StorageError:
    """The error for a store whose ``component`` schema is newer than this code knows."""
    return StorageError(
        f"the store has {component} schema version {current}, this leportal knows only {known}",
        [
            Problem(
                code="store.newer",
                message=(
                    f"the store was written by a newer leportal ({component} schema version "
                    f"{current}, this one knows {known}): upgrade leportal before using this store"
                ),
            )
        ],
    )


def storage_error(
    exc: sqlite3.Error, store: sqlite3.Connection | str | Path | None = None, *, doing: str = "use"
) -> StorageError:
    """The :class:`StorageError` for a SQLite failure: its code by SQLite's result code."""
    path = _path_of(store)
    where = f"the store {path}" if path else "the store"
    detail = f"SQLite: {exc}"
    primary = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        problem = Problem(code="store.damaged", message=f"{where} is damaged ({detail}). {_BACKUP}")
    elif primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        problem = Problem(
            code="store.locked",
            message=(
                f"{where} stayed locked by another process ({detail}); nothing was changed. "
                "Retry later; if it stays locked, find the process that holds it."
            ),
        )
    elif primary == sqlite3.SQLITE_READONLY or (
        primary == sqlite3.SQLITE_CANTOPEN and path and _read_only(Path(path))
    ):
        problem = _read_only_problem(where, detail)
    elif primary == sqlite3.SQLITE_FULL:  # SQLite reports ENOSPC as SQLITE_FULL (os_unix.c)
        problem = Problem(
            code="store.full",
            message=(
                f"the disk holding {where} is full, or the store reached its size limit ({detail}); "
                "nothing was changed. Free space and retry."
            ),
        )
    elif primary in (
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_AUTH,
    ):
        problem = Problem(
            code="store.unavailable",
            message=(
                f"cannot {doing} {where} ({detail}). Check that the path names a file on a "
                "working disk and that leportal may read and write it and its folder."
            ),
        )
    else:
        problem = Problem(code="store.failed", message=f"cannot {doing} {where} ({detail})")
    return StorageError(_headline(path), [_located(problem, path)], path=path)


# --- the Store (SQLAlchemy) -------------------------------------------------------------------

Clock = Callable[[], datetime.datetime]
"""Returns the current timezone-aware instant (:func:`leportal_core.clock.now` by default)."""

Migration = str | Mapping[str, str]
"""One schema step: SQL for every dialect, or SQL per dialect name (``"sqlite"``,
``"postgresql"``, …) — a dialect missing from the mapping cannot hold the component."""


@attrs.frozen(kw_only=True)
class Component:
    """A component's tables: ``name`` and its append-only ``migrations`` (version n = item n).

    Never edit a migration that has shipped; add the next. The versions live in the table
    ``leportal_schema`` shared with the raw SQLite API, so files made before issue 18 open as they
    are and only run the migrations they lack.
    """

    name: str
    migrations: tuple[Migration, ...]

    def script(self, version: int, dialect: str) -> str:
        """The SQL of migration ``version`` for ``dialect``; ``store.unsupported`` when none."""
        step = self.migrations[version - 1]
        if isinstance(step, str):
            return step
        if dialect in step:
            return step[dialect]
        raise StorageError(
            f"the {self.name} component has no schema for {dialect}",
            [
                Problem(
                    code="store.unsupported",
                    message=(
                        f"the {self.name} component has no migration {version} for the database "
                        f"engine {dialect!r} (it has {', '.join(sorted(step))}); use SQLite or "
                        "PostgreSQL, or contribute the scripts for this engine"
                    ),
                )
            ],
        )

    def statements(self, version: int, dialect: str) -> list[str]:
        """Migration ``version`` as single statements (drivers run one at a time)."""
        return _statements(self.script(version, dialect))


def components(pm: pluggy.PluginManager) -> list[Component]:
    """Every component the plug-ins contribute (hook ``leportal_store_components``; the core's
    own through its built-in plug-in), in name order."""
    found: dict[str, Component] = {}
    pm.hook.leportal_store_components(register=lambda c: found.setdefault(c.name, c))
    return sorted(found.values(), key=lambda c: c.name)


def open_store(
    url_or_path: str | Path,
    *,
    create: bool = False,
    clock: Clock = _clock.now,
    busy_timeout_ms: int | None = None,
    synchronous: str = "FULL",
) -> Store:
    """Open the store that ``url_or_path`` names (see the module docstring).

    A path (or ``sqlite:///path``) is the SQLite file with the checks of :func:`connect`;
    ``postgresql://…`` a server whose database must exist (``create=True`` adds the table
    ``leportal_schema`` to an empty one). ``synchronous`` (SQLite only): ``"FULL"`` (default)
    makes every acknowledged write survive a power cut; ``"NORMAL"`` survives a killed process
    but may lose the last commits on power loss.
    """
    from leportal_core import _sqlstore

    text = str(url_or_path)
    if synchronous not in ("FULL", "NORMAL"):
        raise ConfigurationError(
            f"synchronous must be FULL or NORMAL, got {synchronous!r}",
            [Problem(code="store.url.invalid", message="synchronous must be FULL or NORMAL")],
        )
    if text.startswith("sqlite:///"):
        text = text.removeprefix("sqlite:///") or MEMORY
    scheme = text.partition("://")[0] if "://" in text else ""
    if not scheme:
        return _sqlstore.open_sqlite(
            text,
            create=create,
            busy_timeout_ms=busy_timeout_ms,
            synchronous=synchronous,
            clock=clock,
        )
    if scheme.split("+")[0] in ("postgresql", "postgres"):
        return _sqlstore.open_server(
            text.replace("postgres://", "postgresql://", 1), create=create, clock=clock
        )
    raise ConfigurationError(
        f"unknown store URL scheme {scheme!r}",
        [
            Problem(
                code="store.url.invalid",
                message=(
                    f"a store is a file path or a postgresql:// URL, not {scheme}://; other "
                    "engines need their component migrations first (docs/store.md)"
                ),
            )
        ],
    )


def driver_missing(label: str, error: ImportError) -> ConfigurationError:
    """The error for a server URL whose database driver is not installed."""
    return ConfigurationError(
        f"the driver for {label} is not installed",
        [
            Problem(
                code="store.driver.missing",
                message=(
                    f"{error}: install the driver, for PostgreSQL "
                    "`pip install 'leportal-core[postgresql]'` (psycopg 3)"
                ),
            )
        ],
    )


def not_initialised(label: str) -> StorageError:
    """The error for a server database without leportal's tables (never made silently)."""
    return StorageError(
        _headline(label),
        [
            Problem(
                code="store.empty",
                message=(
                    f"the database {label} holds no leportal store: check the URL. To start a "
                    f"new store there on purpose, run `leportal store init {label}`."
                ),
                location=Location(file=label),
            )
        ],
        path=label,
    )


def __getattr__(name: str) -> object:
    # Store and Tx come from the SQLAlchemy side, imported only when someone asks for them.
    if name in ("Store", "Tx"):
        from leportal_core import _sqlstore

        return _sqlstore.SqlStore if name == "Store" else _sqlstore.Tx
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- opening -------------------------------------------------------------------------------


def _busy_timeout(value: int | None) -> int:
    if value is None:
        text = os.environ.get(TIMEOUT_ENV, "").strip()
        if not text:
            return BUSY_TIMEOUT_MS
        try:
            value = int(text)
        except ValueError:
            value = -1
    if not 0 <= value <= 3_600_000:
        raise ConfigurationError(
            f"the store's busy timeout must be 0 to 3600000 ms, got {value!r}",
            [
                Problem(
                    code="store.timeout.invalid",
                    message=f"{TIMEOUT_ENV} (or busy_timeout_ms) must be whole milliseconds, "
                    "0 to 3600000",
                )
            ],
        )
    return value


def _check_file(path: Path, *, create: bool) -> None:
    """Refuse what SQLite would silently turn into a new, empty store (or hang on)."""
    label = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if not create:
            _refuse(
                code="store.missing",
                message=f"there is no store at {label}: check the path (a typo?). {_INIT.format(path=label)}",
                path=label,
            )
        if not path.parent.is_dir():
            _refuse(
                code="store.unavailable",
                message=f"the folder of {label} does not exist; create it first (or correct the path)",
                path=label,
            )
        return
    except OSError as exc:
        _refuse(
            code="store.unavailable",
            message=f"cannot look at {label}: {exc.strerror or exc}",
            path=label,
        )
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        _refuse(
            code="store.unavailable", message=f"{label} is {kind}; a store is a file", path=label
        )
    if info.st_size == 0 and not create and not _has_wal(path):
        _refuse(
            code="store.empty",
            message=f"the store file {label} is empty (0 bytes): its data is gone. "
            f"Restore it from the last backup. {_INIT.format(path=label)}",
            path=label,
        )


def _has_wal(path: Path) -> bool:
    # A zero-byte main file whose write-ahead log holds frames is SQLite's to judge, not empty.
    try:
        return path.with_name(path.name + "-wal").stat().st_size > 0
    except OSError:
        return False


def _target(label: str, *, create: bool) -> str:
    if label == _MEMORY:
        return label
    # mode=rw: SQLite itself refuses to create the file (no race with the check above).
    return Path(label).absolute().as_uri() + ("?mode=rwc" if create else "?mode=rw")


def _require_leportal_store(connection: sqlite3.Connection, label: str, *, create: bool) -> None:
    if create:
        return
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if "leportal_schema" in names:
        return
    if names:
        _refuse(
            code="store.foreign",
            message=f"{label} is a SQLite database of something else, not a leportal store: check the "
            "path (leportal adds its tables only to a store made by `leportal store init`)",
            path=label,
        )
    _refuse(
        code="store.empty",
        message=f"the store file {label} holds no data. Restore it from the last backup. "
        + _INIT.format(path=label),
        path=label,
    )


def _refuse(*, code: str, message: str, path: str) -> NoReturn:
    problem = _located(Problem(code=code, message=message), path)
    raise StorageError(_headline(path), [problem], path=path)


def _headline(path: str | None) -> str:
    # The problem says what happened and what to do; the headline only which store.
    return f"cannot use the store {path}" if path else "cannot use the store"


# --- classifying ----------------------------------------------------------------------------


def _read_only_problem(where: str, detail: str) -> Problem:
    return Problem(
        code="store.readonly",
        message=(
            f"{where} cannot be written: the file, its folder or the disk is read-only "
            f"({detail}); nothing was changed. Give leportal write access to the file and its "
            "folder (SQLite keeps -wal and -shm files next to it)."
        ),
    )


def _read_only(path: Path) -> bool:
    # access() also answers EROFS for root on a read-only mount, where permissions do not stop root.
    return any(target.exists() and not os.access(target, os.W_OK) for target in (path, path.parent))


def _path_of(store: sqlite3.Connection | str | Path | None) -> str | None:
    if store is None:
        return None
    if isinstance(store, sqlite3.Connection):
        try:
            for _, name, file in store.execute("PRAGMA database_list"):
                if name == "main":
                    return str(file) or _MEMORY
        except sqlite3.Error:
            return None
        return None
    return str(store)


def _located(problem: Problem, path: str | None) -> Problem:
    if path is None or path == _MEMORY:
        return problem
    return Problem(code=problem.code, message=problem.message, location=Location(file=path))


def rollback(connection: sqlite3.Connection) -> None:
    # After SQLITE_FULL or an I/O error SQLite may have rolled back already; the first error is
    # the one to report, so a failing ROLLBACK must not replace it.
    if connection.in_transaction:
        with suppress(sqlite3.Error):
            connection.execute("ROLLBACK")


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
