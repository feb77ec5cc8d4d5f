"""GDT 6301/6310: golden bytes by hand, round trips (property), malformed input with line numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core.errors import FormatError, ValidationError
from leportal_core.therapy import Patient
from leportal_therapy_pvs.codecs import GdtPatientCodec, GdtResult, GdtResultCodec
from leportal_therapy_pvs.gdt import GdtEncoding, parse_record, write_record


def line(field_id: str, content: bytes) -> bytes:
    return f"{len(content) + 9:03d}{field_id}".encode() + content + b"\r\n"


def record(*lines: bytes, satzart: bytes = b"6301") -> bytes:
    body = b"".join(lines)
    size = len(line("8000", satzart)) + 14 + len(body)
    return line("8000", satzart) + line("8100", f"{size:05d}".encode()) + body


PATIENT = Patient(
    patient_id="4711", family_name="Größer", given_name="Jürgen", birth_date=dt.date(1960, 7, 1)
)


def test_golden_6301_cp437() -> None:
    # Computed by hand: "Größer" in CP437 is 47 72 94 e1 65 72; 015 = 3+4+6 bytes + CRLF.
    expected = (
        b"01380006301\r\n"
        b"014810000111\r\n"
        b"01092062\r\n"
        b"014921802.10\r\n"
        b"01330004711\r\n"
        b"0153101Gr\x94\xe1er\r\n"
        b"0153102J\x81rgen\r\n"
        b"017310301071960\r\n"
    )
    assert len(expected) == 13 + 14 + 10 + 14 + 13 + 15 + 15 + 17 == 111
    assert GdtPatientCodec().encode(PATIENT) == expected
    assert GdtPatientCodec().decode(expected) == PATIENT


@pytest.mark.parametrize("encoding", list(GdtEncoding))
def test_encoding_per_field_9206(encoding: GdtEncoding) -> None:
    data = GdtPatientCodec(encoding).encode(PATIENT)
    assert f"9206{encoding.value}".encode() in data
    assert GdtPatientCodec().decode(data) == PATIENT  # the reader follows 9206, not its default


def test_din_66003_maps_umlauts_to_ascii_positions() -> None:
    data = GdtPatientCodec(GdtEncoding.DIN_66003).encode(PATIENT)
    assert b"3101Gr|~er" in data
    assert b"3102J}rgen" in data


_NAME = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÄÖÜäöüß -'.",
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=80, deadline=None)
@given(
    family=_NAME,
    given_name=_NAME,
    birth=st.dates(dt.date(1900, 1, 1), dt.date(2026, 1, 1)),
    number=st.from_regex(r"[A-Za-z0-9-]{1,20}", fullmatch=True),
    encoding=st.sampled_from(GdtEncoding),
)
def test_patient_round_trip(
    family: str, given_name: str, birth: dt.date, number: str, encoding: GdtEncoding
) -> None:
    patient = Patient(
        patient_id=number, family_name=family, given_name=given_name, birth_date=birth
    )
    codec = GdtPatientCodec(encoding)
    assert codec.decode(codec.encode(patient)) == patient


@settings(max_examples=40, deadline=None)
@given(
    lines=st.lists(st.text(alphabet="abcdefghij ÄÖÜäöüß0123456789.,", max_size=60), max_size=5),
    path=st.from_regex(r"[A-Za-z0-9_\\:/.-]{1,80}", fullmatch=True),
)
def test_result_round_trip(lines: list[str], path: str) -> None:
    result = GdtResult(
        patient=PATIENT, examined_on=dt.date(2026, 11, 20), report_id="TB-1", pdf_path=path,
        text_lines=tuple(lines), sender_id="LEPORTAL", receiver_id="PVS01",
    )  # fmt: skip
    codec = GdtResultCodec(GdtEncoding.ISO_8859_1)
    data = codec.encode(result)
    assert b"6305" + path.encode() in data
    assert b"6303PDF" in data
    assert codec.decode(data) == result


def problems(data: bytes, codec: object = None) -> list[tuple[str, int | None, str | None]]:
    with pytest.raises(FormatError) as exc:
        (codec or GdtPatientCodec()).decode(data)  # type: ignore[attr-defined]
    return [(p.code, p.location.line, p.location.field) for p in exc.value.problems]


def test_wrong_line_length_has_line_number() -> None:
    good = GdtPatientCodec().encode(PATIENT)
    bad = good.replace(b"0153101Gr", b"0163101Gr")
    assert problems(bad) == [("therapy_pvs.gdt.line_length", 6, "3101")]


def test_unknown_satzart() -> None:
    data = record(line("9206", b"2"), line("3000", b"1"), satzart=b"6399")
    assert problems(data) == [("therapy_pvs.gdt.satzart", 1, "8000")]


def test_wrong_satzart_for_the_codec() -> None:
    data = GdtPatientCodec().encode(PATIENT)
    assert problems(data, GdtResultCodec()) == [("therapy_pvs.gdt.satzart", 1, "8000")]


def test_wrong_encoding_value_and_bytes() -> None:
    data = record(line("9206", b"7"), line("3000", b"1"))
    assert problems(data) == [("therapy_pvs.gdt.encoding", 3, "9206")]
    seven_bit = record(line("9206", b"1"), line("3000", b"1"), line("3101", b"Gr\x94\xe1er"))
    assert problems(seven_bit) == [("therapy_pvs.gdt.encoding", 5, "3101")]


def test_missing_crlf_and_record_length() -> None:
    good = GdtPatientCodec().encode(PATIENT)
    assert problems(good[:-2]) == [
        ("therapy_pvs.gdt.line_format", 8, None),
        ("therapy_pvs.gdt.record_length", 2, "8100"),
    ]
    lf_only = good.replace(b"\r\n", b"\n")
    assert problems(lf_only) == [("therapy_pvs.gdt.line_endings", 1, None)]  # issue 16.16


def test_missing_fields_and_bad_date() -> None:
    data = record(line("9206", b"2"), line("3000", b"1"), line("3103", b"31022000"))
    assert problems(data) == [
        ("therapy_pvs.gdt.missing", None, "3101"),
        ("therapy_pvs.gdt.missing", None, "3102"),
        ("therapy_pvs.gdt.date", 5, "3103"),
    ]


def test_model_problems_carry_the_gdt_line() -> None:
    data = record(
        line("9206", b"2"), line("3000", b"1"), line("3101", b" "), line("3102", b"A"),
        line("3103", b"01012000"), line("3105", b"A123456789"),
    )  # fmt: skip
    # an invalid KVNR is dropped with a warning now (issue 16.15), not an error
    assert problems(data) == [("therapy.text.empty", 5, "3101")]


def test_second_record_and_non_bytes() -> None:
    good = GdtPatientCodec().encode(PATIENT)
    found = problems(good + good)
    assert ("therapy_pvs.gdt.multiple_records", 9, "8000") in found
    with pytest.raises(FormatError):
        parse_record("text")  # type: ignore[arg-type]


def test_writer_rejects_what_gdt_cannot_carry() -> None:
    with pytest.raises(ValidationError) as exc:
        write_record("6310", [("6220", "a\r\nb"), ("6220", "€"), ("6220", "x" * 991), ("62", "y")])
    assert [p.code for p in exc.value.problems] == [
        "therapy_pvs.gdt.line_break",
        "therapy_pvs.gdt.unencodable",
        "therapy_pvs.gdt.too_long",
        "therapy_pvs.gdt.field_id",
    ]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        result: object = GdtPatientCodec().decode(data)
    except FormatError as exc:
        result = exc
    if isinstance(result, FormatError):
        assert all(p.code for p in result.problems)
    else:
        assert isinstance(result, Patient)
