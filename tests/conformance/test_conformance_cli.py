"""``leportal conformance certify`` through click, and the suite's demo chapter."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from leportal_conformance import cli as conformance_cli
from leportal_conformance import plugin
from leportal_conformance.runner import certify
from leportal_core.demo import DemoContext, DemoStep
from leportal_core.plugins import new_plugin_manager

from . import broken_adapters, toy_adapter

TOY = f"{toy_adapter.__name__}:plugin"
BROKEN = f"{broken_adapters.__name__}:drops_last_byte"


def invoke(*args: str) -> tuple[int, str]:
    root = click.Group("leportal")
    plugin.leportal_register_commands(cli=root)
    result = CliRunner().invoke(root, ["conformance", "certify", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_certified_adapter_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(TOY, "--report-dir", str(out), "--seed", "3", "--max-examples", "10")
    assert code == 0, output
    assert "PASS  roundtrip.document[toy.document]" in output
    assert "CERTIFIED: toy 1.0.0" in output
    assert "seed 3" in output
    assert str(out / "certificate.md") in output
    assert {p.name for p in out.iterdir()} == {
        "report.json", "junit.xml", "certificate.md", "certificate.html", "REPRODUCE.md",
    }  # fmt: skip


def test_not_certified_adapter_exits_1(tmp_path: Path) -> None:
    code, output = invoke(BROKEN, "--report-dir", str(tmp_path), "--max-examples", "10")
    assert code == 1, output
    assert "FAIL  roundtrip.document[toy.document]: decode(encode(doc)) differs" in output
    assert "NOT CERTIFIED" in output
    assert (tmp_path / "report.json").is_file()


def test_json_output_is_the_report(tmp_path: Path) -> None:
    code, output = invoke(
        TOY, "--report-dir", str(tmp_path), "--seed", "5", "--max-examples", "5", "--json"
    )
    assert code == 0
    report = json.loads(output)
    # The CLI's one envelope (ok, problems) around report.json.
    assert report.pop("ok") is True
    assert report.pop("problems") == []
    assert report == json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "CERTIFIED"
    assert report["seed"] == 5


@pytest.mark.parametrize(
    "spec",
    [
        "no_such_adapter_anywhere",
        f"{toy_adapter.__name__}.nope:plugin",
        f"{toy_adapter.__name__}:nope",
    ],
)
def test_unloadable_adapter_exits_2_with_a_message(tmp_path: Path, spec: str) -> None:
    code, output = invoke(spec, "--report-dir", str(tmp_path))
    assert code == 2
    assert output.startswith("error: cannot load adapter")


@pytest.mark.parametrize(
    "args",
    [
        [TOY],  # --report-dir missing
        [TOY, "--report-dir", "x", "--max-examples", "0"],
        [TOY, "--report-dir", "x", "--seed", "-1"],
    ],
)
def test_usage_errors_exit_2(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _ = invoke(*args)
    assert code == 2


def test_report_dir_that_is_a_file_exits_2(tmp_path: Path) -> None:
    occupied = tmp_path / "occupied"
    occupied.write_text("not a directory", encoding="utf-8")
    code, output = invoke(TOY, "--report-dir", str(occupied / "reports"))
    assert code == 2
    assert "error: cannot create the report directory" in output


def demo_step() -> DemoStep:
    steps: list[DemoStep] = []
    plugin.leportal_demo_steps(register=steps.append)
    (step,) = steps
    return step


def test_demo_step_certifies_into_the_demo_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = demo_step()
    assert step.order == 900
    assert step.title == "Certify the FHIR adapter with the conformance suite"
    said: list[str] = []
    # Stand the toy in for fhir, so the test does not depend on what is installed.
    monkeypatch.setattr(conformance_cli, "_adapter_installed", lambda name: name == "fhir")
    monkeypatch.setattr(conformance_cli, "certify", lambda spec, **kwargs: certify(TOY, **kwargs))
    step.run(
        DemoContext(
            samples=tmp_path, out=tmp_path / "demo", pm=new_plugin_manager(), say=said.append
        )
    )
    assert any(
        "CERTIFIED: toy 1.0.0" in line and f"seed {plugin.DEMO_SEED}" in line for line in said
    )
    assert (tmp_path / "demo" / "certification" / "report.json").is_file()


def test_demo_step_without_fhir_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    monkeypatch.setattr(conformance_cli, "_adapter_installed", lambda name: False)
    demo_step().run(
        DemoContext(samples=tmp_path, out=tmp_path, pm=new_plugin_manager(), say=said.append)
    )
    assert said == ["   no adapter named fhir is installed; nothing to certify"]
    assert not (tmp_path / "certification").exists()
