"""The deadline rules of the MD audit (Prüfverfahren), each with its legal source.

Which Prüfverfahrensvereinbarung governs a case depends on the admission date: PrüfvV 2022 for
admissions from 01.01.2022, PrüfvV 2017 (in force since 01.01.2017) before; the
Prüfeinleitungsfrist depends on the invoice's receipt (6 weeks before 01.01.2020). Each rule
says how firm its source is in ``source_kind`` and cites section and sentence in ``source``.

Sources: § 275c Abs. 1 SGB V (https://www.gesetze-im-internet.de/sgb_5/__275c.html); § 275 Abs.
1c S. 2 SGB V a.F.; the PrüfvV 2017 text as reproduced in the BKK Landesverband Süd's flipbook
(§§ 4–10); PrüfvV 2022 as summarised by BDO, DKG and the BSG (B 1 KR 32/20 R). The table of every
period, and what is not modelled and why, is in ``docs/deadlines.md``.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from leportal_core.deadlines.periods import Period, Unit

__all__ = [
    "ALL_RULES",
    "AUSSCHLUSS",
    "INVOICE_CUTOVER",
    "PRUEFVV_2022_FROM",
    "RULES",
    "RULE_KEYS",
    "PruefvV",
    "Rule",
    "SourceKind",
    "configure",
    "find_rule",
    "pruefvv_for_admission",
]

PRUEFVV_2022_FROM = datetime.date(2022, 1, 1)
"""First admission date governed by the PrüfvV 2022."""

INVOICE_CUTOVER = datetime.date(2020, 1, 1)
"""Invoices received by the Kasse from this day on fall under § 275c Abs. 1 SGB V (4 months);
earlier ones under § 275 Abs. 1c S. 2 SGB V a.F. (6 weeks)."""


class PruefvV(enum.Enum):
    """The Prüfverfahrensvereinbarung that governs a case."""

    V2017 = "PrüfvV 2017"
    V2022 = "PrüfvV 2022"


class SourceKind(enum.Enum):
    """How firm a rule's source is."""

    STATUTE = "Gesetz"
    TEXT = "Text der Vereinbarung (veröffentlichte Wiedergabe)"
    SUMMARY = "Zusammenfassung"
    PARAPHRASE = "Paraphrase"
    UNVERIFIED = "Wortlaut nicht verifiziert (vorläufig, konfigurierbar, abschaltbar)"
    """No public source gives the wording; the period rests on one secondary source or is carried
    over from the PrüfvV 2017 as a cautious default, and :func:`configure` may change or drop it."""


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
    invoices_before: datetime.date | None = None

    @property
    def exclusion(self) -> bool:
        """An Ausschlussfrist: missing it cuts a right off (and the rule says which)."""
        return AUSSCHLUSS in self.title


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
    *,
    invoices_before: datetime.date | None = None,
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
        invoices_before=invoices_before,
    )


_BOTH = frozenset(PruefvV)
_V2022 = frozenset({PruefvV.V2022})
_V2017 = frozenset({PruefvV.V2017})

AUSSCHLUSS = "Ausschlussfrist"
"""Marks a rule whose expiry cuts a right off; such a rule always states its consequence."""

_FLIPBOOK = "Text der PrüfvV 2017 im BKK-Flipbook (bkk-sued.de)"
_ECOVIS = "Ecovis, RAin D. Groove, auf mydrg.de: Nachfrist von drei Wochen gegen 300 EUR"
_P11 = (
    "§ 11 PrüfvV 2022 (Korrektur der Abrechnung: abschließende Liste der zulässigen Fälle, "
    "Abs. 1a (so zitiert): Fehlerverfahren nach § 301 Abs. 3 SGB V – Quaas & Partner und BDO zu "
    "SG München S 7 KR 767/23; Korrektur nur nach Einigung – Rödl 11/2021); "
    "eine Frist für die Korrektur ist öffentlich nicht belegt"
)

_ALL = (
    _rule(
        "audit_initiation",
        "Prüfeinleitung durch die Krankenkasse und Anzeige beim Krankenhaus (Ausschlussfrist)",
        "Eingang der Rechnung bei der Krankenkasse",
        4,
        Unit.MONTHS,
        "Krankenkasse / Medizinischer Dienst",
        "§ 275c Abs. 1 S. 1 SGB V",
        SourceKind.STATUTE,
        _BOTH,
        "eine spätere Prüfung ist unzulässig; die Rechnung gilt als nicht beanstandet",
    ),
    _rule(
        "audit_initiation",
        "Prüfeinleitung durch die Krankenkasse (Rechnung vor dem 01.01.2020, Ausschlussfrist)",
        "Eingang der Rechnung bei der Krankenkasse",
        6,
        Unit.WEEKS,
        "Krankenkasse / MDK",
        "§ 275 Abs. 1c S. 2 SGB V a.F.; § 4 PrüfvV 2017 (SG Karlsruhe; " + _FLIPBOOK + ")",
        SourceKind.STATUTE,
        _V2017,
        "eine spätere Prüfung ist unzulässig; die Rechnung gilt als nicht beanstandet",
        invoices_before=INVOICE_CUTOVER,
    ),
    _rule(
        "documents",
        "Übermittlung der angeforderten Unterlagen an den MD (Ausschlussfrist)",
        "Eingang der Unterlagenanforderung beim Krankenhaus",
        8,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 7 Abs. 2 PrüfvV 2022 (Zusammenfassungen BDO, DKG; BSG B 1 KR 32/20 R)",
        SourceKind.SUMMARY,
        _V2022,
        "der MD begutachtet auf Basis der vorliegenden Unterlagen; nicht gelieferte Unterlagen "
        "sind später ausgeschlossen, die Rechnung gilt insoweit als erörtert "
        "(§ 301-Schlüssel MDK30/MDK31); eine Nachfrist von 3 Wochen gegen 300 EUR nennt nur "
        "eine Sekundärquelle (documents_late, nicht verifiziert)",
    ),
    _rule(
        "documents",
        "Übermittlung der angeforderten Unterlagen an den MDK (Ausschlussfrist)",
        "Eingang der Unterlagenanforderung beim Krankenhaus",
        8,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 7 Abs. 2 S. 4–6 PrüfvV 2017 (" + _FLIPBOOK + "; DKG: von 4 auf 8 Wochen)",
        SourceKind.TEXT,
        _V2017,
        "Anspruch nur auf den unstrittigen Rechnungsbetrag (§ 7 Abs. 2 S. 6); Nachlieferung "
        "binnen weiterer 6 Wochen gegen 300 EUR möglich (documents_late)",
    ),
    _rule(
        "documents_late",
        "Nachlieferung der Unterlagen gegen 300 EUR (Ausschlussfrist)",
        "Ablauf der Frist für die Unterlagen",
        6,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 7 Abs. 2 S. 7 PrüfvV 2017 (" + _FLIPBOOK + "; DKG-Rundschreiben)",
        SourceKind.TEXT,
        _V2017,
        "das Prüfverfahren wird nicht fortgesetzt; es bleibt beim Anspruch auf den unstrittigen "
        "Rechnungsbetrag",
    ),
    _rule(
        "documents_late",
        "Nachlieferung der Unterlagen in der Nachfrist gegen 300 EUR (Ausschlussfrist; Wortlaut "
        "nicht verifiziert)",
        "Ablauf der Frist für die Unterlagen (§ 7 Abs. 2 PrüfvV 2022)",
        3,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 7 Abs. 2 PrüfvV 2022 – die Nachfrist nennt nur eine Sekundärquelle (" + _ECOVIS + "); "
        "die BDO-Zusammenfassung des § 7 Abs. 2 nennt keine; Satz und Wortlaut nicht verifiziert",
        SourceKind.UNVERIFIED,
        _V2022,
        "nach dieser Quelle bleiben danach nicht gelieferte Unterlagen ausgeschlossen und der MD "
        "begutachtet nach Aktenlage; da der Wortlaut nicht verifiziert ist, bleibt die "
        "8-Wochen-Frist (documents) die maßgebliche",
    ),
    _rule(
        "data_correction",
        "Korrektur oder Ergänzung der Datensätze im Vorverfahren",
        "Einleitung des Prüfverfahrens (Eingang beim Krankenhaus)",
        6,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 5 Abs. 1 PrüfvV 2017 (" + _FLIPBOOK + ")",
        SourceKind.TEXT,
        _V2017,
        "Datensätze können im Vorverfahren nicht mehr korrigiert werden",
    ),
    _rule(
        "falldialog_answer",
        "Annahme oder Ablehnung der Aufforderung zum Falldialog",
        "Eingang der Aufforderung zum Falldialog",
        2,
        Unit.WEEKS,
        "aufgeforderte Seite",
        "§ 5 Abs. 4 S. 2 PrüfvV 2017 (" + _FLIPBOOK + ")",
        SourceKind.TEXT,
        _V2017,
    ),
    _rule(
        "falldialog_answer",
        "Antwort auf die Aufforderung zum Falldialog",
        "Eingang der Aufforderung zum Falldialog",
        2,
        Unit.WEEKS,
        "aufgeforderte Seite",
        "§ 5 PrüfvV 2022 (Zusammenfassungen)",
        SourceKind.SUMMARY,
        _V2022,
    ),
    _rule(
        "falldialog_end",
        "Abschluss des Falldialogs",
        "Ablauf der Prüfeinleitungsfrist",
        2,
        Unit.MONTHS,
        "Krankenkasse und Krankenhaus",
        "§ 5 PrüfvV 2022 (Zusammenfassung BDO: 2 Monate nach Ablauf der Prüfeinleitungsfrist)",
        SourceKind.SUMMARY,
        _V2022,
    ),
    _rule(
        "invoice_correction",
        "Korrektur der Rechnung nach Einigung im Falldialog",
        "Einigung im Falldialog",
        4,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 5 Abs. 6 S. 2 PrüfvV 2017 (" + _FLIPBOOK + ")",
        SourceKind.TEXT,
        _V2017,
    ),
    _rule(
        "invoice_correction",
        "Korrektur der Rechnung nach Einigung im Falldialog (Frist nicht verifiziert)",
        "Einigung im Falldialog",
        4,
        Unit.WEEKS,
        "Krankenhaus",
        _P11 + "; vorläufig die 4 Wochen aus § 5 Abs. 6 S. 2 PrüfvV 2017",
        SourceKind.UNVERIFIED,
        _V2022,
    ),
    _rule(
        "invoice_correction_eroerterung",
        "Korrektur der Rechnung nach Einigung im Erörterungsverfahren (Frist nicht verifiziert)",
        "Einigung im Erörterungsverfahren (§ 9 PrüfvV 2022)",
        4,
        Unit.WEEKS,
        "Krankenhaus",
        _P11 + "; vorläufig 4 Wochen wie § 5 Abs. 6 S. 2 und § 10 S. 3 PrüfvV 2017",
        SourceKind.UNVERIFIED,
        _V2022,
    ),
    _rule(
        "md_commission",
        "Beauftragung des MDK nach gescheitertem Falldialog (Ausschlussfrist)",
        "Einleitung des Prüfverfahrens (Eingang beim Krankenhaus)",
        12,
        Unit.WEEKS,
        "Krankenkasse",
        "§ 6 Abs. 2 S. 1 PrüfvV 2017 (SG Karlsruhe; DKG: Ausschlussfrist)",
        SourceKind.SUMMARY,
        _V2017,
        "die Prüfung bleibt auf die § 301-Daten, die Rechnung und den Falldialog beschränkt; "
        "eine spätere Prüfanzeige ist unwirksam",
    ),
    _rule(
        "md_commission",
        "Beauftragung des MD nach gescheitertem Falldialog (Ausschlussfrist)",
        "Einleitung des Prüfverfahrens (Eingang beim Krankenhaus)",
        12,
        Unit.WEEKS,
        "Krankenkasse",
        "PrüfvV 2022 (Zusammenfassung BDO: 12 Wochen nach Einleitung)",
        SourceKind.SUMMARY,
        _V2022,
        "eine spätere Prüfanzeige ist unwirksam (Prüfung unzulässig)",
    ),
    _rule(
        "decision",
        "Mitteilung der leistungsrechtlichen Entscheidung der Krankenkasse (Ausschlussfrist)",
        "Übermittlung der Prüfanzeige des MDK (§ 6 Abs. 3)",
        11,
        Unit.MONTHS,
        "Krankenkasse",
        "§ 8 S. 3, 4 PrüfvV 2017 (" + _FLIPBOOK + ")",
        SourceKind.TEXT,
        _V2017,
        "eine spätere Mitteilung ist ausgeschlossen: die Krankenkasse kann die Rechnung nicht "
        "mehr mindern",
    ),
    _rule(
        "nachverfahren",
        "Vorschlag eines Nachverfahrens durch das Krankenhaus",
        "Zugang der Mitteilung der Krankenkasse nach § 8",
        6,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 9 S. 1 PrüfvV 2017 (" + _FLIPBOOK + ")",
        SourceKind.TEXT,
        _V2017,
        "kein Nachverfahren mehr (freiwillig, § 9 S. 2); es bleibt der Rechtsweg",
    ),
    _rule(
        "invoice_correction_decision",
        "Korrektur der Rechnung nach der Entscheidung der Krankenkasse",
        "Zugang der Mitteilung der Krankenkasse nach § 8",
        4,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 10 S. 3 PrüfvV 2017 (" + _FLIPBOOK + ")",
        SourceKind.TEXT,
        _V2017,
        "die Krankenkasse kann mit dem festgestellten Erstattungsanspruch aufrechnen (§ 10 S. 1)",
    ),
    _rule(
        "eroerterung_request",
        "Bestreiten der Leistungsentscheidung: Einleitung des Erörterungsverfahrens "
        "(Ausschlussfrist)",
        "Eingang der Leistungsentscheidung der Krankenkasse",
        6,
        Unit.WEEKS,
        "Krankenhaus",
        "§ 9 PrüfvV 2022 (Paraphrase eines Anbieters)",
        SourceKind.PARAPHRASE,
        _V2022,
        "die Entscheidung der Krankenkasse kann nicht mehr im Erörterungsverfahren bestritten "
        "werden; im späteren Klageverfahren sind nicht erörterte Einwendungen und Unterlagen "
        "ausgeschlossen (§ 17c Abs. 2b KHG)",
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
        "nicht vorgelegte Unterlagen können im Erörterungsverfahren nicht mehr berücksichtigt "
        "werden",
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
)

RULES: Mapping[tuple[str, PruefvV], Rule] = MappingProxyType(
    {
        (rule.key, version): rule
        for rule in _ALL
        if rule.invoices_before is None
        for version in rule.versions
    }
)
"""Every rule by ``(key, PrüfvV)``; a key missing for a version does not apply under it."""

ALL_RULES: tuple[Rule, ...] = _ALL
"""Every rule, including the variants for invoices before a cut-over (see :func:`find_rule`)."""


def configure(
    overrides: Mapping[tuple[str, PruefvV], Period | None],
) -> Mapping[tuple[str, PruefvV], Rule]:
    """:data:`RULES` with some periods replaced by the hospital's reading.

    Meant for rules whose wording is not public (``source_kind`` summary, paraphrase or
    unverified): the changed rule keeps its source and says that the period was configured.
    ``None`` drops a rule whose wording is not verified (:attr:`SourceKind.UNVERIFIED`), e.g. a
    hospital that does not rely on the PrüfvV 2022 Nachfrist; any other rule cannot be dropped
    (``ValueError``). An unknown ``(key, version)`` raises ``KeyError``.

    >>> book = configure({("eroerterung_documents", PruefvV.V2022): Period(amount=6, unit=Unit.WEEKS)})
    >>> str(book[("eroerterung_documents", PruefvV.V2022)].period)
    '6 Wochen'
    >>> ("documents_late", PruefvV.V2022) in configure({("documents_late", PruefvV.V2022): None})
    False
    """
    book = dict(RULES)
    for (key, version), period in overrides.items():
        rule = book[(key, version)]
        if period is None:
            if rule.source_kind is not SourceKind.UNVERIFIED:
                raise ValueError(
                    f"{key} ({version.value}) rests on {rule.source_kind.value}; only a rule whose "
                    "wording is not verified can be switched off"
                )
            del book[(key, version)]
            continue
        book[(key, version)] = attrs.evolve(
            rule,
            period=period,
            source=f"{rule.source}; Frist vom Krankenhaus konfiguriert ({period} statt {rule.period})",
        )
    return MappingProxyType(book)


def find_rule(
    key: str,
    version: PruefvV,
    start: datetime.date | None = None,
    rules: Mapping[tuple[str, PruefvV], Rule] | None = None,
) -> Rule | None:
    """The rule ``key`` under ``version`` for a period starting on ``start``.

    ``audit_initiation`` starts with the invoice's receipt, and for invoices received before
    01.01.2020 the 6-week period of § 275 Abs. 1c S. 2 SGB V a.F. applies instead of § 275c.

    >>> find_rule("audit_initiation", PruefvV.V2017, datetime.date(2019, 12, 31)).period.amount
    6
    >>> find_rule("audit_initiation", PruefvV.V2017, datetime.date(2020, 1, 1)).period.amount
    4
    """
    if start is not None:
        for rule in _ALL:
            if (
                rule.key == key
                and version in rule.versions
                and rule.invoices_before is not None
                and start < rule.invoices_before
            ):
                return rule
    return (RULES if rules is None else rules).get((key, version))


RULE_KEYS: tuple[str, ...] = tuple(dict.fromkeys(rule.key for rule in _ALL))
"""The rule keys in documentation order."""
