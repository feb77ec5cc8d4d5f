"""The therapy_pvs adapter is not installed in the venv: import it from its source folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "adapters" / "therapy_pvs"))

from leportal_therapy_pvs.localsmtp import LocalSmtpServer  # noqa: E402


@pytest.fixture
def smtp_server() -> Iterator[LocalSmtpServer]:
    with LocalSmtpServer() as server:
        yield server
