"""The report bundle of a certification: ``report.json`` (valid against ``report.schema.json``,
shipped with the suite), ``junit.xml``, ``certificate.md``, ``certificate.html`` and
``REPRODUCE.md``.

Each is written atomically (a temporary file in the same directory, flushed to disk, then
renamed over the target), so a reader never sees half a report and a crash leaves the old one.
"""

from __future__ import annotations

import html
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from leportal_conformance.catalog import GROUPS
from leportal_conformance.model import CertificationResult
from leportal_core.files import write_bytes_atomic

__all__ = [
    "ReportFiles",
    "render_certificate",
    "render_html",
    "render_json",
    "render_junit",
    "render_reproduce",
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
    html: Path | None = None
    reproduce: Path | None = None


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
        html=directory / "certificate.html",
        reproduce=directory / "REPRODUCE.md",
    )
    write_bytes_atomic(files.json, render_json(report).encode("utf-8"))
    write_bytes_atomic(files.junit, render_junit(report))
    write_bytes_atomic(files.certificate, render_certificate(report).encode("utf-8"))
    write_bytes_atomic(directory / "certificate.html", render_html(report).encode("utf-8"))
    write_bytes_atomic(directory / "REPRODUCE.md", render_reproduce(report).encode("utf-8"))
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
        "mode": report.get("mode", "certification"),
        "distribution_sha256": str(report["adapter"].get("distribution", {}).get("sha256")),
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


def _label(test: Mapping[str, Any]) -> str:
    label = _STATUS_LABEL[test["status"]]
    return f"{label} (known failure)" if test.get("known_failure") else label


def _capabilities(report: Mapping[str, Any]) -> str:
    parts = []
    for codec, caps in (report.get("capabilities") or {}).items():
        uncarried = ", ".join(caps["uncarried_fields"]) or "none"
        parts.append(
            f"{codec}: {'/'.join(caps['directions'])}, uncarried fields {uncarried}, "
            f"{caps['golden_vectors']} golden vectors" + ("" if caps["declared"] else " (defaults)")
        )
    return "; ".join(parts) or "none"


def _distribution(report: Mapping[str, Any]) -> str:
    distribution = report["adapter"].get("distribution") or {}
    digest = distribution.get("sha256")
    if not digest:
        return "unknown"
    text = f"sha256 {digest} ({distribution.get('files')} files of {distribution.get('root')})"
    combined = distribution.get("combined_sha256")
    if combined:
        count = len(distribution.get("distributions") or [])
        text += f"; with the {count} distributions it imports: sha256 {combined}"
    return text


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
        f"| Distribution | {_inline(_distribution(report))} |",
        f"| Mode | {_inline(report.get('mode', 'certification'))} |",
        f"| Codecs | {_inline(', '.join(report['codecs']) or 'none')} |",
        f"| Capabilities | {_inline(_capabilities(report))} |",
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
        "| Test | Status | Seconds | Requirement | Message |",
        "|---|---|---|---|---|",
    ]
    for test in report["tests"]:
        lines.append(
            f"| `{test['id']}` | {_label(test)} | {test['duration_s']:.3f} "
            f"| {_inline(test['description'])} | {_inline(test['message'])} |"
        )
    problems = [test for test in report["tests"] if test["status"] in ("failed", "error")]
    if problems:
        lines += ["", "## Failures", ""]
        for test in problems:
            lines += [
                f"### `{test['id']}`: {_label(test)}",
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


_HTML_STYLE = (
    "body{font-family:sans-serif;max-width:72em;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;"
    "text-align:left;vertical-align:top}.passed{color:#176117}.failed{color:#a31515;"
    "font-weight:bold}.error{color:#8a4b00;font-weight:bold}.skipped{color:#555}"
    "pre{white-space:pre-wrap;background:#f4f4f4;padding:.5em}"
)


def render_html(report: Mapping[str, Any]) -> str:
    """The certificate as one self-contained HTML page (no scripts, no external resources)."""
    e = html.escape
    adapter, suite, counts = report["adapter"], report["suite"], report["counts"]
    rows = [
        ("Verdict", report["verdict"]),
        ("Adapter", f"{adapter['name']} {adapter['version']} ({adapter['origin']})"),
        ("Distribution", _distribution(report)),
        ("Mode", report.get("mode", "certification")),
        ("Codecs", ", ".join(report["codecs"]) or "none"),
        ("Capabilities", _capabilities(report)),
        ("Suite", f"{suite['name']} {suite['version']}"),
        ("Date", f"{report['started']} to {report['finished']}"),
        ("Seed", str(report["seed"])),
        ("Examples per property", str(report["max_examples"])),
        ("Environment", _environment(report["environment"])),
        (
            "Results",
            f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors, "
            f"{counts['skipped']} skipped",
        ),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(report['verdict'])}: {e(adapter['name'])} {e(adapter['version'])}</title>",
        f"<style>{_HTML_STYLE}</style></head><body>",
        f"<h1>{e(report['verdict'])}: {e(adapter['name'])} {e(adapter['version'])}</h1>",
        "<table>",
        *(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows),
        "</table>",
        "<p>Reproduce this run:</p>",
        f"<pre>{e(report['reproduce'])}</pre>",
        "<h2>Results</h2>",
        "<table><tr><th>Test</th><th>Status</th><th>Seconds</th><th>Requirement</th>"
        "<th>Message</th></tr>",
    ]
    for test in report["tests"]:
        parts.append(
            f"<tr><td><code>{e(test['id'])}</code></td>"
            f'<td class="{e(test["status"])}">{e(_label(test))}</td>'
            f"<td>{test['duration_s']:.3f}</td><td>{e(test['description'])}</td>"
            f"<td>{e(test['message'])}</td></tr>"
        )
    parts.append("</table>")
    for test in report["tests"]:
        example = test["details"].get("falsifying_example")
        if test["status"] in ("failed", "error") and example:
            parts += [
                f"<h3><code>{e(test['id'])}</code>: falsifying example</h3>",
                f"<pre>{e(str(example))}</pre>",
            ]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render_reproduce(report: Mapping[str, Any]) -> str:
    """``REPRODUCE.md``: the exact command and the versions that make a run repeatable."""
    adapter = report["adapter"]
    lines = [
        f"# Reproducing this run of {_inline(report['suite']['name'])}",
        "",
        "With the same adapter (same distribution hash), suite and Hypothesis versions, this "
        "command generates the same examples in the same order and shrinks to the same "
        "falsifying examples:",
        "",
        *_fenced(report["reproduce"], "sh"),
        "",
        f"- Adapter: {_inline(adapter['name'])} {_inline(adapter['version'])} "
        f"({_inline(adapter['origin'])})",
        f"- Distribution: {_inline(_distribution(report))}",
        f"- Suite: {_inline(report['suite']['version'])}; mode {_inline(report.get('mode', ''))}",
        f"- Seed: {report['seed']}; examples per property: {report['max_examples']}",
        f"- Environment: {_inline(_environment(report['environment']))}",
    ]
    lines += ["", "## Setting up", ""]
    import_path = adapter.get("import_path") or []
    if import_path:
        lines += [
            "The adapter is not installed; the command above finds it through `PYTHONPATH` "
            "(these directories, as in the certified run):",
            "",
            *_fenced("\n".join(import_path), "text"),
            "",
        ]
    distributions = (adapter.get("distribution") or {}).get("distributions") or []
    if distributions:
        lines += [
            "Install the distributions the adapter imports, at these versions (the fingerprint "
            "covers their installed files: `RECORD` for wheels, package files for editable "
            "installs):",
            "",
            *_fenced(
                "python -m pip install "
                + " ".join(f"{d['name']}=={d['version']}" for d in distributions),
                "sh",
            ),
            "",
            "| Distribution | Version | SHA-256 | Basis |",
            "|---|---|---|---|",
            *(
                f"| {_inline(d['name'])} | {_inline(d['version'])} | `{d['sha256']}` | {d['basis']} |"
                for d in distributions
            ),
        ]
    if report.get("known_failures"):
        lines += [
            "",
            "A development run: put these ids into the known-failures file:",
            "",
            *_fenced("\n".join(report["known_failures"]), "text"),
        ]
    return "\n".join(lines) + "\n"


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
