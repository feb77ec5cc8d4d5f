"""Issue 16 points 15 and 16: the GDT specifications' own examples, 6302, DOS framing, versions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import leportal_core.cli
from leportal_core import Severity
from leportal_core.errors import FormatError
from leportal_core.plugins import new_plugin_manager, register_plugins
from leportal_therapy_pvs import plugin
from leportal_therapy_pvs.codecs import GdtPatientCodec
from leportal_therapy_pvs.gdt import SUPPORTED_VERSIONS, parse_record

from .test_gdt import line, record

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "gdt"
SPEC_20 = CORPUS / "xdt-gdt2_0-1.gdt"  # GDT 2.0 specification example (6301, 3105 pre-eGK)
SPEC_21 = CORPUS / "xdt-gdt2_1-1.gdt"  # GDT 2.1 specification example (6301)
PATIENT_LINES = (
    line("9218", b"02.10"),
    line("3000", b"02345"),
    line("3101", b"Mustermann"),
    line("3102", b"Franz"),
    line("3103", b"01101945"),
)


def _codes(data: bytes) -> list[str]:
    with pytest.raises(FormatError) as info:
        GdtPatientCodec().decode(data)
    return [p.code for p in info.value.problems]


def test_point15_the_gdt20_spec_example_reads_the_patient_and_drops_the_pre_egk_number() -> None:
    patient, warnings = GdtPatientCodec().read(SPEC_20.read_bytes())
    assert (patient.patient_id, patient.family_name, patient.given_name) == (
        "98",
        "Sierra",
        "Rudolph",
    )
    assert patient.birth_date == dt.date(1928, 4, 13)
    assert patient.kvnr is None
    (warning,) = warnings
    assert warning.code == "therapy_pvs.gdt.kvnr_invalid"
    assert warning.severity is Severity.WARNING
    assert (warning.location.line, warning.location.field) == (10, "3105")
    # the 2.0 example is CP437 (no 9206): "Düsseldorf" keeps its ü
    place = parse_record(SPEC_20.read_bytes()).first("3106")
    assert place is not None
    assert place.content == "4000 Düsseldorf 12"


def test_point15_the_cli_prints_the_warning_and_exits_0() -> None:
    pm = new_plugin_manager()
    register_plugins(pm, [("therapy_pvs", plugin)])
    result = CliRunner().invoke(
        leportal_core.cli.build_cli(pm), ["therapy", "gdt-patient", str(SPEC_20), "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["patient"]["kvnr"] is None
    assert [p["code"] for p in out["problems"]] == ["therapy_pvs.gdt.kvnr_invalid"]


def test_point15_a_valid_kvnr_is_kept() -> None:
    data = record(*PATIENT_LINES, line("3105", b"A123456780"))
    assert GdtPatientCodec().read(data) == (GdtPatientCodec().decode(data), ())
    assert GdtPatientCodec().decode(data).kvnr == "A123456780"


def test_point16_the_gdt21_spec_example_reads() -> None:
    patient = GdtPatientCodec().decode(SPEC_21.read_bytes())
    assert (patient.patient_id, patient.family_name, patient.birth_date) == (
        "02345",
        "Mustermann",
        dt.date(1945, 10, 1),
    )


def test_point16_satzart_6302_is_read_like_6301() -> None:
    data = record(*PATIENT_LINES, satzart=b"6302")
    assert GdtPatientCodec().decode(data).family_name == "Mustermann"
    assert "therapy_pvs.gdt.satzart" in _codes(record(*PATIENT_LINES, satzart=b"6310"))


@pytest.mark.parametrize("tail", [b"\x1a", b"\r\n", b"\r\n\r\n", b"\r\n\x1a"])
def test_point16_a_dos_eof_byte_and_trailing_empty_lines_are_tolerated(tail: bytes) -> None:
    data = record(*PATIENT_LINES) + tail
    assert GdtPatientCodec().decode(data).patient_id == "02345"
    assert GdtPatientCodec().decode(SPEC_21.read_bytes() + tail).patient_id == "02345"


def test_point16_a_cut_last_line_is_still_an_error() -> None:
    data = record(*PATIENT_LINES)
    assert "therapy_pvs.gdt.line_format" in _codes(data[:-2] + b"\n")


def test_point16_lf_only_files_get_one_short_problem() -> None:
    data = SPEC_21.read_bytes().replace(b"\r\n", b"\n")
    with pytest.raises(FormatError) as info:
        GdtPatientCodec().decode(data)
    (problem,) = info.value.problems
    assert problem.code == "therapy_pvs.gdt.line_endings"
    assert "LF line endings" in problem.message
    assert "Mustermann" not in str(problem)


def test_point16_only_gdt_2x_is_claimed_and_3x_is_refused_with_its_own_code() -> None:
    assert SUPPORTED_VERSIONS == ("02.00", "02.10")
    v20 = record(line("9218", b"02.00"), *PATIENT_LINES[1:])
    assert GdtPatientCodec().decode(v20).patient_id == "02345"
    v30 = record(line("9218", b"03.01"), *PATIENT_LINES[1:])
    assert _codes(v30) == ["therapy_pvs.gdt.version"]


def test_point16_the_transcribed_6310_spec_example_is_really_broken() -> None:
    # levinalex/xdt's copy of the GDT 2.1 6310 example has wrong line lengths (a transcription):
    # refused, with one problem per wrong line, never a traceback.
    data = (CORPUS / "xdt-gdt2_1-2.gdt").read_bytes()
    with pytest.raises(FormatError) as info:
        parse_record(data)
    codes = [p.code for p in info.value.problems]
    wrong = [n for n in data.split(b"\r\n")[:-1] if int(n[:3]) != len(n) + 2]
    assert len(wrong) > 5
    assert codes.count("therapy_pvs.gdt.line_length") == len(wrong)
    assert "therapy_pvs.gdt.record_length" in codes
