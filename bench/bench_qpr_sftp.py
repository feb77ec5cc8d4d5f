"""Benchmark: the reliable QPR pickup vs a plain asyncssh ``get`` loop, over loopback SFTP.

    python bench/bench_qpr_sftp.py            # 300 small reports + 8 large ones
    python bench/bench_qpr_sftp.py --quick    # a tenth of that

Both fetch the same files from the same local asyncssh server (127.0.0.1). The plain loop only
copies bytes (asyncssh's parallel block reads); the pickup also hashes, fsyncs each file and the
folder, checks every PDF with pypdf, and records each file in SQLite (synchronous=FULL). A second
pickup run shows the cost of "nothing new" (listing plus store look-ups).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "adapters" / "qpr_sftp"))

import asyncssh  # noqa: E402

from leportal_qpr_sftp.config import parse_config  # noqa: E402
from leportal_qpr_sftp.fetch import fetch_reports  # noqa: E402
from leportal_qpr_sftp.localserver import LocalSftpServer, generate_key  # noqa: E402
from leportal_qpr_sftp.samples import sample_report  # noqa: E402


async def _plain_get(
    port: int, host_key: asyncssh.SSHKey, key: asyncssh.SSHKey, target: Path
) -> None:
    async with (
        asyncssh.connect(
            "127.0.0.1",
            port,
            username="qpr",
            known_hosts=([host_key], [], []),
            client_keys=[key],
            agent_path=None,
            config=None,
        ) as conn,
        conn.start_sftp_client() as sftp,
    ):
        for name in sorted(await sftp.listdir("ausgang")):
            if name not in {".", ".."}:
                await sftp.get(f"ausgang/{name}", str(target / name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the files")
    args = parser.parse_args()
    small, large = (30, 1) if args.quick else (300, 8)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        outbox = base / "server" / "ausgang"
        outbox.mkdir(parents=True)
        total = 0
        for i in range(small):
            data = sample_report(f"Pruefbericht {i}", padding=40_000)
            (outbox / f"PB_{i:04d}.pdf").write_bytes(data)
            total += len(data)
        for i in range(large):
            data = sample_report(f"Pruefbericht gross {i}", padding=8_000_000)
            (outbox / f"PB_gross_{i:02d}.pdf").write_bytes(data)
            total += len(data)
        files = small + large
        key = generate_key()
        key.write_private_key(str(base / "key"))
        with LocalSftpServer(base / "server", client_key=key) as server:
            plain_dir = base / "plain"
            plain_dir.mkdir()
            start = time.perf_counter()
            pinned = asyncssh.import_public_key(server.host_key_line)
            asyncio.run(_plain_get(server.port, pinned, key, plain_dir))
            plain = time.perf_counter() - start
            config = parse_config(
                {
                    "host": "127.0.0.1",
                    "port": server.port,
                    "user": "qpr",
                    "private_key": "key",
                    "host_key": server.host_key_line,
                    "remote_dir": "ausgang",
                    "target_dir": "eingang",
                    "recipient_ik": "260326822",
                    "recipient_email": "pdl@pflegeheim.example",
                },
                base=base,
            )
            start = time.perf_counter()
            run = fetch_reports(config)
            pickup = time.perf_counter() - start
            assert len(run.filed) == files, run.problems
            start = time.perf_counter()
            again = fetch_reports(config)
            rerun = time.perf_counter() - start
            assert again.filed == ()
    mb = total / 1e6
    print(f"{files} files, {mb:.1f} MB over loopback SFTP")
    print(f"{'method':<34} {'seconds':>8} {'files/s':>9} {'MB/s':>8} {'vs plain':>9}")
    for label, secs in (
        ("plain asyncssh get loop", plain),
        ("qpr pickup (hash+fsync+PDF+store)", pickup),
    ):
        print(f"{label:<34} {secs:8.2f} {files / secs:9.1f} {mb / secs:8.1f} {secs / plain:8.2f}x")
    print(
        f"{'qpr re-run, nothing new':<34} {rerun:8.2f} {files / rerun:9.1f} {'-':>8} {rerun / plain:8.2f}x"
    )


if __name__ == "__main__":
    main()
