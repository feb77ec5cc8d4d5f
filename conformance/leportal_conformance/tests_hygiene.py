"""The ``hygiene`` group: importing the adapter has no side effects, its hooks are documented.

A host imports every installed adapter when it builds its plug-in manager (``docs/plugins.md``);
an import that prints, writes files, starts threads or changes the environment affects every
host, whether or not it uses the adapter.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from leportal_conformance import catalog
from leportal_conformance.guard import call, describe_exception
from leportal_conformance.model import Finding, Status, TestResult, run_test
from leportal_conformance.sandbox import Effects, Sandbox
from leportal_conformance.strategies import sample_documents
from leportal_core.category import Classification
from leportal_core.demo import DemoStep
from leportal_core.plugins import ADAPTER_GROUP, LoadedAdapter, new_plugin_manager

__all__ = ["DEFAULT_IMPORT_BUDGET", "ImportProbe", "adapter_module", "run"]

# CPU seconds importing the adapter in a fresh interpreter may take (the host pays it at every
# start); CPU time, so that a loaded machine does not fail an adapter. A blocked import is
# caught by the wall-clock limit of the probe: the budget plus _PROBE_SLACK_S.
DEFAULT_IMPORT_BUDGET = 2.0
_PROBE_SLACK_S = 30.0
_MARKER = "LEPORTAL-CONFORMANCE-HYGIENE:"

# Runs in a fresh interpreter: snapshot, import with stdout and stderr captured, compare.
_PROBE = r"""
import io, json, logging, os, signal, sys, threading, time, warnings
name = sys.argv[1]
def os_threads():
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()
def listing(path):
    try:
        return set(os.listdir(path))
    except OSError:
        return set()
def state():
    root = logging.getLogger()
    return {
        "recursion limit": sys.getrecursionlimit(),
        "root logger level": root.level,
        "root logger handlers": len(root.handlers),
        "logging disabled": logging.root.manager.disable,
        "warnings filters": repr(warnings.filters),
        "signal handlers": repr([signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)]),
        "default encoding of open()": repr(__import__("locale").getpreferredencoding(False)),
        "trace/profile hooks": repr((sys.gettrace(), sys.getprofile())),
        "sys.excepthook": repr(sys.excepthook),
    }
places = {"the working directory": ".", "HOME": os.environ["HOME"], "TMPDIR": os.environ["TMPDIR"]}
env = dict(os.environ)
modules = set(sys.modules)
before = state()
files = {label: listing(path) for label, path in places.items()}
threads, native = threading.active_count(), os_threads()
real_out, real_err = sys.stdout, sys.stderr
sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
error = None
cpu, wall = time.process_time(), time.perf_counter()
try:
    __import__(name)
except BaseException as exc:
    error = f"{type(exc).__name__}: {exc}"
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
out, err = sys.stdout.getvalue(), sys.stderr.getvalue()
sys.stdout, sys.stderr = real_out, real_err
after = state()
changed = sorted(k for k in set(env) | set(os.environ) if env.get(k) != os.environ.get(k))
print(MARKER + json.dumps({
    "error": error, "stdout": out[:500], "stderr": err[:500],
    "threads": threading.active_count() - threads, "os_threads": os_threads() - native,
    "environment": changed,
    "files": {k: sorted(listing(p) - files[k])[:20] for k, p in places.items()},
    "state": sorted(k for k in before if before[k] != after[k]),
    "cpu_s": round(cpu, 3), "wall_s": round(wall, 3),
    "modules": sorted({m.partition(".")[0] for m in set(sys.modules) - modules}),
}))
sys.stdout.flush()
os._exit(0)
"""


class ImportProbe:
    """Importing the adapter's module in a fresh interpreter, once, with what that changed."""

    def __init__(self, spec: str, *, budget: float = DEFAULT_IMPORT_BUDGET) -> None:
        self.spec = spec
        self.module = adapter_module(spec)
        self.budget = budget
        self._result: dict[str, Any] | None = None

    @property
    def result(self) -> dict[str, Any]:
        """The probe's findings (``problem`` set when the probe itself gave no result)."""
        if self._result is None:
            self._result = self._run()
        return self._result

    @property
    def modules(self) -> tuple[str, ...]:
        """Top-level modules the import loaded (for the distribution fingerprint)."""
        return tuple(self.result.get("modules") or ())

    @property
    def import_path(self) -> tuple[str, ...]:
        """The ``sys.path`` entry the adapter comes from when no distribution installs it."""
        top = self.module.partition(".")[0]
        if top in metadata.packages_distributions():
            return ()
        spec = importlib.util.find_spec(top)
        origin = spec.origin if spec is not None else None
        if not origin:
            return ()
        location = Path(origin).resolve()
        for entry in sys.path:
            base = Path(entry or os.getcwd()).resolve()
            if base in location.parents:
                return (str(base),)
        return ()

    def _run(self) -> dict[str, Any]:
        environment = dict(os.environ)
        # The same import path as this process: an adapter given as module:object need not be
        # installed, and the fresh interpreter must find it where we did.
        # An empty entry means the working directory, which differs in the probe: make it absolute.
        environment["PYTHONPATH"] = os.pathsep.join(p or os.getcwd() for p in sys.path)
        environment.pop("PYTHONSTARTUP", None)
        with tempfile.TemporaryDirectory(prefix="leportal-hygiene-") as directory:
            root = Path(directory)
            for name in ("cwd", "home", "tmp"):
                (root / name).mkdir()
            environment["HOME"], environment["TMPDIR"] = str(root / "home"), str(root / "tmp")
            limit = self.budget + _PROBE_SLACK_S
            try:
                completed = subprocess.run(  # noqa: S603 - our own interpreter and probe
                    [sys.executable, "-c", _PROBE.replace("MARKER", repr(_MARKER)), self.module],
                    cwd=root / "cwd",
                    env=environment,
                    capture_output=True,
                    text=True,
                    timeout=limit,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return {"problem": f"importing {self.module} did not finish within {limit:g} s"}
        lines = completed.stdout.splitlines()
        line = next((x for x in lines if x.startswith(_MARKER)), None)
        if line is None:
            return {
                "problem": f"the import probe gave no result (exit status {completed.returncode})",
                "stderr": completed.stderr[-2000:],
            }
        probe: dict[str, Any] = json.loads(line[len(_MARKER) :])
        # Written past Python's streams (os.write, C code): still printing.
        stray = "\n".join(x for x in lines if not x.startswith(_MARKER))
        probe["stdout"] = (probe["stdout"] + stray)[:500]
        probe["stderr"] = (probe["stderr"] + completed.stderr)[:500]
        return probe


def run(
    spec: str,
    adapter: LoadedAdapter,
    *,
    probe: ImportProbe | None = None,
    sandbox: Sandbox | None = None,
) -> Iterator[TestResult]:
    """The hygiene tests for the adapter ``spec`` names; ``calls_clean`` reads what the sandbox
    saw during the tests that ran before."""
    probe = probe or ImportProbe(spec)
    yield run_test(catalog.IMPORT_CLEAN, None, lambda: _import_clean(probe))
    yield run_test(catalog.HOOKS_DOCUMENTED, None, lambda: _hooks_documented(adapter))
    yield run_test(catalog.STARTUP_HOOKS, None, lambda: _startup_hooks(adapter))
    if sandbox is not None:
        # Before this test adds its own; effects at import are hygiene.import_clean's finding.
        seen = [e for e in sandbox.effects if e.test != catalog.LOADS.id]
        yield run_test(catalog.CALLS_CLEAN, None, lambda: _calls_clean(seen))


def adapter_module(spec: str) -> str:
    """The module a host imports to load the adapter ``spec`` names."""
    if ":" not in spec and "." not in spec:
        for entry_point in metadata.entry_points(group=ADAPTER_GROUP):
            if entry_point.name == spec:
                return entry_point.value.partition(":")[0].strip()
    return spec.partition(":")[0]


def _import_clean(probe: ImportProbe) -> Finding:
    module = probe.module
    result = probe.result
    if "problem" in result:
        timed_out = "did not finish" in result["problem"]
        return Finding(
            status=Status.FAILED if timed_out else Status.ERROR,
            message=result["problem"],
            details={k: v for k, v in result.items() if k != "problem"},
        )
    effects = []
    if result["error"]:
        effects.append(f"the import failed: {result['error']}")
    if result["stdout"]:
        effects.append(f"printed to stdout: {result['stdout'][:80]!r}")
    if result["stderr"]:
        effects.append(f"printed to stderr: {result['stderr'][:80]!r}")
    threads = max(result["threads"], result["os_threads"])
    if threads > 0:
        effects.append(f"started {threads} thread(s)")
    if result["environment"]:
        effects.append(f"changed environment variables {result['environment']}")
    for place, names in result["files"].items():
        if names:
            effects.append(f"created {names} in {place}")
    if result["state"]:
        effects.append(f"changed the interpreter's {', '.join(result['state'])}")
    if result["cpu_s"] > probe.budget:
        effects.append(f"took {result['cpu_s']:g} s of CPU time (budget {probe.budget:g} s)")
    details = {"module": module, "budget_s": probe.budget, **result}
    if effects:
        return Finding(
            status=Status.FAILED,
            message=f"importing {module} " + "; ".join(effects),
            details=details,
        )
    return Finding(
        status=Status.PASSED,
        message=f"importing {module}: no side effects, within the budget (seconds in details)",
        details=details,
    )


def _calls_clean(seen: list[Effects]) -> Finding:
    if not seen:
        return Finding(status=Status.PASSED, message="no output, no lasting effects")
    first = seen[0]
    return Finding(
        status=Status.FAILED,
        message=f"during {len(seen)} test(s) adapter code left traces; first, during "
        f"{first.test}: {'; '.join(first.effects)}",
        details={"tests": [{"test": e.test, "effects": list(e.effects)} for e in seen[:20]]},
    )


def _hooks_documented(adapter: LoadedAdapter) -> Finding:
    pm = new_plugin_manager()
    plugin = adapter.plugin
    specified = {name for name in dir(pm.hook) if not name.startswith("_")}
    problems: list[str] = []
    hooks: list[str] = []
    names = call(dir, plugin)
    for name in names.value or []:
        if not name.startswith("leportal_"):
            continue
        options = call(pm.parse_hookimpl_opts, plugin, name)
        if options.error is not None:
            problems.append(f"inspecting {name} raised {describe_exception(options.error)}")
            continue
        if options.value is None:
            continue
        hooks.append(name)
        if name not in specified:
            problems.append(f"{name} is not a hook leportal specifies")
        function = getattr(plugin, name, None)
        if not (inspect.getdoc(function) or "").strip():
            problems.append(f"{name} has no docstring")
    if problems:
        return Finding(status=Status.FAILED, message="; ".join(problems), details={"hooks": hooks})
    return Finding(
        status=Status.PASSED,
        message=f"{len(hooks)} documented hook(s): {', '.join(hooks) or 'none'}",
        details={"hooks": hooks},
    )


def _startup_hooks(adapter: LoadedAdapter) -> Finding:
    """Call the plug-in's own start-up hooks, one by one, on a throwaway manager and CLI group."""
    import click  # the command line's toolkit; only this test needs it

    pm = new_plugin_manager()
    registered = call(
        functools.partial(pm.register, adapter.plugin, name=f"conformance-{adapter.name}")
    )
    if registered.error is not None:
        return Finding(
            status=Status.FAILED,
            message=f"the plug-in cannot be registered: {describe_exception(registered.error)}",
        )
    problems: list[str] = []
    called: list[str] = []

    def own(hook: str) -> list[Any]:
        caller = getattr(pm.hook, hook)
        return [i for i in caller.get_hookimpls() if i.plugin is adapter.plugin]

    for impl in own("leportal_register_commands"):
        called.append("leportal_register_commands")
        group = click.Group("leportal")
        outcome = call(functools.partial(impl.function, cli=group))
        if outcome.error is not None:
            problems.append(
                f"leportal_register_commands raised {describe_exception(outcome.error)}"
            )
        elif not all(isinstance(c, click.Command) for c in group.commands.values()):
            problems.append(
                "leportal_register_commands added something that is not a click command"
            )
    for impl in own("leportal_demo_steps"):
        called.append("leportal_demo_steps")
        steps: list[object] = []
        outcome = call(functools.partial(impl.function, register=steps.append))
        if outcome.error is not None:
            problems.append(f"leportal_demo_steps raised {describe_exception(outcome.error)}")
        elif not all(isinstance(step, DemoStep) for step in steps):
            problems.append("leportal_demo_steps registered something that is not a DemoStep")
    for impl in own("leportal_classify_document"):
        called.append("leportal_classify_document")
        for number, document in enumerate(sample_documents()):
            outcome = call(functools.partial(impl.function, document=document))
            if outcome.error is not None:
                problems.append(
                    f"leportal_classify_document raised {describe_exception(outcome.error)} "
                    f"for sample document {number}"
                )
                break
            if outcome.value is not None and not isinstance(outcome.value, Classification):
                problems.append(
                    f"leportal_classify_document returned a {type(outcome.value).__name__} "
                    f"for sample document {number}, not a Classification or None"
                )
                break
    if problems:
        return Finding(status=Status.FAILED, message="; ".join(problems), details={"hooks": called})
    return Finding(
        status=Status.PASSED,
        message=f"{len(called)} start-up hook(s) ran: {', '.join(called) or 'none'}",
        details={"hooks": called},
    )
