"""Happy paths against a real SFTP server on loopback: fetch, re-run, hook, clean-up, auth."""

from __future__ import annotations

import os
from typing import Any

import pytest

from leportal_core.hookspecs import hookimpl
from leportal_core.plugins import new_plugin_manager
from leportal_qpr_sftp import FetchedReport, PickupError, fetch_reports
from leportal_qpr_sftp.ledger import Ledger
from tests.adapters.qpr_sftp.conftest import IK, REPORTS, Site, assert_each_report_once


class Listener:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[FetchedReport, str]] = []
        self.fail = fail

    @hookimpl
    def leportal_qpr_report_fetched(self, report: FetchedReport, path: str) -> None:
        self.calls.append((report, path))
        if self.fail:
            raise RuntimeError("archive offline")


def test_fetches_new_reports_once_and_a_rerun_fetches_nothing(site: Site) -> None:
    site.put(REPORTS)
    server = site.serve()
    config = site.config(server)
    pm = new_plugin_manager()
    listener = Listener()
    pm.register(listener)

    first = fetch_reports(config, pm=pm)
    assert first.ok
    assert sorted(r.local_name for r in first.filed) == sorted(REPORTS)
    assert_each_report_once(site, REPORTS)
    report = next(r for r in first.filed if r.remote_name == "Pruefbericht_A.pdf")
    assert report.size == len(REPORTS["Pruefbericht_A.pdf"])
    assert report.recipient_ik == IK
    assert report.remote_mtime.utcoffset() is not None
    assert [c[0].local_name for c in listener.calls] == [r.local_name for r in first.filed]
    assert listener.calls[0][1] == str(site.target / listener.calls[0][0].local_name)

    second = fetch_reports(config, pm=pm)
    assert second.ok
    assert second.filed == ()
    assert second.already_known == 2
    assert len(listener.calls) == 2
    assert_each_report_once(site, REPORTS)
    ledger = Ledger(config.store)
    try:
        rows = ledger.rows("filed")
    finally:
        ledger.close()
    assert {(r.key.remote_name, r.key.size) for r in rows} == {
        (n, len(d)) for n, d in REPORTS.items()
    }


def test_a_republished_file_with_new_content_is_fetched_again(site: Site) -> None:
    site.put({"bericht.pdf": REPORTS["Pruefbericht_A.pdf"]})
    config = site.config(site.serve())
    fetch_reports(config)
    new = REPORTS["Pruefbericht_B.pdf"]
    (site.outbox / "bericht.pdf").write_bytes(new)
    os.utime(site.outbox / "bericht.pdf", (2_000_000_000, 2_000_000_000))
    run = fetch_reports(config)
    assert [r.local_name for r in run.filed] == ["bericht (2).pdf"]
    assert site.filed() == {"bericht.pdf": REPORTS["Pruefbericht_A.pdf"], "bericht (2).pdf": new}


def test_same_content_under_a_new_time_is_not_filed_twice(site: Site) -> None:
    site.put({"bericht.pdf": REPORTS["Pruefbericht_A.pdf"]})
    config = site.config(site.serve())
    fetch_reports(config)
    os.utime(site.outbox / "bericht.pdf", (2_000_000_000, 2_000_000_000))
    run = fetch_reports(config)
    assert run.filed == ()
    assert [p.code for p in run.problems] == ["qpr_sftp.file.duplicate"]
    assert_each_report_once(site, {"bericht.pdf": REPORTS["Pruefbericht_A.pdf"]})


def test_a_name_clash_never_overwrites_a_local_file(site: Site) -> None:
    site.put(REPORTS)
    site.target.mkdir()
    (site.target / "Pruefbericht_A.pdf").write_bytes(b"the host's own file")
    run = fetch_reports(site.config(site.serve()))
    assert run.ok
    assert (site.target / "Pruefbericht_A.pdf").read_bytes() == b"the host's own file"
    assert (site.target / "Pruefbericht_A (2).pdf").read_bytes() == REPORTS["Pruefbericht_A.pdf"]


def test_a_failing_hook_keeps_the_report_and_is_called_again(site: Site) -> None:
    site.put({"a.pdf": REPORTS["Pruefbericht_A.pdf"]})
    config = site.config(site.serve())
    pm = new_plugin_manager()
    failing = Listener(fail=True)
    pm.register(failing)
    run = fetch_reports(config, pm=pm)
    assert [p.code for p in run.problems] == ["qpr_sftp.hook.failed"]
    assert run.ok  # a warning: the report itself is safe
    assert site.filed() == {"a.pdf": REPORTS["Pruefbericht_A.pdf"]}
    pm.unregister(failing)
    healthy = Listener()
    pm.register(healthy)
    again = fetch_reports(config, pm=pm)
    assert again.problems == ()
    assert [c[0].local_name for c in healthy.calls] == ["a.pdf"]
    fetch_reports(config, pm=pm)
    assert len(healthy.calls) == 1


@pytest.mark.parametrize("action", ["delete", "move"])
def test_remote_clean_up_happens_after_filing(site: Site, action: str) -> None:
    site.put(REPORTS)
    (site.outbox / "abgeholt").mkdir()
    extra: dict[str, Any] = {"after_fetch": action}
    if action == "move":
        extra["move_to"] = "ausgang/abgeholt"
    config = site.config(site.serve(), **extra)
    run = fetch_reports(config)
    assert run.ok
    assert_each_report_once(site, REPORTS)
    left = sorted(p.name for p in site.outbox.iterdir() if p.is_file())
    assert left == []
    moved = sorted(p.name for p in (site.outbox / "abgeholt").iterdir())
    assert moved == (sorted(REPORTS) if action == "move" else [])
    assert fetch_reports(config).filed == ()
    assert_each_report_once(site, REPORTS)


def test_password_login_from_an_environment_variable(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.put(REPORTS)
    server = site.serve(password="s3cret-Passwort")
    monkeypatch.setenv("QPR_TEST_PASSWORD", "s3cret-Passwort")
    config = site.config(server, private_key=None, password_env="QPR_TEST_PASSWORD")
    assert "s3cret" not in repr(config)
    assert fetch_reports(config).ok
    assert_each_report_once(site, REPORTS)


def test_a_wrong_password_is_refused_without_showing_it(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = site.serve(password="richtig")
    monkeypatch.setenv("QPR_TEST_PASSWORD", "falsch-geheim")
    config = site.config(server, private_key=None, password_env="QPR_TEST_PASSWORD")
    with pytest.raises(PickupError) as caught:
        fetch_reports(config)
    assert caught.value.code == "qpr_sftp.auth.failed"
    assert "falsch-geheim" not in str(caught.value)


def test_a_closed_port_is_a_pickup_error(site: Site) -> None:
    server = site.serve()
    config = site.config(server)
    server.stop()
    with pytest.raises(PickupError) as caught:
        fetch_reports(config)
    assert caught.value.code == "qpr_sftp.connect.failed"


def test_a_missing_remote_folder_is_reported(site: Site) -> None:
    run = fetch_reports(site.config(site.serve(), remote_dir="gibt-es-nicht"))
    assert not run.ok
    assert [p.code for p in run.problems] == ["qpr_sftp.remote.list_failed"]


def test_progress_is_reported_per_file(site: Site) -> None:
    site.put(REPORTS)
    seen: list[tuple[str, int, int]] = []
    fetch_reports(site.config(site.serve()), progress=lambda *a: seen.append(a))
    last = {name: (done, total) for name, done, total in seen}
    assert last == {name: (len(data), len(data)) for name, data in REPORTS.items()}
