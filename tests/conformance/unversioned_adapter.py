"""A correct adapter that does not say its version (no ``__version__`` anywhere)."""

from __future__ import annotations

from .toy_adapter import ToyAdapter

plugin = ToyAdapter()
