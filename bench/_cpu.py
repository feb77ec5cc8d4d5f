"""CPU-time measurement shared by the bench scripts (issue 19): contenders interleaved, so a
neighbour's load on the shared machine falls on all of them alike; the minimum of the repeats.

The scripts run as ``python bench/bench_x.py``, which puts this directory on ``sys.path``.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable


def interleaved(
    contenders: dict[str, Callable[[], object]], count: int, repeats: int
) -> dict[str, float]:
    """Calls per CPU second of each contender: minimum over ``repeats`` interleaved batches of
    ``count`` calls (``time.process_time``; one warm-up call each for imports and caches)."""
    for function in contenders.values():
        function()
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(repeats):
        for name, function in contenders.items():
            began = time.process_time()
            for _ in range(count):
                function()
            best[name] = min(best[name], time.process_time() - began)
    return {name: count / max(seconds, 1e-9) for name, seconds in best.items()}


def traced_peak(function: Callable[[], object]) -> int:
    """Peak bytes allocated by one call (tracemalloc; what existed before is not counted)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
