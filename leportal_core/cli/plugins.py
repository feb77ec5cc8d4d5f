"""``leportal plugins``: every plug-in, where it comes from and whether it loaded."""

from __future__ import annotations

import importlib.metadata as metadata

import click

from leportal_core import __version__
from leportal_core.builtin import NAME as BUILTIN
from leportal_core.cli.output import ReportedCommand, Result, report
from leportal_core.cli.params import json_option
from leportal_core.plugins import (
    ALLOW_LIST_ENV,
    PluginStatus,
    load_entry_point_plugins,
    new_plugin_manager,
)


def plugin_statuses() -> list[PluginStatus]:
    """The built-ins, then every installed entry point with its load status."""
    core = metadata.distribution("leportal-core")
    builtin = PluginStatus(
        name=BUILTIN,
        group="built-in",
        value=BUILTIN,
        distribution=core.name,
        version=__version__,
        status="loaded",
    )
    return [builtin, *load_entry_point_plugins(new_plugin_manager(), tolerate_broken=True)]


@click.command(cls=ReportedCommand)
@json_option
def plugins(as_json: bool) -> None:
    """List every plug-in: name, group, distribution and version, and whether it loaded.

    A plug-in that failed to load is listed with the reason; exclude it with LEPORTAL_PLUGINS.
    """
    statuses = plugin_statuses()

    def text() -> None:
        for status in statuses:
            origin = f"{status.distribution or '?'} {status.version or '?'}"
            click.echo(f"{status.name:<32} {status.group:<20} {origin:<32} {status.status}")
            if status.error:
                click.echo(f"    {status.error}")
        if any(status.status == "not allowed" for status in statuses):
            click.echo(f"(plug-ins 'not allowed' are left out by {ALLOW_LIST_ENV})")

    # A broken plug-in is reported, not a failure of this command: it lists what is there.
    data = {"plugins": [_as_dict(status) for status in statuses]}
    report(Result(True, data=data, text=text), as_json=as_json)


def _as_dict(status: PluginStatus) -> dict[str, str | None]:
    return {
        "name": status.name,
        "group": status.group,
        "value": status.value,
        "distribution": status.distribution,
        "version": status.version,
        "status": status.status,
        "error": status.error,
    }
