from __future__ import annotations

from decimal import Decimal as D

import pytest

from leportal_core.billing import load_profile, reconcile
from leportal_core.errors import ConfigurationError, FormatError
from tests.core.billing.helpers import MASS, SAMPLES, all_types

PAPER = (SAMPLES / "papierrechnung-2026-10.csv").read_bytes()
ELECTRONIC = SAMPLES / "mass-2026-10.csv"


def test_sample_differences() -> None:
    result = reconcile(ELECTRONIC, PAPER, profile=MASS)
    assert not result.equal
    assert result.matched == 4
    assert [(d.code, d.file_reference) for d in result.differences] == [
        ("billing.reconcile.quantity", "50-2026-0816"),
        ("billing.reconcile.missing_on_paper", "50-2026-0820"),
    ]
    assert (result.electronic_total, result.paper_total) == (D("8377.52"), D("8234.15"))


def test_missing_electronic_and_amount() -> None:
    paper = (
        PAPER.replace(b"2164,14", b"2164,41")
        + b"50-2026-0899;LT 25;01.10.2026;31.10.2026;1,00;98,37\r\n"
    )
    codes = [d.code for d in reconcile(ELECTRONIC, paper, profile=MASS).differences]
    assert codes == [
        "billing.reconcile.amount",
        "billing.reconcile.quantity",
        "billing.reconcile.missing_on_paper",
        "billing.reconcile.missing_electronic",
    ]


def test_equal() -> None:
    lines = [line for line in ELECTRONIC.read_bytes().split(b"\r\n")[1:] if line]
    paper = [PAPER.split(b"\r\n")[0]]
    for line in lines:
        f = line.split(b";")
        paper.append(b";".join([f[4], f[8], f[9], f[10], f[11], f[14]]))
    result = reconcile(ELECTRONIC, b"\r\n".join(paper) + b"\r\n", profile=MASS)
    assert result.equal
    assert result.matched == 6


def test_invalid_paper_file_and_unsuitable_profile() -> None:
    with pytest.raises(FormatError) as caught:
        reconcile(ELECTRONIC, PAPER.replace(b"22,00", b"22.00"), profile=MASS)
    assert caught.value.code == "billing.value.decimal"
    with pytest.raises(ConfigurationError):
        reconcile(ELECTRONIC, PAPER, profile=MASS, paper_profile=all_types())
    assert load_profile("paper-lines-v1").keys[0] == "aktenzeichen"
