"""The store conformance suite's backends: every test here runs once per store URL.

- ``sqlite``: a file in the test's temporary folder (always);
- ``postgresql``: a fresh schema on the server of ``LEPORTAL_TEST_POSTGRES_URL`` (default
  ``postgresql://postgres@127.0.0.1:5432/test``), dropped afterwards. Without a reachable server
  these tests are skipped with the reason — except when ``CI=true``, where that is a failure;
- ``custom``: ``LEPORTAL_TEST_STORE_URL`` when set — how a hospital qualifies its own database
  (a dedicated, empty database or schema: the suite writes and deletes there).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

POSTGRES_ENV = "LEPORTAL_TEST_POSTGRES_URL"
POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
CUSTOM_ENV = "LEPORTAL_TEST_STORE_URL"
BACKENDS = ["sqlite", "postgresql"] + (["custom"] if os.environ.get(CUSTOM_ENV) else [])


def _postgres_schema_url() -> Iterator[str]:
    base = os.environ.get(POSTGRES_ENV, POSTGRES_DEFAULT)
    try:
        import psycopg
    except ImportError as exc:
        _unavailable(f"psycopg is not installed ({exc}); pip install 'leportal-core[postgresql]'")
    schema = f"leportal_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(base, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        _unavailable(f"no PostgreSQL at {base} ({str(exc).strip().splitlines()[0]})")
    try:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        separator = "&" if "?" in base else "?"
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true needs the PostgreSQL store tests: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty place for a new store (nothing created yet): a path or a server URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.sqlite")
    elif request.param == "postgresql":
        yield from _postgres_schema_url()
    else:
        url = os.environ[CUSTOM_ENV]
        yield url
        _drop_suite_tables(url)


def _drop_suite_tables(url: str) -> None:
    """Remove what the suite made in the hospital's database (only leportal's and its own)."""
    import sqlalchemy

    from leportal_core import store

    with store.open_store(url, create=True) as opened:
        metadata = sqlalchemy.MetaData()
        metadata.reflect(opened.engine)
        ours = [
            table
            for name, table in metadata.tables.items()
            if name.startswith(("leportal_", "secondfactor_", "case_", "suite_"))
        ]
        metadata.drop_all(opened.engine, tables=ours)
