"""The real-world corpus (issue 16): public files with expected verdicts, checked against
independent tools where they are installed (python-hl7 for ER7, fhir.resources for FHIR).

Files and licences: ``tests/corpus/README.md``. Nothing is fetched; variants (a BOM, a missing
last terminator, a real PDF wrapped in MDM with another declared type, a cut) are derived here
from the shipped files.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path

import pytest

from leportal_core import FormatError, Severity
from leportal_fhir import read_document_reference, validate_bytes
from leportal_kis_archive import MdmConfig, import_paths, iter_messages
from leportal_therapy_pvs.codecs import GdtPatientCodec

CORPUS = Path(__file__).parent
HL7 = sorted((CORPUS / "hl7").iterdir())
ISIK_PDF = CORPUS / "fhir" / "isik3-DocumentReference-client-with-binary-pdf-example.json"

# file name → (messages read, deliverable, problem codes that must be there)
HL7_VERDICTS = {
    "ans-fr-MDM_T02-v2.6-CR_Radio_INIT_N1.er7": (1, 0, {"kis_archive.content.not_pdf"}),
    "ans-fr-MDM_T10-v2.6-CR_Radio_RPLC_N1.er7": (1, 0, {"kis_archive.content.not_pdf"}),
    "ans-fr-MDM_T02-v2.6-CDA-V1.2-unpadded-base64.hl7": (0, 0, {"kis_archive.ed.base64"}),
}


def _items(tmp_path: Path, data: bytes, config: MdmConfig | None = None) -> list[object]:
    path = tmp_path / "in.hl7"
    path.write_bytes(data)
    return list(import_paths([path], config=config))


def _real_pdf() -> bytes:
    content = read_document_reference(ISIK_PDF.read_bytes()).document.content
    assert content is not None
    return content


def test_the_corpus_has_a_verdict_for_every_hl7_file() -> None:
    assert {p.name for p in HL7} == set(HL7_VERDICTS)


@pytest.mark.parametrize("path", HL7, ids=lambda p: p.name)
def test_hl7_corpus_verdicts(path: Path) -> None:
    read, deliverable, codes = HL7_VERDICTS[path.name]
    items = list(import_paths([path]))
    assert sum(i.ok for i in items) == read
    assert sum(i.deliverable for i in items) == deliverable
    assert codes <= {p.code for i in items for p in i.problems}


@pytest.mark.parametrize("path", HL7, ids=lambda p: p.name)
def test_hl7_corpus_agrees_with_python_hl7(path: Path) -> None:
    hl7 = pytest.importorskip("hl7")
    data = path.read_bytes()
    # python-hl7 splits segments on CR only (HL7 v2.5 §2.5); the ANS files use LF.
    oracle = hl7.parse(data.decode("utf-8").replace("\r\n", "\r").replace("\n", "\r").strip("\r"))
    (outcome,) = iter_messages(data, file=path.name)
    txa_12 = str(oracle.segment("TXA")[12]).split("^")[0]
    obx_5 = str(oracle.segment("OBX")[5]).split("^")
    if outcome.message is None:
        # we refuse only because the ED data is not RFC 4648 base64; python-hl7 does not decode
        # ED at all, and the standard library agrees that the data is not valid base64
        assert [p.code for p in outcome.problems] == ["kis_archive.ed.base64"]
        with pytest.raises(binascii.Error, match="padding"):
            base64.b64decode(obx_5[4], validate=True)
        return
    assert outcome.message.unique_id == txa_12
    assert str(oracle.segment("MSH")[9]).split("^")[1] == outcome.message.event.value
    assert outcome.message.document is not None
    assert outcome.message.document.content == base64.b64decode(obx_5[4])


@pytest.mark.parametrize("path", HL7, ids=lambda p: p.name)
def test_hl7_corpus_variants_interface_engines_produce(tmp_path: Path, path: Path) -> None:
    data = path.read_bytes()
    read, _, _ = HL7_VERDICTS[path.name]
    with_bom = _items(tmp_path, b"\xef\xbb\xbf" + data)  # issue 16.9
    assert sum(i.ok for i in with_bom) == read  # type: ignore[attr-defined]
    unterminated = data.rstrip(b"\r\n")  # issue 16.10
    strict = _items(tmp_path, unterminated)
    assert "kis_archive.input.truncated" in {p.code for i in strict for p in i.problems}  # type: ignore[attr-defined]
    lenient = _items(tmp_path, unterminated, MdmConfig(require_terminator=False))
    assert sum(i.ok for i in lenient) == read  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("ed", "deliverable"),
    [("^AP^PDF^Base64^", True), ("^AP^^Base64^", True), ("^IM^JPEG^Base64^", False)],
)
def test_a_real_pdf_in_an_ans_message_is_deliverable_only_when_declared_consistently(
    tmp_path: Path, ed: str, deliverable: bool
) -> None:
    # issue 16.8: gematik's real PDF in the ANS T02 message, authenticated (TXA-17 LA)
    text = (CORPUS / "hl7" / "ans-fr-MDM_T02-v2.6-CR_Radio_INIT_N1.er7").read_text("utf-8")
    lines = text.splitlines()
    obx = next(i for i, line in enumerate(lines) if line.startswith("OBX|1|ED|"))
    fields = lines[obx].split("|")
    fields[5] = ed + base64.b64encode(_real_pdf()).decode("ascii")
    lines[obx] = "|".join(fields)
    (item,) = _items(tmp_path, ("\r".join(lines) + "\r").encode("utf-8"))
    assert item.deliverable is deliverable  # type: ignore[attr-defined]
    errors = [p for p in item.problems if p.severity is Severity.ERROR]  # type: ignore[attr-defined]
    assert errors == []


def test_a_real_pdf_cut_at_a_4_character_boundary_is_not_deliverable(tmp_path: Path) -> None:
    # issue 21.5 on real material: the cut base64 decodes, the PDF check sees the truncation
    text = (CORPUS / "hl7" / "ans-fr-MDM_T02-v2.6-CR_Radio_INIT_N1.er7").read_text("utf-8")
    b64 = base64.b64encode(_real_pdf()).decode("ascii")
    cut = b64[: len(b64) * 3 // 4 // 4 * 4]
    lines = text.splitlines()
    obx = next(i for i, line in enumerate(lines) if line.startswith("OBX|1|ED|"))
    fields = lines[obx].split("|")
    fields[5] = "^AP^^Base64^" + cut
    lines[obx] = "|".join(fields)
    (item,) = _items(tmp_path, ("\r".join(lines) + "\r").encode("utf-8"))
    assert item.deliverable is False  # type: ignore[attr-defined]
    assert "pdf.damaged" in {p.code for p in item.problems}  # type: ignore[attr-defined]


def test_fhir_corpus_isik_pdf_example_matches_fhir_resources() -> None:
    data = ISIK_PDF.read_bytes()
    assert validate_bytes(data).ok
    resources = pytest.importorskip("fhir.resources.R4B.documentreference")
    oracle = resources.DocumentReference.model_validate_json(data)
    assert _real_pdf() == oracle.content[0].attachment.data
    assert len(_real_pdf()) == 130068
    resource = json.loads(data)
    assert oracle.masterIdentifier.value == resource["masterIdentifier"]["value"]


@pytest.mark.parametrize(
    ("name", "patient_id", "warnings"),
    [
        ("xdt-gdt2_0-1.gdt", "98", ["therapy_pvs.gdt.kvnr_invalid"]),
        ("xdt-gdt2_1-1.gdt", "02345", []),
    ],
)
def test_gdt_corpus_spec_examples_read(name: str, patient_id: str, warnings: list[str]) -> None:
    patient, found = GdtPatientCodec().read((CORPUS / "gdt" / name).read_bytes())
    assert patient.patient_id == patient_id
    assert [w.code for w in found] == warnings


def test_gdt_corpus_broken_transcription_is_refused() -> None:
    with pytest.raises(FormatError) as info:
        GdtPatientCodec().read((CORPUS / "gdt" / "xdt-gdt2_1-2.gdt").read_bytes())
    assert "therapy_pvs.gdt.line_length" in {p.code for p in info.value.problems}
