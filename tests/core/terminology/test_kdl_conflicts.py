"""Issue 16 point 17: KDL codes whose IHE-D typeCode and classCode point to different categories.

Run with ``-s`` to see the counts before and after the reviewed rows:
``pytest tests/core/terminology/test_kdl_conflicts.py -s``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from importlib import resources

import pytest

from leportal_core import Category, Document
from leportal_core.classification import classify
from leportal_core.plugins import new_plugin_manager
from leportal_core.terminology import CategoryTable, installed_kdl_table
from leportal_core.terminology.evv_kdl import KDL_CODE_TABLE

KDL = installed_kdl_table()
pytestmark = pytest.mark.skipif(KDL is None, reason="leportal-kdl-data is not installed")
KPA = Category.CHART_AND_CARE_RECORDS
ZUS = Category.ADDITIONAL


def _status() -> dict[str, str]:
    text = resources.files("leportal_kdl_data").joinpath("kdl-2026.csv").read_text("utf-8")
    return {r["code"]: r["status"] for r in csv.DictReader(io.StringIO(text))}


def _conflicts(table: CategoryTable) -> dict[str, tuple[str, str]]:
    assert KDL is not None
    found = {}
    for entry in KDL.entries.values():
        by_type = table.type_codes.get(entry.type_code or "")
        by_class = table.class_codes.get(entry.class_code or "")
        if by_type and by_class and by_type.category is not by_class.category:
            found[entry.code] = (entry.type_code or "", entry.class_code or "")
    return found


def _classify(code: str) -> object:
    document = Document(
        title="x", media_type="application/pdf", created=dt.date(2026, 2, 9), content=b"%PDF-1.7",
        kdl_code=code,
    )  # fmt: skip
    return classify(document, new_plugin_manager(), kdl=KDL)


def test_point17_every_conflict_is_reviewed_or_flagged_with_both_candidates() -> None:
    conflicts = _conflicts(CategoryTable())
    status = _status()
    active = [c for c in conflicts if status.get(c) == "active"]
    results = {code: _classify(code) for code in conflicts}
    settled = [c for c, r in results.items() if r.rule == "kdl.reviewed"]  # type: ignore[attr-defined]
    flagged = [c for c, r in results.items() if r.needs_review]  # type: ignore[attr-defined]
    print(
        f"\nKDL 2026: {len(KDL.entries)} level-3 codes ({sum(status.get(c) == 'active' for c in KDL.entries)} "  # type: ignore[union-attr]
        f"active); typeCode and classCode disagree for {len(conflicts)} ({len(active)} active)."
        f"\nbefore: {len(conflicts)} decided silently by the typeCode, 0 flagged for review"
        f"\nafter:  {len(settled)} settled by reviewed per-KDL rows, {len(flagged)} flagged "
        f"needs_review with both candidates, 0 silent"
        f"\nopen groups: {Counter(conflicts[c] for c in flagged).most_common()}"
    )
    assert len(settled) + len(flagged) == len(conflicts)
    for code in flagged:
        result = results[code]
        assert len(result.candidates) == 2  # type: ignore[attr-defined]
        for candidate in result.candidates:  # type: ignore[attr-defined]
            assert candidate.value in result.reason  # type: ignore[attr-defined]
        assert "classCode" in result.reason  # type: ignore[attr-defined]


def test_point17_reviewed_rows_are_real_conflicting_kdl_codes() -> None:
    conflicts = _conflicts(CategoryTable())
    assert set(KDL_CODE_TABLE) <= set(conflicts), set(KDL_CODE_TABLE) - set(conflicts)
    assert all(rule.rationale for rule in KDL_CODE_TABLE.values())


def test_point17_the_named_groups_land_where_the_audit_reads_them() -> None:
    conflicts = _conflicts(CategoryTable())
    assessments = [c for c, pair in conflicts.items() if pair == ("FUNK", "ASM")]
    assert len(assessments) == 15
    assert {_classify(c).category for c in assessments} == {KPA}  # type: ignore[attr-defined]
    # pain, fall risk, sepsis, OP counting protocol
    for code in ("VL010103", "SD070204", "VL010109", "OP150108"):
        assert _classify(code).category is KPA  # type: ignore[attr-defined]
    assert _classify("OP150103").category is Category.HOSPITAL_REPORTS  # type: ignore[attr-defined]


def test_point17_consent_forms_follow_one_rule() -> None:
    assert KDL is not None
    consents = [e.code for e in KDL.entries.values() if e.type_code == "EINW"] + ["AM010301"]
    assert len(consents) > 10
    assert {_classify(c).category for c in consents} == {ZUS}  # type: ignore[attr-defined]
