"""Case events: every change to an audit case is an event (who, when, what), stored before it counts.

The hook ``leportal_case_event(event: CaseEvent)`` hands these to the host after the commit. An
event's ``step`` is one of the values in :mod:`leportal_core.cases.model`; :func:`step_to_json`
and :func:`step_from_json` give its stable JSON form (ISO dates, enum names), which is what the
store keeps.
"""

from __future__ import annotations

import datetime
import enum
import json
from typing import Any

import attrs

from leportal_core.cases import model
from leportal_core.cases._checks import CaseValidationError, Checker
from leportal_core.deadlines.calendar import Bundesland
from leportal_core.errors import Location, Problem

__all__ = ["CaseEvent", "EventKind", "kind_of", "step_from_json", "step_to_json"]


class EventKind(enum.Enum):
    """What happened; the value is the German label shown to users."""

    OPENED = "Fall angelegt"
    PRUEFEINLEITUNG = "Prüfeinleitung der Krankenkasse erhalten"
    PRUEFANZEIGE = "Prüfanzeige erhalten"
    UNTERLAGENANFORDERUNG = "Unterlagenanforderung erhalten"
    DELIVERY = "Unterlagen geliefert"
    WAIVER = "Unterlagen entbehrlich"
    GUTACHTEN = "Gutachten erhalten"
    LEISTUNGSENTSCHEIDUNG = "Leistungsentscheidung erhalten"
    FALLDIALOG_REQUESTED = "Falldialog angefragt"
    FALLDIALOG_ENDED = "Falldialog beendet"
    EROERTERUNG_STARTED = "Erörterungsverfahren eingeleitet"
    EROERTERUNG_ANSWERED = "Antwort der Krankenkasse im Erörterungsverfahren"
    EROERTERUNG_ENDED = "Erörterungsverfahren beendet"
    CLOSED = "Fall abgeschlossen"


_CLASSES: dict[EventKind, type[Any]] = {
    EventKind.OPENED: model.CaseOpened,
    EventKind.PRUEFEINLEITUNG: model.Pruefeinleitung,
    EventKind.PRUEFANZEIGE: model.Pruefanzeige,
    EventKind.UNTERLAGENANFORDERUNG: model.Unterlagenanforderung,
    EventKind.DELIVERY: model.Delivery,
    EventKind.WAIVER: model.ItemsWaived,
    EventKind.GUTACHTEN: model.Gutachten,
    EventKind.LEISTUNGSENTSCHEIDUNG: model.Leistungsentscheidung,
    EventKind.FALLDIALOG_REQUESTED: model.FalldialogRequested,
    EventKind.FALLDIALOG_ENDED: model.FalldialogEnded,
    EventKind.EROERTERUNG_STARTED: model.EroerterungStarted,
    EventKind.EROERTERUNG_ANSWERED: model.EroerterungAnswered,
    EventKind.EROERTERUNG_ENDED: model.EroerterungEnded,
    EventKind.CLOSED: model.CaseClosed,
}
_KINDS = {cls: kind for kind, cls in _CLASSES.items()}
_DATES = frozenset(
    {
        "admitted",
        "discharged",
        "invoice_date",
        "invoice_received",
        "received",
        "delivered",
        "ended",
        "started",
        "closed",
        "transmitted",
        "waived",
    }
)


def kind_of(step: model.Step) -> EventKind:
    """The event kind that carries ``step``."""
    try:
        return _KINDS[type(step)]
    except KeyError:
        raise CaseValidationError(
            "not a case step",
            [Problem(code="cases.step.type", message=f"{type(step).__name__} is not a case step")],
        ) from None


def _encode(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if attrs.has(type(value)):
        return {f.name: _encode(getattr(value, f.name)) for f in attrs.fields(type(value))}
    return value


def step_to_json(step: model.Step) -> str:
    """The stable JSON text of ``step``."""
    return json.dumps(_encode(step), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _decode_field(cls: type[Any], name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DATES:
        return datetime.date.fromisoformat(value)
    if name == "stay":
        return model.Stay(**{k: _decode_field(model.Stay, k, v) for k, v in value.items()})
    if name == "state":
        return Bundesland[value]
    if name in ("items", "covers"):
        if cls in (model.Pruefanzeige, model.Pruefeinleitung):
            return tuple(model.Pruefgegenstand[item] for item in value)
        return tuple(value)
    return value


def step_from_json(kind: EventKind, text: str) -> model.Step:
    """Rebuild a step from :func:`step_to_json`'s text; damaged text is a ``CaseValidationError``."""
    cls = _CLASSES[kind]
    try:
        data = json.loads(text)
        step: model.Step = cls(**{k: _decode_field(cls, k, v) for k, v in data.items()})
    except CaseValidationError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CaseValidationError(
            "stored step cannot be read",
            [
                Problem(
                    code="cases.event.corrupt",
                    message=f"stored {kind.name} step cannot be read: {exc}",
                    location=Location(field="payload"),
                )
            ],
        ) from exc
    return step


def _aware(_: object, __: object, value: datetime.datetime) -> None:
    if not isinstance(value, datetime.datetime) or value.utcoffset() is None:
        raise ValueError("recorded_at must be a timezone-aware datetime")


@attrs.frozen(kw_only=True)
class CaseEvent:
    """One persisted change of an audit case.

    ``sequence`` counts the case's events from 1; ``event_id`` is unique across the store and
    makes a retried append idempotent; ``actor`` is who recorded it (user or system name);
    ``recorded_at`` is when (timezone-aware).
    """

    event_id: str
    case_id: str
    sequence: int
    step: model.Step
    actor: str
    recorded_at: datetime.datetime = attrs.field(validator=_aware)

    def __attrs_post_init__(self) -> None:
        check = Checker("case event")
        check.text(self.event_id, "event_id", max_len=100)
        check.text(self.case_id, "case_id", max_len=100)
        check.text(self.actor, "actor", max_len=200)
        if (
            isinstance(self.sequence, bool)
            or not isinstance(self.sequence, int)
            or self.sequence < 1
        ):
            check.add("cases.field.format", "sequence must be a whole number from 1", "sequence")
        if type(self.step) not in _KINDS:
            check.add("cases.step.type", f"{type(self.step).__name__} is not a case step", "step")
        check.done()

    @property
    def kind(self) -> EventKind:
        """What happened."""
        return _KINDS[type(self.step)]

    def describe(self) -> str:
        """One line for people: when, who, what."""
        return f"#{self.sequence} {self.recorded_at:%d.%m.%Y %H:%M} {self.actor}: {self.kind.value}"
