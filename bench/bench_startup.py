"""Start-up cost of the command line and of the plug-in manager (issue 17, "Measure").

    python bench/bench_startup.py            # 9 repeats of each command
    python bench/bench_startup.py --quick    # 3 repeats

Each command runs as a fresh ``leportal`` process, as a host that shells out per document meets
it; its CPU time (user + system) comes from the child's rusage (``os.wait4``), the figure is the
minimum of the repeats, and every figure is a ratio to ``python -c pass`` with the same
interpreter, measured interleaved. ``get_plugin_manager()`` is timed in a fresh interpreter too
(CPU time of the call alone, as an embedding host pays it). Peak RSS is the child's ``ru_maxrss``.
Targets: ``--version`` ≤ 3×, ``ik check`` ≤ 5×, ``pdf check`` ≤ 10×, ``get_plugin_manager()``
< 50 ms. Tests never assert these.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL_PDF = ROOT / "samples" / "entlassungsbericht.pdf"
VALID_IK = "260326822"
DEPENDENCIES = "import attrs, click, pluggy, importlib.metadata as m; m.entry_points()"
# CPU seconds of importing the manager's module, then of the call (what the target is about).
PLUGIN_MANAGER = (
    "import time; t0 = time.process_time();"
    "from leportal_core.plugins import get_plugin_manager; t1 = time.process_time();"
    "get_plugin_manager(); t2 = time.process_time();"
    "print(t1 - t0, t2 - t1)"
)


def leportal() -> list[str]:
    """The installed script next to this interpreter, else ``python -m leportal_core``."""
    script = Path(sys.executable).with_name("leportal")
    if script.exists():
        return [str(script)]
    found = shutil.which("leportal")
    return [found] if found else [sys.executable, "-m", "leportal_core"]


def run(argv: list[str]) -> tuple[float, int, bytes]:
    """CPU seconds (user + system) and peak RSS in KiB of one child, and its standard output."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with exit status {process.returncode}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 9")
    repeats = 3 if parser.parse_args().quick else 9
    cli = leportal()
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        # What the command line cannot do without: its toolkits and one entry-point scan.
        "dependencies alone": [sys.executable, "-c", DEPENDENCIES],
        "leportal --version": [*cli, "--version"],
        "leportal --help": [*cli, "--help"],
        f"leportal ik check {VALID_IK}": [*cli, "ik", "check", VALID_IK],
        "leportal pdf check small.pdf": [*cli, "pdf", "check", str(SMALL_PDF)],
    }
    targets = {
        "leportal --version": 3.0,
        f"leportal ik check {VALID_IK}": 5.0,
        "leportal pdf check small.pdf": 10.0,
    }
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    rss: dict[str, int] = dict.fromkeys(cases, 0)
    manager_import: list[float] = []
    manager: list[float] = []
    for _ in range(repeats):  # interleaved: a busy neighbour slows every contender alike
        for name, argv in cases.items():
            seconds, peak, _ = run(argv)
            cpu[name].append(seconds)
            rss[name] = max(rss[name], peak)
        imported, called = run([sys.executable, "-c", PLUGIN_MANAGER])[2].split()
        manager_import.append(float(imported))
        manager.append(float(called))
    base = min(cpu["python -c pass"])
    print(
        f"{SMALL_PDF.name}: {SMALL_PDF.stat().st_size} bytes; {repeats} repeats, minimum CPU time"
    )
    print(f"{'command':<34} {'CPU ms':>8} {'ratio':>7} {'target':>7} {'peak RSS':>10}")
    for name in cases:
        best = min(cpu[name])
        target = f"≤ {targets[name]:g}×" if name in targets else ""
        print(
            f"{name:<34} {best * 1000:>8.1f} {best / base:>6.2f}× {target:>7} "
            f"{rss[name] / 1024:>7.1f} MiB"
        )
    print(
        f"{'get_plugin_manager() in-process':<34} {min(manager) * 1000:>8.1f} {'':>7} {'< 50 ms':>7}"
    )
    print(f"{'  (import leportal_core.plugins)':<34} {min(manager_import) * 1000:>8.1f}")


if __name__ == "__main__":
    main()
