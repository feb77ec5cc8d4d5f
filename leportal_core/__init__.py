"""leportal core: the domain of the German provider portals, free of any host format.

The public API is what this module exports; adapters and hosts import from here (and from the
documented submodules ``errors``, ``identifiers``, ``hookspecs``, ``plugins``). Nothing here
imports an adapter, the conformance suite, pytest or hypothesis.
"""

from __future__ import annotations

from importlib import metadata as _metadata

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
    TransportError,
    ValidationError,
)
from leportal_core.hookspecs import hookimpl
from leportal_core.plugins import collect_codecs, get_plugin_manager

try:
    __version__ = _metadata.version("leportal-core")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

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
    "TransportError",
    "ValidationError",
    "__version__",
    "classify",
    "collect_codecs",
    "get_plugin_manager",
    "hookimpl",
]
