"""Shared fixtures: a manual clock, a keyring and a real SQLite store file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leportal_core.secondfactor import Keyring, ManualClock, SealingKey, SecondFactorStore

# RFC 6238 Appendix A seeds: ASCII "1234567890" repeated to the hash's length.
SEED_SHA1 = b"12345678901234567890"
SEED_SHA256 = b"12345678901234567890123456789012"
SEED_SHA512 = b"1234567890" * 6 + b"1234"
START = 1_800_000_000.0  # a step boundary: 1_800_000_000 / 30 = 60_000_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def key() -> SealingKey:
    return SealingKey(material=bytes(range(32)))


@pytest.fixture
def keyring(key: SealingKey) -> Keyring:
    return Keyring(key)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "secondfactor.sqlite"


@pytest.fixture
def store(store_path: Path, keyring: Keyring, clock: ManualClock) -> Iterator[SecondFactorStore]:
    opened = SecondFactorStore.open(store_path, keyring=keyring, clock=clock, create=True)
    yield opened
    opened.close()
