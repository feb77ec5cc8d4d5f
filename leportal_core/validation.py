"""The one validation kit every domain uses: printable text, lengths, dates and identifiers.

Each check returns :class:`~leportal_core.errors.Problem` objects instead of raising, so a
constructor can report every mistake of an object at once. The caller names the code prefix
(``document.title``, ``cases.field``, ``therapy.text``) and the kit appends one *kind* from a
single vocabulary, so every domain reports the same failure the same way:

========== ==========================================================
kind       meaning
========== ==========================================================
type       the value is not text (or not a date)
missing    no value (``None``) where one is required
empty      the text is blank (only white space)
too_long   more characters than the field allows
characters a character that is not printable text (see below)
========== ==========================================================

**Printable text.** A character is refused when its Unicode general category is

* ``Cc`` (control: C0 U+0000–U+001F, DEL U+007F and C1 U+0080–U+009F) — they do not print and
  break PDF, HL7 and GDT; TAB, LF and CR are allowed only in multi-line text;
* ``Cs`` (surrogate): a *lone* surrogate (U+D800–U+DFFF in a Python ``str``, e.g. from
  ``surrogateescape`` decoding) is not a character and cannot be encoded as UTF-8, so it would
  fail later in a store or an export instead of here.

Deliberately accepted: ``Cf`` (format: soft hyphen, ZWJ/ZWNJ are needed by emoji and several
scripts), ``Co`` (private use: vendor fonts map symbols there) and ``Cn`` (unassigned: refusing it
would make validity depend on the Unicode version of the running Python).

``strict=True`` refuses every ``C*`` category (``Cc``, ``Cf``, ``Cs``, ``Co``, ``Cn``) for the few
labels that other software shows without context, where an invisible bidi override could spoof
what a user reads (account and issuer names in an ``otpauth://`` URI).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable

from leportal_core.errors import InvalidIdentifier, Location, Problem

__all__ = [
    "LINE_BREAKS",
    "REFUSED_CATEGORIES",
    "STRICT_CATEGORIES",
    "date_problems",
    "identifier_problems",
    "is_date",
    "is_printable",
    "parse_date",
    "parse_iso_date",
    "text_problems",
    "unprintable",
]

REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})
STRICT_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
LINE_BREAKS = frozenset("\t\n\r")
# The same sets as character classes, for speed (a 20,000-character text is one regex scan). Both
# are immutable by the Unicode Character Encoding Stability Policy ("the set of code points with
# that value will never change"): Cc is C0, DEL and C1, Cs the surrogate block. A test checks them
# against unicodedata for every code point.
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_REFUSED_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def unprintable(text: str, *, multiline: bool = False, strict: bool = False) -> list[str]:
    """The refused characters of ``text`` as sorted ``U+XXXX`` names (empty when printable)."""
    if strict:
        found = {
            c
            for c in text
            if unicodedata.category(c) in STRICT_CATEGORIES and not (multiline and c in LINE_BREAKS)
        }
    else:
        found = set((_REFUSED_MULTILINE if multiline else _REFUSED).findall(text))
    return sorted(f"U+{ord(c):04X}" for c in found)


def is_printable(text: str, *, multiline: bool = False, strict: bool = False) -> bool:
    """``True`` when ``text`` holds no refused character (see the module docstring)."""
    return not unprintable(text, multiline=multiline, strict=strict)


def text_problems(
    value: object,
    code: str,
    *,
    label: str,
    location: Location,
    max_length: int,
    required: bool = True,
    optional: bool = False,
    multiline: bool = False,
) -> list[Problem]:
    """Problems of a text field; ``code`` is the prefix, the kind is appended (``.too_long``).

    ``optional`` accepts ``None``; ``required`` refuses blank text. A document's optional
    reference is thus ``optional=True, required=True`` (absent is fine, blank is not).
    """
    if value is None:
        if optional:
            return []
        return [Problem(code=f"{code}.missing", message=f"{label} is required", location=location)]
    if not isinstance(value, str):
        return [
            Problem(
                code=f"{code}.type",
                message=f"{label} must be text, not {type(value).__name__}",
                location=location,
            )
        ]
    found = []
    if required and not value.strip():
        found.append(
            Problem(code=f"{code}.empty", message=f"{label} must not be blank", location=location)
        )
    if len(value) > max_length:
        found.append(
            Problem(
                code=f"{code}.too_long",
                message=f"{label} has {len(value)} characters; at most {max_length} are allowed",
                location=location,
            )
        )
    bad = unprintable(value, multiline=multiline)
    if bad:
        found.append(
            Problem(
                code=f"{code}.characters",
                message=f"{label} contains control characters or lone surrogates: "
                + ", ".join(bad[:5]),
                location=location,
            )
        )
    return found


def is_date(value: object) -> bool:
    """A calendar date, not a ``datetime`` (an instant would silently lose its time zone)."""
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_GERMAN_DATE = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})")


def parse_iso_date(value: object) -> datetime.date | None:
    """The date of an ISO 8601 *extended calendar* date ``YYYY-MM-DD``, else ``None``.

    Stricter than :meth:`datetime.date.fromisoformat`, which since Python 3.11 also takes
    ``20260101`` and week dates such as ``2026-W01-1``: a data file says one thing only.
    """
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        return None


def parse_date(value: object) -> datetime.date | None:
    """``YYYY-MM-DD`` or the German ``TT.MM.JJJJ`` (what people type), else ``None``."""
    if isinstance(value, str) and (match := _GERMAN_DATE.fullmatch(value)):
        day, month, year = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None
    return parse_iso_date(value)


def date_problems(value: object, code: str, *, label: str, location: Location) -> list[Problem]:
    """``code`` (a full code, e.g. ``cases.field.type``) when ``value`` is not a plain date."""
    if is_date(value):
        return []
    return [
        Problem(
            code=code,
            message=f"{label} must be a date, not {type(value).__name__}",
            location=location,
        )
    ]


def identifier_problems(
    value: object,
    validate: Callable[[str], str],
    code: str,
    *,
    label: str,
    location: Location,
    scheme_codes: bool = True,
) -> list[Problem]:
    """Problems of an identifier that must be valid *and* given in compact form.

    With ``scheme_codes`` an invalid identifier reports the scheme's own problems (``ik.checksum``)
    moved to ``location``; without, one ``code`` problem quoting the first. A valid identifier
    not in compact form (``"26 03 26 822"``) is ``code``.
    """
    if not isinstance(value, str):
        return [Problem(code=code, message=f"{label} must be text", location=location)]
    try:
        compact = validate(value)
    except InvalidIdentifier as exc:
        if scheme_codes:
            return [
                Problem(code=p.code, message=p.message, location=location, severity=p.severity)
                for p in exc.problems
            ]
        return [
            Problem(
                code=code, message=f"{label} invalid: {exc.problems[0].message}", location=location
            )
        ]
    if compact != value:
        return [
            Problem(
                code=code,
                message=f"{label} must be given in compact form {compact!r}",
                location=location,
            )
        ]
    return []
