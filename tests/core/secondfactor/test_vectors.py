"""RFC 6238 Appendix B and RFC 4226 Appendix D, through the public API and the CLI."""

from __future__ import annotations

import base64

import pyotp
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core.cli.totp import totp
from leportal_core.plugins import new_plugin_manager
from leportal_core.secondfactor import (
    Algorithm,
    AttemptState,
    ManualClock,
    MemoryVerifier,
    ThrottlePolicy,
    TotpPolicy,
    check_totp,
    encode_secret,
    hotp,
)

from .conftest import SEED_SHA1, SEED_SHA256, SEED_SHA512

SEEDS = {Algorithm.SHA1: SEED_SHA1, Algorithm.SHA256: SEED_SHA256, Algorithm.SHA512: SEED_SHA512}

# RFC 6238 Appendix B, copied by hand from the RFC's table: (time, code, mode).
RFC6238 = [
    (59, "94287082", Algorithm.SHA1),
    (59, "46119246", Algorithm.SHA256),
    (59, "90693936", Algorithm.SHA512),
    (1111111109, "07081804", Algorithm.SHA1),
    (1111111109, "68084774", Algorithm.SHA256),
    (1111111109, "25091201", Algorithm.SHA512),
    (1111111111, "14050471", Algorithm.SHA1),
    (1111111111, "67062674", Algorithm.SHA256),
    (1111111111, "99943326", Algorithm.SHA512),
    (1234567890, "89005924", Algorithm.SHA1),
    (1234567890, "91819424", Algorithm.SHA256),
    (1234567890, "93441116", Algorithm.SHA512),
    (2000000000, "69279037", Algorithm.SHA1),
    (2000000000, "90698825", Algorithm.SHA256),
    (2000000000, "38618901", Algorithm.SHA512),
    (20000000000, "65353130", Algorithm.SHA1),
    (20000000000, "77737706", Algorithm.SHA256),
    (20000000000, "47863826", Algorithm.SHA512),
]

# RFC 4226 Appendix D: HOTP of "12345678901234567890" for counters 0..9.
RFC4226 = [
    "755224",
    "287082",
    "359152",
    "969429",
    "338314",
    "254676",
    "287922",
    "162583",
    "399871",
    "520489",
]


def test_tables_are_complete() -> None:
    assert len(RFC6238) == 18
    assert len(RFC4226) == 10


@pytest.mark.parametrize(("at", "expected", "algorithm"), RFC6238)
def test_rfc6238_policy_code(at: int, expected: str, algorithm: Algorithm) -> None:
    policy = TotpPolicy(algorithm=algorithm, digits=8)
    assert policy.code(SEEDS[algorithm], at) == expected


@pytest.mark.parametrize(("at", "expected", "algorithm"), RFC6238)
def test_rfc6238_verified(at: int, expected: str, algorithm: Algorithm) -> None:
    verifier = MemoryVerifier(clock=ManualClock(at))
    verifier.add("a", SEEDS[algorithm], TotpPolicy(algorithm=algorithm, digits=8))
    verdict = verifier.verify("a", expected)
    assert verdict.accepted
    assert verdict.step == at // 30


@pytest.mark.parametrize(("at", "expected", "algorithm"), RFC6238)
def test_rfc6238_cli(at: int, expected: str, algorithm: Algorithm) -> None:
    result = CliRunner().invoke(
        totp,
        [
            "code",
            "--secret",
            encode_secret(SEEDS[algorithm]),
            "--algorithm",
            algorithm.value,
            "--digits",
            "8",
            "--at",
            str(at),
        ],
        obj=new_plugin_manager(),
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(RFC4226)))
def test_rfc4226_hotp(counter: int, expected: str) -> None:
    assert hotp(SEED_SHA1, counter) == expected


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(RFC4226)))
def test_rfc4226_through_totp_steps(counter: int, expected: str) -> None:
    """A TOTP verifier at step *n* is HOTP with counter *n* (RFC 6238 §4)."""
    verdict, state = check_totp(
        secret=SEED_SHA1,
        policy=TotpPolicy(past_steps=0),
        throttle=ThrottlePolicy(),
        state=AttemptState(),
        code=expected,
        now=counter * 30 + 29,
    )
    assert verdict.accepted
    assert state.last_step == counter


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(RFC4226)))
def test_rfc4226_cli(counter: int, expected: str) -> None:
    secret = base64.b32encode(SEED_SHA1).decode()
    runner = CliRunner()
    by_counter = runner.invoke(totp, ["code", "--secret", secret, "--counter", str(counter)])
    by_time = runner.invoke(totp, ["code", "--secret", secret, "--at", str(counter * 30)])
    assert by_counter.output.strip() == expected
    assert by_time.output.strip() == expected


@settings(max_examples=60)  # expensive examples
@given(
    secret=st.binary(min_size=16, max_size=64),
    at=st.integers(min_value=0, max_value=253_402_300_799),
    algorithm=st.sampled_from(list(Algorithm)),
    digits=st.sampled_from([6, 8]),
)
def test_agrees_with_pyotp(secret: bytes, at: int, algorithm: Algorithm, digits: int) -> None:
    reference = pyotp.TOTP(
        encode_secret(secret), digits=digits, digest=algorithm.digest_name, interval=30
    )
    assert TotpPolicy(algorithm=algorithm, digits=digits).code(secret, at) == reference.at(at)


def test_counter_out_of_range() -> None:
    from leportal_core.secondfactor import SecondFactorInputError

    with pytest.raises(SecondFactorInputError) as caught:
        hotp(SEED_SHA1, 1 << 64)
    assert caught.value.code == "secondfactor.counter.invalid"
    with pytest.raises(SecondFactorInputError):
        hotp(SEED_SHA1, -1)
