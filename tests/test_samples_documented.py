"""Doc-drift test: every sample file is described in the README of its folder or a folder above."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def is_described(path: Path) -> bool:
    folder = path.parent
    while True:
        readme = folder / "README.md"
        if readme.is_file():
            text = readme.read_text(encoding="utf-8")
            if f"`{path.relative_to(folder)}`" in text or f"`{path.name}`" in text:
                return True
        if folder == SAMPLES:
            return False
        folder = folder.parent


def test_every_sample_file_is_named_in_a_readme() -> None:
    files = [p for p in SAMPLES.rglob("*") if p.is_file() and p.name != "README.md"]
    assert len(files) > 10  # the scan found the samples, not nothing
    assert [str(p.relative_to(SAMPLES)) for p in files if not is_described(p)] == []
