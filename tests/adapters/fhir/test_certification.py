"""The fhir adapter certifies; a copy of it that loses one byte does not (issue #2 acceptance)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def certify(adapter: str, report_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEPORTAL_PLUGINS": "conformance"}
    code = "from leportal_core.cli import main; main()"
    args = ["conformance", "certify", adapter, "--report-dir", str(report_dir), "--seed", "7"]
    return subprocess.run(
        [sys.executable, "-c", code, *args, "--max-examples", "40"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=600,
    )


def test_fhir_adapter_is_certified(tmp_path: Path) -> None:
    result = certify("fhir", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.name for p in tmp_path.iterdir()} >= {"report.json", "junit.xml", "certificate.md"}
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "CERTIFIED"


def test_broken_copy_of_fhir_adapter_is_not_certified(tmp_path: Path) -> None:
    result = certify("tests.adapters.fhir.broken_copy:adapter", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    failed = {t["id"] for t in report["tests"] if t["status"] == "failed"}
    # The dropped byte must be caught by the round trip; stricter groups may name more defects.
    assert "roundtrip.document[fhir_broken.document_reference]" in failed
