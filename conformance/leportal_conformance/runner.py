"""``certify``: load one adapter, run every group of the suite on it, return the result."""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import secrets
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs
import hypothesis

import leportal_core
from leportal_conformance import (
    SUITE_NAME,
    __version__,
    tests_behaviour,
    tests_hygiene,
    tests_malformed,
    tests_roundtrip,
)
from leportal_conformance.guard import DEFAULT_CALL_TIMEOUT, call_deadline
from leportal_conformance.model import (
    CERTIFICATION,
    DEVELOPMENT,
    MODES,
    CertificationResult,
    Status,
    TestResult,
)
from leportal_conformance.tests_metadata import discover
from leportal_core.files import read_input_bytes
from leportal_core.plugins import load_adapter

_MAX_KNOWN_FAILURES = 4 << 20

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "certify",
    "distribution_fingerprint",
    "load_known_failures",
]

DEFAULT_MAX_EXAMPLES = 200


def certify(
    spec: str,
    *,
    seed: int | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    progress: Callable[[TestResult], None] | None = None,
    mode: str = CERTIFICATION,
    known_failures: Iterable[str] = (),
    timeout: float | None = DEFAULT_CALL_TIMEOUT,
) -> CertificationResult:
    """Certify the adapter ``spec`` names (an entry-point name in ``leportal.adapters`` or
    ``module:object``) against this suite.

    ``seed`` fixes every generated example; when ``None`` a random one is chosen, and either way
    it is recorded in the result so the run can be repeated. ``progress`` is called with each
    test's result as soon as it is known. ``mode`` is ``"certification"`` (the default; the only
    mode that can certify) or ``"development"``, in which ``known_failures`` (test ids, or
    base ids such as ``roundtrip.document`` for every codec) are reported but do not fail the
    run. ``timeout`` is the deadline of each adapter call in seconds (``None``: none).

    Raises :class:`~leportal_core.errors.PluginError` when the adapter cannot be loaded at all;
    everything the adapter does wrong after that is a failed test, never an exception.
    """
    if max_examples < 1:
        raise ValueError(f"max_examples must be at least 1, got {max_examples}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    known = tuple(sorted(set(known_failures)))
    if known and mode != DEVELOPMENT:
        raise ValueError("a known-failures list is allowed in development mode only")
    if seed is None:
        seed = secrets.randbelow(2**32)
    adapter = load_adapter(spec)
    started = dt.datetime.now(dt.UTC)
    results: list[TestResult] = []

    def record(new: Iterable[TestResult]) -> None:
        for result in new:
            failing = result.status in (Status.FAILED, Status.ERROR)
            if failing and _is_known(result.id, known):
                result = attrs.evolve(result, known_failure=True)
            results.append(result)
            if progress is not None:
                progress(result)

    with call_deadline(timeout):
        discovery = discover(adapter)
        record(discovery.results)
        caps = discovery.capabilities
        codecs = discovery.codecs
        record(tests_roundtrip.run(codecs, seed=seed, max_examples=max_examples, capabilities=caps))
        record(tests_malformed.run(codecs, seed=seed, max_examples=max_examples, capabilities=caps))
        record(tests_behaviour.run(codecs, seed=seed, max_examples=max_examples, capabilities=caps))
        record(tests_hygiene.run(spec, adapter))
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
        codecs=tuple(codecs),
        tests=tuple(results),
        mode=mode,
        known_failures=known,
        call_timeout_s=timeout,
        capabilities={name: c.as_dict() for name, c in caps.items()},
        distribution=distribution_fingerprint(tests_hygiene.adapter_module(spec)),
    )


def _is_known(test_id: str, known: tuple[str, ...]) -> bool:
    return test_id in known or test_id.partition("[")[0] in known


def load_known_failures(path: str | Path) -> tuple[str, ...]:
    """The test ids in a known-failures file: one per line, ``#`` starts a comment."""
    ids = []
    text = read_input_bytes(path, _MAX_KNOWN_FAILURES).decode("utf-8")
    for line in text.splitlines():
        text = line.partition("#")[0].strip()
        if text:
            ids.append(text)
    return tuple(ids)


def distribution_fingerprint(module_name: str) -> dict[str, Any]:
    """SHA-256 over the files of the adapter's top-level package (path and content of each,
    sorted; caches left out), so a certificate names exactly the code it certified."""
    top = module_name.partition(".")[0]
    module = sys.modules.get(top)
    file = getattr(module, "__file__", None)
    if not file:
        return {"sha256": None, "files": 0, "root": None}
    path = Path(file).resolve()
    root = path.parent if path.name == "__init__.py" else path
    files = (
        sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        if root.is_dir()
        else [root]
    )
    digest = hashlib.sha256()
    for item in files:
        relative = item.relative_to(root.parent).as_posix()
        digest.update(relative.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(item.read_bytes()).digest())
    return {"sha256": digest.hexdigest(), "files": len(files), "root": top}


def _environment() -> dict[str, str]:
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "leportal_core": leportal_core.__version__,
        "hypothesis": hypothesis.__version__,
    }
