"""The import-linter contracts in pyproject.toml cover every private module the code has.

`lint-imports` (Makefile `lint`) checks the contracts themselves; this test keeps their lists from
drifting behind the tree: a new ``_x.py`` in a package must be protected for its package.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = [
    ROOT / "leportal_core",
    *sorted(init.parent for init in (ROOT / "adapters").glob("*/leportal_*/__init__.py")),
    ROOT / "conformance" / "leportal_conformance",
]


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _private_modules() -> set[str]:
    found = set()
    for package in PACKAGE_DIRS:
        for path in package.rglob("_*.py"):
            if path.name in {"__init__.py", "__main__.py"} or "tests" in path.parts:
                continue
            relative = path.relative_to(package.parent).with_suffix("")
            found.add(".".join(relative.parts))
    return found


def test_every_private_module_is_protected_for_its_own_package() -> None:
    protected: dict[str, list[str]] = {}
    for contract in _contracts():
        if contract["type"] == "protected":
            importers = contract["allowed_importers"]
            assert isinstance(importers, list)
            for module in contract["protected_modules"]:  # type: ignore[attr-defined]
                protected[module] = importers
    private = _private_modules()
    assert private, "the scan found no private module: the paths above are wrong"
    assert set(protected) == private
    for module, importers in protected.items():
        assert importers == [module.rsplit(".", 1)[0]], module


def test_the_core_never_imports_an_adapter_or_the_conformance_suite() -> None:
    forbidden = next(c for c in _contracts() if c.get("source_modules") == ["leportal_core"])
    distributions = {package.name for package in PACKAGE_DIRS[1:]}
    modules = forbidden["forbidden_modules"]
    assert isinstance(modules, list)
    assert set(modules) == distributions
