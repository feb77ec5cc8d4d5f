from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import leportal_core.cli
from leportal_core import StorageError
from leportal_core.plugins import new_plugin_manager, register_plugins
from leportal_core.store import connect
from leportal_kis_archive import ArchiveMessage, DocumentVersions, MdmEvent, plugin

from .helpers import SAMPLES, pdf_document

AT = dt.datetime(2026, 2, 9, 12, 0, tzinfo=dt.UTC)


def t02(uid: str) -> ArchiveMessage:
    return ArchiveMessage(event=MdmEvent.T02, unique_id=uid, document=pdf_document())


def t10(uid: str, parent: str) -> ArchiveMessage:
    return ArchiveMessage(
        event=MdmEvent.T10, unique_id=uid, parent_id=parent, document=pdf_document()
    )


def test_states_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    versions = DocumentVersions(connect(path, create=True))
    assert versions.record(t02("A"), at=AT) == "current"
    assert versions.record(t10("B", "A"), at=AT) == "current"
    versions.connection.close()
    again = DocumentVersions(connect(path))
    assert (again.state("A"), again.state("B"), again.state("C")) == ("superseded", "current", None)


def test_recording_twice_changes_nothing_and_order_does_not_matter(tmp_path: Path) -> None:
    versions = DocumentVersions(connect(tmp_path / "s.sqlite", create=True))
    versions.record(t10("B", "A"), at=AT)  # the replacement arrives first
    versions.record(t02("A"), at=AT)
    versions.record(t02("A"), at=AT)
    assert versions.state("A") == "superseded"
    versions.record(ArchiveMessage(event=MdmEvent.T11, unique_id="B"), at=AT)
    versions.record(t10("C", "B"), at=AT)
    assert (versions.state("B"), versions.state("C")) == ("cancelled", "current")


def test_a_store_that_is_not_sqlite_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StorageError) as caught:
        DocumentVersions(sqlite3.connect(path))
    assert caught.value.code == "store.damaged"


def test_cli_import_into_a_missing_store_is_refused(tmp_path: Path) -> None:
    pm = new_plugin_manager()
    register_plugins(pm, [("kis_archive", plugin)])
    store = tmp_path / "typo.sqlite"
    mdm = SAMPLES / "archive" / "mdm" / "01-entlassungsbericht.hl7"
    args = ["archive", "import", "--store", str(store), "--json", str(mdm)]
    result = CliRunner().invoke(leportal_core.cli.build_cli(pm), args)
    assert result.exit_code == 74, result.output
    assert [p["code"] for p in json.loads(result.output)["problems"]] == ["store.missing"]
    assert not store.exists()


def test_cli_import_with_a_store(tmp_path: Path) -> None:
    pm = new_plugin_manager()
    register_plugins(pm, [("kis_archive", plugin)])
    store = tmp_path / "versions.sqlite"
    made = CliRunner().invoke(leportal_core.cli.build_cli(pm), ["store", "init", str(store)])
    assert made.exit_code == 0, made.output
    mdm = SAMPLES / "archive" / "mdm"
    args = ["archive", "import", "--store", str(store), "--json"]
    first = CliRunner().invoke(
        leportal_core.cli.build_cli(pm), [*args, str(mdm / "01-entlassungsbericht.hl7")]
    )
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["items"][0]["version_state"] == "current"
    second = CliRunner().invoke(
        leportal_core.cli.build_cli(pm), [*args, str(mdm / "02-entlassungsbericht-ersatz.hl7")]
    )
    assert second.exit_code == 0, second.output
    assert DocumentVersions(connect(store)).state("KH-DOK-2026-0815") == "superseded"
