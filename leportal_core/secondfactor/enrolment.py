"""Enrolment material: a CSPRNG seed, the ``otpauth://`` URI and its QR code.

Sources: Google's Key Uri Format (``otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…``; issuer and
account percent-encoded, spaces as ``%20``, neither may contain a literal colon, so a colon in the
account is written ``%3A`` and an issuer with a colon is refused); RFC 4226 §4 R6 (seed ≥ 128 bits,
160 recommended) and ASVS 5.0 §6.5.3 (seeds from a CSPRNG). The seed length follows the hash:
20 bytes for SHA1, 32 for SHA256, 64 for SHA512 (RFC 6238 Appendix A uses these). QR codes come
from ``segno`` (pure Python, ISO/IEC 18004).
"""

from __future__ import annotations

import io
import secrets
from urllib.parse import parse_qs, quote, urlsplit

import segno

from leportal_core.errors import Problem
from leportal_core.secondfactor.errors import SecondFactorInputError
from leportal_core.secondfactor.policy import (
    Algorithm,
    TotpPolicy,
    check_secret_length,
    decode_secret,
    encode_secret,
)
from leportal_core.validation import is_printable

__all__ = [
    "MAX_ACCOUNT_LENGTH",
    "check_account",
    "check_issuer",
    "key_uri",
    "new_secret",
    "parse_key_uri",
    "qr_png",
    "qr_svg",
    "qr_terminal",
]

MAX_ACCOUNT_LENGTH = 256
_SEED_BYTES = {Algorithm.SHA1: 20, Algorithm.SHA256: 32, Algorithm.SHA512: 64}


def new_secret(algorithm: Algorithm = Algorithm.SHA1) -> bytes:
    """A fresh seed from the operating system's CSPRNG, at least 160 bits."""
    return secrets.token_bytes(_SEED_BYTES[algorithm])


def check_account(account: str) -> str:
    """The account name unchanged, or :class:`SecondFactorInputError` (empty, too long, control
    characters)."""
    if not isinstance(account, str) or not 0 < len(account) <= MAX_ACCOUNT_LENGTH:
        raise SecondFactorInputError(
            f"an account name has 1..{MAX_ACCOUNT_LENGTH} characters",
            [Problem(code="secondfactor.account.invalid", message="account name length")],
        )
    if not is_printable(account, strict=True):
        raise SecondFactorInputError(
            "the account name contains control characters",
            [Problem(code="secondfactor.account.invalid", message="control characters")],
        )
    return account


def check_issuer(issuer: str) -> str:
    """The issuer unchanged, or :class:`SecondFactorInputError`: the Key Uri Format forbids a colon
    in the issuer because it separates issuer and account in the label."""
    problems = []
    if not 0 < len(issuer) <= 128 or not is_printable(issuer, strict=True):
        problems.append(
            Problem(code="secondfactor.issuer.invalid", message="1..128 printable characters")
        )
    if ":" in issuer:
        problems.append(
            Problem(code="secondfactor.issuer.invalid", message="the issuer must not contain ':'")
        )
    if problems:
        raise SecondFactorInputError("the issuer cannot be used in an otpauth URI", problems)
    return issuer


def key_uri(secret: bytes, *, account: str, issuer: str, policy: TotpPolicy | None = None) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app reads.

    >>> key_uri(b"12345678901234567890", account="dr. a:b", issuer="MD Portal")
    'otpauth://totp/MD%20Portal:dr.%20a%3Ab?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=MD%20Portal&algorithm=SHA1&digits=6&period=30'
    """
    policy = policy or TotpPolicy()
    label = quote(check_issuer(issuer), safe="") + ":" + quote(check_account(account), safe="")
    query = (
        f"secret={encode_secret(secret)}&issuer={quote(issuer, safe='')}"
        f"&algorithm={policy.algorithm.value}&digits={policy.digits}&period={policy.period}"
    )
    return f"otpauth://totp/{label}?{query}"


def _qr(uri: str) -> segno.QRCode:
    # Error correction M: survives a smudged screen, stays small enough for a terminal.
    return segno.make_qr(uri, error="m")


def qr_svg(uri: str, *, scale: int = 4) -> str:
    """The QR code as an SVG document (for a web page)."""
    out = io.BytesIO()
    _qr(uri).save(out, kind="svg", scale=scale, xmldecl=False)
    return out.getvalue().decode("utf-8")


def qr_png(uri: str, *, scale: int = 4) -> bytes:
    """The QR code as PNG bytes (for e-mail-free hand-over, printing)."""
    out = io.BytesIO()
    _qr(uri).save(out, kind="png", scale=scale)
    return out.getvalue()


def qr_terminal(uri: str) -> str:
    """The QR code as text for a terminal (ANSI colours; compact half-block characters)."""
    out = io.StringIO()
    _qr(uri).terminal(out=out, compact=True)
    return out.getvalue()


def parse_key_uri(uri: str) -> tuple[bytes, TotpPolicy]:
    """Seed and policy from a portal's ``otpauth://totp/…`` URI (for machine login).

    >>> secret, policy = parse_key_uri("otpauth://totp/P:a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8")
    >>> secret, policy.digits, policy.algorithm.value, policy.period
    (b'12345678901234567890', 8, 'SHA1', 30)
    """

    def invalid(message: str) -> SecondFactorInputError:
        return SecondFactorInputError(
            f"not a usable otpauth URI: {message}",
            [Problem(code="secondfactor.uri.invalid", message=message)],
        )

    if len(uri) > 4096:
        raise invalid("longer than 4096 characters")
    uri = uri.strip()
    if any(c in uri for c in "\r\n\t"):  # urlsplit would drop them, merging lines into the seed
        raise invalid("more than one line; a URI file holds exactly one otpauth:// URI")
    parts = urlsplit(uri)
    if parts.scheme != "otpauth" or parts.netloc != "totp":
        raise invalid("expected otpauth://totp/…")
    query = parse_qs(parts.query, keep_blank_values=True)
    if any(len(values) > 1 for values in query.values()):
        raise invalid("a parameter appears twice")
    values = {key: found[0] for key, found in query.items()}
    if "secret" not in values:
        raise invalid("no secret parameter")
    try:
        policy = TotpPolicy(
            algorithm=Algorithm(values.get("algorithm", "SHA1").upper()),
            digits=int(values.get("digits", "6")),
            period=int(values.get("period", "30")),
        )
    except ValueError as exc:  # unknown algorithm, non-numeric digits or period
        raise invalid(str(exc)) from exc
    return check_secret_length(decode_secret(values["secret"])), policy
