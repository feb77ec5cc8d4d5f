"""Persistence of the therapy component in the embedded store (component name ``therapy``):
master data saved once and pre-filled into every new report, and the Versandhistorie.

Master data are kept as the JSON form (``leportal_core.therapy.form``), so a newer field list
needs no table change. The sending history has one row per report (``report_id`` is unique) and
is also the lock that serialises sending: an attempt is committed as ``wird gesendet`` (with the
claiming host, pid, a random token and a lease) *before* the SMTP transaction; a second process
finds the claim and stops; a claim whose holder is gone becomes ``unbekannt``, which only an
explicit :meth:`SendingHistory.settle` (a person, or a delivery probe) resolves. So a report is
never handed to the server twice by this code.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import secrets
import socket
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from leportal_core.errors import ConfigurationError, LeportalError, StorageError, ValidationError
from leportal_core.store import connect, ensure_schema, schema_version, transaction
from leportal_core.therapy._checks import problem
from leportal_core.therapy.form import (
    practice_from_dict,
    practice_to_dict,
    therapist_from_dict,
    therapist_to_dict,
)
from leportal_core.therapy.model import Practice, Therapist, TherapyReport

__all__ = [
    "COMPONENT",
    "DEFAULT_RETENTION_DAYS",
    "Claim",
    "HistoryEntry",
    "MasterDataStore",
    "Outcome",
    "SendInProgress",
    "SendingHistory",
    "TherapyStoreError",
    "one_month_before",
    "open_store",
    "store_error",
]

COMPONENT = "therapy"
_SELECT = (
    "SELECT message_id, report_id, recipient, channel, outcome, detail, attempts, created_at, updated_at "
    "FROM therapy_sends "
)
BERLIN = ZoneInfo("Europe/Berlin")
# The portal shows one month; keeping a year lets a practice answer "was it sent?" later.
DEFAULT_RETENTION_DAYS = 365

_MIGRATIONS = (
    """
    CREATE TABLE therapy_master (
        kind TEXT PRIMARY KEY CHECK (kind IN ('practice', 'therapist')),
        data TEXT NOT NULL
    );
    CREATE TABLE therapy_sends (
        message_id TEXT PRIMARY KEY,
        report_id TEXT NOT NULL UNIQUE,
        recipient TEXT NOT NULL,
        channel TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX therapy_sends_updated ON therapy_sends (updated_at);
    """,
    # 2: the sending claim (who sends now, until when); an old "ausstehend" row is an attempt of
    # unknown outcome.
    """
    ALTER TABLE therapy_sends ADD COLUMN claim_token TEXT;
    ALTER TABLE therapy_sends ADD COLUMN claim_host TEXT;
    ALTER TABLE therapy_sends ADD COLUMN claim_pid INTEGER;
    ALTER TABLE therapy_sends ADD COLUMN claim_until TEXT;
    UPDATE therapy_sends SET outcome = 'unbekannt' WHERE outcome = 'ausstehend';
    """,
)


def _now_utc(clock: Callable[[], dt.datetime]) -> dt.datetime:
    moment = clock()
    if moment.tzinfo is None:
        raise ConfigurationError("the clock must return timezone-aware instants")
    return moment.astimezone(dt.UTC)


class MasterDataStore:
    """Praxis and therapist master data: saved once, pre-filled into each new report."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        _prepare(connection)

    def save(self, practice: Practice, therapist: Therapist) -> None:
        """Replace the stored master data (one transaction: both or neither)."""
        rows = [
            ("practice", json.dumps(practice_to_dict(practice), ensure_ascii=False)),
            ("therapist", json.dumps(therapist_to_dict(therapist), ensure_ascii=False)),
        ]
        with _sqlite_errors("save master data in"), transaction(self._db):
            self._db.executemany(
                "INSERT INTO therapy_master (kind, data) VALUES (?, ?) "
                "ON CONFLICT(kind) DO UPDATE SET data = excluded.data",
                rows,
            )

    def load(self) -> tuple[Practice, Therapist]:
        """The stored master data; ``therapy.masterdata.missing`` when none was saved."""
        with _sqlite_errors("read master data from"):
            rows = dict(self._db.execute("SELECT kind, data FROM therapy_master").fetchall())
        if set(rows) != {"practice", "therapist"}:
            raise ValidationError(
                "no master data saved",
                [
                    problem(
                        code="therapy.masterdata.missing",
                        message="save the practice master data first",
                        pointer="/",
                    )
                ],
            )
        return practice_from_dict(json.loads(rows["practice"])), therapist_from_dict(
            json.loads(rows["therapist"])
        )

    def new_report(self, **fields: Any) -> TherapyReport:
        """A report with the saved ``practice`` and ``therapist`` filled in; ``fields`` give the
        rest (and may override either)."""
        practice, therapist = self.load()
        return TherapyReport(**{"practice": practice, "therapist": therapist, **fields})


class Outcome(enum.Enum):
    """State of one delivery in the Versandhistorie."""

    SENDING = "wird gesendet"  # one process holds the claim and is talking to the server now
    UNKNOWN = "unbekannt"  # the server may have the message: settle before any retry
    SENT = "versendet"
    FAILED = "fehlgeschlagen"  # the server did not take it: safe to retry
    FLYER = "Flyer erstellt"  # doctor without KIM: a printable flyer was made instead


@attrs.frozen(kw_only=True)
class HistoryEntry:
    """One row of the Versandhistorie (times in UTC)."""

    message_id: str
    report_id: str
    recipient: str
    channel: str
    outcome: Outcome
    detail: str
    attempts: int
    created_at: dt.datetime
    updated_at: dt.datetime

    def as_dict(self) -> dict[str, object]:
        """JSON-ready view (the ``leportal therapy history --json`` shape)."""
        return {
            "message_id": self.message_id,
            "report_id": self.report_id,
            "recipient": self.recipient,
            "channel": self.channel,
            "outcome": self.outcome.value,
            "detail": self.detail,
            "attempts": self.attempts,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@attrs.frozen(kw_only=True)
class Claim:
    """The answer to :meth:`SendingHistory.claim`: ``token`` is set when *this* process may send
    now; otherwise ``entry.outcome`` says why not (already sent, flyer, or unknown)."""

    entry: HistoryEntry
    token: str | None = None


class SendInProgress(LeportalError):
    """Another process holds the sending claim of this report right now."""

    default_code = "therapy.send.in_progress"


class TherapyStoreError(LeportalError):
    """The store holding the Versandhistorie cannot be used (damaged, locked, read-only, full)."""

    default_code = "therapy.store.failed"


def one_month_before(moment: dt.datetime) -> dt.datetime:
    """The same Berlin wall-clock time one calendar month earlier (31 Mar → 28/29 Feb), in UTC;
    12:00 CEST becomes 12:00 CET, one hour later in UTC.

    >>> one_month_before(dt.datetime(2026, 3, 31, 10, 0, tzinfo=dt.UTC)).isoformat()
    '2026-02-28T11:00:00+00:00'
    """
    local = moment.astimezone(BERLIN)
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    next_first = dt.date(year + (month == 12), month % 12 + 1, 1)
    day = min(local.day, (next_first - dt.timedelta(days=1)).day)
    earlier = local.replace(year=year, month=month, day=day, tzinfo=None)
    return earlier.replace(tzinfo=BERLIN).astimezone(dt.UTC)


def open_store(
    path: str | Path, *, create: bool = False, busy_timeout: float = 10.0
) -> sqlite3.Connection:
    """Open the therapy store at ``path``. Creating it is explicit (``create=True``, the CLI's
    ``therapy init``): a missing or zero-byte file, or a store without the therapy component, is
    ``therapy.store.missing`` — a mistyped path must not look like an empty history."""
    if not create and _missing_or_empty(Path(path)):
        raise _missing(path)
    try:
        # Whether a new file may be made was decided above, in the therapy store's own terms.
        connection = connect(path, create=True, busy_timeout_ms=int(busy_timeout * 1000))
        if not create and schema_version(connection, COMPONENT) == 0:
            connection.close()
            raise _missing(path)
    except (ConfigurationError, StorageError) as exc:
        if isinstance(exc.__cause__, sqlite3.Error):
            raise store_error(exc.__cause__, "open") from exc
        raise
    except sqlite3.Error as exc:
        raise store_error(exc, "open") from exc
    return connection


def _missing_or_empty(path: Path) -> bool:
    # The core's connect(path, create=...) takes this check over once it has one.
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True


def _missing(path: str | Path) -> ConfigurationError:
    return ConfigurationError(
        f"{path} holds no therapy store (missing, empty or never initialised)",
        [
            problem(
                code="therapy.store.missing",
                message="no therapy store there: check the path, restore a backup, or create it "
                "with `leportal therapy init`",
                pointer="/store",
            )
        ],
    )


def store_error(exc: sqlite3.Error, doing: str) -> TherapyStoreError:
    """Map a SQLite failure to a problem a person can act on."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        code, hint = _kind(
            code="therapy.store.locked", hint="another program holds the store; retry later"
        )
    elif "readonly" in text or "read-only" in text:
        code, hint = _kind(
            code="therapy.store.readonly", hint="the store is read-only; fix its permissions"
        )
    elif "full" in text:
        code, hint = _kind(code="therapy.store.full", hint="the disk is full; free space and retry")
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        code, hint = _kind(
            code="therapy.store.damaged", hint="the store is damaged; restore it from a backup"
        )
    else:
        code, hint = _kind(code="therapy.store.failed", hint="the store cannot be used")
    return TherapyStoreError(
        f"cannot {doing} the therapy store: {exc}",
        [problem(code=code, message=f"{hint} (SQLite: {exc})", pointer="/store")],
    )


def _kind(*, code: str, hint: str) -> tuple[str, str]:
    # the keyword form lets the registry test (tests/test_problem_registry.py) find codes
    return code, hint


@contextmanager
def _sqlite_errors(doing: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise store_error(exc, doing) from exc
    except StorageError as exc:  # the core's transaction helper has mapped it already
        if isinstance(exc.__cause__, sqlite3.Error):
            raise store_error(exc.__cause__, doing) from exc
        raise


def _prepare(connection: sqlite3.Connection) -> None:
    with _sqlite_errors("prepare"):
        # Only write when there is something to migrate: reading a locked or read-only store works.
        if schema_version(connection, COMPONENT) != len(_MIGRATIONS):
            ensure_schema(connection, COMPONENT, _MIGRATIONS)


# Claim tokens this process holds right now: a row claimed by our own pid with a token not in here
# belongs to an attempt of ours that ended without recording its outcome.
_ACTIVE_CLAIMS: set[str] = set()


class SendingHistory:
    """The Versandhistorie: who got which report when, with which Message-ID and outcome.

    It also serialises sending: :meth:`claim` marks a report ``wird gesendet`` in its own committed
    transaction before any byte goes to the server, and only the holder of that claim may send.
    """

    def __init__(
        self, connection: sqlite3.Connection, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self._db = connection
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        _prepare(connection)

    def claim(
        self,
        *,
        report_id: str,
        recipient: str,
        message_id: str,
        channel: str = "kim",
        lease_seconds: float = 600.0,
    ) -> Claim:
        """Take the right to send ``report_id`` now (and count the attempt), or say why not.

        New, or ``fehlgeschlagen`` before → claimed (``token`` set, outcome ``wird gesendet``).
        ``versendet``/``Flyer erstellt``/``unbekannt`` → returned unclaimed. Held by a live
        process → :class:`SendInProgress`. Held by a process that ended (same host, pid gone or our
        own finished attempt) or whose lease ran out → turned into ``unbekannt`` and returned.
        """
        now = _now_utc(self._clock)
        token = secrets.token_hex(16)
        with _sqlite_errors("record the attempt in"), transaction(self._db):
            entry = self._get(report_id)
            if entry is None:
                self._db.execute(
                    "INSERT INTO therapy_sends (message_id, report_id, recipient, channel, "
                    "outcome, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                    (message_id, report_id, recipient, channel, Outcome.SENDING.value,
                     now.isoformat(), now.isoformat()),
                )  # fmt: skip
            elif entry.outcome is Outcome.SENDING:
                holder = self._db.execute(
                    "SELECT claim_host, claim_pid, claim_token, claim_until FROM therapy_sends "
                    "WHERE report_id = ?",
                    (report_id,),
                ).fetchone()
                if _claim_alive(holder, now):
                    raise SendInProgress(
                        f"{report_id} is already being sent by another process",
                        [
                            problem(
                                code="therapy.send.in_progress",
                                message="already being sent by another process (pid "
                                f"{holder[1]} on {holder[0]}); nothing was sent by this one",
                                pointer="/report_id",
                            )
                        ],
                    )
                self._set(report_id, Outcome.UNKNOWN, _ABANDONED, now)
                return Claim(entry=self._required(report_id))
            elif entry.outcome is not Outcome.FAILED:
                return Claim(entry=entry)
            self._db.execute(
                "UPDATE therapy_sends SET outcome = ?, attempts = attempts + 1, updated_at = ?, "
                "claim_token = ?, claim_host = ?, claim_pid = ?, claim_until = ? "
                "WHERE report_id = ?",
                (Outcome.SENDING.value, now.isoformat(), token, socket.gethostname(), os.getpid(),
                 (now + dt.timedelta(seconds=lease_seconds)).isoformat(), report_id),
            )  # fmt: skip
            _ACTIVE_CLAIMS.add(token)
            return Claim(entry=self._required(report_id), token=token)

    def finish(self, claim: Claim, outcome: Outcome, detail: str = "") -> HistoryEntry:
        """Record the outcome of the attempt holding ``claim`` and release the claim."""
        if claim.token is None or outcome is Outcome.SENDING:
            raise ValueError("finish() needs a held claim and a final outcome")
        now = _now_utc(self._clock).isoformat()
        try:
            with _sqlite_errors("record the outcome in"), transaction(self._db):
                cursor = self._db.execute(
                    "UPDATE therapy_sends SET outcome = ?, detail = ?, updated_at = ?, "
                    "claim_token = NULL, claim_host = NULL, claim_pid = NULL, claim_until = NULL "
                    "WHERE report_id = ? AND claim_token = ?",
                    (outcome.value, detail[:1000], now, claim.entry.report_id, claim.token),
                )
                if cursor.rowcount != 1:
                    raise ValidationError(
                        f"the claim on {claim.entry.report_id} was taken over",
                        [
                            problem(
                                code="therapy.send.claim_lost",
                                message="the attempt outlived its lease and was declared unknown; "
                                f"this attempt ended as {outcome.value!r}: settle it accordingly",
                                pointer="/report_id",
                            )
                        ],
                    )
                return self._required(claim.entry.report_id)
        finally:
            _ACTIVE_CLAIMS.discard(claim.token)

    def abandon(self, claim: Claim) -> None:
        """Forget ``claim`` in this process without recording an outcome (the attempt died): the
        next :meth:`claim` turns the row into ``unbekannt``."""
        if claim.token is not None:
            _ACTIVE_CLAIMS.discard(claim.token)

    def record_flyer(
        self, *, report_id: str, recipient: str, message_id: str, detail: str
    ) -> HistoryEntry:
        """Record that a flyer was made instead of a KIM message (never over a delivery)."""
        now = _now_utc(self._clock).isoformat()
        with _sqlite_errors("record the flyer in"), transaction(self._db):
            self._db.execute(
                "INSERT INTO therapy_sends (message_id, report_id, recipient, channel, outcome, "
                "detail, attempts, created_at, updated_at) VALUES (?, ?, ?, 'flyer', ?, ?, 1, ?, ?) "
                "ON CONFLICT(report_id) DO UPDATE SET attempts = attempts + 1",
                (message_id, report_id, recipient, Outcome.FLYER.value, detail, now, now),
            )
            entry = self._required(report_id)
            if entry.outcome is Outcome.FAILED:
                self._set(report_id, Outcome.FLYER, detail, _now_utc(self._clock))
                entry = self._required(report_id)
        return entry

    def settle(self, report_id: str, *, delivered: bool, reason: str) -> HistoryEntry:
        """A person's (or a delivery probe's) decision on an attempt whose outcome is unknown:
        ``delivered`` → ``versendet``; not → ``fehlgeschlagen`` (a retry sends it again)."""
        if not reason.strip():
            raise ValidationError(
                "settling needs a reason",
                [problem(code="therapy.settle.reason", message="give a reason", pointer="/reason")],
            )
        now = _now_utc(self._clock)
        with _sqlite_errors("settle in"), transaction(self._db):
            entry = self._get(report_id)
            if entry is not None and entry.outcome is Outcome.SENDING:
                holder = self._db.execute(
                    "SELECT claim_host, claim_pid, claim_token, claim_until FROM therapy_sends "
                    "WHERE report_id = ?",
                    (report_id,),
                ).fetchone()
                if not _claim_alive(holder, now):
                    entry = attrs.evolve(entry, outcome=Outcome.UNKNOWN)
            if entry is None or entry.outcome is not Outcome.UNKNOWN:
                state = "no entry" if entry is None else f"outcome {entry.outcome.value!r}"
                raise ValidationError(
                    f"{report_id}: nothing to settle ({state})",
                    [
                        problem(
                            code="therapy.settle.not_unknown",
                            message=f"only an unknown outcome can be settled; {state}",
                            pointer="/report_id",
                        )
                    ],
                )
            outcome = Outcome.SENT if delivered else Outcome.FAILED
            self._set(report_id, outcome, f"settled: {reason.strip()}", now)
            return self._required(report_id)

    def _set(self, report_id: str, outcome: Outcome, detail: str, now: dt.datetime) -> None:
        self._db.execute(
            "UPDATE therapy_sends SET outcome = ?, detail = ?, updated_at = ?, claim_token = NULL, "
            "claim_host = NULL, claim_pid = NULL, claim_until = NULL WHERE report_id = ?",
            (outcome.value, detail[:1000], now.isoformat(), report_id),
        )

    def get(self, report_id: str) -> HistoryEntry | None:
        """The row of ``report_id``, if it was ever sent or attempted."""
        with _sqlite_errors("read"):
            return self._get(report_id)

    def _get(self, report_id: str) -> HistoryEntry | None:
        row = self._db.execute(_SELECT + "WHERE report_id = ?", (report_id,)).fetchone()
        return _entry(row) if row else None

    def _required(self, report_id: str) -> HistoryEntry:
        entry = self._get(report_id)
        assert entry is not None  # read inside the transaction that wrote it
        return entry

    def recent(self) -> list[HistoryEntry]:
        """What the portal shows: entries updated within the last calendar month, newest first."""
        since = one_month_before(_now_utc(self._clock)).isoformat()
        with _sqlite_errors("read"):
            rows = self._db.execute(
                _SELECT + "WHERE updated_at >= ? ORDER BY updated_at DESC, message_id",
                (since,),
            ).fetchall()
        return [_entry(row) for row in rows]

    def purge(self, retention_days: int = DEFAULT_RETENTION_DAYS) -> int:
        """Delete entries last updated more than ``retention_days`` ago; returns how many.

        Entries being sent or of unknown outcome are kept whatever their age: they need settling.
        """
        if retention_days < 31:
            raise ConfigurationError(
                "retention must cover at least the one-month listing (31 days)"
            )
        cutoff = (_now_utc(self._clock) - dt.timedelta(days=retention_days)).isoformat()
        with _sqlite_errors("purge"), transaction(self._db):
            cursor = self._db.execute(
                "DELETE FROM therapy_sends WHERE updated_at < ? AND outcome NOT IN (?, ?)",
                (cutoff, Outcome.SENDING.value, Outcome.UNKNOWN.value),
            )
        return cursor.rowcount


_ABANDONED = (
    "the attempt ended without recording its outcome (process killed, crashed, or the store "
    "could not be written): the server may have the message"
)


def _claim_alive(holder: tuple[Any, ...] | None, now: dt.datetime) -> bool:
    """Is the process holding this claim still at work? Unsure means yes (never send twice)."""
    if holder is None or holder[2] is None:
        return False
    host, pid, token, until = holder
    if until is not None and dt.datetime.fromisoformat(until) < now:
        return False
    if host != socket.gethostname():
        return True  # another machine: only the lease can tell
    if pid == os.getpid():
        return token in _ACTIVE_CLAIMS
    return _pid_alive(int(pid))


def _pid_alive(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # no cheap check: the lease decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    return HistoryEntry(
        message_id=row[0],
        report_id=row[1],
        recipient=row[2],
        channel=row[3],
        outcome=Outcome(row[4]),
        detail=row[5],
        attempts=row[6],
        created_at=dt.datetime.fromisoformat(row[7]),
        updated_at=dt.datetime.fromisoformat(row[8]),
    )
