from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leportal_kis_archive.er7 import Delimiters, escape, split_messages, split_segments, unescape


@given(st.text(st.characters(blacklist_categories=["Cs"])))
def test_unescape_inverts_escape(text: str) -> None:
    assert unescape(escape(text)) == text


@given(st.text(st.characters(blacklist_categories=["Cs"])))
def test_escaped_text_holds_no_delimiter_but_the_escape_sequences(text: str) -> None:
    escaped = escape(text)
    assert not any(c in escaped for c in "|^~&")


def test_unescape_by_hand() -> None:
    assert unescape(r"a\F\b\S\c\T\d\R\e\E\f") == "a|b^c&d~e\\f"
    assert unescape(r"Zeile\X0A\weiter") == "Zeile\nweiter"
    assert unescape(r"\H\fett\N\ ") == r"\H\fett\N\ "  # formatting kept as is
    assert unescape("a#F#b", Delimiters(escape="#")) == "a|b"
    assert unescape("kein \\ Ende") == "kein \\ Ende"


def test_segments_split_on_cr_lf_and_crlf_with_line_numbers() -> None:
    data = b"MSH|a\rEVN|b\nPID|c\r\nTXA|d\n\n"
    assert split_segments(data) == [(1, b"MSH|a"), (2, b"EVN|b"), (3, b"PID|c"), (4, b"TXA|d")]


def test_mllp_frames_are_removed() -> None:
    data = b"\x0bMSH|1\rTXA|x\r\x1c\r\x0bMSH|2\rTXA|y\r\x1c\r"
    groups = split_messages(split_segments(data))
    assert [[s for _, s in g] for g in groups] == [[b"MSH|1", b"TXA|x"], [b"MSH|2", b"TXA|y"]]


def test_batch_envelope_segments_are_dropped() -> None:
    data = b"FHS|^~\\&\rBHS|^~\\&\rMSH|1\rTXA|x\rMSH|2\rBTS|2\rFTS|1\r"
    groups = split_messages(split_segments(data))
    assert [[s for _, s in g] for g in groups] == [[b"MSH|1", b"TXA|x"], [b"MSH|2"]]
