"""``leportal conformance``: the commands, and the demo chapter that certifies the fhir adapter.

Imported only when the command runs or the demo asks for its chapter (see :mod:`.plugin`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import NoReturn

import click

from leportal_conformance.guard import DEFAULT_CALL_TIMEOUT
from leportal_conformance.model import (
    CERTIFICATION,
    DEVELOPMENT,
    CertificationResult,
    Status,
    TestResult,
)
from leportal_conformance.plugin import DEMO_MAX_EXAMPLES, DEMO_SEED
from leportal_conformance.report import write_reports
from leportal_conformance.runner import DEFAULT_MAX_EXAMPLES, certify, load_known_failures
from leportal_conformance.tests_hygiene import DEFAULT_IMPORT_BUDGET
from leportal_core.cli.output import ReportedGroup, envelope
from leportal_core.cli.params import InputPath, json_option, out_option
from leportal_core.demo import DemoContext, DemoStep
from leportal_core.errors import ConfigurationError, PluginError
from leportal_core.plugins import ADAPTER_GROUP

__all__ = [
    "EXIT_CERTIFIED",
    "EXIT_NOT_CERTIFIED",
    "EXIT_USAGE",
    "conformance",
    "register_steps",
]

EXIT_CERTIFIED = 0
EXIT_NOT_CERTIFIED = 1
EXIT_USAGE = 2  # also what click uses for its own usage errors

_LABEL = {
    Status.PASSED: "PASS ",
    Status.FAILED: "FAIL ",
    Status.ERROR: "ERROR",
    Status.SKIPPED: "SKIP ",
}


@click.group("conformance", cls=ReportedGroup)
def conformance() -> None:
    """Certify leportal adapters with the conformance suite."""


@conformance.command("certify")
@click.argument("adapter")
@out_option(
    "Directory for report.json, junit.xml and certificate.md (created if missing).",
    name="report_dir",
    required=True,
    file_okay=False,
    aliases=("--report-dir",),
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Seed of every generated example; the report records it. Default: a random one.",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_EXAMPLES,
    show_default=True,
    help="Generated examples per property test.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_CALL_TIMEOUT,
    show_default=True,
    help="Seconds an adapter call may take before it counts as hanging.",
)
@click.option(
    "--import-budget",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_IMPORT_BUDGET,
    show_default=True,
    help="CPU seconds importing the adapter in a fresh interpreter may take.",
)
@click.option(
    "--development",
    is_flag=True,
    help="Development mode: never certifies, but allows --known-failures.",
)
@click.option(
    "--known-failures",
    type=InputPath(),
    default=None,
    help="File of test ids (one a line, # comments) that may fail; development mode only.",
)
@json_option
@click.pass_context
def certify_command(
    ctx: click.Context,
    adapter: str,
    report_dir: Path,
    seed: int | None,
    max_examples: int,
    timeout: float,
    import_budget: float,
    development: bool,
    known_failures: Path | None,
    as_json: bool,
) -> None:
    """Certify ADAPTER: an installed adapter's name (e.g. fhir) or module:object.

    Exit status 0 when certified (in development mode: when nothing but known failures failed),
    1 when not, 2 on a usage error such as an unknown adapter.
    """
    if known_failures is not None and not development:
        _usage_error(ctx, "--known-failures is allowed in development mode (--development) only")
    known: tuple[str, ...] = ()
    if known_failures is not None:
        try:
            known = load_known_failures(known_failures)
        except (OSError, UnicodeDecodeError) as exc:
            _usage_error(ctx, f"cannot read {known_failures}: {exc}")
    try:
        report_dir.mkdir(parents=True, exist_ok=True)  # fail before a long run, not after it
    except OSError as exc:
        _usage_error(ctx, f"cannot create the report directory {report_dir}: {exc.strerror or exc}")
    output = _Output()
    progress: Callable[[TestResult], None] | None = None if as_json else output.progress
    try:
        result = certify(
            adapter,
            seed=seed,
            max_examples=max_examples,
            progress=progress,
            mode=DEVELOPMENT if development else CERTIFICATION,
            known_failures=known,
            timeout=timeout,
            import_budget=import_budget,
        )
    except PluginError as exc:
        _usage_error(ctx, f"cannot load adapter {adapter!r}: {exc.message}")
    try:
        files = write_reports(result, report_dir)
    except OSError as exc:
        _usage_error(ctx, f"cannot write the reports into {report_dir}: {exc.strerror or exc}")
    if as_json:  # the CLI's one envelope around report.json; failed tests are in "tests"
        report = json.loads(files.json.read_text(encoding="utf-8"))
        output.echo(json.dumps(envelope(result.passed, (), report), ensure_ascii=False, indent=2))
    else:
        output.echo(_summary(result))
        for stale in result.stale_known_failures():
            output.echo(f"note: known failure {stale} did not fail; remove it from the file")
        output.echo(
            f"Report: {files.certificate} (also certificate.html, {files.json.name}, "
            f"{files.junit.name}, REPRODUCE.md)"
        )
    ctx.exit(EXIT_CERTIFIED if result.passed else EXIT_NOT_CERTIFIED)


class _Output:
    """Standard output that a reader may close early (``certify … | head``): from then on the
    rest is dropped, the run goes on and the exit status still says the verdict."""

    def __init__(self) -> None:
        self.closed = False

    def echo(self, text: str, *, nl: bool = True) -> None:
        if self.closed:
            return
        try:
            click.echo(text, nl=nl)
            sys.stdout.flush()
        except BrokenPipeError:
            self.closed = True
            # Python flushes stdout again at exit; point it at /dev/null so that cannot fail.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)

    def progress(self, result: TestResult) -> None:
        label = "KNOWN" if result.known_failure else _LABEL[result.status]
        line = f"{label} {result.id}"
        if result.status is not Status.PASSED and result.message:
            line += f": {result.message}"
        self.echo(line)


def _usage_error(ctx: click.Context, message: str) -> NoReturn:
    # Exit 2 (EXIT_USAGE) through the CLI's reporter: with --json, the envelope.
    raise ConfigurationError(message)


def _summary(result: CertificationResult) -> str:
    counts = result.counts()
    return (
        f"{result.verdict}: {result.adapter_name} {result.adapter_version} "
        f"({counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors, "
        f"{counts['skipped']} skipped; seed {result.seed})"
    )


def _adapter_installed(name: str) -> bool:
    return any(
        entry_point.name == name for entry_point in metadata.entry_points(group=ADAPTER_GROUP)
    )


def _certify_fhir(context: DemoContext) -> None:
    if not _adapter_installed("fhir"):
        context.say("   no adapter named fhir is installed; nothing to certify")
        return
    try:
        result = certify("fhir", seed=DEMO_SEED, max_examples=DEMO_MAX_EXAMPLES)
    except PluginError as exc:
        context.say(f"   cannot load the fhir adapter: {exc.message}")
        return
    files = write_reports(result, context.out / "certification")
    context.say(f"   {_summary(result)}")
    for test in result.tests:
        if test.status in (Status.FAILED, Status.ERROR):
            context.say(f"   {_LABEL[test.status]} {test.id}: {test.message}")
    context.say(f"   certificate: {files.certificate}")


def register_steps(register: Callable[[DemoStep], None]) -> None:
    """The suite's chapter: certify the FHIR adapter, when it is installed."""
    register(
        DemoStep(
            order=900,
            title="Certify the FHIR adapter with the conformance suite",
            run=_certify_fhir,
        )
    )
