"""A billing profile as a :class:`~leportal_core.codec.Codec` for the plug-in registry.

``BillingCodec(profile)`` maps a :class:`BillingFile` (the records of one file) to and from the
bytes the profile describes; its name is ``billing.`` plus the profile name with ``-`` and ``.``
turned into ``_`` (``billing.mass_provisional_v1``). The core's built-in plug-in
(:mod:`leportal_core.builtin`) registers the shipped MASS profile through
:func:`leportal_register_codecs`, so every plug-in manager has it.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from leportal_core import __version__
from leportal_core.billing.decoder import decode
from leportal_core.billing.encoder import encode
from leportal_core.billing.profile import Profile
from leportal_core.billing.records import BillingRecord
from leportal_core.builtin import leportal_register_codecs
from leportal_core.errors import Problem, ValidationError

__all__ = ["ADAPTER_NAME", "BillingCodec", "BillingFile", "__version__", "leportal_register_codecs"]

# This module is also the plug-in the conformance suite certifies
# (``leportal conformance certify leportal_core.billing.codec``): its codecs are named ``billing.…``.
# Its hook is the built-in plug-in's own function, so a manager holding both collects it once.
ADAPTER_NAME = "billing"


def _records(records: Iterable[BillingRecord]) -> tuple[BillingRecord, ...]:
    return tuple(records)


@attrs.frozen(kw_only=True)
class BillingFile:
    """The records of one billing file, in file order."""

    records: tuple[BillingRecord, ...] = attrs.field(converter=_records)


class BillingCodec:
    """Encodes and decodes :class:`BillingFile` objects with one profile."""

    media_type = "text/csv"
    object_type = BillingFile

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.name = "billing." + profile.name.replace("-", "_").replace(".", "_")
        self.description = f"Billing file, profile {profile.name} ({profile.title})" + (
            ", provisional" if profile.provisional else ""
        )

    def encode(self, obj: BillingFile, /) -> bytes:
        """The file's bytes; :class:`~leportal_core.errors.ValidationError` if a record is invalid
        or ``obj`` is not a :class:`BillingFile`."""
        if not isinstance(obj, BillingFile):
            raise ValidationError(
                "only a BillingFile can be encoded",
                [Problem(code="billing.codec.type", message=f"got {type(obj).__name__}")],
            )
        return encode(obj.records, self.profile)

    def decode(self, data: bytes, /) -> BillingFile:
        """The file's records; :class:`~leportal_core.errors.FormatError` with every problem."""
        return BillingFile(records=decode(data, self.profile))
