"""docs/cases.md and docs/deadlines.md list every rule, and mark the unverified ones as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from leportal_core.cases import DISCHARGED_BY
from leportal_core.deadlines import RULE_KEYS, RULES, SourceKind

DOCS = Path(__file__).parents[3] / "docs"


def _rows(name: str, key: str) -> list[str]:
    text = (DOCS / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.startswith(f"| `{key}`")]


def test_every_rule_can_leave_the_worklist_only_by_a_listed_event() -> None:
    assert set(DISCHARGED_BY) == set(RULE_KEYS)


@pytest.mark.parametrize("key", RULE_KEYS)
def test_every_rule_has_a_row_in_both_tables(key: str) -> None:
    assert _rows("cases.md", key), key
    assert _rows("deadlines.md", key), key


@pytest.mark.parametrize(
    "key",
    sorted({k for (k, _), rule in RULES.items() if rule.source_kind is SourceKind.UNVERIFIED}),
)
def test_an_unverified_rule_says_so_in_the_docs(key: str) -> None:
    assert any("nicht verifiziert" in row for row in _rows("cases.md", key))
    assert any("nicht verifiziert" in row for row in _rows("deadlines.md", key))
