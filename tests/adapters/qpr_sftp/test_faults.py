"""Faults injected into a real asyncssh SFTP server on loopback (issue #11 acceptance): after every
fault a re-run ends with each report exactly once, intact."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import asyncssh
import pytest

from leportal_qpr_sftp import PickupError, fetch_reports
from leportal_qpr_sftp.ledger import Ledger
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


def test_a_stalled_server_times_out_instead_of_hanging(site: Site) -> None:
    import threading

    release = threading.Event()

    class Stall(_Tracking):
        async def read(self, file_obj: object, offset: int, size: int) -> bytes:  # type: ignore[override]
            import asyncio

            if offset > 0 and not release.is_set():
                await asyncio.sleep(5)  # longer than the client's timeout below
            return super().read(file_obj, offset, size)  # type: ignore[return-value]

    site.put({BIG: REPORTS[BIG]})
    config = site.config(site.serve(Stall), timeout_seconds=1)
    first = fetch_reports(config)
    release.set()
    assert "qpr_sftp.connection.lost" in [p.code for p in first.problems]
    assert site.filed() == {}
    assert fetch_reports(site.config(site.serve())).ok
    assert_each_report_once(site, {BIG: REPORTS[BIG]})


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
    site.target.mkdir()
    with exclusive_lock(site.target / ".leportal-qpr.lock") as held:
        assert held
        with pytest.raises(PickupError) as caught:
            fetch_reports(config)
    assert caught.value.code == "qpr_sftp.busy"
