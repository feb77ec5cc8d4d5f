"""``leportal demo``: the story on sample data (see :mod:`leportal_core.demo`)."""

from __future__ import annotations

from pathlib import Path

import click
import pluggy

from leportal_core.demo import DemoContext, run_demo
from leportal_core.errors import ConfigurationError


@click.command()
@click.option(
    "--samples",
    type=click.Path(path_type=Path),
    default=Path("samples"),
    show_default=True,
    help="Folder with the sample data (the repository's samples/).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("build/demo"),
    show_default=True,
    help="Folder the demo writes its results to.",
)
@click.pass_obj
def demo(pm: pluggy.PluginManager, samples: Path, out: Path) -> None:
    """Walk through leportal on sample data: IKs, a PDF document, its export, its certification."""
    if not (samples / "entlassungsbericht.pdf").is_file():
        raise ConfigurationError(
            f"no sample data in {samples}/; run the demo from the repository root or pass --samples"
        )
    count = run_demo(DemoContext(samples=samples, out=out, pm=pm))
    click.echo(click.style(f"\nDemo done: {count} steps. Results are in {out}/.", bold=True))
