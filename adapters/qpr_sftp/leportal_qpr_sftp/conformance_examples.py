"""Valid :class:`FetchedReport` objects for the conformance suite (``conformance_samples`` and
``conformance_strategy`` of the receipt codec, docs/certifying.md). Hypothesis is imported inside
the strategy only: the suite, which depends on it, calls it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from leportal_qpr_sftp.model import FetchedReport

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["fetched_reports", "receipts"]

_CET = dt.timezone(dt.timedelta(hours=1), "CET")


def receipts() -> tuple[FetchedReport, ...]:
    """Fixed receipts: an empty file, and one with umlauts, microseconds and a non-UTC time."""
    return (
        FetchedReport(
            remote_name="PB_260000001_2026-02-09.pdf",
            local_name="PB_260000001_2026-02-09.pdf",
            size=0,
            remote_mtime=dt.datetime(2026, 2, 9, 12, 0, tzinfo=dt.UTC),
            sha256="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            fetched_at=dt.datetime(2026, 2, 9, 12, 5, 30, tzinfo=dt.UTC),
            recipient_ik="260000001",
        ),
        FetchedReport(
            remote_name="Prüfbericht Müller (2).pdf",
            local_name="2024-02-29_Prüfbericht.pdf",
            size=10 * 1024 * 1024,
            remote_mtime=dt.datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=_CET),
            sha256="0" * 63 + "1",
            fetched_at=dt.datetime(2024, 3, 1, 0, 0, 0, 1, tzinfo=dt.UTC),
            recipient_ik="",
        ),
    )


def fetched_reports() -> SearchStrategy[FetchedReport]:
    """Receipts with any file names, sizes and aware times down to the microsecond."""
    from hypothesis import strategies as st

    names = st.text(min_size=1, max_size=80).filter(
        lambda name: "/" not in name and "\x00" not in name
    )
    times = st.datetimes(
        dt.datetime(1990, 1, 1), dt.datetime(2099, 12, 31), timezones=st.just(dt.UTC)
    )
    return st.builds(
        FetchedReport,
        remote_name=names,
        local_name=names,
        size=st.integers(0, 2**40),
        remote_mtime=times,
        sha256=st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
        fetched_at=times,
        recipient_ik=st.sampled_from(("", "260000001", "Krankenhaus Süd")),
    )
