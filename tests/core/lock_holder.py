"""Another process that holds a store's write lock (``BEGIN EXCLUSIVE``) while a test runs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()  # hold the lock until the test closes our stdin
connection.execute("ROLLBACK")
"""


@contextmanager
def holding_write_lock(path: Path) -> Iterator[Path]:
    """The lock is held from entering the block (the holder said so) until leaving it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield path
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()
