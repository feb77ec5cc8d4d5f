"""The plug-in manager: built-ins, installed adapters and extensions, and the codecs they register.

Adapters are distributions with an entry point in the group ``leportal.adapters`` (the name is the
adapter's, e.g. ``fhir``); tools that add commands but no codecs (the conformance suite) use
``leportal.extensions``. The environment variable ``LEPORTAL_PLUGINS`` allow-lists entry points by
name: unset loads all installed ones, an empty value loads none, ``fhir,conformance`` loads those.
Built-in behaviour (:mod:`leportal_core.builtin`: the core's commands, codecs and demo chapters)
is registered through the same manager and hooks, as tox and datasette do. A plug-in may add hook
specifications of its own in ``leportal_addhooks``, which pluggy calls the moment the plug-in is
registered (pytest's ``pytest_addhooks``), so its hooks exist before any listener is validated.

Building a manager imports only the plug-in modules themselves, which import their commands,
codecs and chapters when a hook asks for them: ``get_plugin_manager()`` stays in the tens of
milliseconds (``bench/bench_startup.py``).
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import os
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

import attrs
import pluggy

from leportal_core import builtin, hookspecs
from leportal_core.errors import PluginError

if TYPE_CHECKING:
    from leportal_core.codec import Codec

__all__ = [
    "ADAPTER_GROUP",
    "ALLOW_LIST_ENV",
    "EXTENSION_GROUP",
    "LoadedAdapter",
    "PluginStatus",
    "collect_codecs",
    "get_plugin_manager",
    "load_adapter",
    "load_entry_point_plugins",
    "new_plugin_manager",
]

ADAPTER_GROUP = "leportal.adapters"
EXTENSION_GROUP = "leportal.extensions"
ALLOW_LIST_ENV = "LEPORTAL_PLUGINS"


def new_plugin_manager() -> pluggy.PluginManager:
    """A manager with the hook specifications and the built-in plug-in, and nothing installed."""
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    # Historic: every plug-in registered from now on gets the call at registration, before
    # ``check_pending`` validates anyone's hooks against the specifications.
    pm.hook.leportal_addhooks.call_historic(kwargs={"pluginmanager": pm})
    pm.register(builtin, name=builtin.NAME)
    return pm


def allowed_names() -> frozenset[str] | None:
    """The names ``LEPORTAL_PLUGINS`` allows, or ``None`` when it is unset (all allowed)."""
    value = os.environ.get(ALLOW_LIST_ENV)
    if value is None:
        return None
    return frozenset(name.strip() for name in value.split(",") if name.strip())


def get_plugin_manager(*, load_entry_points: bool = True) -> pluggy.PluginManager:
    """The manager the CLI and embedding hosts use: built-ins plus allowed installed plug-ins.

    Raises :class:`PluginError` naming the plug-in when one cannot be imported or implements a
    hook that does not exist (``check_pending``).
    """
    pm = new_plugin_manager()
    if load_entry_points:
        load_entry_point_plugins(pm, tolerate_broken=False, describe=False)
    _check_pending(pm)
    return pm


@attrs.frozen(kw_only=True)
class PluginStatus:
    """One installed entry point and what became of it when the plug-ins were loaded."""

    name: str
    group: str
    value: str
    distribution: str | None
    version: str | None
    status: Literal["loaded", "failed", "not allowed"]
    error: str | None = None


def load_entry_point_plugins(
    pm: pluggy.PluginManager, *, tolerate_broken: bool, describe: bool = True
) -> list[PluginStatus]:
    """Register every allowed installed plug-in into ``pm`` and say what became of each.

    With ``tolerate_broken`` a plug-in that cannot be imported, registered or validated is left
    out (and reported as ``failed``) so that the others keep working — what the command line
    wants; without it the first such plug-in raises :class:`PluginError`. Without ``describe``
    the statuses leave ``distribution`` and ``version`` empty (reading them parses each
    distribution's metadata, a good part of the start-up's cost).
    """
    allowed = allowed_names()
    statuses: list[PluginStatus] = []
    registered: list[tuple[PluginStatus, object]] = []
    installed = metadata.entry_points()  # one scan of the installed distributions for both groups
    for group in (ADAPTER_GROUP, EXTENSION_GROUP):
        for entry_point in installed.select(group=group):
            distribution, version = _describe(entry_point) if describe else (None, None)
            status = PluginStatus(
                name=entry_point.name,
                group=group,
                value=entry_point.value,
                distribution=distribution,
                version=version,
                status="loaded",
            )
            if allowed is not None and entry_point.name not in allowed:
                statuses.append(attrs.evolve(status, status="not allowed"))
                continue
            if pm.has_plugin(entry_point.name):
                continue
            try:
                plugin = _load_entry_point(entry_point)
                _register(pm, plugin, entry_point.name)
            except PluginError as exc:
                if not tolerate_broken:
                    raise
                statuses.append(attrs.evolve(status, status="failed", error=str(exc)))
                continue
            registered.append((status, plugin))
    # Validated once all are in: one plug-in may implement a hook another one adds.
    for status, plugin in registered:
        unknown = _unknown_hooks(pm, plugin)
        if unknown and tolerate_broken:
            pm.unregister(plugin)
            error = f"plug-in {status.name!r} implements hooks leportal does not have: {', '.join(unknown)}"
            statuses.append(attrs.evolve(status, status="failed", error=error))
        else:
            statuses.append(status)
    return statuses


def _describe(entry_point: metadata.EntryPoint) -> tuple[str | None, str | None]:
    """The name and version of the distribution declaring ``entry_point`` (metadata read once)."""
    if entry_point.dist is None:
        return None, None
    meta = entry_point.dist.metadata
    return meta["Name"], meta["Version"]


def _unknown_hooks(pm: pluggy.PluginManager, plugin: object) -> list[str]:
    """Hooks ``plugin`` implements that no specification declares (and are not optional)."""
    unknown = []
    for caller in pm.get_hookcallers(plugin) or []:
        if caller.spec is None and any(
            impl.plugin is plugin and not impl.optionalhook for impl in caller.get_hookimpls()
        ):
            unknown.append(caller.name)
    return sorted(unknown)


@attrs.frozen(kw_only=True)
class LoadedAdapter:
    """An adapter picked by name or by ``module:object``, with what is known of its origin."""

    name: str
    plugin: object
    version: str
    origin: str


def load_adapter(spec: str) -> LoadedAdapter:
    """Load one adapter for inspection (e.g. certification), without registering it anywhere.

    ``spec`` is an entry-point name in ``leportal.adapters`` (``fhir``) or an import path
    ``package.module`` / ``package.module:object``. The allow-list does not apply: the caller named
    the adapter explicitly.
    """
    if ":" not in spec and "." not in spec:
        for entry_point in metadata.entry_points(group=ADAPTER_GROUP):
            if entry_point.name == spec:
                dist = entry_point.dist
                return LoadedAdapter(
                    name=spec,
                    plugin=_load_entry_point(entry_point),
                    version=dist.version if dist is not None else "unknown",
                    origin=f"entry point {ADAPTER_GROUP}:{spec} ({entry_point.value})",
                )
        installed = sorted(ep.name for ep in metadata.entry_points(group=ADAPTER_GROUP))
        raise PluginError(
            f"no adapter named {spec!r} is installed; installed: {', '.join(installed) or 'none'}"
        )
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
        plugin: object = _resolve(module, attribute) if attribute else module
    except PluginError:
        raise
    except Exception as exc:  # any import-time failure of foreign code is the plug-in's fault
        raise PluginError(f"cannot import adapter {spec!r}: {type(exc).__name__}: {exc}") from exc
    version = (
        getattr(plugin, "__version__", None) or getattr(module, "__version__", None) or "unknown"
    )
    name = getattr(plugin, "ADAPTER_NAME", None) or module_name.rsplit(".", 1)[-1]
    return LoadedAdapter(
        name=str(name), plugin=plugin, version=str(version), origin=f"import {spec}"
    )


def collect_codecs(pm: pluggy.PluginManager) -> dict[str, Codec[Any]]:
    """Every codec the registered plug-ins provide, by name, checked for the codec contract's shape."""
    codecs: dict[str, Codec[Any]] = {}

    def register(codec: Codec[Any]) -> None:
        problems = codec_shape_problems(codec)
        if problems:
            raise PluginError(
                f"plug-in registered an invalid codec {codec!r}: {'; '.join(problems)}"
            )
        if codec.name in codecs:
            raise PluginError(f"codec name {codec.name!r} is registered twice")
        codecs[codec.name] = codec

    # A hook function reached through two plug-in objects (the built-in plug-in and
    # ``leportal_core.billing.codec``, which re-exports its hook to be certified) provides once.
    seen: set[object] = set()
    repeated = []
    for impl in reversed(pm.hook.leportal_register_codecs.get_hookimpls()):  # call order
        if impl.function in seen:
            repeated.append(impl.plugin)
        seen.add(impl.function)
    pm.subset_hook_caller("leportal_register_codecs", remove_plugins=repeated)(register=register)
    return codecs


def codec_shape_problems(codec: object) -> list[str]:
    """What is missing or malformed in a would-be codec; empty when it has the codec's shape."""
    from leportal_core.codec import CODEC_NAME

    problems = []
    for attribute in ("name", "media_type", "description"):
        value = getattr(codec, attribute, None)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{attribute} must be non-empty text")
    name = getattr(codec, "name", None)
    if isinstance(name, str) and not CODEC_NAME.match(name):
        problems.append(f"name {name!r} must be dotted lower case, e.g. 'fhir.document_reference'")
    if not isinstance(getattr(codec, "object_type", None), type):
        problems.append("object_type must be a class")
    for method in ("encode", "decode"):
        if not callable(getattr(codec, method, None)):
            problems.append(f"{method} must be callable")
    return problems


def _load_entry_point(entry_point: metadata.EntryPoint) -> object:
    try:
        return entry_point.load()
    except Exception as exc:  # any import-time failure of foreign code is the plug-in's fault
        raise PluginError(
            f"plug-in {entry_point.name!r} ({entry_point.value}) failed to load: "
            f"{type(exc).__name__}: {exc}; exclude it with {ALLOW_LIST_ENV}=<names to load>"
        ) from exc


def _resolve(module: ModuleType, attribute: str) -> object:
    obj: object = module
    for part in attribute.split("."):
        if not hasattr(obj, part):
            raise PluginError(f"{module.__name__} has no attribute {attribute!r}")
        obj = getattr(obj, part)
    return obj


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except ValueError as exc:
        raise PluginError(f"plug-in {name!r} cannot be registered: {exc}") from exc


def _check_pending(pm: pluggy.PluginManager) -> None:
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plug-in implements a hook leportal does not have: {exc}") from exc


def register_plugins(pm: pluggy.PluginManager, plugins: Iterable[tuple[str, object]]) -> None:
    """Register ``(name, plugin)`` pairs, e.g. a host's in-process plug-ins, then check them."""
    for name, plugin in plugins:
        _register(pm, plugin, name)
    _check_pending(pm)
