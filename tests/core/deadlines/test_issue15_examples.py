"""Hand-computed worked examples for the PrüfvV 2017 rules, the 2020 cut-over and municipal
holidays (issue 15). Each comment is the computation; docs/deadlines.md repeats the table."""

from __future__ import annotations

import datetime

import pytest

from leportal_core.deadlines import Bundesland, PruefvV, compute
from leportal_core.deadlines.calendar import place_for
from leportal_core.deadlines.rules import ALL_RULES

D = datetime.date
V17 = PruefvV.V2017


@pytest.mark.parametrize(
    ("rule", "start", "land", "raw_end", "due"),
    [
        # Rechnung vor 2020: Mo 13.05.2019 + 6 Wochen = Mo 24.06.2019 (§ 275 Abs. 1c S. 2 a.F.)
        ("audit_initiation", D(2019, 5, 13), "HE", D(2019, 6, 24), D(2019, 6, 24)),
        # cut-over: Di 31.12.2019 + 6 Wochen = Di 11.02.2020 ...
        ("audit_initiation", D(2019, 12, 31), "HE", D(2020, 2, 11), D(2020, 2, 11)),
        # ... but Do 02.01.2020 + 4 Monate = Sa 02.05.2020 → Mo 04.05.2020 (§ 275c, § 193 BGB)
        ("audit_initiation", D(2020, 1, 2), "HE", D(2020, 5, 2), D(2020, 5, 4)),
        # Datenkorrektur § 5 Abs. 1: Einleitung Mo 03.06.2019 + 6 Wochen = Mo 15.07.2019
        ("data_correction", D(2019, 6, 3), "HE", D(2019, 7, 15), D(2019, 7, 15)),
        # Falldialog § 5 Abs. 4: Do 06.06.2019 + 2 Wochen = Do 20.06.2019 Fronleichnam (HE) → Fr
        ("falldialog_answer", D(2019, 6, 6), "HE", D(2019, 6, 20), D(2019, 6, 21)),
        ("falldialog_answer", D(2019, 6, 6), "NI", D(2019, 6, 20), D(2019, 6, 20)),
        # Rechnungskorrektur § 5 Abs. 6: Einigung Mo 01.07.2019 + 4 Wochen = Mo 29.07.2019
        ("invoice_correction", D(2019, 7, 1), "HE", D(2019, 7, 29), D(2019, 7, 29)),
        # MDK-Beauftragung § 6 Abs. 2: Einleitung Mo 03.06.2019 + 12 Wochen = Mo 26.08.2019
        ("md_commission", D(2019, 6, 3), "HE", D(2019, 8, 26), D(2019, 8, 26)),
        # § 8 S. 3: Übermittlung Fr 30.08.2019 + 11 Monate = Do 30.07.2020
        ("decision", D(2019, 8, 30), "HE", D(2020, 7, 30), D(2020, 7, 30)),
        # month end: Übermittlung Do 31.01.2019 + 11 Monate = 31.12.2019 (Di), no holiday in HE
        ("decision", D(2019, 1, 31), "HE", D(2019, 12, 31), D(2019, 12, 31)),
        # § 9 Nachverfahren: Mitteilung Mi 15.01.2020 + 6 Wochen = Mi 26.02.2020
        ("nachverfahren", D(2020, 1, 15), "HE", D(2020, 2, 26), D(2020, 2, 26)),
        # § 10 S. 3: Mitteilung Mi 15.01.2020 + 4 Wochen = Mi 12.02.2020
        ("invoice_correction_decision", D(2020, 1, 15), "HE", D(2020, 2, 12), D(2020, 2, 12)),
        # § 7 Abs. 2 S. 7: Unterlagenfrist endet Di 03.05.2022 + 6 Wochen = Di 14.06.2022
        ("documents_late", D(2022, 5, 3), "HE", D(2022, 6, 14), D(2022, 6, 14)),
    ],
)
def test_pruefvv_2017_worked_examples(
    rule: str, start: datetime.date, land: str, raw_end: datetime.date, due: datetime.date
) -> None:
    deadline = compute(rule, start, land, version=V17)
    assert (deadline.raw_end, deadline.due) == (raw_end, due)


def test_the_2020_cut_over_is_by_the_invoice_receipt_and_cited() -> None:
    old = compute("audit_initiation", D(2019, 12, 31), "HE", version=V17)
    new = compute("audit_initiation", D(2020, 1, 1), "HE", version=V17)
    assert str(old.rule.period) == "6 Wochen"
    assert "§ 275 Abs. 1c S. 2 SGB V a.F." in old.explain()
    assert str(new.rule.period) == "4 Monate"
    assert new.rule.source == "§ 275c Abs. 1 S. 1 SGB V"
    # Mi 01.01.2020 + 4 Monate = Fr 01.05.2020, Erster Mai → Sa, So → Mo 04.05.2020
    assert (new.raw_end, new.due) == (D(2020, 5, 1), D(2020, 5, 4))
    assert [m.reason for m in new.moves] == ["Erster Mai (HE)", "Samstag", "Sonntag"]


@pytest.mark.parametrize(
    ("start", "municipality", "catholic", "land", "due", "calendar"),
    [
        # Fr 20.06.2025 + 8 Wochen = Fr 15.08.2025 Mariä Himmelfahrt: only where kept
        (D(2025, 6, 20), "", None, Bundesland.BY, D(2025, 8, 15), "Landeskalender"),
        (D(2025, 6, 20), "09162000", None, Bundesland.BY, D(2025, 8, 18), "München"),
        (D(2025, 6, 20), "Nürnberg", None, Bundesland.BY, D(2025, 8, 15), "Nürnberg"),
        (D(2025, 6, 20), "Würzburg", True, Bundesland.BY, D(2025, 8, 18), "Würzburg"),
        # Fr 13.06.2025 + 8 Wochen = Fr 08.08.2025 Augsburger Hohes Friedensfest → Mo 11.08.2025
        (D(2025, 6, 13), "Augsburg", None, Bundesland.BY, D(2025, 8, 11), "Friedensfest"),
        (D(2025, 6, 13), "", None, Bundesland.BY, D(2025, 8, 8), "Landeskalender"),
        # Do 09.04.2026 + 8 Wochen = Do 04.06.2026 Fronleichnam: in SN/TH only where kept
        (D(2026, 4, 9), "", None, Bundesland.SN, D(2026, 6, 4), "Landeskalender"),
        (D(2026, 4, 9), "Crostwitz", True, Bundesland.SN, D(2026, 6, 5), "Fronleichnam"),
        (
            D(2026, 4, 9),
            "Heilbad Heiligenstadt",
            True,
            Bundesland.TH,
            D(2026, 6, 5),
            "Fronleichnam",
        ),
        (D(2026, 4, 9), "Erfurt", None, Bundesland.TH, D(2026, 6, 4), "keine zusätzlichen"),
    ],
)
def test_place_of_performance_by_municipality(
    start: datetime.date,
    municipality: str,
    catholic: bool | None,
    land: Bundesland,
    due: datetime.date,
    calendar: str,
) -> None:
    place = place_for(land, municipality, catholic=catholic)
    deadline = compute("documents", start, place)
    assert deadline.due == due
    assert calendar in deadline.calendar
    assert f"Kalender (§ 193 BGB): {deadline.calendar}" in deadline.explain()


def test_every_exclusion_period_states_its_consequence() -> None:
    exclusions = [rule for rule in ALL_RULES if rule.exclusion]
    assert {rule.key for rule in exclusions} >= {
        "audit_initiation",
        "documents",
        "documents_late",
        "md_commission",
        "decision",
        "eroerterung_request",
    }
    for rule in exclusions:
        assert rule.consequence, rule.key
    dispute = compute("eroerterung_request", D(2026, 6, 1), "HE")
    assert (
        "Folge bei Versäumnis: die Entscheidung der Krankenkasse kann nicht mehr"
        in dispute.explain()
    )
