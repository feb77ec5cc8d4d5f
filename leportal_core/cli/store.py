"""``leportal store init PATH``: make a new store, the one explicit act that creates a store file.

Every other command opens an existing store only: a missing or empty store file is an error
(``store.missing``, ``store.empty``, exit 74), never silently replaced by a new, empty one.
"""

from __future__ import annotations

import click

from leportal_core.cli.output import ReportedGroup, Result, report, shown, storage_failure
from leportal_core.cli.params import json_option, required_store
from leportal_core.errors import StorageError
from leportal_core.store import connect, schema_version

__all__ = ["store"]


@click.group(cls=ReportedGroup)
def store() -> None:
    """The embedded store (one SQLite file for cases, second factor, sending history, …)."""


@store.command()
@click.argument("path_text", metavar="[PATH]", required=False)
@json_option
@click.pass_context
def init(ctx: click.Context, path_text: str | None, as_json: bool) -> None:
    """Create a new, empty store at PATH (default: `leportal --store`; its folder must exist); an
    existing store is kept as it is.

    The components add their tables when they first use the store.
    """
    path = required_store(ctx, path_text)  # passed on as given: a path or URL
    try:
        connect(path).close()
        created = False
    except StorageError as exc:
        if exc.code not in ("store.missing", "store.empty"):
            storage_failure(exc, as_json=as_json)
        try:
            connection = connect(path, create=True)
        except StorageError as again:
            storage_failure(again, as_json=as_json)
        schema_version(connection, "leportal")  # the store answers: it is usable
        connection.close()
        created = True
    name = shown(path)
    done = "new store created" if created else "already a store, left as it is"
    report(
        Result(
            True,
            data={"store": name, "created": created},
            text=lambda: click.echo(f"{name}: {done}"),
        ),
        as_json=as_json,
    )
