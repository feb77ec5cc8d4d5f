"""The README's promises, run for real: the demo story and the embedding example."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_tells_the_whole_story(tmp_path: Path) -> None:
    """As `make demo` runs it: every installed plug-in, a relative output folder."""
    env = {key: value for key, value in os.environ.items() if key != "LEPORTAL_PLUGINS"}
    code = "from leportal_core.cli import main; main()"
    args = ["demo", "--samples", str(ROOT / "samples"), "--out", "demo-out"]
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "IK 26 03 2682 2: valid" in out
    assert "IK 260326823: rejected, ik.checksum" in out
    assert "entlassungsbericht.pdf: 839 bytes" in out
    assert "fhir.document_reference (application/fhir+json)" in out
    assert "read back intact: True" in out
    assert "CERTIFIED" in out
    for chapter in (
        "Unterlagenanforderung",
        "Ostermontag",
        "TOTP",
        "MASS",
        "MDM",
        "Therapiebericht",
        "QPR",
    ):
        assert chapter in out, chapter
    assert "Traceback" not in out + result.stderr
    out_dir = tmp_path / "demo-out"
    assert (out_dir / "fhir.document_reference.out").is_file()
    assert (out_dir / "certification" / "report.json").is_file()


def test_readme_embedding_example_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Embedding in ten lines", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert example is not None
    lines = [line for line in example.group(1).splitlines() if line.strip()]
    assert len(lines) <= 10
    env = {**os.environ, "LEPORTAL_PLUGINS": "fhir"}
    result = subprocess.run(
        [sys.executable, "-c", example.group(1)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Zusätzliche Informationen"
