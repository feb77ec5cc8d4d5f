"""Classification order (hook → KDL → IHE-D table → fallback), tables and the KDL loader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leportal_core import Category, Classification, Document, hookimpl
from leportal_core.classification import classify
from leportal_core.errors import ConfigurationError
from leportal_core.plugins import new_plugin_manager, register_plugins
from leportal_core.terminology import (
    CLASS_CODE_TABLE,
    TYPE_CODE_TABLE,
    CategoryRule,
    CategoryTable,
    class_codes,
    load_kdl_csv,
    parse_kdl_csv,
    type_codes,
)

DATA = Path(__file__).parent / "data"
KDL = load_kdl_csv(DATA / "kdl-subset.csv")


def doc(kdl_code: str | None = None, title: str = "Dokument") -> Document:
    return Document(
        title=title,
        media_type="application/pdf",
        created=dt.date(2026, 2, 9),
        content=b"%PDF-1.7",
        kdl_code=kdl_code,
    )


def test_ihe_value_sets_are_complete_and_the_table_covers_them() -> None:
    assert len(class_codes()) == 16
    assert len(type_codes()) == 40
    assert set(TYPE_CODE_TABLE) == set(type_codes())
    assert set(CLASS_CODE_TABLE) == set(class_codes())
    assert all(rule.rationale for rule in [*TYPE_CODE_TABLE.values(), *CLASS_CODE_TABLE.values()])


def test_kdl_subset_loads_level_three_codes_only() -> None:
    assert KDL.get("AD0101") is None  # a subclass does not classify
    entry = KDL.get("AD010103")
    assert entry is not None
    assert (entry.display, entry.type_code, entry.class_code) == (
        "Entlassungsbericht intern",
        "BERI",
        "BRI",
    )
    unk = KDL.get("UB140101")
    assert unk is not None
    assert (unk.type_code, unk.class_code) == (None, None)


@pytest.mark.parametrize(
    ("code", "category", "rule"),
    [
        ("AD010103", Category.HOSPITAL_REPORTS, "ihe-d.typeCode"),  # BERI
        ("OP150103", Category.HOSPITAL_REPORTS, "kdl.reviewed"),  # OPDK/DUR: reviewed row
        ("VL160106", Category.CHART_AND_CARE_RECORDS, "ihe-d.typeCode"),  # PFLG
        ("DG020103", Category.TECHNICAL_AND_LAB_FINDINGS, "ihe-d.typeCode"),  # BILD
        ("PT080102", Category.TECHNICAL_AND_LAB_FINDINGS, "ihe-d.typeCode"),  # PATH
    ],
)
def test_kdl_code_decides_through_the_table(code: str, category: Category, rule: str) -> None:
    result = classify(doc(code), new_plugin_manager(), kdl=KDL)
    assert (result.category, result.rule, result.needs_review) == (category, rule, False)
    assert f"KDL {code}" in result.reason


def test_unk_kdl_code_falls_back_for_review_and_says_why() -> None:
    result = classify(doc("UB140101"), new_plugin_manager(), kdl=KDL)
    assert (result.category, result.rule, result.needs_review) == (
        Category.ADDITIONAL,
        "builtin.fallback",
        True,
    )
    assert "UNK" in result.reason


def test_without_kdl_table_host_codes_decide_typecode_before_classcode() -> None:
    pm = new_plugin_manager()
    result = classify(doc("AD010103"), pm, kdl=None, type_code="PFLG", class_code="BRI")
    assert (result.category, result.rule) == (Category.CHART_AND_CARE_RECORDS, "ihe-d.typeCode")
    result = classify(doc(), pm, kdl=None, class_code="LAB")
    assert (result.category, result.rule) == (
        Category.TECHNICAL_AND_LAB_FINDINGS,
        "ihe-d.classCode",
    )
    fallback = classify(doc("AD010103"), pm, kdl=None)
    assert fallback.rule == "builtin.fallback"
    assert "no KDL table is loaded" in fallback.reason


def test_host_hook_wins_over_the_tables() -> None:
    class Hospital:
        @hookimpl
        def leportal_classify_document(self, document: Document) -> Classification | None:
            return Classification(
                category=Category.ADDITIONAL, rule="host.archive", reason="archive type 17"
            )

    pm = new_plugin_manager()
    register_plugins(pm, [("hospital", Hospital())])
    assert classify(doc("AD010103"), pm, kdl=KDL).rule == "host.archive"


def test_table_overrides_replace_rows_and_reject_unknown_codes() -> None:
    house = CategoryRule(category=Category.CHART_AND_CARE_RECORDS, rationale="house rule")
    table = CategoryTable().with_overrides(type_codes={"BILD": house})
    result = classify(doc("DG020101"), new_plugin_manager(), kdl=KDL, table=table)  # BILD/ANF
    assert result.category is Category.CHART_AND_CARE_RECORDS
    assert "house rule" in result.reason
    # a per-KDL row is more specific than a typeCode row: the hospital overrides it as such
    table = CategoryTable().with_overrides(kdl_codes={"OP150103": house})
    result = classify(doc("OP150103"), new_plugin_manager(), kdl=KDL, table=table)
    assert (result.category, result.rule) == (Category.CHART_AND_CARE_RECORDS, "kdl.reviewed")
    with pytest.raises(ConfigurationError):
        CategoryTable().with_overrides(kdl_codes={"OP15": house})
    with pytest.raises(ConfigurationError) as caught:
        CategoryTable().with_overrides(
            class_codes={"XYZ": CategoryRule(category=Category.ADDITIONAL, rationale="x")}
        )
    assert caught.value.code == "terminology.table.unknown_code"


@given(
    kdl_code=st.sampled_from([None, *KDL.entries, "ZZ999999"]),
    type_code=st.sampled_from([None, "UNK", *type_codes()]),
    class_code=st.sampled_from([None, "UNK", *class_codes()]),
)
def test_every_document_lands_in_exactly_one_category(
    kdl_code: str | None, type_code: str | None, class_code: str | None
) -> None:
    pm = new_plugin_manager()
    first = classify(doc(kdl_code), pm, kdl=KDL, type_code=type_code, class_code=class_code)
    again = classify(doc(kdl_code), pm, kdl=KDL, type_code=type_code, class_code=class_code)
    assert first == again
    assert isinstance(first.category, Category)
    assert first.rule in {"kdl.reviewed", "ihe-d.typeCode", "ihe-d.classCode", "builtin.fallback"}
    assert first.needs_review == (first.rule == "builtin.fallback" or bool(first.candidates))
    if first.candidates:  # a disagreement: the chosen category first, the other named
        assert first.candidates[0] is first.category
        assert len(set(first.candidates)) == 2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("code,display\nAD010103,x\n", "terminology.kdl.columns"),
        (
            "code,display,level,xds_typecode,xds_classcode\nAD01,x,code,BERI,BRI\n",
            "terminology.kdl.code",
        ),
        (
            "code,display,level,xds_typecode,xds_classcode\n"
            "AD010103,x,code,BERI,BRI\nAD010103,y,code,BERI,BRI\n",
            "terminology.kdl.duplicate",
        ),
    ],
)
def test_bad_kdl_tables_are_configuration_errors(text: str, code: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_kdl_csv(text, source="host.csv")
    assert caught.value.code == code


def test_unreadable_and_non_utf8_kdl_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_kdl_csv(tmp_path / "missing.csv")
    assert caught.value.code == "terminology.kdl.unreadable"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("code,display\nÄ".encode("latin-1"))
    with pytest.raises(ConfigurationError) as caught:
        load_kdl_csv(latin)
    assert caught.value.code == "terminology.kdl.encoding"
