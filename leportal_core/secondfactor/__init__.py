"""The second factor: TOTP (RFC 6238 / RFC 4226) enrolment, verification and machine login, and
one-time passcodes — to the level of OWASP ASVS 5.0 §6.5, NIST SP 800-63B and BSI TR-03161.

Security model, sources and a host integration example: ``docs/second-factor.md``.
"""

from __future__ import annotations

from leportal_core.secondfactor.clock import Clock, ManualClock, Sleeper
from leportal_core.secondfactor.enrolment import (
    key_uri,
    new_secret,
    parse_key_uri,
    qr_png,
    qr_svg,
    qr_terminal,
)
from leportal_core.secondfactor.errors import (
    EnrolmentError,
    SealError,
    SealingKeyError,
    SecondFactorInputError,
)
from leportal_core.secondfactor.machine import MachineCode, MachineLogin
from leportal_core.secondfactor.passcodes import (
    ALPHANUMERIC,
    NUMERIC,
    PasscodeDelivery,
    PasscodePolicy,
    Passcodes,
)
from leportal_core.secondfactor.policy import (
    Algorithm,
    TotpPolicy,
    decode_secret,
    encode_secret,
    hotp,
    normalise_code,
)
from leportal_core.secondfactor.sealing import Keyring, SealedSecret, SealingKey
from leportal_core.secondfactor.store import Enrolment, SecondFactorStore
from leportal_core.secondfactor.throttle import AttemptState, ThrottlePolicy
from leportal_core.secondfactor.verify import MemoryVerifier, Outcome, Verdict, check_totp

__all__ = [
    "ALPHANUMERIC",
    "NUMERIC",
    "Algorithm",
    "AttemptState",
    "Clock",
    "Enrolment",
    "EnrolmentError",
    "Keyring",
    "MachineCode",
    "MachineLogin",
    "ManualClock",
    "MemoryVerifier",
    "Outcome",
    "PasscodeDelivery",
    "PasscodePolicy",
    "Passcodes",
    "SealError",
    "SealedSecret",
    "SealingKey",
    "SealingKeyError",
    "SecondFactorInputError",
    "SecondFactorStore",
    "Sleeper",
    "ThrottlePolicy",
    "TotpPolicy",
    "Verdict",
    "check_totp",
    "decode_secret",
    "encode_secret",
    "hotp",
    "key_uri",
    "new_secret",
    "normalise_code",
    "parse_key_uri",
    "qr_png",
    "qr_svg",
    "qr_terminal",
]
