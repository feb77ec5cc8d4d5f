"""leportal core: the domain of the German provider portals, free of any host format.

The public API is what this module exports; adapters and hosts import from here (and from the
documented submodules ``errors``, ``identifiers``, ``hookspecs``, ``plugins``). Nothing here
imports an adapter, the conformance suite, pytest or hypothesis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leportal_core.lazyimport import lazy_exports

if TYPE_CHECKING:
    __version__: str

    from leportal_core.category import Category, Classification
    from leportal_core.classification import classify
    from leportal_core.codec import Codec
    from leportal_core.document import Document
    from leportal_core.errors import (
        ConfigurationError,
        FormatError,
        InvalidChecksum,
        InvalidComponent,
        InvalidFormat,
        InvalidIdentifier,
        InvalidLength,
        LeportalError,
        Location,
        PluginError,
        Problem,
        Severity,
        StorageError,
        ValidationError,
    )
    from leportal_core.hookspecs import hookimpl
    from leportal_core.plugins import collect_codecs, get_plugin_manager

# Imported on first use (PEP 562), so ``import leportal_core`` and ``leportal --version`` stay cheap.
_EXPORTS = {
    "Category": "category",
    "Classification": "category",
    "classify": "classification",
    "Codec": "codec",
    "Document": "document",
    **dict.fromkeys(
        (
            "ConfigurationError",
            "FormatError",
            "InvalidChecksum",
            "InvalidComponent",
            "InvalidFormat",
            "InvalidIdentifier",
            "InvalidLength",
            "LeportalError",
            "Location",
            "PluginError",
            "Problem",
            "Severity",
            "StorageError",
            "ValidationError",
        ),
        "errors",
    ),
    "hookimpl": "hookspecs",
    "collect_codecs": "plugins",
    "get_plugin_manager": "plugins",
}


_lazy = lazy_exports(__name__, _EXPORTS)


def __getattr__(name: str) -> object:
    if name == "__version__":  # importlib.metadata only when someone asks
        globals()[name] = _version()
        return globals()[name]
    return _lazy(name)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("leportal-core")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0+unknown"


__all__ = [
    "Category",
    "Classification",
    "Codec",
    "ConfigurationError",
    "Document",
    "FormatError",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidIdentifier",
    "InvalidLength",
    "LeportalError",
    "Location",
    "PluginError",
    "Problem",
    "Severity",
    "StorageError",
    "ValidationError",
    "__version__",
    "classify",
    "collect_codecs",
    "get_plugin_manager",
    "hookimpl",
]
