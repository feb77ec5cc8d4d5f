"""PrüfvV 2022 periods whose wording is not public (§ 7 Abs. 2 Nachfrist, § 11 Rechnungskorrektur):
hand-computed worked examples, the explanation says the wording is not verified, and a hospital
can change or drop them. docs/deadlines.md repeats the table."""

from __future__ import annotations

import datetime

import pytest

from leportal_core.deadlines import Bundesland, Period, PruefvV, SourceKind, Unit, compute
from leportal_core.deadlines.engine import compute_rule
from leportal_core.deadlines.rules import RULES, configure, find_rule

D = datetime.date
V22 = PruefvV.V2022
UNVERIFIED = ("documents_late", "invoice_correction", "invoice_correction_eroerterung")


@pytest.mark.parametrize(
    ("rule", "start", "land", "raw_end", "due", "moves"),
    [
        # Nachfrist (§ 7 Abs. 2, one secondary source): Unterlagenfrist endet Do 23.04.2026
        # (Anforderung Do 26.02.2026 + 8 Wochen); + 3 Wochen = Do 14.05.2026 Christi Himmelfahrt
        # (bundesweit) → Fr 15.05.2026
        ("documents_late", D(2026, 4, 23), "HE", D(2026, 5, 14), D(2026, 5, 15), 1),
        # Unterlagenfrist endet Di 07.04.2026 (Ostermontag verschoben) + 3 Wochen = Di 28.04.2026
        ("documents_late", D(2026, 4, 7), "HE", D(2026, 4, 28), D(2026, 4, 28), 0),
        # § 11 nach Einigung im Falldialog: Mo 27.04.2026 + 4 Wochen = Mo 25.05.2026
        # Pfingstmontag → Di 26.05.2026
        ("invoice_correction", D(2026, 4, 27), "NW", D(2026, 5, 25), D(2026, 5, 26), 1),
        # § 11 nach Einigung im Erörterungsverfahren: Fr 27.11.2026 + 4 Wochen = Fr 25.12.2026
        # 1. Weihnachtstag, Sa 26.12. 2. Weihnachtstag, So 27.12. → Mo 28.12.2026
        (
            "invoice_correction_eroerterung",
            D(2026, 11, 27),
            "BY",
            D(2026, 12, 25),
            D(2026, 12, 28),
            3,
        ),
        # month of Reformationstag: Einigung Fr 02.10.2026 + 4 Wochen = Fr 30.10.2026 (no move);
        # Sa 03.10.2026 + 4 Wochen = Sa 31.10.2026 Reformationstag (SN) → So → Mo 02.11.2026
        ("invoice_correction", D(2026, 10, 2), "SN", D(2026, 10, 30), D(2026, 10, 30), 0),
        ("invoice_correction", D(2026, 10, 3), "SN", D(2026, 10, 31), D(2026, 11, 2), 2),
    ],
)
def test_worked_examples(
    rule: str,
    start: datetime.date,
    land: str,
    raw_end: datetime.date,
    due: datetime.date,
    moves: int,
) -> None:
    deadline = compute(rule, start, land, version=V22)
    assert (deadline.raw_end, deadline.due, len(deadline.moves)) == (raw_end, due, moves)


def test_the_nachfrist_runs_from_the_end_of_the_documents_period() -> None:
    # Anforderung Do 26.02.2026 + 8 Wochen = Do 23.04.2026 (no holiday in HE)
    documents = compute("documents", D(2026, 2, 26), "HE")
    assert documents.due == D(2026, 4, 23)
    assert compute("documents_late", documents.due, "HE").due == D(2026, 5, 15)


@pytest.mark.parametrize("key", UNVERIFIED)
def test_the_explanation_says_the_wording_is_not_verified(key: str) -> None:
    rule = RULES[(key, V22)]
    assert rule.source_kind is SourceKind.UNVERIFIED
    text = compute_rule(rule, D(2026, 6, 1), Bundesland.HE, version=V22).explain()
    assert "Wortlaut nicht verifiziert" in text
    assert ("§ 7 Abs. 2 PrüfvV 2022" if key == "documents_late" else "§ 11 PrüfvV 2022") in text


def test_the_nachfrist_is_an_exclusion_period_with_its_consequence() -> None:
    rule = RULES[("documents_late", V22)]
    assert rule.exclusion
    assert "8-Wochen-Frist (documents) die maßgebliche" in rule.consequence
    assert "Ecovis" in rule.source
    assert "BDO" in rule.source


def test_the_2017_rules_are_unchanged() -> None:
    late = find_rule("documents_late", PruefvV.V2017)
    correction = find_rule("invoice_correction", PruefvV.V2017)
    assert late is not None
    assert correction is not None
    assert (str(late.period), late.source_kind) == ("6 Wochen", SourceKind.TEXT)
    assert (str(correction.period), correction.source_kind) == ("4 Wochen", SourceKind.TEXT)
    assert find_rule("invoice_correction_eroerterung", PruefvV.V2017) is None


def test_an_unverified_rule_can_be_changed_or_dropped() -> None:
    book = configure(
        {
            ("documents_late", V22): None,
            ("invoice_correction", V22): Period(amount=2, unit=Unit.WEEKS),
        }
    )
    assert find_rule("documents_late", V22, rules=book) is None
    assert find_rule("documents_late", PruefvV.V2017, rules=book) is not None
    changed = find_rule("invoice_correction", V22, rules=book)
    assert changed is not None
    assert "Frist vom Krankenhaus konfiguriert (2 Wochen statt 4 Wochen)" in changed.source


@pytest.mark.parametrize(
    "key", [("documents", V22), ("documents_late", PruefvV.V2017), ("eroerterung_request", V22)]
)
def test_a_rule_with_a_source_cannot_be_dropped(key: tuple[str, PruefvV]) -> None:
    with pytest.raises(ValueError, match="only a rule whose wording is not verified"):
        configure({key: None})
