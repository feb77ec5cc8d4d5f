from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "documents"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A private copy of the sample archive with its request file."""
    target = tmp_path / "archive"
    shutil.copytree(SAMPLES, target)
    return target
