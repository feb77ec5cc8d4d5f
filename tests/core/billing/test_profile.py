from __future__ import annotations

from pathlib import Path

import pytest

from leportal_core.billing import available_profiles, load_profile, parse_profile
from leportal_core.errors import ConfigurationError
from tests.core.billing.helpers import ALL_TYPES_TOML, ROOT


def test_shipped_profiles() -> None:
    assert available_profiles() == (
        "approvals-v1",
        "attendance-v1",
        "mass-provisional-v1",
        "paper-lines-v1",
    )
    mass = load_profile("mass-provisional-v1")
    assert mass.provisional
    assert "not public" in mass.note
    assert (mass.encoding, mass.delimiter, mass.line_ending, mass.decimal_separator) == (
        "utf-8",
        ";",
        "\r\n",
        ",",
    )
    assert mass.column("einheit").values == ("Tag", "Stunde", "Monat", "Pauschale")
    text = (ROOT / "leportal_core/billing/profiles/mass-provisional-v1.toml").read_text("utf-8")
    assert "PROVISIONAL" in text
    assert "NOT PUBLIC" in text


def test_profile_by_path(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(ALL_TYPES_TOML.format(encoding="utf-8", bom="optional", write_bom="false"))
    assert load_profile(path).name == "all-types-test"


def test_unknown_profile() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_profile("mass-official-v9")
    assert caught.value.code == "billing.profile.unknown"
    with pytest.raises(ConfigurationError) as caught:
        load_profile(Path("/nonexistent/x.toml"))
    assert caught.value.code == "billing.profile.unknown"


def test_every_problem_of_a_bad_profile_is_reported_with_a_pointer() -> None:
    bad = b"""
[profile]
name = "Bad Name"
version = "one"
colour = "red"

[format]
encoding = "latin-9"
delimiter = ";"
decimal_separator = ";"
date_format = "MM/DD/YYYY"

[[columns]]
key = "a"
type = "decimal"
scale = 11

[[columns]]
key = "a"
type = "code"

[[rules]]
kind = "product"
result = "missing"
factors = ["a"]
"""
    with pytest.raises(ConfigurationError) as caught:
        parse_profile(bad)
    pointers = [p.location.pointer for p in caught.value.problems]
    assert {p.code for p in caught.value.problems} == {"billing.profile.invalid"}
    assert pointers == [
        "/profile/colour",
        "/profile/name",
        "/profile/version",
        "/format/encoding",
        "/format/decimal_separator",
        "/format/date_format",
        "/columns/0/scale",
        "/columns/1/values",
        "/rules/0/result",
        "/rules/0/factors/0",
    ]


def test_syntax_error_and_non_utf8() -> None:
    for data in (b"[profile", b"\xff"):
        with pytest.raises(ConfigurationError) as caught:
            parse_profile(data)
        assert caught.value.code == "billing.profile.invalid"
