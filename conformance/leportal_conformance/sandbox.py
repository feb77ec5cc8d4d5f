"""The run's sandbox: what the suite pins around adapter code, and what it watches it change.

Inside :func:`sandbox` a certification run is hermetic and repeatable:

- the wall clock adapters read through :mod:`leportal_core.clock` is fixed at :data:`FAKE_NOW`;
- ``TMPDIR`` and ``HOME`` point into a private temporary directory, which Hypothesis uses as
  its home too (nothing lands in the working directory) and which is removed at the end;
- Hypothesis draws no constants from loaded modules' source (see
  :func:`~leportal_conformance.properties.no_local_constants`), so a seed means the same
  examples in the CLI, in ``certify()`` and under pytest;
- a SIGINT handler notes a real Ctrl-C, so that an adapter's own ``KeyboardInterrupt`` is told
  apart from the person stopping the run (see :mod:`leportal_conformance.guard`).

:func:`watching` wraps each test: it captures what adapter code prints (Python streams and file
descriptors 1 and 2, so ``--json`` output stays JSON) and compares the process state before and
after (files, environment, working directory, locale, logging, recursion limit, warnings
filters, signal handlers). Every effect is recorded for ``hygiene.calls_clean`` and undone, so
that one test's mess does not become the next test's finding.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import io
import locale
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
from hypothesis import configuration as hypothesis_configuration

from leportal_conformance import guard
from leportal_core import clock

__all__ = ["FAKE_NOW", "Effects", "Sandbox", "sandbox", "watching"]

# The instant every adapter call sees as "now" (leportal_core.clock.now()).
FAKE_NOW = dt.datetime(2026, 2, 9, 12, 0, 0, tzinfo=dt.UTC)

_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGALRM", "SIGCHLD", "SIGUSR1", "SIGUSR2")
    if hasattr(signal, name)
)
_MAX_OUTPUT = 500


@attrs.frozen
class Effects:
    """What adapter code did to the process during one test."""

    test: str
    effects: tuple[str, ...]


@attrs.define
class Sandbox:
    """One run's private directories and the effects seen so far."""

    root: Path
    home: Path
    tmp: Path
    effects: list[Effects] = attrs.field(factory=list)


_CURRENT: contextvars.ContextVar[Sandbox | None] = contextvars.ContextVar(
    "leportal_conformance_sandbox", default=None
)


@contextlib.contextmanager
def sandbox() -> Iterator[Sandbox]:
    """The hermetic surroundings of one certification run (see the module's docstring)."""
    from leportal_conformance.properties import no_local_constants  # it needs the model

    root = Path(tempfile.mkdtemp(prefix="leportal-conformance-"))
    box = Sandbox(root=root, home=root / "home", tmp=root / "tmp")
    for directory in (box.home, box.tmp, root / "hypothesis"):
        directory.mkdir()
    saved_env = {key: os.environ.get(key) for key in ("TMPDIR", "HOME")}
    saved_tempdir = tempfile.tempdir
    # The module global set_hypothesis_home_dir sets (None: not set); read without touching disk.
    saved_home = vars(hypothesis_configuration).get("__hypothesis_home_directory")
    os.environ["TMPDIR"], os.environ["HOME"] = str(box.tmp), str(box.home)
    tempfile.tempdir = str(box.tmp)
    hypothesis_configuration.set_hypothesis_home_dir(root / "hypothesis")
    token = _CURRENT.set(box)
    try:
        with clock.fixed(FAKE_NOW), _sigint_watch(), no_local_constants():
            yield box
    finally:
        _CURRENT.reset(token)
        hypothesis_configuration.set_hypothesis_home_dir(saved_home)
        tempfile.tempdir = saved_tempdir
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def _sigint_watch() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def noted(signum: int, frame: Any) -> None:
        guard._SIGINT_SEEN.set()
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    guard._SIGINT_SEEN.clear()
    signal.signal(signal.SIGINT, noted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def current() -> Sandbox | None:
    """The sandbox of the run in progress, if any."""
    return _CURRENT.get()


@contextlib.contextmanager
def watching(test_id: str) -> Iterator[None]:
    """Run one test with its output captured and its effects on the process recorded, undone."""
    box = _CURRENT.get()
    if box is None:
        yield
        return
    before = _State.take(box)
    captured = _Captured()
    try:
        with captured.capture(box.root):
            yield
    finally:
        after = _State.take(box)
        effects = [*captured.effects(), *before.differences(after)]
        before.restore()
        if effects:
            box.effects.append(Effects(test=test_id, effects=tuple(effects)))


@attrs.define
class _Captured:
    python: io.StringIO = attrs.field(factory=io.StringIO)
    descriptor: str = ""

    @contextlib.contextmanager
    def capture(self, directory: Path) -> Iterator[None]:
        streams = (sys.stdout, sys.stderr)
        for stream in streams:
            with contextlib.suppress(Exception):
                stream.flush()
        saved: list[int] = []
        with tempfile.TemporaryFile(dir=directory) as sink:
            try:
                for fd in (1, 2):
                    saved.append(os.dup(fd))
                    os.dup2(sink.fileno(), fd)
            except OSError:  # no such descriptor (a GUI host): Python streams only
                pass
            sys.stdout = sys.stderr = self.python
            last_resort = logging.lastResort
            logging.lastResort = logging.StreamHandler(self.python)
            try:
                yield
            finally:
                logging.lastResort = last_resort
                sys.stdout, sys.stderr = streams
                for fd, copy in zip((1, 2), saved, strict=False):
                    os.dup2(copy, fd)
                    os.close(copy)
                sink.seek(0)
                self.descriptor = sink.read(_MAX_OUTPUT * 4).decode("utf-8", "replace")

    def effects(self) -> list[str]:
        found = []
        for where, text in (
            ("printed", self.python.getvalue()),
            ("wrote to fd 1/2", self.descriptor),
        ):
            if text:
                found.append(f"{where} {text[:80]!r}")
        return found


@attrs.frozen
class _State:
    environment: dict[str, str]
    cwd: str
    files: dict[str, frozenset[str]]
    locale_all: str | None
    recursion_limit: int
    root_level: int
    root_handlers: tuple[logging.Handler, ...]
    logging_disabled: int
    warning_filters: tuple[Any, ...]
    signals: dict[int, Any]

    @classmethod
    def take(cls, box: Sandbox) -> _State:
        cwd = os.getcwd()
        root = logging.getLogger()
        return cls(
            environment=dict(os.environ),
            cwd=cwd,
            files={
                label: _listing(path)
                for label, path in (
                    ("the working directory", cwd),
                    ("HOME", box.home),
                    ("TMPDIR", box.tmp),
                )
            },
            locale_all=_locale(),
            recursion_limit=sys.getrecursionlimit(),
            root_level=root.level,
            root_handlers=tuple(root.handlers),
            logging_disabled=logging.root.manager.disable,
            warning_filters=tuple(warnings.filters),
            signals=_signals(),
        )

    def differences(self, after: _State) -> list[str]:
        found: list[str] = []
        changed = sorted(
            key
            for key in set(self.environment) | set(after.environment)
            if self.environment.get(key) != after.environment.get(key)
        )
        if changed:
            found.append(f"changed environment variables {changed[:10]}")
        if self.cwd != after.cwd:
            found.append(f"changed the working directory to {after.cwd!r}")
        for label, names in after.files.items():
            new = sorted(names - self.files[label])
            if new:
                found.append(f"left {new[:5]} in {label}")
        if self.locale_all != after.locale_all:
            found.append(f"changed the locale to {after.locale_all!r}")
        if self.recursion_limit != after.recursion_limit:
            found.append(f"changed the recursion limit to {after.recursion_limit}")
        if (self.root_level, self.root_handlers, self.logging_disabled) != (
            after.root_level,
            after.root_handlers,
            after.logging_disabled,
        ):
            found.append("changed the logging configuration (root logger level or handlers)")
        if self.warning_filters != after.warning_filters:
            found.append("changed the warnings filters")
        moved = sorted(
            signal.Signals(number).name
            for number, handler in after.signals.items()
            if self.signals.get(number) != handler
        )
        if moved:
            found.append(f"changed signal handlers {moved}")
        return found

    def restore(self) -> None:
        if dict(os.environ) != self.environment:
            os.environ.clear()
            os.environ.update(self.environment)
        with contextlib.suppress(OSError):
            os.chdir(self.cwd)
        if self.locale_all is not None and _locale() != self.locale_all:
            with contextlib.suppress(locale.Error):
                locale.setlocale(locale.LC_ALL, self.locale_all)
        sys.setrecursionlimit(self.recursion_limit)
        root = logging.getLogger()
        root.setLevel(self.root_level)
        root.handlers[:] = list(self.root_handlers)
        logging.disable(self.logging_disabled)
        warnings.filters[:] = list(self.warning_filters)  # type: ignore[index]
        if threading.current_thread() is threading.main_thread():
            for number, handler in self.signals.items():
                if handler is not None and signal.getsignal(number) != handler:
                    with contextlib.suppress(OSError, ValueError, TypeError):
                        signal.signal(number, handler)


def _listing(path: str | Path) -> frozenset[str]:
    try:
        return frozenset(os.listdir(path))
    except OSError:
        return frozenset()


def _locale() -> str | None:
    try:
        return locale.setlocale(locale.LC_ALL, None)
    except locale.Error:
        return None


def _signals() -> dict[int, Any]:
    return {number: signal.getsignal(number) for number in _SIGNALS}
