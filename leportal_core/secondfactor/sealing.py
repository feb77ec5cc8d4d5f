"""Seeds at rest: AES-256-GCM under a key the host supplies, bound to the account.

The associated data (authenticated, not encrypted) names the purpose and the account, so a sealed
seed copied into another account's row fails to open instead of letting one person's authenticator
log in as another (NIST SP 800-63B §5.1.4.2: secrets protected against disclosure; ASVS 5.0 §11).
Each sealed value records the id of the key that sealed it; a :class:`Keyring` holds the current key
and the previous ones, so a rotation re-seals row by row while verifications go on (no downtime).
The nonce is 96 random bits per sealing (NIST SP 800-38D §8.2.2); far fewer than 2³² sealings per
key keep the collision risk negligible.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from collections.abc import Iterable
from pathlib import Path

import attrs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from leportal_core.errors import Problem
from leportal_core.files import read_input_bytes
from leportal_core.secondfactor.errors import SealError, SealingKeyError

_MAX_KEY_FILE = 4096  # a key is 44 characters

__all__ = ["KEY_ENV", "Keyring", "SealedSecret", "SealingKey", "key_from_env_or_file"]

KEY_ENV = "LEPORTAL_SEAL_KEY"
_NONCE_BYTES = 12
_AAD_PREFIX = b"leportal.secondfactor.v1\x00"


@attrs.frozen(kw_only=True, slots=True)
class SealedSecret:
    """A sealed seed as stored: ``nonce || ciphertext || tag`` and the id of the sealing key."""

    key_id: str
    blob: bytes = attrs.field(repr=False)


@attrs.frozen(kw_only=True, slots=True)
class SealingKey:
    """32 bytes of key material; its id is derived from it, so the id cannot name a wrong key."""

    material: bytes = attrs.field(repr=False)
    key_id: str = attrs.field(init=False)

    @material.validator
    def _thirty_two_bytes(self, _: object, value: bytes) -> None:
        if not isinstance(value, bytes) or len(value) != 32:
            raise SealingKeyError(
                "the sealing key must be exactly 32 bytes",
                [Problem(code="secondfactor.key.invalid", message="the key is not 32 bytes")],
            )

    @key_id.default
    def _derive_id(self) -> str:
        return hmac.digest(self.material, b"leportal.secondfactor.key-id", "sha256")[:8].hex()

    @classmethod
    def generate(cls) -> SealingKey:
        """A fresh random key (for demos and tests; hosts keep theirs in a secret store)."""
        return cls(material=os.urandom(32))

    @classmethod
    def from_text(cls, text: str) -> SealingKey:
        """Read URL-safe base64 of 32 bytes (padding optional), the form of ``LEPORTAL_SEAL_KEY``."""
        compact = text.strip()
        if not compact.isascii() or not compact.isprintable():  # e.g. a second line
            raise SealingKeyError(
                "the sealing key must be one line of URL-safe base64",
                [Problem(code="secondfactor.key.invalid", message="more than one line")],
            )
        try:
            material = base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))
        except (binascii.Error, ValueError) as exc:
            raise SealingKeyError(
                "the sealing key is not URL-safe base64",
                [Problem(code="secondfactor.key.invalid", message="not URL-safe base64")],
            ) from exc
        return cls(material=material)

    def to_text(self) -> str:
        """URL-safe base64, as ``LEPORTAL_SEAL_KEY`` takes it."""
        return base64.urlsafe_b64encode(self.material).decode("ascii")


def _aad(purpose: str, account: str) -> bytes:
    return _AAD_PREFIX + purpose.encode("utf-8") + b"\x00" + account.encode("utf-8")


class Keyring:
    """The current sealing key and older ones that may still open stored seeds."""

    def __init__(self, current: SealingKey, previous: Iterable[SealingKey] = ()) -> None:
        self.current = current
        self._keys = {key.key_id: key for key in (*previous, current)}
        self._ciphers = {key_id: AESGCM(key.material) for key_id, key in self._keys.items()}

    def seal(self, secret: bytes, *, account: str, purpose: str = "totp") -> SealedSecret:
        """Encrypt ``secret`` for ``account`` under the current key."""
        nonce = os.urandom(_NONCE_BYTES)
        blob = nonce + self._ciphers[self.current.key_id].encrypt(
            nonce, secret, _aad(purpose, account)
        )
        return SealedSecret(key_id=self.current.key_id, blob=blob)

    def open(self, sealed: SealedSecret, *, account: str, purpose: str = "totp") -> bytes:
        """Decrypt; :class:`SealError` when the key is unknown or the seed is not this account's."""
        cipher = self._ciphers.get(sealed.key_id)
        if cipher is None:
            raise SealError(
                f"the seed of {account!r} is sealed under key {sealed.key_id}, which the keyring lacks",
                [
                    Problem(
                        code="secondfactor.seal.unknown_key", message="sealing key not in keyring"
                    )
                ],
            )
        try:
            return cipher.decrypt(
                sealed.blob[:_NONCE_BYTES], sealed.blob[_NONCE_BYTES:], _aad(purpose, account)
            )
        except InvalidTag as exc:
            raise SealError(
                f"the sealed seed does not open for {account!r}: tampered or another account's",
                [Problem(code="secondfactor.seal.failed", message="authentication tag mismatch")],
            ) from exc

    def passcode_pepper(self, key_id: str) -> bytes | None:
        """A key for hashing passcodes, derived from the sealing key ``key_id`` (``None`` if absent)."""
        key = self._keys.get(key_id)
        if key is None:
            return None
        # A separate key per purpose (key separation): the AES key never hashes anything.
        return hmac.digest(key.material, b"leportal.secondfactor.passcode-pepper", "sha256")


def key_from_env_or_file(key_file: str | Path | None = None) -> SealingKey:
    """The host's sealing key from ``--key-file`` (if given) or ``LEPORTAL_SEAL_KEY``."""
    if key_file is not None:
        try:
            text = read_input_bytes(key_file, _MAX_KEY_FILE).decode("ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise SealingKeyError(
                f"cannot read the key file {key_file}: {exc}",
                [Problem(code="secondfactor.key.invalid", message="key file unreadable")],
            ) from exc
        return SealingKey.from_text(text)
    value = os.environ.get(KEY_ENV)
    if not value:
        raise SealingKeyError(
            f"no sealing key: set {KEY_ENV} (URL-safe base64 of 32 bytes) or pass --key-file",
            [Problem(code="secondfactor.key.missing", message=f"{KEY_ENV} is not set")],
        )
    return SealingKey.from_text(value)
