"""The result model of a certification run: test specifications, statuses, results, the verdict."""

from __future__ import annotations

import datetime as dt
import enum
import shlex
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from leportal_conformance.guard import describe_exception, printable

__all__ = [
    "CertificationResult",
    "Finding",
    "Status",
    "TestResult",
    "TestSpec",
    "run_test",
]

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

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view, as written to ``report.json``."""
        return {
            "id": self.id,
            "group": self.group,
            "description": self.description,
            "required": self.required,
            "status": self.status.value,
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

    @property
    def certified(self) -> bool:
        """At least one codec, and no required test failed or could not run."""
        blocking = {Status.FAILED, Status.ERROR}
        return bool(self.codecs) and not any(
            t.required and t.status in blocking for t in self.tests
        )

    @property
    def verdict(self) -> str:
        """``CERTIFIED`` or ``NOT CERTIFIED``."""
        return "CERTIFIED" if self.certified else "NOT CERTIFIED"

    def counts(self) -> dict[str, int]:
        """How many tests ended in each status, every status present."""
        counts = {status.value: 0 for status in Status}
        for test in self.tests:
            counts[test.status.value] += 1
        return counts

    def reproduce_command(self, report_dir: str | None = None) -> str:
        """The command line that repeats this run with the same generated examples."""
        parts = [
            "leportal", "conformance", "certify", self.adapter_spec,
            "--seed", str(self.seed), "--max-examples", str(self.max_examples),
            "--report-dir", report_dir if report_dir is not None else "REPORT_DIR",
        ]  # fmt: skip
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
            },
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
            "reproduce": self.reproduce_command(report_dir),
            "tests": [test.as_dict() for test in self.tests],
        }


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def run_test(spec: TestSpec, codec: str | None, check: Callable[[], Finding]) -> TestResult:
    """Run one test function, timing it; an exception escaping it makes the result ``error``.

    Adapter calls inside ``check`` are guarded already, so what arrives here is a failure of the
    test machinery itself: reported, never allowed to end the run.
    """
    started = time.perf_counter()
    try:
        finding = check()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # reported as the test's error, never a crash
        finding = Finding(
            status=Status.ERROR,
            message=f"the test could not run: {describe_exception(exc)}",
        )
    return TestResult(
        id=spec.instance_id(codec),
        group=spec.group,
        description=spec.description,
        required=spec.required,
        status=finding.status,
        duration_s=time.perf_counter() - started,
        message=one_line(finding.message),
        details=finding.details,
    )


def one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    """``text`` on one line, printable, shortened to ``limit`` characters."""
    flat = " ".join(printable(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
