"""The one validation kit: what printable text is, and that every domain refuses the same way."""

from __future__ import annotations

import datetime
import json
import sys
import unicodedata
from pathlib import Path

import pytest

from leportal_core import Document
from leportal_core.cases import CaseStore, CaseValidationError, Unterlagenanforderung
from leportal_core.delivery import load_request
from leportal_core.errors import FormatError, LeportalError, Location, ValidationError
from leportal_core.therapy import report_from_dict, report_to_dict
from leportal_core.therapy._checks import check_text
from leportal_core.validation import (
    REFUSED_CATEGORIES,
    is_date,
    is_printable,
    parse_date,
    parse_iso_date,
    text_problems,
    unprintable,
)

from .cases.conftest import Clock, opened
from .therapy.sample import report

LONE_SURROGATE = "\udc80"
HERE = Location(field="f")


@pytest.mark.parametrize(
    ("text", "multiline", "printable"),
    [
        ("Müller-Lüdenscheidt ß 東京 🙂", False, True),
        ("soft\u00adhyphen and zero\u200dwidth joiner (Cf)", False, True),
        ("private use \ue000 (Co)", False, True),
        ("tab\there", False, False),
        ("line\nbreak", False, False),
        ("line\r\nbreak\tand tab", True, True),
        ("bell\x07", True, False),
        ("delete\x7f", False, False),
        ("C1 next line\x85", True, False),
        ("lone " + LONE_SURROGATE, False, False),
        ("lone high \ud800", True, False),
    ],
)
def test_printable_text_is_defined_by_unicode_category(
    text: str, multiline: bool, printable: bool
) -> None:
    assert is_printable(text, multiline=multiline) is printable


def test_unprintable_names_each_refused_code_point_once() -> None:
    assert unprintable("a\x00b\x00" + LONE_SURROGATE) == ["U+0000", "U+DC80"]


def test_every_kind_is_reported_at_once() -> None:
    codes = [
        p.code
        for p in text_problems(" " * 5 + "\x00", "x.f", label="f", location=HERE, max_length=3)
    ]
    assert codes == ["x.f.too_long", "x.f.characters"]
    assert [p.code for p in text_problems(None, "x.f", label="f", location=HERE, max_length=3)] == [
        "x.f.missing"
    ]
    assert text_problems(None, "x.f", label="f", location=HERE, max_length=3, optional=True) == []
    assert [p.code for p in text_problems(3, "x.f", label="f", location=HERE, max_length=3)] == [
        "x.f.type"
    ]
    assert [p.code for p in text_problems(" ", "x.f", label="f", location=HERE, max_length=3)] == [
        "x.f.empty"
    ]


def test_dates_exclude_datetimes() -> None:
    assert is_date(datetime.date(2026, 1, 1))
    assert not is_date(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert not is_date("2026-01-01")


def test_the_three_domains_agree_on_a_lone_surrogate() -> None:
    with pytest.raises(ValidationError) as document:
        Document(
            title="Bericht " + LONE_SURROGATE,
            media_type="text/plain",
            content=b"x",
            created=datetime.date(2026, 1, 1),
        )
    with pytest.raises(CaseValidationError) as case:
        opened(kasse_case_number="KK-" + LONE_SURROGATE)
    therapy = check_text("Anna " + LONE_SURROGATE, "/given_name")
    assert [p.code for p in document.value.problems] == ["document.title.characters"]
    assert [p.code for p in case.value.problems] == ["cases.field.characters"]
    assert [p.code for p in therapy] == ["therapy.text.characters"]


def test_a_lone_surrogate_never_escapes_the_case_store_as_unicode_error(tmp_path: Path) -> None:
    with CaseStore(tmp_path / "cases.sqlite", clock=Clock(), create=True) as store:
        case_id = store.open_case(opened(), actor="kis").case_id
        with pytest.raises(CaseValidationError) as caught:
            store.record(
                case_id,
                Unterlagenanforderung(
                    received=datetime.date(2026, 2, 9), items=("Arztbrief " + LONE_SURROGATE,)
                ),
                actor="kis",
            )
        assert [(p.code, p.location.field) for p in caught.value.problems] == [
            ("cases.field.characters", "items[0]")
        ]
        # The actor is checked by the same kit when the event is built, before SQLite sees it.
        with pytest.raises(LeportalError) as actor:
            store.record(
                case_id,
                Unterlagenanforderung(received=datetime.date(2026, 2, 9)),
                actor="kis" + LONE_SURROGATE,
            )
        assert not isinstance(actor.value.__cause__, UnicodeEncodeError)
        assert "cases.field.characters" in [p.code for p in actor.value.problems]


def test_strict_labels_refuse_every_other_category() -> None:
    # RIGHT-TO-LEFT OVERRIDE (Cf): fine in a title, not in an otpauth label.
    spoof = "bank\u202eevil"
    assert is_printable(spoof)
    assert unprintable(spoof, strict=True) == ["U+202E"]
    assert not is_printable("private \ue000", strict=True)


@pytest.mark.parametrize(
    ("text", "iso", "either"),
    [
        ("2026-03-30", datetime.date(2026, 3, 30), datetime.date(2026, 3, 30)),
        ("30.03.2026", None, datetime.date(2026, 3, 30)),
        ("20260330", None, None),  # fromisoformat takes it since Python 3.11; a data file may not
        ("2026-W14-1", None, None),  # an ISO week date, also taken by fromisoformat
        ("2026-02-30", None, None),
        ("30.02.2026", None, None),
        ("2026-3-30", None, None),
        (" 2026-03-30", None, None),
        ("２０２６-03-30", None, None),
        (20260330, None, None),
    ],
)
def test_dates_have_one_spelling_in_files_and_two_for_people(
    text: object, iso: datetime.date | None, either: datetime.date | None
) -> None:
    assert parse_iso_date(text) == iso
    assert parse_date(text) == either


def test_request_files_and_therapy_forms_refuse_the_same_dates(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps({"reference": "R-1", "due": "20260330", "requested": []}))
    with pytest.raises(FormatError) as caught:
        load_request(path)
    assert "delivery.request.date" in [p.code for p in caught.value.problems]
    form = report_to_dict(report())
    form["created"] = "2026-W14-1"
    with pytest.raises(FormatError) as refused:
        report_from_dict(form)
    assert [(p.code, p.location.pointer) for p in refused.value.problems] == [
        ("therapy.form.date", "/created")
    ]


def test_the_fast_character_classes_are_exactly_the_categories() -> None:
    refused = [
        cp
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in REFUSED_CATEGORIES
    ]
    text = "".join(map(chr, refused))
    assert unprintable(text) == sorted(f"U+{cp:04X}" for cp in refused)
    assert len(unprintable(text, multiline=True)) == len(refused) - 3  # TAB, LF, CR
    skip = set(refused)
    everything_else = "".join(chr(cp) for cp in range(sys.maxunicode + 1) if cp not in skip)
    assert unprintable(everything_else) == []
