"""The command line's one contract (docs/cli.md), checked on EVERY command found in the click tree
— the core's and every installed plug-in's: help on every option, ``--json`` on every command,
one date type, one output-path name; an input file that is missing, unreadable, a folder or a
FIFO gives exit 2 and one JSON envelope naming it; bad arguments give exit 2 and the envelope;
a closed stdout is not an internal error.

Each command gets valid stand-ins for its other required parameters, so the refusal is about the
hostile input alone; input files are checked before a command runs, so no command does real work.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from leportal_core.cli import build_cli
from leportal_core.cli.lazy import LazyCommand
from leportal_core.cli.params import DATE, InputPath
from leportal_core.plugins import load_entry_point_plugins, new_plugin_manager

INPUT_CODES = {"input.file.missing", "input.file.unreadable", "input.not_regular"}
# Every installed plug-in's group must be in the tree, or the walk proves little.
EXPECTED_GROUPS = {"archive", "conformance", "fhir", "qpr", "therapy"}


def _cli() -> click.Group:
    saved = os.environ.pop("LEPORTAL_PLUGINS", None)  # tests/conftest.py switches them off
    try:
        pm = new_plugin_manager()
        load_entry_point_plugins(pm, tolerate_broken=False)
        return build_cli(pm)
    finally:
        if saved is not None:
            os.environ["LEPORTAL_PLUGINS"] = saved


CLI = _cli()


def _leaves(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = _resolved(group.get_command(ctx, name))
        if isinstance(command, click.Group):
            yield from _leaves(command, (*path, name))
        else:
            yield (*path, name)


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = CLI
    for name in path:
        assert isinstance(command, click.Group)
        command = _resolved(command.get_command(click.Context(command), name))
    return command


def _resolved(command: click.Command | None) -> click.Command:
    """The real command behind a lazy placeholder (imported only when it runs)."""
    assert command is not None
    return command.resolve() if isinstance(command, LazyCommand) else command


LEAVES = sorted(_leaves(CLI))
IDS = [" ".join(path) for path in LEAVES]
# (command, parameter) for every parameter that reads a file.
FILE_PARAMS = [
    (path, param.name)
    for path in LEAVES
    for param in _command(path).params
    if isinstance(param.type, InputPath)
]


def _stand_in(param: click.Parameter, tmp: Path) -> str:
    """A valid value for ``param`` (the hostile input is somewhere else)."""
    kind = param.type
    if isinstance(kind, InputPath):
        sample = tmp / "stand-in.txt"
        sample.write_text("x\n", encoding="utf-8")
        return str(sample)
    if kind is DATE:
        return "2026-03-02"
    if param.name == "month":
        return "2026-10"
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, click.IntRange | click.FloatRange):
        return str(kind.min if kind.min is not None else 1)
    if isinstance(kind, click.Path):
        return str(tmp / f"out-{param.name}")
    return "x"


def _argv(path: tuple[str, ...], tmp: Path, hostile: tuple[str, str] | None = None) -> list[str]:
    """Command line of ``path`` with stand-ins for every required parameter and ``hostile`` =
    (parameter name, value) for the one under test."""
    options: list[str] = []
    arguments: list[str] = []
    for param in _command(path).params:
        is_hostile = hostile is not None and param.name == hostile[0]
        if not (param.required or is_hostile):
            continue
        value = hostile[1] if hostile is not None and is_hostile else _stand_in(param, tmp)
        if isinstance(param, click.Argument):
            arguments.append(value)
        elif isinstance(param, click.Option) and param.is_flag:
            options.append(param.opts[0])
        else:
            assert isinstance(param, click.Option)
            options += [param.opts[0], value]
    return [*path, *options, *arguments]


def _envelope(output: str) -> dict[str, Any]:
    """stdout must be exactly one JSON document with ``ok`` and ``problems``."""
    data = json.loads(output)  # raises on a second document or any stray text
    assert isinstance(data, dict), output
    assert isinstance(data["ok"], bool), data
    assert isinstance(data["problems"], list), data
    for problem in data["problems"]:
        assert {"code", "message", "severity"} <= set(problem), problem
    return data


def _run(argv: list[str]) -> Any:
    result = CliRunner().invoke(CLI, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def test_the_walk_sees_every_installed_group() -> None:
    assert {path[0] for path in LEAVES} >= EXPECTED_GROUPS
    assert len(FILE_PARAMS) >= 20  # pdf, delivery, billing, totp, archive, fhir, therapy, qpr, …


@pytest.mark.parametrize("path", LEAVES, ids=IDS)
def test_every_command_has_json_and_help_on_every_option(path: tuple[str, ...]) -> None:
    command = _command(path)
    options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
    assert "--json" in {opt for p in options for opt in p.opts}, "no --json"
    for option in options:
        assert option.help, f"{option.opts[0]} has no help text"
    for param in command.params:
        assert not isinstance(param.type, click.DateTime), f"{param.name}: use params.DATE"
    # One output-path name: the old ones are hidden aliases only.
    ctx = click.Context(command)
    records = [option.get_help_record(ctx) for option in options]
    in_help = {name for r in records if r for name in re.findall(r"-{1,2}[\w-]+", r[0])}
    assert not in_help & {"--output", "--report-dir", "-o"}, "use --out"
    assert command.help, "no help text"


def _hostile_inputs(tmp: Path) -> dict[str, str]:
    inputs = {"missing": str(tmp / "missing-file"), "fifo": str(tmp / "fifo")}
    os.mkfifo(inputs["fifo"])
    folder = tmp / "a-folder"
    folder.mkdir()
    inputs["folder"] = str(folder)
    unreadable = tmp / "unreadable"
    unreadable.write_text("x", encoding="utf-8")
    unreadable.chmod(0)
    if not os.access(unreadable, os.R_OK):  # root reads everything: the FIFO stands in
        inputs["unreadable"] = str(unreadable)
    return inputs


@pytest.mark.parametrize("kind", ["missing", "unreadable", "folder", "fifo"])
@pytest.mark.parametrize(
    ("path", "param"), FILE_PARAMS, ids=[f"{' '.join(p)}:{n}" for p, n in FILE_PARAMS]
)
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_an_unusable_input_file_is_exit_2_with_one_envelope(
    path: tuple[str, ...], param: str, kind: str, as_json: bool, tmp_path: Path
) -> None:
    inputs = _hostile_inputs(tmp_path)
    if kind not in inputs:
        pytest.skip("running as root: no file is unreadable")
    accepts_folder = next(p for p in _command(path).params if p.name == param).type.dir_okay  # type: ignore[attr-defined]
    if kind == "folder" and accepts_folder:
        pytest.skip("a folder is a valid input here")
    argv = _argv(path, tmp_path, (param, inputs[kind]))
    result = _run(argv + (["--json"] if as_json else []))
    assert result.exit_code == 2, (argv, result.output)
    if as_json:
        data = _envelope(result.stdout)
        assert data["ok"] is False
        (problem,) = data["problems"]
        assert problem["code"] in INPUT_CODES
        assert problem["location"]["file"] == inputs[kind]
        assert result.stderr == ""
    else:
        assert result.stdout == ""
        assert inputs[kind] in result.stderr
        assert any(code in result.stderr for code in INPUT_CODES)


@pytest.mark.parametrize("path", LEAVES, ids=IDS)
def test_bad_arguments_are_exit_2_with_one_envelope(path: tuple[str, ...], tmp_path: Path) -> None:
    unknown = _run([*_argv(path, tmp_path), "--no-such-option", "--json"])
    assert unknown.exit_code == 2, unknown.output
    data = _envelope(unknown.stdout)
    assert data["ok"] is False
    assert [p["code"] for p in data["problems"]] == ["cli.usage.invalid"]
    assert "--no-such-option" in data["problems"][0]["message"]
    text = _run([*_argv(path, tmp_path), "--no-such-option"])
    assert text.exit_code == 2
    assert "No such option" in text.stderr
    assert text.stdout == ""
    if any(p.required for p in _command(path).params):
        missing = _run([*path, "--json"])
        assert missing.exit_code == 2, missing.output
        assert [p["code"] for p in _envelope(missing.stdout)["problems"]] == ["cli.usage.invalid"]


def test_a_bad_date_is_a_usage_error_and_both_spellings_work(tmp_path: Path) -> None:
    base = ["deadlines", "--rule", "documents", "--state", "HE", "--json"]
    iso = _run([*base, "--received", "2026-03-02"])
    german = _run([*base, "--received", "02.03.2026"])
    assert iso.exit_code == german.exit_code == 0
    assert _envelope(iso.stdout) == _envelope(german.stdout)
    bad = _run([*base, "--received", "2026-02-30"])
    assert bad.exit_code == 2
    assert "JJJJ-MM-TT or TT.MM.JJJJ" in _envelope(bad.stdout)["problems"][0]["message"]


def test_root_store_and_environment_name_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = str(tmp_path / "one.sqlite")
    made = _run(["--store", store, "store", "init", "--json"])
    assert made.exit_code == 0, made.output
    assert _envelope(made.stdout)["created"] is True
    assert _run(["--store", store, "case", "due", "--json"]).exit_code == 0
    monkeypatch.setenv("LEPORTAL_STORE", store)
    listed = _run(["case", "overdue", "--json"])
    assert listed.exit_code == 0, listed.output
    assert _envelope(listed.stdout)["total"] == 0
    monkeypatch.delenv("LEPORTAL_STORE")
    none = _run(["case", "due", "--json"])
    assert none.exit_code == 2
    assert "LEPORTAL_STORE" in _envelope(none.stdout)["problems"][0]["message"]
    # A store that is not there is the store's own error (74), by the root option too.
    absent = _run(["--store", str(tmp_path / "typo.sqlite"), "case", "due", "--json"])
    assert absent.exit_code == 74
    assert _envelope(absent.stdout)["problems"][0]["code"].startswith("store.")


def test_old_output_spellings_still_work(tmp_path: Path) -> None:
    from leportal_therapy_pvs.codecs import ReportJsonCodec
    from leportal_therapy_pvs.samples import sample_report

    report = tmp_path / "report.json"
    report.write_bytes(ReportJsonCodec().encode(sample_report()))
    for spelling in ("--out", "-o", "--output"):
        target = tmp_path / f"r{spelling.strip('-')}.pdf"
        result = _run(["therapy", "render", str(report), spelling, str(target), "--json"])
        assert result.exit_code == 0, result.output
        assert _envelope(result.stdout)["output"] == str(target)


@pytest.mark.parametrize(
    "argv",
    [
        ["ik", "check", "260326822"],
        ["ik", "check", "260326822", "--json"],
        ["billing", "profiles", "--json"],
        ["--help"],
    ],
)
def test_a_closed_stdout_is_a_quiet_exit_141(argv: list[str]) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # like `leportal … | head -0`
    try:
        done = subprocess.run(
            [sys.executable, "-m", "leportal_core", *argv],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.returncode == 141, done.stderr
    assert done.stderr == ""


def test_cli_md_names_every_command_and_shows_the_envelope() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `leportal ")]
    for path in LEAVES:
        group = f"`leportal {path[0]}"
        assert any(
            line.startswith(f"| {group}") and re.search(rf"\b{re.escape(path[-1])}\b", line)
            for line in rows
        ), f"docs/cli.md has no row for leportal {' '.join(path)}"
    # The documented example, run: the envelope's keys in their documented order.
    example = _run(["ik", "check", "260326822", "260326823", "--json"])
    assert example.exit_code == 1
    data = _envelope(example.stdout)
    assert list(data) == ["ok", "problems", "results"]
    assert [p["code"] for p in data["problems"]] == ["ik.checksum"]
    assert '"ok": false' in text
    assert '{"code": "ik.checksum"' in text
