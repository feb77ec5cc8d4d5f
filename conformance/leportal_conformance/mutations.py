"""Structural and value mutations of a codec's own encoding, with the syntax left intact.

Three syntaxes are known: JSON (members dropped, renamed, duplicated with another value,
retyped, emptied, over-long numbers, deep nesting), HL7 v2 (segments dropped, duplicated,
renamed; fields dropped, retyped, set to invalid values) and GDT 2.1 (lines dropped, duplicated,
field ids renamed, contents changed, with line and record lengths recomputed so that the record
stays well formed). Each mutation says what an accepting decoder must give back for its
acceptance to be faithful (see ``tests_mutations``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import attrs

__all__ = ["Mutation", "Syntax", "mutations", "same_structure", "syntax_of"]

# Mutations per encoding, at most: enough to reach every member of a realistic message.
MAX_PER_ENCODING = 160
_DEEP = 100_000  # nesting depth of the deep-nesting mutation


@attrs.frozen
class Mutation:
    """``data`` is the mutated encoding; ``faithful`` what an accepting decoder's object must
    encode back to (the data itself, or for a renamed key the data without it: the new name may
    be ignored as unknown)."""

    label: str
    data: bytes
    faithful: bytes
    # Removes or empties something: an accepting decoder may lose what it carried (a value
    # becoming absent), not read another value.
    removes: bool = False


class Syntax:
    JSON = "JSON"
    HL7 = "HL7 v2"
    GDT = "GDT"


_GDT_LINE = re.compile(rb"^([0-9]{3})([0-9]{4})(.*)$", re.DOTALL)


def syntax_of(data: bytes) -> str | None:
    """The syntax of ``data`` the suite can mutate, or ``None``."""
    if data.startswith(b"MSH") and len(data) > 8:
        return Syntax.HL7
    lines = data.split(b"\r\n")
    if len(lines) > 2 and lines[-1] == b"" and all(_GDT_LINE.match(x) for x in lines[:-1]):
        return Syntax.GDT
    try:
        parsed = json.loads(data.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return Syntax.JSON if isinstance(parsed, dict | list) else None


def mutations(data: bytes) -> Iterator[Mutation]:
    """The mutations of ``data`` in its syntax, at most :data:`MAX_PER_ENCODING`."""
    kind = syntax_of(data)
    source = {Syntax.JSON: _json, Syntax.HL7: _hl7, Syntax.GDT: _gdt}.get(kind or "")
    if source is None:
        return
    for count, mutation in enumerate(source(data)):
        if count >= MAX_PER_ENCODING:
            return
        yield mutation


# JSON: parsed into pairs and raw number text, so that writing it back changes only the mutation.


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its members in order, duplicates kept."""


@attrs.frozen
class _Raw:
    text: str


def _parse(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_Pairs, parse_int=_Raw, parse_float=_Raw)


def _dump(value: Any) -> str:
    if isinstance(value, _Pairs):
        return (
            "{"
            + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_dump(v)}" for k, v in value)
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(_dump(item) for item in value) + "]"
    if isinstance(value, _Raw):
        return value.text
    return json.dumps(value, ensure_ascii=False)


def _members(value: Any, path: str = "") -> Iterator[tuple[str, _Pairs, int]]:
    """Every member of every object, breadth first: (JSON pointer, its object, its index)."""
    queue: list[tuple[str, Any]] = [(path, value)]
    while queue:
        where, node = queue.pop(0)
        if isinstance(node, _Pairs):
            for index, (key, child) in enumerate(node):
                yield f"{where}/{key}", node, index
                queue.append((f"{where}/{key}", child))
        elif isinstance(node, list):
            queue.extend((f"{where}/{n}", child) for n, child in enumerate(node))


def _other_types(value: Any) -> list[tuple[str, Any]]:
    """Values of other JSON types, and invalid values of the same type."""
    if isinstance(value, bool):
        return [("retyped to a string", str(value).lower()), ("retyped to a number", _Raw("1"))]
    if isinstance(value, str):
        return [
            ("retyped to a number", _Raw("1")),
            ("retyped to an object", _Pairs()),
            ("set to the empty string", ""),
        ]
    if isinstance(value, _Raw):
        return [
            ("retyped to a string", value.text),
            ("set to -1", _Raw("-1")),
            ("set to an over-long number", _Raw("9" * 5000)),
        ]
    if isinstance(value, _Pairs):
        return [("retyped to an array", []), ("set to an empty object", _Pairs())]
    if isinstance(value, list):
        return [("retyped to an object", _Pairs()), ("set to an empty array", [])]
    return [("retyped to a string", "null"), ("retyped to an object", _Pairs())]


def _renamed(key: str) -> str:
    # The case-insensitive reader's trap: the first letter's case swapped.
    swapped = key[:1].swapcase() + key[1:]
    return swapped if swapped != key else key + "_"


def _json(data: bytes) -> Iterator[Mutation]:
    text = data.decode("utf-8").removeprefix("\ufeff")
    count = sum(1 for _ in _members(_parse(text)))
    for number in range(count):

        def at(number: int = number) -> tuple[Any, str, _Pairs, int]:
            root = _parse(text)  # a fresh copy per mutation
            pointer, node, index = next(m for n, m in enumerate(_members(root)) if n == number)
            return root, pointer, node, index

        root, pointer, node, index = at()
        key, value = node[index]
        del node[index]
        dropped = _dump(root).encode("utf-8")
        yield Mutation(f"{pointer} dropped", dropped, dropped, removes=True)

        root, pointer, node, index = at()
        node[index] = (_renamed(key), value)
        renamed = _dump(root).encode("utf-8")
        yield Mutation(f"{pointer} renamed to {_renamed(key)!r}", renamed, dropped, removes=True)

        for label, other in _other_types(value):
            root, pointer, node, index = at()
            node[index] = (key, other)
            mutated = _dump(root).encode("utf-8")
            yield Mutation(
                f"{pointer} {label}",
                mutated,
                mutated,
                removes=label.startswith("set to an empty") or label == "set to the empty string",
            )

        root, pointer, node, index = at()
        node.append((key, _other_types(value)[0][1]))
        mutated = _dump(root).encode("utf-8")
        yield Mutation(f"{pointer} duplicated with another value", mutated, mutated)
    deep = "[" * _DEEP + "]" * _DEEP
    root = _parse(text)
    if isinstance(root, _Pairs) and root:
        root[0] = (root[0][0], _Raw(deep))
        mutated = _dump(root).encode("utf-8")
        yield Mutation(f"/{root[0][0]} nested {_DEEP} levels deep", mutated, mutated)


def same_structure(first: bytes, second: bytes) -> bool:
    """Whether two JSON texts hold the same values, members in any order, duplicates counted."""
    try:
        return bool(
            _canonical(_parse(first.decode("utf-8"))) == _canonical(_parse(second.decode("utf-8")))
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        return first == second


def _canonical(value: Any) -> Any:
    if isinstance(value, _Pairs):
        return ("object", sorted((k, repr(_canonical(v))) for k, v in value))
    if isinstance(value, list):
        return ("array", [_canonical(item) for item in value])
    if isinstance(value, _Raw):
        return ("number", value.text)
    return (type(value).__name__, value)


# HL7 v2: segments end with CR; MSH-1 and MSH-2 (the delimiters) are left alone.


def _hl7(data: bytes) -> Iterator[Mutation]:
    segments = data.split(b"\r")
    trailer = segments.pop() if segments[-1] == b"" else None

    def join(parts: list[bytes]) -> bytes:
        return b"\r".join(parts) + (b"\r" if trailer is not None else b"")

    for number, segment in enumerate(segments):
        name = segment[:3].decode("ascii", "replace")
        if number:
            rest = segments[:number] + segments[number + 1 :]
            yield _same(f"segment {number + 1} ({name}) dropped", join(rest), removes=True)
            doubled = segments[: number + 1] + segments[number:]
            yield _same(f"segment {number + 1} ({name}) duplicated", join(doubled))
            renamed = [
                *segments[:number],
                name.lower().encode() + segment[3:],
                *segments[number + 1 :],
            ]
            yield _same(
                f"segment {number + 1} ({name}) renamed to {name.lower()!r}",
                join(renamed),
                removes=True,
            )
        fields = segment.split(b"|")
        first = 3 if name == "MSH" else 1  # MSH-1/MSH-2 are the delimiters
        for index in range(first, len(fields)):
            where = f"{name}-{index if name != 'MSH' else index + 1}"

            def replaced(
                value: bytes | None, index: int = index, at: int = number, of: Any = fields
            ) -> bytes:
                changed = list(of)
                if value is None:
                    del changed[index]
                else:
                    changed[index] = value
                return join([*segments[:at], b"|".join(changed), *segments[at + 1 :]])

            if fields[index]:
                yield _same(
                    f"{where} dropped (later fields moved up)", replaced(None), removes=True
                )
            invalid = _invalid_hl7(fields[index])
            if invalid is not None:
                yield _same(f"{where} set to {invalid.decode()!r}", replaced(invalid))


def _invalid_hl7(value: bytes) -> bytes | None:
    """An invalid value of a numeric or date field's kind; text fields take any text."""
    if value.isdigit() and len(value) >= 8:
        return b"20261345" + value[8:]  # month 13, day 45
    if value.isdigit():
        return b"X1"
    return None


def _same(label: str, data: bytes, *, removes: bool = False) -> Mutation:
    return Mutation(label, data, data, removes=removes)


# GDT 2.1: lines "LLLFFFFcontent CR LF"; LLL is the line's length, 8100 the record's.


def _gdt(data: bytes) -> Iterator[Mutation]:
    lines = [_GDT_LINE.match(line) for line in data.split(b"\r\n")[:-1]]
    parsed = [(m.group(2), m.group(3)) for m in lines if m is not None]

    def record(fields: list[tuple[bytes, bytes]]) -> bytes:
        def line(field: bytes, content: bytes) -> bytes:
            return b"%03d" % (len(content) + 9) + field + content + b"\r\n"

        width = next((len(c) for f, c in fields if f == b"8100"), 5)
        out = b"".join(line(f, c) for f, c in fields)
        total = len(out)
        return b"".join(line(f, b"%0*d" % (width, total) if f == b"8100" else c) for f, c in fields)

    for number, (field, content) in enumerate(parsed):
        name = field.decode("ascii")
        if field in (b"8000", b"8100"):
            continue  # the Satzart is the foreign-message test's; the length is recomputed
        rest = parsed[:number] + parsed[number + 1 :]
        yield _same(f"line {number + 1} (field {name}) dropped", record(rest), removes=True)
        doubled = [*parsed[: number + 1], (field, content + b"X"), *parsed[number + 1 :]]
        yield _same(
            f"line {number + 1} (field {name}) duplicated with another value", record(doubled)
        )
        renamed = [*parsed[:number], (b"9999", content), *parsed[number + 1 :]]
        yield _same(
            f"line {number + 1} field {name} renamed to 9999", record(renamed), removes=True
        )
        invalid = b"31022026" if re.fullmatch(rb"[0-9]{8}", content) else b""
        changed = [*parsed[:number], (field, invalid), *parsed[number + 1 :]]
        yield _same(
            f"line {number + 1} (field {name}) set to {invalid.decode()!r}",
            record(changed),
            removes=not invalid,
        )
