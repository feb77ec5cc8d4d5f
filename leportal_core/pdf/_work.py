"""The work budget of one inspection: objects parsed, bytes decompressed, CPU seconds.

Every step that parses objects (cross-reference entries, objects pypdf reads, object streams it
must parse whole to reach one object) or decompresses a stream charges this budget before or right
after doing the work; the first charge beyond a limit raises :class:`WorkBudgetExceeded`, which the
inspection reports as ``pdf.work_budget``. CPU time is checked at every charge, so a step that
never charges cannot be stopped — the charges sit where the cost grows with the file.
"""

from __future__ import annotations

import time

__all__ = ["Work", "WorkBudgetExceeded"]


class WorkBudgetExceeded(Exception):
    """A limit of the work budget was reached; the message names it."""


class Work:
    """Counters for one inspection, with their limits."""

    def __init__(self, *, max_objects: int, max_inflated: int, max_cpu_seconds: float) -> None:
        self.max_objects = max_objects
        self.max_inflated = max_inflated
        self.max_cpu_seconds = max_cpu_seconds
        self.objects = 0
        self.inflated = 0
        self._start = time.process_time()

    @property
    def cpu_seconds(self) -> float:
        return time.process_time() - self._start

    def parse(self, count: int = 1) -> None:
        """Charge ``count`` parsed objects (or cross-reference entries)."""
        self.objects += count
        if self.objects > self.max_objects:
            raise WorkBudgetExceeded(f"more than {self.max_objects} objects to parse")
        self._clock()

    def inflate(self, count: int) -> None:
        """Charge ``count`` decompressed bytes."""
        self.inflated += count
        if self.inflated > self.max_inflated:
            raise WorkBudgetExceeded(f"more than {self.max_inflated} bytes to decompress")
        self._clock()

    def _clock(self) -> None:
        if self.cpu_seconds > self.max_cpu_seconds:
            raise WorkBudgetExceeded(f"more than {self.max_cpu_seconds:g} s of CPU time")
