"""Unterlagenlieferung: deliver the documents the MD asked for, and prove what arrived.

:func:`plan_delivery` checks, classifies and matches the documents of a :class:`DeliveryRequest`;
:func:`build_folder` writes the upload-ready folder with its ``manifest.json`` atomically;
:func:`reconcile` compares the portal's Dateiquittung with the manifest. See ``docs/documents.md``.
"""

from __future__ import annotations

from leportal_core.delivery.folder import MANIFEST_NAME, build_folder, manifest_bytes
from leportal_core.delivery.model import (
    DeadlineState,
    DeadlineStatus,
    DeliveryDocument,
    DeliveryRequest,
    RequestedItem,
    deadline_status,
)
from leportal_core.delivery.names import CATEGORY_FOLDERS, safe_stem, unique_names
from leportal_core.delivery.plan import CheckedDocument, DeliveryPlan, Match, plan_delivery
from leportal_core.delivery.receipt import (
    ReceiptEntry,
    Reconciliation,
    SentFile,
    load_manifest,
    load_receipt,
    parse_receipt_csv,
    parse_receipt_json,
    reconcile,
    reconciliation_problems,
)
from leportal_core.delivery.request_file import load_request, parse_request

__all__ = [
    "CATEGORY_FOLDERS",
    "MANIFEST_NAME",
    "CheckedDocument",
    "DeadlineState",
    "DeadlineStatus",
    "DeliveryDocument",
    "DeliveryPlan",
    "DeliveryRequest",
    "Match",
    "ReceiptEntry",
    "Reconciliation",
    "RequestedItem",
    "SentFile",
    "build_folder",
    "deadline_status",
    "load_manifest",
    "load_receipt",
    "load_request",
    "manifest_bytes",
    "parse_receipt_csv",
    "parse_receipt_json",
    "parse_request",
    "plan_delivery",
    "reconcile",
    "reconciliation_problems",
    "safe_stem",
    "unique_names",
]
