from __future__ import annotations

from pathlib import Path

import pluggy

from leportal_core import hookspecs
from leportal_core.billing import demo
from leportal_core.demo import DemoContext, DemoStep, run_demo
from tests.core.billing.helpers import ROOT


def test_billing_demo_steps(tmp_path: Path) -> None:
    steps: list[DemoStep] = []
    demo.leportal_demo_steps(register=steps.append)
    assert sorted(s.order for s in steps) == [160, 161, 162, 163]
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(demo, name="leportal.billing.demo")
    said: list[str] = []
    count = run_demo(DemoContext(samples=ROOT / "samples", out=tmp_path, pm=pm, say=said.append))
    text = "\n".join(said)
    assert count == 4
    assert "mass-2026-10.csv: valid True, 6 lines, sum of Betrag 8377.52 EUR" in text
    assert "line 4, Zeitraum bis: billing.value.date" in text
    assert "billing.reconcile.missing_on_paper" in text
    assert "identical to the sample file: True" in text
    assert (tmp_path / "mass-2026-10.csv").is_file()
