"""Document versions across import runs, kept in the embedded SQLite store.

An archive sends a document (MDM^T02), later a new version (T10, TXA-13 naming the old one) or a
cancel (T11). What may go to the MD is the *current* version only, and that must survive a restart
and the next import run, so the states live in the core's store (:mod:`leportal_core.store`,
component ``kis_archive``), every change in one ``BEGIN IMMEDIATE`` transaction. Recording the same
message twice changes nothing (idempotent retries); a T10 or T11 that arrives before the document
it names still leaves that document superseded or cancelled when it comes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from leportal_core.store import ensure_schema, storage_error, transaction
from leportal_kis_archive.model import ArchiveMessage, MdmEvent

__all__ = ["COMPONENT", "DocumentVersions"]

COMPONENT = "kis_archive"
_MIGRATIONS = (
    """
    CREATE TABLE kis_archive_document (
        unique_id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('current', 'superseded', 'cancelled')),
        parent_id TEXT,
        sha256 TEXT,
        patient_id TEXT,
        case_id TEXT,
        updated TEXT NOT NULL
    );
    """,
)


class DocumentVersions:
    """The version state (``current``, ``superseded``, ``cancelled``) of every document number."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        try:
            ensure_schema(connection, COMPONENT, _MIGRATIONS)
        except sqlite3.Error as exc:
            raise storage_error(exc, connection) from exc

    def record(self, message: ArchiveMessage, *, at: dt.datetime) -> str:
        """Apply ``message`` and return the new state of the document it names."""
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        stamp = at.isoformat()
        document = message.document
        facts = (
            document.sha256 if document else None,
            document.patient_id if document else None,
            document.case_id if document else None,
        )
        try:
            with transaction(self.connection) as db:
                if message.event is MdmEvent.T11:
                    target = message.unique_id or message.parent_id or ""
                    self._set(db, target, "cancelled", None, (None, None, None), stamp)
                    return "cancelled"
                if message.event is MdmEvent.T10 and message.parent_id:
                    # A cancelled parent stays cancelled; anything else is now superseded.
                    db.execute(
                        "INSERT INTO kis_archive_document (unique_id, state, updated) "
                        "VALUES (?, 'superseded', ?) ON CONFLICT(unique_id) DO UPDATE SET "
                        "state = CASE WHEN state = 'cancelled' THEN state ELSE 'superseded' END, "
                        "updated = excluded.updated",
                        (message.parent_id, stamp),
                    )
                db.execute(
                    "INSERT INTO kis_archive_document "
                    "(unique_id, state, parent_id, sha256, patient_id, case_id, updated) "
                    "VALUES (?, 'current', ?, ?, ?, ?, ?) ON CONFLICT(unique_id) DO UPDATE SET "
                    "parent_id = excluded.parent_id, sha256 = excluded.sha256, "
                    "patient_id = excluded.patient_id, case_id = excluded.case_id",
                    (message.unique_id, message.parent_id, *facts, stamp),
                )
                return self._state(db, message.unique_id) or "current"
        except sqlite3.Error as exc:
            raise storage_error(exc, self.connection) from exc

    def state(self, unique_id: str) -> str | None:
        """The state of ``unique_id``, or ``None`` when the store has never seen it."""
        try:
            return self._state(self.connection, unique_id)
        except sqlite3.Error as exc:
            raise storage_error(exc, self.connection) from exc

    @staticmethod
    def _state(db: sqlite3.Connection, unique_id: str) -> str | None:
        row = db.execute(
            "SELECT state FROM kis_archive_document WHERE unique_id = ?", (unique_id,)
        ).fetchone()
        return str(row[0]) if row else None

    @staticmethod
    def _set(
        db: sqlite3.Connection,
        unique_id: str,
        state: str,
        parent_id: str | None,
        facts: tuple[str | None, str | None, str | None],
        stamp: str,
    ) -> None:
        db.execute(
            "INSERT INTO kis_archive_document "
            "(unique_id, state, parent_id, sha256, patient_id, case_id, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(unique_id) DO UPDATE SET "
            "state = excluded.state, updated = excluded.updated",
            (unique_id, state, parent_id, *facts, stamp),
        )
