"""The report files of a certification: ``report.json``, ``junit.xml`` and ``certificate.md``.

Each is written atomically (a temporary file in the same directory, flushed to disk, then
renamed over the target), so a reader never sees half a report and a crash leaves the old one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from leportal_conformance.catalog import GROUPS
from leportal_conformance.model import CertificationResult

__all__ = [
    "ReportFiles",
    "render_certificate",
    "render_json",
    "render_junit",
    "write_reports",
]

# Characters XML 1.0 cannot carry, and lone surrogates no UTF-8 file can: an adapter's exception
# message may contain anything, and must not make a report unwritable or unparseable.
_UNWRITABLE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@attrs.frozen(kw_only=True)
class ReportFiles:
    """Where the reports of one run were written."""

    directory: Path
    json: Path
    junit: Path
    certificate: Path


def write_reports(result: CertificationResult, report_dir: str | os.PathLike[str]) -> ReportFiles:
    """Write the three reports into ``report_dir``, creating it if missing; returns their paths."""
    directory = Path(report_dir)
    directory.mkdir(parents=True, exist_ok=True)
    report = _clean(result.as_dict(report_dir=str(directory)))
    files = ReportFiles(
        directory=directory,
        json=directory / "report.json",
        junit=directory / "junit.xml",
        certificate=directory / "certificate.md",
    )
    _write_atomic(files.json, render_json(report).encode("utf-8"))
    _write_atomic(files.junit, render_junit(report))
    _write_atomic(files.certificate, render_certificate(report).encode("utf-8"))
    return files


def _clean(value: Any) -> Any:
    """``value`` with every string made writable: bad characters become ``\\uXXXX`` escapes."""
    if isinstance(value, str):
        return _UNWRITABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    if isinstance(value, Mapping):
        return {str(_clean(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def render_json(report: Mapping[str, Any]) -> str:
    """The JSON report, pretty-printed, ending in a newline."""
    return json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"


def render_junit(report: Mapping[str, Any]) -> bytes:
    """A JUnit XML document: one ``testsuite`` per group, one ``testcase`` per test."""
    tests: list[dict[str, Any]] = report["tests"]
    counts = report["counts"]
    root = ET.Element(
        "testsuites",
        name=report["suite"]["name"],
        tests=str(len(tests)),
        failures=str(counts["failed"]),
        errors=str(counts["error"]),
        skipped=str(counts["skipped"]),
        time=_seconds(report["duration_s"]),
        timestamp=report["started"],
    )
    properties = {
        "suite_version": report["suite"]["version"],
        "adapter": report["adapter"]["name"],
        "adapter_version": report["adapter"]["version"],
        "adapter_origin": report["adapter"]["origin"],
        "seed": str(report["seed"]),
        "max_examples": str(report["max_examples"]),
        "verdict": report["verdict"],
        "reproduce": report["reproduce"],
    }
    for group in GROUPS:
        cases = [test for test in tests if test["group"] == group]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=group,
            tests=str(len(cases)),
            failures=str(sum(case["status"] == "failed" for case in cases)),
            errors=str(sum(case["status"] == "error" for case in cases)),
            skipped=str(sum(case["status"] == "skipped" for case in cases)),
            time=_seconds(sum(case["duration_s"] for case in cases)),
            timestamp=report["started"],
        )
        props = ET.SubElement(suite, "properties")
        for name, value in properties.items():
            ET.SubElement(props, "property", name=name, value=value)
        for case in cases:
            element = ET.SubElement(
                suite,
                "testcase",
                classname=f"leportal_conformance.{group}",
                name=case["id"],
                time=_seconds(case["duration_s"]),
            )
            status = case["status"]
            if status in ("failed", "error"):
                tag = "failure" if status == "failed" else "error"
                outcome = ET.SubElement(element, tag, message=case["message"], type=tag)
                outcome.text = _detail_text(case)
            elif status == "skipped":
                ET.SubElement(element, "skipped", message=case["message"])
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _detail_text(case: Mapping[str, Any]) -> str:
    text = f"{case['description']}\n\n{case['message']}"
    if case["details"]:
        text += "\n\n" + json.dumps(case["details"], indent=2, ensure_ascii=False, default=str)
    return text


_STATUS_LABEL = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}


def render_certificate(report: Mapping[str, Any]) -> str:
    """The human-readable certificate in Markdown."""
    adapter = report["adapter"]
    suite = report["suite"]
    counts = report["counts"]
    lines = [
        f"# {report['verdict']}: {_inline(adapter['name'])} {_inline(adapter['version'])}",
        "",
        f"Certification of the adapter **{_inline(adapter['name'])}** against "
        f"{_inline(suite['name'])} {_inline(suite['version'])}.",
        "",
        "| | |",
        "|---|---|",
        f"| Verdict | **{report['verdict']}** |",
        f"| Adapter | {_inline(adapter['name'])} {_inline(adapter['version'])} ({_inline(adapter['origin'])}) |",
        f"| Codecs | {_inline(', '.join(report['codecs']) or 'none')} |",
        f"| Suite | {_inline(suite['name'])} {_inline(suite['version'])} |",
        f"| Date | {report['started']} to {report['finished']} |",
        f"| Seed | {report['seed']} |",
        f"| Examples per property | {report['max_examples']} |",
        f"| Environment | {_inline(_environment(report['environment']))} |",
        f"| Results | {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['error']} errors, {counts['skipped']} skipped |",
        "",
        "Reproduce this run (same seed, same generated examples):",
        "",
        *_fenced(report["reproduce"], "sh"),
        "",
        "## Results",
        "",
        "| Test | Status | Requirement | Message |",
        "|---|---|---|---|",
    ]
    for test in report["tests"]:
        lines.append(
            f"| `{test['id']}` | {_STATUS_LABEL[test['status']]} | {_inline(test['description'])} "
            f"| {_inline(test['message'])} |"
        )
    problems = [test for test in report["tests"] if test["status"] in ("failed", "error")]
    if problems:
        lines += ["", "## Failures", ""]
        for test in problems:
            lines += [
                f"### `{test['id']}`: {_STATUS_LABEL[test['status']]}",
                "",
                f"Requirement: {_inline(test['description'])}",
                "",
                _inline(test["message"]),
                "",
            ]
            details = dict(test["details"])
            example = details.pop("falsifying_example", None)
            if example:
                lines += ["Falsifying example:", "", *_fenced(str(example), "python"), ""]
            if details:
                text = json.dumps(details, indent=2, ensure_ascii=False, default=str)
                lines += ["Details:", "", *_fenced(text, "json"), ""]
    skipped = [test for test in report["tests"] if test["status"] == "skipped"]
    if skipped:
        lines += ["", "## Not applicable", ""]
        lines += [f"- `{test['id']}`: {_inline(test['message'])}" for test in skipped]
    return "\n".join(lines).rstrip("\n") + "\n"


def _environment(environment: Mapping[str, str]) -> str:
    return ", ".join(f"{key} {value}" for key, value in environment.items())


def _inline(text: str) -> str:
    # Keep foreign text (exception messages) from turning into Markdown markup or HTML.
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", " ".join(text.split()))


def _fenced(text: str, language: str) -> list[str]:
    # A fence longer than any run of backticks in the text, so the text cannot close it.
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence]


def _write_atomic(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a report is for reading
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform (Windows), so best effort.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
