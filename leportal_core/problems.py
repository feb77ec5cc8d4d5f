"""The problem-code registry: every code leportal can report, declared once, as data.

Each :class:`ProblemCode` says what a code means (English; hosts translate it), its *kind*
(what sort of thing went wrong, see :class:`Kind`) and its default severity. The core declares its
codes in :mod:`leportal_core._problem_codes`; an adapter declares its own in a small module of
plain data and hands them over with the ``leportal_register_problem_codes`` hook. The
registry also keeps the *aliases* of renamed codes, so a host's mapping of an old code keeps
working. ``docs/problem-codes.md`` and ``leportal_core/codes.json`` are generated from it::

    python -m leportal_core.problems --markdown > docs/problem-codes.md
    python -m leportal_core.problems --json > leportal_core/codes.json

(in the project's ``.venv``, where the bundled adapters are installed, with ``LEPORTAL_PLUGINS``
unset: the files list the core and the bundled adapters).

Grammar (enforced by ``tests/test_problem_registry.py``): a code is two to four dot-separated
segments of lower-case ``snake_case`` starting with a letter, ``<component>.<subject>.<kind>``
where the subject may have two segments (``fhir.isik.type.kdl``) and is left out only when it is
the whole input (``pdf.damaged``, ``store.locked``; that list is frozen). The first segment is a
namespace owned by exactly one package (``fhir`` by ``leportal_fhir``).
"""

from __future__ import annotations

import enum
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from leportal_core.errors import Location, Problem, Severity

if TYPE_CHECKING:
    import pluggy

__all__ = [
    "GRAMMAR",
    "Kind",
    "ProblemCode",
    "Registry",
    "Section",
    "collect",
    "core_registry",
    "to_json",
    "to_markdown",
]

GRAMMAR = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,3}$")


class Kind(enum.Enum):
    """What sort of thing a problem is about; lets a host route it without knowing each code."""

    INPUT = "input"  # a value the caller gave breaks a rule (field, identifier, date)
    FORMAT = "format"  # bytes or text could not be parsed as the expected format
    STATE = "state"  # the request conflicts with what is recorded (duplicate, illegal step, late)
    STORAGE = "storage"  # a store, file or folder could not be read or written
    CONFIGURATION = "configuration"  # a setting, profile or configuration file is unusable
    CONNECTION = "connection"  # a remote peer (SFTP, SMTP) failed, refused or timed out
    USAGE = "usage"  # a command-line option or argument is unusable
    PLUGIN = "plugin"  # a plug-in could not be loaded or broke the hook contract
    GENERAL = "general"  # default codes of the error classes, without a more specific cause


def _grammar(_: object, __: object, value: str) -> None:
    if not GRAMMAR.match(value):
        raise ValueError(f"problem code {value!r} does not follow {GRAMMAR.pattern}")


@attrs.frozen
class ProblemCode:
    """One declared code: ``meaning`` is a short English text (a host's translation key).

    ``formerly`` lists codes this one replaces: an old code that is no longer declared becomes
    an alias of this one; one still declared (a split) is only a fallback for translations.
    """

    code: str = attrs.field(validator=_grammar)
    kind: Kind
    meaning: str
    severity: Severity = Severity.ERROR
    formerly: tuple[str, ...] = ()

    def problem(
        self, message: str | None = None, *, location: Location | None = None, **params: object
    ) -> Problem:
        """A :class:`Problem` with this code; the message defaults to ``meaning`` (``{name}``
        placeholders filled from ``params``)."""
        return Problem(
            code=self.code,
            message=message
            if message is not None
            else (self.meaning.format(**params) if params else self.meaning),
            location=location if location is not None else Location(),
            severity=self.severity,
        )

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "kind": self.kind.value,
            "severity": self.severity.value,
            "meaning": self.meaning,
        }
        if self.formerly:
            out["formerly"] = list(self.formerly)
        return out


@attrs.frozen
class Section:
    """Codes that belong together, with the text the generated docs show above their table."""

    title: str
    intro: str
    codes: tuple[ProblemCode, ...]
    owner: str = "leportal_core"


class Registry:
    """Declared codes by name, with the alias table of renamed codes."""

    def __init__(self, sections: Iterable[Section] = ()) -> None:
        self.sections: list[Section] = []
        self._codes: dict[str, ProblemCode] = {}
        self._owners: dict[str, str] = {}
        self._aliases: dict[str, str] = {}
        for section in sections:
            self.add(section)

    def add(self, section: Section) -> None:
        """Declare a section's codes; a code declared twice, or in another owner's namespace,
        is a :class:`ValueError` and leaves the registry as it was (one declaration per code)."""
        owners = dict(self._owners)
        seen = set(self._codes)
        for declared in section.codes:
            if declared.code in seen:
                raise ValueError(f"problem code {declared.code!r} is declared twice")
            seen.add(declared.code)
            owner = owners.setdefault(declared.code.split(".", 1)[0], section.owner)
            if owner != section.owner:
                raise ValueError(
                    f"{section.owner} declares {declared.code!r} in the namespace of {owner}"
                )
        codes = {**self._codes, **{declared.code: declared for declared in section.codes}}
        aliases: dict[str, str] = {}
        for declared in codes.values():
            for old in declared.formerly:
                if old not in codes and aliases.setdefault(old, declared.code) != declared.code:
                    raise ValueError(
                        f"{old!r} was renamed to both {aliases[old]!r} and {declared.code!r}; "
                        "an alias must name one code (keep the old code declared for a split)"
                    )
        self._owners, self._codes, self._aliases = owners, codes, aliases
        self.sections.append(section)

    @property
    def aliases(self) -> dict[str, str]:
        """Old code → new code, for every renamed code that is no longer declared itself."""
        return dict(self._aliases)

    def lookup(self, code: str) -> ProblemCode:
        """The declaration of ``code``, following an alias; :class:`KeyError` when unknown."""
        return self._codes[self._aliases.get(code, code)]

    def problem(
        self,
        code: str,
        message: str | None = None,
        *,
        location: Location | None = None,
        **params: object,
    ) -> Problem:
        """A :class:`Problem` from a declared code (see :meth:`ProblemCode.problem`)."""
        return self.lookup(code).problem(message, location=location, **params)

    def owner(self, code: str) -> str:
        return self._owners[code.split(".", 1)[0]]

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __iter__(self) -> Iterator[ProblemCode]:
        return iter(self._codes.values())

    def __len__(self) -> int:
        return len(self._codes)


def core_registry() -> Registry:
    """The core's own codes; needs no plug-in manager."""
    from leportal_core import _problem_codes

    return Registry(_problem_codes.SECTIONS)


def collect(pm: pluggy.PluginManager) -> Registry:
    """The core's codes plus those every plug-in registers through
    ``leportal_register_problem_codes``."""
    registry = core_registry()
    found: list[Section] = []
    pm.hook.leportal_register_problem_codes(register=found.append)
    # Sorted by owner (stable within one), so the generated files do not depend on plug-in order.
    for section in sorted(found, key=lambda s: s.owner):
        registry.add(section)
    return registry


def to_json(registry: Registry) -> str:
    """``codes.json``: every code with kind, severity, meaning and owner, and the aliases."""
    data: dict[str, Any] = {
        "codes": [
            {**declared.as_dict(), "owner": registry.owner(declared.code)}
            for declared in sorted(registry, key=lambda d: d.code)
        ],
        "aliases": dict(sorted(registry.aliases.items())),
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


_HEADER = """\
# Problem codes

<!-- Generated by `python -m leportal_core.problems --markdown` from the registry
(leportal_core/_problem_codes.py and each adapter's problem_codes.py); do not edit by hand:
tests/test_problem_registry.py fails when this page differs from the registry. -->

Every finding leportal reports carries a stable, machine-readable code. Hosts translate codes into
their UI language. Each problem also has an English `message`, a `severity` (`error` rejects,
`warning` asks a person to look) and a `location` with whichever of `file`, `line`, `column`,
`offset` (byte), `pointer` (JSON pointer), `segment`, `field` fit.

**One registry.** Every code is declared once, in `leportal_core/_problem_codes.py` or in its
adapter's `problem_codes.py`, with its meaning, *kind* and default severity; this page and the
machine-readable `leportal_core/codes.json` (also `leportal problems --json`) are generated from
it. A test fails when the source uses a code that is not declared, or declares one it never uses.

**Grammar.** A code is two to four dot-separated lower-case `snake_case` segments:
`<component>.<subject>.<kind>`, e.g. `cases.field.too_long`, `therapy.ik.invalid`; the subject
may have two segments (`fhir.isik.type.kdl`) and is left out only where it is the whole input
(`ik.checksum`, `pdf.damaged`, `store.locked` — a frozen list: new codes name their subject). The
first segment is a namespace owned by exactly one package (`fhir` by `leportal_fhir`); a plug-in
declares codes only in its own namespaces. Codes that broke this grammar were renamed once, each
with an alias (below).

**Kinds** let a host route a problem without knowing each code: `input` (a value breaks a rule),
`format` (bytes could not be parsed), `state` (conflicts with what is recorded), `storage`,
`configuration`, `connection` (a remote peer failed), `usage` (command-line options), `plugin`,
`general` (default codes of the error classes). The severity column is the default; where a
policy changes it (`pdf.active_content.*` under a policy that only reports active content) the
problem itself carries the severity it was reported with.

**Renamed codes** are never dropped silently: the new code lists the old one under `formerly`,
and when the old code is no longer used it becomes an *alias* (`aliases` in `codes.json`, and
`registry.lookup(old)` answers the new declaration). A host maps the new code, or falls back to its
translation of the old one. The text checks of every domain share one kind vocabulary
(`type`, `missing`, `empty`, `too_long`, `characters`; see `leportal_core.validation`).
"""


def to_markdown(registry: Registry) -> str:
    """``docs/problem-codes.md``: the header above, then one table per section."""
    parts = [_HEADER]
    aliases = registry.aliases
    if aliases:
        parts.append("\n## Aliases of renamed codes\n\n| old code | new code |\n|---|---|\n")
        parts.append("".join(f"| `{old}` | `{new}` |\n" for old, new in sorted(aliases.items())))
    for section in registry.sections:
        rows = "".join(
            f"| `{d.code}` | {_cell(d)} | {d.kind.value} | {d.severity.value} |\n"
            for d in section.codes
        )
        intro = f"{section.intro}\n\n" if section.intro else ""
        parts.append(
            f"\n## {section.title}\n\n{intro}"
            "| code | meaning | kind | severity |\n|---|---|---|---|\n" + rows
        )
    return "".join(parts)


def _cell(declared: ProblemCode) -> str:
    text = declared.meaning.replace("|", "\\|")
    if declared.formerly:
        text += " (formerly " + ", ".join(f"`{old}`" for old in declared.formerly) + ")"
    return text


def main(argv: list[str] | None = None, out: Callable[[str], Any] = sys.stdout.write) -> int:
    """``python -m leportal_core.problems --markdown|--json``: print the generated file."""
    from leportal_core.plugins import get_plugin_manager

    args = sys.argv[1:] if argv is None else argv
    if args not in (["--markdown"], ["--json"]):
        sys.stderr.write("usage: python -m leportal_core.problems --markdown|--json\n")
        return 2
    registry = collect(get_plugin_manager())
    out(to_markdown(registry) if args == ["--markdown"] else to_json(registry))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
