"""The adapter's own hook (pluggy project ``leportal``): the host hears of every new Prüfbericht.

A hookspec rather than a Python callback, so a host that already plugs into leportal (case
events, passcode delivery) receives reports the same way, and several listeners (archive import,
worklist item, e-mail to the Pflegedienstleitung) can coexist. The spec is added to the plug-in
manager by the adapter's ``leportal_addhooks`` as soon as the adapter is registered (so a host's
listener validates), and by :func:`add_hookspecs` whenever the pickup runs on a manager without
the adapter; the core's hookspecs stay untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from leportal_core.hookspecs import hookspec

if TYPE_CHECKING:
    from leportal_qpr_sftp.model import FetchedReport

__all__ = ["HOOK_NAME", "add_hookspecs", "leportal_qpr_report_fetched"]

HOOK_NAME = "leportal_qpr_report_fetched"


@hookspec
def leportal_qpr_report_fetched(report: FetchedReport, path: str) -> None:
    """A new Prüfbericht is safely filed at ``path`` (fsync'ed, recorded in the store).

    Called once per report for every implementation. If an implementation raises, the report stays
    filed, the problem ``qpr_sftp.hook.failed`` is reported, and the hook is called again for that
    report on the next run (at-least-once delivery; dedupe on ``report.sha256`` if that matters).
    """


def add_hookspecs(pm: pluggy.PluginManager) -> None:
    """Make ``pm`` know :func:`leportal_qpr_report_fetched` (idempotent)."""
    caller = getattr(pm.hook, HOOK_NAME, None)
    if caller is None or not caller.has_spec():
        import leportal_qpr_sftp.hookspecs as module

        pm.add_hookspecs(module)
