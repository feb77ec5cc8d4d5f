"""Issue 16 points 8–11 and issue 21 point 5: what real archives send, and the delivery gate."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result

import leportal_core.cli
from leportal_core import FormatError, Severity
from leportal_core.plugins import new_plugin_manager, register_plugins
from leportal_kis_archive import ImportItem, MdmConfig, import_paths, plugin, read_message
from leportal_kis_archive.media import sniff_media_type

from .helpers import PDF, message_bytes
from .test_mdm_read import GOOD, OBX, replace

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)


def _encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="geheim", owner_password="geheim", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_content(content: bytes, ed: str = "^AP^PDF^Base64^") -> tuple[str, ...]:
    b64 = base64.b64encode(content).decode("ascii")
    return replace("OBX", f"OBX|1|ED|AD010103^Entlassungsbericht^KDL||{ed}{b64}||||||F")


def _import(tmp_path: Path, data: bytes, config: MdmConfig | None = None) -> list[ImportItem]:
    path = tmp_path / "in.hl7"
    path.write_bytes(data)
    return list(import_paths([path], config=config))


def _codes(item: ImportItem) -> list[str]:
    return [p.code for p in item.problems]


def _invoke(*args: str) -> Result:
    pm = new_plugin_manager()
    register_plugins(pm, [("kis_archive", plugin)])
    return CliRunner().invoke(leportal_core.cli.build_cli(pm), list(args))


# --- point 8 / issue 21.5 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ed", ["^IM^JPEG^Base64^", "^AP^^Base64^", "^AP^octet-stream^Base64^", "^TEXT^plain^Base64^"]
)
def test_point8_a_password_protected_pdf_declared_otherwise_is_never_deliverable(
    tmp_path: Path, ed: str
) -> None:
    (item,) = _import(tmp_path, message_bytes(*_with_content(_encrypted_pdf(), ed)))
    assert item.deliverable is False
    assert "pdf.encrypted" in _codes(item)
    assert item.document is None


def test_point8_declared_and_sniffed_types_that_disagree_are_a_problem(tmp_path: Path) -> None:
    (item,) = _import(tmp_path, message_bytes(*_with_content(PDF, "^IM^JPEG^Base64^")))
    mismatch = [p for p in item.problems if p.code == "kis_archive.content.type_mismatch"]
    assert len(mismatch) == 1
    assert "image/jpeg" in mismatch[0].message
    assert "application/pdf" in mismatch[0].message
    assert item.deliverable is False


def test_point8_a_clean_pdf_declared_generically_is_checked_and_deliverable(
    tmp_path: Path,
) -> None:
    (item,) = _import(tmp_path, message_bytes(*_with_content(PDF, "^AP^^Base64^")))
    assert item.deliverable is True, _codes(item)
    assert item.document is not None
    assert item.document.media_type == "application/pdf"


def test_point8_non_pdf_content_is_imported_but_never_deliverable(tmp_path: Path) -> None:
    (item,) = _import(tmp_path, message_bytes(*_with_content(JPEG, "^IM^JPEG^Base64^")))
    assert item.ok
    assert item.deliverable is False
    (problem,) = [p for p in item.problems if p.code == "kis_archive.content.not_pdf"]
    assert "cannot be verified" in problem.message
    assert (problem.location.segment, problem.location.field) == ("OBX", "OBX-5")


def test_point8_a_jpeg_declared_as_pdf_is_rejected(tmp_path: Path) -> None:
    (item,) = _import(tmp_path, message_bytes(*_with_content(JPEG)))
    assert {"kis_archive.content.type_mismatch", "pdf.not_pdf"} <= set(_codes(item))
    assert item.ok is False


@pytest.mark.parametrize("ed", ["^AP^PDF^Base64^", "^AP^^Base64^", "^IM^JPEG^Base64^"])
def test_issue21_point5_base64_cut_at_a_4_character_boundary_is_not_deliverable(
    tmp_path: Path, ed: str
) -> None:
    b64 = base64.b64encode(PDF).decode("ascii")
    cut = b64[: (len(b64) // 2) // 4 * 4]  # decodes cleanly, properly terminated message
    segments = replace("OBX", f"OBX|1|ED|AD010103^Entlassungsbericht^KDL||{ed}{cut}||||||F")
    (item,) = _import(tmp_path, message_bytes(*segments))
    assert item.deliverable is False
    assert "pdf.damaged" in _codes(item)


def test_issue21_point5_cut_non_pdf_content_says_completeness_cannot_be_verified(
    tmp_path: Path,
) -> None:
    b64 = base64.b64encode(JPEG * 4).decode("ascii")
    cut = b64[:40]
    segments = replace("OBX", f"OBX|1|ED|X^Foto||^IM^JPEG^Base64^{cut}||||||F")
    (item,) = _import(tmp_path, message_bytes(*segments))
    assert item.deliverable is False
    assert any(
        p.code == "kis_archive.content.not_pdf" and "cannot be verified" in p.message
        for p in item.problems
    )


def test_point8_sniffing_knows_the_common_archive_formats() -> None:
    assert sniff_media_type(b"junk\n%PDF-1.4") == "application/pdf"
    assert sniff_media_type(b"\x89PNG\r\n\x1a\nxx") == "image/png"
    assert sniff_media_type(b"II*\x00") == "image/tiff"
    assert sniff_media_type(b"\xef\xbb\xbf  <?xml version='1.0'?>") == "application/xml"
    assert sniff_media_type(b"Document medical") is None


# --- point 9 -------------------------------------------------------------------------------------


def test_point9_a_utf8_bom_before_msh_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + message_bytes(*GOOD)
    assert read_message(data).unique_id == "KH-DOK-1"
    assert read_message(b"\x0b\xef\xbb\xbf" + message_bytes(*GOOD) + b"\x1c\r").warnings == ()


def test_point9_messages_never_print_mojibake() -> None:
    with pytest.raises(FormatError) as info:
        read_message("ÄÖÜ|x\r".encode())
    message = info.value.problems[0].message
    assert "\\xc3\\x84" in message
    assert "Ã" not in message
    assert "?" not in message
    bad = message_bytes(*GOOD[:2], "Zé\x01|x", *GOOD[2:])
    with pytest.raises(FormatError) as info:
        read_message(bad)
    (segment,) = [p for p in info.value.problems if p.code == "kis_archive.segment.invalid"]
    assert "Z\\xc3\\xa9\\x01" in segment.message
    assert "Ã" not in segment.message


def test_point9_an_unsupported_non_ascii_charset_is_shown_escaped() -> None:
    msh = GOOD[0].replace("UNICODE UTF-8", "UTF-8ä")
    with pytest.raises(FormatError) as info:
        read_message(message_bytes(msh, *GOOD[1:]))
    (problem,) = [p for p in info.value.problems if p.code == "kis_archive.charset.unsupported"]
    assert "UTF-8\\xc3\\xa4" in problem.message
    assert "\ufffd" not in problem.message


# --- point 10 ------------------------------------------------------------------------------------


def test_point10_lenient_terminator_is_a_cli_switch_and_strict_by_default(tmp_path: Path) -> None:
    path = tmp_path / "engine-sample.hl7"
    path.write_bytes(message_bytes(*GOOD)[:-1])
    strict = _invoke("archive", "import", str(path), "--json")
    assert strict.exit_code == 1
    report = json.loads(strict.output)
    assert report["items"][0]["problems"][0]["code"] == "kis_archive.input.truncated"
    lenient = _invoke("archive", "import", "--lenient-terminator", str(path), "--json")
    assert lenient.exit_code == 0, lenient.output
    item = json.loads(lenient.output)["items"][0]
    assert item["deliverable"] is True
    assert [p["code"] for p in item["problems"]] == ["kis_archive.input.no_terminator"]
    assert item["problems"][0]["severity"] == "warning"


def test_point10_lenient_mode_still_refuses_an_open_mllp_frame() -> None:
    with pytest.raises(FormatError) as info:
        read_message(b"\x0b" + message_bytes(*GOOD), config=MdmConfig(require_terminator=False))
    assert info.value.problems[0].code == "kis_archive.input.truncated"


# --- point 11 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obx", "field"),
    [
        ("OBX|1|ED|AD010103^Entlassungsbericht^KDL||||||||F", "OBX-5"),
        ("OBX|1|ED|AD010103^Entlassungsbericht^KDL||^AP^PDF^Base64^||||||F", "OBX-5.5"),
    ],
)
def test_point11_an_empty_obx5_is_named_as_such(tmp_path: Path, obx: str, field: str) -> None:
    (item,) = _import(tmp_path, message_bytes(*replace("OBX", obx)))
    assert item.ok is False
    (problem,) = [p for p in item.problems if p.code == "kis_archive.obx5.empty"]
    assert problem.severity is Severity.ERROR
    assert (problem.location.segment, problem.location.field) == ("OBX", field)
    assert "empty" in problem.message
    assert "file" not in problem.message
    assert "pdf.empty" not in _codes(item)


def test_the_good_message_still_imports_deliverable(tmp_path: Path) -> None:
    assert OBX in GOOD
    (item,) = _import(tmp_path, message_bytes(*GOOD))
    assert item.deliverable is True
    assert item.problems == ()
