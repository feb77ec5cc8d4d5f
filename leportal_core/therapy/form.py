"""The JSON report form: a Therapiebericht as plain JSON-ready dicts, for vendors who prefer JSON
to GDT, and for storing master data. Documented field by field in ``docs/therapy.md``.

Reading collects *every* problem (codes ``therapy.form.*`` for shape, ``therapy.*`` from the
model), each located by a JSON pointer (RFC 6901) into the input, and raises
:class:`~leportal_core.errors.FormatError`. Dates are ISO 8601 ``YYYY-MM-DD``; enums are their
German values (``"fortsetzen"``, ``"Einzeltherapie"``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from leportal_core.errors import FormatError, Location, Problem, ValidationError
from leportal_core.therapy._checks import problem
from leportal_core.therapy.model import (
    Address,
    Continuation,
    Discipline,
    Doctor,
    Patient,
    Practice,
    Prescription,
    Recommendation,
    Setting,
    Therapist,
    TherapyReport,
)
from leportal_core.validation import parse_iso_date

__all__ = [
    "FORM",
    "practice_from_dict",
    "practice_to_dict",
    "report_from_dict",
    "report_to_dict",
    "therapist_from_dict",
    "therapist_to_dict",
]

FORM = "leportal.therapiebericht/1"
T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)


def address_to_dict(address: Address) -> dict[str, Any]:
    return {"street": address.street, "postal_code": address.postal_code, "city": address.city}


def practice_to_dict(practice: Practice) -> dict[str, Any]:
    """Praxis master data as a dict of the JSON form."""
    return {
        "name": practice.name,
        "ik": practice.ik,
        "discipline": practice.discipline.value,
        "address": address_to_dict(practice.address),
        "phone": practice.phone,
        "kim_address": practice.kim_address,
        "support_contact": practice.support_contact,
    }


def therapist_to_dict(therapist: Therapist) -> dict[str, Any]:
    """Therapist master data as a dict of the JSON form."""
    return {"name": therapist.name, "profession": therapist.profession}


def report_to_dict(report: TherapyReport) -> dict[str, Any]:
    """The whole report as a dict of the JSON form (``"form"`` names the version)."""
    p, r, d, pat = report.prescription, report.recommendation, report.doctor, report.patient
    return {
        "form": FORM,
        "report_id": report.report_id,
        "created": report.created.isoformat(),
        "practice": practice_to_dict(report.practice),
        "therapist": therapist_to_dict(report.therapist),
        "patient": {
            "patient_id": pat.patient_id,
            "family_name": pat.family_name,
            "given_name": pat.given_name,
            "birth_date": pat.birth_date.isoformat(),
            "kvnr": pat.kvnr,
        },
        "doctor": {
            "name": d.name,
            "address": address_to_dict(d.address) if d.address else None,
            "kim_address": d.kim_address,
            "lanr": d.lanr,
        },
        "prescription": {
            "verordnungsdatum": p.verordnungsdatum.isoformat(),
            "icd10_codes": list(p.icd10_codes),
            "diagnosegruppe": p.diagnosegruppe,
            "leitsymptomatik": p.leitsymptomatik,
            "heilmittel": list(p.heilmittel),
            "behandlungseinheiten": p.behandlungseinheiten,
            "therapiefrequenz": p.therapiefrequenz,
            "hausbesuch": p.hausbesuch,
        },
        "befund": report.befund,
        "therapieverlauf": report.therapieverlauf,
        "therapieziele": report.therapieziele,
        "recommendation": {
            "continuation": r.continuation.value,
            "pause_weeks": r.pause_weeks,
            "wiedervorstellung": r.wiedervorstellung,
            "other_therapy": r.other_therapy,
            "setting": r.setting.value,
            "frequency": r.frequency,
            "hausbesuch": r.hausbesuch,
        },
    }


class _Reader:
    """Reads one JSON object, collecting problems with pointers relative to ``base``."""

    def __init__(self, data: object, base: str, found: list[Problem]) -> None:
        self.base, self.found = base, found
        self.data: Mapping[str, Any] = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            found.append(
                problem(
                    code="therapy.form.type", message="expected a JSON object", pointer=base or "/"
                )
            )

    def unknown(self, known: set[str]) -> None:
        for key in sorted(set(self.data) - known):
            self.found.append(
                problem(
                    code="therapy.form.unknown_field",
                    message=f"unknown field {key!r}",
                    pointer=f"{self.base}/{key}",
                )
            )

    def _get(self, key: str, kind: type[T] | tuple[type, ...], label: str, optional: bool) -> Any:
        pointer = f"{self.base}/{key}"
        if key not in self.data or (optional and self.data[key] is None):
            if not optional:
                self.found.append(
                    problem(
                        code="therapy.form.missing", message=f"{key} is missing", pointer=pointer
                    )
                )
            return None
        value = self.data[key]
        bad_bool = isinstance(value, bool) and kind is int
        if not isinstance(value, kind) or bad_bool:
            self.found.append(
                problem(code="therapy.form.type", message=f"{key} must be {label}", pointer=pointer)
            )
            return None
        return value

    def text(self, key: str, optional: bool = False) -> Any:
        return self._get(key, str, "text", optional)

    def boolean(self, key: str) -> Any:
        return self._get(key, bool, "true or false", False)

    def integer(self, key: str, optional: bool = False) -> Any:
        return self._get(key, int, "an integer", optional)

    def texts(self, key: str) -> Any:
        values = self._get(key, list, "a list of texts", False)
        if values is None:
            return None
        if not all(isinstance(v, str) for v in values):
            self.found.append(
                problem(
                    code="therapy.form.type",
                    message=f"{key} must be a list of texts",
                    pointer=f"{self.base}/{key}",
                )
            )
            return None
        return tuple(values)

    def date(self, key: str) -> Any:
        value = self.text(key)
        if value is None:
            return None
        parsed = parse_iso_date(value)
        if parsed is None:
            self.found.append(
                problem(
                    code="therapy.form.date",
                    message="not a date YYYY-MM-DD",
                    pointer=f"{self.base}/{key}",
                )
            )
            return None
        return parsed

    def choice(self, key: str, kind: type[E], optional: bool = False) -> Any:
        value = self.text(key, optional)
        if value is None:
            return None
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(repr(member.value) for member in kind)
            self.found.append(
                problem(
                    code="therapy.form.enum",
                    message=f"{key} must be one of {allowed}",
                    pointer=f"{self.base}/{key}",
                )
            )
            return None

    def child(self, key: str, optional: bool = False) -> _Reader | None:
        if key not in self.data or (optional and self.data[key] is None):
            if not optional:
                self.found.append(
                    problem(
                        code="therapy.form.missing",
                        message=f"{key} is missing",
                        pointer=f"{self.base}/{key}",
                    )
                )
            return None
        return _Reader(self.data[key], f"{self.base}/{key}", self.found)


def _build(reader: _Reader | None, make: Callable[..., T], values: dict[str, Any]) -> T | None:
    """Construct when every value was read, re-locating the model's problems under the reader."""
    if reader is None or any(v is None for v in values.values()):
        return None
    try:
        return make(**values)
    except ValidationError as exc:
        for found in exc.problems:
            pointer = reader.base + (found.location.pointer or "")
            reader.found.append(
                Problem(code=found.code, message=found.message, location=Location(pointer=pointer))
            )
        return None


def _without_none(values: dict[str, Any], optional: set[str]) -> dict[str, Any]:
    # Optional fields stay out when absent so ``_build`` only waits for the mandatory ones.
    return {k: v for k, v in values.items() if not (k in optional and v is None)}


def _address(reader: _Reader | None) -> Address | None:
    if reader is None:
        return None
    reader.unknown({"street", "postal_code", "city"})
    values = {k: reader.text(k) for k in ("street", "postal_code", "city")}
    return _build(reader, Address, values)


def _practice(reader: _Reader | None) -> Practice | None:
    if reader is None:
        return None
    reader.unknown(
        {"name", "ik", "discipline", "address", "phone", "kim_address", "support_contact"}
    )
    optional = {"phone", "kim_address", "support_contact"}
    values = {
        "name": reader.text("name"),
        "ik": reader.text("ik"),
        "discipline": reader.choice("discipline", Discipline),
        "address": _address(reader.child("address")),
        **{k: reader.text(k, optional=True) for k in optional},
    }
    return _build(reader, Practice, _without_none(values, optional))


def _therapist(reader: _Reader | None) -> Therapist | None:
    if reader is None:
        return None
    reader.unknown({"name", "profession"})
    return _build(
        reader, Therapist, {"name": reader.text("name"), "profession": reader.text("profession")}
    )


def _patient(reader: _Reader | None) -> Patient | None:
    if reader is None:
        return None
    reader.unknown({"patient_id", "family_name", "given_name", "birth_date", "kvnr"})
    values = {
        "patient_id": reader.text("patient_id"),
        "family_name": reader.text("family_name"),
        "given_name": reader.text("given_name"),
        "birth_date": reader.date("birth_date"),
        "kvnr": reader.text("kvnr", optional=True),
    }
    return _build(reader, Patient, _without_none(values, {"kvnr"}))


def _doctor(reader: _Reader | None) -> Doctor | None:
    if reader is None:
        return None
    reader.unknown({"name", "address", "kim_address", "lanr"})
    optional = {"address", "kim_address", "lanr"}
    values = {
        "name": reader.text("name"),
        "address": _address(reader.child("address", optional=True)),
        "kim_address": reader.text("kim_address", optional=True),
        "lanr": reader.text("lanr", optional=True),
    }
    return _build(reader, Doctor, _without_none(values, optional))


def _prescription(reader: _Reader | None) -> Prescription | None:
    if reader is None:
        return None
    keys = {
        "verordnungsdatum", "icd10_codes", "diagnosegruppe", "leitsymptomatik", "heilmittel",
        "behandlungseinheiten", "therapiefrequenz", "hausbesuch",
    }  # fmt: skip
    reader.unknown(keys)
    values = {
        "verordnungsdatum": reader.date("verordnungsdatum"),
        "icd10_codes": reader.texts("icd10_codes"),
        "diagnosegruppe": reader.text("diagnosegruppe"),
        "leitsymptomatik": reader.text("leitsymptomatik"),
        "heilmittel": reader.texts("heilmittel"),
        "behandlungseinheiten": reader.integer("behandlungseinheiten"),
        "therapiefrequenz": reader.text("therapiefrequenz"),
        "hausbesuch": reader.boolean("hausbesuch"),
    }
    return _build(reader, Prescription, values)


def _recommendation(reader: _Reader | None) -> Recommendation | None:
    if reader is None:
        return None
    keys = {
        "continuation", "pause_weeks", "wiedervorstellung", "other_therapy", "setting",
        "frequency", "hausbesuch",
    }  # fmt: skip
    reader.unknown(keys)
    optional = {"pause_weeks", "other_therapy", "frequency"}
    values = {
        "continuation": reader.choice("continuation", Continuation),
        "pause_weeks": reader.integer("pause_weeks", optional=True),
        "wiedervorstellung": reader.boolean("wiedervorstellung"),
        "other_therapy": reader.text("other_therapy", optional=True),
        "setting": reader.choice("setting", Setting),
        "frequency": reader.text("frequency", optional=True),
        "hausbesuch": reader.boolean("hausbesuch"),
    }
    return _build(reader, Recommendation, _without_none(values, optional))


def _raise(found: list[Problem], what: str) -> None:
    if found:
        raise FormatError(f"{what} rejected ({len(found)} problems)", found)


def practice_from_dict(data: object) -> Practice:
    """Praxis master data from the JSON form; :class:`FormatError` with every problem."""
    found: list[Problem] = []
    practice = _practice(_Reader(data, "", found))
    _raise(found, "practice master data")
    assert practice is not None  # no problems means every part was built
    return practice


def therapist_from_dict(data: object) -> Therapist:
    """Therapist master data from the JSON form; :class:`FormatError` with every problem."""
    found: list[Problem] = []
    therapist = _therapist(_Reader(data, "", found))
    _raise(found, "therapist master data")
    assert therapist is not None
    return therapist


def report_from_dict(data: object) -> TherapyReport:
    """A report from the JSON form; :class:`FormatError` with every problem found."""
    found: list[Problem] = []
    reader = _Reader(data, "", found)
    if isinstance(data, dict) and data.get("form") != FORM:
        found.append(
            problem(
                code="therapy.form.version", message=f"'form' must be {FORM!r}", pointer="/form"
            )
        )
    reader.unknown(
        {
            "form", "report_id", "created", "practice", "therapist", "patient", "doctor",
            "prescription", "befund", "therapieverlauf", "therapieziele", "recommendation",
        }
    )  # fmt: skip
    values = {
        "report_id": reader.text("report_id"),
        "created": reader.date("created"),
        "practice": _practice(reader.child("practice")),
        "therapist": _therapist(reader.child("therapist")),
        "patient": _patient(reader.child("patient")),
        "doctor": _doctor(reader.child("doctor")),
        "prescription": _prescription(reader.child("prescription")),
        "befund": reader.text("befund"),
        "therapieverlauf": reader.text("therapieverlauf"),
        "therapieziele": reader.text("therapieziele"),
        "recommendation": _recommendation(reader.child("recommendation")),
    }
    report = _build(reader, TherapyReport, values)
    _raise(found, "therapy report")
    assert report is not None
    return report
