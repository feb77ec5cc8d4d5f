from __future__ import annotations

import datetime as dt
import inspect
import re
import sys
import types
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import pytest

from leportal_core import (
    Category,
    Classification,
    Document,
    PluginError,
    classify,
    hookimpl,
    hookspecs,
)
from leportal_core.cases.events import CaseEvent
from leportal_core.plugins import (
    collect_codecs,
    get_plugin_manager,
    load_adapter,
    new_plugin_manager,
    register_plugins,
)
from leportal_core.secondfactor.passcodes import PasscodeDelivery

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOCUMENT = Document(
    title="Laborbefund", media_type="application/pdf", created=dt.date(2026, 1, 5), content=b"x"
)


def test_every_hook_is_documented_with_its_signature() -> None:
    """Doc-drift test (datasette's model): each hookspec has a section in docs/plugins.md whose
    heading is the hook's call signature, argument names in order."""
    text = (DOCS / "plugins.md").read_text(encoding="utf-8")
    documented = {
        name: tuple(arg.strip() for arg in args.split(",") if arg.strip())
        for name, args in re.findall(r"^### `(leportal_\w+)\(([^)]*)\)`", text, flags=re.MULTILINE)
    }
    specs = {
        name: tuple(inspect.signature(getattr(hookspecs, name)).parameters)
        for name in dir(hookspecs)
        if name.startswith("leportal_")
    }
    assert specs, "no hookspecs found"
    assert specs == documented


@pytest.mark.parametrize("cls", [CaseEvent, PasscodeDelivery], ids=lambda cls: cls.__name__)
def test_hook_argument_fields_are_documented(cls: type) -> None:
    """docs/plugins.md lists exactly the fields a hook's argument has, in order."""
    text = (DOCS / "plugins.md").read_text(encoding="utf-8").replace("\n", " ")
    listed = re.search(rf"`{cls.__module__}\.{cls.__name__}`: ((?:`\w+`(?:, )?)+)", text)
    assert listed is not None, f"{cls.__name__} has no field list in docs/plugins.md"
    assert re.findall(r"`(\w+)`", listed.group(1)) == [f.name for f in attrs.fields(cls)]


def test_fallback_classification_asks_for_review() -> None:
    result = classify(DOCUMENT, new_plugin_manager())
    assert result.category is Category.ADDITIONAL
    assert result.needs_review
    assert result.rule == "builtin.fallback"


def test_host_rule_overrides_the_fallback() -> None:
    class HospitalRule:
        @hookimpl
        def leportal_classify_document(self, document: Document) -> Classification | None:
            if "labor" in document.title.lower():
                return Classification(
                    category=Category.TECHNICAL_AND_LAB_FINDINGS,
                    rule="host.title",
                    reason="title says Labor",
                )
            return None

    pm = new_plugin_manager()
    register_plugins(pm, [("hospital", HospitalRule())])
    assert classify(DOCUMENT, pm).category is Category.TECHNICAL_AND_LAB_FINDINGS
    other = Document(
        title="Brief", media_type="application/pdf", created=dt.date(2026, 1, 5), content=b"x"
    )
    assert classify(other, pm).rule == "builtin.fallback"


def test_unknown_hook_is_refused_by_check_pending() -> None:
    class Typo:
        @hookimpl
        def leportal_register_codec(self, register: Callable[[Any], None]) -> None: ...

    with pytest.raises(PluginError, match="hook leportal does not have"):
        register_plugins(new_plugin_manager(), [("typo", Typo())])


class _Codec:
    name = "toy.document"
    media_type = "application/octet-stream"
    object_type = Document
    description = "toy"

    def encode(self, obj: Document) -> bytes:
        return obj.read_bytes()

    def decode(self, data: bytes) -> Document:
        raise NotImplementedError


def _adapter(*codecs: object) -> object:
    class Adapter:
        @hookimpl
        def leportal_register_codecs(self, register: Callable[[Any], None]) -> None:
            for codec in codecs:
                register(codec)

    return Adapter()


def test_codecs_are_collected_by_name() -> None:
    pm = new_plugin_manager()
    register_plugins(pm, [("toy", _adapter(_Codec()))])
    # The core's billing codec comes from the built-in plug-in, as a third party's would.
    assert sorted(collect_codecs(pm)) == ["billing.mass_provisional_v1", "toy.document"]


def test_duplicate_codec_names_are_refused() -> None:
    pm = new_plugin_manager()
    register_plugins(pm, [("toy", _adapter(_Codec(), _Codec()))])
    with pytest.raises(PluginError, match="registered twice"):
        collect_codecs(pm)


def test_malformed_codec_is_refused_with_reasons() -> None:
    broken = _Codec()
    broken.name = "No Dots"
    broken.description = ""
    pm = new_plugin_manager()
    register_plugins(pm, [("toy", _adapter(broken))])
    with pytest.raises(PluginError, match="description must be non-empty") as caught:
        collect_codecs(pm)
    assert "dotted lower case" in str(caught.value)


def test_allow_list_controls_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEPORTAL_PLUGINS", "")
    assert list(collect_codecs(get_plugin_manager())) == ["billing.mass_provisional_v1"]  # built-in
    monkeypatch.setenv("LEPORTAL_PLUGINS", "fhir")
    pm = get_plugin_manager()
    assert "fhir.document_reference" in collect_codecs(pm)
    assert not pm.has_plugin("conformance")


def test_load_adapter_by_entry_point_name_and_by_import_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    by_name = load_adapter("fhir")
    assert by_name.name == "fhir"
    assert by_name.version == metadata.version("leportal-fhir")  # the distribution's own version
    module = types.ModuleType("toy_adapter_for_test")
    module.adapter = _adapter(_Codec())  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "toy_adapter_for_test", module)
    by_path = load_adapter("toy_adapter_for_test:adapter")
    assert by_path.origin == "import toy_adapter_for_test:adapter"


@pytest.mark.parametrize(
    "spec", ["no_such_adapter", "no_such_module:thing", "leportal_core:missing"]
)
def test_unknown_adapter_is_a_plugin_error(spec: str) -> None:
    with pytest.raises(PluginError):
        load_adapter(spec)


def test_core_import_pulls_in_no_adapter_or_test_tooling() -> None:
    import subprocess

    code = (
        "import sys, leportal_core;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('leportal_fhir', 'leportal_conformance', 'pytest', 'hypothesis', 'pydantic', '_pytest')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
