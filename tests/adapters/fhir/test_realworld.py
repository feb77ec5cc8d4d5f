"""Issue 16 points 12–14: gematik's own ISiK examples, required IHE-D bindings, a BOM before JSON."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.documentreference import DocumentReference

from leportal_core.terminology import (
    EVENT_CODE_VS,
    FACILITY_TYPE_VS,
    FORMAT_CODE_VS,
    PRACTICE_SETTING_VS,
    value_set,
)
from leportal_fhir import import_bundle, read_document_reference, validate_bytes
from leportal_fhir.checks import isik_problems
from leportal_fhir.document_reference import decode_base64binary

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "fhir"
FULL = CORPUS / "isik3-DocumentReference-client-with-binary-pdf-example.json"
DATA = Path(__file__).parent / "data"
SERVER = DATA / "isik3-DocumentReference-dok-beispiel-server.json"


def _resource() -> dict[str, Any]:
    resource: dict[str, Any] = json.loads(FULL.read_bytes())
    return resource


def _codes(resource: dict[str, Any]) -> list[str]:
    return [p.code for p in isik_problems(resource, options=None)]


def test_point12_gematiks_isik3_pdf_example_with_line_wrapped_base64_validates_and_imports() -> (
    None
):
    data = FULL.read_bytes()
    assert " " in _resource()["content"][0]["attachment"]["data"]  # the example really wraps
    report = validate_bytes(data)
    assert report.ok, [str(p) for p in report.problems]
    imported = read_document_reference(data)
    # fhir.resources (pydantic, FHIR R4B) as the independent oracle for the decoded bytes
    oracle = DocumentReference.model_validate_json(data).content[0].attachment.data
    content = imported.document.content
    assert content is not None
    assert content == oracle
    assert content.startswith(b"%PDF-1.5")
    assert content.rstrip().endswith(b"%%EOF")


def test_point12_whitespace_is_allowed_in_binary_data_of_a_bundle_too() -> None:
    resource = _resource()
    content = decode_base64binary(resource["content"][0]["attachment"].pop("data"))
    wrapped = base64.encodebytes(content).decode("ascii")  # 76-column lines with LF
    resource["content"][0]["attachment"]["url"] = "urn:uuid:0b6f6c7e-1b1f-4c55-9bd4-3c5b4cc4a001"
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:0b6f6c7e-1b1f-4c55-9bd4-3c5b4cc4a002", "resource": resource},
            {
                "fullUrl": "urn:uuid:0b6f6c7e-1b1f-4c55-9bd4-3c5b4cc4a001",
                "resource": {
                    "resourceType": "Binary",
                    "contentType": "application/pdf",
                    "data": wrapped,
                },
            },
        ],
    }
    (imported,) = import_bundle(json.dumps(bundle).encode())
    assert imported.document.content == content


@pytest.mark.parametrize("junk", ["JVBE*Ri0x", "JVBERi0x\u00a0", "JVBERi0"])
def test_point12_anything_but_whitespace_still_breaks_base64(junk: str) -> None:
    resource = _resource()
    resource["content"][0]["attachment"]["data"] = junk
    report = validate_bytes(json.dumps(resource).encode())
    assert "fhir.attachment.data" in [p.code for p in report.problems]


def test_point13_gematiks_examples_meet_every_required_binding() -> None:
    assert _codes(_resource()) == []
    assert not [c for c in _codes(json.loads(SERVER.read_bytes())) if c.endswith(".binding")]


@pytest.mark.parametrize(
    ("path", "coding", "code"),
    [
        (("content", 0, "format"), {"system": "urn:x", "code": "pdf"}, "fhir.isik.format.binding"),
        (
            ("context", "facilityType", "coding", 0),
            {
                "system": "http://ihe-d.de/CodeSystems/PatientBezogenenGesundheitsversorgung",
                "code": "XYZ",
            },
            "fhir.isik.facility_type.binding",
        ),
        (
            ("context", "practiceSetting", "coding", 0),
            {"system": "http://snomed.info/sct", "code": "394802001"},
            "fhir.isik.practice_setting.binding",
        ),
    ],
)
def test_point13_codes_outside_the_required_value_sets_are_errors(
    path: tuple[Any, ...], coding: dict[str, str], code: str
) -> None:
    resource = _resource()
    target: Any = resource
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = coding
    report = validate_bytes(json.dumps(resource).encode())
    assert not report.ok
    (problem,) = [p for p in report.problems if p.code == code]
    assert (problem.location.pointer or "").startswith("/" + "/".join(str(k) for k in path[:2]))


def test_point13_context_event_is_checked_and_extra_codings_are_allowed() -> None:
    resource = _resource()
    resource["context"]["event"] = [
        {
            "coding": [
                {
                    "system": "http://ihe-d.de/CodeSystems/FallkontextBeiDokumentenerstellung",
                    "code": "E200",
                }
            ]
        },
        {
            "coding": [
                {"system": "http://ihe-d.de/CodeSystems/DokumentenWarnhinweise", "code": "H9"}
            ]
        },
    ]
    resource["context"]["practiceSetting"]["coding"].insert(
        0, {"system": "http://snomed.info/sct", "code": "394802001"}
    )
    problems = isik_problems(resource)
    assert [(p.code, p.location.pointer) for p in problems] == [
        ("fhir.isik.event.binding", "/context/event/1")
    ]


def test_point13_the_shipped_value_sets_have_the_published_sizes() -> None:
    # IHE-D 4.0.0 (IHE-Germany/ITI.XDS.VS) and IHE FormatCode 1.6.0, see terminology/data/ATTRIBUTION.md
    sizes = {
        url: len(value_set(url))
        for url in (FORMAT_CODE_VS, FACILITY_TYPE_VS, PRACTICE_SETTING_VS, EVENT_CODE_VS)
    }
    assert sizes == {
        FORMAT_CODE_VS: 173,
        FACILITY_TYPE_VS: 24,
        PRACTICE_SETTING_VS: 57,
        EVENT_CODE_VS: 31,
    }
    formats = value_set(FORMAT_CODE_VS)
    assert (
        "http://ihe-d.de/CodeSystems/DeutscheDokumentenformate",
        "urn:ihe-d:spec:PDF_A2:2011",
    ) in formats


def test_point14_a_utf8_bom_before_json_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + FULL.read_bytes()
    assert validate_bytes(data).ok
    assert (read_document_reference(data).document.content or b"").startswith(b"%PDF-1.5")
    # fhir.resources refuses the BOM (pydantic-core's JSON parser); RFC 8259 §8.1 allows ignoring
    # it, so here we deliberately differ from the oracle (docs/formats.md).
    with pytest.raises(ValueError, match="Invalid JSON"):
        DocumentReference.model_validate_json(data)


def test_point14_a_bom_in_the_middle_is_still_not_json() -> None:
    data = FULL.read_bytes()
    report = validate_bytes(data[:1] + b"\xef\xbb\xbf" + data[1:])
    assert [p.code for p in report.problems] == ["fhir.json.syntax"]


def test_point12_export_output_is_unchanged_by_the_lenient_reader() -> None:
    resource = _resource()
    twin = copy.deepcopy(resource)
    twin["content"][0]["attachment"]["data"] = twin["content"][0]["attachment"]["data"].replace(
        " ", ""
    )
    assert (
        read_document_reference(json.dumps(twin).encode()).document.content
        == read_document_reference(json.dumps(resource).encode()).document.content
    )
