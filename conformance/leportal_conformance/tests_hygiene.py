"""The ``hygiene`` group: importing the adapter has no side effects, its hooks are documented.

A host imports every installed adapter when it builds its plug-in manager (``docs/plugins.md``);
an import that prints, writes files, starts threads or changes the environment affects every
host, whether or not it uses the adapter.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from importlib import metadata

from leportal_conformance import catalog
from leportal_conformance.guard import call, describe_exception
from leportal_conformance.model import Finding, Status, TestResult, run_test
from leportal_core.plugins import ADAPTER_GROUP, LoadedAdapter, new_plugin_manager

__all__ = ["IMPORT_TIMEOUT_S", "adapter_module", "run"]

IMPORT_TIMEOUT_S = 120.0
_MARKER = "LEPORTAL-CONFORMANCE-HYGIENE:"

# Runs in a fresh interpreter: snapshot, import with stdout and stderr captured, compare.
_PROBE = r"""
import io, json, logging, os, sys, threading
name = sys.argv[1]
env = dict(os.environ)
threads = threading.active_count()
handlers = len(logging.getLogger().handlers)
real_out, real_err = sys.stdout, sys.stderr
sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
error = None
try:
    __import__(name)
except BaseException as exc:
    error = f"{type(exc).__name__}: {exc}"
out, err = sys.stdout.getvalue(), sys.stderr.getvalue()
sys.stdout, sys.stderr = real_out, real_err
changed = sorted(k for k in set(env) | set(os.environ) if env.get(k) != os.environ.get(k))
print(MARKER + json.dumps({
    "error": error, "stdout": out[:500], "stderr": err[:500],
    "threads": threading.active_count() - threads,
    "handlers": len(logging.getLogger().handlers) - handlers,
    "environment": changed, "files": sorted(os.listdir("."))[:20],
}))
"""


def run(spec: str, adapter: LoadedAdapter) -> Iterator[TestResult]:
    """Both hygiene tests for the adapter ``spec`` names."""
    yield run_test(catalog.IMPORT_CLEAN, None, lambda: _import_clean(spec))
    yield run_test(catalog.HOOKS_DOCUMENTED, None, lambda: _hooks_documented(adapter))


def adapter_module(spec: str) -> str:
    """The module a host imports to load the adapter ``spec`` names."""
    if ":" not in spec and "." not in spec:
        for entry_point in metadata.entry_points(group=ADAPTER_GROUP):
            if entry_point.name == spec:
                return entry_point.value.partition(":")[0].strip()
    return spec.partition(":")[0]


def _import_clean(spec: str) -> Finding:
    module = adapter_module(spec)
    environment = dict(os.environ)
    # The same import path as this process: an adapter given as module:object need not be
    # installed, and the fresh interpreter must find it where we did.
    # An empty entry means the working directory, which differs in the probe: make it absolute.
    environment["PYTHONPATH"] = os.pathsep.join(p or os.getcwd() for p in sys.path)
    environment.pop("PYTHONSTARTUP", None)
    with tempfile.TemporaryDirectory(prefix="leportal-hygiene-") as directory:
        try:
            completed = subprocess.run(  # noqa: S603 - our own interpreter and probe
                [sys.executable, "-c", _PROBE.replace("MARKER", repr(_MARKER)), module],
                cwd=directory,
                env=environment,
                capture_output=True,
                text=True,
                timeout=IMPORT_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Finding(
                status=Status.FAILED,
                message=f"importing {module} did not finish within {IMPORT_TIMEOUT_S:g} s",
            )
    line = next((x for x in completed.stdout.splitlines() if x.startswith(_MARKER)), None)
    if line is None:
        return Finding(
            status=Status.ERROR,
            message=f"the import probe gave no result (exit status {completed.returncode})",
            details={"stderr": completed.stderr[-2000:]},
        )
    probe = json.loads(line[len(_MARKER) :])
    effects = []
    if probe["error"]:
        effects.append(f"the import failed: {probe['error']}")
    if probe["stdout"]:
        effects.append(f"printed to stdout: {probe['stdout'][:80]!r}")
    if probe["stderr"]:
        effects.append(f"printed to stderr: {probe['stderr'][:80]!r}")
    if probe["threads"] > 0:
        effects.append(f"started {probe['threads']} thread(s)")
    if probe["handlers"] > 0:
        effects.append("added a handler to the root logger")
    if probe["environment"]:
        effects.append(f"changed environment variables {probe['environment']}")
    if probe["files"]:
        effects.append(f"created {probe['files']} in the working directory")
    details = {"module": module, **probe}
    if effects:
        return Finding(
            status=Status.FAILED,
            message=f"importing {module} " + "; ".join(effects),
            details=details,
        )
    return Finding(
        status=Status.PASSED, message=f"importing {module}: no side effects", details=details
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
