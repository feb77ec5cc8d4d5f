"""``leportal fhir …``: validate DocumentReferences and Bundles received from elsewhere."""

from __future__ import annotations

from pathlib import Path

import click

from leportal_core import Severity
from leportal_core.cli.output import ReportedGroup, Result, report, shown
from leportal_core.cli.params import InputPath, json_option
from leportal_core.errors import ConfigurationError
from leportal_core.files import open_input
from leportal_fhir.validate import validate_bytes

__all__ = ["fhir"]

# A DocumentReference with a 500 MB PDF inline is about 670 MB of base64; more is not a document.
MAX_INPUT = 1 << 30


@click.group(cls=ReportedGroup)
def fhir() -> None:
    """FHIR R4 DocumentReference per ISiK Stufe 3 Dokumentenaustausch."""


@fhir.command()
@click.argument("file", type=InputPath())
@json_option
def validate(file: Path, as_json: bool) -> None:
    """Check FILE (a DocumentReference or a Bundle of them) against the ISiK rules and verify the
    content's hash and size; exit 0 when valid, 1 when not, 2 when FILE cannot be read."""
    name = shown(str(file))
    # An OSError here is reported by the CLI (cli.file.unusable, exit 2).
    with open_input(file) as stream:
        data = stream.read(MAX_INPUT + 1)
    if len(data) > MAX_INPUT:
        raise ConfigurationError(f"{name} is larger than {MAX_INPUT} bytes")
    checked = validate_bytes(data)

    def text() -> None:
        verdict = "valid" if checked.ok else "INVALID"
        click.echo(f"{name}: {verdict} ({len(checked.checked)} DocumentReference(s) checked)")
        for problem in checked.problems:
            label = "warning" if problem.severity is Severity.WARNING else "error"
            click.echo(f"    {label} {problem}")

    data_out = {k: v for k, v in checked.as_dict().items() if k not in ("ok", "valid", "problems")}
    result = Result(checked.ok, checked.problems, {"file": name, **data_out}, text)
    report(result, as_json=as_json)
