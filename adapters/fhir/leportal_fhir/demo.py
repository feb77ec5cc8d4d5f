"""The fhir adapter's chapters of ``leportal demo`` (orders 220–229).

The Unterlagenlieferung of the core's chapters (``context.shared["delivery_plan"]``, else the single
``context.shared["document"]``) becomes one ISiK transaction Bundle; it is read back with every
hash and size verified, checked against the ISiK rules, and a tampered copy is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from leportal_core import Document, FormatError
from leportal_core.demo import DemoContext, DemoStep
from leportal_core.files import write_bytes_atomic
from leportal_core.hookspecs import hookimpl
from leportal_fhir.bundle import build_transaction, import_bundle
from leportal_fhir.checks import isik_problems
from leportal_fhir.document_reference import dump
from leportal_fhir.isik import Coding, IsikMetadata, ihe_class_coding, ihe_type_coding

__all__ = ["leportal_demo_steps"]


def _items(context: DemoContext) -> list[tuple[Document, IsikMetadata]]:
    plan = context.shared.get("delivery_plan")
    if plan is not None:
        return [
            (
                checked.source.document,
                IsikMetadata(
                    pdfa=checked.verdict.pdfa,
                    # IHE-D codes the archive knows; given codes win over the KDL mapping.
                    type_code=_known(ihe_type_coding, checked.source.type_code),
                    class_code=_known(ihe_class_coding, checked.source.class_code),
                ),
            )
            for checked in plan.accepted
        ]
    document = context.shared.get("document")
    return [(document, IsikMetadata())] if isinstance(document, Document) else []


def _known(lookup: Callable[[str], Coding | None], code: str | None) -> Coding | None:
    return lookup(code) if code is not None else None


def _export_bundle(context: DemoContext) -> None:
    items = _items(context)
    if not items:
        context.say("   no documents from earlier chapters; nothing to export")
        return
    bundle = build_transaction(items)
    data = dump(bundle)
    target = context.out / "fhir" / "lieferung-transaction.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(target, data)
    context.say(
        f"   {len(items)} DocumentReference(s) in a transaction Bundle, {len(data)} bytes → {target}"
    )
    findings: set[str] = set()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        problems = isik_problems(resource)
        findings.update(p.code for p in problems)
        codes = ", ".join(c["code"] for c in resource.get("type", {}).get("coding", []))
        verdict = (
            "ISiK ok" if not problems else "ISiK: " + ", ".join(sorted({p.code for p in problems}))
        )
        context.say(f"   {resource['description']}: type {codes or '—'}; {verdict}")
    if findings and findings <= {"fhir.isik.subject", "fhir.isik.type.kdl"}:
        # Said, not hidden: the validator is right, the sample data is thin.
        context.say(
            "   these ISiK findings are expected: the sample delivery request names no patient "
            "resource (fhir.isik.subject) and not every sample document has a KDL code "
            "(fhir.isik.type.kdl); a KIS export supplies both"
        )
    back = import_bundle(data)
    intact = all(i.document == d for i, (d, _) in zip(back, items, strict=True))
    context.say(
        f"   read back: {len(back)} document(s), hash and size verified, identical: {intact}"
    )
    context.shared["fhir_bundle"] = target
    tampered: dict[str, Any] = json.loads(data)
    attachment = tampered["entry"][0]["resource"]["content"][0]["attachment"]
    attachment["size"] = attachment["size"] + 1
    try:
        import_bundle(json.dumps(tampered).encode())
    except FormatError as exc:
        context.say(f"   a copy with one size changed is refused: {exc.problems[0].code}")


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """The fhir adapter's chapter."""
    register(
        DemoStep(
            order=220,
            title="Export the delivery as an ISiK transaction Bundle and read it back verified",
            run=_export_bundle,
        )
    )
