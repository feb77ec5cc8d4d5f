from __future__ import annotations

import io
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from leportal_core.billing import Decoder, decode, iter_records, parse_profile, validate
from leportal_core.errors import FormatError, Severity
from tests.core.billing.cases import DECODE_CASES
from tests.core.billing.helpers import MASS, SAMPLES, replace_line, valid_bytes


def _run(code: str):  # type: ignore[no-untyped-def]
    toml, data, max_problems, valid = DECODE_CASES[code]()
    profile = MASS if toml is None else parse_profile(toml.encode())
    return validate(data, profile, max_problems=max_problems), valid


@pytest.mark.parametrize("code", sorted(DECODE_CASES))
def test_every_decoder_problem_code(code: str) -> None:
    report, valid = _run(code)
    codes = [p.code for p in report.problems]
    assert code in codes
    assert report.valid is valid
    problem = next(p for p in report.problems if p.code == code)
    assert problem.message


def test_valid_sample() -> None:
    report = validate(SAMPLES / "mass-2026-10.csv", MASS)
    assert report.valid
    assert report.problems == ()
    assert (report.rows, report.valid_rows) == (6, 6)
    assert report.sums["betrag"] == Decimal("8377.52")
    (group,) = report.groups
    assert (group.group, group.rows, group.total, group.declared) == (
        "RE-2026-10-001",
        6,
        Decimal("8377.52"),
        Decimal("8377.52"),
    )


def test_broken_sample_reports_every_problem_with_line_and_column() -> None:
    report = validate(SAMPLES / "mass-2026-10-fehlerhaft.csv", MASS)
    found = [(p.location.line, p.location.field, p.code) for p in report.problems]
    assert found == [
        (3, "Betrag", "billing.amount.mismatch"),
        (4, "Zeitraum bis", "billing.value.date"),
        (5, "IK", "billing.value.ik"),
        (6, "Menge", "billing.value.decimal"),
        (7, "Einheit", "billing.value.code"),
        (8, "Aktenzeichen", "billing.duplicate"),
        (9, "Zeitraum bis", "billing.period.month"),
        (2, "Rechnungsbetrag", "billing.total.unchecked"),
    ]


def test_quoted_delimiter_and_line_break_are_data_and_lines_count_physically() -> None:
    data = replace_line(valid_bytes(), 2, b";Muster;", b';"Mus;ter";')
    data = replace_line(data, 2, b";8377,52;", b';8377,52;"zwei\r\nZeilen"')
    data = replace_line(data, 4, b"12,00", b"12,50")  # physical line 4 is record 3
    rows = list(Decoder(MASS).rows(data))
    report = validate(data, MASS)
    assert rows[0][1]["name"] == "Mus;ter"
    assert rows[0][1]["bemerkung"] == "zwei\r\nZeilen"
    assert [p.location.line for p in report.problems if p.code == "billing.amount.mismatch"] == [4]


def test_amount_rounds_half_up_to_cents() -> None:
    # 0.5 × 0.01 = 0.005 → 0.01 half-up (banker's rounding would give 0.00)
    ok = replace_line(
        valid_bytes(), 2, b"22,00;Tag;98,37;2164,14;8377,52", b"0,50;Tag;0,01;0,01;6213,39"
    )
    ok = ok.replace(b";8377,52;", b";6213,39;")
    assert validate(ok, MASS).valid
    wrong = ok.replace(b"0,50;Tag;0,01;0,01;", b"0,50;Tag;0,01;0,00;")
    assert "billing.amount.mismatch" in [p.code for p in validate(wrong, MASS).problems]


def test_keep_n_problems_and_count_the_rest() -> None:
    data = valid_bytes().replace(b";Tag;", b";Woche;")
    report = validate(data, MASS, max_problems=2)
    assert [p.code for p in report.problems] == [
        "billing.value.code",
        "billing.value.code",
        "billing.problems.truncated",
    ]
    assert report.truncated
    assert report.problems[-1].severity is Severity.WARNING
    assert dict(report.dropped_codes) == {"billing.total.unchecked": 1}
    assert (report.errors, report.warnings) == (2, 2)


def test_decode_raises_format_error_with_all_problems() -> None:
    data = valid_bytes().replace(b";Tag;", b";Woche;")
    with pytest.raises(FormatError) as caught:
        decode(data, MASS)
    assert [p.code for p in caught.value.problems] == ["billing.value.code"] * 2 + [
        "billing.total.unchecked"
    ]


def test_iter_records_streams_from_a_binary_stream_and_leaves_it_open() -> None:
    stream = io.BytesIO(valid_bytes())
    records = list(iter_records(stream, MASS))
    assert len(records) == 6
    assert not stream.closed


def test_missing_file_is_the_projects_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        validate(tmp_path / "nope.csv", MASS)
    assert caught.value.code == "billing.file.unreadable"


def test_duplicates_are_found_after_spilling_to_disk() -> None:
    lines = valid_bytes().split(b"\r\n")
    body = [lines[1].replace(b"50-2026-0815", f"AZ-{n}".encode()) for n in range(30)]
    body.append(body[3])
    body.append(body[25])
    data = lines[0] + b"\r\n" + b"\r\n".join(body) + b"\r\n"
    decoder = Decoder(MASS, spill_threshold=10)
    list(decoder.rows(data))
    dups = sorted(
        (p.location.line, p.message) for p in decoder.problems if p.code == "billing.duplicate"
    )
    assert [line for line, _ in dups] == [32, 33]
    assert "as line 5" in dups[0][1]
    assert "as line 27" in dups[1][1]


def test_duplicate_index_failure_is_the_projects_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sqlite3, "connect", broken)
    with pytest.raises(FormatError) as caught:
        list(Decoder(MASS, spill_threshold=2).rows(valid_bytes()))
    assert caught.value.code == "billing.internal.index"


def test_header_in_other_order_still_reads_values_by_name() -> None:
    data = replace_line(valid_bytes(), 1, b";Name;Vorname;", b";Vorname;Name;")
    decoder = Decoder(MASS)
    rows = list(decoder.rows(data))
    assert [p.code for p in decoder.problems] == ["billing.header.order"]
    assert rows[0][1]["name"] == "Erika"  # the file's columns are swapped, read by header


def test_windows_1252_profile_reads_umlauts() -> None:
    toml = (
        SAMPLES.parents[1] / "leportal_core/billing/profiles/mass-provisional-v1.toml"
    ).read_text(encoding="utf-8")
    cp1252 = parse_profile(toml.replace('encoding = "utf-8"', 'encoding = "windows-1252"').encode())
    text = valid_bytes().decode("utf-8").replace("Nguyễn", "Nguyen").replace("Ayşe", "Ayse")
    records = decode(text.encode("cp1252"), cp1252)
    assert records[1]["name"] == "Öztürk"
