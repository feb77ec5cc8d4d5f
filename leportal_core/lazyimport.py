"""Re-exports that are imported on first use (PEP 562), for the packages' ``__init__`` modules.

``import leportal_core`` and the plug-in manager import a package for its plug-in module or its
version; a package's curated names would otherwise pull in its whole implementation (pypdf,
fpdf2, asyncssh, Hypothesis…). List the names under ``if TYPE_CHECKING:`` as well, for type
checkers; tests/core/test_startup.py checks that every name in ``__all__`` resolves.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` that imports ``package.<exports[name]>`` when ``name`` is used.

    Use it as ``__getattr__ = lazy_exports(__name__, {"Name": "submodule", ...})``.
    """

    def __getattr__(name: str) -> object:
        submodule = exports.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{submodule}"), name)
        setattr(sys.modules[package], name, value)  # later lookups skip this function
        return value

    return __getattr__
