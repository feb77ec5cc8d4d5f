"""leportal's own table from IHE-D typeCode/classCode to the eVV categories (§ 4 Abs. 5 eVV).

No official KDL or IHE-D → eVV map is public (DVMD's KDL ConceptMaps name the eVV as one purpose
but stop at IHE-D codes). This table is the project's reading, one row per code with its rationale,
reviewable in ``docs/documents.md`` and overridable per hospital (:meth:`CategoryTable.with_overrides`).
The typeCode is more specific than the classCode, so it is asked first; when the two lead to
different categories the typeCode's is used with ``needs_review=True`` and both candidates named,
unless a reviewed per-KDL row (:mod:`leportal_core.terminology.evv_kdl`) settles the code.

Reading of the four categories used here: *Krankenhausberichte* are summarising physician reports
of the stay (Entlassungs-, Verlegungs-, OP-Berichte); *Kurve, Pflege- oder Arzt-Doku* is the running
documentation of treatment and care (Kurve, Pflege, Anordnungen, Therapie, Anästhesie, Intensiv,
Komplexbehandlung); *Technische/Labor-Befunde* are results of diagnostics (Labor, Bildgebung,
Funktionsdiagnostik, Pathologie, Mikrobiologie); administrative papers go to *zusätzliche Unterlagen*.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from leportal_core.category import Category, Classification
from leportal_core.errors import ConfigurationError, Location, Problem
from leportal_core.terminology.ihe import class_codes, type_codes

__all__ = ["CLASS_CODE_TABLE", "TYPE_CODE_TABLE", "CategoryRule", "CategoryTable"]

KHB = Category.HOSPITAL_REPORTS
KPA = Category.CHART_AND_CARE_RECORDS
TLB = Category.TECHNICAL_AND_LAB_FINDINGS
ZUS = Category.ADDITIONAL


@attrs.frozen(kw_only=True)
class CategoryRule:
    """One row: the category a code leads to, and why."""

    category: Category
    rationale: str


def _rows(rows: dict[str, tuple[Category, str]]) -> Mapping[str, CategoryRule]:
    return MappingProxyType(
        {code: CategoryRule(category=c, rationale=r) for code, (c, r) in rows.items()}
    )


TYPE_CODE_TABLE = _rows(
    {
        "BERI": (
            KHB,
            "Arztberichte (Entlass-, Verlegungsberichte, Epikrisen) are the hospital's reports",
        ),
        "OPDK": (KHB, "the OP-Bericht is a summarising physician report the MD asks for by name"),
        "AUFN": (KPA, "Aufnahme- and Einweisungsdokumente document the start of treatment"),
        "ANAE": (KPA, "Narkoseprotokolle are running treatment documentation"),
        "PFLG": (KPA, "Pflegedokumentation is named in the category itself"),
        "INTS": (KPA, "intensive-care charts are Kurve and Arzt-Doku"),
        "KOMP": (KPA, "Komplexbehandlungsbögen (OPS 8-97/8-98) are care and therapy documentation"),
        "FPRO": (
            KPA,
            "Therapiedokumentation (Physio, Ergo, Logo) is running treatment documentation",
        ),
        "MEDI": (KPA, "medication records belong to the Kurve"),
        "WUND": (KPA, "Wunddokumentation is care documentation"),
        "TRFU": (KPA, "transfusion records document treatment given"),
        "GEBU": (KPA, "pregnancy and birth documentation is running treatment documentation"),
        "BSTR": (KPA, "radiotherapy records document treatment given"),
        "FALL": (KPA, "case conferences are Arzt-Doku"),
        "ONKO": (KPA, "tumour-board and oncology records are Arzt-Doku"),
        "TRPL": (KPA, "transplantation records document treatment given"),
        "RETT": (KPA, "the Rettungsdienst protocol documents treatment before admission"),
        "SOZI": (
            KPA,
            "Sozialdienst documentation bears on discharge planning (secondary Fehlbelegung)",
        ),
        "BEFU": (TLB, "results of diagnostics"),
        "BILD": (TLB, "imaging results are technical findings"),
        "FUNK": (TLB, "functional diagnostics (EKG, EEG, Lungenfunktion) are technical findings"),
        "PATH": (TLB, "pathology reports are findings"),
        "MKRO": (TLB, "microbiology results are laboratory findings"),
        "VIRO": (TLB, "virology results are laboratory findings"),
        "IMMU": (TLB, "immunology results are laboratory findings"),
        "FOTO": (TLB, "photo documentation is an imaging result"),
        "ABRE": (ZUS, "billing documents are administrative"),
        "ADCH": (ZUS, "administrative checklists"),
        "BESC": (ZUS, "ärztliche Bescheinigungen (certificates) are administrative"),
        "ANTR": (ZUS, "applications and decisions are administrative"),
        "EINW": (ZUS, "consents and Aufklärungen are administrative"),
        "EINL": (ZUS, "storage records are administrative"),
        "GRIS": (ZUS, "health-risk evaluations by the Kasse are not hospital documentation"),
        "PATD": (ZUS, "documents the patient brought are not the hospital's documentation"),
        "PATI": (ZUS, "patient information sheets"),
        "QUAL": (ZUS, "quality-assurance forms are administrative"),
        "SCHR": (ZUS, "administrative correspondence"),
        "STUD": (ZUS, "study documents"),
        "VERO": (ZUS, "prescriptions of Heil- und Hilfsmittel are administrative here"),
        "VERT": (ZUS, "contracts are administrative"),
    }
)

CLASS_CODE_TABLE = _rows(
    {
        "BRI": (KHB, "Briefe (Arztbriefe, Entlassbriefe) are the hospital's reports"),
        "BEF": (TLB, "Befundberichte are findings"),
        "LAB": (TLB, "Laborergebnisse are laboratory findings"),
        "BIL": (TLB, "Bilddaten are imaging results"),
        "VID": (TLB, "Videodaten are recorded examination results"),
        "DUR": (KPA, "Durchführungsprotokolle document treatment given"),
        "MED": (KPA, "medication belongs to the Kurve"),
        "PLA": (KPA, "treatment plans are Arzt-Doku"),
        "ASM": (KPA, "assessments (scores) are treatment documentation"),
        "DOK": (KPA, "notes without fixed form are running documentation"),
        "ANF": (KPA, "orders for diagnostics or therapy are ärztliche Anordnungen"),
        "ADM": (ZUS, "administrative documents"),
        "AUS": (ZUS, "medical passes are not documentation of this stay"),
        "FOR": (ZUS, "research documents"),
        "GUT": (ZUS, "Gutachten and quality management are not treatment documentation"),
        "VER": (ZUS, "Verordnungen are administrative here"),
    }
)


def _reviewed_kdl_rows() -> Mapping[str, CategoryRule]:
    from leportal_core.terminology.evv_kdl import KDL_CODE_TABLE  # it imports CategoryRule

    return KDL_CODE_TABLE


_KDL_CODE = re.compile(r"^[A-Z]{2}[0-9]{6}$")


@attrs.frozen(kw_only=True)
class CategoryTable:
    """Per-KDL-code, typeCode and classCode rows; a hospital may replace rows with
    :meth:`with_overrides`. A per-KDL row wins over the IHE-D rows (it is more specific)."""

    type_codes: Mapping[str, CategoryRule] = TYPE_CODE_TABLE
    class_codes: Mapping[str, CategoryRule] = CLASS_CODE_TABLE
    kdl_codes: Mapping[str, CategoryRule] = attrs.field(factory=_reviewed_kdl_rows)

    def with_overrides(
        self,
        *,
        type_codes: Mapping[str, CategoryRule] | None = None,
        class_codes: Mapping[str, CategoryRule] | None = None,
        kdl_codes: Mapping[str, CategoryRule] | None = None,
    ) -> CategoryTable:
        """A copy with the given rows replaced; unknown IHE-D codes or malformed KDL codes are a
        ConfigurationError."""
        problems = [
            Problem(
                code="terminology.table.unknown_code",
                message=f"{code!r} is not an IHE-D {kind}",
                location=Location(field=kind),
            )
            for kind, given, known in (
                ("typeCode", type_codes or {}, type_codes_known()),
                ("classCode", class_codes or {}, class_codes_known()),
            )
            for code in given
            if code not in known
        ]
        problems += [
            Problem(
                code="terminology.table.unknown_code",
                message=f"{code!r} is not a KDL level-3 code (two letters, six digits)",
                location=Location(field="kdlCode"),
            )
            for code in kdl_codes or {}
            if not _KDL_CODE.match(code)
        ]
        if problems:
            raise ConfigurationError("category table overrides name unknown codes", problems)
        return CategoryTable(
            type_codes=MappingProxyType({**self.type_codes, **(type_codes or {})}),
            class_codes=MappingProxyType({**self.class_codes, **(class_codes or {})}),
            kdl_codes=MappingProxyType({**self.kdl_codes, **(kdl_codes or {})}),
        )

    def for_kdl(self, code: str | None, *, via: str = "") -> Classification | None:
        """The reviewed per-KDL row for ``code``, or ``None``."""
        rule = self.kdl_codes.get(code) if code is not None else None
        if rule is None:
            return None
        return Classification(
            category=rule.category,
            rule="kdl.reviewed",
            reason=f"KDL {code}: reviewed row → {rule.category.value}: {rule.rationale}{via}",
        )

    def decide(
        self, *, type_code: str | None, class_code: str | None, via: str = ""
    ) -> Classification | None:
        """The category for these codes (typeCode first), or ``None`` when neither has a row.

        When both have rows that disagree, the typeCode's category is returned with
        ``needs_review=True``, both candidates in ``candidates`` and both rows in the reason."""
        type_rule = self.type_codes.get(type_code) if type_code is not None else None
        class_rule = self.class_codes.get(class_code) if class_code is not None else None
        if type_rule is not None:
            reason = f"{via}IHE-D typeCode {type_code} → {type_rule.category.value}: {type_rule.rationale}"
            if class_rule is None or class_rule.category is type_rule.category:
                return Classification(
                    category=type_rule.category, rule="ihe-d.typeCode", reason=reason
                )
            return Classification(
                category=type_rule.category,
                rule="ihe-d.typeCode",
                reason=f"{reason}; but IHE-D classCode {class_code} → "
                f"{class_rule.category.value}: {class_rule.rationale} — the codes disagree, "
                "review which applies (or add a per-KDL row)",
                needs_review=True,
                candidates=(type_rule.category, class_rule.category),
            )
        if class_code is not None and (rule := class_rule) is not None:
            return Classification(
                category=rule.category,
                rule="ihe-d.classCode",
                reason=f"{via}IHE-D classCode {class_code} → {rule.category.value}: {rule.rationale}",
            )
        return None


def type_codes_known() -> Mapping[str, object]:
    return type_codes()


def class_codes_known() -> Mapping[str, object]:
    return class_codes()
