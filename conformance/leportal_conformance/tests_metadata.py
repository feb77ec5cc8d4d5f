"""The ``metadata`` group: the adapter registers, its codecs are complete, its version is known.

It also decides which codecs the other groups test, so it always runs first.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs

from leportal_conformance import catalog
from leportal_conformance.capabilities import Capabilities, read_capabilities
from leportal_conformance.guard import call, describe_exception, short_repr
from leportal_conformance.model import Finding, Status, TestResult, run_test
from leportal_core.codec import CODEC_NAME, Codec
from leportal_core.errors import PluginError
from leportal_core.plugins import (
    LoadedAdapter,
    codec_shape_problems,
    collect_codecs,
    new_plugin_manager,
    register_plugins,
)

__all__ = ["Discovery", "discover"]


@attrs.frozen(kw_only=True)
class Discovery:
    """The metadata group's results and the codecs the other groups go on to test."""

    results: tuple[TestResult, ...]
    codecs: dict[str, Codec[Any]]
    capabilities: dict[str, Capabilities] = attrs.field(factory=dict)


@attrs.define
class _Registration:
    raw: list[object] = attrs.field(factory=list)
    collected: dict[str, Codec[Any]] | None = None

    @property
    def succeeded(self) -> bool:
        return self.collected is not None


def discover(adapter: LoadedAdapter) -> Discovery:
    """Register ``adapter`` alone on a fresh plug-in manager and check what it provides."""
    registration = _Registration()
    results = [
        run_test(catalog.CODECS_REGISTER, None, lambda: _register(adapter, registration)),
    ]
    codecs = _codecs_under_test(registration)
    results.append(run_test(catalog.CODECS_PRESENT, None, lambda: _present(codecs, registration)))
    results.append(run_test(catalog.VERSION, None, lambda: _version(adapter)))
    for label, candidate in _labelled(registration.raw):
        results.append(run_test(catalog.COMPLETE, label, functools.partial(_complete, candidate)))
    capabilities: dict[str, Capabilities] = {}
    for name, codec in codecs.items():
        read = call(read_capabilities, codec)
        declared = read.value if read.value is not None else Capabilities(declared=False)
        capabilities[name] = declared
        results.append(
            run_test(
                catalog.CAPABILITIES,
                name,
                functools.partial(_capabilities_finding, declared, read.error),
            )
        )
    return Discovery(results=tuple(results), codecs=codecs, capabilities=capabilities)


def _capabilities_finding(declared: Capabilities, error: BaseException | None) -> Finding:
    if error is not None:
        return Finding(
            status=Status.FAILED,
            message=f"reading the capabilities raised {describe_exception(error)}",
        )
    details = declared.as_dict()
    if declared.problems:
        details["problems"] = list(declared.problems)
        return Finding(
            status=Status.FAILED,
            message="; ".join(declared.problems) + " (every test applies)",
            details=details,
        )
    what = "declared" if declared.declared else "none declared: the defaults, every test applies"
    return Finding(status=Status.PASSED, message=what, details=details)


def _register(adapter: LoadedAdapter, registration: _Registration) -> Finding:
    pm = new_plugin_manager()
    registered = call(register_plugins, pm, [(adapter.name, adapter.plugin)])
    if registered.error is not None:
        return _failed_registration("the adapter could not be registered", registered.error)
    # Only this adapter's hook implementation: the core's built-ins are not under test.
    others = [plugin for plugin in pm.get_plugins() if plugin is not adapter.plugin]
    own_hook = pm.subset_hook_caller("leportal_register_codecs", remove_plugins=others)
    raw: list[object] = []
    hooked = call(lambda: own_hook(register=raw.append))
    registration.raw = raw
    if hooked.error is not None:
        return _failed_registration("leportal_register_codecs raised", hooked.error)
    collected = call(collect_codecs, pm)
    if collected.error is not None:
        return _failed_registration("collect_codecs rejected the adapter's codecs", collected.error)
    assert collected.value is not None
    own_names = {getattr(codec, "name", None) for codec in raw}
    registration.collected = {
        name: codec for name, codec in collected.value.items() if name in own_names
    }
    names = sorted(registration.collected)
    return Finding(
        status=Status.PASSED,
        message=f"{len(names)} codec(s): {', '.join(names) or 'none'}",
        details={"codecs": names},
    )


def _failed_registration(what: str, error: BaseException) -> Finding:
    kind = "PluginError" if isinstance(error, PluginError) else "an unexpected exception"
    return Finding(
        status=Status.FAILED,
        message=f"{what}: {describe_exception(error)}",
        details={"error_kind": kind, "error": describe_exception(error)},
    )


def _codecs_under_test(registration: _Registration) -> dict[str, Codec[Any]]:
    """The collected codecs; when collecting failed, the registered ones that have the codec's
    shape (first of a name wins), so that one run still tells the vendor as much as it can."""
    if registration.collected is not None:
        return registration.collected
    codecs: dict[str, Codec[Any]] = {}
    for candidate in registration.raw:
        shape = call(codec_shape_problems, candidate)
        if shape.error is None and not shape.value:
            codec: Codec[Any] = candidate  # type: ignore[assignment]  # shape checked just now
            codecs.setdefault(codec.name, codec)
    return codecs


def _present(codecs: dict[str, Codec[Any]], registration: _Registration) -> Finding:
    if codecs:
        return Finding(status=Status.PASSED, message=f"{len(codecs)} codec(s)")
    if registration.raw:
        return Finding(
            status=Status.FAILED,
            message="no usable codec: see metadata.codecs_register and metadata.complete",
        )
    if not registration.succeeded:
        return Finding(
            status=Status.FAILED,
            message="no codec: registration failed, see metadata.codecs_register",
        )
    return Finding(status=Status.FAILED, message="the adapter registered no codec")


def _version(adapter: LoadedAdapter) -> Finding:
    version = adapter.version.strip()
    if version and version != "unknown":
        return Finding(
            status=Status.PASSED,
            message=f"version {version}",
            details={"version": version, "origin": adapter.origin},
        )
    return Finding(
        status=Status.FAILED,
        message=(
            "the adapter's version is unknown: install it as a distribution, or set __version__ "
            "on the plug-in object or its module"
        ),
        details={"origin": adapter.origin},
    )


def _labelled(raw: list[object]) -> list[tuple[str, object]]:
    """Each registered object with a stable label: its name when that is a valid codec name
    (suffixed ``#n`` when registered twice), else ``codec#n`` by registration order."""
    labelled: list[tuple[str, object]] = []
    seen: set[str] = set()
    for number, candidate in enumerate(raw, 1):
        name = getattr(candidate, "name", None)
        label = name if isinstance(name, str) and CODEC_NAME.match(name) else f"codec#{number}"
        if label in seen:
            label = f"{label}#{number}"
        seen.add(label)
        labelled.append((label, candidate))
    return labelled


def _complete(candidate: object) -> Finding:
    shape = call(codec_shape_problems, candidate)
    if shape.error is not None:
        return Finding(
            status=Status.FAILED,
            message=f"inspecting the codec raised {describe_exception(shape.error)}",
        )
    problems = list(shape.value or [])
    name = getattr(candidate, "name", None)
    details: dict[str, Any] = {
        "name": short_repr(name),
        "media_type": short_repr(getattr(candidate, "media_type", None)),
        "object_type": short_repr(getattr(candidate, "object_type", None)),
    }
    if isinstance(name, str) and CODEC_NAME.match(name):
        details["prefix"] = name.split(".", 1)[0]
    if problems:
        details["problems"] = problems
        return Finding(status=Status.FAILED, message="; ".join(problems), details=details)
    return Finding(status=Status.PASSED, message="complete", details=details)
