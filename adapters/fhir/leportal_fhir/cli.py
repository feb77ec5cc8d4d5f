"""``leportal fhir …``: validate DocumentReferences and Bundles received from elsewhere."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leportal_core import Severity
from leportal_core.cli.output import ReportedGroup, emit_json, shown
from leportal_core.files import open_input
from leportal_fhir.validate import validate_bytes

__all__ = ["fhir"]

# A DocumentReference with a 500 MB PDF inline is about 670 MB of base64; more is not a document.
MAX_INPUT = 1 << 30


@click.group(cls=ReportedGroup)
def fhir() -> None:
    """FHIR R4 DocumentReference per ISiK Stufe 3 Dokumentenaustausch."""


@fhir.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def validate(file: Path, as_json: bool) -> None:
    """Check FILE (a DocumentReference or a Bundle of them) against the ISiK rules and verify the
    content's hash and size; exit 0 when valid, 1 when not, 2 when FILE cannot be read."""
    name = shown(str(file))
    try:
        with open_input(file) as stream:
            data = stream.read(MAX_INPUT + 1)
    except OSError as exc:
        raise click.UsageError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if len(data) > MAX_INPUT:
        raise click.UsageError(f"{name} is larger than {MAX_INPUT} bytes")
    report = validate_bytes(data)
    if as_json:
        emit_json({"file": name, **report.as_dict()})
    else:
        verdict = "valid" if report.ok else "INVALID"
        click.echo(f"{name}: {verdict} ({len(report.checked)} DocumentReference(s) checked)")
        for problem in report.problems:
            label = "warning" if problem.severity is Severity.WARNING else "error"
            click.echo(f"    {label} {problem}")
    sys.exit(0 if report.ok else 1)
