"""Row and file rules of a profile, compiled to closures over column positions.

Row rules (product, period) look at one line; file rules (unique, same_in_group, total) keep state
across lines. That state is bounded: groups are invoices (few per file), and the duplicate index
holds a 128-bit BLAKE2b hash of each key (16 bytes, whatever the key's length) and moves to a
temporary SQLite file (stdlib :mod:`sqlite3`, page cache capped at 1 MiB) once it holds
``spill_threshold`` of them, so memory stays flat however long the file is. Duplicates within a
batch are reported at once; duplicates between batches by one sort (``GROUP BY``) at the end of
the file, where a repeated key points at an earlier line with the same key.

Why a hash is enough: two different keys share a 128-bit hash with probability about n²/2¹²⁹ —
for a billion lines 10⁻²¹, far below the rate of undetected memory or disk errors.
"""

from __future__ import annotations

import operator
import sqlite3
import tempfile
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from hashlib import blake2b
from pathlib import Path
from typing import Any

import attrs

from leportal_core.billing.profile import (
    PeriodRule,
    ProductRule,
    Profile,
    SameInGroupRule,
    TotalRule,
    UniqueRule,
)
from leportal_core.billing.values import EXACT, Value
from leportal_core.errors import FormatError, Location, Problem, Severity

__all__ = ["SPILL_THRESHOLD", "GroupTotal", "RuleEngine"]

SPILL_THRESHOLD = 4096
"""Key hashes held in memory before they move to the temporary SQLite index (about 0.5 MiB)."""

Report = Callable[[Problem], None]


@attrs.frozen(kw_only=True)
class GroupTotal:
    """The control total of one group (e.g. one Rechnungsnummer)."""

    group: str | None
    rows: int
    total: Decimal
    declared: Decimal | None
    line: int


def _text(value: Value) -> str:
    return "" if value is None else str(value)


def key_hash(key: tuple[Value, ...]) -> bytes:
    """16 bytes standing for ``key``: the hash of its ``repr``, which tells every two different
    keys apart (strings are quoted and escaped, types are spelt out) and is the same for equal
    ones, because parsed values have one spelling each (decimals at the column's scale)."""
    return blake2b(repr(key).encode("utf-8", "surrogatepass"), digest_size=16).digest()


Picker = Callable[[list[Value]], tuple[Value, ...]]


def _picker(positions: tuple[int, ...]) -> Picker:
    """``values`` → the tuple of the values at ``positions``, built in C (``itemgetter``) on
    every row instead of by a list comprehension."""
    if len(positions) == 1:
        only = positions[0]
        return lambda values: (values[only],)
    if not positions:
        return lambda values: ()
    return operator.itemgetter(*positions)


class _SeenKeys:
    """Duplicate index of key hashes: a dict in memory, spilled to temporary SQLite when it grows."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.memory: dict[bytes, int] = {}
        self.db: sqlite3.Connection | None = None
        self.folder: tempfile.TemporaryDirectory[str] | None = None

    def add(self, key: tuple[Value, ...], line: int) -> list[tuple[int, int]]:
        """Remember ``key`` at ``line``; return (line, first line) for duplicates found now."""
        return self.add_hash(key_hash(key), line)

    def add_hash(self, key: bytes, line: int) -> list[tuple[int, int]]:
        """:meth:`add` for a key already hashed with :func:`key_hash`."""
        first = self.memory.get(key)
        if first is not None:
            return [(line, first)]
        self.memory[key] = line
        if len(self.memory) >= self.threshold:
            return self.flush()
        return []

    def flush(self) -> list[tuple[int, int]]:
        """Move the keys in memory to disk (duplicates between batches: :meth:`finish`)."""
        if not self.memory:
            return []
        try:
            return self._flush()
        except sqlite3.Error as exc:
            raise FormatError(
                "cannot check duplicates: the temporary index failed",
                [Problem(code="billing.internal.index", message=f"temporary index: {exc}")],
            ) from exc

    def _flush(self) -> list[tuple[int, int]]:
        if self.db is None:
            self.folder = tempfile.TemporaryDirectory(prefix="leportal-billing-")
            self.db = sqlite3.connect(Path(self.folder.name) / "keys.sqlite")
            # No index while reading: appending is sequential, whereas inserting hashes into a
            # B-tree touches pages at random and made every batch rewrite the whole table.
            self.db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1024;"
                "PRAGMA temp_store=FILE;"
                "CREATE TABLE seen(k BLOB NOT NULL, line INTEGER NOT NULL);"
            )
        db = self.db
        with db:
            db.executemany("INSERT INTO seen VALUES (?, ?)", self.memory.items())
        self.memory.clear()
        return []

    def finish(self) -> list[tuple[int, int]]:
        """The duplicates between batches, found by one sort at the end: (line, earlier line)."""
        if self.db is None:
            return []
        self.flush()
        try:
            rows = self.db.execute(
                "SELECT k, line FROM seen WHERE k IN "
                "(SELECT k FROM seen GROUP BY k HAVING COUNT(*) > 1) ORDER BY k, line"
            )
            found, previous, first = [], None, 0
            for key, line in rows:
                if key == previous:
                    found.append((int(line), first))
                else:
                    previous, first = key, int(line)
        except sqlite3.Error as exc:
            raise FormatError(
                "cannot check duplicates: the temporary index failed",
                [Problem(code="billing.internal.index", message=f"temporary index: {exc}")],
            ) from exc
        return sorted(found)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


class RuleEngine:
    """Checks the profile's rules on typed rows given as lists in the profile's column order."""

    def __init__(
        self, profile: Profile, report: Report, *, spill_threshold: int | None = None
    ) -> None:
        self.profile = profile
        self.report = report
        self.position = {key: index for index, key in enumerate(profile.keys)}
        self.header = {column.key: column.header for column in profile.columns}
        self.row_checks: list[Callable[[int, list[Value]], None]] = []
        self.unique: list[tuple[UniqueRule, Picker, _SeenKeys]] = []
        self.same: list[tuple[SameInGroupRule, int | None, Picker, dict[Any, Any]]] = []
        self.totals: list[tuple[TotalRule, int | None, int, int, dict[Any, list[Any]]]] = []
        for rule in profile.rules:
            self._compile(rule, SPILL_THRESHOLD if spill_threshold is None else spill_threshold)

    def problem(self, message: str, line: int, key: str, *, code: str) -> None:
        self.report(
            Problem(
                code=code,
                message=message,
                location=Location(
                    file=None, line=line, column=self.position[key] + 1, field=self.header[key]
                ),
                severity=Severity.ERROR,
            )
        )

    def _compile(self, rule: object, spill_threshold: int) -> None:
        at = self.position
        if isinstance(rule, ProductRule):
            result, factors = at[rule.result], _picker(tuple(at[f] for f in rule.factors))
            scale = self.profile.column(rule.result).scale
            names = " × ".join(self.header[f] for f in rule.factors)

            quantum = Decimal(1).scaleb(-scale)
            multiply, quantize = EXACT.multiply, Decimal.quantize
            memo: dict[tuple[Value, ...], Decimal] = {}  # rates and quantities repeat a lot

            def product(line: int, values: list[Value]) -> None:
                got = values[result]
                if got is None:
                    return
                operands = factors(values)
                for operand in operands:
                    # ``is``, not ``None in operands``: Decimal == None asks numbers.Rational
                    # (an ABC isinstance check, the slowest step of this rule).
                    if operand is None:
                        return
                expected = memo.get(operands)
                if expected is None:
                    value = operands[0]
                    for operand in operands[1:]:
                        value = multiply(value, operand)  # type: ignore[arg-type]
                    # Exact product, then kaufmännisch (half-up) to the result's places.
                    expected = quantize(Decimal(value), quantum, ROUND_HALF_UP, EXACT)  # type: ignore[arg-type]
                    if len(memo) < 4096:
                        memo[operands] = expected
                if got != expected:
                    self.problem(
                        f"{self.header[rule.result]} {got} is not {names} = {expected} "
                        "(rounded half-up)",
                        line,
                        rule.result,
                        code="billing.amount.mismatch",
                    )

            self.row_checks.append(product)
        elif isinstance(rule, PeriodRule):
            start, end, month = at[rule.start], at[rule.end], rule.within == "month"

            def period(line: int, values: list[Value]) -> None:
                a, b = values[start], values[end]
                if a is None or b is None:
                    return
                if a > b:  # type: ignore[operator]
                    self.problem(
                        f"{self.header[rule.start]} {a:%d.%m.%Y} is after "
                        f"{self.header[rule.end]} {b:%d.%m.%Y}",
                        line,
                        rule.start,
                        code="billing.period.order",
                    )
                elif month and (a.year, a.month) != (b.year, b.month):  # type: ignore[union-attr]
                    self.problem(
                        f"period {a:%d.%m.%Y} – {b:%d.%m.%Y} spans more than one calendar month",
                        line,
                        rule.end,
                        code="billing.period.month",
                    )

            self.row_checks.append(period)
        elif isinstance(rule, UniqueRule):
            self.unique.append(
                (rule, _picker(tuple(at[c] for c in rule.columns)), _SeenKeys(spill_threshold))
            )
        elif isinstance(rule, SameInGroupRule):
            group = None if rule.group is None else at[rule.group]
            self.same.append((rule, group, _picker(tuple(at[c] for c in rule.columns)), {}))
        elif isinstance(rule, TotalRule):
            group = None if rule.group is None else at[rule.group]
            self.totals.append((rule, group, at[rule.sum], at[rule.equals], {}))

    def check(self, line: int, values: list[Value]) -> None:
        """Every rule on one row whose cells all parsed."""
        for check in self.row_checks:
            check(line, values)
        for rule, pick, seen in self.unique:
            for dup, first in seen.add_hash(key_hash(pick(values)), line):
                self._duplicate(rule, dup, first)
        for same_rule, group, pick_same, state in self.same:
            group_value = None if group is None else values[group]
            current = pick_same(values)
            seen_first = state.get(group_value)
            if seen_first is None:
                state[group_value] = (current, line)
            elif seen_first[0] != current:
                for index, (old, new) in enumerate(zip(seen_first[0], current, strict=True)):
                    if old != new:
                        key = same_rule.columns[index]
                        where = (
                            "in this file"
                            if same_rule.group is None
                            else f"for {self.header[same_rule.group]} {group_value}"
                        )
                        self.problem(
                            f"{self.header[key]} {_text(new)!r} differs from {_text(old)!r} "
                            f"on line {seen_first[1]} {where}",
                            line,
                            key,
                            code="billing.group.inconsistent",
                        )
        for _, group, amount, declared, totals in self.totals:
            group_value = None if group is None else values[group]
            entry = totals.get(group_value)
            if entry is None:
                totals[group_value] = [0, Decimal(0), values[declared], line]
                entry = totals[group_value]
            entry[0] += 1
            if values[amount] is not None:
                entry[1] += values[amount]

    def _duplicate(self, rule: UniqueRule, line: int, first: int) -> None:
        names = ", ".join(self.header[c] for c in rule.columns)
        self.problem(
            f"same {names} as line {first}",
            line,
            rule.columns[0],
            code="billing.duplicate",
        )

    def finish(self, unreadable: int = 0) -> list[GroupTotal]:
        """File-level checks after the last row; returns the control totals per group.

        ``unreadable`` is the number of lines whose cells could not be read: their amounts and
        groups are unknown, so control totals are then reported as unchecked, not as wrong.
        """
        for unique_rule, _, seen in self.unique:
            try:
                for dup, first in seen.finish():
                    self._duplicate(unique_rule, dup, first)
            finally:
                seen.close()
        out: list[GroupTotal] = []
        for rule, _, _, _, totals in self.totals:
            for group_value, (rows, total, declared, line) in totals.items():
                out.append(
                    GroupTotal(
                        group=None if group_value is None else str(group_value),
                        rows=rows,
                        total=total,
                        declared=declared,
                        line=line,
                    )
                )
                if unreadable and declared is not None:
                    self.report(
                        Problem(
                            code="billing.total.unchecked",
                            message=f"{unreadable} lines could not be read, so the control total "
                            f"{self.header[rule.equals]} could not be checked",
                            location=Location(
                                line=line,
                                column=self.position[rule.equals] + 1,
                                field=self.header[rule.equals],
                            ),
                            severity=Severity.WARNING,
                        )
                    )
                elif declared is not None and declared != total:
                    scope = (
                        "the file"
                        if rule.group is None
                        else f"{self.header[rule.group]} {group_value}"
                    )
                    self.problem(
                        f"{self.header[rule.equals]} {declared} of {scope} is not the sum of "
                        f"{self.header[rule.sum]} over its {rows} lines ({total})",
                        line,
                        rule.equals,
                        code="billing.total.mismatch",
                    )
        return out

    def close(self) -> None:
        """Release temporary files (also when the caller stops early)."""
        for _, _, seen in self.unique:
            seen.close()
