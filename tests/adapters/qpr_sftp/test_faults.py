"""Faults injected into a real asyncssh SFTP server on loopback (issue #11 acceptance): after every
fault a re-run ends with each report exactly once, intact."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import asyncssh
import pytest

from leportal_qpr_sftp import PickupError, fetch_reports
from leportal_qpr_sftp.ledger import Ledger, RemoteKey
from leportal_qpr_sftp.localserver import generate_key
from leportal_qpr_sftp.samples import sample_report
from tests.adapters.qpr_sftp.conftest import REPORTS, Site, assert_each_report_once

BIG = "Pruefbericht_B.pdf"


class _Tracking(asyncssh.SFTPServer):
    """Remembers which path each open handle belongs to, and every path opened."""

    opened: ClassVar[list[bytes]] = []

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        type(self).opened.append(path)
        handle = super().open(path, pflags, attrs)
        self._paths = getattr(self, "_paths", {})
        self._paths[id(handle)] = path
        return handle

    def path_of(self, handle: object) -> bytes:
        return self._paths.get(id(handle), b"")  # type: ignore[no-any-return]


def test_connection_dropped_mid_file_then_a_rerun_gets_everything(site: Site) -> None:
    class DropOnce(_Tracking):
        dropped: ClassVar[bool] = False

        def read(self, file_obj: object, offset: int, size: int) -> Any:
            if (
                offset > 0
                and self.path_of(file_obj).endswith(BIG.encode())
                and not DropOnce.dropped
            ):
                DropOnce.dropped = True
                self.connection.abort()  # the line goes dead in the middle of the file
            return super().read(file_obj, offset, size)

    site.put(REPORTS)
    config = site.config(site.serve(DropOnce))
    first = fetch_reports(config)
    assert DropOnce.dropped
    assert not first.complete
    assert "qpr_sftp.connection.lost" in [p.code for p in first.problems]
    assert BIG not in site.filed()  # no half file under the report's name
    assert not list(site.target.glob(".qpr-partial-*"))

    again = fetch_reports(config)
    assert again.ok
    assert_each_report_once(site, REPORTS)


class _Stalling(_Tracking):
    """Stalls the requests named in ``steps`` (for ``BIG`` only) until ``release`` is set — far
    longer than the client's deadline; the test releases it before the server stops."""

    steps: ClassVar[set[str]] = set()
    release: ClassVar[threading.Event] = threading.Event()

    async def _stall(self, step: str, path: bytes) -> None:
        if step in self.steps and path.endswith(BIG.encode()):
            while not self.release.is_set():
                await asyncio.sleep(0.02)

    async def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        await self._stall("open", path)
        return super().open(path, pflags, attrs)

    async def read(self, file_obj: object, offset: int, size: int) -> bytes:
        if offset > 0:
            await self._stall("read", self.path_of(file_obj))
        return super().read(file_obj, offset, size)  # type: ignore[return-value]

    async def close(self, file_obj: object) -> None:
        await self._stall("close", self.path_of(file_obj))
        super().close(file_obj)

    async def lstat(self, path: bytes) -> asyncssh.SFTPAttrs:
        await self._stall("lstat", path)
        return super().lstat(path)  # type: ignore[return-value]

    async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:
        async for entry in super().scandir(path):
            if "lstat" in self.steps and entry.filename == BIG.encode():
                entry.attrs = asyncssh.SFTPAttrs(permissions=0o100644)  # makes the client lstat
            yield entry


@pytest.mark.parametrize(
    ("step", "code"),
    [
        ("open", "qpr_sftp.timeout.open"),
        ("read", "qpr_sftp.timeout.read"),
        ("close", "qpr_sftp.timeout.close"),
        ("lstat", "qpr_sftp.timeout.stat"),
    ],
)
def test_a_server_stalling_in_any_request_meets_a_deadline(
    site: Site, step: str, code: str
) -> None:
    """Issue 21, point 7: a stall in open(), close(), lstat() or a read hangs nothing, leaves no
    temp file, and does not keep the other reports from being filed."""
    _Stalling.steps = {step}
    _Stalling.release = threading.Event()
    site.put(REPORTS)
    config = site.config(site.serve(_Stalling), timeout_seconds=0.3)
    try:
        first = fetch_reports(config)
    finally:
        _Stalling.release.set()
    assert [(p.code, p.location.file) for p in first.problems] == [(code, BIG)]
    assert set(site.filed()) == {"Pruefbericht_A.pdf"}  # the other report is filed
    assert not list(site.target.glob(".qpr-partial-*"))
    assert fetch_reports(site.config(site.serve())).ok
    assert_each_report_once(site, REPORTS)


def test_the_whole_transfer_has_a_deadline(site: Site) -> None:
    class Slow(_Tracking):
        async def read(self, file_obj: object, offset: int, size: int) -> bytes:
            await asyncio.sleep(0.1)  # each read in time, the whole file not
            return super().read(file_obj, offset, size)  # type: ignore[return-value]

    site.put({BIG: REPORTS[BIG]})
    config = site.config(site.serve(Slow), timeout_seconds=2, transfer_timeout_seconds=0.15)
    run = fetch_reports(config)
    assert [p.code for p in run.problems] == ["qpr_sftp.timeout.transfer"]
    assert site.filed() == {}
    assert not list(site.target.glob(".qpr-partial-*"))


def test_a_server_without_size_and_mtime_is_read_twice(site: Site) -> None:
    """Issue 21, point 8: no size, no time — two identical reads make the file stable."""

    class NoMetadata(_Tracking):
        async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:
            async for entry in super().scandir(path):
                entry.attrs = asyncssh.SFTPAttrs(permissions=entry.attrs.permissions)
                yield entry

        def lstat(self, path: bytes) -> asyncssh.SFTPAttrs:
            real = asyncssh.SFTPAttrs.from_local(super().lstat(path))  # type: ignore[arg-type]
            return asyncssh.SFTPAttrs(permissions=real.permissions)

    site.put(REPORTS)
    config = site.config(site.serve(NoMetadata))
    run = fetch_reports(config)
    assert run.ok
    assert sorted(p.code for p in run.problems) == ["qpr_sftp.file.no_metadata"] * 2
    assert all(p.severity.value == "warning" for p in run.problems)
    assert_each_report_once(site, REPORTS)
    again = fetch_reports(config)
    assert again.filed == ()
    assert again.already_known == 2
    assert_each_report_once(site, REPORTS)


def test_a_dangling_symlink_in_the_target_folder_does_not_loop(site: Site) -> None:
    site.put(REPORTS)
    site.target.mkdir(parents=True, exist_ok=True)
    (site.target / "Pruefbericht_A.pdf").symlink_to(site.base / "gone.pdf")
    run = fetch_reports(site.config(site.serve()))
    assert run.ok
    assert (site.target / "Pruefbericht_A (2).pdf").read_bytes() == REPORTS["Pruefbericht_A.pdf"]
    assert (site.target / "Pruefbericht_A.pdf").is_symlink()  # left as it was


def test_a_name_that_grows_under_normalisation_does_not_stop_the_run(site: Site) -> None:
    # 65 x U+0958 (3 bytes each; NFC makes 6) + ".pdf": 199 bytes remote, 394 bytes after NFC.
    grows = "\u0958" * 65 + ".pdf"
    assert len(grows.encode()) == 199
    site.put({**REPORTS, grows: REPORTS["Pruefbericht_A.pdf"].replace(b"A", b"C", 1)})
    run = fetch_reports(site.config(site.serve()))
    assert run.ok, run.problems
    names = {p.name for p in site.target.iterdir() if p.is_file() and p.name.endswith(".pdf")}
    assert {"Pruefbericht_A.pdf", BIG} <= names
    [long_name] = names - {"Pruefbericht_A.pdf", BIG}
    assert len(long_name.encode()) <= 200


def test_a_file_that_changes_while_being_read_is_not_filed_until_stable(site: Site) -> None:
    second_version = sample_report("Pruefbericht B, korrigierte Fassung", padding=300_000)

    class ChangeOnce(_Tracking):
        changed: ClassVar[bool] = False

        def read(self, file_obj: object, offset: int, size: int) -> Any:
            path = self.path_of(file_obj)
            if offset > 0 and path.endswith(BIG.encode()) and not ChangeOnce.changed:
                ChangeOnce.changed = True
                real = Path(self.map_path(path).decode())
                real.write_bytes(second_version)  # the portal rewrites the file in place
                os.utime(real, (2_000_000_000, 2_000_000_000))
            return super().read(file_obj, offset, size)

    site.put(REPORTS)
    config = site.config(site.serve(ChangeOnce))
    first = fetch_reports(config)
    assert ChangeOnce.changed
    assert [p.code for p in first.problems] == ["qpr_sftp.file.changed"]
    assert BIG not in site.filed()

    again = fetch_reports(config)
    assert again.ok
    expected = {**REPORTS, BIG: second_version}
    assert_each_report_once(site, expected)
    assert fetch_reports(config).filed == ()


def test_a_wrong_host_key_is_refused_before_anything_is_fetched(site: Site) -> None:
    site.put(REPORTS)
    server = site.serve()
    impostor = generate_key()
    pinned_elsewhere = bytes(impostor.export_public_key()).decode().strip()
    with pytest.raises(PickupError) as caught:
        fetch_reports(site.config(server, host_key=pinned_elsewhere))
    assert caught.value.code == "qpr_sftp.host_key.refused"
    assert not site.target.exists() or site.filed() == {}
    assert fetch_reports(site.config(server)).ok
    assert_each_report_once(site, REPORTS)


def test_a_known_hosts_file_without_the_server_is_refused(site: Site) -> None:
    server = site.serve()
    known = site.base / "known_hosts"
    known.write_text(
        f"[127.0.0.1]:{server.port} {bytes(generate_key().export_public_key()).decode()}"
    )
    with pytest.raises(PickupError) as caught:
        fetch_reports(site.config(server, host_key=None, known_hosts=str(known)))
    assert caught.value.code == "qpr_sftp.host_key.refused"
    known.write_text(f"[127.0.0.1]:{server.port} {server.host_key_line}\n")
    site.put(REPORTS)
    assert fetch_reports(site.config(server, host_key=None, known_hosts=str(known))).ok
    assert_each_report_once(site, REPORTS)


@pytest.mark.parametrize("evil", ["../../etc/passwd", "..", "a\x1b[2Jb.pdf", "sub\\..\\x.pdf"])
def test_a_malicious_remote_name_is_never_requested_nor_written(site: Site, evil: str) -> None:
    class Lying(_Tracking):
        async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:
            async for entry in super().scandir(path):
                yield entry
            attrs = asyncssh.SFTPAttrs(size=10, mtime=1, permissions=0o100644)
            yield asyncssh.SFTPName(evil.encode(), attrs=attrs)

    _Tracking.opened.clear()
    site.put(REPORTS)
    config = site.config(site.serve(Lying))
    run = fetch_reports(config)
    codes = [p.code for p in run.problems]
    if evil == "..":
        assert codes == []  # indistinguishable from the folder's own ".." entry: skipped
    else:
        assert codes == ["qpr_sftp.name.unsafe"]
        assert "\x1b" not in run.problems[0].message or evil != "a\x1b[2Jb.pdf"
    assert all(not p.endswith(b"passwd") for p in _Tracking.opened)
    assert not (site.base / "etc").exists()
    assert_each_report_once(site, REPORTS)
    fetch_reports(config)
    assert_each_report_once(site, REPORTS)


def test_a_non_pdf_is_quarantined_once_and_never_filed(site: Site) -> None:
    site.put({**REPORTS, "Pruefbericht_C.pdf": b"<html>Fehlerseite</html>"})
    config = site.config(site.serve())
    run = fetch_reports(config)
    assert not run.ok
    assert [p.code for p in run.problems] == ["qpr_sftp.file.not_pdf"]
    assert run.quarantined == ("Pruefbericht_C.pdf",)
    assert (
        config.quarantine_dir / "Pruefbericht_C.pdf"
    ).read_bytes() == b"<html>Fehlerseite</html>"
    assert_each_report_once(site, REPORTS)
    again = fetch_reports(config)
    assert again.ok
    assert again.already_known == 3
    assert_each_report_once(site, REPORTS)


def test_a_crash_between_record_and_rename_is_recovered_without_a_twin(site: Site) -> None:
    site.put(REPORTS)
    config = site.config(site.serve())
    fetch_reports(config)
    ledger = Ledger(config.store)
    try:
        rows = {r.key.remote_name: r for r in ledger.rows("filed")}
        # Crash after the rename but before "filed": the file is there, the row is pending.
        ledger.update(rows["Pruefbericht_A.pdf"].id, status="pending")
        # Crash before the rename: the row is pending and the file never appeared.
        ledger.update(rows[BIG].id, status="pending")
    finally:
        ledger.close()
    (site.target / BIG).unlink()
    (site.target / ".qpr-partial-leftover.tmp").write_bytes(b"half a file")
    run = fetch_reports(config)
    assert run.ok
    assert [r.local_name for r in run.filed] == [BIG]
    assert_each_report_once(site, REPORTS)


def test_a_second_pickup_into_the_same_folder_is_refused_while_one_runs(site: Site) -> None:
    from leportal_qpr_sftp.filing import exclusive_lock

    config = site.config(site.serve())
    site.target.mkdir(exist_ok=True)
    with exclusive_lock(site.target / ".leportal-qpr.lock") as held:
        assert held
        with pytest.raises(PickupError) as caught:
            fetch_reports(config)
    assert caught.value.code == "qpr_sftp.busy"


def test_ledger_refuses_the_same_remote_version_twice(tmp_path: Path) -> None:
    # The unique key is what stops two pickups filing one report twice; the core's transaction
    # helper maps SQLite's errors, so the ledger must still tell a duplicate from a broken store.
    ledger = Ledger(tmp_path / "ledger.sqlite", create=True)
    key = RemoteKey(server="s", remote_dir="/out", remote_name="A.pdf", size=3, mtime=1)
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ledger.add(key, sha256="0" * 64, local_name="A.pdf", status="filed", fetched_at=when)
    with pytest.raises(ValueError, match="already recorded"):
        ledger.add(key, sha256="0" * 64, local_name="A.pdf", status="filed", fetched_at=when)
