"""Fixtures start a real asyncssh SFTP server on 127.0.0.1 per test and always stop it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from leportal_qpr_sftp.config import PickupConfig, parse_config
from leportal_qpr_sftp.ledger import Ledger
from leportal_qpr_sftp.localserver import LocalSftpServer, generate_key
from leportal_qpr_sftp.samples import sample_report

ROOT = Path(__file__).resolve().parents[3]

IK = "260326822"
REPORTS = {
    "Pruefbericht_A.pdf": sample_report("Pruefbericht A"),
    # big enough for several 256 KiB reads, so a fault can strike mid-file
    "Pruefbericht_B.pdf": sample_report("Pruefbericht B", padding=700_000),
}


class Site:
    """A remote outbox, a client key, a target folder, and servers started on demand."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.remote = base / "server"
        self.outbox = self.remote / "ausgang"
        self.outbox.mkdir(parents=True)
        self.target = base / "eingang"
        self.client_key = generate_key()
        self.key_path = base / "client_key"
        self.client_key.write_private_key(str(self.key_path))
        self.host_key = generate_key()
        self.servers: list[LocalSftpServer] = []

    def put(self, files: dict[str, bytes]) -> None:
        for name, data in files.items():
            (self.outbox / name).write_bytes(data)

    def serve(
        self, sftp_class: type[asyncssh.SFTPServer] = asyncssh.SFTPServer, **kw: Any
    ) -> LocalSftpServer:
        server = LocalSftpServer(
            self.remote,
            client_key=self.client_key,
            host_key=self.host_key,
            sftp_class=sftp_class,
            **kw,
        ).start()
        self.servers.append(server)
        return server

    def config(self, server: LocalSftpServer, **overrides: Any) -> PickupConfig:
        table: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": server.port,
            "user": "qpr",
            "private_key": str(self.key_path),
            "host_key": server.host_key_line,
            "remote_dir": "ausgang",
            "target_dir": str(self.target),
            "recipient_ik": IK,
            "recipient_email": "pdl@pflegeheim.example",
            "timeout_seconds": 10,
        }
        table.update(overrides)
        config = parse_config({k: v for k, v in table.items() if v is not None}, base=self.base)
        config.store.parent.mkdir(parents=True, exist_ok=True)
        Ledger(config.store, create=True).close()  # the explicit first-use step
        return config

    def filed(self) -> dict[str, bytes]:
        """The reports in the target folder (not the store, lock or quarantine)."""
        return {
            p.name: p.read_bytes()
            for p in self.target.iterdir()
            if p.is_file() and not p.name.startswith(".")
        }


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    created = Site(tmp_path)
    try:
        yield created
    finally:
        for server in created.servers:
            server.stop()
        # every server thread this test started has ended: no hanging test run
        assert not [t for t in threading.enumerate() if t.name == "qpr-sftp-server"]


def assert_each_report_once(site: Site, expected: dict[str, bytes]) -> None:
    """Every expected report is filed exactly once, byte for byte, and nothing else is."""
    filed = site.filed()
    assert sorted(filed.values()) == sorted(expected.values())
    assert set(filed) == set(expected)
    assert not list(site.target.glob(".qpr-partial-*"))


Factory = Callable[..., LocalSftpServer]
