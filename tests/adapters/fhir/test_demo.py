"""The fhir chapter of ``leportal demo`` exports the core's delivery as a Bundle and reads it back."""

from __future__ import annotations

import json
from pathlib import Path

import leportal_core.plugins as plugins
from leportal_core.demo import DemoContext, run_demo
from leportal_fhir import import_bundle, isik_problems, plugin

ROOT = Path(__file__).resolve().parents[3]


def test_demo_exports_the_delivery_as_a_verified_bundle(tmp_path: Path) -> None:
    pm = plugins.new_plugin_manager()
    plugins.register_plugins(pm, [("fhir", plugin)])
    said: list[str] = []
    context = DemoContext(samples=ROOT / "samples", out=tmp_path, pm=pm, say=said.append)
    run_demo(context)
    target = tmp_path / "fhir" / "lieferung-transaction.json"
    data = target.read_bytes()
    bundle = json.loads(data)
    accepted = context.shared["delivery_plan"].accepted
    documents = [e["resource"] for e in bundle["entry"]]
    assert len(documents) == len(accepted) > 0
    # The sample archive has no patient numbers and two documents without a KDL code: exactly
    # what the ISiK check must name, and nothing else.
    found = {p.code for resource in documents for p in isik_problems(resource)}
    assert found == {"fhir.isik.subject", "fhir.isik.type.kdl"}
    assert documents[1]["type"]["coding"][0]["code"] in ("PFLG", "BEFU")
    assert [i.document for i in import_bundle(data)] == [c.source.document for c in accepted]
    text = "\n".join(said)
    assert "identical: True" in text
    assert "refused: fhir.attachment.size_mismatch" in text
