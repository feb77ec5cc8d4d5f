"""Doc-drift test: docs/documents.md shows exactly the category table the code uses."""

from __future__ import annotations

import re
from pathlib import Path

from leportal_core.terminology import CLASS_CODE_TABLE, TYPE_CODE_TABLE

DOC = Path(__file__).resolve().parents[3] / "docs" / "documents.md"


def test_category_table_in_docs_matches_the_code() -> None:
    rows = re.findall(
        r"^\| `([A-Z]{3,4})` \| [^|]+ \| (KHB|KPA|TLB|ZUS) \|", DOC.read_text("utf-8"), re.M
    )
    expected = [(c, r.category.value) for c, r in {**TYPE_CODE_TABLE, **CLASS_CODE_TABLE}.items()]
    assert sorted(rows) == sorted(expected)


def test_reviewed_kdl_rows_in_docs_match_the_code() -> None:
    from leportal_core.terminology.evv_kdl import KDL_CODE_TABLE

    text = DOC.read_text("utf-8")
    documented = {}
    for category, codes in re.findall(r"^\| (KHB|KPA|TLB|ZUS) \| [^|]+ \| ([^|]+) \|$", text, re.M):
        for code in re.findall(r"`([A-Z]{2}[0-9]{6})`", codes):
            documented[code] = category
    assert documented == {c: r.category.value for c, r in KDL_CODE_TABLE.items()}
