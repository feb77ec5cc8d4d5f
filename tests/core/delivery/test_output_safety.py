"""Issue 21 points 1, 2 and 11: ``delivery build --out`` replaces only a folder a build made,
one build per target at a time, SIGKILL leaves the old or the new folder, hostile requests get
problems instead of exit 70. Real processes where the point is about processes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leportal_core.delivery import build_folder, load_request, plan_delivery
from leportal_core.delivery import folder as folder_module
from leportal_core.errors import ConfigurationError, FormatError
from leportal_core.plugins import new_plugin_manager

TODAY = dt.date(2026, 3, 2)
CLI = [sys.executable, "-m", "leportal_core.cli"]


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every entry below ``folder`` with its bytes (None for folders)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def _plan(request: Path):  # type: ignore[no-untyped-def]
    return plan_delivery(load_request(request), new_plugin_manager(), today=TODAY, kdl=None)


def _leportal(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    code = "from leportal_core.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env={**os.environ, "LEPORTAL_DEBUG": ""},
    )


def _complete(out: Path) -> str:
    """Assert ``out`` is a complete delivery folder (every listed file there with its hash,
    nothing else) and return its ``created`` stamp."""
    manifest = json.loads((out / "manifest.json").read_bytes())
    listed = {"manifest.json"}
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        listed.add(entry["path"])
        listed.add(entry["path"].partition("/")[0])
    assert set(_tree(out)) == listed
    return str(manifest["created"])


def test_the_source_folder_is_refused_and_untouched(archive: Path) -> None:
    before = _tree(archive)
    result = _leportal("delivery", "build", "anforderung.json", "--out", ".", cwd=archive)
    assert result.returncode == 2, result.stderr
    assert "delivery.output.overlaps_sources" in result.stderr
    assert _tree(archive) == before
    with pytest.raises(ConfigurationError) as caught:
        build_folder(_plan(archive / "anforderung.json"), archive)
    assert caught.value.code == "delivery.output.overlaps_sources"
    assert _tree(archive) == before


def test_an_unrelated_folder_with_user_files_is_refused_and_untouched(
    archive: Path, tmp_path: Path
) -> None:
    user = tmp_path / "Eigene Dateien"
    (user / "privat").mkdir(parents=True)
    (user / "brief.docx").write_bytes(b"a letter")
    (user / "privat" / "foto.jpg").write_bytes(b"a photo")
    before = _tree(user)
    result = _leportal(
        "delivery", "build", str(archive / "anforderung.json"), "--out", str(user), "--json"
    )
    assert result.returncode == 2, result.stderr
    data = json.loads(result.stdout)  # under --json the envelope is all there is (docs/cli.md)
    assert data["ok"] is False
    assert [p["code"] for p in data["problems"]] == ["delivery.output.foreign"]
    assert _tree(user) == before


def test_an_existing_file_is_refused_and_the_next_build_works(
    archive: Path, tmp_path: Path
) -> None:
    target = tmp_path / "lieferung"
    target.write_bytes(b"someone's file")
    with pytest.raises(ConfigurationError) as caught:
        build_folder(_plan(archive / "anforderung.json"), target)
    assert caught.value.code == "delivery.output.not_folder"
    assert target.read_bytes() == b"someone's file"
    other = build_folder(_plan(archive / "anforderung.json"), tmp_path / "lieferung-2")
    _complete(other)


def test_out_dot_in_an_empty_folder_builds_there(archive: Path, tmp_path: Path) -> None:
    empty = tmp_path / "leer"
    empty.mkdir()
    result = _leportal(
        "delivery",
        "build",
        str(archive / "anforderung.json"),
        "--out",
        ".",
        "--today",
        "2026-03-02",
        cwd=empty,
    )
    assert result.returncode == 1, (
        result.stderr
    )  # 1: one document is rejected, the folder is written
    _complete(empty)


def test_an_earlier_delivery_folder_is_replaced(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "lieferung"
    build_folder(_plan(archive / "anforderung.json"), out, created="old")
    build_folder(_plan(archive / "anforderung.json"), out, created="new")
    assert _complete(out) == "new"


def _build(request: str, out: str, created: str) -> None:
    """A child process: one build, exit 0 done, 2 refused."""
    try:
        build_folder(_plan(Path(request)), out, created=created, lock_timeout=600)
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        os._exit(2)
    os._exit(0)


def test_concurrent_builds_into_one_folder_take_turns(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "lieferung"
    build_folder(_plan(archive / "anforderung.json"), out, created="first")
    context = multiprocessing.get_context("fork")
    builders = [
        context.Process(target=_build, args=(str(archive / "anforderung.json"), str(out), f"b{i}"))
        for i in range(6)
    ]
    for builder in builders:
        builder.start()
    for builder in builders:
        builder.join(600)
    assert [b.exitcode for b in builders] == [0] * 6  # each waited for the lock, none failed
    assert _complete(out) in {f"b{i}" for i in range(6)}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lieferung.lock", "archive", "lieferung"]


def test_a_busy_target_is_reported_after_the_wait(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "lieferung"
    build_folder(_plan(archive / "anforderung.json"), out, created="first")
    ready = multiprocessing.get_context("fork").Event()
    holder = multiprocessing.get_context("fork").Process(
        target=_hold_lock, args=(str(tmp_path / ".lieferung.lock"), ready)
    )
    holder.start()
    try:
        assert ready.wait(120)
        with pytest.raises(ConfigurationError) as caught:
            build_folder(_plan(archive / "anforderung.json"), out, created="x", lock_timeout=0.2)
        assert caught.value.code == "delivery.output.busy"
        assert _complete(out) == "first"
    finally:
        holder.kill()
        holder.join()
    # The holder died without unlocking (as on SIGKILL): the OS released its lock.
    build_folder(_plan(archive / "anforderung.json"), out, created="after", lock_timeout=30)
    assert _complete(out) == "after"


def _hold_lock(path: str, ready) -> None:  # type: ignore[no-untyped-def]
    from leportal_core.files import exclusive_lock

    with exclusive_lock(path, timeout=10):
        ready.set()
        time.sleep(600)


def _many_documents(archive: Path, count: int) -> Path:
    """A request offering ``count`` copies of the sample PDFs, so a build takes a while."""
    data = json.loads((archive / "anforderung.json").read_text(encoding="utf-8"))
    accepted = [d for d in data["documents"] if "abgeschnitten" not in d["path"]]
    data["documents"] = [
        {**accepted[i % len(accepted)], "id": f"D-{i}", "title": f"Dokument {i}", "items": []}
        for i in range(count)
    ]
    request = archive / "viele.json"
    request.write_text(json.dumps(data), encoding="utf-8")
    return request


def test_sigkill_during_a_build_leaves_the_old_or_the_new_folder(
    archive: Path, tmp_path: Path
) -> None:
    request = _many_documents(archive, 40)
    out = tmp_path / "lieferung"
    build_folder(_plan(request), out, created="old")
    context = multiprocessing.get_context("fork")
    rng = random.Random(21)
    seen = set()
    for attempt in range(12):
        child = context.Process(target=_build, args=(str(request), str(out), f"new-{attempt}"))
        child.start()
        time.sleep(rng.uniform(0.0, 1.5))
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join()
        if out.exists():
            state = _complete(out)
        else:  # killed between the two renames: the old folder waits complete beside it
            state = "between renames: " + _complete(tmp_path / ".lieferung.previous")
        seen.add(state.partition("-")[0])
        # The next build recovers whatever the kill left and replaces the folder.
        build_folder(_plan(request), out, created="old")
        assert _complete(out) == "old"
        leftovers = sorted(p.name for p in tmp_path.iterdir())
        assert leftovers == [".lieferung.lock", "archive", "lieferung"]
    assert seen  # every kill ended in a complete state
    print("states after SIGKILL:", sorted(seen))


def test_a_partial_folder_with_foreign_content_is_not_removed(
    archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "lieferung"
    partial = tmp_path / ".lieferung.partial"
    partial.mkdir()
    (partial / "tagebuch.txt").write_text("mine")
    with pytest.raises(ConfigurationError) as caught:
        build_folder(_plan(archive / "anforderung.json"), out)
    assert caught.value.code == "delivery.output.foreign"
    assert (partial / "tagebuch.txt").read_text() == "mine"
    assert folder_module._partial_leftovers(partial) == ["tagebuch.txt"]


def test_a_deep_foreign_folder_is_refused_without_walking_it(archive: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    deep = home / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (deep / "x.txt").write_text("deep")
    with pytest.raises(ConfigurationError) as caught:
        build_folder(_plan(archive / "anforderung.json"), home)
    assert caught.value.code == "delivery.output.foreign"
    assert "(a)" in caught.value.problems[0].message  # the top-level entry is named
    assert (deep / "x.txt").read_text() == "deep"


def test_a_half_removed_previous_folder_is_cleaned_up(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "lieferung"
    build_folder(_plan(archive / "anforderung.json"), out, created="old")
    previous = tmp_path / ".lieferung.previous"
    build_folder(_plan(archive / "anforderung.json"), previous, created="older")
    (previous / "manifest.json").unlink()  # killed while the swap removed the old folder
    build_folder(_plan(archive / "anforderung.json"), out, created="new")
    assert _complete(out) == "new"
    assert not previous.exists()


def test_hostile_requests_get_problems_not_exit_70(archive: Path) -> None:
    data = json.loads((archive / "anforderung.json").read_text(encoding="utf-8"))
    data["documents"][0]["path"] = "x" * 256 + ".pdf"
    data["documents"][1]["type_code"] = ["BERI", "LAB"]
    data["documents"][2]["title"] = {"de": "Titel"}
    request = archive / "feindlich.json"
    request.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        load_request(request)
    pointers = {p.location.pointer: p.code for p in caught.value.problems}
    assert pointers == {
        "/documents/0": "delivery.request.document",
        "/documents/1": "delivery.request.document",
        "/documents/2": "delivery.request.document",
    }
    result = _leportal("delivery", "build", str(request), "--out", str(archive.parent / "o"))
    assert result.returncode == 1, result.stderr
    assert "delivery.request.document" in result.stderr
    assert "internal error" not in result.stderr
