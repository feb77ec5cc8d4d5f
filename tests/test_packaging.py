"""Every distribution builds a wheel whose metadata a package index and a type checker accept.

The wheels are built the way ``make dist`` builds them (PEP 517 through ``build``), but without an
isolated build environment so the test needs no network: the venv's own setuptools (dev group)
builds them, each from a copy so that no ``build/`` folder is left in the checkout.
``twine check --strict`` then judges each one as PyPI would.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import zipfile
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# distribution folder → its top-level packages
DISTRIBUTIONS = {
    ".": ["leportal_core"],
    "adapters/fhir": ["leportal_fhir"],
    "adapters/kis_archive": ["leportal_kis_archive"],
    "adapters/therapy_pvs": ["leportal_therapy_pvs"],
    "adapters/qpr_sftp": ["leportal_qpr_sftp"],
    "conformance": ["leportal_conformance"],
    "data/kdl": ["leportal_kdl_data"],
}
DEV_TOOLS = {"ruff", "mypy", "build", "twine"}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    built: dict[str, Path] = {}
    for folder, packages in DISTRIBUTIONS.items():
        source = tmp_path_factory.mktemp("source")
        for name in ("pyproject.toml", "README.md", "LICENSE", *packages):
            path = ROOT / folder / name
            if path.is_dir():
                shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(path, source / name)
        before = set(out.iterdir())
        build = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)]
        subprocess.run([*build, str(source)], check=True, capture_output=True)
        (wheel,) = set(out.iterdir()) - before
        built[folder] = wheel
    return built


def metadata(wheel: Path) -> tuple[Message, list[str]]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (path,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(archive.read(path)), names


@pytest.mark.parametrize("folder", list(DISTRIBUTIONS))
def test_wheel_metadata_is_complete(wheels: dict[str, Path], folder: str) -> None:
    meta, names = metadata(wheels[folder])
    assert meta["License-Expression"], "licence as an SPDX expression (PEP 639)"
    licence_files = meta.get_all("License-File") or []
    assert licence_files
    for licence in licence_files:
        assert any(n.endswith(f".dist-info/licenses/{licence}") for n in names), licence
    assert meta["Description-Content-Type"] == "text/markdown"
    assert len(meta.get_payload()) > 200, "the distribution's README is its long description"
    classifiers = meta.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    for package in DISTRIBUTIONS[folder]:
        assert f"{package}/py.typed" in names
    requirements = meta.get_all("Requires-Dist") or []
    assert (
        not {r.split()[0].split(";")[0].split("=")[0].split(">")[0] for r in requirements}
        & DEV_TOOLS
    )
    if folder not in (".", "data/kdl"):
        (core,) = [r for r in requirements if r.startswith("leportal-core")]
        assert "<" in core, "a compatible range, not any version"
        assert ">=" in core


def test_the_suite_says_it_is_a_pytest_plugin(wheels: dict[str, Path]) -> None:
    meta, _ = metadata(wheels["conformance"])
    assert "Framework :: Pytest" in (meta.get_all("Classifier") or [])


def test_licence_copies_match_the_root_licence() -> None:
    root_licence = (ROOT / "LICENSE").read_bytes()
    for folder in (
        "adapters/fhir",
        "adapters/kis_archive",
        "adapters/therapy_pvs",
        "adapters/qpr_sftp",
        "conformance",
    ):
        assert (ROOT / folder / "LICENSE").read_bytes() == root_licence, folder


def test_twine_accepts_every_wheel(wheels: dict[str, Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, wheels.values())],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == len(DISTRIBUTIONS)
