"""``leportal pdf check``: inspect PDFs before they go to the Medizinischer Dienst."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from leportal_core.cli.output import ReportedGroup, Result, problem_lines, report, shown
from leportal_core.cli.params import InputPath, json_option
from leportal_core.pdf import DEFAULT_MAX_SIZE, ActiveContentAction, PdfPolicy, inspect_pdf

F = TypeVar("F", bound=Callable[..., Any])


def policy_options(function: F) -> F:
    """``--max-size`` and ``--active-content``: the PDF policy of every command that checks PDFs."""
    function = click.option(
        "--active-content",
        type=click.Choice([a.value for a in ActiveContentAction]),
        default=ActiveContentAction.REJECT.value,
        show_default=True,
        help="Whether JavaScript, Launch actions and embedded files reject a PDF or only warn.",
    )(function)
    return click.option(
        "--max-size",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_SIZE,
        show_default=True,
        help="Largest accepted PDF in bytes (the receiving MD's limit).",
    )(function)


@click.group(cls=ReportedGroup)
def pdf() -> None:
    """PDF checks: damaged, encrypted, active content, size, pages, claimed PDF/A."""


@pdf.command()
@click.argument("files", nargs=-1, required=True, type=InputPath())
@json_option
@policy_options
def check(files: tuple[Path, ...], as_json: bool, max_size: int, active_content: str) -> None:
    """Check each FILE; exit 0 when all are acceptable, 1 when any is rejected."""
    policy = PdfPolicy(max_size=max_size, active_content=ActiveContentAction(active_content))
    verdicts = [inspect_pdf(path, policy=policy, name=shown(str(path))) for path in files]

    def text() -> None:
        for v in verdicts:
            facts = []
            if v.pages is not None:
                facts.append(f"{v.pages} pages")
            if v.version:
                facts.append(f"PDF {v.version}")
            if v.pdfa:
                facts.append(f"PDF/A-{v.pdfa} claimed")
            if v.size is not None:
                facts.append(f"{v.size} bytes")
            status = "ok" if v.ok else "REJECTED"
            click.echo(f"{v.source}: {status} ({', '.join(facts)})")
            if v.problems:
                click.echo(problem_lines(v.problems))

    problems = [p for v in verdicts for p in v.problems]
    data = {"results": [v.as_dict() for v in verdicts]}
    report(Result(all(v.ok for v in verdicts), problems, data, text), as_json=as_json)
