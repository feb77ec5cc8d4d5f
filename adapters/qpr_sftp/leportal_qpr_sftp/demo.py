"""The qpr_sftp adapter's chapter of ``leportal demo`` (order 240): a local SFTP server on
127.0.0.1 with a generated host key offers two Prüfberichte and one file that is not a PDF; the
pickup fetches, a second run finds nothing new, and the server is stopped."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from leportal_core.demo import DemoContext, DemoStep
from leportal_core.hookspecs import hookimpl
from leportal_qpr_sftp.config import parse_config
from leportal_qpr_sftp.fetch import fetch_reports
from leportal_qpr_sftp.localserver import LocalSftpServer, generate_key
from leportal_qpr_sftp.samples import sample_report

__all__ = ["leportal_demo_steps"]

_IK = "260326822"


def _prepare(base: Path) -> Path:
    if base.exists():
        shutil.rmtree(base)  # the demo starts from nothing each time
    outbox = base / "sftp-server" / "ausgang"
    outbox.mkdir(parents=True)
    (outbox / f"Pruefbericht_{_IK}_2026-10-01.pdf").write_bytes(
        sample_report("Pruefbericht Regelpruefung 2026")
    )
    (outbox / f"Pruefbericht_{_IK}_2026-11-12.pdf").write_bytes(
        sample_report("Pruefbericht Anlasspruefung 2026")
    )
    (outbox / "hinweis.txt").write_bytes(b"Dies ist kein Pruefbericht.\n")
    return outbox


def _pickup(context: DemoContext) -> None:
    base = (context.out / "qpr").resolve()  # config paths are resolved against base
    _prepare(base)
    client_key = generate_key()
    key_path = base / "client_ed25519"
    client_key.write_private_key(str(key_path))
    with LocalSftpServer(base / "sftp-server", client_key=client_key) as server:
        context.say(
            f"   local SFTP server on 127.0.0.1:{server.port}, host key {server.host_key.get_fingerprint()}"
        )
        config = parse_config(
            {
                "host": "127.0.0.1",
                "port": server.port,
                "user": server.user,
                "private_key": str(key_path),
                "host_key": server.host_key_line,
                "remote_dir": "ausgang",
                "target_dir": str(base / "eingang"),
                "recipient_ik": _IK,
                "recipient_email": "pdl@pflegeheim.example",
            },
            base=base,
        )
        for attempt in ("first run", "second run"):
            # the demo's first run creates the ledger (the documented first-use flag)
            run = fetch_reports(config, pm=context.pm, create_store=attempt == "first run")
            context.say(
                f"   {attempt}: {len(run.filed)} new, {run.already_known} already known, "
                f"{len(run.quarantined)} quarantined"
            )
            for report in run.filed:
                context.say(
                    f"     filed {report.local_name} ({report.size} bytes, SHA-256 {report.sha256[:16]}…)"
                )
            for problem in run.problems:
                context.say(f"     {problem.code}: {problem.message}")
    context.say(
        "   server stopped; the store remembers what was fetched, so nothing is fetched twice"
    )


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """The qpr_sftp adapter's chapter."""
    register(
        DemoStep(
            order=240,
            title="Pick up Prüfberichte from a QPR-Portal SFTP folder, twice",
            run=_pickup,
        )
    )
