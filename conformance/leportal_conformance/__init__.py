"""leportal-conformance: the suite that certifies an adapter before a host may rely on it.

Run it as ``leportal conformance certify ADAPTER --out DIR`` or call :func:`certify` and
:func:`write_reports`. It sees an adapter only through the plug-in manager, as a host does.
"""

from __future__ import annotations

from importlib import metadata as _metadata

__all__ = [
    "SUITE_NAME",
    "CertificationResult",
    "ReportFiles",
    "Status",
    "TestResult",
    "__version__",
    "certify",
    "write_reports",
]

SUITE_NAME = "leportal-conformance"

try:
    __version__ = _metadata.version(SUITE_NAME)
except (
    _metadata.PackageNotFoundError
):  # a source tree that is not installed; kept in step by a test
    __version__ = "0.1.0"

# Imported after the version, which the runner records in every result.
from leportal_conformance.model import CertificationResult, Status, TestResult  # noqa: E402
from leportal_conformance.report import ReportFiles, write_reports  # noqa: E402
from leportal_conformance.runner import certify  # noqa: E402
