"""Persistence of the therapy component in the embedded store (component name ``therapy``):
master data saved once and pre-filled into every new report, and the Versandhistorie.

Master data are kept as the JSON form (``leportal_core.therapy.form``), so a newer field list
needs no table change. The sending history has one row per report (``report_id`` is unique):
that is what makes a retry idempotent — the intent is recorded *before* the send with a stable
Message-ID, and a retry finds the row instead of creating a second delivery.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sqlite3
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from leportal_core.errors import ConfigurationError, ValidationError
from leportal_core.store import ensure_schema, transaction
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
    "HistoryEntry",
    "MasterDataStore",
    "Outcome",
    "SendingHistory",
    "one_month_before",
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
        ensure_schema(connection, COMPONENT, _MIGRATIONS)

    def save(self, practice: Practice, therapist: Therapist) -> None:
        """Replace the stored master data (one transaction: both or neither)."""
        rows = [
            ("practice", json.dumps(practice_to_dict(practice), ensure_ascii=False)),
            ("therapist", json.dumps(therapist_to_dict(therapist), ensure_ascii=False)),
        ]
        with transaction(self._db):
            self._db.executemany(
                "INSERT INTO therapy_master (kind, data) VALUES (?, ?) "
                "ON CONFLICT(kind) DO UPDATE SET data = excluded.data",
                rows,
            )

    def load(self) -> tuple[Practice, Therapist]:
        """The stored master data; ``therapy.masterdata.missing`` when none was saved."""
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

    PENDING = "ausstehend"  # intent recorded, send not confirmed: reconcile before retrying
    SENT = "versendet"
    FAILED = "fehlgeschlagen"  # the server did not accept it: safe to retry
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


class SendingHistory:
    """The Versandhistorie: who got which report when, with which Message-ID and outcome."""

    def __init__(
        self, connection: sqlite3.Connection, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self._db = connection
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        ensure_schema(connection, COMPONENT, _MIGRATIONS)

    def record_intent(
        self, *, report_id: str, recipient: str, message_id: str, channel: str = "kim"
    ) -> HistoryEntry:
        """Record that ``report_id`` is about to be sent, *before* sending, and count the attempt.

        When the report already has a row, that row is returned unchanged except for the attempt
        counter: the caller decides from its outcome (never a second row, never a new Message-ID).
        """
        now = _now_utc(self._clock).isoformat()
        with transaction(self._db):
            self._db.execute(
                "INSERT INTO therapy_sends (message_id, report_id, recipient, channel, outcome, "
                "attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) "
                "ON CONFLICT(report_id) DO UPDATE SET attempts = attempts + 1",
                (message_id, report_id, recipient, channel, Outcome.PENDING.value, now, now),
            )
            entry = self._get(report_id)
        assert entry is not None
        return entry

    def mark(self, message_id: str, outcome: Outcome, detail: str = "") -> HistoryEntry:
        """Set the outcome of a recorded send."""
        now = _now_utc(self._clock).isoformat()
        with transaction(self._db):
            cursor = self._db.execute(
                "UPDATE therapy_sends SET outcome = ?, detail = ?, updated_at = ? "
                "WHERE message_id = ?",
                (outcome.value, detail[:1000], now, message_id),
            )
            if cursor.rowcount != 1:
                raise ValidationError(
                    f"no send with Message-ID {message_id!r}",
                    [
                        problem(
                            code="therapy.history.unknown",
                            message="no such Message-ID",
                            pointer="/message_id",
                        )
                    ],
                )
            row = self._db.execute(_SELECT + "WHERE message_id = ?", (message_id,)).fetchone()
        return _entry(row)

    def get(self, report_id: str) -> HistoryEntry | None:
        """The row of ``report_id``, if it was ever sent or attempted."""
        return self._get(report_id)

    def _get(self, report_id: str) -> HistoryEntry | None:
        row = self._db.execute(_SELECT + "WHERE report_id = ?", (report_id,)).fetchone()
        return _entry(row) if row else None

    def recent(self) -> list[HistoryEntry]:
        """What the portal shows: entries updated within the last calendar month, newest first."""
        since = one_month_before(_now_utc(self._clock)).isoformat()
        rows = self._db.execute(
            _SELECT + "WHERE updated_at >= ? ORDER BY updated_at DESC, message_id",
            (since,),
        ).fetchall()
        return [_entry(row) for row in rows]

    def purge(self, retention_days: int = DEFAULT_RETENTION_DAYS) -> int:
        """Delete entries last updated more than ``retention_days`` ago; returns how many.

        Pending entries are kept whatever their age: they still need reconciling.
        """
        if retention_days < 31:
            raise ConfigurationError(
                "retention must cover at least the one-month listing (31 days)"
            )
        cutoff = (_now_utc(self._clock) - dt.timedelta(days=retention_days)).isoformat()
        with transaction(self._db):
            cursor = self._db.execute(
                "DELETE FROM therapy_sends WHERE updated_at < ? AND outcome != ?",
                (cutoff, Outcome.PENDING.value),
            )
        return cursor.rowcount


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
