"""``pytest --leportal-adapter NAME``: the conformance suite inside a vendor's own test run.

Registered as a ``pytest11`` entry point, so pytest loads it wherever leportal-conformance is
installed; without ``--leportal-adapter`` it adds its options and does nothing else. With it, the
adapter is certified once during collection and every test of the suite becomes one pytest item
(``leportal-conformance::roundtrip.document[fhir.document_reference]``): passed, failed with the
suite's message, or skipped with the reason it does not apply. See pytest's plugin guide,
https://docs.pytest.org/en/stable/how-to/writing_plugins.html.
"""

from __future__ import annotations

from typing import Any

import pytest

from leportal_conformance.model import (
    DEFAULT_MAX_EXAMPLES,
    CertificationResult,
    Status,
    TestResult,
)
from leportal_core.errors import PluginError

__all__ = ["ConformanceFailure", "ConformanceItem"]

_RESULT = pytest.StashKey[CertificationResult]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The options; nothing runs unless ``--leportal-adapter`` is given."""
    group = parser.getgroup("leportal-conformance", "leportal conformance suite")
    group.addoption(
        "--leportal-adapter",
        default=None,
        metavar="NAME",
        help="Run the leportal conformance suite on this adapter: its entry-point name, or "
        "module:object (the module must be importable: installed, or on PYTHONPATH).",
    )
    group.addoption("--leportal-seed", type=int, default=None, help="Seed of generated examples.")
    group.addoption(
        "--leportal-max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,  # the same default as `leportal conformance certify`
        help="Examples per property test.",
    )
    group.addoption(
        "--leportal-timeout", type=float, default=30.0, help="Deadline of each adapter call (s)."
    )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Certify the adapter and add one item per test of the suite."""
    spec = config.getoption("--leportal-adapter", default=None)
    if not spec:
        return
    from leportal_conformance.runner import certify  # only when asked: keeps the plug-in inert

    try:
        result = certify(
            spec,
            seed=config.getoption("--leportal-seed"),
            max_examples=config.getoption("--leportal-max-examples"),
            timeout=config.getoption("--leportal-timeout"),
        )
    except PluginError as exc:  # an adapter that is not there is a usage error: one line, exit 4
        raise pytest.UsageError(f"--leportal-adapter {spec}: {exc}") from None
    config.stash[_RESULT] = result
    for test in result.tests:
        items.append(ConformanceItem.from_parent(session, name=test.id, test=test))


def pytest_report_header(config: pytest.Config) -> str | None:
    """The adapter and seed, so a failing CI run can be repeated."""
    spec = config.getoption("--leportal-adapter", default=None)
    return f"leportal-conformance: adapter {spec}" if spec else None


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The verdict and the seed after the run."""
    result = config.stash.get(_RESULT, None)
    if result is not None:
        terminalreporter.write_line(
            f"leportal-conformance: {result.verdict} (seed {result.seed}): "
            f"{result.reproduce_command()}"
        )


class ConformanceFailure(Exception):
    """A test of the suite failed or could not run; the message is the suite's."""


class ConformanceItem(pytest.Item):
    """One test of the suite, already run during collection."""

    def __init__(self, *, test: TestResult, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test = test

    def runtest(self) -> None:
        """Replay the suite's outcome."""
        if self.test.status is Status.SKIPPED:
            pytest.skip(self.test.message)
        if self.test.status in (Status.FAILED, Status.ERROR):
            raise ConformanceFailure(f"{self.test.status.value}: {self.test.message}")

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        """The suite's message and the requirement, without a traceback."""
        if isinstance(excinfo.value, ConformanceFailure):
            return f"{self.test.description}\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        """Where the item comes from, as pytest shows it."""
        return "leportal-conformance", None, self.test.id
