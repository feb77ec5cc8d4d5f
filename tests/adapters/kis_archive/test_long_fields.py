"""Long fields are read as views into the message (never copied); they must give exactly what
copying gives. The thresholds are lowered so an 839-byte PDF takes the long-field path, and each
input is read twice — views everywhere, copies everywhere — and the outcomes compared."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from leportal_kis_archive import er7, iter_messages, mdm_read
from leportal_kis_archive.model import MessageOutcome

from .helpers import message_bytes
from .test_mdm_read import GOOD


@contextmanager
def thresholds(long_field: int, ed_head: int) -> Iterator[None]:
    with (
        mock.patch.object(er7, "LONG_FIELD", long_field),
        mock.patch.object(mdm_read, "_ED_HEAD", ed_head),
    ):
        yield


def both_ways(data: bytes) -> tuple[list[MessageOutcome], list[MessageOutcome]]:
    with thresholds(8, 16):
        views = list(iter_messages(data, file="m.hl7"))
    with thresholds(10**9, 10**9):
        copies = list(iter_messages(data, file="m.hl7"))
    return views, copies


def test_the_good_message_reads_the_same_through_views() -> None:
    views, copies = both_ways(message_bytes(*GOOD))
    assert views == copies
    assert views[0].message is not None
    assert views[0].message.document is not None


# Bytes that move field, component and repetition boundaries, break the base64, or frame it.
_EDITS = st.sampled_from([b"~", b"^", b"|", b"&", b"\\", b"=", b"A", b" ", b"\r", b"\n", b"\x1c"])


@settings(max_examples=300)  # an equivalence of two parsers: more than the profile
@given(
    st.lists(st.tuples(st.integers(0, 2_000), _EDITS), max_size=4),
    st.sampled_from(["\r", "\n", "\r\n"]),
    st.booleans(),
    st.booleans(),
)
def test_views_and_copies_give_the_same_outcome(
    edits: list[tuple[int, bytes]], sep: str, bom: bool, mllp: bool
) -> None:
    data = bytearray(message_bytes(*GOOD, sep=sep))
    for position, value in edits:
        data[position % len(data) : position % len(data)] = value
    framed = b"\x0b" + bytes(data) + b"\x1c\r" if mllp else bytes(data)
    views, copies = both_ways(b"\xef\xbb\xbf" + framed if bom else framed)
    assert views == copies


@given(st.sampled_from(["+", "/", "=", "#", "!"]), st.integers(0, 1_200))
def test_any_repetition_separator_gives_the_same_outcome(repetition: str, position: int) -> None:
    msh = GOOD[0].replace("^~\\&", f"^{repetition}\\&")
    obx = GOOD[-1]
    cut = 40 + position % (len(obx) - 40)
    data = message_bytes(msh, *GOOD[1:-1], obx[:cut] + repetition + obx[cut:])
    views, copies = both_ways(data)
    assert views == copies
