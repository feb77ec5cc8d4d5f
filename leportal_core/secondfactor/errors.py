"""The errors the second factor raises on purpose (refused codes are *verdicts*, not errors).

A wrong, replayed or throttled code is an expected outcome and comes back as a
:class:`~leportal_core.secondfactor.verify.Verdict`; these exceptions are for inputs and state that
make a question unanswerable: a bad policy or secret, a sealed seed that does not open. They are
defined in :mod:`leportal_core.errors` with every other exception; this module keeps the old
import path.
"""

from __future__ import annotations

from leportal_core.errors import EnrolmentError, SealError, SealingKeyError, SecondFactorInputError

__all__ = ["EnrolmentError", "SealError", "SealingKeyError", "SecondFactorInputError"]
