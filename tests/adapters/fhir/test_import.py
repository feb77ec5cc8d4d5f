"""Import of DocumentReferences and Bundles: ISiK examples, verification, tampering, validation."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import leportal_core.plugins as plugins
from leportal_core import Document, FormatError, Severity
from leportal_core.cli import build_cli
from leportal_fhir import (
    build_transaction,
    import_bundle,
    plugin,
    read_document_reference,
    transaction_bytes,
    validate_bytes,
)

DATA = Path(__file__).parent / "data"
SERVER = DATA / "isik3-DocumentReference-dok-beispiel-server.json"
CLIENT = DATA / "isik3-DocumentReference-client-pdf-short.json"
DOC = Document(
    title="Entlassungsbericht",
    media_type="application/pdf",
    created=dt.date(2026, 2, 6),
    content=b"%PDF-1.7\n%%EOF\n",
    patient_id="P-1001",
    case_id="F-2026-000123",
    kdl_code="AD010103",
)
PDF = b"%PDF-1.5\r%\xe2\xe3\xcf\xd3\r\n10"  # the bytes of the ISiK client example's data


def test_isik_client_example_imports_with_its_metadata() -> None:
    imported = read_document_reference(CLIENT.read_bytes())
    assert imported.resource_id == "dok-beispiel-client-with-binary-pdf-example-short"
    assert imported.document.content == base64.b64decode("JVBERi0xLjUNJeLjz9MNCjEw")
    assert (imported.document.kdl_code, imported.document.patient_id) == (
        "PT130102",
        "PatientinMusterfrau",
    )
    assert imported.document.case_id == "BeispielBesuch"
    assert imported.document.created == dt.date(2020, 12, 31)
    meta = imported.metadata
    assert meta.master_identifier == (
        "urn:oid:1.2.840.113556.1.8000.2554.58783.21864.3474.19410.44358.58254.41281.46340"
    )
    assert meta.description == "Molekularpathologiebefund vom 31.12.21"
    assert (meta.confidentiality.value, meta.language, meta.doc_status) == ("N", "de", None)
    assert meta.practice_setting is not None
    assert meta.practice_setting.code == "ALLG"
    assert meta.facility_type is not None
    assert meta.facility_type.code == "KHS"


def _server_bundle(content: bytes = PDF) -> dict[str, Any]:
    """The ISiK server example with its content as a Binary of the same Bundle."""
    resource = json.loads(SERVER.read_bytes())
    url = resource["content"][0]["attachment"]["url"]
    binary = {
        "resourceType": "Binary",
        "contentType": "application/pdf",
        "data": base64.b64encode(content).decode(),
    }
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": url, "resource": binary}, {"resource": resource}],
    }


def test_isik_server_example_imports_from_a_bundle_and_keeps_the_singular_system() -> None:
    (imported,) = import_bundle(json.dumps(_server_bundle()).encode())
    assert imported.document.content == PDF
    assert imported.document.kdl_code == "PT130102"
    meta = imported.metadata
    # ISiK's example spells the typeCode system singular: read, kept as it came.
    assert meta.type_code is not None
    assert (meta.type_code.system, meta.type_code.code) == (
        "http://ihe-d.de/CodeSystem/IHEXDStypeCode",
        "PATH",
    )
    assert meta.class_code is not None
    assert meta.class_code.code == "BEF"


def test_isik_server_example_validates_with_warnings_only() -> None:
    report = validate_bytes(SERVER.read_bytes())
    assert report.ok
    assert sorted(p.code for p in report.problems) == [
        "fhir.attachment.not_verified",
        "fhir.isik.system_spelling",
    ]
    assert all(p.severity is Severity.WARNING for p in report.problems)
    assert validate_bytes(CLIENT.read_bytes()).problems == ()


@settings(max_examples=25)  # expensive examples
@given(
    contents=st.lists(st.binary(max_size=300), min_size=1, max_size=4),
    binary=st.booleans(),
)
def test_bundle_round_trip_is_exact(contents: list[bytes], binary: bool) -> None:
    documents = [
        Document(
            title=f"Befund {i}",
            media_type="application/pdf",
            created=dt.date(2026, 1, 1 + i),
            content=content,
            patient_id="P-1",
            kdl_code="LB120101" if i % 2 else None,
        )
        for i, content in enumerate(contents)
    ]
    back = import_bundle(transaction_bytes(documents, binary=binary))
    assert [i.document for i in back] == documents


def _tampered(change: str) -> bytes:
    resource = json.loads(read_bytes_of(DOC))
    attachment = resource["content"][0]["attachment"]
    if change == "hash":
        attachment["hash"] = base64.b64encode(b"\0" * 20).decode()
    elif change == "size":
        attachment["size"] += 1
    elif change == "base64":
        attachment["data"] = attachment["data"][:-2] + "!!"
    elif change == "resource_type":
        resource["resourceType"] = "Binary"
    elif change == "content":
        del resource["content"]
    return json.dumps(resource).encode()


def read_bytes_of(document: Document) -> bytes:
    return json.dumps(build_transaction([document])["entry"][0]["resource"]).encode()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("hash", "fhir.attachment.hash_mismatch"),
        ("size", "fhir.attachment.size_mismatch"),
        ("base64", "fhir.attachment.data"),
        ("resource_type", "fhir.resource_type.invalid"),
        ("content", "fhir.content.count"),
    ],
)
def test_tampered_input_gives_problem_codes_everywhere(change: str, code: str) -> None:
    data = _tampered(change)
    with pytest.raises(FormatError) as caught:
        read_document_reference(data)
    assert code in {p.code for p in caught.value.problems}
    report = validate_bytes(data)
    assert not report.ok
    assert code in {p.code for p in report.problems}
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": json.loads(data)}],
    }
    with pytest.raises(FormatError) as in_bundle:
        import_bundle(json.dumps(bundle).encode())
    codes = {p.code for p in in_bundle.value.problems}
    assert code in codes or (change == "resource_type" and codes == {"fhir.bundle.empty"})


def test_binary_content_is_verified_too() -> None:
    bundle = build_transaction([DOC], binary=True)
    bundle["entry"][0]["resource"]["data"] = base64.b64encode(b"%PDF-1.7\n%%EOF\r").decode()
    with pytest.raises(FormatError) as caught:
        import_bundle(json.dumps(bundle).encode())
    assert {p.code for p in caught.value.problems} == {"fhir.attachment.hash_mismatch"}
    assert (
        caught.value.problems[0].location.pointer == "/entry/1/resource/content/0/attachment/hash"
    )
    bundle["entry"][0]["fullUrl"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    with pytest.raises(FormatError) as unresolved:
        import_bundle(json.dumps(bundle).encode())
    assert {p.code for p in unresolved.value.problems} == {"fhir.attachment.url_unresolved"}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b'{"resourceType": "Patient"}', "fhir.bundle.resource_type"),
        (b'{"resourceType": "Bundle", "type": "document", "entry": []}', "fhir.bundle.type"),
        (b'{"resourceType": "Bundle", "type": "transaction"}', "fhir.bundle.empty"),
        (b'{"resourceType": "Bundle", "type": "batch", "entry": [1]}', "fhir.bundle.entry"),
        (
            b'{"resourceType": "Bundle", "type": "batch", "entry": [{"resource": '
            b'{"resourceType": "Binary", "data": "%%"}}]}',
            "fhir.binary.data",
        ),
        (b"\xff", "fhir.json.encoding"),
    ],
)
def test_bad_bundles_are_refused_with_codes(data: bytes, code: str) -> None:
    with pytest.raises(FormatError) as caught:
        import_bundle(data)
    assert code in {p.code for p in caught.value.problems}


@settings(max_examples=60)  # expensive examples
@given(st.binary(max_size=300))
def test_random_bytes_never_escape_bundle_import_or_validation(data: bytes) -> None:
    try:
        import_bundle(data)
    except FormatError as exc:
        problems = exc.problems
    else:  # pragma: no cover - random bytes are never a Bundle
        problems = ()
    assert all(p.code.startswith("fhir.") for p in problems)
    report = validate_bytes(data)
    assert report.ok is not bool([p for p in report.problems if p.severity is Severity.ERROR])


def _root() -> Any:
    pm = plugins.new_plugin_manager()
    plugins.register_plugins(pm, [("fhir", plugin)])
    return build_cli(pm)


def test_cli_validate(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(_root(), ["fhir", "validate", str(CLIENT)])
    assert good.exit_code == 0, good.output
    assert "valid (1 DocumentReference(s) checked)" in good.output
    bad_file = tmp_path / "bad.json"
    bad_file.write_bytes(_tampered("hash"))
    bad = runner.invoke(_root(), ["fhir", "validate", str(bad_file), "--json"])
    assert bad.exit_code == 1
    report = json.loads(bad.output)
    assert report["ok"] is False
    assert "fhir.attachment.hash_mismatch" in {p["code"] for p in report["problems"]}
    missing = runner.invoke(_root(), ["fhir", "validate", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output
    assert "input.file.missing" in missing.output


def test_imported_documents_classify_with_their_ihe_codes() -> None:
    pm = plugins.new_plugin_manager()
    (imported,) = import_bundle(json.dumps(_server_bundle()).encode())
    assert imported.classify(pm).category.value == "TLB"  # PATH / BEF: a finding
    resource = json.loads(SERVER.read_bytes())
    resource["type"]["coding"] = resource["type"]["coding"][1:]  # no KDL: the IHE-D code decides
    resource["content"][0]["attachment"] = {
        "contentType": "application/pdf",
        "data": base64.b64encode(PDF).decode(),
        "creation": "2020-12-31",
    }
    only_ihe = read_document_reference(json.dumps(resource).encode())
    assert only_ihe.document.kdl_code is None
    assert only_ihe.classify(pm).rule == "ihe-d.typeCode"


@pytest.mark.parametrize(
    ("path", "value", "isik_valid"),
    [
        (("masterIdentifier", "value"), "1.2.3", False),
        (("content", 0, "attachment", "language"), "Deutsch!", True),  # presence is checked
        (("content", 0, "format", "code"), "urn:ihe-d:spec:PDF_Ax", False),  # required binding
        (("securityLabel", 0, "coding", 0, "code"), "X", False),
    ],
)
def test_foreign_metadata_values_never_break_the_import(
    path: tuple[Any, ...], value: str, isik_valid: bool
) -> None:
    resource = json.loads(CLIENT.read_bytes())
    target = resource
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    imported = read_document_reference(json.dumps(resource).encode())
    assert imported.document.kdl_code == "PT130102"
    assert validate_bytes(json.dumps(resource).encode()).ok is isik_valid


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@given(data=st.data(), binary=st.booleans())
def test_any_element_replaced_by_any_json_never_escapes(data: st.DataObject, binary: bool) -> None:
    bundle = build_transaction([DOC], binary=binary)
    resource = bundle["entry"][-1]["resource"]  # the DocumentReference, mutated in place below
    path = data.draw(st.sampled_from(_paths(bundle)[1:]))
    target = bundle
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = data.draw(_json_values)
    raw = json.dumps(bundle).encode()
    assert all(p.code.startswith(("fhir.", "document.")) for p in _problems(import_bundle, raw))
    report = validate_bytes(raw)
    assert report.ok is not any(p.severity is Severity.ERROR for p in report.problems)
    if isinstance(resource, dict):
        encoded = json.dumps(resource).encode()
        assert all(p.code for p in _problems(read_document_reference, encoded))


def _problems(function: Any, data: bytes) -> tuple[Any, ...]:
    """The problems ``function`` raised as a FormatError; empty when it returned (any other
    exception fails the test)."""
    try:
        function(data)
    except FormatError as exc:
        return exc.problems
    return ()
