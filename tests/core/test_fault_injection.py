"""Fault injection in the spirit of SQLite's I/O-error tests (issue 21, acceptance).

Every ``os.write``, ``os.fsync``, ``os.replace`` and ``os.rename`` the atomic writers and the
delivery build make is counted in a clean run; then the operation runs again once per step k with
an ``OSError`` (ENOSPC or EIO) injected at step k — once (a transient fault) or at k and every
later step (a persistent fault, as a full disk is). Afterwards the target holds the old state or
the complete new one, an acknowledged operation (one that returned) left the new state, and no
temporary file is left behind. After a persistent fault the next clean run must recover.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from leportal_core.delivery import build_folder, load_request, plan_delivery
from leportal_core.errors import LeportalError
from leportal_core.files import atomic_writer, write_bytes_atomic
from leportal_core.plugins import new_plugin_manager

OPERATIONS = ("write", "fsync", "replace", "rename")
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "documents"


class Faults:
    """Counts the patched calls; fails step ``fail_at`` (and later ones when ``persistent``)."""

    def __init__(self, fail_at: int | None = None, *, persistent: bool = False, code: int = 28):
        self.fail_at, self.persistent, self.code = fail_at, persistent, code
        self.steps: list[str] = []

    def wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.steps.append(name)
            step = len(self.steps)
            if self.fail_at is not None and (
                step == self.fail_at or (self.persistent and step > self.fail_at)
            ):
                raise OSError(self.code, os.strerror(self.code))
            return real(*args, **kwargs)

        return call


@contextmanager
def injected(monkeypatch: pytest.MonkeyPatch, faults: Faults) -> Iterator[Faults]:
    with monkeypatch.context() as patch:
        for name in OPERATIONS:
            patch.setattr(os, name, faults.wrap(name, getattr(os, name)))
        yield faults


def _cases(steps: int) -> list[tuple[int, bool, int]]:
    return [
        (k, persistent, code)
        for k in range(1, steps + 1)
        for persistent in (False, True)
        for code in (errno.ENOSPC, errno.EIO)
    ]


# --- atomic writers ------------------------------------------------------------------------


def _write_chunks(target: Path, data: bytes) -> None:
    with atomic_writer(target) as stream:
        for start in range(0, len(data), 3000):
            stream.write(data[start : start + 3000])
            stream.flush()  # several os.write calls, so faults can hit the middle


WRITERS = {"write_bytes_atomic": write_bytes_atomic, "atomic_writer": _write_chunks}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_atomic_writers_survive_a_fault_at_every_step(
    writer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = WRITERS[writer]
    old, new = b"old state\n" * 100, os.urandom(20_000)
    target = tmp_path / "state.bin"
    with injected(monkeypatch, Faults()) as counted:
        write(target, old)
    steps = len(counted.steps)
    assert {"write", "fsync", "replace"} <= set(counted.steps)  # the funnel is really used
    for k, persistent, code in _cases(steps):
        write_bytes_atomic(target, old)
        with injected(monkeypatch, Faults(k, persistent=persistent, code=code)):
            error: OSError | None = None
            try:
                write(target, new)
            except OSError as exc:
                error = exc
        acknowledged = error is None
        assert error is None or error.errno == code
        content = target.read_bytes()
        assert content in (old, new), (k, persistent)
        if acknowledged:
            assert content == new
        assert [p.name for p in tmp_path.iterdir()] == ["state.bin"], (k, persistent)


# --- delivery build ------------------------------------------------------------------------


def _complete(out: Path) -> str:
    manifest = json.loads((out / "manifest.json").read_bytes())
    listed = {"manifest.json"}
    for entry in manifest["files"]:
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
        listed |= {entry["path"], entry["path"].partition("/")[0]}
    assert {p.relative_to(out).as_posix() for p in out.rglob("*")} == listed
    return str(manifest["created"])


def test_delivery_build_survives_a_fault_at_every_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLES, archive)
    plan = plan_delivery(
        load_request(archive / "anforderung.json"),
        new_plugin_manager(),
        today=dt.date(2026, 3, 2),
        kdl=None,
    )
    out = tmp_path / "lieferung"
    expected_names = [".lieferung.lock", "archive", "lieferung"]
    build_folder(plan, out, created="old")
    with injected(monkeypatch, Faults()) as counted:
        build_folder(plan, out, created="new")
    steps = len(counted.steps)
    assert counted.steps.count("rename") == 2
    assert "write" in counted.steps
    outcomes: dict[str, int] = {}
    for k, persistent, code in _cases(steps):
        build_folder(plan, out, created="old")
        with injected(monkeypatch, Faults(k, persistent=persistent, code=code)):
            failure: LeportalError | None = None
            try:
                build_folder(plan, out, created="new")
            except LeportalError as exc:
                failure = exc
        acknowledged = failure is None
        assert failure is None or failure.code == "delivery.output.failed"
        if out.exists():
            state = _complete(out)
        else:  # both renames failed: the old folder waits complete for the next build
            assert persistent
            state = "previous:" + _complete(tmp_path / ".lieferung.previous")
        assert state in ("old", "new", "previous:old"), (k, persistent, state)
        if acknowledged:
            assert state == "new"
        if not persistent:
            assert sorted(p.name for p in tmp_path.iterdir()) == expected_names, k
        outcomes[state] = outcomes.get(state, 0) + 1
        build_folder(plan, out, created="recovered")  # the next clean run recovers
        assert _complete(out) == "recovered"
        assert sorted(p.name for p in tmp_path.iterdir()) == expected_names, (k, persistent)
    assert outcomes.get("old")
    assert outcomes.get("new")
