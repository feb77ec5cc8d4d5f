"""Export per ISiK Stufe 3: every KDL 2026 code passes our ISiK checks and loads in fhir.resources."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference
from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_conformance.strategies import documents
from leportal_core import Document, Severity, ValidationError
from leportal_core.terminology import installed_kdl_table
from leportal_fhir import (
    Coding,
    Confidentiality,
    IsikMetadata,
    IsikOptions,
    build_transaction,
    isik_problems,
    master_identifier,
    read_resource,
    to_resource,
)

KDL = installed_kdl_table()
needs_kdl = pytest.mark.skipif(KDL is None, reason="leportal-kdl-data is not installed")


def _document(kdl_code: str | None = "AD010103", content: bytes = b"%PDF-1.7\n%%EOF\n") -> Document:
    return Document(
        title="Entlassungsbericht",
        media_type="application/pdf",
        created=dt.date(2026, 2, 6),
        content=content,
        patient_id="P-1001",
        case_id="F-2026-000123",
        kdl_code=kdl_code,
    )


@needs_kdl
def test_every_kdl_2026_code_passes_isik_checks_and_loads_in_fhir_resources() -> None:
    assert KDL is not None
    assert len(KDL) == 483
    unk = 0
    for code in KDL.entries:
        resource = to_resource(_document(code))
        assert isik_problems(resource) == [], code
        DocumentReference.model_validate(resource)
        codings = resource["type"]["coding"]
        assert codings[0] == {
            "system": "http://dvmd.de/fhir/CodeSystem/kdl",
            "code": code,
            "display": KDL.entries[code].display,
        }
        if KDL.entries[code].type_code is None:
            unk += 1
            assert codings[1] == {
                "system": "http://terminology.hl7.org/CodeSystem/v3-NullFlavor",
                "code": "UNK",
                "display": "unknown",
            }
            assert "category" not in resource  # ISiK's category slice needs a real classCode
        else:
            assert codings[1]["system"] == "http://ihe-d.de/CodeSystems/IHEXDStypeCode"
            assert resource["category"][0]["coding"][0]["system"] == (
                "http://ihe-d.de/CodeSystems/IHEXDSclassCode"
            )
    assert unk == 32  # DVMD maps 32 KDL 2026 codes to UNK


def test_without_a_kdl_table_the_kdl_coding_lacks_display_and_the_check_says_so() -> None:
    resource = to_resource(_document(), options=IsikOptions(kdl=None))
    assert resource["type"]["coding"] == [
        {"system": "http://dvmd.de/fhir/CodeSystem/kdl", "code": "AD010103"}
    ]
    assert [p.code for p in isik_problems(resource)] == ["fhir.isik.type.kdl"]


def test_master_identifier_is_stable_and_follows_the_bytes() -> None:
    first = master_identifier(_document())
    assert first == master_identifier(_document())
    assert first != master_identifier(_document(content=b"%PDF-1.7\n%%EOF\n "))
    assert first.startswith("urn:oid:2.25.")
    assert int(first.rsplit(".", 1)[1]) < 2**128
    given_oid = IsikMetadata(master_identifier="urn:oid:1.2.276.0.76.3.1.1")
    assert to_resource(_document(), given_oid)["masterIdentifier"]["value"] == (
        "urn:oid:1.2.276.0.76.3.1.1"
    )


@pytest.mark.parametrize(
    ("pdfa", "code"),
    [
        (None, "urn:ihe:iti:xds:2017:mimeTypeSufficient"),
        ("1b", "urn:ihe-d:spec:PDF_A1:2005"),
        ("2u", "urn:ihe-d:spec:PDF_A2:2011"),
        ("3a", "urn:ihe-d:spec:PDF_A3:2012"),
        ("4", "urn:ihe:iti:xds:2017:mimeTypeSufficient"),  # IHE-D has no PDF/A-4 code
    ],
)
def test_format_code_follows_the_verified_pdfa_part(pdfa: str | None, code: str) -> None:
    resource = to_resource(_document(), IsikMetadata(pdfa=pdfa, pdfa_verified=True))
    assert resource["content"][0]["format"]["code"] == code


@pytest.mark.parametrize("pdfa", ["1b", "2u", "3a"])
def test_item6_a_bare_pdfa_claim_is_exported_as_mime_type_sufficient(pdfa: str) -> None:
    """Issue 16 item 6: a claim from the XMP metadata (``PdfVerdict.pdfa``) is not PDF/A."""
    resource = to_resource(_document(), IsikMetadata(pdfa=pdfa))
    assert resource["content"][0]["format"]["code"] == "urn:ihe:iti:xds:2017:mimeTypeSufficient"


def test_replacement_is_a_relates_to_replaces() -> None:
    old = master_identifier(_document())
    new = to_resource(_document(content=b"%PDF-1.7 v2"), IsikMetadata(replaces=old))
    assert new["relatesTo"] == [
        {
            "code": "replaces",
            "target": {"identifier": {"system": "urn:ietf:rfc:3986", "value": old}},
        }
    ]
    by_reference = to_resource(_document(), IsikMetadata(replaces="DocumentReference/abc"))
    assert by_reference["relatesTo"][0]["target"] == {"reference": "DocumentReference/abc"}
    assert isik_problems(new) == [] or KDL is None


def test_references_that_are_no_fhir_id_travel_as_identifier_and_fail_isik() -> None:
    document = Document(
        title="x",
        media_type="text/plain",
        created=dt.date(2026, 1, 1),
        content=b"x",
        patient_id="Müller|7",
        kdl_code="AD010103",
    )
    resource = to_resource(document)
    assert resource["subject"] == {"identifier": {"value": "Müller|7"}}
    assert "fhir.isik.subject" in {p.code for p in isik_problems(resource)}
    with_system = to_resource(
        _document(), options=IsikOptions(patient_identifier_system="urn:oid:1.2.3")
    )
    assert with_system["subject"] == {
        "reference": "Patient/P-1001",
        "identifier": {"system": "urn:oid:1.2.3", "value": "P-1001"},
    }


def test_invalid_metadata_is_rejected_with_all_problems() -> None:
    with pytest.raises(ValidationError) as caught:
        IsikMetadata(master_identifier="1.2.3", language="Deutsch", pdfa="x")
    assert {p.code for p in caught.value.problems} == {
        "fhir.metadata.master_identifier",
        "fhir.metadata.language",
        "fhir.metadata.pdfa",
    }


_codings = st.builds(
    Coding,
    system=st.sampled_from(["http://example.org/cs", "urn:oid:1.2.3"]),
    code=st.text("ABCxyz019-", min_size=1, max_size=8),
    display=st.none() | st.text("Befund äß", min_size=1, max_size=10).filter(str.strip),
)


@settings(max_examples=40)  # expensive examples
@given(
    confidentiality=st.sampled_from(Confidentiality),
    language=st.sampled_from(["de", "de-DE", "en"]),
    extra_type=st.lists(_codings, max_size=2, unique=True),
    extra_labels=st.lists(_codings, max_size=2, unique=True),
    replaces=st.none() | st.just("urn:oid:2.25.42"),
    description=st.none() | st.just("Entlassungsbericht vom 06.02.2026"),
)
def test_metadata_round_trips_and_unknown_codings_are_kept(
    confidentiality: Confidentiality,
    language: str,
    extra_type: list[Coding],
    extra_labels: list[Coding],
    replaces: str | None,
    description: str | None,
) -> None:
    metadata = IsikMetadata(
        confidentiality=confidentiality,
        language=language,
        extra_type_codings=tuple(extra_type),
        extra_security_labels=tuple(extra_labels),
        replaces=replaces,
        description=description,
    )
    resource = json.loads(json.dumps(to_resource(_document(), metadata)))
    back = read_resource(resource)
    assert back.document == _document()
    got = back.metadata
    assert got.confidentiality is confidentiality
    assert got.language == language
    assert got.replaces == replaces
    assert got.description == (description or "Entlassungsbericht")
    assert got.extra_type_codings == tuple(extra_type)
    assert got.extra_security_labels == tuple(extra_labels)
    assert got.master_identifier == master_identifier(_document())
    assert not [p for p in isik_problems(resource) if p.severity is Severity.ERROR] or KDL is None
    DocumentReference.model_validate(resource)


def test_transaction_bundle_loads_in_fhir_resources_both_ways() -> None:
    for binary in (False, True):
        bundle = build_transaction([_document(), _document("PT130102", b"abc")], binary=binary)
        parsed = Bundle.model_validate(bundle)
        assert parsed.type == "transaction"
        assert parsed.entry is not None
        methods = [(e.request.method, e.request.url) for e in parsed.entry if e.request]
        expected = [("POST", "DocumentReference")] * 2
        if binary:
            expected = [("POST", "Binary"), ("POST", "DocumentReference")] * 2
        assert methods == expected


def _without(resource: dict[str, object], *path: object) -> None:
    target: object = resource
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    del target[path[-1]]  # type: ignore[attr-defined]


_RULES: list[tuple[str, object, str]] = [
    ("masterIdentifier", None, "fhir.isik.master_identifier"),
    (
        "masterIdentifier",
        {"system": "urn:ietf:rfc:3986", "value": "1.2.3"},
        "fhir.isik.master_identifier",
    ),
    ("status", "final", "fhir.isik.status"),
    ("docStatus", "done", "fhir.isik.doc_status"),
    ("type", {"coding": [{"system": "http://loinc.org", "code": "11490-0"}]}, "fhir.isik.type.kdl"),
    (
        "type",
        {"coding": [{"system": "http://dvmd.de/fhir/CodeSystem/kdl", "code": "AD010103"}]},
        "fhir.isik.type.kdl",
    ),
    (
        "category",
        [
            {
                "coding": [
                    {
                        "system": "http://ihe-d.de/CodeSystems/IHEXDSclassCode",
                        "code": "XYZ",
                        "display": "x",
                    }
                ]
            }
        ],
        "fhir.isik.category",
    ),
    ("category", [{}, {}], "fhir.isik.category"),
    ("subject", {"identifier": {"value": "P-1001"}}, "fhir.isik.subject"),
    ("description", None, "fhir.isik.description"),
    (
        "securityLabel",
        [{"coding": [{"system": "http://example.org", "code": "N"}]}],
        "fhir.isik.security_label",
    ),
    ("custodian", {"reference": "Organization/1"}, "fhir.isik.custodian"),
    ("relatesTo", [{"code": "replaces"}], "fhir.isik.relates_to"),
    ("content", [], "fhir.isik.content"),
    ("context", None, "fhir.isik.context"),
]


@pytest.mark.parametrize(("key", "value", "code"), _RULES)
def test_each_isik_rule_has_its_code(key: str, value: object, code: str) -> None:
    resource = to_resource(_document(), options=IsikOptions(kdl=None))
    resource["type"]["coding"][0]["display"] = "Entlassungsbericht intern"
    assert isik_problems(resource) == []
    if value is None:
        del resource[key]
    else:
        resource[key] = value
    assert code in {p.code for p in isik_problems(resource)}


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (("content", 0, "attachment", "contentType"), "fhir.isik.content_type"),
        (("content", 0, "attachment", "language"), "fhir.isik.language"),
        (("content", 0, "attachment", "creation"), "fhir.isik.creation"),
        (("content", 0, "attachment", "data"), "fhir.isik.data_or_url"),
        (("content", 0, "format"), "fhir.isik.format"),
        (("context", "facilityType"), "fhir.isik.facility_type"),
        (("context", "practiceSetting"), "fhir.isik.practice_setting"),
    ],
)
def test_each_required_element_has_its_code(path: tuple[object, ...], code: str) -> None:
    resource = to_resource(_document(), options=IsikOptions(kdl=None))
    _without(resource, *path)
    assert code in {p.code for p in isik_problems(resource)}


def test_two_encounters_and_a_wrong_null_flavor_are_named() -> None:
    resource = to_resource(_document(), options=IsikOptions(kdl=None))
    resource["context"]["encounter"] *= 2
    resource["type"]["coding"].append(
        {"system": "http://terminology.hl7.org/CodeSystem/v3-NullFlavor", "code": "NI"}
    )
    codes = {p.code for p in isik_problems(resource)}
    assert {"fhir.isik.encounter", "fhir.isik.type.xds"} <= codes


@settings(max_examples=60)  # expensive examples
@given(documents(max_content_size=256, large=False))
def test_any_valid_document_exports_to_a_resource_fhir_resources_loads(document: Document) -> None:
    resource = json.loads(json.dumps(to_resource(document)))
    DocumentReference.model_validate(resource)
    assert read_resource(resource).document == document


@needs_kdl
def test_a_kdl_code_missing_from_the_table_is_named() -> None:
    resource = to_resource(_document("ZZ999999"))
    assert [p.code for p in isik_problems(resource)] == [
        "fhir.isik.type.kdl",  # no display: the table does not know the code
    ]
    resource["type"]["coding"][0]["display"] = "erfunden"
    assert [p.code for p in isik_problems(resource)] == ["fhir.isik.type.kdl_unknown"]
