"""The hooks a leportal plug-in may implement (pluggy project name ``leportal``).

Every hook is documented in ``docs/plugins.md``; a test fails when one is not. Implement a hook
with the :data:`hookimpl` marker::

    from leportal_core.hookspecs import hookimpl

    @hookimpl
    def leportal_register_codecs(register):
        register(MyCodec())
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from leportal_core.cases.events import CaseEvent
    from leportal_core.category import Classification
    from leportal_core.codec import Codec
    from leportal_core.demo import DemoStep
    from leportal_core.document import Document
    from leportal_core.problems import Section
    from leportal_core.secondfactor.passcodes import PasscodeDelivery
    from leportal_core.store import Component

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "leportal"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec(historic=True)
def leportal_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    """Add this plug-in's own hook specifications: ``pluginmanager.add_hookspecs(my_hookspecs)``.

    Called the moment the plug-in is registered (a historic hook, like pytest's
    ``pytest_addhooks``), before any other plug-in's implementations are validated, so a host can
    register a listener for the plug-in's hooks the documented way (``register_plugins``).
    """


@hookspec
def leportal_register_codecs(register: Callable[[Codec[Any]], None]) -> None:
    """Register the codecs this plug-in provides by calling ``register(codec)`` once per codec.

    Called whenever the codecs are collected (the CLI, the demo, a conformance run). All
    implementations are called; a codec name registered twice is a :class:`PluginError`.
    """


@hookspec(firstresult=True)
def leportal_classify_document(document: Document) -> Classification | None:
    """Return the eVV category of ``document``, or ``None`` to leave the decision to later rules.

    Called by :func:`leportal_core.classification.classify`. The first non-``None`` result wins; a
    host's own rule (e.g. from its archive's document types) thus overrides the built-in fallback,
    which runs last and answers *zusätzliche Unterlagen* with ``needs_review=True``.
    """


@hookspec
def leportal_register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``leportal`` command line, e.g.
    ``cli.add_command(LazyCommand("acme", "acme_leportal.cli:acme", "One line of help."))``.

    Called once when the command line starts; the core's own commands come from the built-in
    plug-in through this same hook. A :class:`~leportal_core.cli.lazy.LazyCommand` keeps
    ``leportal --version`` and ``--help`` from importing the command's module; a plain click
    command works too. All implementations are called; use a group named after the plug-in.
    """


@hookspec
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """Contribute chapters to ``leportal demo`` by calling ``register(DemoStep(...))``.

    Called once by ``leportal demo``; the steps of all plug-ins run sorted by their ``order``.
    """


@hookspec
def leportal_case_event(event: CaseEvent) -> None:
    """React to an audit-case event (e.g. raise a worklist item in the KIS).

    Called after the event has been committed to the store, once per event, for every
    implementation. An exception here does not undo the event; it is reported to the caller.
    """


@hookspec(firstresult=True)
def leportal_deliver_passcode(delivery: PasscodeDelivery) -> bool | None:
    """Send a one-time passcode to a person (e-mail, SMS, letter) and return ``True`` when sent.

    Called when a passcode is issued. The first implementation that returns ``True`` wins;
    ``None`` means "not my channel". When no implementation sends it, issuing fails with a
    ``ConfigurationError`` so a passcode is never silently dropped.
    """


@hookspec
def leportal_register_problem_codes(register: Callable[[Section], None]) -> None:
    """Declare this plug-in's problem codes by calling ``register(section)`` once per
    :class:`~leportal_core.problems.Section` (keep them in a module of plain data).

    Called by :func:`leportal_core.problems.collect` (``leportal problems``, the generated
    ``docs/problem-codes.md``). A plug-in declares codes only in its own namespaces; a code
    declared twice is a :class:`ValueError`.
    """


@hookspec
def leportal_store_components(register: Callable[[Component], None]) -> None:
    """Contribute a component's tables and migrations to the store by calling
    ``register(leportal_core.store.Component(...))``.

    Called by ``leportal store sql`` (the scripts for a DBA); every implementation is called. The
    component still calls ``store.ensure(component)`` itself before it uses its tables.
    """
