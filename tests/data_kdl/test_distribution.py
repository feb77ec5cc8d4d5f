"""The optional ``leportal-kdl-data`` distribution, used from its source folder (not installed)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from leportal_core import Category, Document
from leportal_core.classification import classify
from leportal_core.plugins import new_plugin_manager
from leportal_core.terminology import installed_kdl_table

DIST = Path(__file__).resolve().parents[2] / "data" / "kdl"


@pytest.fixture
def on_path() -> Iterator[None]:
    sys.path.insert(0, str(DIST))
    installed_kdl_table.cache_clear()
    try:
        yield
    finally:
        sys.path.remove(str(DIST))
        sys.modules.pop("leportal_kdl_data", None)
        installed_kdl_table.cache_clear()


def test_core_works_without_the_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "leportal_kdl_data", None)  # import now fails as if absent
    installed_kdl_table.cache_clear()
    try:
        assert installed_kdl_table() is None
    finally:
        installed_kdl_table.cache_clear()


def test_distribution_is_found_and_complete(on_path: None) -> None:
    table = installed_kdl_table()
    assert table is not None
    assert len(table) == 483
    assert sum(e.type_code is None for e in table.entries.values()) == 32
    entry = table.get("AD010103")
    assert entry is not None
    assert (entry.type_code, entry.class_code) == ("BERI", "BRI")


def test_classify_uses_it_by_default(on_path: None) -> None:
    document = Document(
        title="OP-Bericht",
        media_type="application/pdf",
        created=dt.date(2026, 2, 3),
        content=b"%PDF-1.7",
        kdl_code="OP150103",
    )
    result = classify(document, new_plugin_manager())
    assert result.category is Category.HOSPITAL_REPORTS
    assert "leportal_kdl_data/kdl-2026.csv" in result.reason


def test_distribution_carries_its_licence() -> None:
    assert "GNU GENERAL PUBLIC LICENSE" in (DIST / "LICENSE").read_text(encoding="utf-8")
    assert 'license = "GPL-3.0-or-later"' in (DIST / "pyproject.toml").read_text()
    assert "kdl-2026.csv" in (DIST / "pyproject.toml").read_text()
