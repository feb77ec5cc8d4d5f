"""Billing files for MASS (Eingliederungshilfe: LWL, LWV Hessen, LVR): schema-driven, streaming, strict.

The layout of a billing file is data - a :class:`Profile` read from TOML - and one generic engine
reads and writes every profile. The official MASS CSV layout is not public (LWL, MASS pages on
lwl-inklusionsamt-soziale-teilhabe.de); ``mass-provisional-v1`` is the project's documented,
*provisional* layout, to be replaced by the official one as a profile file without code changes.
See ``docs/billing.md``.

>>> from leportal_core import billing
>>> profile = billing.load_profile("mass-provisional-v1")
>>> report = billing.validate(b"Rechnungsnummer\\r\\n", profile)
>>> report.valid, report.problems[0].code
(False, 'billing.header.missing_column')
"""

from __future__ import annotations

from leportal_core.billing.codec import BillingCodec, BillingFile
from leportal_core.billing.decoder import Decoder, ValidationReport, decode, iter_records, validate
from leportal_core.billing.encoder import encode, write, write_file
from leportal_core.billing.profile import (
    Column,
    ColumnType,
    Profile,
    available_profiles,
    load_profile,
    parse_profile,
)
from leportal_core.billing.reconcile import Difference, Reconciliation, reconcile
from leportal_core.billing.records import BillingRecord, MassRecord, Unit, line_amount
from leportal_core.billing.rules import GroupTotal
from leportal_core.billing.values import neutralise, unneutralise
from leportal_core.billing.webentry import (
    Approval,
    Attendance,
    Facility,
    Person,
    approvals_from_records,
    attendance_from_records,
    build_invoice,
)

__all__ = [
    "Approval",
    "Attendance",
    "BillingCodec",
    "BillingFile",
    "BillingRecord",
    "Column",
    "ColumnType",
    "Decoder",
    "Difference",
    "Facility",
    "GroupTotal",
    "MassRecord",
    "Person",
    "Profile",
    "Reconciliation",
    "Unit",
    "ValidationReport",
    "approvals_from_records",
    "attendance_from_records",
    "available_profiles",
    "build_invoice",
    "decode",
    "encode",
    "iter_records",
    "line_amount",
    "load_profile",
    "neutralise",
    "parse_profile",
    "reconcile",
    "unneutralise",
    "validate",
    "write",
    "write_file",
]
