"""A KIM message is never delivered twice (issue 21, point 3) — real `leportal therapy send`
processes against the local SMTP server on 127.0.0.1: concurrent retries, a retry after the store
was locked, and a sender SIGKILLed after the server took the message."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from leportal_core.cli import build_cli
from leportal_core.plugins import new_plugin_manager, register_plugins
from leportal_core.store import connect
from leportal_therapy_pvs import plugin
from leportal_therapy_pvs.codecs import ReportJsonCodec
from leportal_therapy_pvs.localsmtp import LocalSmtpServer
from leportal_therapy_pvs.samples import sample_report

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and pid checks: POSIX")

_CLI = "from leportal_core.cli import main; main()"


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.json"
    path.write_bytes(ReportJsonCodec().encode(sample_report()))
    return path


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "therapy.sqlite"
    assert leportal("therapy", "init", "--store", str(path)).returncode == 0
    return path


@pytest.fixture
def held() -> Iterator[tuple[LocalSmtpServer, threading.Event]]:
    """A server that stores each message and then keeps its answer back until released."""
    release = threading.Event()
    with LocalSmtpServer(hold=release) as server:
        try:
            yield server, release
        finally:
            release.set()


def _args(*args: str) -> list[str]:
    return [sys.executable, "-c", _CLI, *args]


_ENV = {**os.environ, "LEPORTAL_PLUGINS": "therapy_pvs"}


class _Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def leportal(*args: str) -> _Result:
    """The CLI in this process (start-up is costly); the races below use real processes."""
    pm = new_plugin_manager()
    register_plugins(pm, [("therapy_pvs", plugin)])
    result = CliRunner().invoke(build_cli(pm), list(args), obj=pm)
    return _Result(result.exit_code, result.stdout, result.stderr)


def send_args(report: Path, store: Path, port: int, *extra: str) -> list[str]:
    return [
        "therapy", "send", str(report), "--store", str(store), "--smtp-host", "127.0.0.1",
        "--smtp-port", str(port), "--tls", "none", "--json", *extra,
    ]  # fmt: skip


def wait_for(condition: object, what: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _closed_port() -> int:
    with LocalSmtpServer() as server:
        return server.port


def test_four_concurrent_retries_deliver_exactly_once(
    report: Path, store: Path, held: tuple[LocalSmtpServer, threading.Event]
) -> None:
    server, release = held
    failed = leportal(*send_args(report, store, _closed_port()))
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["outcome"] == "fehlgeschlagen"
    procs = [
        subprocess.Popen(
            _args(*send_args(report, store, server.port)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_ENV,
            text=True,
        )
        for _ in range(4)
    ]
    # The claim holder waits at the server for its answer; the other three must give up.
    wait_for(lambda: sum(p.poll() is not None for p in procs) == 3, "three refusals")
    release.set()
    outputs = [p.communicate(timeout=120) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 1, 1, 1], outputs
    assert len(server.received) == 1
    refused = [json.loads(out) for out, _ in outputs if '"ok": false' in out]
    assert [r["problems"][0]["code"] for r in refused] == ["therapy.send.in_progress"] * 3
    again = leportal(*send_args(report, store, server.port))
    assert json.loads(again.stdout)["outcome"] == "versendet"
    assert len(server.received) == 1


def test_retry_after_the_store_was_locked_is_not_sent_again(
    report: Path, store: Path, held: tuple[LocalSmtpServer, threading.Event]
) -> None:
    server, release = held
    sender = subprocess.Popen(
        _args(*send_args(report, store, server.port, "--store-timeout", "0.2")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_ENV,
        text=True,
    )
    wait_for(lambda: len(server.received) == 1, "the message at the server")
    locker = connect(store)
    locker.execute("BEGIN IMMEDIATE")  # another program holds the store while the result comes
    try:
        release.set()
        out, err = sender.communicate(timeout=120)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert sender.returncode == 74, out + err  # a StorageError exits 74
    answer = json.loads(out)
    assert [p["code"] for p in answer["problems"]] == [
        "therapy.store.locked",
        "therapy.send.unrecorded",
    ]
    assert "ACCEPTED" in answer["error"]
    assert "--delivered" in answer["error"]
    assert "Traceback" not in out + err
    retry = leportal(*send_args(report, store, server.port))
    assert retry.returncode == 1
    assert json.loads(retry.stdout)["outcome"] == "unbekannt"
    assert json.loads(retry.stdout)["code"] == "therapy.send.unknown"
    assert len(server.received) == 1
    settled = leportal(
        "therapy", "settle", "TB-2026-0001", "--store", str(store), "--delivered",
        "--reason", "the send said ACCEPTED",
    )  # fmt: skip
    assert settled.returncode == 0, settled.stderr
    final = leportal(*send_args(report, store, server.port))
    assert final.returncode == 0
    assert json.loads(final.stdout)["outcome"] == "versendet"
    assert len(server.received) == 1


def test_sender_killed_after_the_server_took_the_message(
    report: Path, store: Path, held: tuple[LocalSmtpServer, threading.Event]
) -> None:
    server, release = held
    sender = subprocess.Popen(
        _args(*send_args(report, store, server.port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_ENV,
    )
    wait_for(lambda: len(server.received) == 1, "the message at the server")
    os.kill(sender.pid, signal.SIGKILL)
    sender.communicate(timeout=60)  # reaped: its pid is gone
    release.set()
    retry = leportal(*send_args(report, store, server.port))
    assert retry.returncode == 1
    answer = json.loads(retry.stdout)
    assert answer["outcome"] == "unbekannt"
    assert "settle" in answer["hint"]
    assert len(server.received) == 1
    text = leportal(*send_args(report, store, server.port)[:-1])  # the human-readable form
    assert "unbekannt" in text.stdout
    assert "leportal therapy settle TB-2026-0001" in text.stdout
    nothing = leportal(
        "therapy", "settle", "TB-2026-0001", "--store", str(store), "--not-delivered",
        "--reason", "not in the KIM module's sent folder",
    )  # fmt: skip
    assert nothing.returncode == 0
    resent = leportal(*send_args(report, store, server.port))
    assert json.loads(resent.stdout)["sent_now"] is True
    assert len(server.received) == 2  # the person said it never arrived: sent once more
    twice = leportal(
        "therapy", "settle", "TB-2026-0001", "--store", str(store), "--delivered", "--reason", "x"
    )
    assert twice.returncode == 1
    assert "therapy.settle.not_unknown" in twice.stderr
