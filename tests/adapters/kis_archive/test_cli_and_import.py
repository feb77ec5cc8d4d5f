from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import leportal_core.cli
from leportal_core.demo import DemoContext, run_demo
from leportal_core.plugins import new_plugin_manager, register_plugins
from leportal_kis_archive import ImportSummary, import_paths, plugin
from leportal_kis_archive.importer import message_files

from .helpers import PDF, SAMPLES

ARCHIVE = SAMPLES / "archive"


def root() -> object:
    pm = new_plugin_manager()
    register_plugins(pm, [("kis_archive", plugin)])
    return leportal_core.cli.build_cli(pm)


def invoke(*args: str) -> object:
    return CliRunner().invoke(root(), list(args))  # type: ignore[arg-type]


def test_import_of_the_sample_archive_as_json() -> None:
    result = invoke("archive", "import", str(ARCHIVE / "export"), str(ARCHIVE / "mdm"), "--json")
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    report = json.loads(result.output)  # type: ignore[attr-defined]
    assert (report["imported"], report["rejected"], report["deliverable"]) == (5, 1, 4)
    states = {i["unique_id"]: i["version_state"] for i in report["items"] if "unique_id" in i}
    assert states["KH-DOK-2026-0815"] == "superseded"
    assert states["KH-DOK-2026-0816"] == "current"
    broken = report["items"][-1]
    assert broken["ok"] is False
    assert broken["problems"][0]["code"] == "kis_archive.input.truncated"
    assert broken["problems"][-1]["location"]["file"].endswith("04-abgeschnitten.hl7")


def test_import_of_good_files_exits_0_and_prints_people_lines() -> None:
    result = invoke("archive", "import", str(ARCHIVE / "mdm" / "01-entlassungsbericht.hl7"))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "Entlassungsbericht Kardiologie (vorläufig) (AD010103)" in result.output  # type: ignore[attr-defined]
    assert "1 imported (1 deliverable), 0 rejected" in result.output  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "junk", [b"", b"\x00" * 50, b"MSH|^~\\&|\r", b"%PDF-1.7", bytes(range(256))]
)
def test_junk_files_never_show_a_traceback(tmp_path: Path, junk: bytes) -> None:
    path = tmp_path / "junk.hl7"
    path.write_bytes(junk)
    result = invoke("archive", "import", str(path))
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    assert f"{path}: REJECTED" in result.output  # type: ignore[attr-defined]
    assert "    kis_archive." in result.output  # type: ignore[attr-defined]
    # A path that is not there is refused before anything is read, as by every command: exit 2.
    missing = invoke("archive", "import", str(path), str(tmp_path / "missing.hl7"))
    assert missing.exit_code == 2, missing.output  # type: ignore[attr-defined]
    assert "input.file.missing" in missing.output  # type: ignore[attr-defined]


def test_export_then_import_through_the_cli(tmp_path: Path) -> None:
    pdf = tmp_path / "bericht.pdf"
    pdf.write_bytes(PDF)
    out = tmp_path / "out"
    result = invoke(
        "archive",
        "export",
        str(pdf),
        "--out",
        str(out),
        "--patient",
        "P-7",
        "--case",
        "F-7",
        "--kdl",
        "AD010103",
        "--date",
        "2026-02-09",
        "--replaces",
        "KH-DOK-1",
        "--kvnr",
        "A123456780",
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "MDM^T10" in result.output  # type: ignore[attr-defined]
    assert [p.name for p in out.iterdir()] == ["bericht.hl7"]
    [item] = import_paths([out / "bericht.hl7"])
    assert item.ok
    assert item.deliverable
    assert item.document is not None
    assert item.message is not None
    assert item.document.read_bytes() == PDF
    assert (item.document.patient_id, item.document.case_id, item.message.parent_id) == (
        "P-7",
        "F-7",
        "KH-DOK-1",
    )


def test_export_rejects_a_bad_kdl_code(tmp_path: Path) -> None:
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(PDF)
    result = invoke("archive", "export", str(pdf), "--out", str(tmp_path / "o"), "--kdl", "nope")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "document.kdl_code.invalid" in result.output  # type: ignore[attr-defined]
    assert list((tmp_path / "o").iterdir()) == []


def test_a_folder_of_thousands_isolates_failures_and_holds_one_document(tmp_path: Path) -> None:
    good = (ARCHIVE / "mdm" / "01-entlassungsbericht.hl7").read_bytes()
    for n in range(300):
        (tmp_path / f"{n:04d}.hl7").write_bytes(good if n % 100 else good[:200])
    summary = ImportSummary()
    files: list[Path] = []
    previous = None
    for item in import_paths([tmp_path], on_file=files.append):
        summary.record(item)
        assert item is not previous
        previous = item
    assert (summary.imported, summary.rejected) == (297, 3)
    assert len(files) == 300
    assert message_files(tmp_path)[0].name == "0000.hl7"


def test_the_demo_chapters(tmp_path: Path) -> None:
    pm = new_plugin_manager()
    register_plugins(pm, [("kis_archive", plugin)])
    lines: list[str] = []
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    run_demo(DemoContext(samples=samples, out=tmp_path / "out", pm=pm, say=lines.append))
    text = "\n".join(lines)
    assert "version KH-DOK-2026-0815: superseded" in text
    assert "5 imported (4 deliverable), 1 rejected" in text
    assert "MDM^T02 for the archive" in text
    assert "read back intact: True" in text
