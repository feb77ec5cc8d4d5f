"""Sealing seeds at rest: AES-GCM bound to the account, key ids, key input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core.secondfactor import Keyring, SealedSecret, SealError, SealingKey, SealingKeyError
from leportal_core.secondfactor.sealing import KEY_ENV, key_from_env_or_file


def test_round_trip_and_fresh_nonce(keyring: Keyring) -> None:
    first = keyring.seal(b"seed" * 5, account="anna")
    second = keyring.seal(b"seed" * 5, account="anna")
    assert first.blob != second.blob
    assert keyring.open(first, account="anna") == b"seed" * 5
    assert first.key_id == keyring.current.key_id


def test_moved_to_another_account_fails(keyring: Keyring) -> None:
    sealed = keyring.seal(b"seed" * 5, account="anna")
    with pytest.raises(SealError) as caught:
        keyring.open(sealed, account="bernd")
    assert caught.value.code == "secondfactor.seal.failed"


def test_purpose_is_bound(keyring: Keyring) -> None:
    sealed = keyring.seal(b"seed" * 5, account="anna", purpose="machine")
    with pytest.raises(SealError):
        keyring.open(sealed, account="anna")


@settings(max_examples=50)  # expensive examples
@given(position=st.integers(min_value=0, max_value=12 + 20 + 16 - 1), bit=st.integers(0, 7))
def test_any_flipped_bit_fails(position: int, bit: int) -> None:
    keyring = Keyring(SealingKey(material=bytes(32)))
    sealed = keyring.seal(b"s" * 20, account="anna")
    blob = bytearray(sealed.blob)
    blob[position] ^= 1 << bit
    with pytest.raises(SealError):
        keyring.open(SealedSecret(key_id=sealed.key_id, blob=bytes(blob)), account="anna")


def test_unknown_key(keyring: Keyring) -> None:
    sealed = Keyring(SealingKey.generate()).seal(b"s" * 20, account="anna")
    with pytest.raises(SealError) as caught:
        keyring.open(sealed, account="anna")
    assert caught.value.code == "secondfactor.seal.unknown_key"


def test_key_text_round_trip_and_repr_hides_material() -> None:
    key = SealingKey.generate()
    assert SealingKey.from_text(key.to_text()) == key
    assert SealingKey.from_text(key.to_text().rstrip("=")).key_id == key.key_id
    assert key.to_text() not in repr(key)
    assert repr(key.material) not in repr(key)


@pytest.mark.parametrize("text", ["", "not base64 !!", "AAAA", "A" * 100])
def test_bad_key_text(text: str) -> None:
    with pytest.raises(SealingKeyError) as caught:
        SealingKey.from_text(text)
    assert caught.value.code == "secondfactor.key.invalid"


def test_key_from_env_and_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = SealingKey.generate()
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(SealingKeyError) as caught:
        key_from_env_or_file()
    assert caught.value.code == "secondfactor.key.missing"
    monkeypatch.setenv(KEY_ENV, key.to_text())
    assert key_from_env_or_file() == key
    path = tmp_path / "key"
    path.write_text(key.to_text() + "\n", encoding="ascii")
    assert key_from_env_or_file(path) == key
    with pytest.raises(SealingKeyError):
        key_from_env_or_file(tmp_path / "missing")
