"""The errors the second factor raises on purpose (refused codes are *verdicts*, not errors).

A wrong, replayed or throttled code is an expected outcome and comes back as a
:class:`~leportal_core.secondfactor.verify.Verdict`; these exceptions are for inputs and state that
make a question unanswerable: a bad policy or secret, a sealed seed that does not open.
"""

from __future__ import annotations

from leportal_core.errors import ConfigurationError, LeportalError, ValidationError

__all__ = ["EnrolmentError", "SealError", "SealingKeyError", "SecondFactorInputError"]


class SecondFactorInputError(ValidationError):
    """A policy, secret, account name, issuer or URI given to the second factor is unusable."""

    default_code = "secondfactor.input.invalid"


class EnrolmentError(ValidationError):
    """An enrolment cannot be started or confirmed in the account's current state."""

    default_code = "secondfactor.enrolment.state"


class SealError(LeportalError):
    """A sealed seed does not open: wrong account, tampered bytes or a key the keyring lacks."""

    default_code = "secondfactor.seal.failed"


class SealingKeyError(ConfigurationError):
    """The sealing key the host supplied is missing or not 32 bytes of URL-safe base64."""

    default_code = "secondfactor.key.invalid"
