"""Fixtures of the therapy_pvs adapter's tests: a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leportal_therapy_pvs.localsmtp import LocalSmtpServer

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def smtp_server() -> Iterator[LocalSmtpServer]:
    with LocalSmtpServer() as server:
        yield server
