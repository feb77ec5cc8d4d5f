"""Issue 21 point 6: every file-reading command refuses a device, a FIFO, a folder and a missing
file at once, with a problem and exit status 2 (74 for a store) — no hang, no unbounded memory,
never 70.

All commands run in ONE child process (imports are slow on a busy machine) under a memory limit;
each command has an alarm, so a command that blocks on a FIFO or reads /dev/zero for ever is
reported as hung instead of hanging the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from leportal_core.delivery import build_folder, load_request, plan_delivery
from leportal_core.plugins import new_plugin_manager

ROOT = Path(__file__).resolve().parents[2]
DATE = "2026-03-02"

# @ is the hostile input; {t} the test's folder. The other arguments are valid, so a refusal is
# about the hostile input.
COMMANDS: dict[str, str] = {
    "pdf-check": "pdf check @",
    "delivery-request": "delivery build @ --out {t}/out --today " + DATE,
    "delivery-kdl": "delivery build {t}/req/anforderung.json --out {t}/out --kdl @",
    "reconcile-manifest": "delivery reconcile @ {t}/receipt.json",
    "reconcile-receipt": "delivery reconcile {t}/built @",
    "billing-validate": "billing validate @",
    "billing-profile": "billing validate --profile @ {samples}/billing/bewilligungen.csv",
    "billing-build": "billing build @ {samples}/billing/anwesenheit-2026-10.csv --month 2026-10 "
    "--invoice-number 1 --invoice-date 01.11.2026 --ik 260326822 --facility-number 1 "
    "--out {t}/b.csv",
    "totp-uri-file": "totp machine-add --store {t}/t.db --account a --uri-file @",
    "totp-key-file": "totp enroll --store {t}/t.db --account a --no-qr --key-file @",
    "totp-store": "totp verify --store @ --account a 123456",
    "case-store": "case --store @ due",
    "archive-import": "archive import @",
    "archive-export": "archive export @ --out {t}/export",
    "qpr-config": "qpr fetch --config @",
    "fhir-validate": "fhir validate @",
    "conformance-known-failures": "conformance certify fhir --development --known-failures @ "
    "--report-dir {t}/report",
    "therapy-render": "therapy render @ -o {t}/r.pdf",
    "therapy-gdt": "therapy gdt-patient @",
}
KINDS = ("zero", "fifo", "folder", "missing")
# A folder is a fine input to archive import (a folder of messages).
SKIP = {("archive-import", "folder")}
# A store that cannot be used has its own exit status (74, leportal_core.cli.EXIT_STORAGE).
STORE_OPTIONS = {"totp-store", "case-store"}

DRIVER = r"""
import json, os, resource, shlex, signal, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from click.testing import CliRunner
from leportal_core.cli import build_cli
from leportal_core.plugins import get_plugin_manager
from leportal_core.secondfactor.sealing import SealingKey

class Hung(BaseException):
    pass

def alarm(*_):
    raise Hung()

signal.signal(signal.SIGALRM, alarm)
os.environ["LEPORTAL_SEAL_KEY"] = SealingKey.generate().to_text()
cli = build_cli(get_plugin_manager())
results = {}
for name, argv in json.loads(sys.argv[1]).items():
    signal.alarm(int(sys.argv[2]))
    try:
        result = CliRunner().invoke(cli, argv)
        status = result.exit_code
        output = result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            output += "\nEXCEPTION " + repr(result.exception)
            status = "exception"
    except Hung:
        status, output = "hung", ""
    finally:
        signal.alarm(0)
    results[name] = {"status": status, "output": output[-2000:]}
print("RESULTS:" + json.dumps(results))
"""


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("inputs")
    inputs = {
        "zero": "/dev/zero",
        "fifo": str(folder / "fifo"),
        "folder": str(folder / "a-folder"),
        "missing": str(folder / "missing-file"),
    }
    os.mkfifo(inputs["fifo"])
    os.mkdir(inputs["folder"])
    shutil.copytree(ROOT / "samples" / "documents", folder / "req")
    plan = plan_delivery(
        load_request(folder / "req" / "anforderung.json"),
        new_plugin_manager(),
        today=__import__("datetime").date(2026, 3, 2),
        kdl=None,
    )
    build_folder(plan, folder / "built")
    (folder / "receipt.json").write_text('{"files": []}', encoding="utf-8")
    cases = {}
    for name, template in COMMANDS.items():
        for kind in KINDS:
            if (name, kind) in SKIP:
                continue
            text = template.format(t=folder, samples=ROOT / "samples")
            cases[f"{name}/{kind}"] = [inputs[kind] if a == "@" else a for a in text.split()]
    child = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(cases), "120"],
        capture_output=True,
        text=True,
        timeout=3000,
        cwd=folder,
        env={
            k: v for k, v in os.environ.items() if k not in ("LEPORTAL_PLUGINS", "LEPORTAL_DEBUG")
        },
    )
    line = next((x for x in child.stdout.splitlines() if x.startswith("RESULTS:")), None)
    assert line is not None, child.stderr[-3000:]
    return {"results": json.loads(line.removeprefix("RESULTS:")), "inputs": inputs}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_hostile_input_is_refused_at_once(
    outcomes: dict[str, Any], command: str, kind: str
) -> None:
    if (command, kind) in SKIP:
        pytest.skip("a valid input for this command")
    result = outcomes["results"][f"{command}/{kind}"]
    # One status for every command (docs/cli.md): 2, or 74 for a store.
    assert result["status"] == (74 if command in STORE_OPTIONS else 2), result
    name = Path(outcomes["inputs"][kind]).name
    assert name in result["output"], result  # the complaint names the input


def test_open_input_checks_the_open_descriptor(tmp_path: Path) -> None:
    from leportal_core.files import InputRefused, open_input, read_input_bytes

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path, code in ((fifo, "input.not_regular"), (Path("/dev/zero"), "input.not_regular")):
        with pytest.raises(InputRefused) as caught:
            open_input(path)
        assert caught.value.code == code
    with pytest.raises(InputRefused) as folder:
        open_input(tmp_path)
    assert folder.value.code == "input.not_regular"
    assert "folder" in str(folder.value)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 11)
    with pytest.raises(InputRefused) as large:
        read_input_bytes(big, 10)
    assert large.value.code == "input.too_large"
    assert read_input_bytes(big, 11) == b"x" * 11
    with pytest.raises(FileNotFoundError):
        open_input(tmp_path / "missing")
