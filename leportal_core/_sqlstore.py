"""The SQLAlchemy side of :mod:`leportal_core.store` (imported only when a store is opened).

Kept apart so ``import leportal_core`` and ``leportal --version`` never import SQLAlchemy.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, NamedTuple, TypeVar

import sqlalchemy
from sqlalchemy import exc
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.pool import StaticPool

from leportal_core import store as api
from leportal_core.errors import Location, Problem, StorageError

T = TypeVar("T")
Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None

_RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
_MAX_ATTEMPTS = 20
_BACKOFF_CAP = 0.2  # seconds; attempt n waits a random part of min(cap, 2 ms × 2**n)


class Tx:
    """One transaction on the store: run SQL with ``:name`` parameters (every dialect).

    Results: :meth:`one` (a row or None), :meth:`all` (rows), ``execute(...).rowcount``. Rows
    are sequences compared like tuples.
    """

    __slots__ = ("_texts", "connection", "dialect")

    def __init__(
        self, connection: Connection, dialect: str, texts: dict[str, sqlalchemy.TextClause]
    ) -> None:
        self.connection = connection
        self.dialect = dialect
        self._texts = texts

    def execute(self, sql: str, params: Params = None) -> CursorResult[Any]:
        """Run one statement; a list of parameter mappings runs it once for each."""
        clause = self._texts.get(sql)
        if clause is None:
            clause = self._texts[sql] = sqlalchemy.text(sql)
        return self.connection.execute(clause, params)

    # Rows typed Any: the SQL text, not the type checker, knows their columns.
    def one(self, sql: str, params: Params = None) -> Any:
        """The first row of a query, or None."""
        return self.execute(sql, params).first()

    def all(self, sql: str, params: Params = None) -> Sequence[Any]:
        """Every row of a query."""
        return self.execute(sql, params).all()

    def script(self, statement: str) -> None:
        """Run one DDL statement as written (migrations)."""
        self.connection.exec_driver_sql(statement)


class SqliteTx(Tx):
    """A transaction on SQLite, run on the driver's connection itself.

    SQLite understands ``:name`` parameters natively, so the SQL text is the same as on a
    server; going through SQLAlchemy's statement machinery cost 3–4× the CPU of the work itself
    on this in-process engine (bench/bench_store.py), so SQLite skips it.
    """

    __slots__ = ("raw",)

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw
        self.dialect = "sqlite"

    def execute(self, sql: str, params: Params = None) -> Any:
        if isinstance(params, Sequence):
            return self.raw.executemany(sql, params)
        return self.raw.execute(sql, params or {})

    def one(self, sql: str, params: Params = None) -> Any:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Params = None) -> Sequence[Any]:
        return self.execute(sql, params).fetchall()  # type: ignore[no-any-return]

    def script(self, statement: str) -> None:
        self.raw.execute(statement)


class SqlStore:
    """:class:`leportal_core.store.Store` implemented on one SQLAlchemy engine."""

    def __init__(self, engine: Engine, *, label: str, clock: api.Clock) -> None:
        self.engine = engine
        self.label = label
        self.dialect = engine.dialect.name
        self.clock = clock
        self._texts: dict[str, sqlalchemy.TextClause] = {}
        self._ensured: set[str] = set()
        self._local = threading.local()  # SQLite: one driver connection per thread
        self._raw: list[Any] = []
        self._raw_lock = threading.Lock()

    # -- the public surface (documented in leportal_core.store) -----------------------------

    def close(self) -> None:
        with self._raw_lock:
            for fairy in self._raw:
                fairy.close()
            self._raw.clear()
        self._local = threading.local()
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def transaction(self, *, write: bool = True) -> AbstractContextManager[Tx]:
        """One attempt: everything in the block commits together or not at all."""
        if self.dialect == "sqlite":
            return self._sqlite(write)
        return self._server_transaction(write)

    @contextmanager
    def _server_transaction(self, write: bool) -> Iterator[Tx]:
        with self.errors("write" if write else "read"), self._begin(write) as tx:
            yield tx

    def run(self, work: Callable[[Tx], T], *, write: bool = True) -> T:
        """``work(tx)`` in a transaction, repeated when the engine reports a serialisation
        failure or deadlock (PostgreSQL SQLSTATE 40001/40P01), so ``work`` must only read and
        write the store (no mail, no hooks) — those go after ``run`` returns."""
        if self.dialect == "sqlite":  # BEGIN IMMEDIATE serialises writers: nothing to repeat
            with self._sqlite(write) as tx:
                return work(tx)
        attempt = 1
        while True:
            try:
                with self._begin(write) as tx:
                    return work(tx)
            except exc.DBAPIError as error:
                if _sqlstate(error) in _RETRY_SQLSTATES and attempt < _MAX_ATTEMPTS:
                    # Jittered backoff: writers that collided do not collide again in lockstep.
                    time.sleep(random.uniform(0, min(_BACKOFF_CAP, 0.002 * 2**attempt)))  # noqa: S311
                    attempt += 1
                    continue
                raise self.error(error, doing="write" if write else "read") from error
            except UnicodeEncodeError as error:
                raise api.unencodable(error) from error

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        """Map what a server's driver raises inside the block to :class:`StorageError`."""
        try:
            yield
        except exc.InterfaceError:
            raise  # misuse of the API: a bug to see, not a state of the store
        except exc.DBAPIError as error:
            raise self.error(error, doing=doing) from error
        except UnicodeEncodeError as error:
            raise api.unencodable(error) from error

    def query(self, sql: str, params: Params = None) -> Sequence[Any]:
        """The rows of one read statement. A single statement sees one consistent state on every
        engine, so it needs no transaction around it (on SQLite: no BEGIN and COMMIT)."""
        raw: sqlite3.Connection | None = getattr(self._local, "raw", None)
        if self.dialect != "sqlite" or raw is None or raw.in_transaction:
            with self.transaction(write=False) as tx:
                return tx.all(sql, params)
        try:
            return raw.execute(sql, params or {}).fetchall()
        except (sqlite3.Error, UnicodeEncodeError) as error:
            mapped = self._sqlite_error(error, "read")
            if mapped is error:
                raise
            raise mapped from error

    def ensure(self, component: api.Component) -> None:
        """Bring ``component``'s tables to its newest version (see :class:`Component`)."""
        if component.name in self._ensured:
            return
        known = len(component.migrations)
        with self.transaction(write=False) as tx:
            current = _version(tx, component.name)
        if current != known:
            with self.transaction() as tx:
                if self.dialect == "postgresql":  # one migrating process at a time
                    tx.execute("SELECT pg_advisory_xact_lock(7466281001)")
                current = _version(tx, component.name)
                if current > known:
                    raise api.newer(component.name, current, known)
                for version in range(current + 1, known + 1):
                    for statement in component.statements(version, self.dialect):
                        tx.script(statement)
                    if current == 0 and version == 1:
                        tx.execute(
                            "INSERT INTO leportal_schema (component, version) VALUES (:c, 1)",
                            {"c": component.name},
                        )
                    else:
                        tx.execute(
                            "UPDATE leportal_schema SET version = :v WHERE component = :c",
                            {"v": version, "c": component.name},
                        )
        self._ensured.add(component.name)

    def schema_version(self, component: str) -> int:
        with self.transaction(write=False) as tx:
            return _version(tx, component)

    # -- internals ----------------------------------------------------------------------

    @contextmanager
    def _begin(self, write: bool) -> Iterator[Tx]:
        with self.engine.connect() as connection:
            if write:
                # Serialisable: a read-check-write (TOTP step, case sequence) cannot interleave
                # with another server's; the engine answers a clash with 40001, run() repeats.
                connection = connection.execution_options(isolation_level="SERIALIZABLE")
            with connection.begin():
                yield Tx(connection, self.dialect, self._texts)

    @contextmanager
    def _sqlite(self, write: bool) -> Iterator[Tx]:
        """A SQLite transaction with the error mapping, in one frame (it is the hot path)."""
        fairy = None
        try:
            raw: sqlite3.Connection | None = getattr(self._local, "raw", None)
            if raw is None or raw.in_transaction:  # first use in this thread, or a nested one
                raw, fairy = self._connect_sqlite()
            # The driver is in autocommit mode: the transaction is ours. IMMEDIATE takes the
            # write lock first, so a check made in it still holds at the write; a reader's
            # deferred BEGIN gives it one snapshot and never waits for a writer.
            raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield SqliteTx(raw)
                raw.execute("COMMIT")
            except BaseException:
                api.rollback(raw)
                raise
        except (sqlite3.Error, UnicodeEncodeError) as error:
            mapped = self._sqlite_error(error, "write" if write else "read")
            if mapped is error:
                raise
            raise mapped from error
        except exc.DBAPIError as error:  # the pool's own connect
            raise self.error(error, doing="open") from error
        finally:
            if fairy is not None:
                fairy.close()

    def _sqlite_error(self, error: Exception, doing: str) -> Exception:
        """What to raise for a SQLite failure: the driver's misuse errors stay (bugs to see)."""
        if isinstance(error, sqlite3.ProgrammingError | sqlite3.InterfaceError):
            return error
        if isinstance(error, UnicodeEncodeError):
            return api.unencodable(error)
        assert isinstance(error, sqlite3.Error)
        return api.storage_error(error, self.label, doing=doing)

    def _connect_sqlite(self) -> tuple[sqlite3.Connection, Any]:
        """A driver connection from the pool: kept for this thread when it has none yet (then
        the second item is None), else (a nested transaction) returned to the pool afterwards."""
        fairy = self.engine.raw_connection()
        raw = fairy.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        if getattr(self._local, "raw", None) is not None:
            return raw, fairy
        self._local.raw = raw
        with self._raw_lock:
            self._raw.append(fairy)  # closed with the store
        return raw, None

    def error(self, error: exc.DBAPIError, *, doing: str) -> StorageError:
        """The :class:`StorageError` for a driver failure (by SQLite result code or SQLSTATE)."""
        original = error.orig
        if isinstance(original, sqlite3.Error):
            return api.storage_error(original, self.label, doing=doing)
        return _server_error(error, self.label, doing=doing)


def _version(tx: Tx, component: str) -> int:
    row = tx.one("SELECT version FROM leportal_schema WHERE component = :c", {"c": component})
    return int(row[0]) if row else 0


def _sqlstate(error: exc.DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


# SQLSTATE classes (PostgreSQL appendix A; SQL standard classes shared by other engines).
class _Sqlstate(NamedTuple):
    prefix: str  # a SQLSTATE or its class
    code: str


_SERVER_CODES: tuple[_Sqlstate, ...] = (
    _Sqlstate(prefix="40001", code="store.conflict"),
    _Sqlstate(prefix="40P01", code="store.conflict"),
    _Sqlstate(prefix="53100", code="store.full"),
    _Sqlstate(prefix="25006", code="store.readonly"),
    _Sqlstate(prefix="55P03", code="store.locked"),
    _Sqlstate(prefix="57014", code="store.locked"),
    _Sqlstate(prefix="3D000", code="store.missing"),
    _Sqlstate(prefix="3F000", code="store.missing"),
    _Sqlstate(prefix="XX001", code="store.damaged"),
    _Sqlstate(prefix="XX002", code="store.damaged"),
    _Sqlstate(prefix="08", code="store.unavailable"),
    _Sqlstate(prefix="28", code="store.unavailable"),
    _Sqlstate(prefix="42501", code="store.unavailable"),
    _Sqlstate(prefix="53", code="store.unavailable"),
    _Sqlstate(prefix="57P", code="store.unavailable"),
)
_ADVICE = {
    "store.conflict": "other writers changed the same data at the same time, also after "
    "retrying; nothing was changed. Retry",
    "store.full": "the database server's disk is full; nothing was changed. Ask its "
    "administrator to free space, then retry",
    "store.readonly": "the database server accepts no writes (a read-only replica or "
    "transaction); nothing was changed. Use the primary server's URL",
    "store.locked": "another session held a lock longer than the server's lock or statement "
    "timeout; nothing was changed. Retry later",
    "store.missing": "the database or schema named in the URL does not exist: check the URL, "
    "or let the administrator create it",
    "store.damaged": "the database server reports damaged data. Ask its administrator to "
    "restore the last backup",
    "store.unavailable": "cannot reach or log in to the database server, or the user lacks "
    "a privilege. Check the URL, the network and the user's rights",
}


def _server_error(error: exc.DBAPIError, label: str, *, doing: str) -> StorageError:
    state = _sqlstate(error) or ""
    code = next((r.code for r in _SERVER_CODES if state.startswith(r.prefix)), None)
    if code is None and not state and isinstance(error, exc.OperationalError):
        code = "store.unavailable"  # no SQLSTATE: the connection itself failed
    detail = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
    detail = f"{detail} (SQLSTATE {state})" if state else detail
    if code is None:
        message = f"cannot {doing} the store {label} ({detail})"
        code = "store.failed"
    else:
        message = f"cannot {doing} the store {label}: {_ADVICE[code]} ({detail})"
    problem = Problem(code=code, message=message, location=Location(file=label))
    return StorageError(f"cannot use the store {label}", [problem], path=label)


# -- opening -----------------------------------------------------------------------------


def open_sqlite(
    path: str, *, create: bool, busy_timeout_ms: int | None, synchronous: str, clock: api.Clock
) -> SqlStore:
    def creator() -> sqlite3.Connection:
        connection = api.connect(path, create=create, busy_timeout_ms=busy_timeout_ms)
        if synchronous != "FULL" and path != api.MEMORY:
            connection.execute(f"PRAGMA synchronous = {synchronous}")
        return connection

    api.connect(path, create=create, busy_timeout_ms=busy_timeout_ms).close()  # refuse early
    # The engine is the connection factory and pool; transactions run on the driver (SqliteTx).
    pool = StaticPool if path == api.MEMORY else None
    engine = sqlalchemy.create_engine(
        "sqlite+pysqlite://", creator=creator, **({"poolclass": pool} if pool else {})
    )
    return SqlStore(engine, label=path, clock=clock)


def open_server(url: str, *, create: bool, clock: api.Clock) -> SqlStore:
    parsed = sqlalchemy.engine.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    label = parsed.render_as_string(hide_password=True)
    try:
        engine = sqlalchemy.create_engine(parsed, pool_size=2, max_overflow=8)
    except ImportError as error:
        raise api.driver_missing(label, error) from error
    opened = SqlStore(engine, label=label, clock=clock)
    try:
        with opened.errors("open"), engine.begin() as connection:
            exists = sqlalchemy.inspect(connection).has_table("leportal_schema")
            if not exists and not create:
                raise api.not_initialised(label)
            if not exists:
                connection.exec_driver_sql(api.SCHEMA_TABLE)
    except BaseException:
        engine.dispose()
        raise
    return opened
