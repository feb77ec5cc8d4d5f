"""Master data saved once and pre-filled; the Versandhistorie on a real SQLite file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from leportal_core.errors import ConfigurationError, ValidationError
from leportal_core.store import connect
from leportal_core.therapy import (
    MasterDataStore,
    Outcome,
    SendingHistory,
    one_month_before,
)
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
    store = MasterDataStore(connect(path, create=True))  # a new process sees the same master data
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


def test_history_shows_exactly_the_last_month(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    history = SendingHistory(connect(tmp_path / "h.sqlite", create=True), clock)
    for day, report_id in ((1, "old"), (2, "edge"), (20, "new")):
        clock.moment = dt.datetime(2026, 1, day, 12, 0, tzinfo=UTC)
        entry = history.record_intent(
            report_id=report_id, recipient="a@b.de", message_id=f"<{report_id}@x>"
        )
        history.mark(entry.message_id, Outcome.SENT)
    # now: 2 Feb 12:00 UTC = 13:00 Berlin; one month back = 2 Jan 13:00 Berlin = 12:00 UTC
    clock.moment = dt.datetime(2026, 2, 2, 12, 0, tzinfo=UTC)
    assert [e.report_id for e in history.recent()] == ["new", "edge"]
    clock.moment += dt.timedelta(seconds=1)
    assert [e.report_id for e in history.recent()] == ["new"]


def test_intent_is_idempotent_per_report(tmp_path: Path) -> None:
    history = SendingHistory(
        connect(tmp_path / "h.sqlite", create=True), Clock(dt.datetime(2026, 1, 1, tzinfo=UTC))
    )
    first = history.record_intent(report_id="R", recipient="a@b.de", message_id="<m1@x>")
    second = history.record_intent(report_id="R", recipient="a@b.de", message_id="<m2@x>")
    assert (first.attempts, second.attempts) == (1, 2)
    assert second.message_id == "<m1@x>"
    assert second.outcome is Outcome.PENDING


def test_purge_keeps_pending_and_recent(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2025, 1, 1, tzinfo=UTC))
    history = SendingHistory(connect(tmp_path / "h.sqlite", create=True), clock)
    done = history.record_intent(report_id="done", recipient="a@b.de", message_id="<1@x>")
    history.mark(done.message_id, Outcome.SENT)
    history.record_intent(report_id="pending", recipient="a@b.de", message_id="<2@x>")
    clock.moment = dt.datetime(2025, 12, 1, tzinfo=UTC)
    recent = history.record_intent(report_id="recent", recipient="a@b.de", message_id="<3@x>")
    history.mark(recent.message_id, Outcome.FAILED, "refused")
    clock.moment = dt.datetime(2026, 1, 2, tzinfo=UTC)
    assert history.purge(365) == 1
    assert history.get("done") is None
    assert history.get("pending") is not None
    assert history.get("recent") is not None
    with pytest.raises(ConfigurationError):
        history.purge(30)


def test_mark_unknown_message(tmp_path: Path) -> None:
    history = SendingHistory(connect(tmp_path / "h.sqlite", create=True))
    with pytest.raises(ValidationError) as exc:
        history.mark("<nope@x>", Outcome.SENT)
    assert exc.value.code == "therapy.history.unknown"


def test_naive_clock_is_a_configuration_error(tmp_path: Path) -> None:
    history = SendingHistory(
        connect(tmp_path / "h.sqlite", create=True), lambda: dt.datetime(2026, 1, 1)
    )
    with pytest.raises(ConfigurationError):
        history.record_intent(report_id="R", recipient="a", message_id="<m@x>")
