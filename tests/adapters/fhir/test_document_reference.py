from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leportal_core import Document, FormatError
from leportal_fhir import DocumentReferenceCodec

DATA = Path(__file__).parent / "data"
CODEC = DocumentReferenceCodec()
DOC = Document(
    title="Entlassungsbericht Kardiologie",
    media_type="application/pdf",
    created=dt.date(2026, 2, 6),
    content=b"%PDF-1.7\n...",
    patient_id="P-1001",
    case_id="F-2026-000123",
    kdl_code="AD010103",
)


def test_encoding_follows_the_documented_mapping() -> None:
    # Updated deliberately for ISiK Stufe 3 (issue 8): KDL display and IHE-D codes from the
    # installed KDL table, literal Patient/Encounter references, description, securityLabel.
    resource = json.loads(CODEC.encode(DOC))
    attachment = resource["content"][0]["attachment"]
    assert resource["resourceType"] == "DocumentReference"
    assert resource["status"] == "current"
    assert resource["docStatus"] == "final"
    assert resource["type"]["coding"] == [
        {
            "system": "http://dvmd.de/fhir/CodeSystem/kdl",
            "code": "AD010103",
            "display": "Entlassungsbericht intern",
        },
        {
            "system": "http://ihe-d.de/CodeSystems/IHEXDStypeCode",
            "code": "BERI",
            "display": "Arztberichte",
        },
    ]
    assert resource["category"] == [
        {
            "coding": [
                {
                    "system": "http://ihe-d.de/CodeSystems/IHEXDSclassCode",
                    "code": "BRI",
                    "display": "Brief",
                }
            ]
        }
    ]
    assert resource["subject"] == {"reference": "Patient/P-1001"}
    assert resource["context"]["encounter"] == [{"reference": "Encounter/F-2026-000123"}]
    assert resource["description"] == "Entlassungsbericht Kardiologie"
    assert resource["securityLabel"] == [
        {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "N"}
            ]
        }
    ]
    assert resource["masterIdentifier"]["system"] == "urn:ietf:rfc:3986"
    assert resource["masterIdentifier"]["value"].startswith("urn:oid:2.25.")
    assert base64.b64decode(attachment["data"]) == DOC.content
    assert attachment["size"] == 12
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(b"%PDF-1.7\n...").digest()).decode()
    assert (
        attachment["contentType"],
        attachment["title"],
        attachment["creation"],
        attachment["language"],
    ) == ("application/pdf", "Entlassungsbericht Kardiologie", "2026-02-06", "de")
    assert resource["content"][0]["format"]["code"] == "urn:ihe:iti:xds:2017:mimeTypeSufficient"


def test_empty_content_has_no_data_and_the_known_empty_sha1() -> None:
    empty = Document(
        title="leer", media_type="application/pdf", created=dt.date(2026, 1, 1), content=b""
    )
    attachment = json.loads(CODEC.encode(empty))["content"][0]["attachment"]
    assert "data" not in attachment  # FHIR forbids empty strings
    assert attachment["hash"] == "2jmj7l5rSw0yVb/vlWAYkK/YBwk="
    assert CODEC.decode(CODEC.encode(empty)) == empty


@given(
    title=st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=60).filter(
        str.strip
    ),
    content=st.binary(max_size=2048),
    created=st.dates(),
    patient=st.none()
    | st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20).filter(
        str.strip
    ),
)
def test_round_trip_is_exact(
    title: str, content: bytes, created: dt.date, patient: str | None
) -> None:
    document = Document(
        title=title,
        media_type="application/pdf",
        created=created,
        content=content,
        patient_id=patient,
    )
    assert CODEC.decode(CODEC.encode(document)) == document


def test_isik_client_example_is_read() -> None:
    document = CODEC.decode((DATA / "isik3-DocumentReference-client-pdf-short.json").read_bytes())
    assert document.kdl_code == "PT130102"
    assert document.patient_id == "PatientinMusterfrau"
    assert document.title == "Molekularpathologiebefund vom 31.12.21"  # from description
    assert document.created == dt.date(2020, 12, 31)
    assert document.content is not None
    assert document.content.startswith(b"%PDF-1.5")


def test_content_by_url_is_refused_clearly() -> None:
    with pytest.raises(FormatError) as caught:
        CODEC.decode((DATA / "fhir-r4-documentreference-example.json").read_bytes())
    assert "fhir.attachment.url_unsupported" in {p.code for p in caught.value.problems}


def _mutated(change: str) -> bytes:
    resource = json.loads(CODEC.encode(DOC))
    attachment = resource["content"][0]["attachment"]
    if change == "hash":
        attachment["data"] = base64.b64encode(b"%PDF-1.7\n..!").decode()
    elif change == "size":
        attachment["size"] = 11
    elif change == "status":
        resource["status"] = "final"
    elif change == "type":
        resource["resourceType"] = "Patient"
    elif change == "creation":
        attachment["creation"] = "2026-02"
    elif change == "data":
        attachment["data"] = "not base64!"
    elif change == "reference":
        resource["subject"] = {"reference": "Practitioner/1"}
    elif change == "content":
        resource["content"] = []
    elif change == "media_type":
        attachment["contentType"] = "PDF"
    return json.dumps(resource).encode()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("hash", "fhir.attachment.hash_mismatch"),
        ("size", "fhir.attachment.size_mismatch"),
        ("status", "fhir.status.invalid"),
        ("type", "fhir.resource_type.invalid"),
        ("creation", "fhir.attachment.creation"),
        ("data", "fhir.attachment.data"),
        ("reference", "fhir.reference.invalid"),
        ("content", "fhir.content.count"),
        ("media_type", "document.media_type.invalid"),
    ],
)
def test_each_defect_has_its_problem_code(change: str, code: str) -> None:
    with pytest.raises(FormatError) as caught:
        CODEC.decode(_mutated(change))
    assert code in {p.code for p in caught.value.problems}
    assert all(
        p.location.pointer is not None for p in caught.value.problems if p.code.startswith("fhir.")
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "fhir.json.syntax"),
        (b"\xff\xfe{", "fhir.json.encoding"),
        (b"[" * 100_000, "fhir.json.depth"),
        (b'{"a": NaN}', "fhir.json.syntax"),
        (b"1" * 5000, "fhir.json.syntax"),
        (b'{"resourceType": "DocumentReference", "resourceType": "x"}', "fhir.json.duplicate_key"),
        (b"[]", "fhir.structure"),
        ("text", "fhir.input.type"),
    ],
)
def test_bad_bytes_raise_format_error_only(data: bytes, code: str) -> None:
    with pytest.raises(FormatError) as caught:
        CODEC.decode(data)
    assert caught.value.code == code


@given(st.binary(max_size=512))
def test_random_bytes_never_escape_as_other_errors(data: bytes) -> None:
    try:
        CODEC.decode(data)
    except FormatError as exc:
        problems = exc.problems
    else:
        return
    assert all(problem.code.startswith("fhir.") for problem in problems)
