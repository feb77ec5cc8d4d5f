"""The fast paths of the FHIR import read exactly what the plain ones read: base64Binary through
pybase64 against the stdlib decoding it replaced, and the duplicate-key check."""

from __future__ import annotations

import base64
import binascii
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_core import FormatError
from leportal_fhir.document_reference import decode_base64binary, parse_json


def reference(value: str) -> bytes:
    """The decoding before the fast path: white space removed, then strict base64."""
    raw = value.encode("ascii")
    return base64.b64decode(re.sub(rb"[ \t\r\n\f]+", b"", raw), validate=True)


def outcome(decode: object, value: str) -> bytes | str:
    try:
        return decode(value)  # type: ignore[operator, no-any-return]
    except (binascii.Error, ValueError) as exc:
        return type(exc).__name__ if isinstance(exc, UnicodeError) else "error"


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TEXT = st.text(st.sampled_from([*_ALPHABET, "=", " ", "\n", "\t", "-", "_", "ä", "\x00"]))


@settings(max_examples=1000)  # an equivalence of two decoders: many more than the profile
@given(
    st.one_of(
        _TEXT,
        st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode("ascii")),
        st.tuples(st.binary(max_size=200), _TEXT, st.integers(0, 300)).map(
            lambda t: (lambda s: s[: t[2]] + t[1] + s[t[2] :])(base64.b64encode(t[0]).decode())
        ),
    )
)
def test_base64binary_reads_what_the_stdlib_reads(value: str) -> None:
    ours = outcome(decode_base64binary, value)
    plain = outcome(reference, value)
    if isinstance(plain, str):
        assert isinstance(ours, str)  # rejected as well (the message may come from either path)
    else:
        assert ours == plain


@pytest.mark.parametrize(
    "value", ["AB==", "ABC=", "AB=", "AB==AB==", "====", "A===", "AB=C", "QUJD\nREVG", "QUJ=", ""]
)
def test_base64binary_edge_cases(value: str) -> None:
    plain = outcome(reference, value)
    ours = outcome(decode_base64binary, value)
    assert ours == plain if isinstance(plain, bytes) else isinstance(ours, str)


@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=5))
def test_a_duplicate_key_is_found_at_any_depth(keys: list[str]) -> None:
    body = ",".join(f'"{key}":1' for key in keys)
    data = f'{{"x":{{{body}}}}}'.encode()
    if len(set(keys)) == len(keys):
        assert parse_json(data) == {"x": dict.fromkeys(keys, 1)}
    else:
        with pytest.raises(FormatError) as info:
            parse_json(data)
        assert info.value.problems[0].code == "fhir.json.duplicate_key"
        repeated = next(k for i, k in enumerate(keys) if k in keys[:i])
        assert repr(repeated) in info.value.problems[0].message
