"""Reviewed per-KDL-code categories where DVMD's IHE-D typeCode and classCode disagree.

For 110 of the 483 KDL 2026 level-3 codes (107 of the 463 active ones) the typeCode and the
classCode DVMD maps a code to lead to different eVV categories in leportal's table
(:mod:`leportal_core.terminology.evv_map`). Without a row here such a document is classified by
its typeCode with ``needs_review=True`` and both candidates named. The rows below settle the
groups whose audit meaning is clear; each says why. Only KDL *codes* are listed (identifiers, no
KDL texts), so the GPL KDL table itself stays out of the core package. A hospital replaces or adds
rows with ``CategoryTable().with_overrides(kdl_codes={...})``.

Rules behind the rows:

- assessments scored during the stay (pain, fall risk, nutrition, geriatric and neurological
  scores, sepsis screening) are care and treatment documentation, not device findings; the MD
  reads them as proof of treatment (e.g. the assessments OPS 8-550 requires);
- the OP-Bericht is the surgeon's summarising report (KHB); the other protocols and checklists of
  an operation (counting protocol, batch record, safety checklist, OP-Protokoll) document
  treatment given (KPA);
- consent and Aufklärung forms follow one rule, the typeCode EINW row: administrative (ZUS), the
  anaesthesia Aufklärungsbogen included;
- medication ordered and given belongs to the Kurve; prescriptions and pharmacy logistics are
  administrative;
- admission master data and referral/transfer forms are administrative; the Aufnahmebogen
  documents findings at admission (KPA);
- nursing transfer sheets and wound documentation (also as photos) are Pflege-Doku;
- Sozialdienst documentation bears on discharge planning (secondary Fehlbelegung): KPA;
- a handwritten note or other KIS documentation is running documentation; e-mail and fax
  correspondence without medical content of its own is administrative.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from leportal_core.category import Category
from leportal_core.terminology.evv_map import CategoryRule

__all__ = ["KDL_CODE_TABLE"]

KHB = Category.HOSPITAL_REPORTS
KPA = Category.CHART_AND_CARE_RECORDS
ZUS = Category.ADDITIONAL

_ASSESSMENT = (
    KPA,
    "an assessment scored during the stay is care and treatment documentation (the MD reads it as "
    "proof of treatment, e.g. for OPS 8-550), not a device finding",
)
_SEPSIS = (KPA, "sepsis documentation (screening, bundle) is running treatment documentation")
_OP_REPORT = (KHB, "the OP-Bericht is the surgeon's summarising report")
_OP_PROTOCOL = (
    KPA,
    "protocols and checklists of an operation (counting, batch, safety checklist) document "
    "treatment given; they are not the surgeon's report",
)
_ORDER = (KPA, "an order for treatment or medication is an ärztliche Anordnung")
_CONSENT = (ZUS, "consent and Aufklärung forms follow the EINW rule: administrative")
_MEDICATION = (KPA, "medication ordered, given or checked for the patient belongs to the Kurve")
_PHARMACY = (ZUS, "pharmacy logistics and drug information are administrative")
_PRESCRIPTION = (ZUS, "prescriptions are administrative here (the VER rule)")
_ADMIN = (ZUS, "admission master data are administrative")
_ADMISSION = (KPA, "the Aufnahmebogen documents findings and reason at admission")
_REFERRAL = (ZUS, "referral and transfer forms are administrative papers")
_NURSING = (KPA, "nursing transfer sheets and wound documentation are Pflege-Doku")
_SOCIAL = (KPA, "Sozialdienst documentation bears on discharge planning (secondary Fehlbelegung)")
_NOTE = (KPA, "a note or other KIS documentation in the record is running documentation")
_MAIL = (ZUS, "e-mail and fax correspondence without medical content of its own is administrative")
_CHART = (KPA, "blood-pressure charting is part of the Kurve")
_PASS = (ZUS, "medical passes are not documentation of this stay (the AUS rule)")

_ROWS: dict[str, tuple[Category, str]] = {
    # FUNK/ASM, BEFU/ASM: assessments; QUAL/ASM: sepsis
    "AU190105": _ASSESSMENT,
    "SD070202": _ASSESSMENT,
    "SD070203": _ASSESSMENT,
    "SD070204": _ASSESSMENT,  # fall risk
    "SD070205": _ASSESSMENT,
    "SD070206": _ASSESSMENT,
    "SD070207": _ASSESSMENT,
    "SD070208": _ASSESSMENT,
    "SD160111": _ASSESSMENT,
    "VL010102": _ASSESSMENT,
    "VL010103": _ASSESSMENT,  # pain
    "VL010104": _ASSESSMENT,
    "VL010105": _ASSESSMENT,
    "VL010107": _ASSESSMENT,
    "VL010108": _ASSESSMENT,
    "VL010199": _ASSESSMENT,
    "VL010109": _SEPSIS,
    # OPDK/DUR, OPDK/ANF, OPDK/VER
    "OP150103": _OP_REPORT,
    "OP150101": _OP_PROTOCOL,
    "OP150105": _OP_PROTOCOL,
    "OP150106": _OP_PROTOCOL,
    "OP150108": _OP_PROTOCOL,  # counting protocol
    "OP150109": _OP_PROTOCOL,
    "OP150199": _OP_PROTOCOL,
    "OP150102": _ORDER,
    "OP150107": _ORDER,
    # ANAE/ADM: consent forms, one rule
    "AM010301": _CONSENT,
    # MEDI/ADM, MEDI/VER
    "TH130101": _MEDICATION,
    "TH130102": _MEDICATION,
    "VL010206": _MEDICATION,
    "VL010203": _PHARMACY,
    "VL010204": _PHARMACY,
    "VL010208": _PHARMACY,
    "VL010299": _PHARMACY,
    "ED110108": _PRESCRIPTION,
    "TH130108": _PRESCRIPTION,
    # AUFN/ADM, AUFN/VER
    "AU010102": _ADMIN,
    "AU010105": _ADMIN,
    "AM160113": _ADMIN,
    "AU010103": _ADMISSION,
    "AU050101": _REFERRAL,
    "AU050102": _REFERRAL,
    "AU050103": _REFERRAL,
    "AU050104": _REFERRAL,
    "LB120105": _REFERRAL,
    # PFLG/BRI, WUND/BEF, WUND/BIL
    "ED110116": _NURSING,
    "VL160108": _NURSING,
    "VL230101": _NURSING,
    "VL230103": _NURSING,
    # SOZI/ADM
    "AM190201": _SOCIAL,
    "AM190202": _SOCIAL,
    "AM190203": _SOCIAL,
    "AM190204": _SOCIAL,
    "AM190299": _SOCIAL,
    # SCHR/DOK
    "AM190108": _NOTE,
    "ED110199": _NOTE,
    "ED190102": _MAIL,
    "ED190104": _MAIL,
    "ED190106": _MAIL,
    "ED190108": _MAIL,
    "ED190199": _MAIL,
    # FUNK/DUR
    "DG060104": _CHART,
    # ANAE/AUS
    "AM160114": _PASS,
}

KDL_CODE_TABLE: Mapping[str, CategoryRule] = MappingProxyType(
    {code: CategoryRule(category=c, rationale=r) for code, (c, r) in _ROWS.items()}
)
