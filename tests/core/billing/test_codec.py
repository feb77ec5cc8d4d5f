from __future__ import annotations

import pluggy
import pytest

from leportal_core import hookspecs
from leportal_core.billing import BillingCodec, BillingFile, decode
from leportal_core.billing import codec as codec_module
from leportal_core.errors import FormatError, ValidationError
from leportal_core.plugins import codec_shape_problems, collect_codecs
from tests.core.billing.helpers import MASS, valid_bytes


def test_codec_round_trip_and_shape() -> None:
    codec = BillingCodec(MASS)
    assert codec.name == "billing.mass_provisional_v1"
    assert codec_shape_problems(codec) == []
    document = BillingFile(records=decode(valid_bytes(), MASS))
    assert codec.encode(document) == valid_bytes()
    assert codec.decode(codec.encode(document)) == document
    with pytest.raises(FormatError):
        codec.decode(b"\xff\xfe")


@pytest.mark.parametrize("foreign", [None, b"", [], "Rechnung"])
def test_codec_refuses_to_encode_a_foreign_object(foreign: object) -> None:
    with pytest.raises(ValidationError) as caught:
        BillingCodec(MASS).encode(foreign)  # type: ignore[arg-type]
    assert [p.code for p in caught.value.problems] == ["billing.codec.type"]


def test_codec_is_registered_through_the_hook() -> None:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(codec_module)
    codecs = collect_codecs(pm)
    assert list(codecs) == ["billing.mass_provisional_v1"]
    assert "provisional" in codecs["billing.mass_provisional_v1"].description
