"""CPU time of the validation kit's printable-text check against the copies it replaced.

Prints per-call CPU time for a 200-character name and a 20,000-character free text (the therapy
limits), and the ratio to the old therapy regex (``[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]``)
and to a per-character ``unicodedata.category`` loop (the old document check).
"""

from __future__ import annotations

import re
import sys
import time
import unicodedata
from collections.abc import Callable

from leportal_core.validation import unprintable

OLD_THERAPY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def old_document(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cc", "Cs")})


def cpu_per_call(check: Callable[[str], object], text: str, calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        check(text)
    return (time.process_time() - start) / calls


def main() -> None:
    scale = 10 if "--quick" in sys.argv[1:] else 1
    name = "Müller-Lüdenscheidt, Anna-Maria " * 6  # about 200 characters
    free = "Befund: Patientin zeigt deutliche Fortschritte.\n" * 416  # about 20,000 characters
    for label, text, calls in (
        ("name 200", name, 20_000 // scale),
        ("text 20000", free, 200 // scale),
    ):
        kit = cpu_per_call(lambda t: unprintable(t, multiline=True), text, calls)
        regex = cpu_per_call(OLD_THERAPY.search, text, calls)
        loop = cpu_per_call(old_document, text, calls)
        print(
            f"{label:<11} kit {kit * 1e6:8.1f} µs | old regex {regex * 1e6:8.1f} µs "
            f"(kit/regex {kit / regex:4.1f}x) | category loop {loop * 1e6:8.1f} µs "
            f"(kit/loop {kit / loop:4.2f}x)"
        )


if __name__ == "__main__":
    main()
