"""`leportal conformance certify kis_archive` certifies the adapter (issue #7 acceptance)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from leportal_conformance.runner import certify

ROOT = Path(__file__).resolve().parents[3]


def test_the_adapter_is_certified() -> None:
    result = certify("leportal_kis_archive.plugin", seed=7, max_examples=30)
    failed = [(t.id, t.message) for t in result.tests if t.status.value == "failed"]
    assert failed == []
    assert result.verdict == "CERTIFIED"


def test_the_certify_command_exits_0(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LEPORTAL_PLUGINS": "conformance",
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "adapters" / "kis_archive"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    args = ["conformance", "certify", "leportal_kis_archive.plugin", "--report-dir", str(tmp_path)]
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from leportal_core.cli import main; main()",
            *args,
            "--seed",
            "7",
            "--max-examples",
            "20",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
