"""The audit-case demo chapter runs and leaves a store with a case due soon."""

from __future__ import annotations

from pathlib import Path

from leportal_core.cases import CaseStore
from leportal_core.cases.demo import STORE_NAME, leportal_demo_steps, run_cases_demo
from leportal_core.demo import DEMO_TODAY, DemoContext, DemoStep
from leportal_core.plugins import new_plugin_manager


def test_the_demo_step_registers_in_the_140s() -> None:
    steps: list[DemoStep] = []
    leportal_demo_steps(register=steps.append)
    assert [step.order for step in steps] == [140]


def test_the_demo_runs_twice_and_leaves_a_case_due_soon(tmp_path: Path) -> None:
    said: list[str] = []
    context = DemoContext(samples=tmp_path, out=tmp_path, pm=new_plugin_manager(), say=said.append)
    run_cases_demo(context)
    run_cases_demo(context)  # repeatable
    text = "\n".join(said)
    assert "due within 14 days: F-2026-000123 documents" in text
    assert "06.04.2026 Ostermontag (HE)" in text
    with CaseStore(tmp_path / STORE_NAME) as store:
        assert [entry.rule for entry in store.due_within(14, today=DEMO_TODAY)] == ["documents"]
