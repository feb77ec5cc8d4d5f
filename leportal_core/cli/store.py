"""``leportal store init PATH_OR_URL``: make a new store, the one explicit act that creates one;
``leportal store sql``: the components' migration scripts for a DBA to review and apply by hand.

Every other command opens an existing store only: a missing or empty store is an error
(``store.missing``, ``store.empty``, exit 74), never silently replaced by a new, empty one.
"""

from __future__ import annotations

import click
import pluggy

from leportal_core.cli.output import ReportedGroup, Result, report, shown, storage_failure
from leportal_core.cli.params import json_option, required_store
from leportal_core.errors import StorageError

__all__ = ["store"]


@click.group(cls=ReportedGroup)
def store() -> None:
    """The store: one SQLite file, or a PostgreSQL server for several application servers."""


@store.command()
@click.argument("path_text", metavar="[PATH_OR_URL]", required=False)
@json_option
@click.pass_context
def init(ctx: click.Context, path_text: str | None, as_json: bool) -> None:
    """Create a new, empty store at PATH_OR_URL (default: `leportal --store`): a file whose folder
    exists, or leportal's table in an existing PostgreSQL database; an existing store is kept as
    it is.

    The components add their tables when they first use the store.
    """
    from leportal_core.store import open_store

    target = required_store(ctx, path_text)  # passed on as given: a path or URL
    try:
        store = open_store(target)
        created = False
    except StorageError as exc:
        if exc.code not in ("store.missing", "store.empty"):
            storage_failure(exc, as_json=as_json)
        try:
            store = open_store(target, create=True)
        except StorageError as again:
            storage_failure(again, as_json=as_json)
        created = True
    with store:
        store.schema_version("leportal")  # the store answers: it is usable
        name = shown(store.label)  # a server URL without its password
    done = "new store created" if created else "already a store, left as it is"
    report(
        Result(
            True,
            data={"store": name, "created": created},
            text=lambda: click.echo(f"{name}: {done}"),
        ),
        as_json=as_json,
    )


@store.command()
@click.option(
    "--dialect",
    type=click.Choice(["postgresql", "sqlite"]),
    default="postgresql",
    show_default=True,
    help="The database engine the scripts are for.",
)
@click.option("--component", "only", multiple=True, help="Only this component (repeatable).")
@json_option
@click.pass_context
def sql(ctx: click.Context, dialect: str, only: tuple[str, ...], as_json: bool) -> None:
    """Print every component's migrations as SQL, in order, each with the ``leportal_schema`` row
    it sets — for a DBA who applies schema changes by hand (run once, in one transaction)."""
    from leportal_core.plugins import new_plugin_manager
    from leportal_core.store import SCHEMA_TABLE, components

    lines = [f"-- leportal store schema for {dialect}; apply in order, in one transaction"]
    lines.append(SCHEMA_TABLE + ";")
    pm = ctx.find_object(pluggy.PluginManager) or new_plugin_manager()
    for component in components(pm):
        if only and component.name not in only:
            continue
        for version in range(1, len(component.migrations) + 1):
            statements = component.statements(version, dialect)  # StorageError: exit 74
            lines.append(f"\n-- {component.name} migration {version}")
            lines.extend(statement.rstrip(";") + ";" for statement in statements)
            # Printed for a human to apply, never executed here; names are the components' own.
            lines.append(
                "INSERT INTO leportal_schema (component, version) "  # noqa: S608
                f"VALUES ('{component.name}', {version}) "
                "ON CONFLICT (component) DO UPDATE SET version = excluded.version;"
            )
    script = "\n".join(lines)
    report(
        Result(True, data={"dialect": dialect, "sql": script}, text=lambda: click.echo(script)),
        as_json=as_json,
    )
