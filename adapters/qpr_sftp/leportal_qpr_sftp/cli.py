"""``leportal qpr fetch --config FILE [--json]``: run one pickup from the command line.

Exit codes follow the project's convention: 0 every new report filed, 1 something was rejected or
the run stopped early (problems listed), 2 the configuration is unusable. Secrets are never shown.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click
import pluggy

from leportal_core.cli.output import Progress, ReportedGroup, emit_json, problem_lines, shown
from leportal_core.errors import ConfigurationError
from leportal_qpr_sftp.config import load_config
from leportal_qpr_sftp.errors import PickupError
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
    type=click.Path(dir_okay=False, path_type=Path),
    help="The pickup's TOML configuration (see docs/qpr.md).",
)
@click.option(
    "--init",
    "create_store",
    is_flag=True,
    help="First use: create the ledger of fetched reports if there is none.",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_context
def fetch(ctx: click.Context, config_path: Path, create_store: bool, as_json: bool) -> None:
    """Fetch every new report once; exit 0 when all went well, 1 on problems, 2 on bad config
    (including a missing ledger: restore it, or create it once with `qpr init` or `--init`)."""
    pm = ctx.obj if isinstance(ctx.obj, pluggy.PluginManager) else None
    try:
        config = load_config(config_path)
    except ConfigurationError as exc:
        _fail(exc, as_json, 2)
    status = Progress(enabled=not as_json)

    def progress(name: str, done: int, total: int) -> None:
        status.update(f"  {name[:50]:<50} {done // 1024:>8} / {total // 1024} KiB")

    with status:
        try:
            run = fetch_reports(config, pm=pm, progress=progress, create_store=create_store)
        except ConfigurationError as exc:
            status.clear()
            _fail(exc, as_json, 2)
        except PickupError as exc:
            status.clear()
            _fail(exc, as_json, 1)
    if as_json:
        emit_json(_as_json(run))
    else:
        for report in run.filed:
            click.echo(
                f"filed {shown(report.local_name)} ({report.size} bytes, SHA-256 {report.sha256[:16]}…)"
            )
        click.echo(
            f"{len(run.filed)} new report(s), {run.already_known} already known, "
            f"{len(run.quarantined)} quarantined" + ("" if run.complete else "; stopped early")
        )
        if run.problems:
            click.echo(problem_lines(run.problems))
    sys.exit(0 if run.ok else 1)


@qpr.command()
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The pickup's TOML configuration (see docs/qpr.md).",
)
def init(config_path: Path) -> None:
    """Create the ledger of fetched reports named by the configuration (before the first pickup)."""
    try:
        config = load_config(config_path)
        config.store.parent.mkdir(parents=True, exist_ok=True)
        Ledger(config.store, create=True).close()
    except OSError as exc:
        raise ConfigurationError(f"cannot create the ledger: {exc.strerror or exc}") from exc
    except (ConfigurationError, PickupError) as exc:
        _fail(exc, False, 2 if isinstance(exc, ConfigurationError) else 1)
    click.echo(f"ledger ready: {shown(str(config.store))}")


def _fail(exc: ConfigurationError | PickupError, as_json: bool, code: int) -> NoReturn:
    if as_json:
        emit_json(
            {"ok": False, "error": exc.message, "problems": [p.as_dict() for p in exc.problems]}
        )
    else:
        click.echo(f"error: {exc.message}", err=True)
        click.echo(problem_lines(exc.problems), err=True)
    sys.exit(code)


def _as_json(run: FetchRun) -> dict[str, Any]:
    return {
        "ok": run.ok,
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
        "problems": [p.as_dict() for p in run.problems],
    }
