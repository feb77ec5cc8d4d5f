# A frozen copy of this module at commit 5d11ea0 (raw sqlite3, before issue 18), kept only so
# bench/bench_store.py can compare the new store layer with the code it replaced. Not maintained.
"""The case store: audit-case events and their projections in the embedded SQLite file.

Events are the truth: ``case_events`` holds every step (who, when, what) and a case's state is
replayed from them inside the same ``BEGIN IMMEDIATE`` transaction that appends the next one, so
two processes can never record conflicting steps. Three projections are rewritten in that
transaction and make the KIS's questions index lookups:

- ``case_cases``: one row per case with its current state;
- ``case_deadlines``: the deadlines running now, indexed by due date ("due in the next N days",
  "overdue");
- ``case_identifiers``: every identifier of a case (Aufnahmenummer, MD reference, invoice number,
  Kasse's case number, KVNR), indexed by value.

An append returns only after ``COMMIT`` (WAL, ``synchronous=FULL``): what was acknowledged survives
a killed process. Only then is the host hook ``leportal_case_event`` called.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sqlite3
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import pluggy

from leportal_core.cases import model
from leportal_core.cases._checks import CaseValidationError
from leportal_core.cases.aggregates import Begehungsliste, Strukturpruefung
from leportal_core.cases.events import CaseEvent, EventKind, step_from_json, step_to_json
from leportal_core.cases.state import CaseView, apply, open_deadlines, replay
from leportal_core.deadlines.rules import RULES, PruefvV, Rule
from leportal_core.errors import ConfigurationError, LeportalError, Location, Problem, StorageError
from leportal_core.store import connect, ensure_schema, guarded, transaction

__all__ = [
    "BERLIN",
    "COMPONENT",
    "MIGRATIONS",
    "CaseHookError",
    "CaseNotFound",
    "CaseStore",
    "CaseStoreError",
    "DueEntry",
    "Recorded",
]

COMPONENT = "cases"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE case_cases (
        case_id TEXT PRIMARY KEY,
        case_number TEXT NOT NULL,
        hospital_ik TEXT NOT NULL,
        state TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX case_cases_number ON case_cases (hospital_ik, case_number);
    CREATE TABLE case_events (
        case_id TEXT NOT NULL REFERENCES case_cases (case_id),
        sequence INTEGER NOT NULL,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (case_id, sequence)
    ) WITHOUT ROWID;
    CREATE TABLE case_identifiers (
        value TEXT NOT NULL,
        kind TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES case_cases (case_id),
        PRIMARY KEY (value, kind, case_id)
    ) WITHOUT ROWID;
    CREATE TABLE case_deadlines (
        due TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES case_cases (case_id),
        rule TEXT NOT NULL,
        case_number TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (due, case_id, rule)
    ) WITHOUT ROWID;
    CREATE INDEX case_deadlines_case ON case_deadlines (case_id);
    CREATE TABLE case_begehungslisten (
        id TEXT PRIMARY KEY,
        hospital_ik TEXT NOT NULL,
        audit_date TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE INDEX case_begehungslisten_date ON case_begehungslisten (audit_date);
    CREATE TABLE case_strukturpruefungen (
        id TEXT PRIMARY KEY,
        standortnummer TEXT NOT NULL,
        next_due TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE INDEX case_strukturpruefungen_due ON case_strukturpruefungen (next_due);
    """,
    # 2 (issue 15): one deadline per rule *and subject* (each Unterlagenanforderung has its own),
    # with what is still missing; ``projection`` marks cases whose deadlines must be recomputed
    # from their events (done by CaseStore on opening, see ``PROJECTION``).
    """
    ALTER TABLE case_cases ADD COLUMN projection INTEGER NOT NULL DEFAULT 1;
    DROP TABLE case_deadlines;
    CREATE TABLE case_deadlines (
        due TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES case_cases (case_id),
        rule TEXT NOT NULL,
        subject TEXT NOT NULL,
        case_number TEXT NOT NULL,
        state TEXT NOT NULL,
        missing TEXT NOT NULL,
        PRIMARY KEY (due, case_id, rule, subject)
    ) WITHOUT ROWID;
    CREATE INDEX case_deadlines_case ON case_deadlines (case_id);
    CREATE INDEX case_cases_projection ON case_cases (projection);
    CREATE TABLE case_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
)
"""The ``cases`` component's migrations (append-only)."""

PROJECTION = 2
"""Version of the deadline rules the projection was computed with. A case whose row carries a
lower number is re-projected from its events when a store is opened — a store written by an
older leportal (or before a rule changed) gets its worklist recomputed, its events untouched."""


_SELECT_EVENTS = (
    "SELECT case_id, sequence, event_id, kind, actor, recorded_at, payload FROM case_events "
)
# The deadline table is clustered by due date (WITHOUT ROWID, key starting with ``due``) and
# carries the case number and state, so "due in N days" is one sequential range scan, no join.
_SELECT_DUE = "SELECT case_id, case_number, state, rule, due, subject, missing FROM case_deadlines "
_WHERE_BETWEEN = "WHERE due BETWEEN ? AND ? "
_WHERE_BEFORE = "WHERE due < ? "
_ORDER = "ORDER BY due, case_id, rule, subject LIMIT ? OFFSET ?"
_COUNT = "SELECT count(*) FROM case_deadlines "
_REPROJECT_BATCH = 500


CaseStoreError = StorageError
"""The case store could not be used: every store's :class:`StorageError` (``store.*`` codes)."""


class CaseNotFound(CaseValidationError):
    """No case has the given id or identifier."""

    default_code = "cases.case.unknown"


class CaseHookError(LeportalError):
    """The event was committed, but a ``leportal_case_event`` implementation raised."""

    default_code = "cases.hook.failed"

    def __init__(self, message: str, event: CaseEvent) -> None:
        super().__init__(message)
        self.event = event


@attrs.frozen(kw_only=True)
class DueEntry:
    """One running deadline of one case, as the due/overdue queries return it."""

    case_id: str
    case_number: str
    state: str
    rule: str
    due: datetime.date
    subject: str = ""
    missing: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Recorded:
    """What to append: ``step`` on case ``case_id`` (``None`` opens a new case) by ``actor``."""

    step: model.Step
    actor: str
    case_id: str | None = None
    event_id: str | None = None
    expected_sequence: int | None = None


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _problem(*, code: str, message: str, field: str) -> Problem:
    return Problem(code=code, message=message, location=Location(field=field))


def _refused(
    error: type[CaseValidationError], *, code: str, message: str, field: str
) -> CaseValidationError:
    """``error`` with one problem; the message doubles as the error's summary."""
    return error(message, [_problem(code=code, message=message, field=field)])


class CaseStore:
    """Audit cases in one SQLite file; see the module docstring.

    ``pm`` is the plug-in manager whose ``leportal_case_event`` hook hears every committed event;
    ``clock`` returns the current timezone-aware instant (injected in tests). The file must hold a
    store already; ``create=True`` makes a new one (:func:`leportal_core.store.connect`). ``rules``
    is a rule book from :func:`leportal_core.deadlines.rules.configure` for a hospital whose reading
    of a non-public period differs (changing it re-projects every case on the next opening).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        pm: pluggy.PluginManager | None = None,
        clock: Callable[[], datetime.datetime] = _utc_now,
        create: bool = False,
        rules: Mapping[tuple[str, PruefvV], Rule] | None = None,
    ) -> None:
        self._connection = connect(path, create=create)
        self._pm = pm
        self._clock = clock
        self._rules = rules
        try:
            with self._errors("prepare"):
                ensure_schema(self._connection, COMPONENT, MIGRATIONS)
                self._check_rules()
                self._reproject_stale()
        except BaseException:
            self._connection.close()
            raise

    def close(self) -> None:
        """Close the file; the store cannot be used afterwards."""
        self._connection.close()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        with guarded(self._connection, doing=doing):
            yield

    def today(self) -> datetime.date:
        """The civil date in Europe/Berlin by the injected clock (deadlines are civil dates)."""
        return self._clock().astimezone(BERLIN).date()

    # --- writing -------------------------------------------------------------------------

    def open_case(
        self,
        opened: model.CaseOpened,
        *,
        actor: str,
        case_id: str | None = None,
        event_id: str | None = None,
    ) -> CaseEvent:
        """Create a case from its first step; returns the committed event (its ``case_id``)."""
        return self.record_many(
            [Recorded(step=opened, actor=actor, case_id=case_id, event_id=event_id)]
        )[0]

    def record(
        self,
        case_id: str,
        step: model.Step,
        *,
        actor: str,
        event_id: str | None = None,
        expected_sequence: int | None = None,
    ) -> CaseEvent:
        """Append ``step`` to the case; refused with ``IllegalStep`` when the state forbids it.

        A retry with the same ``event_id`` returns the stored event instead of appending twice.
        ``expected_sequence`` (the sequence the caller last saw) refuses a step when another
        user recorded something in between.
        """
        item = Recorded(
            step=step,
            actor=actor,
            case_id=case_id,
            event_id=event_id,
            expected_sequence=expected_sequence,
        )
        return self.record_many([item])[0]

    def record_many(self, items: Sequence[Recorded]) -> list[CaseEvent]:
        """Append several steps in ONE transaction (all or none), e.g. for an import.

        The hook is called for each new event after the commit.
        """
        fresh: list[CaseEvent] = []
        result: list[CaseEvent] = []
        now = self._clock()
        if now.utcoffset() is None:
            raise ConfigurationError("the clock must return timezone-aware instants")
        with self._errors("write"), transaction(self._connection) as connection:
            views: dict[str, CaseView] = {}
            for item in items:
                event, is_new = self._append(connection, item, now, views)
                result.append(event)
                if is_new:
                    fresh.append(event)
        for event in fresh:
            self._notify(event)
        return result

    def _append(
        self,
        connection: sqlite3.Connection,
        item: Recorded,
        now: datetime.datetime,
        views: dict[str, CaseView],
    ) -> tuple[CaseEvent, bool]:
        if item.event_id is not None:
            existing = self._event_by_id(connection, item.event_id)
            if existing is not None:
                if existing.step != item.step or (
                    item.case_id is not None and existing.case_id != item.case_id
                ):
                    raise _refused(
                        CaseValidationError,
                        code="cases.event.conflict",
                        message=f"event {item.event_id!r} was already recorded with other content",
                        field="event_id",
                    )
                return existing, False
        opening = isinstance(item.step, model.CaseOpened)
        case_id = item.case_id or (str(uuid.uuid4()) if opening else None)
        if case_id is None:
            raise _refused(
                CaseValidationError,
                code="cases.case.missing",
                message="name the case this step belongs to",
                field="case_id",
            )
        view = views.get(case_id)
        if view is None:
            view = replay(self._load_events(connection, case_id), rules=self._rules)
        if not opening and view.opened is None:
            raise _refused(
                CaseNotFound,
                code="cases.case.unknown",
                message=f"no case {case_id!r} in this store",
                field="case_id",
            )
        if item.expected_sequence is not None and item.expected_sequence != view.sequence:
            raise _refused(
                CaseValidationError,
                code="cases.sequence.conflict",
                message=f"expected event #{item.expected_sequence} to be the last, but it is #{view.sequence}",
                field="expected_sequence",
            )
        event = CaseEvent(
            event_id=item.event_id or str(uuid.uuid4()),
            case_id=case_id,
            sequence=view.sequence + 1,
            step=item.step,
            actor=item.actor,
            recorded_at=now,
        )
        view = apply(view, event)  # raises IllegalStep before anything is written
        if opening:
            assert isinstance(item.step, model.CaseOpened)
            self._insert_case(connection, case_id, item.step, now)
        connection.execute(
            "INSERT INTO case_events (case_id, sequence, event_id, kind, actor, recorded_at, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                event.sequence,
                event.event_id,
                event.kind.name,
                event.actor,
                now.isoformat(),
                step_to_json(item.step),
            ),
        )
        self._project(connection, view, now)
        if isinstance(event.step, model.Pruefanzeige) and event.step.md_reference:
            connection.execute(
                "INSERT OR IGNORE INTO case_identifiers (value, kind, case_id) VALUES (?, 'md_reference', ?)",
                (event.step.md_reference, view.case_id),
            )
        views[case_id] = view
        return event, True

    def _insert_case(
        self,
        connection: sqlite3.Connection,
        case_id: str,
        opened: model.CaseOpened,
        now: datetime.datetime,
    ) -> None:
        clash = connection.execute(
            "SELECT case_id FROM case_cases WHERE (hospital_ik = ? AND case_number = ?) OR case_id = ?",
            (opened.hospital_ik, opened.case_number, case_id),
        ).fetchone()
        if clash is not None:
            raise _refused(
                CaseValidationError,
                code="cases.case.duplicate",
                message=f"a case with Aufnahmenummer {opened.case_number!r} (or id {case_id!r}) exists already: {clash[0]}",
                field="case_number",
            )
        connection.execute(
            "INSERT INTO case_cases (case_id, case_number, hospital_ik, state, sequence, updated_at) "
            "VALUES (?, ?, ?, '', 0, ?)",
            (case_id, opened.case_number, opened.hospital_ik, now.isoformat()),
        )
        identifiers = {**opened.identifiers(), "kvnr": opened.kvnr}
        connection.executemany(
            "INSERT OR IGNORE INTO case_identifiers (value, kind, case_id) VALUES (?, ?, ?)",
            [(value, kind, case_id) for kind, value in identifiers.items()],
        )

    def _project(
        self,
        connection: sqlite3.Connection,
        view: CaseView,
        now: datetime.datetime | None,
    ) -> None:
        """Rewrite the case's row and its running deadlines from ``view``."""
        if now is None:  # re-projection: the case did not change, keep its updated_at
            connection.execute(
                "UPDATE case_cases SET state = ?, sequence = ?, projection = ? WHERE case_id = ?",
                (view.state.name, view.sequence, PROJECTION, view.case_id),
            )
        else:
            connection.execute(
                "UPDATE case_cases SET state = ?, sequence = ?, updated_at = ?, projection = ? "
                "WHERE case_id = ?",
                (view.state.name, view.sequence, now.isoformat(), PROJECTION, view.case_id),
            )
        connection.execute("DELETE FROM case_deadlines WHERE case_id = ?", (view.case_id,))
        assert view.opened is not None
        connection.executemany(
            "INSERT INTO case_deadlines (due, case_id, rule, subject, case_number, state, missing) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    d.due.isoformat(),
                    view.case_id,
                    d.rule.key,
                    d.subject,
                    view.opened.case_number,
                    view.state.name,
                    json.dumps(list(d.missing), ensure_ascii=False),
                )
                for d in open_deadlines(view)
            ],
        )

    def _check_rules(self) -> None:
        """A store opened with another rule book than last time gets its worklist recomputed."""
        book = sorted(
            f"{key}|{version.name}|{rule.period.amount}|{rule.period.unit.name}"
            for (key, version), rule in (RULES if self._rules is None else self._rules).items()
        )
        fingerprint = hashlib.sha256("\n".join(book).encode()).hexdigest()
        # Read first, outside a write transaction: opening a store to read it must not wait for
        # (or block) another process's writer when nothing has to change.
        if self._stored_rules() == fingerprint:
            return
        with transaction(self._connection) as connection:
            row = connection.execute(
                "SELECT value FROM case_settings WHERE key = 'rules'"
            ).fetchone()
            if row is not None and row[0] == fingerprint:
                return
            if row is not None:
                connection.execute("UPDATE case_cases SET projection = 0")
            connection.execute(
                "INSERT INTO case_settings (key, value) VALUES ('rules', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (fingerprint,),
            )

    def _stored_rules(self) -> str | None:
        row = self._connection.execute(
            "SELECT value FROM case_settings WHERE key = 'rules'"
        ).fetchone()
        return None if row is None else str(row[0])

    def _reproject_stale(self) -> None:
        """Recompute the deadlines of every case projected by older rules (e.g. after the
        migration from a store of an older leportal), in batches of one transaction each."""
        stale = self._connection.execute(
            "SELECT 1 FROM case_cases WHERE projection < ? LIMIT 1", (PROJECTION,)
        ).fetchone()
        if stale is None:  # the usual case: no write transaction, so readers never wait
            return
        while True:
            with transaction(self._connection) as connection:
                rows = connection.execute(
                    "SELECT case_id FROM case_cases WHERE projection < ? LIMIT ?",
                    (PROJECTION, _REPROJECT_BATCH),
                ).fetchall()
                for (case_id,) in rows:
                    self._project(
                        connection,
                        replay(self._load_events(connection, case_id), rules=self._rules),
                        None,
                    )
            if len(rows) < _REPROJECT_BATCH:
                return

    def _notify(self, event: CaseEvent) -> None:
        if self._pm is None:
            return
        try:
            self._pm.hook.leportal_case_event(event=event)
        except Exception as exc:
            raise CaseHookError(
                f"event #{event.sequence} of case {event.case_id} was recorded, but a "
                f"leportal_case_event hook failed: {type(exc).__name__}: {exc}",
                event,
            ) from exc

    # --- reading -------------------------------------------------------------------------

    def _row_to_event(self, row: Sequence[Any]) -> CaseEvent:
        case_id, sequence, event_id, kind, actor, recorded_at, payload = row
        return CaseEvent(
            event_id=event_id,
            case_id=case_id,
            sequence=sequence,
            step=step_from_json(EventKind[kind], payload),
            actor=actor,
            recorded_at=datetime.datetime.fromisoformat(recorded_at),
        )

    def _event_by_id(self, connection: sqlite3.Connection, event_id: str) -> CaseEvent | None:
        row = connection.execute(_SELECT_EVENTS + "WHERE event_id = ?", (event_id,)).fetchone()
        return None if row is None else self._row_to_event(row)

    def _load_events(self, connection: sqlite3.Connection, case_id: str) -> list[CaseEvent]:
        rows = connection.execute(
            _SELECT_EVENTS + "WHERE case_id = ? ORDER BY sequence",
            (case_id,),
        ).fetchall()
        return [self._row_to_event(row) for row in rows]

    def events(self, case_id: str) -> list[CaseEvent]:
        """The case's events in order (empty for an unknown case)."""
        with self._errors("read"):
            return self._load_events(self._connection, case_id)

    def view(self, case_id: str) -> CaseView:
        """The case replayed from its events; :class:`CaseNotFound` when there is none."""
        view = replay(self.events(case_id), rules=self._rules)
        if view.opened is None:
            raise _refused(
                CaseNotFound,
                code="cases.case.unknown",
                message=f"no case {case_id!r} in this store",
                field="case_id",
            )
        return view

    def find(self, identifier: str) -> list[str]:
        """Ids of the cases that carry ``identifier`` (case id, Aufnahmenummer, MD reference,
        invoice number, Kasse's case number or KVNR)."""
        with self._errors("read"):
            rows = self._connection.execute(
                "SELECT case_id FROM case_identifiers WHERE value = ? "
                "UNION SELECT case_id FROM case_cases WHERE case_id = ? ORDER BY 1",
                (identifier, identifier),
            ).fetchall()
        return [row[0] for row in rows]

    def resolve(self, identifier: str) -> str:
        """The one case id ``identifier`` names; refused when it names none or several."""
        found = self.find(identifier)
        if len(found) == 1:
            return found[0]
        message = f"{len(found) or 'no'} cases match {identifier!r}; use the case id"
        problem = (
            _problem(code="cases.case.unknown", message=message, field="case")
            if not found
            else _problem(code="cases.case.ambiguous", message=message, field="case")
        )
        raise CaseNotFound(message, [problem])

    def _due(
        self, where: str, params: tuple[str, ...], limit: int | None, offset: int
    ) -> list[DueEntry]:
        for name, value, lowest in (("limit", limit, 1), ("offset", offset, 0)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < lowest
            ):
                raise _refused(
                    CaseValidationError,
                    code="cases.query.page",
                    message=f"{name} must be a whole number from {lowest}",
                    field=name,
                )
        with self._errors("read"):
            rows = self._connection.execute(
                _SELECT_DUE + where + _ORDER, (*params, -1 if limit is None else limit, offset)
            ).fetchall()
        return [
            DueEntry(
                case_id=r[0],
                case_number=r[1],
                state=r[2],
                rule=r[3],
                due=datetime.date.fromisoformat(r[4]),
                subject=r[5],
                missing=tuple(json.loads(r[6])),
            )
            for r in rows
        ]

    def _count(self, where: str, params: tuple[str, ...]) -> int:
        with self._errors("read"):
            return int(self._connection.execute(_COUNT + where, params).fetchone()[0])

    def _window(self, days: int, today: datetime.date | None) -> tuple[str, str]:
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 3660:
            raise _refused(
                CaseValidationError,
                code="cases.query.days",
                message="days must be a whole number from 0 to 3660",
                field="days",
            )
        start = today or self.today()
        return start.isoformat(), (start + datetime.timedelta(days=days)).isoformat()

    def due_within(
        self,
        days: int,
        *,
        today: datetime.date | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[DueEntry]:
        """Running deadlines due from today up to today + ``days`` (inclusive), earliest first;
        ``limit``/``offset`` page through them (:meth:`count_due_within` gives the total)."""
        return self._due(_WHERE_BETWEEN, self._window(days, today), limit, offset)

    def count_due_within(self, days: int, *, today: datetime.date | None = None) -> int:
        """How many entries :meth:`due_within` has in all."""
        return self._count(_WHERE_BETWEEN, self._window(days, today))

    def overdue(
        self, *, today: datetime.date | None = None, limit: int | None = None, offset: int = 0
    ) -> list[DueEntry]:
        """Running deadlines whose day has passed, earliest first; paged like :meth:`due_within`."""
        return self._due(_WHERE_BEFORE, ((today or self.today()).isoformat(),), limit, offset)

    def count_overdue(self, *, today: datetime.date | None = None) -> int:
        """How many entries :meth:`overdue` has in all."""
        return self._count(_WHERE_BEFORE, ((today or self.today()).isoformat(),))

    def case_ids(self) -> Iterable[str]:
        """Every case id, in id order."""
        with self._errors("read"):
            return [
                row[0]
                for row in self._connection.execute("SELECT case_id FROM case_cases ORDER BY 1")
            ]

    # --- the small aggregates -------------------------------------------------------------

    def save_begehungsliste(self, item: Begehungsliste, *, item_id: str | None = None) -> str:
        """Keep a Begehungsliste; returns its id (saving the same id again replaces it)."""
        item_id = item_id or str(uuid.uuid4())
        with self._errors("write"), transaction(self._connection) as connection:
            connection.execute(
                "INSERT OR REPLACE INTO case_begehungslisten (id, hospital_ik, audit_date, payload) VALUES (?, ?, ?, ?)",
                (item_id, item.hospital_ik, item.audit_date.isoformat(), _aggregate_json(item)),
            )
        return item_id

    def begehungslisten(self) -> list[tuple[str, Begehungsliste]]:
        """Every Begehungsliste by audit date."""
        with self._errors("read"):
            rows = self._connection.execute(
                "SELECT id, payload FROM case_begehungslisten ORDER BY audit_date, id"
            ).fetchall()
        return [(row[0], _begehung_from_json(row[1])) for row in rows]

    def save_strukturpruefung(self, item: Strukturpruefung, *, item_id: str | None = None) -> str:
        """Keep a Strukturprüfung; returns its id (saving the same id again replaces it)."""
        item_id = item_id or str(uuid.uuid4())
        with self._errors("write"), transaction(self._connection) as connection:
            connection.execute(
                "INSERT OR REPLACE INTO case_strukturpruefungen (id, standortnummer, next_due, payload) VALUES (?, ?, ?, ?)",
                (item_id, item.standortnummer, item.next_due.isoformat(), _aggregate_json(item)),
            )
        return item_id

    def strukturpruefungen_due(self, before: datetime.date) -> list[tuple[str, Strukturpruefung]]:
        """Strukturprüfungen whose next check is due before ``before``, earliest first."""
        with self._errors("read"):
            rows = self._connection.execute(
                "SELECT id, payload FROM case_strukturpruefungen WHERE next_due < ? ORDER BY next_due, id",
                (before.isoformat(),),
            ).fetchall()
        return [(row[0], _struktur_from_json(row[1])) for row in rows]


def _aggregate_json(item: Begehungsliste | Strukturpruefung) -> str:
    data = {
        f.name: (
            v.isoformat()
            if isinstance(v, datetime.date)
            else list(v)
            if isinstance(v, tuple)
            else v
        )
        for f in attrs.fields(type(item))
        for v in [getattr(item, f.name)]
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _begehung_from_json(text: str) -> Begehungsliste:
    data = json.loads(text)
    return Begehungsliste(
        hospital_ik=data["hospital_ik"],
        received=datetime.date.fromisoformat(data["received"]),
        audit_date=datetime.date.fromisoformat(data["audit_date"]),
        items=tuple(data["items"]),
    )


def _struktur_from_json(text: str) -> Strukturpruefung:
    data = json.loads(text)
    return Strukturpruefung(
        standortnummer=data["standortnummer"],
        ops_codes=tuple(data["ops_codes"]),
        evidence=tuple(data["evidence"]),
        recurrence_years=data["recurrence_years"],
        last_checked=datetime.date.fromisoformat(data["last_checked"]),
        ops_recurrence=tuple((code, years) for code, years in data.get("ops_recurrence", ())),
    )
