"""``leportal demo``: the story on sample data (see :mod:`leportal_core.demo`)."""

from __future__ import annotations

from pathlib import Path

import click
import pluggy

from leportal_core.cli.output import ReportedCommand, Result, report
from leportal_core.cli.params import json_option, out_option
from leportal_core.demo import DemoContext, run_demo
from leportal_core.errors import ConfigurationError


@click.command(cls=ReportedCommand)
@click.option(
    "--samples",
    type=click.Path(path_type=Path),
    default=Path("samples"),
    show_default=True,
    help="Folder with the sample data (the repository's samples/).",
)
@out_option("Folder the demo writes its results to.", default=Path("build/demo"), show_default=True)
@json_option
@click.pass_obj
def demo(pm: pluggy.PluginManager, samples: Path, out: Path, as_json: bool) -> None:
    """Walk through leportal on sample data: IKs, a PDF document, its export, its certification."""
    if not (samples / "entlassungsbericht.pdf").is_file():
        raise ConfigurationError(
            f"no sample data in {samples}/; run the demo from the repository root or pass --samples"
        )
    # The story is for people: under --json it is not told, the envelope says how it ended.
    say = (lambda _: None) if as_json else click.echo
    count = run_demo(DemoContext(samples=samples, out=out, pm=pm, say=say))
    done = f"\nDemo done: {count} steps. Results are in {out}/."
    data = {"steps": count, "out": str(out)}
    report(
        Result(True, data=data, text=lambda: click.echo(click.style(done, bold=True))),
        as_json=as_json,
    )
