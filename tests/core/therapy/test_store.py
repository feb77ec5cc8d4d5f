"""Master data saved once and pre-filled; the Versandhistorie on a real SQLite file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from leportal_core.errors import ConfigurationError, ValidationError
from leportal_core.store import connect, ensure_schema
from leportal_core.therapy import (
    MasterDataStore,
    Outcome,
    SendingHistory,
    SendInProgress,
    TherapyStoreError,
    one_month_before,
    open_store,
)
from leportal_core.therapy.store import _MIGRATIONS
from tests.core.therapy.sample import PRACTICE, THERAPIST, report

UTC = dt.UTC


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


def test_master_data_saved_once_and_prefilled(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    MasterDataStore(connect(path, create=True)).save(PRACTICE, THERAPIST)
    store = MasterDataStore(connect(path))  # a new process sees the same master data
    template = report()
    fields = {
        name: getattr(template, name)
        for name in ("report_id", "created", "patient", "doctor", "prescription", "befund",
                     "therapieverlauf", "therapieziele", "recommendation")
    }  # fmt: skip
    assert store.new_report(**fields) == template


def test_master_data_missing(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as exc:
        MasterDataStore(connect(tmp_path / "s.sqlite", create=True)).load()
    assert exc.value.code == "therapy.masterdata.missing"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 31 Mar 12:00 CEST → 28 Feb 12:00 CET (11:00 UTC)
        (dt.datetime(2026, 3, 31, 10, 0, tzinfo=UTC), dt.datetime(2026, 2, 28, 11, 0, tzinfo=UTC)),
        (
            dt.datetime(2026, 1, 15, 23, 30, tzinfo=UTC),
            dt.datetime(2025, 12, 15, 23, 30, tzinfo=UTC),
        ),
        # 29 Mar 2026 03:30 CEST → 28 Feb 03:30 CET: the wall clock is kept across the DST change
        (dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC), dt.datetime(2026, 2, 28, 2, 30, tzinfo=UTC)),
    ],
)
def test_one_month_before(now: dt.datetime, expected: dt.datetime) -> None:
    assert one_month_before(now) == expected


def _sent(history: SendingHistory, report_id: str, outcome: Outcome = Outcome.SENT) -> None:
    claim = history.claim(report_id=report_id, recipient="a@b.de", message_id=f"<{report_id}@x>")
    history.finish(claim, outcome)


def test_history_shows_exactly_the_last_month(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    history = SendingHistory(connect(tmp_path / "h.sqlite", create=True), clock)
    for day, report_id in ((1, "old"), (2, "edge"), (20, "new")):
        clock.moment = dt.datetime(2026, 1, day, 12, 0, tzinfo=UTC)
        _sent(history, report_id)
    # now: 2 Feb 12:00 UTC = 13:00 Berlin; one month back = 2 Jan 13:00 Berlin = 12:00 UTC
    clock.moment = dt.datetime(2026, 2, 2, 12, 0, tzinfo=UTC)
    assert [e.report_id for e in history.recent()] == ["new", "edge"]
    clock.moment += dt.timedelta(seconds=1)
    assert [e.report_id for e in history.recent()] == ["new"]


def test_claim_serialises_and_keeps_the_message_id(tmp_path: Path) -> None:
    history = SendingHistory(
        connect(tmp_path / "h.sqlite", create=True), Clock(dt.datetime(2026, 1, 1, tzinfo=UTC))
    )
    first = history.claim(report_id="R", recipient="a@b.de", message_id="<m1@x>")
    assert first.token is not None
    assert first.entry.outcome is Outcome.SENDING
    with pytest.raises(SendInProgress) as busy:  # the holder (this process) is still at it
        history.claim(report_id="R", recipient="a@b.de", message_id="<m2@x>")
    assert busy.value.code == "therapy.send.in_progress"
    history.finish(first, Outcome.FAILED, "refused")
    second = history.claim(report_id="R", recipient="a@b.de", message_id="<m2@x>")
    assert (first.entry.attempts, second.entry.attempts) == (1, 2)
    assert second.entry.message_id == "<m1@x>"
    history.finish(second, Outcome.SENT)
    done = history.claim(report_id="R", recipient="a@b.de", message_id="<m1@x>")
    assert done.token is None
    assert done.entry.outcome is Outcome.SENT


def test_an_abandoned_claim_becomes_unknown_and_needs_settling(tmp_path: Path) -> None:
    history = SendingHistory(connect(tmp_path / "h.sqlite", create=True))
    claim = history.claim(report_id="R", recipient="a@b.de", message_id="<m@x>")
    history.abandon(claim)  # the attempt died without recording its outcome
    again = history.claim(report_id="R", recipient="a@b.de", message_id="<m@x>")
    assert again.token is None
    assert again.entry.outcome is Outcome.UNKNOWN
    with pytest.raises(ValueError, match="held claim"):
        history.finish(again, Outcome.SENT)
    with pytest.raises(ValidationError) as no_reason:
        history.settle("R", delivered=True, reason=" ")
    assert no_reason.value.code == "therapy.settle.reason"
    settled = history.settle("R", delivered=False, reason="not in the sent folder")
    assert settled.outcome is Outcome.FAILED
    assert settled.detail == "settled: not in the sent folder"
    with pytest.raises(ValidationError) as twice:
        history.settle("R", delivered=True, reason="again")
    assert twice.value.code == "therapy.settle.not_unknown"
    assert history.claim(report_id="R", recipient="a@b.de", message_id="<m@x>").token


def test_an_expired_lease_is_unknown(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 1, 1, tzinfo=UTC))
    history = SendingHistory(connect(tmp_path / "h.sqlite", create=True), clock)
    history.claim(report_id="R", recipient="a@b.de", message_id="<m@x>", lease_seconds=60)
    clock.moment += dt.timedelta(seconds=61)
    assert history.claim(report_id="R", recipient="a@b.de", message_id="<m@x>").entry.outcome is (
        Outcome.UNKNOWN
    )


def test_purge_keeps_unknown_and_recent(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2025, 1, 1, tzinfo=UTC))
    history = SendingHistory(connect(tmp_path / "h.sqlite", create=True), clock)
    _sent(history, "done")
    _sent(history, "unknown", Outcome.UNKNOWN)
    clock.moment = dt.datetime(2025, 12, 1, tzinfo=UTC)
    _sent(history, "recent", Outcome.FAILED)
    clock.moment = dt.datetime(2026, 1, 2, tzinfo=UTC)
    assert history.purge(365) == 1
    assert history.get("done") is None
    assert history.get("unknown") is not None
    assert history.get("recent") is not None
    with pytest.raises(ConfigurationError):
        history.purge(30)


def test_a_missing_or_empty_store_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite"
    with pytest.raises(ConfigurationError) as exc:
        open_store(missing)
    assert exc.value.code == "therapy.store.missing"
    assert not missing.exists()
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(ConfigurationError) as exc:
        open_store(empty)
    assert exc.value.code == "therapy.store.missing"
    other = tmp_path / "other.sqlite"
    connect(other, create=True).close()  # a leportal store without the therapy component
    with pytest.raises(ConfigurationError) as exc:
        open_store(other)
    assert exc.value.code == "therapy.store.missing"
    SendingHistory(open_store(missing, create=True))
    assert SendingHistory(open_store(missing)).recent() == []


def test_a_damaged_store_is_a_storage_problem(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(TherapyStoreError) as exc:
        SendingHistory(open_store(path))
    assert exc.value.code == "therapy.store.damaged"


def test_a_locked_store_is_a_storage_problem(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    SendingHistory(open_store(path, create=True))
    holder = connect(path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        history = SendingHistory(open_store(path, busy_timeout=0.05))
        with pytest.raises(TherapyStoreError) as exc:
            history.claim(report_id="R", recipient="a@b.de", message_id="<m@x>")
    finally:
        holder.execute("ROLLBACK")
    assert exc.value.code == "therapy.store.locked"


def test_an_old_pending_row_is_migrated_to_unknown(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = connect(path, create=True)
    ensure_schema(db, "therapy", _MIGRATIONS[:1])
    db.execute(
        "INSERT INTO therapy_sends VALUES ('<m@x>', 'R', 'a@b.de', 'kim', 'ausstehend', '', 1, "
        "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
    )
    entry = SendingHistory(db).get("R")
    assert entry is not None
    assert entry.outcome is Outcome.UNKNOWN


def test_naive_clock_is_a_configuration_error(tmp_path: Path) -> None:
    history = SendingHistory(
        connect(tmp_path / "h.sqlite", create=True), lambda: dt.datetime(2026, 1, 1)
    )
    with pytest.raises(ConfigurationError):
        history.claim(report_id="R", recipient="a", message_id="<m@x>")
