"""The adapter guide certifies word for word (issue 20, item 3).

The files of docs/writing-an-adapter.md (every code block whose first line is ``# <path>``) are
written out, installed with pip into a fresh virtual environment, and certified by the real
``leportal conformance certify`` command, as a vendor following the guide would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "writing-an-adapter.md"
BLOCK = re.compile(r"^```(?:toml|python)\n# (\S+)\n(.*?)^```$", re.M | re.S)


def guide_files() -> dict[str, str]:
    return {path: f"# {path}\n{body}" for path, body in BLOCK.findall(GUIDE.read_text("utf-8"))}


def test_the_guide_names_every_file_of_a_distribution() -> None:
    files = guide_files()
    assert {"pyproject.toml", "acme_leportal_json/plugin.py", "acme_leportal_json/codec.py"} <= set(
        files
    )


def test_the_guides_adapter_installs_and_certifies(tmp_path: Path) -> None:
    project = tmp_path / "acme"
    for path, text in guide_files().items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text, encoding="utf-8")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # leportal and its dependencies come from this checkout's environment; the vendor's package is
    # installed into the fresh one by pip, from the guide's files alone.
    fresh_site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = sysconfig.get_path("purelib")
    Path(fresh_site, "leportal-checkout.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LEPORTAL_PLUGINS", "PYTHONPATH")}
    install = subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-e",
            str(project),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    report = tmp_path / "certificate"
    certify = subprocess.run(
        [
            python,
            "-m",
            "leportal_core",
            "conformance",
            "certify",
            "acme_json",
            "--report-dir",
            str(report),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=900,
        check=False,
    )
    assert certify.returncode == 0, certify.stdout[-4000:] + certify.stderr[-2000:]
    result = json.loads(certify.stdout)
    assert result["adapter"]["version"] == "1.0.0"
    assert (report / "REPRODUCE.md").is_file()
