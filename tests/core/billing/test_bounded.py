"""Hostile billing files (issue 21 point 9 and the formula-cell point): memory does not grow with the
number of problems, an unclosed quote stops the file at once, formula cells are warned about."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leportal_core.billing import decode, encode, validate
from leportal_core.billing.decoder import DEFAULT_MAX_PROBLEMS, MAX_RECORD, Decoder
from leportal_core.billing.rules import key_hash
from leportal_core.billing.values import FORMULA_TRIGGERS, is_formula, neutralise
from leportal_core.errors import Severity
from tests.core.billing.helpers import MASS, replace_line, valid_bytes

CLI = [sys.executable, "-c", "import sys; from leportal_core.cli import main; main(sys.argv[1:])"]


def bad_cells(rows: int) -> bytes:
    """A header and ``rows`` lines, each with a wrong unit (one error per line)."""
    lines = valid_bytes().split(b"\r\n")
    line = lines[1].replace(b";Tag;", b";Woche;")
    body = [line.replace(b"50-2026-0815", f"AZ-{n}".encode()) for n in range(rows)]
    return lines[0] + b"\r\n" + b"\r\n".join(body) + b"\r\n"


def test_problems_beyond_the_limit_are_counted_not_kept() -> None:
    report = validate(bad_cells(50), MASS, max_problems=10)
    kept = [p.code for p in report.problems]
    assert kept == ["billing.value.code"] * 10 + ["billing.problems.truncated"]
    assert report.errors == 50  # every wrong unit is counted
    assert report.warnings == 1  # the note that problems were dropped
    assert report.dropped == 40
    assert dict(report.dropped_codes) == {"billing.value.code": 40}
    assert report.truncated
    assert report.rows == 50  # the whole file was read, not stopped at the limit
    assert not report.valid


def test_the_default_limit_applies_without_asking() -> None:
    report = validate(bad_cells(DEFAULT_MAX_PROBLEMS + 5), MASS)
    assert len(report.problems) == DEFAULT_MAX_PROBLEMS + 1
    assert report.dropped == 5


def _peak(data: bytes) -> int:
    tracemalloc.start()
    try:
        validate(data, MASS)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_problems() -> None:
    small, large = bad_cells(2_000), bad_cells(20_000)
    small_peak, large_peak = _peak(small), _peak(large)
    # ten times the problems: the peak may not grow with them (2 KB each would add ~36 MB)
    assert large_peak < small_peak * 1.5 + len(large) - len(small), (small_peak, large_peak)


def test_an_unclosed_quote_stops_the_file_at_once() -> None:
    data = replace_line(valid_bytes(), 2, b";Muster;", b';"Muster;') + b"a;b\r\n" * 200_000
    decoder = Decoder(MASS)
    decoder.build_records = False
    list(decoder.rows(data))
    report = decoder.report()
    assert [p.code for p in report.problems] == ["billing.csv.unclosed_quote"]
    assert report.problems[0].location.line == 2  # where the quote opened
    assert report.truncated
    assert not report.valid
    # it stopped after the bound, not at the end of the million characters after it
    assert decoder._physical * 5 < MAX_RECORD * 2


def test_the_unclosed_quote_attack_in_a_real_process(tmp_path: Path) -> None:
    """The attack of issue 21: 5 MB, an unclosed quote, then a million short lines."""
    file = tmp_path / "angriff.csv"
    head = replace_line(valid_bytes(), 2, b";Muster;", b';"Muster;')
    file.write_bytes(head + b"x;y\r\n" * 1_000_000)
    assert file.stat().st_size > 5_000_000
    done = subprocess.run(
        [*CLI, "billing", "validate", str(file), "--json"],
        capture_output=True,
        timeout=120,  # a hang guard, not a speed assertion
        check=False,
    )
    assert done.returncode == 1, done.stderr
    out = json.loads(done.stdout)
    assert [p["code"] for p in out["problems"]] == ["billing.csv.unclosed_quote"]
    assert out["truncated"] is True
    assert out["dropped"] == 0


def test_json_says_how_many_problems_were_dropped(tmp_path: Path) -> None:
    file = tmp_path / "viele.csv"
    file.write_bytes(bad_cells(30))
    done = subprocess.run(
        [*CLI, "billing", "validate", str(file), "--json", "--max-problems", "5"],
        capture_output=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    out = json.loads(done.stdout)
    assert done.returncode == 1
    assert len(out["problems"]) == 6
    assert out["dropped"] == 25
    assert out["dropped_codes"] == {"billing.value.code": 25}
    assert out["counts"]["errors"] == 30


@pytest.mark.parametrize("trigger", sorted(FORMULA_TRIGGERS))
def test_every_formula_trigger_is_warned_about(trigger: str) -> None:
    cell = (trigger + "SUMME(A1)").encode()
    data = replace_line(valid_bytes(), 2, b";8377,52;", b';8377,52;"' + cell + b'"')
    report = validate(data, MASS)
    formula = [p for p in report.problems if p.code == "billing.value.formula"]
    assert len(formula) == 1
    assert formula[0].severity is Severity.WARNING
    assert formula[0].location.line == 2
    assert formula[0].location.field == "Bemerkung"


def test_a_neutralised_formula_and_ordinary_text_are_not_warned_about() -> None:
    neutralised = replace_line(valid_bytes(), 2, b";Muster;", b";'=SUMME(A1);")
    apostrophe = replace_line(valid_bytes(), 2, b";Muster;", b";'t Hooft;")
    for data in (neutralised, apostrophe):
        report = validate(data, MASS)
        assert report.valid
        assert "billing.value.formula" not in [p.code for p in report.problems]


def test_a_formula_in_a_number_column_is_an_error_not_a_formula_warning() -> None:
    data = replace_line(valid_bytes(), 2, b";22,00;", b";=22;")
    codes = [p.code for p in validate(data, MASS).problems]
    assert "billing.value.decimal" in codes
    assert "billing.value.formula" not in codes


@given(st.text(min_size=1, max_size=12).filter(lambda t: "\x00" not in t))
def test_build_and_validate_share_one_definition(text: str) -> None:
    # What the encoder writes is never a formula; what it leaves alone was never one.
    assert not is_formula(neutralise(text))
    if neutralise(text) == text:
        assert not is_formula(text)


def test_what_build_writes_validates_without_a_formula_warning() -> None:
    records = decode(valid_bytes(), MASS)
    values = dict(records[0].values)
    values["name"] = "=cmd|' /C calc'!A0"
    data = encode([type(records[0])(values=values), *records[1:]], MASS)
    report = validate(data, MASS)
    assert report.valid
    assert report.warnings == 0


def test_key_hash_tells_keys_apart_by_value_and_position() -> None:
    assert key_hash(("a", "b")) == key_hash(("a", "b"))
    assert key_hash(("a", "b")) != key_hash(("b", "a"))
    assert key_hash(("ab", None)) != key_hash(("a", "b"))
    assert len(key_hash(("x" * 10_000,))) == 16
