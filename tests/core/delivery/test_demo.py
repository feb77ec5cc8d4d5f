"""The Unterlagenlieferung demo chapters run on the repository's samples."""

from __future__ import annotations

import json
from pathlib import Path

from leportal_core.delivery import demo
from leportal_core.demo import DemoContext, run_demo
from leportal_core.plugins import new_plugin_manager

SAMPLES = Path(__file__).resolve().parents[3] / "samples"


def test_demo_rejects_and_explains_the_bad_pdfs(tmp_path: Path) -> None:
    pm = new_plugin_manager()  # the built-in plug-in contributes this module's chapters
    lines: list[str] = []
    steps: list[object] = []
    demo.leportal_demo_steps(steps.append)
    assert all(120 <= s.order <= 139 for s in steps)  # type: ignore[attr-defined]
    run_demo(DemoContext(samples=SAMPLES, out=tmp_path, pm=pm, say=lines.append))
    text = "\n".join(lines)
    assert "ARC-1002 (OP-Bericht) rejected — pdf.encrypted" in text
    assert "ARC-1004 (Fieberkurve) rejected — pdf.damaged" in text
    assert "received as sent 1, altered 1, missing 1, unexpected 1" in text
    manifest = json.loads((tmp_path / "lieferung" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == 3
