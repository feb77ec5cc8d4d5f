"""``leportal problems``: the problem-code catalogue (core and installed plug-ins) for hosts."""

from __future__ import annotations

import json

import click
import pluggy

from leportal_core.cli.output import ReportedCommand, Result, report
from leportal_core.cli.params import json_option
from leportal_core.problems import collect, to_json


@click.command(cls=ReportedCommand)
@click.argument("code", required=False)
@json_option
@click.pass_obj
def problems(pm: pluggy.PluginManager, code: str | None, as_json: bool) -> None:
    """List every problem code with kind, severity and meaning, or explain CODE (an old code
    answers with its new name). ``--json`` prints what hosts translate: ``codes`` and ``aliases``.
    """
    registry = collect(pm)
    if code is None:

        def listing() -> None:
            for declared in sorted(registry, key=lambda d: d.code):
                click.echo(f"{declared.code:<44} {declared.kind.value:<13} {declared.meaning}")

        report(Result(True, data=json.loads(to_json(registry)), text=listing), as_json=as_json)
    try:
        declared = registry.lookup(code)
    except KeyError:
        raise click.BadParameter(
            f"no problem code {code!r} is declared", param_hint="CODE"
        ) from None

    def explain() -> None:
        if declared.code != code:
            click.echo(f"{code} was renamed to {declared.code}")
        click.echo(
            f"{declared.code} ({declared.kind.value}, {declared.severity.value}): {declared.meaning}"
        )

    data = {"code": {**declared.as_dict(), "owner": registry.owner(declared.code)}}
    report(Result(True, data=data, text=explain), as_json=as_json)
