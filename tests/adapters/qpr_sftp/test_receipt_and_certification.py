"""The Abholbeleg codec round-trips; the adapter certifies with the conformance suite."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leportal_conformance.runner import certify
from leportal_core.errors import FormatError, ValidationError
from leportal_qpr_sftp.model import FetchedReport
from leportal_qpr_sftp.receipt import ReceiptCodec

CODEC = ReceiptCodec()
_times = st.datetimes(
    min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
)
_names = st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s and "\x00" not in s)
reports = st.builds(
    FetchedReport,
    remote_name=_names,
    local_name=_names,
    size=st.integers(min_value=0, max_value=2**40),
    remote_mtime=_times,
    sha256=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    fetched_at=_times,
    recipient_ik=st.just("260326822"),
)


@given(reports)
def test_receipt_round_trip(report: FetchedReport) -> None:
    assert CODEC.decode(CODEC.encode(report)) == report


@given(st.binary(max_size=200))
def test_bad_bytes_are_a_format_error_and_nothing_else(data: bytes) -> None:
    with pytest.raises(FormatError):
        CODEC.decode(data)


def test_a_golden_receipt() -> None:
    report = FetchedReport(
        remote_name="PB.pdf",
        local_name="PB.pdf",
        size=3,
        remote_mtime=dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC),
        sha256="ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        fetched_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC),
        recipient_ik="260326822",
    )
    assert CODEC.encode(report) == (
        b'{"fetched_at": "2026-11-02T09:30:00+00:00", "format": "leportal.qpr_sftp.receipt/1", '
        b'"local_name": "PB.pdf", "recipient_ik": "260326822", '
        b'"remote_mtime": "2026-11-01T08:00:00+00:00", "remote_name": "PB.pdf", '
        b'"sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "size": 3}'
    )
    tampered = CODEC.encode(report).replace(b'"size": 3', b'"size": "3"')
    with pytest.raises(FormatError) as caught:
        CODEC.decode(tampered)
    assert caught.value.code == "qpr_sftp.receipt.field"
    with pytest.raises(ValidationError):
        CODEC.encode("not a report")  # type: ignore[arg-type]


def test_the_adapter_is_certified() -> None:
    result = certify("leportal_qpr_sftp.plugin", seed=7, max_examples=30)
    failed = [(t.id, t.message) for t in result.tests if t.status.value == "failed"]
    assert failed == []
    assert result.verdict == "CERTIFIED"
    assert list(result.codecs) == ["qpr_sftp.receipt"]
