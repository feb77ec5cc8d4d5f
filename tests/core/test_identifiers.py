"""Tests for ``leportal_core.identifiers``: IK, KVNR, LANR and BSNR.

Valid numbers are generated with small *reference* implementations written here from the
published descriptions, independently of the modules' own ``calc_check_digit``.
"""

from __future__ import annotations

import re
import string
from types import ModuleType

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leportal_core.errors import (
    InvalidChecksum,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
)
from leportal_core.identifiers import bsnr, ik, kvnr, lanr

MODULES = [ik, kvnr, lanr, bsnr]
SCHEMES = {ik: "ik", kvnr: "kvnr", lanr: "lanr", bsnr: "bsnr"}
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


# --- reference implementations ---------------------------------------------------------------


def quersumme(value: int) -> int:
    return sum(int(c) for c in str(value))


def ref_ik(first8: str) -> str:
    """Rundschreiben 1.2.5: positions 8..3 from the right, weights 1, 2, 1, 2, ..."""
    total = 0
    for i, digit in enumerate(reversed(first8[2:8])):
        total += quersumme(int(digit) * (1 if i % 2 == 0 else 2))
    return str(total % 10)


def ref_kvnr(first9: str) -> str:
    """Letter -> two digits A=01..Z=26, weights 1,2,1,2,..., Quersummen, mod 10."""
    digits = f"{string.ascii_uppercase.index(first9[0]) + 1:02d}" + first9[1:]
    weights = [1, 2] * 5
    return str(sum(quersumme(int(d) * w) for d, w in zip(digits, weights, strict=True)) % 10)


def ref_lanr(serial: str) -> str:
    """The equivalent closed form (6a + b + 6c + d + 6e + f) mod 10."""
    a, b, c, d, e, f = (int(x) for x in serial)
    return str((6 * a + b + 6 * c + d + 6 * e + f) % 10)


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=string.digits, min_size=n, max_size=n)


ik_numbers = digits(8).map(lambda s: s + ref_ik(s))
kvnr_numbers = st.builds(
    lambda letter, body: letter + body + ref_kvnr(letter + body),
    st.sampled_from(string.ascii_uppercase),
    digits(8),
)
lanr_numbers = st.builds(lambda s, g: s + ref_lanr(s) + g, digits(6), digits(2))
bsnr_numbers = digits(9)

VALID = {ik: ik_numbers, kvnr: kvnr_numbers, lanr: lanr_numbers, bsnr: bsnr_numbers}


def with_digit(number: str, offset: int, digit: str) -> str:
    return number[:offset] + digit + number[offset + 1 :]


def module_id(module: ModuleType) -> str:
    return SCHEMES[module]


# --- known examples --------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["260326822", "261101527", "101575519", "107299005"])
def test_ik_known_valid(number: str) -> None:
    assert ik.validate(number) == number
    assert ik.is_valid(number)
    assert ik.calc_check_digit(number[:8]) == number[8] == ref_ik(number[:8])


def test_ik_known_invalid_checksum() -> None:
    with pytest.raises(InvalidChecksum) as info:
        ik.validate("260326823")
    assert info.value.code == "ik.checksum"
    assert info.value.problems[0].location.field == "ik"
    assert info.value.problems[0].location.offset == 8
    assert not ik.is_valid("260326823")


def test_ik_rundschreiben_worked_example() -> None:
    # 0 3 2 6 8 2 * 2 1 2 1 2 1 -> 0 3 4 6 16 2 -> Quersummen 0 3 4 6 7 2 = 22 -> 2
    assert ik.calc_check_digit("26032682") == "2"
    assert ik.format("260326822") == "26 03 2682 2"


def test_kvnr_known_examples() -> None:
    assert ref_kvnr("A12345678") == "0"
    assert kvnr.calc_check_digit("A12345678") == "0"
    assert kvnr.validate("A123456780") == "A123456780"
    assert kvnr.validate(" a 12345678 0 ") == "A123456780"
    assert not kvnr.is_valid("A123456781")


def test_lanr_known_examples() -> None:
    # 1*4 + 2*9 + 3*4 + 4*9 + 5*4 + 6*9 = 144 -> remainder 4 -> 10 - 4 = 6
    assert lanr.calc_check_digit("123456") == "6" == ref_lanr("123456")
    assert lanr.validate("123456601") == "123456601"
    assert lanr.format("123456601") == "123456 6 01"
    # remainder 0 gives check digit 0, not 10: 000000 and 5*4 + 0 ... = 20 -> 0
    assert lanr.calc_check_digit("000000") == "0"
    assert lanr.calc_check_digit("500000") == "0"


def test_bsnr_known_examples() -> None:
    assert bsnr.validate("190111100") == "190111100"
    assert bsnr.format("190111100") == "19 0111100"
    # the hospital prefixes are ordinary digits to the validator
    assert bsnr.is_valid("351712345")
    assert bsnr.is_valid("751712345")


# --- IK describe and constants -----------------------------------------------------------------


def test_ik_describe_hospital() -> None:
    info = ik.describe("26 03 2682 2")
    assert info.number == "260326822"
    assert info.classification_code == "26"
    assert info.classification == "Krankenhäuser"
    assert info.region_code == "03"
    assert info.region == "Niedersachsen"
    assert info.as_dict() == attrs.asdict(info)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        info.region = "Bayern"  # type: ignore[misc]


def test_ik_describe_unknown_codes() -> None:
    unknown_class = "99110152" + ref_ik("99110152")
    info = ik.describe(unknown_class)
    assert (info.classification_code, info.classification) == ("99", None)
    assert (info.region_code, info.region) == ("11", "Berlin")
    outside = "26170001" + ref_ik("26170001")
    assert ik.describe(outside).region is None
    assert ik.describe(outside).region_code == "17"


def test_ik_describe_social_insurer_has_no_region_name() -> None:
    info = ik.describe("101575519")
    assert info.classification == "Krankenkassen"
    assert info.region_code == "15"
    assert info.region is None


def test_ik_constants() -> None:
    assert dict(ik.CLASSIFICATIONS) == {
        "10": "Krankenkassen",
        "12": "Unfallversicherungsträger",
        "20": "Ärzte/Kassenärztliche Vereinigungen",
        "26": "Krankenhäuser",
        "30": "Apotheken",
        "31": "Augenoptiker",
        "40": "Logopäden",
        "45": "Hebammen",
    }
    assert list(ik.REGIONS) == [f"{n:02d}" for n in range(17)]
    assert ik.REGIONS["00"] == "Ausland"
    assert ik.REGIONS["16"] == "Thüringen"
    with pytest.raises(TypeError):
        ik.REGIONS["17"] = "x"  # type: ignore[index]


@pytest.mark.parametrize("module", MODULES, ids=module_id)
def test_problem_codes_constant(module: ModuleType) -> None:
    scheme = SCHEMES[module]
    expected = {f"{scheme}.format", f"{scheme}.length"}
    if module is not bsnr:
        expected.add(f"{scheme}.checksum")
    assert set(module.PROBLEM_CODES) == expected
    assert all(CODE.match(code) for code in module.PROBLEM_CODES)


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES, ids=module_id)
@given(data=st.data())
def test_valid_numbers_round_trip(module: ModuleType, data: st.DataObject) -> None:
    number = data.draw(VALID[module])
    assert module.validate(number) == number
    assert module.is_valid(number)
    formatted = module.format(number)
    assert module.compact(formatted) == number
    assert module.validate(formatted) == number
    assert module.format(formatted) == formatted


@pytest.mark.parametrize("module", MODULES, ids=module_id)
@given(data=st.data())
def test_separators_are_ignored(module: ModuleType, data: st.DataObject) -> None:
    number = data.draw(VALID[module])
    noise = st.text(alphabet=" -./\t\u00a0", max_size=2)
    messy = "".join(data.draw(noise) + char for char in number) + data.draw(noise)
    assert module.compact(messy) == number
    assert module.validate(messy) == number


@given(number=kvnr_numbers)
def test_kvnr_lower_case_is_accepted(number: str) -> None:
    assert kvnr.validate(number.lower()) == number


@given(first8=digits(8))
def test_ik_calc_check_digit_matches_reference(first8: str) -> None:
    assert ik.calc_check_digit(first8) == ref_ik(first8)


@given(letter=st.sampled_from(string.ascii_uppercase), body=digits(8))
def test_kvnr_calc_check_digit_matches_reference(letter: str, body: str) -> None:
    assert kvnr.calc_check_digit(letter + body) == ref_kvnr(letter + body)


@given(serial=digits(6))
def test_lanr_calc_check_digit_matches_reference(serial: str) -> None:
    assert lanr.calc_check_digit(serial) == ref_lanr(serial)


# --- single-digit errors -----------------------------------------------------------------------


def changed_digit(data: st.DataObject, number: str, offset: int) -> str:
    new = data.draw(st.sampled_from(string.digits).filter(lambda d: d != number[offset]))
    return with_digit(number, offset, new)


@given(data=st.data(), number=ik_numbers, offset=st.integers(2, 8))
def test_ik_detects_single_digit_change(data: st.DataObject, number: str, offset: int) -> None:
    with pytest.raises(InvalidChecksum):
        ik.validate(changed_digit(data, number, offset))


@given(data=st.data(), number=ik_numbers, offset=st.integers(0, 1))
def test_ik_classification_is_not_protected(data: st.DataObject, number: str, offset: int) -> None:
    assert ik.is_valid(changed_digit(data, number, offset))


@given(data=st.data(), number=kvnr_numbers, offset=st.integers(1, 9))
def test_kvnr_detects_single_digit_change(data: st.DataObject, number: str, offset: int) -> None:
    with pytest.raises(InvalidChecksum):
        kvnr.validate(changed_digit(data, number, offset))


@pytest.mark.parametrize(("first", "second"), [("A", "T"), ("B", "U"), ("C", "V")])
def test_kvnr_letter_collision_is_a_known_weakness(first: str, second: str) -> None:
    # A=01 contributes 0 + Quersumme(1*2) = 2, T=20 contributes 2 + Quersumme(0*2) = 2.
    assert kvnr.calc_check_digit(first + "12345678") == kvnr.calc_check_digit(second + "12345678")
    number = first + "12345678" + ref_kvnr(first + "12345678")
    assert kvnr.is_valid(number)
    # the letter typo goes unnoticed
    assert kvnr.is_valid(second + number[1:])


@given(data=st.data(), number=lanr_numbers, offset=st.sampled_from([1, 3, 5, 6]))
def test_lanr_detects_change_in_weight_9_positions_and_check_digit(
    data: st.DataObject, number: str, offset: int
) -> None:
    with pytest.raises(InvalidChecksum):
        lanr.validate(changed_digit(data, number, offset))


@given(data=st.data(), number=lanr_numbers, offset=st.sampled_from([0, 2, 4]))
def test_lanr_weight_4_positions_miss_only_changes_by_5(
    data: st.DataObject, number: str, offset: int
) -> None:
    changed = changed_digit(data, number, offset)
    by_five = abs(int(changed[offset]) - int(number[offset])) == 5
    assert lanr.is_valid(changed) is by_five


@given(number=lanr_numbers)
def test_lanr_change_by_5_in_position_1_is_undetected(number: str) -> None:
    changed = with_digit(number, 0, str((int(number[0]) + 5) % 10))
    assert changed != number
    assert lanr.validate(changed) == changed


# --- failures: exception classes, codes and locations ----------------------------------------

FAILURES = [
    (ik, "26032682x", InvalidFormat, "format", 8),
    (ik, "26032682x0", InvalidFormat, "format", 8),  # characters are checked before length
    (ik, "2603268a", InvalidFormat, "format", 7),
    (ik, "٢60326822", InvalidFormat, "format", 0),  # non-ASCII digit
    (ik, "26032682", InvalidLength, "length", 8),
    (ik, "2603268222", InvalidLength, "length", 9),
    (ik, "", InvalidLength, "length", 0),
    (ik, " - ", InvalidLength, "length", 0),
    (ik, "260326823", InvalidChecksum, "checksum", 8),
    (kvnr, "A12345678!", InvalidFormat, "format", 9),
    (kvnr, "Ä123456780", InvalidFormat, "format", 0),
    (kvnr, "ı123456780", InvalidFormat, "format", 0),  # dotless i is not upper-cased to I
    (kvnr, "A12345678", InvalidLength, "length", 9),
    (kvnr, "A1234567800", InvalidLength, "length", 10),
    (kvnr, "12345678901", InvalidLength, "length", 10),  # length before structure
    (kvnr, "1123456780", InvalidFormat, "format", 0),
    (kvnr, "A1234B6780", InvalidFormat, "format", 5),
    (kvnr, "A12345678X", InvalidFormat, "format", 9),
    (kvnr, "A123456781", InvalidChecksum, "checksum", 9),
    (lanr, "12345660a", InvalidFormat, "format", 8),
    (lanr, "12345660", InvalidLength, "length", 8),
    (lanr, "1234566011", InvalidLength, "length", 9),
    (lanr, "123456701", InvalidChecksum, "checksum", 6),
    (bsnr, "19011110O", InvalidFormat, "format", 8),
    (bsnr, "1901111", InvalidLength, "length", 7),
    (bsnr, "1901111000", InvalidLength, "length", 9),
]


@pytest.mark.parametrize(
    ("module", "number", "exc_type", "kind", "offset"),
    FAILURES,
    ids=[f"{SCHEMES[m]}-{k}-{n!r}" for m, n, _, k, _ in FAILURES],
)
def test_failure_kinds(
    module: ModuleType, number: str, exc_type: type[InvalidIdentifier], kind: str, offset: int
) -> None:
    scheme = SCHEMES[module]
    with pytest.raises(exc_type) as info:
        module.validate(number)
    exc = info.value
    assert type(exc) is exc_type
    assert exc.code == f"{scheme}.{kind}"
    assert len(exc.problems) == 1
    problem = exc.problems[0]
    assert problem.message == exc.message
    assert problem.location.field == scheme
    assert problem.location.offset == offset
    assert exc.code in str(exc)
    assert not module.is_valid(number)


def test_checksum_message_does_not_reveal_the_expected_digit() -> None:
    with pytest.raises(InvalidChecksum) as info:
        ik.validate("260326820")
    assert not re.search(r"\d", info.value.message.replace("positions 3-8", ""))


@pytest.mark.parametrize("module", MODULES, ids=module_id)
@pytest.mark.parametrize("value", [None, 123, 260326822, b"260326822", 2.5, ["2"], object()])
def test_non_str_input_is_a_format_error(module: ModuleType, value: object) -> None:
    scheme = SCHEMES[module]
    for function in (module.validate, module.compact, module.format):
        with pytest.raises(InvalidFormat) as info:
            function(value)
        assert info.value.code == f"{scheme}.format"
        assert info.value.problems[0].location.field == scheme
    assert module.is_valid(value) is False


def test_ik_describe_and_calc_check_digit_reject_bad_input() -> None:
    with pytest.raises(InvalidChecksum):
        ik.describe("260326823")
    with pytest.raises(InvalidLength) as info:
        ik.calc_check_digit("2603268")
    assert info.value.code == "ik.length"
    with pytest.raises(InvalidFormat):
        kvnr.calc_check_digit("112345678")
    with pytest.raises(InvalidFormat):
        lanr.calc_check_digit("12345x")
    with pytest.raises(InvalidFormat):
        ik.calc_check_digit(None)  # type: ignore[arg-type]


# --- garbage ---------------------------------------------------------------------------------

near_miss = st.text(alphabet=string.digits + "AaTz -./\nÄı٢", max_size=14)
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.binary(),
    st.lists(st.text(max_size=3), max_size=3),
    st.builds(object),
)


@pytest.mark.parametrize("module", MODULES, ids=module_id)
@given(text=st.one_of(st.text(), near_miss))
def test_garbage_text(module: ModuleType, text: str) -> None:
    compacted = module.compact(text)
    assert isinstance(compacted, str)
    assert module.compact(compacted) == compacted
    valid = module.is_valid(text)
    assert isinstance(valid, bool)
    error: InvalidIdentifier | None = None
    try:
        result = module.validate(text)
    except InvalidIdentifier as exc:
        error = exc
    if error is None:
        assert valid
        assert result == compacted
    else:
        assert not valid
        assert error.code in module.PROBLEM_CODES
        assert all(p.location.field == SCHEMES[module] for p in error.problems)


@pytest.mark.parametrize("module", MODULES, ids=module_id)
@given(value=anything)
def test_garbage_objects(module: ModuleType, value: object) -> None:
    assert module.is_valid(value) is False
    with pytest.raises(InvalidFormat):
        module.validate(value)
