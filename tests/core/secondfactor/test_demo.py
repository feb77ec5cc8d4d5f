"""The second factor's demo chapters run and tell the story they promise."""

from __future__ import annotations

from pathlib import Path

from leportal_core import builtin
from leportal_core.demo import DemoContext, DemoStep
from leportal_core.plugins import new_plugin_manager
from leportal_core.secondfactor import demo


def test_demo_steps(tmp_path: Path) -> None:
    steps: list[DemoStep] = []
    demo.leportal_demo_steps(register=steps.append)
    assert [step.order for step in steps] == [150, 151]
    lines: list[str] = []
    context = DemoContext(
        samples=tmp_path, out=tmp_path / "out", pm=new_plugin_manager(), say=lines.append
    )
    for step in sorted(steps, key=lambda s: s.order):
        step.run(context)
    text = "\n".join(lines)
    assert "generated for this demo only" in text
    assert "confirmed with the first code: accepted; status active" in text
    assert "the same code again:       replayed" in text
    assert "a wrong code:              wrong" in text
    assert (tmp_path / "out" / "secondfactor.sqlite").exists()
    assert (tmp_path / "out" / "secondfactor-qr.svg").read_text(encoding="utf-8").startswith("<svg")


def test_demo_is_a_builtin_plugin(tmp_path: Path) -> None:
    pm = new_plugin_manager()
    assert pm.is_registered(builtin)  # contributes the core's chapters, this one's included
    steps: list[DemoStep] = []
    pm.hook.leportal_demo_steps(register=steps.append)
    assert {150, 151} <= {step.order for step in steps}
