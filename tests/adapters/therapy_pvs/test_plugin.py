"""The adapter through the plug-in manager: codecs, certification, CLI, demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pluggy
import pytest
from click.testing import CliRunner

import leportal_therapy_pvs.plugin as plugin
from leportal_conformance.runner import certify
from leportal_core.cli import build_cli
from leportal_core.demo import DemoContext, DemoStep
from leportal_core.plugins import collect_codecs, new_plugin_manager, register_plugins
from leportal_core.store import connect
from leportal_core.therapy import SendingHistory
from leportal_therapy_pvs.codecs import GdtPatientCodec, ReportJsonCodec
from leportal_therapy_pvs.localsmtp import LocalSmtpServer
from leportal_therapy_pvs.render import render_report
from leportal_therapy_pvs.samples import sample_report


@pytest.fixture
def pm() -> pluggy.PluginManager:
    manager = new_plugin_manager()
    register_plugins(manager, [("therapy_pvs", plugin)])
    return manager


def test_codecs_registered(pm: pluggy.PluginManager) -> None:
    assert {"therapy_pvs.gdt_patient", "therapy_pvs.gdt_result", "therapy_pvs.report_json"} <= set(
        collect_codecs(pm)
    )


def test_adapter_is_certified() -> None:
    result = certify("leportal_therapy_pvs.plugin", seed=7, max_examples=25)
    failed = [t for t in result.tests if t.status.value in ("failed", "error")]
    assert failed == []
    assert result.certified


def invoke(pm: pluggy.PluginManager, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(build_cli(pm), list(args), obj=pm, env=env, catch_exceptions=False)


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    path = tmp_path / "report.json"
    path.write_bytes(ReportJsonCodec().encode(sample_report()))
    return path


def test_cli_render(pm: pluggy.PluginManager, report_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = invoke(pm, "therapy", "render", str(report_file), "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["bytes"] == out.stat().st_size
    assert out.read_bytes().startswith(b"%PDF-1.7")


def test_cli_render_rejects_bad_form(pm: pluggy.PluginManager, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"form": "leportal.therapiebericht/1"}', encoding="utf-8")
    result = invoke(pm, "therapy", "render", str(bad), "-o", str(tmp_path / "x.pdf"), "--json")
    assert result.exit_code == 1
    codes = {p["code"] for p in json.loads(result.output)["problems"]}
    assert "therapy.form.missing" in codes
    assert not (tmp_path / "x.pdf").exists()


def test_cli_render_to_missing_folder_is_exit_2(
    pm: pluggy.PluginManager, report_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "out.pdf"
    result = CliRunner().invoke(
        build_cli(pm), ["therapy", "render", str(report_file), "-o", str(out)], obj=pm
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_cli_send_and_history(pm: pluggy.PluginManager, report_file: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite"
    assert invoke(pm, "therapy", "init", "--store", str(store)).exit_code == 0
    with LocalSmtpServer() as server:
        args = ["therapy", "send", str(report_file), "--store", str(store), "--smtp-host",
                server.host, "--smtp-port", str(server.port), "--tls", "none", "--json"]  # fmt: skip
        first = invoke(pm, *args)
        second = invoke(pm, *args)
        assert len(server.received) == 1
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["sent_now"] is True
    assert json.loads(second.output)["sent_now"] is False
    history = invoke(pm, "therapy", "history", "--store", str(store), "--json", "--purge")
    entries = json.loads(history.output)["entries"]
    assert [(e["report_id"], e["outcome"]) for e in entries] == [("TB-2026-0001", "versendet")]


def test_cli_send_unreachable_is_exit_1(
    pm: pluggy.PluginManager, report_file: Path, tmp_path: Path
) -> None:
    with LocalSmtpServer() as server:
        port = server.port
    invoke(pm, "therapy", "init", "--store", str(tmp_path / "s.sqlite"))
    result = invoke(
        pm, "therapy", "send", str(report_file), "--store", str(tmp_path / "s.sqlite"),
        "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--tls", "none",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "fehlgeschlagen" in result.output


def test_cli_missing_password_env_is_exit_2(
    pm: pluggy.PluginManager, report_file: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        build_cli(pm),
        ["therapy", "send", str(report_file), "--store", str(tmp_path / "s.sqlite"),
         "--smtp-host", "127.0.0.1", "--username", "u", "--password-env", "NOPE_NOT_SET"],
        obj=pm,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_cli_gdt_patient(pm: pluggy.PluginManager, tmp_path: Path) -> None:
    path = tmp_path / "in.gdt"
    path.write_bytes(GdtPatientCodec().encode(sample_report().patient))
    result = invoke(pm, "therapy", "gdt-patient", str(path), "--json")
    assert json.loads(result.output)["patient"]["family_name"] == "Müller-Lüdenscheidt"
    path.write_bytes(b"01380006399\r\n")
    bad = invoke(pm, "therapy", "gdt-patient", str(path), "--json")
    assert bad.exit_code == 1
    assert json.loads(bad.output)["problems"][0]["location"] == {"line": 1, "field": "8000"}


def test_demo_chapters(pm: pluggy.PluginManager, tmp_path: Path) -> None:
    said: list[str] = []
    context = DemoContext(samples=tmp_path, out=tmp_path / "out", pm=pm, say=said.append)
    steps: list[DemoStep] = []
    plugin.leportal_demo_steps(register=steps.append)
    assert [step.order for step in steps] == [230, 231, 232, 233]
    for step in steps:  # only ours: the core's chapters are tested by the core
        step.run(context)
    text = "\n".join(said)
    assert "PDF/A-2b" in text
    assert "core PDF check ok: True" in text
    assert "X-KIM-Dienstkennung: Arztbrief;VHitG-Versand;V1.2" in text
    assert "retry: sent again? False; messages on the server: 1" in text
    assert "SMTP server stopped" in text
    assert (tmp_path / "out" / "therapiebericht.gdt").read_bytes().startswith(b"01380006310")
    history = SendingHistory(connect(tmp_path / "out" / "therapy.sqlite", create=True))
    assert [e.outcome.value for e in history.recent()] == ["versendet"]


def test_cli_send_practice_pdf(pm: pluggy.PluginManager, report_file: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    assert invoke(pm, "therapy", "init", "--store", str(store)).exit_code == 0
    practice_pdf = tmp_path / "from-pvs.pdf"
    practice_pdf.write_bytes(render_report(sample_report()))
    with LocalSmtpServer() as server:
        result = invoke(
            pm, "therapy", "send", str(report_file), "--store", str(store),
            "--smtp-host", server.host, "--smtp-port", str(server.port), "--tls", "none",
            "--pdf", str(practice_pdf),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        message = server.received[0].message()
    assert message.get_content_type() == "multipart/mixed"  # plain: the KIM module encrypts
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content() == practice_pdf.read_bytes()


def test_cli_send_to_a_missing_store_is_exit_2(
    pm: pluggy.PluginManager, report_file: Path, tmp_path: Path
) -> None:
    typo = tmp_path / "stroe.sqlite"
    result = CliRunner().invoke(
        build_cli(pm),
        ["therapy", "send", str(report_file), "--store", str(typo), "--smtp-host", "127.0.0.1",
         "--tls", "none"],
        obj=pm,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "therapy.store.missing" in result.output
    assert not typo.exists()
    history = CliRunner().invoke(
        build_cli(pm), ["therapy", "history", "--store", str(typo)], obj=pm
    )
    assert history.exit_code == 2
    assert "no sends" not in history.output


def test_cli_damaged_store_is_not_an_internal_error(
    pm: pluggy.PluginManager, report_file: Path, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(bytes(range(256)) * 64)
    result = CliRunner().invoke(
        build_cli(pm), ["therapy", "history", "--store", str(damaged)], obj=pm
    )
    assert result.exit_code == 74, result.output  # a StorageError, as for every store
    assert "therapy.store.damaged" in result.output


def test_demo_runs_twice(pm: pluggy.PluginManager, tmp_path: Path) -> None:
    """`make demo` twice (issue 20, item 1): each run starts with a new store and sends again."""
    steps: list[DemoStep] = []
    plugin.leportal_demo_steps(register=steps.append)
    runs = []
    for _ in range(2):
        said: list[str] = []
        context = DemoContext(samples=tmp_path, out=tmp_path / "out", pm=pm, say=said.append)
        for step in steps:
            step.run(context)
        # without the lines that name the server's port or the clock time
        runs.append(
            [line.strip() for line in said if "127.0.0.1:" not in line and " UTC " not in line]
        )
    assert runs[0] == runs[1]
    assert "retry: sent again? False; messages on the server: 1" in runs[1]
    assert any(line.startswith("sent: versendet") for line in runs[1])
