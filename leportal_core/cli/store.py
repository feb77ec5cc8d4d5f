"""``leportal store init PATH``: make a new store, the one explicit act that creates a store file.

Every other command opens an existing store only: a missing or empty store file is an error
(``store.missing``, ``store.empty``, exit 74), never silently replaced by a new, empty one.
"""

from __future__ import annotations

from pathlib import Path

import click

from leportal_core.cli.output import emit_json, shown, storage_failure
from leportal_core.errors import StorageError
from leportal_core.store import connect, schema_version

__all__ = ["store"]


@click.group()
def store() -> None:
    """The embedded store (one SQLite file for cases, second factor, sending history, …)."""


@store.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def init(path: Path, as_json: bool) -> None:
    """Create a new, empty store at PATH (its folder must exist); an existing store is kept as it is.

    The components add their tables when they first use the store.
    """
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
    name = shown(str(path))
    if as_json:
        emit_json({"ok": True, "store": name, "created": created})
    else:
        click.echo(
            f"{name}: {'new store created' if created else 'already a store, left as it is'}"
        )
