from __future__ import annotations

import base64
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leportal_core import FormatError, Severity
from leportal_kis_archive import KdlSource, MdmConfig, MdmEvent, iter_messages, read_message

from .helpers import DATA, PDF, message_bytes

B64 = base64.b64encode(PDF).decode("ascii")
MSH = "MSH|^~\\&|KIS|KH|ARCHIV|KH|20260209120000||MDM^T02^MDM_T02|C1|P|2.5|||||DEU|UNICODE UTF-8"
EVN = "EVN|T02|20260209120000"
PID = "PID|1||P-1001^^^KH^PI~A123456780^^^GKV^KVNR||Mustermann^Max"
PV1 = "PV1|1|I|||||||||||||||||F-2026-000123"
TXA = "TXA|1|ELB|AP|20260206||20260205||||||KH-DOK-1|||||AU|N"
OBX = f"OBX|1|ED|AD010103^Entlassungsbericht^KDL||^AP^PDF^Base64^{B64}||||||F"
GOOD = (MSH, EVN, PID, PV1, TXA, OBX)


def replace(segment_id: str, new: str | None) -> tuple[str, ...]:
    out = []
    for segment in GOOD:
        if segment.startswith(segment_id):
            if new is not None:
                out.append(new)
        else:
            out.append(segment)
    return tuple(out)


def test_the_public_ans_example_is_read_with_its_fields() -> None:
    message = read_message((DATA / "ans-fr-MDM_T02-v2.6-ED-CDA-small.er7").read_bytes())
    assert message.event is MdmEvent.T02
    assert message.unique_id == "1.2.250.1.71.4.2.2.120456789.71024000081"
    assert (message.document_type, message.completion_status, message.deliverable) == (
        "18748-4",
        "AU",
        True,
    )
    document = message.document
    assert document is not None
    assert document.content == b"Document medcial au format CDA niveau 1"
    assert document.media_type == "text/xml"
    assert document.title == "CR d'imagerie médicale"
    assert document.created == dt.date(2022, 12, 16)
    assert (document.patient_id, document.case_id) == ("279035121518989", "000897406")


def test_a_good_message_maps_every_field() -> None:
    message = read_message(message_bytes(*GOOD))
    assert (message.unique_id, message.parent_id, message.kvnr) == ("KH-DOK-1", None, "A123456780")
    assert (message.confidentiality, message.control_id, message.warnings) == ("N", "C1", ())
    document = message.document
    assert document is not None
    assert document.content == PDF
    assert document.media_type == "application/pdf"
    assert (document.kdl_code, document.title, document.created) == (
        "AD010103",
        "Entlassungsbericht",
        dt.date(2026, 2, 6),
    )
    assert (document.patient_id, document.case_id) == ("P-1001", "F-2026-000123")


@pytest.mark.parametrize("sep", ["\n", "\r\n", "\r"])
def test_segment_separators_are_normalised(sep: str) -> None:
    message = read_message(message_bytes(*GOOD, sep=sep))
    assert message.document is not None
    assert message.document.content == PDF


def test_mllp_framed_input_is_accepted() -> None:
    assert read_message(b"\x0b" + message_bytes(*GOOD) + b"\x1c\r").unique_id == "KH-DOK-1"


def test_latin1_declared_in_msh18_is_decoded() -> None:
    msh = MSH.replace("UNICODE UTF-8", "8859/1")
    obx = OBX.replace("Entlassungsbericht", "Ärztlicher Bericht")
    data = ("\r".join(replace("OBX", obx)) + "\r").replace(MSH, msh).encode("latin-1")
    message = read_message(data)
    assert message.document is not None
    assert message.document.title == "Ärztlicher Bericht"


def test_utf8_bytes_under_a_latin1_declaration_are_not_an_error_but_utf8_under_utf8_is_checked() -> (
    None
):
    bad = message_bytes(*replace("OBX", OBX.replace("Entlassungsbericht", "Bericht"))).replace(
        b"Bericht", b"Bericht \xff"
    )
    with pytest.raises(FormatError) as info:
        read_message(bad)
    assert info.value.code == "kis_archive.charset.undecodable"
    assert info.value.problems[0].location.field == "OBX-3.2"


def test_kdl_from_txa2_and_from_a_type_table() -> None:
    txa = TXA.replace("|ELB|", "|AD010103|")
    config = MdmConfig(kdl_source=KdlSource.TXA2)
    obx = OBX.replace("AD010103^Entlassungsbericht^KDL", "X^Entlassungsbericht^L")
    document = read_message(message_bytes(*replace("TXA", txa)[:-1], obx), config=config).document
    assert document is not None
    assert document.kdl_code == "AD010103"
    table = MdmConfig(kdl_source=KdlSource.TABLE, type_table={"ELB": "AD010103"})
    document = read_message(message_bytes(*replace("OBX", obx)), config=table).document
    assert document is not None
    assert document.kdl_code == "AD010103"
    unknown = read_message(
        message_bytes(*replace("OBX", obx)), config=MdmConfig(kdl_source=KdlSource.TABLE)
    )
    assert unknown.document is not None
    assert unknown.document.kdl_code is None
    assert [(w.code, w.severity) for w in unknown.warnings] == [
        ("kis_archive.kdl.unmapped", Severity.WARNING)
    ]


def test_only_authenticated_documents_are_deliverable_by_default() -> None:
    draft = read_message(message_bytes(*replace("TXA", TXA.replace("|AU|", "|IP|"))))
    assert draft.deliverable is False
    legal = read_message(message_bytes(*replace("TXA", TXA.replace("|AU|", "|LA|"))))
    assert legal.deliverable is True


def test_a_bad_kvnr_is_a_warning() -> None:
    message = read_message(message_bytes(*replace("PID", PID.replace("A123456780", "A123456781"))))
    assert [w.code for w in message.warnings] == ["kis_archive.kvnr.invalid"]


def test_replacement_and_cancel() -> None:
    t10 = (
        MSH.replace("T02^MDM_T02", "T10^MDM_T02"),
        *GOOD[1:4],
        TXA.replace("KH-DOK-1||", "KH-DOK-2|KH-DOK-1|"),
        OBX,
    )
    message = read_message(message_bytes(*t10))
    assert (message.event, message.unique_id, message.parent_id) == (
        MdmEvent.T10,
        "KH-DOK-2",
        "KH-DOK-1",
    )
    t11 = (MSH.replace("T02^MDM_T02", "T11^MDM_T01"), *GOOD[1:5])
    cancel = read_message(message_bytes(*t11))
    assert (cancel.event, cancel.document) == (MdmEvent.T11, None)


BROKEN = {
    "no MSH": (replace("MSH", None), "kis_archive.msh.missing", 1, "EVN", None),
    "wrong MSH-9": (
        (MSH.replace("MDM^T02^MDM_T02", "ADT^A01^ADT_A01"), *GOOD[1:]),
        "kis_archive.msh9.unsupported",
        1,
        "MSH",
        "MSH-9",
    ),
    "missing TXA": (replace("TXA", None), "kis_archive.txa.missing", 1, "MSH", None),
    "bad base64": (
        replace("OBX", OBX.replace(B64[:8], "!!!!" + B64[4:8])),
        "kis_archive.ed.base64",
        6,
        "OBX",
        "OBX-5.5",
    ),
    "OBX without ED": (
        replace("OBX", "OBX|1|TX|AD010103^Bericht^KDL||Freitext||||||F"),
        "kis_archive.obx.not_ed",
        6,
        "OBX",
        "OBX-2",
    ),
    "no OBX": (replace("OBX", None), "kis_archive.obx.missing", 1, "MSH", None),
    "not base64 encoded": (
        replace("OBX", OBX.replace("^Base64^", "^Hex^")),
        "kis_archive.ed.encoding",
        6,
        "OBX",
        "OBX-5.4",
    ),
    "no TXA-12": (
        replace("TXA", TXA.replace("KH-DOK-1", "")),
        "kis_archive.txa12.missing",
        5,
        "TXA",
        "TXA-12",
    ),
    "T10 without parent": (
        (MSH.replace("T02^MDM_T02", "T10^MDM_T02"), *GOOD[1:]),
        "kis_archive.txa13.missing",
        5,
        "TXA",
        "TXA-13",
    ),
    "bad date": (
        replace("TXA", TXA.replace("20260206", "20261306")),
        "kis_archive.date.invalid",
        5,
        "TXA",
        "TXA-4",
    ),
    "unknown charset": (
        (MSH.replace("UNICODE UTF-8", "EBCDIC"), *GOOD[1:]),
        "kis_archive.charset.unsupported",
        1,
        "MSH",
        "MSH-18",
    ),
    "broken MSH-2": (("MSH|^^|x", *GOOD[1:]), "kis_archive.msh.invalid", 1, "MSH", "MSH-2"),
    "garbage segment": (
        (*GOOD[:3], "\x00\x01garbage", *GOOD[3:]),
        "kis_archive.segment.invalid",
        4,
        None,
        None,
    ),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_messages_give_problem_codes_with_locations(name: str) -> None:
    segments, code, line, segment, field = BROKEN[name]
    with pytest.raises(FormatError) as info:
        read_message(message_bytes(*segments), file="in.hl7")
    problem = next(p for p in info.value.problems if p.code == code)
    assert (problem.location.file, problem.location.line) == ("in.hl7", line)
    assert (problem.location.segment, problem.location.field) == (segment, field)


def test_every_truncation_is_rejected_with_a_location() -> None:
    data = message_bytes(*GOOD)
    for cut in range(1, len(data)):
        with pytest.raises(FormatError) as info:
            read_message(data[:cut], file="cut.hl7")
        assert all(p.code.startswith("kis_archive.") for p in info.value.problems)
        assert all(p.location.file == "cut.hl7" for p in info.value.problems)
    with pytest.raises(FormatError) as info:
        read_message(data[:-1])
    assert info.value.problems[0].code == "kis_archive.input.truncated"
    assert info.value.problems[0].location.offset == len(data) - 1


def test_an_unclosed_mllp_frame_is_truncated() -> None:
    with pytest.raises(FormatError) as info:
        read_message(b"\x0b" + message_bytes(*GOOD))
    assert info.value.code == "kis_archive.input.truncated"


def test_an_unterminated_last_segment_can_be_allowed() -> None:
    data = message_bytes(*GOOD)[:-1]
    assert read_message(data, config=MdmConfig(require_terminator=False)).unique_id == "KH-DOK-1"


def test_a_batch_isolates_the_bad_message() -> None:
    good = message_bytes(*GOOD)
    bad = message_bytes(*replace("TXA", None))
    batch = b"FHS|^~\\&\rBHS|^~\\&\r" + good + bad + good + b"BTS|3\rFTS|1\r"
    outcomes = list(iter_messages(batch, file="batch.hl7"))
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[1].problems[0].code == "kis_archive.txa.missing"
    assert outcomes[1].number == 2
    assert outcomes[1].line == 9


@pytest.mark.parametrize("data", [b"", b"\r\n\n", b"%PDF-1.7\n", b"\xff\xfe\x00", b"MSH"])
def test_junk_is_a_format_error(data: bytes) -> None:
    with pytest.raises(FormatError):
        read_message(data)


def test_two_messages_are_not_one() -> None:
    with pytest.raises(FormatError) as info:
        read_message(message_bytes(*GOOD) * 2)
    assert info.value.code == "kis_archive.input.multiple"


@given(
    st.binary(max_size=300)
    | st.builds(
        lambda cut, junk: message_bytes(*GOOD[:5])[:cut] + junk,
        st.integers(0, 400),
        st.binary(max_size=20),
    )
)
def test_no_input_escapes_as_anything_but_outcomes(data: bytes) -> None:
    outcomes = list(iter_messages(data, file="x.hl7"))
    assert outcomes
    for outcome in outcomes:
        assert outcome.ok or outcome.problems
        assert all(p.location.file == "x.hl7" for p in outcome.problems)


@given(st.integers(0, 10_000), st.integers(0, 255))
def test_a_flipped_byte_never_breaks_the_reader(position: int, value: int) -> None:
    data = bytearray(message_bytes(*GOOD))
    data[position % len(data)] = value
    for outcome in iter_messages(bytes(data)):
        assert outcome.ok or all(p.code for p in outcome.problems)
