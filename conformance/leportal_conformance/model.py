"""The result model of a certification run: test specifications, statuses, results, the verdict."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import enum
import shlex
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from leportal_conformance.guard import describe_exception, interrupted, new_test, printable
from leportal_conformance.sandbox import watching

# Examples per property test, for the CLI and the pytest plug-in alike.
DEFAULT_MAX_EXAMPLES = 200

if TYPE_CHECKING:
    from leportal_conformance.capabilities import Capabilities

__all__ = [
    "CertificationResult",
    "Finding",
    "Status",
    "TestResult",
    "TestSpec",
    "run_test",
]

CERTIFICATION = "certification"
DEVELOPMENT = "development"
MODES = (CERTIFICATION, DEVELOPMENT)

# Messages are one line in listings; the full story goes into ``details``.
_MAX_MESSAGE = 500


class Status(enum.Enum):
    """How a test ended: ``error`` means the test itself could not run, ``skipped`` that it does
    not apply (the message says why)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


@attrs.frozen(kw_only=True)
class TestSpec:
    """One requirement of the suite. ``id`` is stable across versions; a per-codec test is run once
    per codec and reported as ``id[codec name]``."""

    __test__ = False  # not a pytest test class, despite the name

    id: str
    group: str
    description: str
    per_codec: bool
    required: bool = True
    # Capabilities (see capabilities.py) a codec must have for the test to apply to it.
    requires: frozenset[str] = frozenset()
    source: str = ""
    # Its examples depend on the seed; every other test gives the same result at every seed.
    seeded: bool = False

    def instance_id(self, codec: str | None = None) -> str:
        """The reported id: ``metadata.version`` or ``roundtrip.document[fhir.document_reference]``."""
        if self.per_codec:
            if codec is None:
                raise ValueError(f"{self.id} is run per codec; give the codec's name")
            return f"{self.id}[{codec}]"
        return self.id


@attrs.frozen(kw_only=True)
class Finding:
    """What a test function found, before the runner adds id, timing and the spec's description."""

    status: Status
    message: str = ""
    details: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class TestResult:
    """The outcome of one test instance."""

    __test__ = False

    id: str
    group: str
    description: str
    required: bool
    status: Status
    duration_s: float
    message: str = ""
    details: Mapping[str, Any] = attrs.field(factory=dict)
    # Listed in the known-failures file of a development run: reported, not blocking.
    known_failure: bool = False
    source: str = ""

    @property
    def blocking(self) -> bool:
        """A required test that failed or could not run, and is not a known failure."""
        return (
            self.required
            and self.status in (Status.FAILED, Status.ERROR)
            and not self.known_failure
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view, as written to ``report.json``."""
        return {
            "id": self.id,
            "group": self.group,
            "description": self.description,
            "source": self.source,
            "required": self.required,
            "status": self.status.value,
            "known_failure": self.known_failure,
            "duration_s": round(self.duration_s, 6),
            "message": self.message,
            "details": dict(self.details),
        }


@attrs.frozen(kw_only=True)
class CertificationResult:
    """Everything a certification run found, enough to write every report and to reproduce it."""

    suite_name: str
    suite_version: str
    adapter_spec: str
    adapter_name: str
    adapter_version: str
    adapter_origin: str
    seed: int
    max_examples: int
    started: dt.datetime
    finished: dt.datetime
    environment: Mapping[str, str]
    codecs: tuple[str, ...]
    tests: tuple[TestResult, ...]
    mode: str = CERTIFICATION
    known_failures: tuple[str, ...] = ()
    call_timeout_s: float | None = None
    capabilities: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    distribution: Mapping[str, Any] = attrs.field(factory=dict)
    # Directories the adapter's module was imported from that are not installed (PYTHONPATH).
    import_path: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """At least one codec, and no required test failed or could not run (known failures of a
        development run aside)."""
        return bool(self.codecs) and not any(t.blocking for t in self.tests)

    @property
    def certified(self) -> bool:
        """A certification-mode run that :attr:`passed`; a development run never certifies."""
        return self.mode == CERTIFICATION and self.passed

    @property
    def verdict(self) -> str:
        """``CERTIFIED`` or ``NOT CERTIFIED``; a development run says ``DEVELOPMENT RUN PASSED``
        or ``DEVELOPMENT RUN FAILED``."""
        if self.mode == DEVELOPMENT:
            return "DEVELOPMENT RUN PASSED" if self.passed else "DEVELOPMENT RUN FAILED"
        return "CERTIFIED" if self.certified else "NOT CERTIFIED"

    def stale_known_failures(self) -> list[str]:
        """Known-failure ids that matched no failing test: fixed, and due to leave the file."""
        failing = [t.id for t in self.tests if t.known_failure]
        return [
            known
            for known in self.known_failures
            if not any(
                test_id == known or test_id.partition("[")[0] == known for test_id in failing
            )
        ]

    def group_durations(self) -> dict[str, float]:
        """Seconds spent per group, in the order the groups ran."""
        durations: dict[str, float] = {}
        for test in self.tests:
            durations[test.group] = durations.get(test.group, 0.0) + test.duration_s
        return durations

    def counts(self) -> dict[str, int]:
        """How many tests ended in each status, every status present."""
        counts = {status.value: 0 for status in Status}
        for test in self.tests:
            counts[test.status.value] += 1
        return counts

    def reproduce_command(self, report_dir: str | None = None) -> str:
        """The command line that repeats this run with the same generated examples."""
        # A module:object adapter that is not installed is found through PYTHONPATH only.
        path = ["env", "PYTHONPATH=" + ":".join(self.import_path)] if self.import_path else []
        parts = [
            *path, "leportal", "conformance", "certify", self.adapter_spec,
            "--seed", str(self.seed), "--max-examples", str(self.max_examples),
            "--out", report_dir if report_dir is not None else "REPORT_DIR",
        ]  # fmt: skip
        if self.call_timeout_s is not None:
            parts += ["--timeout", f"{self.call_timeout_s:g}"]
        if self.mode == DEVELOPMENT:
            parts += ["--development", "--known-failures", "KNOWN_FAILURES_FILE"]
        return shlex.join(parts)

    def as_dict(self, report_dir: str | None = None) -> dict[str, Any]:
        """The JSON-ready report, as written to ``report.json``."""
        return {
            "suite": {"name": self.suite_name, "version": self.suite_version},
            "adapter": {
                "spec": self.adapter_spec,
                "name": self.adapter_name,
                "version": self.adapter_version,
                "origin": self.adapter_origin,
                "distribution": dict(self.distribution),
                "import_path": list(self.import_path),
            },
            "mode": self.mode,
            "known_failures": list(self.known_failures),
            "stale_known_failures": self.stale_known_failures(),
            "call_timeout_s": self.call_timeout_s,
            "capabilities": {name: dict(caps) for name, caps in self.capabilities.items()},
            "seed": self.seed,
            "max_examples": self.max_examples,
            "started": _iso(self.started),
            "finished": _iso(self.finished),
            "duration_s": round((self.finished - self.started).total_seconds(), 6),
            "environment": dict(self.environment),
            "verdict": self.verdict,
            "certified": self.certified,
            "codecs": list(self.codecs),
            "counts": self.counts(),
            "group_durations_s": {
                group: round(seconds, 6) for group, seconds in self.group_durations().items()
            },
            "reproduce": self.reproduce_command(report_dir),
            "tests": [test.as_dict() for test in self.tests],
        }


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# Base ids of the tests a partial (development) run runs; None: all of them.
_SELECTED: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar(
    "leportal_conformance_selected", default=None
)


@contextlib.contextmanager
def selecting(ids: frozenset[str] | None) -> Iterator[None]:
    """Within the block, :func:`run_test` runs only the tests whose base id is in ``ids`` and
    reports the others as skipped (``None``: every test runs)."""
    token = _SELECTED.set(ids)
    try:
        yield
    finally:
        _SELECTED.reset(token)


def selected(spec: TestSpec) -> bool:
    """Whether ``spec`` runs in the current run: every test does but in a partial run, and the
    ``metadata`` group always (it loads the adapter and finds its codecs)."""
    ids = _SELECTED.get()
    return ids is None or spec.id in ids or spec.group == "metadata"


def run_test(
    spec: TestSpec,
    codec: str | None,
    check: Callable[[], Finding],
    *,
    capabilities: Capabilities | None = None,
) -> TestResult:
    """Run one test function, timing it; an exception escaping it makes the result ``error``.

    Adapter calls inside ``check`` are guarded already, so what arrives here is a failure of the
    test machinery itself: reported, never allowed to end the run. With ``capabilities`` (those
    of the codec under test) a test whose ``requires`` the codec lacks is not run but reported
    as skipped with the reason; a test that applies and still skips is an ``error``: a
    certification may skip nothing that applies.
    """
    started = time.perf_counter()
    new_test()
    reason = capabilities.missing_reason(spec.requires) if capabilities is not None else None
    if not selected(spec):
        reason = "not run: not selected in this partial run"
    try:
        with watching(spec.instance_id(codec)):
            if reason is not None:
                finding = Finding(status=Status.SKIPPED, message=reason)
            else:
                finding = check()
                if finding.status is Status.SKIPPED and capabilities is not None:
                    finding = Finding(
                        status=Status.ERROR,
                        message=f"the test applies to this codec but was skipped: {finding.message}",
                        details=finding.details,
                    )
    except KeyboardInterrupt as exc:
        if interrupted():  # the person running the suite pressed Ctrl-C
            raise
        finding = _escaped(exc)
    except BaseException as exc:  # SystemExit too: reported as the test's error, never a crash
        finding = _escaped(exc)
    return TestResult(
        id=spec.instance_id(codec),
        group=spec.group,
        description=spec.description,
        required=spec.required,
        source=spec.source,
        status=finding.status,
        duration_s=time.perf_counter() - started,
        message=one_line(finding.message),
        details=finding.details,
    )


def _escaped(exc: BaseException) -> Finding:
    return Finding(
        status=Status.ERROR,
        message=f"the test could not run: {describe_exception(exc)}",
    )


def one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    """``text`` on one line, printable, shortened to ``limit`` characters."""
    flat = " ".join(printable(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
