"""An adapter whose import has side effects: it prints and sets an environment variable."""

from __future__ import annotations

import os

from .toy_adapter import ToyAdapter

__version__ = "0.0.1"

print("noisy adapter loading…")
os.environ["LEPORTAL_NOISY_ADAPTER"] = str(os.getpid())  # differs in every process

plugin = ToyAdapter()
