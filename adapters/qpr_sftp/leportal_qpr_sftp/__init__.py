"""leportal adapter ``qpr_sftp``: pick up Prüfberichte (§§ 114 ff. SGB XI) from the QPR-Portal's
SFTP delivery (procedure QPR_0_SFTP) so that no report is lost and none is filed twice.

The QPR-Portal (ITSG) publishes that recipients with many deliveries collect them over SFTP after
an e-mail notice; the file naming and folder layout are not public, so nothing here relies on
them. See ``docs/qpr.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leportal_core.lazyimport import lazy_exports

if TYPE_CHECKING:
    from leportal_qpr_sftp.config import PickupConfig, load_config
    from leportal_qpr_sftp.errors import PickupError
    from leportal_qpr_sftp.fetch import fetch_reports, fetch_reports_async
    from leportal_qpr_sftp.model import FetchedReport, FetchRun

# Imported on first use (PEP 562): the plug-in manager imports this package's ``plugin`` module,
# which must not pull in the adapter's dependencies.
_EXPORTS = {
    "PickupConfig": "config",
    "load_config": "config",
    "PickupError": "errors",
    "fetch_reports": "fetch",
    "fetch_reports_async": "fetch",
    "FetchedReport": "model",
    "FetchRun": "model",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)


__version__ = "0.1.0"


__all__ = [
    "FetchRun",
    "FetchedReport",
    "PickupConfig",
    "PickupError",
    "__version__",
    "fetch_reports",
    "fetch_reports_async",
    "load_config",
]
