"""Export → import preserves every byte of content and every mapped field; others can read it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core import Document, ValidationError
from leportal_kis_archive import (
    ArchiveMessage,
    MdmCodec,
    MdmConfig,
    MdmEvent,
    encode_message,
    read_message,
)

from .helpers import clock, pdf_document

TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(
    str.strip
)
MEDIA_TYPES = st.sampled_from(
    [
        "application/pdf",
        "text/plain",
        "image/jpeg",
        "application/octet-stream",
        "a/b",
        "ap/pdf",
        "x/y+z^&",
    ]
)
KVNRS = st.sampled_from([None, "A123456780"])


@st.composite
def documents(draw: st.DrawFn) -> Document:
    return Document(
        title=draw(TEXT),
        media_type=draw(MEDIA_TYPES),
        created=draw(st.dates()),
        content=draw(st.binary(max_size=2000)),
        patient_id=draw(st.none() | TEXT),
        case_id=draw(st.none() | TEXT),
        kdl_code=draw(st.none() | st.from_regex(r"\A[A-Z]{2}[0-9]{6}\Z")),
    )


@st.composite
def messages(draw: st.DrawFn) -> ArchiveMessage:
    event = draw(st.sampled_from([MdmEvent.T02, MdmEvent.T10]))
    return ArchiveMessage(
        event=event,
        unique_id=draw(TEXT),
        parent_id=draw(TEXT) if event is MdmEvent.T10 else draw(st.none() | TEXT),
        document=draw(documents()),
        completion_status=draw(st.sampled_from(["AU", "LA", "IP", "DO"])),
        confidentiality=draw(st.none() | st.sampled_from(["N", "R", "V"])),
        kvnr=draw(KVNRS),
    )


@given(messages())
def test_export_then_import_preserves_content_and_every_mapped_field(
    message: ArchiveMessage,
) -> None:
    back = read_message(encode_message(message, clock=clock))
    assert back.document == message.document
    assert back.document is not None
    assert message.document is not None
    assert back.document.read_bytes() == message.document.read_bytes()
    assert (back.event, back.unique_id, back.parent_id) == (
        message.event,
        message.unique_id,
        message.parent_id,
    )
    assert (back.completion_status, back.confidentiality, back.kvnr) == (
        message.completion_status,
        message.confidentiality,
        message.kvnr,
    )
    assert back.deliverable == (message.completion_status in {"AU", "LA"})


@settings(max_examples=50)  # expensive examples
@given(documents())
def test_codec_round_trip(document: Document) -> None:
    codec = MdmCodec(clock=clock)
    assert codec.decode(codec.encode(document)) == document


def test_cancel_round_trip() -> None:
    cancel = ArchiveMessage(event=MdmEvent.T11, unique_id="KH-DOK-9", parent_id="KH-DOK-9")
    back = read_message(encode_message(cancel, clock=clock))
    assert (back.event, back.unique_id, back.document) == (MdmEvent.T11, "KH-DOK-9", None)


def test_the_exported_message_by_hand() -> None:
    message = ArchiveMessage(
        event=MdmEvent.T02,
        unique_id="KH-DOK-1",
        document=pdf_document(content=b"%PDF-1.7", case_id="F|1"),
        kvnr="A123456780",
    )
    segments = encode_message(message, clock=clock).decode("utf-8").split("\r")
    assert segments[0] == (
        "MSH|^~\\&|LEPORTAL||ARCHIV||20260209120000+0000||MDM^T02^MDM_T02|KH-DOK-1T02120000|P|2.5"
        "|||||DEU|UNICODE UTF-8"
    )
    assert segments[1:] == [
        "EVN|T02|20260209120000+0000",
        "PID|1||P-1001^^^^PI~A123456780^^^^KVNR",
        "PV1|1|U|||||||||||||||||F\\F\\1",
        "TXA|1|AD010103|AP|20260206||20260206||||||KH-DOK-1|||||AU",
        "OBX|1|ED|AD010103^Entlassungsbericht Kardiologie^KDL||^AP^PDF^Base64^JVBERi0xLjc=||||||F",
        "",
    ]


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (ArchiveMessage(event=MdmEvent.T02, unique_id="x"), "kis_archive.export.document_missing"),
        (
            ArchiveMessage(event=MdmEvent.T10, unique_id="x", document=pdf_document()),
            "kis_archive.export.parent_missing",
        ),
        (
            ArchiveMessage(event=MdmEvent.T02, unique_id="a\rb", document=pdf_document()),
            "kis_archive.export.characters",
        ),
        (ArchiveMessage(event=MdmEvent.T11, unique_id=""), "kis_archive.export.uid_missing"),
    ],
)
def test_export_refuses_what_an_archive_could_not_file(message: ArchiveMessage, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        encode_message(message)
    assert code in {p.code for p in info.value.problems}


def test_the_kdl_table_writes_the_local_type() -> None:
    config = MdmConfig(
        kdl_source=__import__("leportal_kis_archive").KdlSource.TABLE,
        type_table={"ELB": "AD010103"},
    )
    data = encode_message(
        ArchiveMessage(event=MdmEvent.T02, unique_id="u", document=pdf_document()),
        config=config,
        clock=clock,
    )
    assert b"\rTXA|1|ELB|" in data
    assert read_message(data, config=config).document == pdf_document()


def test_naive_clock_is_refused() -> None:
    with pytest.raises(ValidationError):
        encode_message(
            ArchiveMessage(event=MdmEvent.T11, unique_id="u"), clock=lambda: dt.datetime(2026, 1, 1)
        )
