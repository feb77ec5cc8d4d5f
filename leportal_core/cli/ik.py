"""``leportal ik check``: validate Institutionskennzeichen."""

from __future__ import annotations

from typing import Any

import click

from leportal_core.cli.output import ReportedGroup, Result, problem_lines, report, shown
from leportal_core.cli.params import json_option
from leportal_core.errors import InvalidIdentifier, Problem
from leportal_core.identifiers import ik as ik_scheme


@click.group(cls=ReportedGroup)
def ik() -> None:
    """Institutionskennzeichen (IK): the 9-digit number of every institution in German billing."""


@ik.command()
@click.argument("numbers", nargs=-1, required=True)
@json_option
def check(numbers: tuple[str, ...], as_json: bool) -> None:
    """Check each IK; exit 0 when all are valid, 1 when any is not."""
    checked = [_check_one(shown(number)) for number in numbers]

    def text() -> None:
        for result, problems in checked:
            if problems:
                click.echo(f"{result['input']}: INVALID")
                click.echo(problem_lines(problems))
            else:
                c, r = result["classification"], result["region"]
                click.echo(
                    f"{result['input']}: valid (Klassifikation {c['code']} {c['name'] or 'unbekannt'}, "
                    f"Regionalbereich {r['code']} {r['name'] or 'unbekannt'})"
                )

    problems = [problem for _, found in checked for problem in found]
    results = [result for result, _ in checked]
    report(Result(not problems, problems, {"results": results}, text), as_json=as_json)


def _check_one(number: str) -> tuple[dict[str, Any], tuple[Problem, ...]]:
    try:
        valid = ik_scheme.validate(number)
    except InvalidIdentifier as exc:
        result = {"input": number, "valid": False, "problems": [p.as_dict() for p in exc.problems]}
        return result, exc.problems
    info = ik_scheme.describe(valid)
    result = {
        "input": number,
        "valid": True,
        "ik": valid,
        "problems": [],
        "classification": {"code": info.classification_code, "name": info.classification},
        "region": {"code": info.region_code, "name": info.region},
    }
    return result, ()
