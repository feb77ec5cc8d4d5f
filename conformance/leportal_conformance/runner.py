"""``certify``: load one adapter, run every group of the suite on it, return the result."""

from __future__ import annotations

import datetime as dt
import platform
import secrets
from collections.abc import Callable, Iterable

import hypothesis

import leportal_core
from leportal_conformance import SUITE_NAME, __version__, tests_malformed, tests_roundtrip
from leportal_conformance.model import CertificationResult, TestResult
from leportal_conformance.tests_metadata import discover
from leportal_core.plugins import load_adapter

__all__ = ["DEFAULT_MAX_EXAMPLES", "certify"]

DEFAULT_MAX_EXAMPLES = 200


def certify(
    spec: str,
    *,
    seed: int | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    progress: Callable[[TestResult], None] | None = None,
) -> CertificationResult:
    """Certify the adapter ``spec`` names (an entry-point name in ``leportal.adapters`` or
    ``module:object``) against this suite.

    ``seed`` fixes every generated example; when ``None`` a random one is chosen, and either way
    it is recorded in the result so the run can be repeated. ``progress`` is called with each
    test's result as soon as it is known. Raises :class:`~leportal_core.errors.PluginError` when
    the adapter cannot be loaded at all; everything the adapter does wrong after that is a
    failed test, never an exception.
    """
    if max_examples < 1:
        raise ValueError(f"max_examples must be at least 1, got {max_examples}")
    if seed is None:
        seed = secrets.randbelow(2**32)
    adapter = load_adapter(spec)
    started = dt.datetime.now(dt.UTC)
    results: list[TestResult] = []

    def record(new: Iterable[TestResult]) -> None:
        for result in new:
            results.append(result)
            if progress is not None:
                progress(result)

    discovery = discover(adapter)
    record(discovery.results)
    record(tests_roundtrip.run(discovery.codecs, seed=seed, max_examples=max_examples))
    record(tests_malformed.run(discovery.codecs, seed=seed, max_examples=max_examples))
    return CertificationResult(
        suite_name=SUITE_NAME,
        suite_version=__version__,
        adapter_spec=spec,
        adapter_name=adapter.name,
        adapter_version=adapter.version,
        adapter_origin=adapter.origin,
        seed=seed,
        max_examples=max_examples,
        started=started,
        finished=dt.datetime.now(dt.UTC),
        environment=_environment(),
        codecs=tuple(discovery.codecs),
        tests=tuple(results),
    )


def _environment() -> dict[str, str]:
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "leportal_core": leportal_core.__version__,
        "hypothesis": hypothesis.__version__,
    }
