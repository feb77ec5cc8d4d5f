"""The deadline rules of the MD audit (Prüfverfahren), each with its legal source.

Which Prüfverfahrensvereinbarung governs a case depends on the admission date: PrüfvV 2022 for
admissions from 01.01.2022, PrüfvV 2017 (in force since 01.01.2017) before. Only summaries of
§§ 4–10 PrüfvV are public; a rule citing a summary says so in ``source_kind`` and its ``source``.

Sources: § 275c Abs. 1 SGB V (https://www.gesetze-im-internet.de/sgb_5/__275c.html); PrüfvV 2022
as summarised by DKG, BDO and the BSG (B 1 KR 32/20 R); PrüfvV 2017 as summarised by DKG and BKK.
The table and its caveats are in ``docs/deadlines.md``.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from leportal_core.deadlines.periods import Period, Unit

__all__ = [
    "PRUEFVV_2022_FROM",
    "RULES",
    "RULE_KEYS",
    "PruefvV",
    "Rule",
    "SourceKind",
    "pruefvv_for_admission",
]

PRUEFVV_2022_FROM = datetime.date(2022, 1, 1)
"""First admission date governed by the PrüfvV 2022."""


class PruefvV(enum.Enum):
    """The Prüfverfahrensvereinbarung that governs a case."""

    V2017 = "PrüfvV 2017"
    V2022 = "PrüfvV 2022"


class SourceKind(enum.Enum):
    """How firm a rule's source is."""

    STATUTE = "Gesetz"
    SUMMARY = "Zusammenfassung"
    PARAPHRASE = "Paraphrase"


def pruefvv_for_admission(admitted: datetime.date) -> PruefvV:
    """PrüfvV 2022 for admissions from 01.01.2022, PrüfvV 2017 before.

    >>> pruefvv_for_admission(datetime.date(2021, 12, 31)).value
    'PrüfvV 2017'
    """
    return PruefvV.V2022 if admitted >= PRUEFVV_2022_FROM else PruefvV.V2017


@attrs.frozen(kw_only=True)
class Rule:
    """A deadline: ``period`` after ``start_event``, owed by ``obliged``, under ``versions``."""

    key: str
    title: str
    start_event: str
    period: Period
    obliged: str
    source: str
    source_kind: SourceKind
    versions: frozenset[PruefvV]
    consequence: str = ""


def _rule(
    key: str,
    title: str,
    start_event: str,
    amount: int,
    unit: Unit,
    obliged: str,
    source: str,
    kind: SourceKind,
    versions: frozenset[PruefvV],
    consequence: str = "",
) -> Rule:
    return Rule(
        key=key,
        title=title,
        start_event=start_event,
        period=Period(amount=amount, unit=unit),
        obliged=obliged,
        source=source,
        source_kind=kind,
        versions=versions,
        consequence=consequence,
    )


_BOTH = frozenset(PruefvV)
_V2022 = frozenset({PruefvV.V2022})
_V2017 = frozenset({PruefvV.V2017})

_ALL = (
    _rule(
        "audit_initiation",
        "Prüfeinleitung durch die Krankenkasse (Prüfanzeige an das Krankenhaus)",
        "Eingang der Rechnung bei der Krankenkasse",
        4,
        Unit.MONTHS,
        "Krankenkasse / Medizinischer Dienst",
        "§ 275c Abs. 1 SGB V",
        SourceKind.STATUTE,
        _BOTH,
        "eine spätere Prüfung ist unzulässig",
    ),
    _rule(
        "documents",
        "Übermittlung der angeforderten Unterlagen an den MD (Ausschlussfrist)",
        "Eingang der Unterlagenanforderung beim Krankenhaus",
        8,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 7 Abs. 2 PrüfvV 2022 (Zusammenfassung; BSG B 1 KR 32/20 R)",
        SourceKind.SUMMARY,
        _V2022,
        "Rechnung gilt als erörtert; nicht gelieferte Unterlagen sind später ausgeschlossen "
        "(§ 301-Schlüssel MDK30/MDK31)",
    ),
    _rule(
        "documents",
        "Übermittlung der angeforderten Unterlagen an den MD",
        "Eingang der Unterlagenanforderung beim Krankenhaus",
        8,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 7 Abs. 2 S. 4 PrüfvV 2017 (Text wiedergegeben im BKK-Flipbook; DKG: von 4 auf 8 Wochen)",
        SourceKind.SUMMARY,
        _V2017,
        "Anspruch nur auf den unstrittigen Rechnungsbetrag; Nachlieferung binnen weiterer "
        "6 Wochen möglich (siehe documents_late)",
    ),
    _rule(
        "documents_late",
        "Nachlieferung der Unterlagen",
        "Ablauf der Frist für die Unterlagen",
        6,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 7 Abs. 2 PrüfvV 2017 (Zusammenfassung BKK, DKG)",
        SourceKind.SUMMARY,
        _V2017,
        "Anspruch nur auf den unstreitigen Rechnungsbetrag",
    ),
    _rule(
        "falldialog_answer",
        "Antwort auf die Anfrage zum Falldialog",
        "Eingang der Anfrage zum Falldialog",
        2,
        Unit.WEEKS,
        "angefragte Seite",
        "PrüfvV 2022 (Zusammenfassungen)",
        SourceKind.SUMMARY,
        _V2022,
    ),
    _rule(
        "falldialog_end",
        "Ende des Falldialogs",
        "Ablauf der Prüfeinleitungsfrist",
        2,
        Unit.MONTHS,
        "Krankenkasse und Krankenhaus",
        "PrüfvV 2022 (Zusammenfassung BDO)",
        SourceKind.SUMMARY,
        _V2022,
    ),
    _rule(
        "md_commission",
        "Beauftragung des MD nach einem Falldialog",
        "Einleitung des Prüfverfahrens",
        12,
        Unit.WEEKS,
        "Krankenkasse",
        "PrüfvV 2022 (Zusammenfassung BDO)",
        SourceKind.SUMMARY,
        _V2022,
    ),
    _rule(
        "eroerterung_request",
        "Einleitung des Erörterungsverfahrens durch das Krankenhaus (Bestreiten)",
        "Eingang der Leistungsentscheidung der Krankenkasse",
        6,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 9 PrüfvV 2022 (Paraphrase eines Anbieters)",
        SourceKind.PARAPHRASE,
        _V2022,
    ),
    _rule(
        "eroerterung_answer",
        "Antwort der Krankenkasse im Erörterungsverfahren",
        "Eingang des Bestreitens bei der Krankenkasse",
        6,
        Unit.WEEKS,
        "Krankenkasse",
        "§ 9 PrüfvV 2022 (Paraphrase eines Anbieters)",
        SourceKind.PARAPHRASE,
        _V2022,
    ),
    _rule(
        "eroerterung_documents",
        "Unterlagen im Erörterungsverfahren",
        "Beginn des Erörterungsverfahrens",
        4,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 9 PrüfvV 2022 (Paraphrase eines Anbieters)",
        SourceKind.PARAPHRASE,
        _V2022,
    ),
    _rule(
        "eroerterung_end",
        "Abschluss des Erörterungsverfahrens",
        "Beginn des Erörterungsverfahrens",
        12,
        Unit.WEEKS,
        "Krankenkasse und Krankenhaus",
        "§ 9 PrüfvV 2022 (Paraphrase eines Anbieters)",
        SourceKind.PARAPHRASE,
        _V2022,
    ),
    _rule(
        "decision",
        "Leistungsentscheidung der Krankenkasse",
        "Eingang der Prüfanzeige beim Krankenhaus",
        11,
        Unit.MONTHS,
        "Krankenkasse",
        "§ 8 PrüfvV 2017 (Zusammenfassung BKK, DKG)",
        SourceKind.SUMMARY,
        _V2017,
    ),
)

RULES: Mapping[tuple[str, PruefvV], Rule] = MappingProxyType(
    {(rule.key, version): rule for rule in _ALL for version in rule.versions}
)
"""Every rule by ``(key, PrüfvV)``; a key missing for a version does not apply under it."""

RULE_KEYS: tuple[str, ...] = tuple(dict.fromkeys(rule.key for rule in _ALL))
"""The rule keys in documentation order."""
