from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from leportal_kis_archive import IndexLayout, MdmConfig, read_export_folder

from .helpers import PDF, SAMPLES

HEADER = "datei;patient;fall;kdl;dokumenttyp;datum;titel;status\n"


def folder(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    export = tmp_path / "export"
    export.mkdir()
    (export / "a.pdf").write_bytes(PDF)
    (export / "index.csv").write_text(header + rows, encoding="utf-8")
    return export


def test_the_sample_export_folder() -> None:
    items = list(read_export_folder(SAMPLES / "archive" / "export"))
    assert [i.ok for i in items] == [True, True]
    first = items[0].document
    assert first is not None
    assert (first.title, first.kdl_code, first.created) == (
        "Entlassungsbericht Kardiologie",
        "AD010103",
        dt.date(2026, 2, 6),
    )
    assert (first.patient_id, first.case_id, first.path) == (
        "P-1001",
        "F-2026-000123",
        (SAMPLES / "archive" / "export" / "entlassungsbericht.pdf").resolve(),
    )
    assert first.content is None  # file-backed: nothing held in memory
    assert items[1].document is not None
    assert items[1].document.created == dt.date(2026, 2, 3)  # German date format


@pytest.mark.parametrize(
    "name",
    ["../a.pdf", "/etc/passwd", "sub/../../a.pdf", "..\\a.pdf", "C:\\a.pdf", "C:a.pdf"],
)
def test_paths_can_never_leave_the_export_folder(tmp_path: Path, name: str) -> None:
    (tmp_path / "a.pdf").write_bytes(PDF)
    export = folder(tmp_path, f"{name};P;F;AD010103;;2026-02-06;t;AU\n")
    [item] = read_export_folder(export)
    assert not item.ok
    assert item.problems[0].code == "kis_archive.index.path_outside"
    assert (item.problems[0].location.line, item.problems[0].location.field) == (2, "datei")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.pdf").write_bytes(PDF)
    export = folder(tmp_path, "link.pdf;P;F;AD010103;;2026-02-06;t;AU\n")
    (export / "link.pdf").symlink_to(tmp_path / "secret.pdf")
    [item] = read_export_folder(export)
    assert item.problems[0].code == "kis_archive.index.path_outside"


def test_bad_rows_are_reported_and_good_rows_still_read(tmp_path: Path) -> None:
    rows = (
        "fehlt.pdf;P;F;AD010103;;2026-02-06;t;AU\n"
        "a.pdf;P;F;AD010103;;31.02.2026;t;AU\n"
        "a.pdf;P;F;XX;;2026-02-06;t;AU\n"
        "a.pdf;P;F;;ELB;2026-02-06;t;AU\n"
        "a.pdf;P;F;;;2026-02-06;;IP\n"
    )
    items = list(read_export_folder(folder(tmp_path, rows)))
    assert [[p.code for p in i.problems] for i in items] == [
        ["kis_archive.index.file_missing"],
        ["kis_archive.index.date"],
        ["kis_archive.kdl.invalid"],
        ["kis_archive.kdl.unmapped"],
        [],
    ]
    assert [i.ok for i in items] == [False, False, False, True, True]
    assert items[4].deliverable is False  # IP = in progress
    assert items[4].document is not None
    assert items[4].document.title == "a"


def test_type_table_maps_local_types(tmp_path: Path) -> None:
    export = folder(tmp_path, "a.pdf;P;F;;ELB;2026-02-06;t;\n")
    [item] = read_export_folder(export, config=MdmConfig(type_table={"ELB": "AD010103"}))
    assert item.document is not None
    assert item.document.kdl_code == "AD010103"
    assert item.deliverable is True  # no status column value: the archive exported it as final


def test_missing_columns_and_unreadable_index(tmp_path: Path) -> None:
    [item] = read_export_folder(folder(tmp_path, "a.pdf\n", header="datei\n"))
    assert item.problems[0].code == "kis_archive.index.columns"
    shutil.rmtree(tmp_path / "export")
    (tmp_path / "export").mkdir()
    [item] = read_export_folder(tmp_path / "export")
    assert item.problems[0].code == "kis_archive.index.unreadable"


def test_a_layout_with_other_names(tmp_path: Path) -> None:
    export = tmp_path / "x"
    export.mkdir()
    (export / "b.pdf").write_bytes(PDF)
    (export / "liste.csv").write_text("file,date\nb.pdf,2026-01-02\n", encoding="utf-8")
    layout = IndexLayout(
        file_name="liste.csv", delimiter=",", column_file="file", column_date="date"
    )
    [item] = read_export_folder(export, layout=layout)
    assert item.document is not None
    assert item.document.created == dt.date(2026, 1, 2)
