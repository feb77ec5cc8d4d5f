"""Commands that are imported only when they run, so ``leportal --version``/``--help`` stay cheap.

A :class:`LazyCommand` is what a plug-in adds in ``leportal_register_commands`` instead of its real
click group: a name, the group's import path and a one-line help declared as data. ``leportal
--help`` lists it from that data; only running it (or asking for its own ``--help``) imports the
module. It works in any click group, so a plug-in's hook behaves the same in a test's plain group.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from leportal_core.errors import PluginError

__all__ = ["LazyCommand"]


class LazyCommand(click.Command):
    """Stands for the command ``target`` (``"package.module:attribute"``) until it is used."""

    def __init__(self, name: str, target: str, short_help: str) -> None:
        super().__init__(name, short_help=short_help, help=short_help)
        self.target = target
        self._resolved: click.Command | None = None

    def resolve(self) -> click.Command:
        """Import the real command (once); a :class:`PluginError` names the target if that fails."""
        if self._resolved is None:
            module_name, _, attribute = self.target.partition(":")
            try:
                command = getattr(importlib.import_module(module_name), attribute)
            except Exception as exc:  # foreign code: its import failure is the plug-in's fault
                raise PluginError(
                    f"command {self.name!r} ({self.target}) failed to load: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            if not isinstance(command, click.Command):
                raise PluginError(f"command {self.name!r}: {self.target} is not a click command")
            self._resolved = command
        return self._resolved

    # The context click makes belongs to the real command, so parsing, --help and invoking
    # (``sub_ctx.command.invoke``) are the real command's; the help listing reads the data above.
    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        return self.resolve().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        return self.resolve().invoke(ctx)

    def to_info_dict(self, ctx: click.Context) -> dict[str, Any]:
        return self.resolve().to_info_dict(ctx)
