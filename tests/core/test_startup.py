"""Lazy start-up (issue 17, build 4): ``--version`` and ``--help`` import no adapter dependency or
domain package; commands, codecs and demo chapters are imported when used. Each check runs in a
fresh interpreter, as a host that shells out meets the command line."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from leportal_core.cli import build_cli
from leportal_core.cli.lazy import LazyCommand
from leportal_core.plugins import collect_codecs, get_plugin_manager, register_plugins

HEAVY = ("fpdf", "asyncssh", "hypothesis", "pypdf", "holidays")
# Domain packages and the modules behind the commands, codecs and chapters.
DOMAIN = (
    "leportal_core.billing",
    "leportal_core.cases",
    "leportal_core.delivery",
    "leportal_core.pdf",
    "leportal_core.secondfactor",
    "leportal_core.demo",
    "leportal_core.cli.cases",
    "leportal_fhir.cli",
    "leportal_kis_archive.codec",
    "leportal_therapy_pvs.render",
    "leportal_qpr_sftp.fetch",
    "leportal_conformance.runner",
)

PROBE = """
import json, sys
{setup}
print(json.dumps(sorted(sys.modules)), file=sys.__stderr__)
"""


def imported_by(setup: str) -> set[str]:
    """The modules a fresh interpreter has imported after running ``setup``."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(setup=setup)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def run_cli(*args: str) -> str:
    return (
        "from leportal_core.cli import main\n"
        f"try:\n    main({list(args)!r})\nexcept SystemExit as exit:\n    assert not exit.code, exit.code"
    )


def heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize(
    "setup",
    ["import leportal_core", run_cli("--version"), run_cli("--help")],
    ids=["import", "--version", "--help"],
)
def test_start_up_imports_no_dependency_or_domain_package(setup: str) -> None:
    modules = imported_by(setup)
    assert heavy(modules, HEAVY) == []
    assert heavy(modules, DOMAIN) == []


def test_a_command_imports_only_what_it_needs() -> None:
    modules = imported_by(run_cli("ik", "check", "260326822"))
    assert "leportal_core.cli.ik" in modules
    assert heavy(modules, HEAVY) == []
    assert heavy(modules, DOMAIN) == []


def test_help_lists_every_command_from_declared_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEPORTAL_PLUGINS", raising=False)
    result = CliRunner().invoke(build_cli(get_plugin_manager()), ["--help"])
    assert result.exit_code == 0, result.output
    for name in ("ik", "pdf", "demo", "billing", "plugins", "fhir", "qpr", "conformance"):
        assert f"\n  {name} " in result.output, name


def test_a_lazy_command_that_cannot_be_imported_is_a_plugin_error_not_a_traceback() -> None:
    pm = get_plugin_manager(load_entry_points=False)
    cli = build_cli(pm)
    cli.add_command(LazyCommand("acme", "acme_missing_module:acme", "Does not exist."))
    listed = CliRunner().invoke(cli, ["--help"])
    assert "Does not exist." in listed.output
    result = CliRunner().invoke(cli, ["acme"])
    assert result.exit_code == 2
    assert "acme_missing_module" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_a_lazy_command_works_in_a_plain_click_group() -> None:
    group = click.Group("host")
    group.add_command(LazyCommand("ik", "leportal_core.cli.ik:ik", "IK checks."))
    result = CliRunner().invoke(group, ["ik", "check", "260326822", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


@pytest.mark.parametrize(
    "package",
    [
        "leportal_core",
        "leportal_fhir",
        "leportal_kis_archive",
        "leportal_therapy_pvs",
        "leportal_qpr_sftp",
        "leportal_conformance",
    ],
)
def test_every_lazily_exported_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if getattr(module, name, None) is None]
    assert missing == []
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018


def test_the_core_codecs_are_built_in_plug_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEPORTAL_PLUGINS", "")
    pm = get_plugin_manager()
    codec = collect_codecs(pm)["billing.mass_provisional_v1"]
    assert [impl.plugin_name for impl in pm.hook.leportal_register_codecs.get_hookimpls()] == [
        "leportal.builtin"
    ]
    assert codec.media_type == "text/csv"


def test_an_adapter_hook_exists_once_the_adapter_is_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The documented ``register_plugins(pm, [("host", listener)])`` for the qpr_sftp adapter's
    own hook (before: ``PluginError: unknown hook``, the spec came only with a pickup)."""
    heard: list[str] = []

    class Listener:
        @staticmethod
        def leportal_qpr_report_fetched(report: object, path: str) -> None:
            heard.append(path)

    from leportal_core.hookspecs import hookimpl

    Listener.leportal_qpr_report_fetched = hookimpl(Listener.leportal_qpr_report_fetched)  # type: ignore[method-assign]
    monkeypatch.setenv("LEPORTAL_PLUGINS", "qpr_sftp")
    pm = get_plugin_manager()
    register_plugins(pm, [("host", Listener())])
    assert pm.hook.leportal_qpr_report_fetched.has_spec()
    pm.hook.leportal_qpr_report_fetched(report=None, path="/archiv/bericht.pdf")
    assert heard == ["/archiv/bericht.pdf"]
