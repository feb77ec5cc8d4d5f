"""Dateiquittung reconciliation in both documented forms, and the delivery CLI."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from leportal_core.cli import build_cli
from leportal_core.cli.delivery import delivery
from leportal_core.delivery import (
    SentFile,
    load_manifest,
    load_receipt,
    parse_receipt_csv,
    parse_receipt_json,
    reconcile,
)
from leportal_core.errors import ConfigurationError, FormatError
from leportal_core.plugins import new_plugin_manager

A = SentFile(path="1_KH-Berichte/a.pdf", size=10, sha256="a" * 64)
B = SentFile(path="2_Kurve-Pflege-Arzt-Doku/b.pdf", size=20, sha256="b" * 64)
C = SentFile(path="3_Technische-Laborbefunde/c.pdf", size=30, sha256="c" * 64)


def test_json_receipt_four_outcomes() -> None:
    receipt = parse_receipt_json(
        json.dumps(
            {
                "files": [
                    {"name": "a.pdf", "size": 10, "sha256": "A" * 64},  # by base name, hash case
                    {"name": "2_Kurve-Pflege-Arzt-Doku/b.pdf", "size": 21},  # altered size
                    {"name": "x.pdf", "sha256": "d" * 64},  # unexpected
                ]
            }
        )
    )
    result = reconcile([A, B, C], receipt)
    assert [f.path for f in result.received] == [A.path]
    assert [f.path for f, _ in result.altered] == [B.path]
    assert [f.path for f in result.missing] == [C.path]
    assert [e.name for e in result.unexpected] == ["x.pdf"]
    assert not result.ok
    assert result.as_dict()["altered"][0]["receipt"]["size"] == 21


def test_csv_receipt_with_semicolons_and_only_hashes() -> None:
    text = "name;size;sha256\na.pdf;;" + "a" * 64 + "\nb.pdf;20;\nc.pdf;30;" + "c" * 64 + "\n"
    result = reconcile([A, B, C], parse_receipt_csv(text))
    assert result.ok
    assert len(result.received) == 3


def test_a_duplicate_receipt_line_is_unexpected() -> None:
    result = reconcile(
        [A], parse_receipt_json('{"files":[{"name":"a.pdf","size":10},{"name":"a.pdf","size":10}]}')
    )
    assert (len(result.received), len(result.unexpected)) == (1, 1)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("{", {"delivery.receipt.json"}),
        ('{"items": []}', {"delivery.receipt.files"}),
        (
            '{"files": [{"size": -1}, {"name": "a", "sha256": "xyz"}, {"name": "b"}, 7]}',
            {
                "delivery.receipt.name",
                "delivery.receipt.size",
                "delivery.receipt.sha256",
                "delivery.receipt.unverifiable",
                "delivery.receipt.entry",
            },
        ),
    ],
)
def test_bad_json_receipts(text: str, codes: set[str]) -> None:
    with pytest.raises(FormatError) as caught:
        parse_receipt_json(text)
    assert {p.code for p in caught.value.problems} == codes


def test_bad_csv_receipt_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        parse_receipt_csv("file,bytes\na,1\n")
    assert caught.value.code == "delivery.receipt.columns"
    with pytest.raises(ConfigurationError) as unreadable:
        load_receipt(tmp_path / "none.csv")
    assert unreadable.value.code == "delivery.file.unreadable"
    bad = tmp_path / "manifest.json"
    bad.write_text('{"files": [{"path": "a"}]}')
    with pytest.raises(FormatError) as caught:
        load_manifest(bad)
    assert caught.value.code == "delivery.manifest.entry"
    bad.write_text("[]")
    with pytest.raises(FormatError) as caught:
        load_manifest(tmp_path)
    assert caught.value.code == "delivery.manifest.invalid"


def cli() -> click.Group:
    root = build_cli(new_plugin_manager())
    root.add_command(delivery)
    return root


def test_cli_build_then_reconcile(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "lieferung"
    args = [
        "delivery",
        "build",
        str(archive / "anforderung.json"),
        "--out",
        str(out),
        "--today",
        "2026-03-02",
    ]
    result = CliRunner().invoke(cli(), [*args, "--json"])
    assert result.exit_code == 1, result.output  # two rejected, two missing
    data = json.loads(result.output)
    assert data["deadline"] == {
        "due": "2026-03-30",
        "today": "2026-03-02",
        "days_left": 28,
        "state": "offen",
    }
    assert [r["document_id"] for r in data["rejected"]] == ["ARC-1002", "ARC-1004"]
    assert [r["pdf"]["problems"][0]["code"] for r in data["rejected"]] == [
        "pdf.encrypted",
        "pdf.damaged",
    ]
    human = CliRunner().invoke(cli(), args)
    assert "REJECTED" in human.output
    assert "missing: 2 OP-Bericht" in human.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    receipt = tmp_path / "quittung.csv"
    receipt.write_text(
        "name,size,sha256\n"
        + "".join(
            f"{f['path'].split('/')[-1]},{f['size']},{f['sha256']}\n" for f in manifest["files"]
        )
    )
    ok = CliRunner().invoke(cli(), ["delivery", "reconcile", str(out), str(receipt)])
    assert ok.exit_code == 0, ok.output
    assert "received as sent: 3" in ok.output
    receipt.write_text("name,size\nEntlassungsbericht.pdf,1\n")
    bad = CliRunner().invoke(cli(), ["delivery", "reconcile", "--json", str(out), str(receipt)])
    assert bad.exit_code == 1
    codes = sorted(p["code"] for p in json.loads(bad.output)["problems"])
    assert codes == [
        "delivery.receipt.altered",
        "delivery.receipt.missing",
        "delivery.receipt.missing",
    ]


def test_cli_bad_inputs_exit_without_traceback(tmp_path: Path) -> None:
    request = tmp_path / "r.json"
    request.write_text("{not json")
    result = CliRunner().invoke(
        cli(), ["delivery", "build", str(request), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "delivery.request.json" in result.output
    assert "Traceback" not in result.output
    usage = CliRunner().invoke(
        cli(), ["delivery", "build", str(request), "--out", "o", "--today", "morgen"]
    )
    assert usage.exit_code == 2
    receipt = tmp_path / "q.json"
    receipt.write_text('{"files": [{"name": "a.pdf"}]}')
    (tmp_path / "manifest.json").write_text('{"files": []}')
    result = CliRunner().invoke(cli(), ["delivery", "reconcile", str(tmp_path), str(receipt)])
    assert result.exit_code == 1
    assert "delivery.receipt.unverifiable" in result.output
