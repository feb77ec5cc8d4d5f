"""``leportal ik check``: validate Institutionskennzeichen."""

from __future__ import annotations

import sys
from typing import Any

import click

from leportal_core.cli.output import emit_json, problem_lines, shown
from leportal_core.errors import InvalidIdentifier, Problem
from leportal_core.identifiers import ik as ik_scheme


@click.group()
def ik() -> None:
    """Institutionskennzeichen (IK): the 9-digit number of every institution in German billing."""


@ik.command()
@click.argument("numbers", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def check(numbers: tuple[str, ...], as_json: bool) -> None:
    """Check each IK; exit 0 when all are valid, 1 when any is not."""
    checked = [_check_one(shown(number)) for number in numbers]
    all_valid = all(problems == () for _, problems in checked)
    if as_json:
        emit_json({"valid": all_valid, "results": [result for result, _ in checked]})
    else:
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
    sys.exit(0 if all_valid else 1)


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
