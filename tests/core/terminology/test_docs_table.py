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
