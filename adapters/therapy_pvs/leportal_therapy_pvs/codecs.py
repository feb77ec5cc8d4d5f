"""The adapter's codecs: Patient ⇄ GDT 6301 (6302 read too), GDT result ⇄ GDT 6310, report ⇄ JSON
report form.

GDT field mapping (GDT 2.1 field table): 3000 Patientennummer, 3101 Name, 3102 Vorname,
3103 Geburtsdatum (TTMMJJJJ), 3105 Versichertennummer (here the KVNR, optional; a number that is
no valid KVNR, e.g. a pre-eGK Versichertennummer, is dropped with a warning); in 6310 also
6200 Tag der Erhebung, 6220 Befundtext (repeated, one line each), 6302 Dateiarchivierungskennung
(the report id), 6303 Dateiformat (``PDF``), 6304 Dateiinhalt, 6305 Verweis auf Datei (path of the
stored PDF), 8315/8316 Empfänger-/Sender-GDT-ID.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs

from leportal_core.errors import FormatError, Location, Problem, Severity, ValidationError
from leportal_core.identifiers import kvnr as kvnr_scheme
from leportal_core.therapy import Patient, TherapyReport, report_from_dict, report_to_dict
from leportal_therapy_pvs.gdt import (
    GdtEncoding,
    GdtRecord,
    format_date,
    parse_date,
    parse_record,
    write_record,
)

__all__ = ["GdtPatientCodec", "GdtResult", "GdtResultCodec", "ReportJsonCodec"]

MAX_JSON_BYTES = 4 << 20
GDT_MEDIA_TYPE = "application/x-gdt"


def _patient_fields(patient: Patient) -> list[tuple[str, str]]:
    fields = [
        ("3000", patient.patient_id),
        ("3101", patient.family_name),
        ("3102", patient.given_name),
        ("3103", format_date(patient.birth_date)),
    ]
    if patient.kvnr is not None:
        fields.append(("3105", patient.kvnr))
    return fields


def _read_patient(
    record: GdtRecord, found: list[Problem], warnings: list[Problem] | None = None
) -> Patient | None:
    values: dict[str, Any] = {}
    for field_id, name in (("3000", "patient_id"), ("3101", "family_name"), ("3102", "given_name")):
        field = record.first(field_id)
        if field is None:
            found.append(
                Problem(
                    code="therapy_pvs.gdt.missing",
                    message=f"field {field_id} ({name}) is missing",
                    location=Location(field=field_id),
                )
            )
        else:
            values[name] = field.content
    birth = record.first("3103")
    birth_date, bad_date = parse_date(birth)
    if bad_date is not None:
        found.append(bad_date)
    elif birth is None:
        found.append(
            Problem(
                code="therapy_pvs.gdt.missing",
                message="field 3103 (Geburtsdatum) is missing",
                location=Location(field="3103"),
            )
        )
    values["birth_date"] = birth_date
    kvnr = record.first("3105")
    if kvnr is not None and kvnr_scheme.is_valid(kvnr.content):
        values["kvnr"] = kvnr.content
    elif kvnr is not None and warnings is not None:
        # As the HL7 import does: the patient is still identified by 3000-3103.
        warnings.append(
            Problem(
                code="therapy_pvs.gdt.kvnr_invalid",
                message="field 3105 holds no valid KVNR (e.g. a Versichertennummer from before "
                "the eGK); the patient is read without it",
                location=Location(line=kvnr.line, field="3105"),
                severity=Severity.WARNING,
            )
        )
    if found:
        return None
    try:
        return Patient(**values)
    except ValidationError as exc:
        lines = {"/patient_id": "3000", "/family_name": "3101", "/given_name": "3102"}
        lines |= {"/birth_date": "3103", "/kvnr": "3105"}
        for problem in exc.problems:
            where = lines.get(problem.location.pointer or "")
            field = record.first(where) if where else None
            found.append(
                Problem(
                    code=problem.code,
                    message=problem.message,
                    location=Location(line=field.line if field else None, field=where),
                )
            )
        return None


class GdtPatientCodec:
    """Patient ⇄ GDT Satzart 6301 (Stammdaten übermitteln)."""

    name = "therapy_pvs.gdt_patient"
    media_type = GDT_MEDIA_TYPE
    object_type: type[Any] = Patient
    description = "Patient master data as a GDT 2.1 record, Satzart 6301"

    def __init__(self, encoding: GdtEncoding = GdtEncoding.CP437) -> None:
        self.encoding = encoding

    @property
    def conformance_samples(self) -> tuple[Patient, ...]:
        """Patients a GDT record can carry, for the conformance suite (docs/certifying.md)."""
        from leportal_therapy_pvs import conformance_examples

        return conformance_examples.patients()

    def conformance_strategy(self) -> Any:
        """Hypothesis strategy of such patients, for the conformance suite."""
        from leportal_therapy_pvs import conformance_examples

        return conformance_examples.gdt_patients()

    def encode(self, obj: Patient, /) -> bytes:
        """Patient → 6301 record in this codec's character set."""
        if not isinstance(obj, Patient):
            raise ValidationError(f"expected a Patient, got {type(obj).__name__}")
        return write_record("6301", [("9218", "02.10"), *_patient_fields(obj)], self.encoding)

    def decode(self, data: bytes, /) -> Patient:
        """6301/6302 record → Patient; :class:`FormatError` with line numbers."""
        return self.read(data)[0]

    def read(self, data: bytes) -> tuple[Patient, tuple[Problem, ...]]:
        """6301/6302 record → Patient and the warnings (an invalid KVNR dropped)."""
        record = parse_record(data, expect={"6301", "6302"})
        found: list[Problem] = []
        warnings: list[Problem] = []
        patient = _read_patient(record, found, warnings)
        if patient is None:
            raise FormatError(
                f"GDT {record.satzart} record rejected ({len(found)} problems)", found
            )
        return patient, tuple(warnings)


@attrs.frozen(kw_only=True)
class GdtResult:
    """What goes back to the practice software (Satzart 6310): the patient, the day, the report
    id, the stored PDF's path and a few lines of text."""

    patient: Patient
    examined_on: dt.date
    report_id: str
    pdf_path: str
    description: str = "Therapiebericht"
    text_lines: tuple[str, ...] = ()
    sender_id: str | None = None
    receiver_id: str | None = None


class GdtResultCodec:
    """GdtResult ⇄ GDT Satzart 6310 (Daten einer Untersuchung übermitteln) with a file reference."""

    name = "therapy_pvs.gdt_result"
    media_type = GDT_MEDIA_TYPE
    object_type: type[Any] = GdtResult
    description = "Therapy report reference as a GDT 2.1 record, Satzart 6310"

    def __init__(self, encoding: GdtEncoding = GdtEncoding.CP437) -> None:
        self.encoding = encoding

    @property
    def conformance_samples(self) -> tuple[GdtResult, ...]:
        """Results a 6310 record can carry, for the conformance suite (docs/certifying.md)."""
        from leportal_therapy_pvs import conformance_examples

        return conformance_examples.results()

    def conformance_strategy(self) -> Any:
        """Hypothesis strategy of such results, for the conformance suite."""
        from leportal_therapy_pvs import conformance_examples

        return conformance_examples.gdt_results()

    def encode(self, obj: GdtResult, /) -> bytes:
        """GdtResult → 6310 record referencing the PDF (6302–6305)."""
        if not isinstance(obj, GdtResult):
            raise ValidationError(f"expected a GdtResult, got {type(obj).__name__}")
        fields: list[tuple[str, str]] = []
        if obj.receiver_id is not None:
            fields.append(("8315", obj.receiver_id))
        if obj.sender_id is not None:
            fields.append(("8316", obj.sender_id))
        fields += [("9218", "02.10"), *_patient_fields(obj.patient)]
        fields.append(("6200", format_date(obj.examined_on)))
        fields += [("6220", line) for line in obj.text_lines]
        fields += [
            ("6302", obj.report_id),
            ("6303", "PDF"),
            ("6304", obj.description),
            ("6305", obj.pdf_path),
        ]
        return write_record("6310", fields, self.encoding)

    def decode(self, data: bytes, /) -> GdtResult:
        """6310 record → GdtResult; :class:`FormatError` with line numbers."""
        record = parse_record(data, expect={"6310"})
        found: list[Problem] = []
        patient = _read_patient(record, found, [])
        examined, bad = parse_date(record.first("6200"))
        if bad is not None:
            found.append(bad)
        texts = {}
        for field_id in ("6200", "6302", "6303", "6304", "6305"):
            field = record.first(field_id)
            if field is None:
                found.append(
                    Problem(
                        code="therapy_pvs.gdt.missing",
                        message=f"field {field_id} is missing",
                        location=Location(field=field_id),
                    )
                )
            else:
                texts[field_id] = field.content
        if texts.get("6303", "PDF") != "PDF":
            found.append(
                Problem(
                    code="therapy_pvs.gdt.file_format",
                    message="6303 Dateiformat must be PDF",
                    location=Location(field="6303"),
                )
            )
        if found or patient is None or examined is None:
            raise FormatError(f"GDT 6310 record rejected ({len(found)} problems)", found)
        receiver, sender = record.first("8315"), record.first("8316")
        return GdtResult(
            patient=patient,
            examined_on=examined,
            report_id=texts["6302"],
            pdf_path=texts["6305"],
            description=texts["6304"],
            text_lines=tuple(f.content for f in record.all("6220")),
            sender_id=sender.content if sender else None,
            receiver_id=receiver.content if receiver else None,
        )


class ReportJsonCodec:
    """TherapyReport ⇄ the JSON report form (``leportal.therapiebericht/1``, UTF-8)."""

    name = "therapy_pvs.report_json"
    media_type = "application/json"
    object_type: type[Any] = TherapyReport
    description = "Therapiebericht as the documented JSON report form, UTF-8"

    def encode(self, obj: TherapyReport, /) -> bytes:
        """Report → UTF-8 JSON (keys in form order, German characters unescaped)."""
        if not isinstance(obj, TherapyReport):
            raise ValidationError(f"expected a TherapyReport, got {type(obj).__name__}")
        return json.dumps(report_to_dict(obj), ensure_ascii=False, indent=2).encode("utf-8")

    def decode(self, data: bytes, /) -> TherapyReport:
        """UTF-8 JSON → report; :class:`FormatError` with JSON pointers."""
        if not isinstance(data, bytes):
            raise FormatError("input must be bytes", [_json_problem("input must be bytes")])
        if len(data) > MAX_JSON_BYTES:
            raise FormatError("too large", [_json_problem(f"more than {MAX_JSON_BYTES} bytes")])
        try:
            parsed = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except _DuplicateKey as exc:
            raise FormatError(
                "duplicate key", [_json_problem(f"key {exc.args[0]!r} appears twice")]
            ) from exc
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise FormatError(
                "not UTF-8 JSON", [_json_problem(f"not UTF-8 JSON: {type(exc).__name__}")]
            ) from exc
        return report_from_dict(parsed)


class _DuplicateKey(ValueError):
    """A JSON object names a key twice: which value is meant is ambiguous (RFC 8259 §4)."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _json_problem(message: str) -> Problem:
    return Problem(code="therapy_pvs.json", message=message, location=Location(pointer=""))
