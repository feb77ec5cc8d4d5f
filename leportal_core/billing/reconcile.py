"""Pilot reconciliation: does the electronic MASS file say what the paper invoice says?

During the MASS pilot phase invoices go on paper and electronically in parallel and only the paper
one is paid (LWL, MASS pilot notes), so the two must agree. The paper invoice's lines are typed or
exported into a small CSV (profile ``paper-lines-v1``: Aktenzeichen, Leistungsart, Zeitraum von,
Zeitraum bis, Menge, Betrag); :func:`reconcile` compares both per person, Leistungsart and period.

Both files are read in full into a dictionary keyed by person and period: pilot invoices have
hundreds of lines, not millions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

import attrs

from leportal_core.billing.decoder import Source, decode
from leportal_core.billing.profile import Profile, load_profile
from leportal_core.billing.records import BillingRecord
from leportal_core.errors import ConfigurationError, Location, Problem

__all__ = ["Difference", "Reconciliation", "reconcile"]

Key = tuple[str, str, datetime.date, datetime.date]
KEY_COLUMNS = ("aktenzeichen", "leistungsart", "zeitraum_von", "zeitraum_bis")


@attrs.frozen(kw_only=True)
class Difference:
    """One disagreement for a person, Leistungsart and period; ``None`` side = line missing there."""

    code: str
    file_reference: str
    service_type: str
    period_start: datetime.date
    period_end: datetime.date
    electronic: tuple[Decimal, Decimal] | None  # (Menge, Betrag)
    paper: tuple[Decimal, Decimal] | None

    @property
    def message(self) -> str:
        """One sentence for people."""
        who = (
            f"{self.file_reference}, {self.service_type}, "
            f"{self.period_start:%d.%m.%Y}–{self.period_end:%d.%m.%Y}"
        )
        if self.paper is None:
            return f"{who}: in the electronic file but not on the paper invoice"
        if self.electronic is None:
            return f"{who}: on the paper invoice but not in the electronic file"
        return (
            f"{who}: electronic Menge {self.electronic[0]}, Betrag {self.electronic[1]}; "
            f"paper Menge {self.paper[0]}, Betrag {self.paper[1]}"
        )

    def as_problem(self) -> Problem:
        """The difference as a problem, for the CLI's JSON and for hosts that show problems."""
        return Problem(
            code=self.code,
            message=self.message,
            location=Location(field=f"{self.file_reference}/{self.service_type}"),
        )


@attrs.frozen(kw_only=True)
class Reconciliation:
    """The outcome: matched lines, the differences, and both totals."""

    matched: int
    differences: tuple[Difference, ...]
    electronic_total: Decimal
    paper_total: Decimal

    @property
    def equal(self) -> bool:
        """True when both invoices agree line by line."""
        return not self.differences


def _index(records: Iterable[BillingRecord]) -> dict[Key, tuple[Decimal, Decimal]]:
    index: dict[Key, tuple[Decimal, Decimal]] = {}
    for record in records:
        key: Key = tuple(record.values[c] for c in KEY_COLUMNS)  # type: ignore[assignment]
        quantity = record.values["menge"]
        amount = record.values["betrag"]
        assert isinstance(quantity, Decimal)
        assert isinstance(amount, Decimal)
        old = index.get(key, (Decimal(0), Decimal(0)))
        index[key] = (old[0] + quantity, old[1] + amount)
    return index


def _difference(
    key: Key,
    mine: tuple[Decimal, Decimal] | None,
    other: tuple[Decimal, Decimal] | None,
    *,
    code: str,
) -> Difference:
    return Difference(
        code=code,
        file_reference=key[0],
        service_type=key[1],
        period_start=key[2],
        period_end=key[3],
        electronic=mine,
        paper=other,
    )


def reconcile(
    electronic: Source,
    paper: Source,
    *,
    profile: Profile,
    paper_profile: Profile | None = None,
) -> Reconciliation:
    """Compare an electronic billing file with the paper invoice's lines.

    Both must be valid in their profiles (else :class:`~leportal_core.errors.FormatError`); the
    electronic profile must have the columns ``aktenzeichen``, ``leistungsart``, ``zeitraum_von``,
    ``zeitraum_bis``, ``menge`` and ``betrag`` (as the MASS profiles do).
    """
    paper_profile = paper_profile or load_profile("paper-lines-v1")
    for checked in (profile, paper_profile):
        missing = [key for key in (*KEY_COLUMNS, "menge", "betrag") if key not in checked.keys]
        if missing:
            raise ConfigurationError(
                f"profile {checked.name} cannot be reconciled",
                [
                    Problem(
                        code="billing.profile.invalid",
                        message=f"profile {checked.name} lacks the columns {', '.join(missing)} "
                        "needed to reconcile",
                    )
                ],
            )
    ours = _index(decode(electronic, profile))
    theirs = _index(decode(paper, paper_profile))
    differences: list[Difference] = []
    matched = 0
    for key in sorted(ours.keys() | theirs.keys()):
        mine, other = ours.get(key), theirs.get(key)
        if mine == other:
            matched += 1
            continue
        if other is None:
            differences.append(
                _difference(key, mine, other, code="billing.reconcile.missing_on_paper")
            )
        elif mine is None:
            differences.append(
                _difference(key, mine, other, code="billing.reconcile.missing_electronic")
            )
        elif mine[0] != other[0]:
            differences.append(_difference(key, mine, other, code="billing.reconcile.quantity"))
        else:
            differences.append(_difference(key, mine, other, code="billing.reconcile.amount"))
    return Reconciliation(
        matched=matched,
        differences=tuple(differences),
        electronic_total=sum((v[1] for v in ours.values()), Decimal("0.00")),
        paper_total=sum((v[1] for v in theirs.values()), Decimal("0.00")),
    )
