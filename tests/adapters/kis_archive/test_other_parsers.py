"""Our exported messages parse with independent HL7 libraries, with the fields where they belong."""

from __future__ import annotations

import base64

import pytest

from leportal_kis_archive import ArchiveMessage, MdmEvent, encode_message

from .helpers import PDF, clock, pdf_document

MESSAGE = ArchiveMessage(
    event=MdmEvent.T10,
    unique_id="KH-DOK-2",
    parent_id="KH-DOK-1",
    document=pdf_document(title="Entlassungsbericht „Müller“ | Station 3"),
    completion_status="LA",
    confidentiality="N",
    kvnr="A123456780",
)


def test_hl7apy_reads_our_message_in_tolerant_mode() -> None:
    parser = pytest.importorskip("hl7apy.parser")
    consts = pytest.importorskip("hl7apy.consts")
    text = encode_message(MESSAGE, clock=clock).decode("utf-8")
    message = parser.parse_message(text, validation_level=consts.VALIDATION_LEVEL.TOLERANT)
    assert message.name == "MDM_T02"
    assert message.msh.msh_9.to_er7() == "MDM^T10^MDM_T02"
    assert message.msh.msh_18.to_er7() == "UNICODE UTF-8"
    assert message.txa.txa_12.to_er7() == "KH-DOK-2"
    assert message.txa.txa_13.to_er7() == "KH-DOK-1"
    assert message.txa.txa_17.to_er7() == "LA"
    assert message.pv1.pv1_19.to_er7() == "F-2026-000123"
    obx = message.mdm_t02_observation.obx
    assert obx.obx_2.to_er7() == "ED"
    assert obx.obx_3.to_er7() == "AD010103^Entlassungsbericht „Müller“ \\F\\ Station 3^KDL"
    ed = obx.obx_5
    assert [c.to_er7() for c in ed.children[1:4]] == ["AP", "PDF", "Base64"]
    assert base64.b64decode(ed.children[4].to_er7()) == PDF


def test_python_hl7_reads_our_message() -> None:
    hl7 = pytest.importorskip(
        "hl7",
        reason="the independent parser 'hl7' (PyPI) is not installed; it is in the test extra",
    )
    message = hl7.parse(encode_message(MESSAGE, clock=clock).decode("utf-8"))
    assert str(message.segment("MSH")[9]) == "MDM^T10^MDM_T02"
    txa = message.segment("TXA")
    assert (str(txa[12]), str(txa[13]), str(txa[17])) == ("KH-DOK-2", "KH-DOK-1", "LA")
    assert str(message.segment("PV1")[19]) == "F-2026-000123"
    obx = message.segment("OBX")
    assert str(obx[2]) == "ED"
    assert str(obx[5][0][1]) == "AP"
    assert str(obx[5][0][3]) == "Base64"
    assert base64.b64decode(str(obx[5][0][4])) == PDF
    pid3 = message.segment("PID")[3]
    assert [str(rep[0]) for rep in pid3] == ["P-1001", "A123456780"]
