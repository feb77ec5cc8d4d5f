"""``leportal qpr fetch --config FILE [--json]``: run one pickup from the command line.

Exit codes follow the project's convention: 0 every new report filed, 1 something was rejected or
the run stopped early (problems listed), 2 the configuration is unusable (errors are mapped by the
CLI's one reporter, docs/cli.md). Secrets are never shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pluggy

from leportal_core.cli.output import Progress, ReportedGroup, Result, problem_lines, report, shown
from leportal_core.cli.params import InputPath, json_option
from leportal_core.files import output_error
from leportal_qpr_sftp.config import load_config
from leportal_qpr_sftp.fetch import fetch_reports
from leportal_qpr_sftp.ledger import Ledger
from leportal_qpr_sftp.model import FetchRun

__all__ = ["qpr"]


@click.group(cls=ReportedGroup)
def qpr() -> None:
    """QPR-Portal: pick up Prüfberichte (§§ 114 ff. SGB XI) over SFTP."""


@qpr.command()
@click.option(
    "--config",
    "config_path",
    required=True,
    type=InputPath(),
    help="The pickup's TOML configuration (see docs/qpr.md).",
)
@click.option(
    "--init",
    "create_store",
    is_flag=True,
    help="First use: create the ledger of fetched reports if there is none.",
)
@json_option
@click.pass_context
def fetch(ctx: click.Context, config_path: Path, create_store: bool, as_json: bool) -> None:
    """Fetch every new report once; exit 0 when all went well, 1 on problems, 2 on bad config
    (including a missing ledger: restore it, or create it once with `qpr init` or `--init`)."""
    pm = ctx.obj if isinstance(ctx.obj, pluggy.PluginManager) else None
    config = load_config(config_path)
    status = Progress(enabled=not as_json)

    def progress(name: str, done: int, total: int) -> None:
        status.update(f"  {name[:50]:<50} {done // 1024:>8} / {total // 1024} KiB")

    with status:  # a ConfigurationError (exit 2) or PickupError (exit 1) is mapped by the CLI
        run = fetch_reports(config, pm=pm, progress=progress, create_store=create_store)

    def text() -> None:
        for filed in run.filed:
            click.echo(
                f"filed {shown(filed.local_name)} ({filed.size} bytes, SHA-256 {filed.sha256[:16]}…)"
            )
        click.echo(
            f"{len(run.filed)} new report(s), {run.already_known} already known, "
            f"{len(run.quarantined)} quarantined" + ("" if run.complete else "; stopped early")
        )
        if run.problems:
            click.echo(problem_lines(run.problems))

    report(Result(run.ok, run.problems, _as_json(run), text), as_json=as_json)


@qpr.command()
@click.option(
    "--config",
    "config_path",
    required=True,
    type=InputPath(),
    help="The pickup's TOML configuration (see docs/qpr.md).",
)
@json_option
def init(config_path: Path, as_json: bool) -> None:
    """Create the ledger of fetched reports named by the configuration (before the first pickup)."""
    try:
        config = load_config(config_path)
        config.store.parent.mkdir(parents=True, exist_ok=True)
        Ledger(config.store, create=True).close()
    except OSError as exc:  # its folder: a full or read-only disk is a StorageError (exit 74)
        raise output_error(config.store.parent, exc) from exc
    ledger = shown(str(config.store))
    done = f"ledger ready: {ledger}"
    report(Result(True, data={"ledger": ledger}, text=lambda: click.echo(done)), as_json=as_json)


def _as_json(run: FetchRun) -> dict[str, Any]:
    return {
        "complete": run.complete,
        "filed": [
            {
                "remote_name": r.remote_name,
                "local_name": r.local_name,
                "size": r.size,
                "remote_mtime": r.remote_mtime.isoformat(),
                "sha256": r.sha256,
                "fetched_at": r.fetched_at.isoformat(),
                "recipient_ik": r.recipient_ik,
            }
            for r in run.filed
        ],
        "already_known": run.already_known,
        "quarantined": list(run.quarantined),
    }
