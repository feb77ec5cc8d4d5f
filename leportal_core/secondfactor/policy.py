"""TOTP arithmetic and policy: RFC 4226 (HOTP) under RFC 6238 (TOTP), and code normalisation.

Sources: RFC 4226 §5.3 (HMAC, dynamic truncation, ``mod 10**digits``), RFC 6238 §4 (``T =
floor((now - T0) / X)``) and §1.2 / Appendix A (HMAC-SHA-256 and -512 allowed). The safe default is
SHA1, 6 digits, 30 s, because Google Authenticator ignores the ``algorithm``/``digits``/``period``
parameters of the Key Uri Format (domain.md §7). The arithmetic is a few lines of ``hmac.digest``;
the tests check it against every RFC vector and against ``pyotp``.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import string
import unicodedata
from math import isfinite

import attrs

from leportal_core.errors import Problem
from leportal_core.secondfactor.errors import SecondFactorInputError

__all__ = [
    "MAX_CODE_INPUT",
    "MIN_SECRET_BYTES",
    "Algorithm",
    "HotpKey",
    "TotpPolicy",
    "check_secret_length",
    "decode_secret",
    "encode_secret",
    "hotp",
    "normalise_code",
]

MAX_CODE_INPUT = 64
"""Longer inputs are refused before any work is done (bounded effort for hostile input)."""

_WHITESPACE_LIKE = frozenset(" \t\n\r-._·")


class Algorithm(enum.Enum):
    """The HMAC hash of the code (RFC 6238 §1.2); values as spelt in the Key Uri Format."""

    SHA1 = "SHA1"
    SHA256 = "SHA256"
    SHA512 = "SHA512"

    digest_name: str
    """The ``hashlib`` name: a plain attribute set once per member, because an enum property
    costs a descriptor call on every HMAC."""

    def __init__(self, value: str) -> None:
        self.digest_name = value.lower()


def _positive_period(_: object, __: object, value: int) -> None:
    if not 1 <= value <= 300:
        raise SecondFactorInputError(
            f"period must be 1..300 seconds, got {value}",
            [Problem(code="secondfactor.policy.invalid", message="period out of range")],
        )


def _allowed_digits(_: object, __: object, value: int) -> None:
    if value not in (6, 8):
        raise SecondFactorInputError(
            f"digits must be 6 or 8, got {value}",
            [Problem(code="secondfactor.policy.invalid", message="digits must be 6 or 8")],
        )


def _small_window(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not 0 <= value <= 10:
        raise SecondFactorInputError(
            f"{attribute.name} must be 0..10, got {value}",
            [Problem(code="secondfactor.policy.invalid", message=f"{attribute.name} out of range")],
        )


@attrs.frozen(kw_only=True, slots=True)
class TotpPolicy:
    """How codes are made and which time steps a verifier accepts.

    ``past_steps=1`` allows one step of network delay in the past only (RFC 6238 §5.2, ASVS 5.0
    §6.5.5); ``future_steps=0`` because a code from the future means a wrong clock, not latency.
    """

    algorithm: Algorithm = Algorithm.SHA1
    digits: int = attrs.field(default=6, validator=_allowed_digits)
    period: int = attrs.field(default=30, validator=_positive_period)
    t0: int = 0
    past_steps: int = attrs.field(default=1, validator=_small_window)
    future_steps: int = attrs.field(default=0, validator=_small_window)

    def step(self, unix_time: float) -> int:
        """The RFC 6238 time step ``T`` at ``unix_time``."""
        if not isfinite(unix_time):
            raise SecondFactorInputError(
                f"time {unix_time} is not a finite number",
                [Problem(code="secondfactor.time.invalid", message="not a finite UNIX time")],
            )
        return int((unix_time - self.t0) // self.period)

    def step_start(self, step: int) -> float:
        """The UNIX time at which ``step`` begins."""
        return float(self.t0 + step * self.period)

    def code(self, secret: bytes, unix_time: float) -> str:
        """The code valid at ``unix_time``."""
        return hotp(secret, self.step(unix_time), digits=self.digits, algorithm=self.algorithm)


_INNER_PAD = bytes(x ^ 0x36 for x in range(256))
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))


class HotpKey:
    """A seed made ready for HMAC once (RFC 2104 §2): the hash states after the inner and the
    outer padded key are kept, so each code costs two hash finalisations instead of a full HMAC
    set-up (a third of the time of :func:`hmac.digest` for an 8-byte counter).

    It is as secret as the seed itself and is never shown (``repr`` hides it).

    >>> hotp(HotpKey(b"12345678901234567890"), 0)
    '755224'
    """

    __slots__ = ("_inner", "_outer", "algorithm")

    def __init__(self, secret: bytes, algorithm: Algorithm = Algorithm.SHA1) -> None:
        name = algorithm.digest_name
        block = hashlib.new(name).block_size
        key = hashlib.new(name, secret).digest() if len(secret) > block else secret
        key = key.ljust(block, b"\x00")
        self._inner = hashlib.new(name, key.translate(_INNER_PAD))
        self._outer = hashlib.new(name, key.translate(_OUTER_PAD))
        self.algorithm = algorithm

    def mac(self, message: bytes) -> bytes:
        """HMAC(seed, ``message``), equal to :func:`hmac.digest` with the seed."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def __repr__(self) -> str:
        return f"HotpKey(<hidden>, {self.algorithm.name})"


def hotp(
    secret: bytes | HotpKey,
    counter: int,
    *,
    digits: int = 6,
    algorithm: Algorithm = Algorithm.SHA1,
) -> str:
    """RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, dynamic truncation, modulo.

    ``secret`` is the seed, or a :class:`HotpKey` made from it with the same ``algorithm``.

    >>> hotp(b"12345678901234567890", 0)
    '755224'
    """
    if not 0 <= counter < _COUNTER_END:  # the counter is 8 bytes (RFC 4226 §5.1)
        raise SecondFactorInputError(
            f"counter {counter} is outside 0..2**64-1",
            [Problem(code="secondfactor.counter.invalid", message="counter out of range")],
        )
    if type(secret) is HotpKey:
        if secret.algorithm is not algorithm:
            raise ValueError(f"the key is for {secret.algorithm.name}, not {algorithm.name}")
        mac = secret.mac(counter.to_bytes(8, "big"))
    else:
        mac = hmac.digest(secret, counter.to_bytes(8, "big"), algorithm.digest_name)  # type: ignore[arg-type]
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % _MODULUS[digits]:0{digits}d}"


_COUNTER_END = 1 << 64
_MODULUS = {digits: 10**digits for digits in range(1, 11)}


def encode_secret(secret: bytes) -> str:
    """Base32 without padding, as authenticator apps expect (RFC 4648 §6)."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def decode_secret(text: str) -> bytes:
    """Read a Base32 secret leniently (case, spaces, missing padding); refuse anything else.

    >>> decode_secret("gezd gnbv gy3t qojq")
    b'1234567890'
    """
    compact = "".join(text.split()).upper().rstrip("=")
    if any(c in text.strip() for c in "\r\n"):  # a second line is not more of the same seed
        raise SecondFactorInputError(
            "the secret spans more than one line",
            [Problem(code="secondfactor.secret.invalid", message="more than one line")],
        )
    if not compact or len(compact) > 1024 or set(compact) - set(string.ascii_uppercase + "234567"):
        raise SecondFactorInputError(
            "the secret is not Base32 (A-Z, 2-7)",
            [Problem(code="secondfactor.secret.invalid", message="the secret is not Base32")],
        )
    try:
        secret = base64.b32decode(compact + "=" * (-len(compact) % 8))
    except binascii.Error as exc:
        raise SecondFactorInputError(
            "the secret has an impossible Base32 length",
            [Problem(code="secondfactor.secret.invalid", message=str(exc))],
        ) from exc
    return secret


MIN_SECRET_BYTES = 16


def check_secret_length(secret: bytes) -> bytes:
    """``secret`` unchanged when it has the 128 bits RFC 4226 §4 R6 demands (160 recommended)."""
    if len(secret) < MIN_SECRET_BYTES:
        raise SecondFactorInputError(
            f"a seed needs at least 128 bits, this one has {len(secret) * 8}",
            [Problem(code="secondfactor.secret.too_short", message="seed shorter than 128 bits")],
        )
    return secret


def normalise_code(text: str, *, digits: int) -> str | None:
    """The code a person meant, or ``None`` when the input cannot be a code of ``digits`` digits.

        Deliberately accepted: spaces and other separators people type or paste (``"123 456"``,
        ``"123-456"``, no-break and thin spaces) and digits that NFKC folds to ASCII (full-width
        ``"１２３４５６"`` from a Japanese IME). Only decimal digits (category Nd) are folded, so
    superscripts and circled digits are refused, and so are other scripts' digits (``"٣"``), which
    NFKC leaves alone.
        NFKC is applied one character at a time and its result must be one ASCII digit, so no other
        script's characters can smuggle themselves in. Inputs over :data:`MAX_CODE_INPUT` characters are
        refused without looking at them.

        >>> normalise_code(" 123 456 ", digits=6)
        '123456'
        >>> normalise_code("１２３４５６", digits=6)
        '123456'
        >>> normalise_code("12345", digits=6) is None
        True
    """
    if len(text) == digits and text.isdigit() and text.isascii():
        return text  # the common case: exactly the digits, nothing to fold or drop
    if len(text) > MAX_CODE_INPUT:
        return None
    if text.isascii():  # the common case, without per-character Unicode work
        compact = "".join(ch for ch in text if ch not in _WHITESPACE_LIKE)
    else:
        kept = []
        for ch in text:
            if ch in _WHITESPACE_LIKE or unicodedata.category(ch) == "Zs":
                continue
            if unicodedata.category(ch) != "Nd":
                return None  # superscripts and circled digits fold to digits but are not typed ones
            kept.append(unicodedata.normalize("NFKC", ch))
        compact = "".join(kept)
    if len(compact) != digits or not compact.isascii() or not compact.isdigit():
        return None
    return compact
