"""``leportal qpr fetch`` through the root command, and the demo chapter."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

import leportal_qpr_sftp.plugin as plugin
from leportal_core.cli import build_cli
from leportal_core.demo import DemoContext, DemoStep
from leportal_core.plugins import new_plugin_manager, register_plugins
from tests.adapters.qpr_sftp.conftest import REPORTS, Site, assert_each_report_once


def _root() -> tuple[click.Group, object]:
    pm = new_plugin_manager()
    register_plugins(pm, [("qpr_sftp", plugin)])
    return build_cli(pm), pm


def _write_config(site: Site, port: int, host_key: str) -> Path:
    path = site.base / "qpr.toml"
    path.write_text(
        "[qpr_sftp]\n"
        f'host = "127.0.0.1"\nport = {port}\nuser = "qpr"\n'
        f'private_key = "client_key"\nhost_key = "{host_key}"\n'
        'remote_dir = "ausgang"\ntarget_dir = "eingang"\n'
        'recipient_ik = "260326822"\nrecipient_email = "pdl@pflegeheim.example"\n',
        encoding="utf-8",
    )
    return path


def test_fetch_json_then_nothing_new(site: Site) -> None:
    site.put(REPORTS)
    server = site.serve()
    path = _write_config(site, server.port, server.host_key_line)
    root, pm = _root()
    first = CliRunner().invoke(
        root, ["qpr", "fetch", "--config", str(path), "--init", "--json"], obj=pm
    )
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["ok"] is True
    assert sorted(r["local_name"] for r in data["filed"]) == sorted(REPORTS)
    second = CliRunner().invoke(root, ["qpr", "fetch", "--config", str(path)], obj=pm)
    assert second.exit_code == 0, second.output
    assert "0 new report(s), 2 already known, 0 quarantined" in second.output
    assert_each_report_once(site, REPORTS)


def test_a_lost_ledger_is_an_error_not_a_second_filing(site: Site) -> None:
    """Issue 21, point 4: without the ledger every report would be filed again as `A (2).pdf`."""
    site.put(REPORTS)
    server = site.serve()
    path = _write_config(site, server.port, server.host_key_line)
    root, pm = _root()
    never = CliRunner().invoke(root, ["qpr", "fetch", "--config", str(path), "--json"], obj=pm)
    assert never.exit_code == 2
    assert json.loads(never.output)["problems"][0]["code"] == "qpr_sftp.store.missing"
    assert not (site.target / ".leportal-qpr.sqlite").exists()
    first = CliRunner().invoke(root, ["qpr", "fetch", "--config", str(path), "--init"], obj=pm)
    assert first.exit_code == 0, first.output
    ledger = site.target / ".leportal-qpr.sqlite"
    for suffix in ("-wal", "-shm"):
        ledger.with_name(ledger.name + suffix).unlink(missing_ok=True)
    ledger.write_bytes(b"")  # emptied (a restore gone wrong, a full disk)
    lost = CliRunner().invoke(root, ["qpr", "fetch", "--config", str(path), "--json"], obj=pm)
    assert lost.exit_code == 2
    assert json.loads(lost.output)["problems"][0]["code"] == "qpr_sftp.store.missing"
    ledger.write_bytes(b"\x00garbage, not SQLite" * 300)
    damaged = CliRunner().invoke(root, ["qpr", "fetch", "--config", str(path), "--json"], obj=pm)
    assert damaged.exit_code == 1, damaged.output
    assert json.loads(damaged.output)["problems"][0]["code"] == "qpr_sftp.store.damaged"
    assert_each_report_once(site, REPORTS)  # no "(2)" twins


def test_a_refused_host_key_exits_1_and_a_bad_config_exits_2(site: Site) -> None:
    server = site.serve()
    other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    path = _write_config(site, server.port, other)
    root, pm = _root()
    init = CliRunner().invoke(root, ["qpr", "init", "--config", str(path)], obj=pm)
    assert init.exit_code == 0, init.output
    refused = CliRunner().invoke(root, ["qpr", "fetch", "--config", str(path), "--json"], obj=pm)
    assert refused.exit_code == 1
    assert json.loads(refused.output)["problems"][0]["code"] == "qpr_sftp.host_key.refused"
    path.write_text('host = "x"\n', encoding="utf-8")
    bad = CliRunner().invoke(root, ["qpr", "fetch", "--config", str(path)], obj=pm)
    assert bad.exit_code == 2
    assert "qpr_sftp.config.missing" in bad.output
    assert "Traceback" not in bad.output


def test_the_demo_chapter_fetches_once_and_stops_its_server(tmp_path: Path) -> None:
    steps: list[DemoStep] = []
    plugin.leportal_demo_steps(register=steps.append)
    assert [s.order for s in steps] == [240]
    lines: list[str] = []
    pm = new_plugin_manager()
    context = DemoContext(samples=tmp_path, out=tmp_path / "out", pm=pm, say=lines.append)
    steps[0].run(context)
    text = "\n".join(lines)
    assert "first run: 2 new, 0 already known, 1 quarantined" in text
    assert "second run: 0 new, 3 already known, 0 quarantined" in text
    filed = sorted(p.name for p in (tmp_path / "out" / "qpr" / "eingang").glob("*.pdf"))
    assert filed == [
        "Pruefbericht_260326822_2026-10-01.pdf",
        "Pruefbericht_260326822_2026-11-12.pdf",
    ]
