"""Unterlagenlieferung: plan (check, classify, match), folder, manifest, atomicity, deadline."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core import Category, Document
from leportal_core.delivery import (
    CATEGORY_FOLDERS,
    DeadlineState,
    DeliveryDocument,
    DeliveryRequest,
    RequestedItem,
    build_folder,
    deadline_status,
    load_request,
    manifest_bytes,
    plan_delivery,
    safe_stem,
    unique_names,
)
from leportal_core.delivery import folder as folder_module
from leportal_core.errors import ConfigurationError, FormatError, StorageError, ValidationError
from leportal_core.plugins import new_plugin_manager
from tests.core.pdf import makepdf

TODAY = dt.date(2026, 3, 2)


def plan_for(archive: Path):  # type: ignore[no-untyped-def]
    return plan_delivery(
        load_request(archive / "anforderung.json"), new_plugin_manager(), today=TODAY, kdl=None
    )


def test_sample_request_is_checked_classified_and_matched(archive: Path) -> None:
    plan = plan_for(archive)
    assert [c.source.id for c in plan.accepted] == ["ARC-1001", "ARC-1003", "ARC-1005"]
    assert {c.source.id: [p.code for p in c.verdict.problems] for c in plan.rejected} == {
        "ARC-1002": ["pdf.encrypted"],
        "ARC-1004": ["pdf.damaged"],
    }
    assert [c.classification.category for c in plan.accepted] == [
        Category.HOSPITAL_REPORTS,
        Category.CHART_AND_CARE_RECORDS,
        Category.TECHNICAL_AND_LAB_FINDINGS,
    ]
    assert {(m.item_id, m.document_id, m.rule) for m in plan.matches} == {
        ("1", "ARC-1001", "kdl"),
        ("3", "ARC-1003", "category"),
        ("5", "ARC-1005", "category"),
    }
    assert [i.id for i in plan.missing] == ["2", "4"]
    assert plan.extra == ()
    assert not plan.complete
    assert {p.code for p in plan.problems()} == {
        "delivery.document.rejected",
        "delivery.item.missing",
    }
    assert (plan.deadline.days_left, plan.deadline.state) == (28, DeadlineState.OPEN)


def test_folder_layout_and_manifest(archive: Path, tmp_path: Path) -> None:
    plan = plan_for(archive)
    out = build_folder(plan, tmp_path / "lieferung")
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        "1_KH-Berichte/Entlassungsbericht.pdf",
        "2_Kurve-Pflege-Arzt-Doku/Pflegedokumentation.pdf",
        "3_Technische-Laborbefunde/Laborbefund_Troponin.pdf",
        "manifest.json",
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reference"] == "MD-2026-004711"
    assert manifest["created"] is None
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["pages"] == 1
    assert [e["document_id"] for e in manifest["files"]] == ["ARC-1001", "ARC-1003", "ARC-1005"]
    assert [r["document_id"] for r in manifest["rejected"]] == ["ARC-1002", "ARC-1004"]
    assert [m["id"] for m in manifest["missing"]] == ["2", "4"]


def test_rerun_gives_a_byte_identical_manifest_and_replaces_the_folder(
    archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "lieferung"
    first = (build_folder(plan_for(archive), out) / "manifest.json").read_bytes()
    (out / "1_KH-Berichte" / "Entlassungsbericht.pdf").write_bytes(b"edited by hand")
    second = (build_folder(plan_for(archive), out) / "manifest.json").read_bytes()
    assert first == second
    assert b"edited by hand" not in (out / "1_KH-Berichte" / "Entlassungsbericht.pdf").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lieferung.lock", "archive", "lieferung"]


def test_a_file_added_to_a_delivery_folder_is_never_deleted(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "lieferung"
    build_folder(plan_for(archive), out)
    (out / "notiz.txt").write_text("from the user")
    with pytest.raises(ConfigurationError) as caught:
        build_folder(plan_for(archive), out)
    assert caught.value.code == "delivery.output.foreign"
    assert "notiz.txt" in caught.value.problems[0].message
    assert (out / "notiz.txt").read_text() == "from the user"


def test_injected_failure_midway_leaves_the_old_folder(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "lieferung"
    build_folder(plan_for(archive), out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = []
    real_copy = folder_module._copy_file

    def failing_copy(source, target):  # type: ignore[no-untyped-def]
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_copy(source, target)

    monkeypatch.setattr(folder_module, "_copy_file", failing_copy)
    with pytest.raises(StorageError) as caught:  # a full disk is not a setting
        build_folder(plan_for(archive), out)
    assert caught.value.code == "delivery.output.failed"
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lieferung.lock", "archive", "lieferung"]


def test_a_crash_between_the_renames_is_recovered(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "lieferung"
    build_folder(plan_for(archive), out)
    manifest = (out / "manifest.json").read_bytes()
    # Simulate a crash after "out → .previous" and with a half-written ".partial" left behind.
    out.rename(tmp_path / ".lieferung.previous")
    (tmp_path / ".lieferung.partial" / "1_KH-Berichte").mkdir(parents=True)
    (tmp_path / ".lieferung.partial" / "1_KH-Berichte" / "half.pdf").write_bytes(b"%PDF-")
    folder_module._recover(out)
    assert (out / "manifest.json").read_bytes() == manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lieferung.lock", "archive", "lieferung"]


def test_a_file_changed_after_the_check_is_refused(archive: Path, tmp_path: Path) -> None:
    plan = plan_for(archive)
    (archive / "laborbefund.pdf").write_bytes(makepdf.simple())
    with pytest.raises(ValidationError) as caught:
        build_folder(plan, tmp_path / "lieferung")
    assert caught.value.code == "delivery.source_changed"
    assert not (tmp_path / "lieferung").exists()


def _request(titles: list[str]) -> DeliveryRequest:
    data = makepdf.simple()
    return DeliveryRequest(
        reference="R-1",
        requested=[
            RequestedItem(id="1", label="Befunde", category=Category.TECHNICAL_AND_LAB_FINDINGS)
        ],
        documents=[
            DeliveryDocument(
                id=f"D{i}",
                document=Document(
                    title=t, media_type="application/pdf", created=TODAY, content=data
                ),
                class_code=["LAB", "BRI", "DUR", None][i % 4],
            )
            for i, t in enumerate(titles)
        ],
        due=dt.date(2026, 3, 1),
    )


titles = st.lists(
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(
        lambda t: t.strip()
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40)  # expensive examples
@given(names=titles)
def test_manifest_is_deterministic_and_names_are_safe_and_unique(names: list[str]) -> None:
    request = _request(names)
    reversed_request = DeliveryRequest(
        reference=request.reference,
        requested=request.requested,
        documents=tuple(reversed(request.documents)),
        due=request.due,
    )
    pm = new_plugin_manager()
    first = manifest_bytes(plan_delivery(request, pm, today=TODAY, kdl=None))
    second = manifest_bytes(plan_delivery(reversed_request, pm, today=TODAY, kdl=None))
    assert first == second
    paths = [f["path"] for f in json.loads(first)["files"]]
    assert len(paths) == len(names)  # every document lands exactly once
    assert len({p.lower() for p in paths}) == len(paths)
    for path in paths:
        folder, name = path.split("/")
        assert folder in CATEGORY_FOLDERS.values()
        assert name.endswith(".pdf")
        assert not name.startswith(".")
        assert all(c.isascii() and (c.isalnum() or c in "._-") for c in name)


def test_overdue_deadline_and_extra_documents() -> None:
    plan = plan_delivery(_request(["Labor", "Brief"]), new_plugin_manager(), today=TODAY, kdl=None)
    assert plan.deadline.state is DeadlineState.OVERDUE
    assert plan.deadline.days_left == -1
    assert plan.extra == ("D1",)
    assert deadline_status(None, TODAY).state is DeadlineState.NO_DEADLINE
    assert deadline_status(TODAY, TODAY).state is DeadlineState.DUE_TODAY


def test_safe_names() -> None:
    assert safe_stem("..\\..\\Windows\\system32") == "Windows_system32"
    assert safe_stem("COM1.txt") == "COM1_.txt"
    assert safe_stem("CON.txt") == "CON_.txt"  # not CON.txt_.pdf: Windows still reserves that
    assert safe_stem("lpt9.tar.gz") == "lpt9_.tar.gz"
    assert safe_stem("CONSOLE.txt") == "CONSOLE.txt"
    assert safe_stem("Überweisung.PDF") == "Ueberweisung"
    assert safe_stem("\u2028\u00a0") == "dokument"
    assert unique_names(["x", "x-2", "x"]) == ["x.pdf", "x-2.pdf", "x-3.pdf"]


def test_bad_request_files_report_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(
            {
                "reference": "R-1",
                "due": "30.03.2026",
                "requested": [{"id": "1", "category": "XYZ"}],
                "documents": [{"id": "D1", "path": "missing.pdf"}],
            }
        )
    )
    with pytest.raises(FormatError) as caught:
        load_request(path)
    assert {p.code for p in caught.value.problems} == {
        "delivery.request.date",
        "delivery.request.category",
        "document.path.missing",
        "document.created.type",  # a missing file has no date to default to
    }
    path.write_text("{")
    with pytest.raises(FormatError) as caught:
        load_request(path)
    assert caught.value.code == "delivery.request.json"
