"""The shipped font subsets: every character a report's templates use and the whole repertoire
is covered; characters outside it are refused with a problem code, never silently dropped."""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

import attrs
import pytest
from fontTools import ttLib  # type: ignore[import-untyped]

from leportal_core.errors import ValidationError
from leportal_therapy_pvs import render
from leportal_therapy_pvs.render import REPERTOIRE, covered_characters, render_flyer, render_report
from leportal_therapy_pvs.samples import sample_report

from .test_render import text_of

FONTS = Path(render.__file__).parent / "fonts"


def template_characters() -> set[str]:
    """Every character of every string literal in render.py (labels, headings, the letter)."""
    tree = ast.parse(Path(render.__file__).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.update(node.value)
    return found - {"\n"}


@pytest.mark.parametrize("name", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_each_shipped_font_holds_exactly_the_repertoire(name: str) -> None:
    cmap = ttLib.TTFont(FONTS / name).getBestCmap()
    assert {chr(c) for c in cmap} == set(REPERTOIRE)


def test_the_repertoire_covers_german_reports() -> None:
    german = set("ÄÖÜäöüßẞ§€°²³½„“‚‘»«›‹–—…•→←↔⇒≤≥±×·")
    assert german <= REPERTOIRE
    assert covered_characters() >= REPERTOIRE


def test_every_template_character_is_covered() -> None:
    missing = {c for c in template_characters() if c not in covered_characters()}
    # render.py's own sources (docstrings, the repertoire's comments) are in the same file: the
    # check is deliberately wider than the text drawn.
    assert missing <= {"\t", "\r"}, sorted(missing)


def test_arrows_quotes_and_decomposed_umlauts_are_drawn() -> None:
    report = sample_report()
    text = "„Besserung“ → Ziel ‚erreicht‘ ⇒ Übungen – täglich … ≥ 3×; Mu\u0308ller ✓"
    pdf = render_report(attrs.evolve(report, befund=text))
    shown = text_of(pdf)
    for piece in ("„Besserung“", "→", "‚erreicht‘", "⇒", "–", "…", "≥", "✓"):
        assert piece in shown
    assert unicodedata.normalize("NFC", "Mu\u0308ller") in shown


@pytest.mark.parametrize("odd", ["中文", "🙂", "\u0301x", "ŉ\u20bf"])
def test_an_uncovered_character_is_refused_with_a_problem_code(odd: str) -> None:
    report = attrs.evolve(sample_report(), therapieziele=f"Ziel {odd} erreicht")
    for make in (render_report, render_flyer):
        with pytest.raises(ValidationError) as caught:
            make(report)
        assert caught.value.code == "therapy_pvs.render.uncovered_character"
        assert "U+" in caught.value.problems[0].message


def test_fonts_are_parsed_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    render_report(sample_report())  # the first render may parse
    parsed = []
    real = render.TTFFont.__init__  # type: ignore[attr-defined]

    def counting(self: object, *args: object, **kwargs: object) -> None:
        parsed.append(args)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render.TTFFont, "__init__", counting)  # type: ignore[attr-defined]
    render_report(sample_report())
    render_flyer(sample_report())
    assert parsed == []


def test_two_documents_do_not_share_glyph_state() -> None:
    first = attrs.evolve(sample_report(), befund="Ωmega ≈ ∞")
    render_report(first)
    second = render_report(sample_report())
    assert "Ω" not in text_of(second)
    assert "Ωmega" in text_of(render_report(first))
