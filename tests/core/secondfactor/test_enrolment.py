"""Enrolment material: seeds, Key Uri Format, QR codes."""

from __future__ import annotations

import pyotp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core.secondfactor import (
    Algorithm,
    SecondFactorInputError,
    TotpPolicy,
    decode_secret,
    encode_secret,
    key_uri,
    new_secret,
    parse_key_uri,
    qr_png,
    qr_svg,
    qr_terminal,
)

from .conftest import SEED_SHA1


@pytest.mark.parametrize(("algorithm", "size"), [("SHA1", 20), ("SHA256", 32), ("SHA512", 64)])
def test_seed_sizes(algorithm: str, size: int) -> None:
    seeds = {new_secret(Algorithm(algorithm)) for _ in range(5)}
    assert len(seeds) == 5
    assert all(len(seed) == size for seed in seeds)


def test_uri_by_hand() -> None:
    uri = key_uri(SEED_SHA1, account="alice@google.com", issuer="Example")
    assert uri == (
        "otpauth://totp/Example:alice%40google.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        "&issuer=Example&algorithm=SHA1&digits=6&period=30"
    )


_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Cf")),
    min_size=1,
    max_size=40,
)


@given(account=_names, issuer=_names.filter(lambda s: ":" not in s))
def test_uris_load_in_pyotp(account: str, issuer: str) -> None:
    policy = TotpPolicy(algorithm=Algorithm.SHA256, digits=8, period=60)
    parsed = pyotp.parse_uri(key_uri(SEED_SHA1, account=account, issuer=issuer, policy=policy))
    assert isinstance(parsed, pyotp.TOTP)
    assert parsed.name == account
    assert parsed.issuer == issuer
    assert parsed.digits == 8
    assert parsed.interval == 60
    assert parsed.byte_secret() == SEED_SHA1
    assert parsed.at(1_000_000) == policy.code(SEED_SHA1, 1_000_000)


@pytest.mark.parametrize(
    ("account", "issuer"),
    [("", "X"), ("a\nb", "X"), ("a" * 257, "X"), ("anna", "A:B"), ("anna", ""), ("anna", "a\x00")],
)
def test_bad_labels_refused(account: str, issuer: str) -> None:
    with pytest.raises(SecondFactorInputError) as caught:
        key_uri(SEED_SHA1, account=account, issuer=issuer)
    assert caught.value.code in {"secondfactor.account.invalid", "secondfactor.issuer.invalid"}


def test_qr_forms() -> None:
    uri = key_uri(SEED_SHA1, account="anna", issuer="LE-Portal")
    assert qr_png(uri).startswith(b"\x89PNG\r\n\x1a\n")
    svg = qr_svg(uri)
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    text = qr_terminal(uri)
    assert len(text.splitlines()) > 10


@settings(max_examples=50)  # expensive examples
@given(st.binary(min_size=1, max_size=64))
def test_secret_codec_round_trip(secret: bytes) -> None:
    assert decode_secret(encode_secret(secret)) == secret
    assert decode_secret(encode_secret(secret).lower()) == secret


@pytest.mark.parametrize("text", ["", "ABC1", "AAAAAAAAA", "äöü", "A" * 2000])
def test_bad_secret(text: str) -> None:
    with pytest.raises(SecondFactorInputError) as caught:
        decode_secret(text)
    assert caught.value.code == "secondfactor.secret.invalid"


@pytest.mark.parametrize(
    "uri",
    [
        "https://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "otpauth://totp/x?issuer=A",
        "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=MD5",
        "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=six",
        "otpauth://totp/x?secret=A&secret=B",
        "otpauth://totp/x?" + "a" * 5000,
    ],
)
def test_parse_key_uri_refuses(uri: str) -> None:
    with pytest.raises(SecondFactorInputError) as caught:
        parse_key_uri(uri)
    assert caught.value.code == "secondfactor.uri.invalid"


@settings(max_examples=40)  # expensive examples
@given(account=_names, issuer=_names.filter(lambda s: ":" not in s), secret=st.binary(min_size=16))
def test_parse_key_uri_round_trip(account: str, issuer: str, secret: bytes) -> None:
    policy = TotpPolicy(algorithm=Algorithm.SHA512, digits=8, period=45)
    assert parse_key_uri(key_uri(secret, account=account, issuer=issuer, policy=policy)) == (
        secret,
        TotpPolicy(algorithm=Algorithm.SHA512, digits=8, period=45),
    )
