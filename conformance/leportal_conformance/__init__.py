"""leportal-conformance: the suite that certifies an adapter before a host may rely on it.

Run it as ``leportal conformance certify ADAPTER --out DIR`` or call :func:`certify` and
:func:`write_reports`. It sees an adapter only through the plug-in manager, as a host does.
"""

from __future__ import annotations

from importlib import metadata as _metadata
from typing import TYPE_CHECKING

from leportal_core.lazyimport import lazy_exports

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

if TYPE_CHECKING:
    from leportal_conformance.model import CertificationResult, Status, TestResult
    from leportal_conformance.report import ReportFiles, write_reports
    from leportal_conformance.runner import certify

# Imported on first use (PEP 562): the command line imports this package for its plug-in module,
# which must not pull in the suite and Hypothesis.
_EXPORTS = {
    "CertificationResult": "model",
    "Status": "model",
    "TestResult": "model",
    "ReportFiles": "report",
    "write_reports": "report",
    "certify": "runner",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)
