from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leportal_core import Category, Document, ValidationError

TODAY = dt.date(2026, 2, 9)


def make(**changes: object) -> Document:
    fields: dict[str, object] = {
        "title": "Arztbrief",
        "media_type": "application/pdf",
        "created": TODAY,
        "content": b"%PDF-1.7",
    }
    fields.update(changes)
    return Document(**fields)  # type: ignore[arg-type]


@given(st.binary(max_size=4096))
def test_size_and_sha256_are_derived_from_content(content: bytes) -> None:
    document = make(content=content)
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.read_bytes() == content
    assert b"".join(document.iter_chunks(7)) == content


def test_file_backed_document_streams_the_same_digest(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # > 2 chunks
    path = tmp_path / "Kurve 2026.pdf"
    path.write_bytes(data)
    document = Document.from_path(path, created=TODAY)
    assert document.title == "Kurve 2026"
    assert document.media_type == "application/pdf"
    assert (document.size, document.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert document.read_bytes() == data
    assert document.content is None


def test_missing_file_is_a_validation_problem(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        Document.from_path(tmp_path / "nope.pdf")
    codes = {p.code for p in caught.value.problems}
    assert "document.path.missing" in codes


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        Document(
            title=" ",
            media_type="PDF",
            created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            content=b"x",
            kdl_code="ad010103",
            patient_id="a\x00b",
        )
    codes = sorted(p.code for p in caught.value.problems)
    assert codes == [
        "document.created.type",
        "document.kdl_code.invalid",
        "document.media_type.invalid",
        "document.patient_id.characters",
        "document.title.empty",
    ]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"content": None}, "document.content.source"),
        ({"path": Path("x.pdf")}, "document.content.source"),
        ({"content": "text"}, "document.content.type"),
        ({"title": 42}, "document.title.type"),
        ({"title": "x" * 1025}, "document.title.too_long"),
        ({"title": "a\ud800b"}, "document.title.characters"),
        ({"case_id": "c" * 129}, "document.case_id.too_long"),
        ({"title": None}, "document.title.missing"),
    ],
)
def test_each_field_rule_has_a_code(changes: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make(**changes)
    assert code in {p.code for p in caught.value.problems}


def test_repr_does_not_dump_content() -> None:
    assert "<8 bytes>" in repr(make())


def test_categories_carry_portal_labels_and_evv_names() -> None:
    assert [c.value for c in Category] == ["KHB", "KPA", "TLB", "ZUS"]
    assert Category.HOSPITAL_REPORTS.label == "KH-Berichte"
    assert Category.CHART_AND_CARE_RECORDS.evv_name == "Kurve, Pflege- oder Arzt-Doku"
    assert Category.ADDITIONAL.label == "Zusätzliche Informationen"


def test_equality_is_by_value_not_by_storage(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.7")
    on_disk = Document.from_path(path, title="Arztbrief", created=TODAY)
    assert on_disk == make()
    assert hash(on_disk) == hash(make())
    assert on_disk != make(content=b"%PDF-1.6")
