"""Compute a deadline and its explanation: rule, source, start event, raw end, every move.

>>> import datetime
>>> d = compute("documents", datetime.date(2026, 2, 9), "HE")
>>> d.due
datetime.date(2026, 4, 7)
>>> print(d.explain())
Übermittlung der angeforderten Unterlagen an den MD (Ausschlussfrist) – PrüfvV 2022
  Quelle: § 7 Abs. 2 PrüfvV 2022 (Zusammenfassungen BDO, DKG; BSG B 1 KR 32/20 R) [Zusammenfassung]
  Beginn: Eingang der Unterlagenanforderung beim Krankenhaus am Mo 09.02.2026 (§ 187 Abs. 1 BGB: dieser Tag zählt nicht)
  Frist: 8 Wochen → rechnerisches Ende Mo 06.04.2026 (§ 188 BGB)
  Kalender (§ 193 BGB): Feiertage Hessen (HE) (Landeskalender)
  verschoben (§ 193 BGB, HE): 06.04.2026 Ostermontag (HE)
  Fristende: Di 07.04.2026
  Folge bei Versäumnis: der MD begutachtet auf Basis der vorliegenden Unterlagen; nicht gelieferte Unterlagen sind später ausgeschlossen, die Rechnung gilt insoweit als erörtert (§ 301-Schlüssel MDK30/MDK31); eine Nachfrist von 3 Wochen gegen 300 EUR nennt nur eine Sekundärquelle (documents_late, nicht verifiziert)
"""

from __future__ import annotations

import datetime
from typing import Any

import attrs

from leportal_core.deadlines.calendar import Bundesland, Move, Place, roll_forward
from leportal_core.deadlines.periods import period_end
from leportal_core.deadlines.rules import RULE_KEYS, PruefvV, Rule, find_rule
from leportal_core.errors import DeadlineError, Location, Problem

__all__ = ["Deadline", "DeadlineError", "compute", "compute_rule", "parse_state"]

_WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def _day(day: datetime.date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day:%d.%m.%Y}"


@attrs.frozen(kw_only=True)
class Deadline:
    """A computed deadline that explains itself."""

    rule: Rule
    version: PruefvV
    start: datetime.date
    state: Bundesland
    raw_end: datetime.date
    due: datetime.date
    moves: tuple[Move, ...]
    roll_forward: bool
    place: Place | None = None
    subject: str = ""
    """What the deadline is about when a case has several of one rule, e.g. the request ``A3``."""
    missing: tuple[str, ...] = ()
    """What is still owed to discharge it, e.g. requested items not yet delivered."""

    @property
    def calendar(self) -> str:
        """The holiday calendar the roll-forward used."""
        return (self.place or Place(state=self.state)).calendar

    def explain(self) -> str:
        """The explanation for people, in German (the users' language)."""
        rule = self.rule
        lines = [
            f"{rule.title} – {self.version.value}"
            + (f" – betrifft {self.subject}" if self.subject else ""),
            f"  Quelle: {rule.source} [{rule.source_kind.value}]",
            f"  Beginn: {rule.start_event} am {_day(self.start)} "
            "(§ 187 Abs. 1 BGB: dieser Tag zählt nicht)",
            f"  Frist: {rule.period} → rechnerisches Ende {_day(self.raw_end)} (§ 188 BGB)",
        ]
        if not self.roll_forward:
            lines.append("  keine Verschiebung nach § 193 BGB (abgeschaltet)")
        else:
            lines.append(f"  Kalender (§ 193 BGB): {self.calendar}")
        if self.roll_forward and self.moves:
            lines.append(
                f"  verschoben (§ 193 BGB, {(self.place or Place(state=self.state)).code}): "
                + ", ".join(str(move) for move in self.moves)
            )
        lines.append(f"  Fristende: {_day(self.due)}")
        if self.missing:
            lines.append("  fehlt noch: " + ", ".join(self.missing))
        if rule.consequence:
            lines.append(f"  Folge bei Versäumnis: {rule.consequence}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (ISO dates) with the same facts as :meth:`explain`."""
        rule = self.rule
        return {
            "rule": rule.key,
            "title": rule.title,
            "pruefvv": self.version.value,
            "source": rule.source,
            "source_kind": rule.source_kind.value,
            "obliged": rule.obliged,
            "start_event": rule.start_event,
            "start": self.start.isoformat(),
            "period": {"amount": rule.period.amount, "unit": rule.period.unit.value},
            "raw_end": self.raw_end.isoformat(),
            "state": self.state.name,
            "roll_forward": self.roll_forward,
            "moves": [{"day": m.day.isoformat(), "reason": m.reason} for m in self.moves],
            "due": self.due.isoformat(),
            "consequence": rule.consequence,
            "exclusion": rule.exclusion,
            "calendar": self.calendar,
            "subject": self.subject,
            "missing": list(self.missing),
        }


def parse_state(value: str | Bundesland) -> Bundesland:
    """A Bundesland from its two-letter code (case-insensitive) or the enum itself."""
    if isinstance(value, Bundesland):
        return value
    try:
        return Bundesland[str(value).strip().upper()]
    except KeyError:
        raise DeadlineError(
            f"unknown Bundesland {value!r}",
            [
                Problem(
                    code="deadline.state.unknown",
                    message=f"unknown Bundesland {value!r}; use one of "
                    + ", ".join(b.name for b in Bundesland),
                    location=Location(field="state"),
                )
            ],
        ) from None


def compute_rule(
    rule: Rule,
    start: datetime.date,
    state: Bundesland | Place,
    *,
    version: PruefvV,
    roll_forward_enabled: bool = True,
) -> Deadline:
    """Apply ``rule`` to an event on ``start`` at ``state`` (a Land or a :class:`Place`)."""
    place = state if isinstance(state, Place) else None
    land = state.state if isinstance(state, Place) else state
    try:
        raw_end = period_end(start, rule.period)
        due, moves = roll_forward(raw_end, state) if roll_forward_enabled else (raw_end, ())
    except OverflowError as exc:
        raise DeadlineError(
            "deadline out of the calendar's range",
            [
                Problem(
                    code="deadline.date.out_of_range",
                    message=f"{rule.period} after {start.isoformat()} is beyond year 9999",
                    location=Location(field="start"),
                )
            ],
        ) from exc
    return Deadline(
        rule=rule,
        version=version,
        start=start,
        state=land,
        place=place,
        raw_end=raw_end,
        due=due,
        moves=moves,
        roll_forward=roll_forward_enabled,
    )


def compute(
    rule: str,
    start: datetime.date,
    state: str | Bundesland | Place,
    *,
    version: PruefvV = PruefvV.V2022,
    roll_forward_enabled: bool = True,
) -> Deadline:
    """The deadline of rule ``rule`` (a key of :data:`~leportal_core.deadlines.rules.RULES`).

    Every problem with the arguments is reported at once in a :class:`DeadlineError`.
    """
    problems: list[Problem] = []
    found: Rule | None = None
    if rule not in RULE_KEYS:
        problems.append(
            Problem(
                code="deadline.rule.unknown",
                message=f"unknown rule {rule!r}; use one of {', '.join(RULE_KEYS)}",
                location=Location(field="rule"),
            )
        )
    elif (
        found := find_rule(
            rule,
            version,
            start
            if isinstance(start, datetime.date) and not isinstance(start, datetime.datetime)
            else None,
        )
    ) is None:
        problems.append(
            Problem(
                code="deadline.rule.not_applicable",
                message=f"rule {rule!r} does not exist under {version.value}",
                location=Location(field="rule"),
            )
        )
    if not isinstance(start, datetime.date) or isinstance(start, datetime.datetime):
        problems.append(
            Problem(
                code="deadline.date.invalid",
                message=f"the start must be a date, got {type(start).__name__}",
                location=Location(field="start"),
            )
        )
    land: Bundesland | Place | None = state if isinstance(state, Place) else None
    if land is None:
        try:
            land = parse_state(state)  # type: ignore[arg-type]
        except DeadlineError as exc:
            problems.extend(exc.problems)
    if problems or found is None or land is None:
        raise DeadlineError("cannot compute the deadline", problems)
    return compute_rule(
        found, start, land, version=version, roll_forward_enabled=roll_forward_enabled
    )
