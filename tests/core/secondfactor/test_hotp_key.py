"""HotpKey (the HMAC set-up done once per seed) gives exactly the codes of ``hmac.digest``."""

from __future__ import annotations

import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leportal_core.secondfactor import Algorithm, ManualClock, MemoryVerifier, Outcome, TotpPolicy
from leportal_core.secondfactor.policy import HotpKey, hotp

from .conftest import SEED_SHA1, SEED_SHA256, SEED_SHA512

# RFC 4226 Appendix D (SHA1) and RFC 6238 Appendix B (all three), as in test_vectors.py.
RFC4226 = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583"]
RFC6238_59 = {
    Algorithm.SHA1: "94287082",
    Algorithm.SHA256: "46119246",
    Algorithm.SHA512: "90693936",
}
SEEDS = {Algorithm.SHA1: SEED_SHA1, Algorithm.SHA256: SEED_SHA256, Algorithm.SHA512: SEED_SHA512}


@pytest.mark.parametrize("counter", range(len(RFC4226)))
def test_rfc4226_vectors_through_a_key(counter: int) -> None:
    assert hotp(HotpKey(SEED_SHA1), counter) == RFC4226[counter]


@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_rfc6238_vectors_through_a_key(algorithm: Algorithm) -> None:
    key = HotpKey(SEEDS[algorithm], algorithm)
    assert hotp(key, 59 // 30, digits=8, algorithm=algorithm) == RFC6238_59[algorithm]


@given(
    secret=st.binary(min_size=0, max_size=300),  # also longer than the block: hashed first
    message=st.binary(min_size=0, max_size=40),
    algorithm=st.sampled_from(list(Algorithm)),
)
def test_key_mac_equals_hmac_digest(secret: bytes, message: bytes, algorithm: Algorithm) -> None:
    key = HotpKey(secret, algorithm)
    assert key.mac(message) == hmac.digest(secret, message, algorithm.digest_name)
    assert key.mac(message) == key.mac(message)  # the kept states are not consumed


def test_a_key_of_another_algorithm_is_refused_not_misused() -> None:
    with pytest.raises(ValueError, match="SHA1"):
        hotp(HotpKey(SEED_SHA256, Algorithm.SHA1), 0, algorithm=Algorithm.SHA256)


def test_the_key_is_never_shown() -> None:
    assert SEED_SHA1.hex() not in repr(HotpKey(SEED_SHA1))
    assert repr(HotpKey(SEED_SHA1)) == "HotpKey(<hidden>, SHA1)"


@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_memory_verifier_with_other_algorithms(algorithm: Algorithm) -> None:
    clock = ManualClock(1_800_000_007.0)
    policy = TotpPolicy(algorithm=algorithm, digits=8)
    verifier = MemoryVerifier(clock=clock)
    verifier.add("anna", SEEDS[algorithm], policy)
    code = policy.code(SEEDS[algorithm], clock())
    assert verifier.verify("anna", code).outcome is Outcome.ACCEPTED
    assert verifier.verify("anna", code).outcome is Outcome.REPLAYED
