"""``certify``: load one adapter, run every group of the suite on it, return the result."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import platform
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import hypothesis

import leportal_core
from leportal_conformance import (
    SUITE_NAME,
    __version__,
    catalog,
    sandbox,
    tests_behaviour,
    tests_hygiene,
    tests_malformed,
    tests_roundtrip,
    tests_strict,
)
from leportal_conformance.guard import DEFAULT_CALL_TIMEOUT, call, call_deadline, describe_exception
from leportal_conformance.model import (
    CERTIFICATION,
    DEFAULT_MAX_EXAMPLES,
    DEVELOPMENT,
    MODES,
    CertificationResult,
    Finding,
    Status,
    TestResult,
    run_test,
    selecting,
)
from leportal_conformance.tests_hygiene import DEFAULT_IMPORT_BUDGET
from leportal_conformance.tests_metadata import discover
from leportal_core.errors import PluginError
from leportal_core.files import read_input_bytes
from leportal_core.plugins import LoadedAdapter, load_adapter

_MAX_KNOWN_FAILURES = 4 << 20

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "certify",
    "distribution_fingerprint",
    "load_known_failures",
]


def certify(
    spec: str,
    *,
    seed: int | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    progress: Callable[[TestResult], None] | None = None,
    mode: str = CERTIFICATION,
    known_failures: Iterable[str] = (),
    timeout: float | None = DEFAULT_CALL_TIMEOUT,
    import_budget: float = DEFAULT_IMPORT_BUDGET,
    only: Iterable[str] = (),
) -> CertificationResult:
    """Certify the adapter ``spec`` names (an entry-point name in ``leportal.adapters`` or
    ``module:object``) against this suite.

    ``seed`` fixes every generated example; when ``None`` a random one is chosen, and either way
    it is recorded in the result so the run can be repeated. ``progress`` is called with each
    test's result as soon as it is known. ``mode`` is ``"certification"`` (the default; the only
    mode that can certify) or ``"development"``, in which ``known_failures`` (test ids, or
    base ids such as ``roundtrip.document`` for every codec) are reported but do not fail the
    run. ``timeout`` is the deadline of each adapter call in seconds (``None``: none), loading the
    adapter included; ``import_budget`` the CPU seconds importing it in a fresh interpreter may
    take (``hygiene.import_clean``). ``only`` (development mode only) names the test ids to run;
    the others are reported as skipped, so such a partial run never certifies.

    Raises :class:`~leportal_core.errors.PluginError` when no adapter of that name is installed;
    everything the adapter does wrong (failing or hanging at import, exiting, printing) is a
    failed test, never an exception.
    """
    if max_examples < 1:
        raise ValueError(f"max_examples must be at least 1, got {max_examples}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    known = tuple(sorted(set(known_failures)))
    if known and mode != DEVELOPMENT:
        raise ValueError("a known-failures list is allowed in development mode only")
    selection = frozenset(only) or None
    if selection is not None:
        if mode != DEVELOPMENT:
            raise ValueError("a partial run (only) is allowed in development mode only")
        unknown = sorted(selection - {spec.id for spec in catalog.ALL_TESTS})
        if unknown:
            raise ValueError(f"unknown test ids in only: {', '.join(unknown)}")
    if seed is None:
        seed = secrets.randbelow(2**32)
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

    codecs: dict[str, Any] = {}
    caps: dict[str, Any] = {}
    probe: tests_hygiene.ImportProbe | None = None
    with sandbox.sandbox() as box, call_deadline(timeout), selecting(selection):
        loading = _Loading()
        loaded = run_test(catalog.LOADS, None, lambda: _load(spec, loading))
        if loading.not_found is not None:
            raise loading.not_found  # a usage error: no such adapter, nothing to certify
        record([loaded])
        adapter = loading.adapter
        if adapter is not None:
            discovery = discover(adapter)
            record(discovery.results)
            caps = discovery.capabilities
            codecs = discovery.codecs
            record(
                tests_roundtrip.run(codecs, seed=seed, max_examples=max_examples, capabilities=caps)
            )
            record(
                tests_malformed.run(codecs, seed=seed, max_examples=max_examples, capabilities=caps)
            )
            record(
                tests_behaviour.run(codecs, seed=seed, max_examples=max_examples, capabilities=caps)
            )
            record(tests_strict.run(spec, adapter.name, codecs, seed=seed, capabilities=caps))
            probe = tests_hygiene.ImportProbe(spec, budget=import_budget)
            record(tests_hygiene.run(spec, adapter, probe=probe, sandbox=box))
    return CertificationResult(
        suite_name=SUITE_NAME,
        suite_version=__version__,
        adapter_spec=spec,
        adapter_name=adapter.name if adapter is not None else spec,
        adapter_version=adapter.version if adapter is not None else "unknown",
        adapter_origin=adapter.origin if adapter is not None else f"not loaded: {spec}",
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
        distribution=distribution_fingerprint(
            tests_hygiene.adapter_module(spec),
            probe.modules if probe is not None and selection is None else (),
        ),
        import_path=probe.import_path if probe is not None else (),
    )


@attrs.define
class _Loading:
    adapter: LoadedAdapter | None = None
    not_found: PluginError | None = None


def _load(spec: str, loading: _Loading) -> Finding:
    """Import the adapter in this process, under the call deadline and with output captured."""
    started = time.perf_counter()
    loaded = call(load_adapter, spec)
    seconds = round(time.perf_counter() - started, 3)
    if isinstance(loaded.error, PluginError):
        loading.not_found = loaded.error  # not installed, no such module: a usage error
        return Finding(status=Status.FAILED, message=loaded.error.message)
    if loaded.error is not None:
        return Finding(
            status=Status.FAILED,
            message=f"loading the adapter raised {describe_exception(loaded.error)}",
            details={"seconds": seconds},
        )
    loading.adapter = loaded.value
    return Finding(
        # Timings go into details only: the same seed must give byte-identical test lists.
        status=Status.PASSED,
        message="loaded",
        details={"seconds": seconds},
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


def distribution_fingerprint(module_name: str, modules: Iterable[str] = ()) -> dict[str, Any]:
    """What a certificate certifies: SHA-256 over the adapter's own package files, and one entry
    per installed distribution the adapter's import pulls in (``modules``: top-level names).

    A distribution installed from a wheel is named by version and the SHA-256 of its ``RECORD``
    (which holds the hash of every file it installed); an editable or uninstalled one by the
    SHA-256 of its package files, which is what would change when its code does.
    """
    top = module_name.partition(".")[0]
    own = _package_digest(top)
    by_distribution = metadata.packages_distributions()
    distributions: dict[str, dict[str, Any]] = {}
    for name in sorted(set(modules) | {top}):
        if name in sys.stdlib_module_names or name == top:
            continue
        for dist_name in by_distribution.get(name, ()):
            if dist_name in distributions:
                continue
            distributions[dist_name] = _distribution_entry(dist_name, by_distribution)
    combined = hashlib.sha256(str(own["sha256"]).encode("ascii"))
    for dist_name, entry in sorted(distributions.items()):
        combined.update(f"\0{dist_name}\0{entry['version']}\0{entry['sha256']}".encode())
    return {
        **own,
        "root": top,
        "distributions": [{"name": k, **v} for k, v in sorted(distributions.items())],
        "combined_sha256": combined.hexdigest(),
    }


def _distribution_entry(name: str, by_distribution: Mapping[str, list[str]]) -> dict[str, Any]:
    dist = metadata.distribution(name)
    direct = dist.read_text("direct_url.json") or ""
    record = dist.read_text("RECORD")
    if record and '"editable": true' not in direct.replace("'", '"'):
        recorded = hashlib.sha256(record.encode("utf-8")).hexdigest()
        return {"version": dist.version, "sha256": recorded, "basis": "RECORD"}
    tops = sorted(t for t, names in by_distribution.items() if name in names)
    digest = hashlib.sha256()
    for top in tops:
        digest.update(str(_package_digest(top)["sha256"]).encode("ascii"))
    return {"version": dist.version, "sha256": digest.hexdigest(), "basis": "package files"}


def _package_digest(top: str) -> dict[str, Any]:
    """SHA-256 over the files of the importable package ``top`` (relative path and content of
    each, sorted; caches left out)."""
    spec = importlib.util.find_spec(top) if top else None
    file = spec.origin if spec is not None else None
    if not file or not Path(file).exists():
        return {"sha256": None, "files": 0}
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
    return {"sha256": digest.hexdigest(), "files": len(files)}


def _environment() -> dict[str, str]:
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "leportal_core": leportal_core.__version__,
        "hypothesis": hypothesis.__version__,
    }
