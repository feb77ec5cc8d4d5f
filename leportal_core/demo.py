"""``leportal demo``: a short story over sample data, told by the core and by every plug-in.

Each chapter is a :class:`DemoStep`; the core contributes its own through the same
``leportal_demo_steps`` hook as adapters and the conformance suite, so the demo shows exactly what
is installed. Steps share results through ``context.shared`` (e.g. ``"document"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import click
import pluggy

from leportal_core.classification import classify
from leportal_core.document import Document
from leportal_core.errors import InvalidIdentifier
from leportal_core.files import write_bytes_atomic
from leportal_core.hookspecs import hookimpl
from leportal_core.identifiers import ik
from leportal_core.plugins import collect_codecs

__all__ = ["DemoContext", "DemoStep", "run_demo"]


# The demo story's day: the sample request (samples/documents/anforderung.json) is due 2026-03-30.
DEMO_TODAY = dt.date(2026, 3, 2)


@attrs.define(kw_only=True)
class DemoContext:
    """What a demo step may use: the sample folder, an output folder, the plug-in manager, a
    ``say`` function that prints, ``shared`` results of earlier steps, and the story's ``today``
    (one fixed day for every chapter, so the demo reads the same on every day it is run)."""

    samples: Path
    out: Path
    pm: pluggy.PluginManager
    say: Callable[[str], None] = click.echo
    shared: dict[str, Any] = attrs.field(factory=dict)
    today: dt.date = attrs.field(factory=lambda: DEMO_TODAY)


@attrs.frozen(kw_only=True)
class DemoStep:
    """One chapter: ``order`` sorts the chapters (core 100s, adapters 200s, conformance 900s)."""

    order: int
    title: str
    run: Callable[[DemoContext], None]


def run_demo(context: DemoContext) -> int:
    """Run every registered step in order; returns how many ran."""
    steps: list[DemoStep] = []
    context.pm.hook.leportal_demo_steps(register=steps.append)
    steps.sort(key=lambda step: step.order)
    for number, step in enumerate(steps, 1):
        context.say(click.style(f"\n{number}. {step.title}", bold=True))
        step.run(context)
    return len(steps)


def _check_iks(context: DemoContext) -> None:
    for number in ("260326822", "260326823"):
        try:
            valid = ik.validate(number)
        except InvalidIdentifier as exc:
            context.say(f"   IK {number}: rejected, {exc.code}: {exc.problems[0].message}")
        else:
            info = ik.describe(valid)
            context.say(
                f"   IK {ik.format(valid)}: valid, Klassifikation {info.classification_code} "
                f"({info.classification or 'unbekannt'}), Regionalbereich {info.region_code} "
                f"({info.region or 'unbekannt'})"
            )


def _load_document(context: DemoContext) -> None:
    path = context.samples / "entlassungsbericht.pdf"
    document = Document.from_path(
        path,
        title="Entlassungsbericht",
        patient_id="P-1001",
        case_id="F-2026-000123",
        kdl_code="AD010103",
    )
    context.shared["document"] = document
    context.say(
        f"   {path.name}: {document.size} bytes, SHA-256 {document.sha256[:16]}…, KDL {document.kdl_code}"
    )
    result = classify(document, context.pm)
    context.say(
        f"   category: {result.category.label} (rule {result.rule}; review needed: {result.needs_review})"
    )


def _export(context: DemoContext) -> None:
    document: Document = context.shared["document"]
    codecs = [
        codec for codec in collect_codecs(context.pm).values() if codec.object_type is Document
    ]
    if not codecs:
        context.say("   no adapter for documents is installed; install leportal-fhir to see one")
    context.out.mkdir(parents=True, exist_ok=True)
    for codec in codecs:
        target = context.out / f"{codec.name}.out"
        data = codec.encode(document)
        write_bytes_atomic(target, data)
        back = codec.decode(data)
        same = back.read_bytes() == document.read_bytes() and back.sha256 == document.sha256
        context.say(
            f"   {codec.name} ({codec.media_type}): {len(data)} bytes → {target}; read back intact: {same}"
        )


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """The core's chapters."""
    register(
        DemoStep(
            order=100,
            title="Check Institutionskennzeichen (IK), a good one and a mistyped one",
            run=_check_iks,
        )
    )
    register(
        DemoStep(
            order=110, title="Turn a sample PDF into a Document and classify it", run=_load_document
        )
    )
    register(
        DemoStep(order=200, title="Export the Document with every installed codec", run=_export)
    )
