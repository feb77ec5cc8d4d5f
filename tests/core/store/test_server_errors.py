"""A server URL that cannot be used is a StorageError with a stable code, never a traceback."""

from __future__ import annotations

import pytest

from leportal_core.errors import ConfigurationError, StorageError
from leportal_core.store import open_store


def _server_url(store_url: str) -> str:
    if not store_url.startswith("postgresql"):
        pytest.skip("server URLs only")
    return store_url


def test_an_unknown_database_is_unavailable(store_url: str) -> None:
    # psycopg gives no SQLSTATE for a failed connection (3D000 arrives as text only), and codes
    # are never chosen by message text: the server's own words are quoted instead.
    url = _server_url(store_url).replace("/test?", "/leportal_no_such_db?")
    with pytest.raises(StorageError) as caught:
        open_store(url)
    assert caught.value.code == "store.unavailable"
    assert "leportal_no_such_db" in caught.value.problems[0].message


def test_an_unreachable_server_is_unavailable(store_url: str) -> None:
    _server_url(store_url)
    with pytest.raises(StorageError) as caught:
        open_store("postgresql://postgres@127.0.0.1:9/test?connect_timeout=2")
    assert caught.value.code == "store.unavailable"
    assert "127.0.0.1" in caught.value.problems[0].message


def test_the_password_is_not_shown(store_url: str) -> None:
    _server_url(store_url)
    with pytest.raises(StorageError) as caught:
        open_store("postgresql://someone:secret-pw@127.0.0.1:9/test?connect_timeout=2")
    assert "secret-pw" not in str(caught.value) + caught.value.problems[0].message


def test_an_unknown_scheme_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        open_store("oracle://scott@db/orcl")
    assert caught.value.code == "store.url.invalid"


def test_init_and_sql_on_the_command_line(store_url: str) -> None:
    from click.testing import CliRunner

    from leportal_core.cli import build_cli
    from leportal_core.plugins import new_plugin_manager

    runner, main = CliRunner(), build_cli(new_plugin_manager())
    made = runner.invoke(main, ["store", "init", store_url, "--json"])
    assert made.exit_code == 0, made.output
    assert '"created": true' in made.output
    again = runner.invoke(main, ["store", "init", store_url])
    assert "already a store" in again.output
    dialect = "sqlite" if "://" not in store_url else "postgresql"
    script = runner.invoke(main, ["store", "sql", "--dialect", dialect])
    assert script.exit_code == 0
    assert "CREATE TABLE secondfactor_account" in script.output
    assert "-- cases migration 2" in script.output
    assert ("BYTEA" in script.output) is (dialect == "postgresql")


def test_the_dba_script_makes_a_store_leportal_finds_up_to_date(store_url: str) -> None:
    """`leportal store sql`, applied by hand, leaves nothing for leportal to migrate."""
    import sqlite3

    from click.testing import CliRunner

    from leportal_core.cases import CaseStore
    from leportal_core.cli import build_cli
    from leportal_core.plugins import new_plugin_manager

    dialect = "postgresql" if "://" in store_url else "sqlite"
    script = CliRunner().invoke(
        build_cli(new_plugin_manager()), ["store", "sql", "--dialect", dialect]
    )
    assert script.exit_code == 0
    if dialect == "sqlite":
        connection = sqlite3.connect(store_url)
        connection.executescript(script.output)
        connection.close()
    else:
        import psycopg

        with psycopg.connect(store_url.replace("postgresql+psycopg", "postgresql")) as server:
            server.execute(script.output.encode())  # one transaction, committed on leaving
    with CaseStore(store_url) as cases:  # a second CREATE TABLE would fail: nothing re-runs
        assert cases.case_ids() == []
        assert cases.store.schema_version("cases") == 2
        assert cases.store.schema_version("secondfactor") == 1
