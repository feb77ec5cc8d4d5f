"""``leportal store init PATH_OR_URL``: make a new store, the one explicit act that creates one;
``leportal store sql``: the components' migration scripts for a DBA to review and apply by hand.

Every other command opens an existing store only: a missing or empty store is an error
(``store.missing``, ``store.empty``, exit 74), never silently replaced by a new, empty one.
"""

from __future__ import annotations

import click
import pluggy

from leportal_core.cli.output import emit_json, shown, storage_failure
from leportal_core.errors import StorageError

__all__ = ["store"]


@click.group()
def store() -> None:
    """The store: one SQLite file, or a PostgreSQL server for several application servers."""


@store.command()
@click.argument("target", metavar="PATH_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def init(target: str, as_json: bool) -> None:
    """Create a new, empty store (a file whose folder exists, or leportal's table in an existing
    PostgreSQL database); an existing store is kept as it is.

    The components add their tables when they first use the store.
    """
    from leportal_core.store import open_store

    try:
        open_store(target).close()
        created = False
    except StorageError as exc:
        if exc.code not in ("store.missing", "store.empty"):
            storage_failure(exc, as_json=as_json)
        try:
            with open_store(target, create=True) as made:
                made.schema_version("leportal")  # the store answers: it is usable
        except StorageError as again:
            storage_failure(again, as_json=as_json)
        created = True
    name = shown(target if "://" not in target else _hidden(target))
    if as_json:
        emit_json({"ok": True, "store": name, "created": created})
    else:
        click.echo(
            f"{name}: {'new store created' if created else 'already a store, left as it is'}"
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
@click.pass_context
def sql(ctx: click.Context, dialect: str, only: tuple[str, ...]) -> None:
    """Print every component's migrations as SQL, in order, each with the ``leportal_schema`` row
    it sets — for a DBA who applies schema changes by hand (run once, in one transaction)."""
    from leportal_core.store import SCHEMA_TABLE, components

    click.echo(f"-- leportal store schema for {dialect}; apply in order, in one transaction")
    click.echo(SCHEMA_TABLE + ";")
    from leportal_core.plugins import new_plugin_manager

    pm = ctx.find_object(pluggy.PluginManager) or new_plugin_manager()
    for component in components(pm):
        if only and component.name not in only:
            continue
        for version in range(1, len(component.migrations) + 1):
            try:
                statements = component.statements(version, dialect)
            except StorageError as exc:
                storage_failure(exc)
            click.echo(f"\n-- {component.name} migration {version}")
            for statement in statements:
                click.echo(statement.rstrip(";") + ";")
            # Printed for a human to apply, never executed here; names are the components' own.
            click.echo(
                "INSERT INTO leportal_schema (component, version) "  # noqa: S608
                f"VALUES ('{component.name}', {version}) "
                "ON CONFLICT (component) DO UPDATE SET version = excluded.version;"
            )


def _hidden(url: str) -> str:
    """The URL without its password (as SQLAlchemy renders it)."""
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
