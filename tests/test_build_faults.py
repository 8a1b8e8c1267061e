"""Faults around a build: a killed build, two builds at once, a read-only folder, a corrupt workbook,
and a newest release that cannot be read beside an older one. Each ends with one clear line."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from typer.testing import CliRunner

from medcodes.cli import app
from medcodes.store import build as store_build

runner = CliRunner()


def _build(db, data_dir, *extra):
    res = runner.invoke(app, ["build", "--db", str(db), "--data-dir", str(data_dir), "--no-packaged", *extra])
    res.flat = " ".join(res.output.split())  # Rich wraps long lines
    return res


def _anweb_xlsx(rows: int = 1500) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION"])
    for i in range(rows):
        ws.append([f"A{i:04d}", "00100", "3", f"Made-up supply number {i}", f"Supply {i}"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_truncated_newest_release_stops_the_build_unless_fallback_is_asked(data_dir, tmp_path):
    newest = data_dir / "hcpcs" / "HCPC2025_OCT_ANWEB.xlsx"
    data = _anweb_xlsx()
    newest.write_bytes(data[: len(data) // 2])
    db = tmp_path / "m.sqlite"
    res = _build(db, data_dir)
    assert res.exit_code == 1
    assert "HCPC2025_OCT_ANWEB.xlsx" in res.flat and "cannot be read" in res.flat
    assert "Traceback" not in res.flat
    assert not db.exists()
    res = _build(db, data_dir, "--allow-fallback")
    assert res.exit_code == 0, res.output
    assert "fell back" in res.flat


def test_corrupt_workbook_names_the_file(data_dir, tmp_path):
    good = _anweb_xlsx(3000)
    src = zipfile.ZipFile(io.BytesIO(good))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in src.infolist():
            body = src.read(item)
            if item.filename.endswith("sheet1.xml"):
                body = body[: int(len(body) * 0.6)]  # the header row survives, the rest is cut mid-tag
            out.writestr(item, body)
    (data_dir / "hcpcs" / "HCPC2025_OCT_ANWEB.xlsx").write_bytes(buf.getvalue())
    db = tmp_path / "m.sqlite"
    res = _build(db, data_dir)
    assert res.exit_code == 1, res.output
    assert "HCPC2025_OCT_ANWEB.xlsx" in res.flat
    assert "Traceback" not in res.flat


def test_second_build_into_the_same_path_fails_with_one_line(data_dir, tmp_path):
    db = tmp_path / "m.sqlite"
    with store_build.build_lock(db):
        res = _build(db, data_dir)
    assert res.exit_code == 1
    assert "another build" in res.flat and "Traceback" not in res.flat


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_build_leaves_nothing_the_next_build_does_not_remove(data_dir, tmp_path, sig):
    db = tmp_path / "m.sqlite"
    # The real CLI build, with the release reader slowed down so the signal lands mid-import.
    script = (
        "import sys, time; from medcodes import codesets; from medcodes.cli import app\n"
        "real = codesets.read\n"
        "def slow(source):\n"
        "    for i, rec in enumerate(real(source)):\n"
        "        if i % 50 == 0: time.sleep(0.05)\n"
        "        yield rec\n"
        "codesets.read = slow\n"
        "app(sys.argv[1:])\n"
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            script,
            "build",
            "--db",
            str(db),
            "--data-dir",
            str(data_dir),
            "--no-packaged",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".m.sqlite.building-*")):
        assert proc.poll() is None, "the build ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    left = list(tmp_path.glob(".m.sqlite.building-*"))
    if sig == signal.SIGTERM:
        assert left == [], "SIGTERM cleans up on the way out"
        return
    assert left, "kill -9 leaves the temporary file (nothing can run)"
    res = _build(db, data_dir)
    assert res.exit_code == 0, res.output
    assert list(tmp_path.glob(".m.sqlite.building-*")) == []
    dirs = [p for p in tmp_path.glob("m-*") if p.is_dir()]
    assert len(dirs) == 1  # only the new build's artefacts


def test_read_only_folder_is_one_clear_line(data_dir, tmp_path):
    target = tmp_path / "ro"
    target.mkdir()
    ok = subprocess.run(["mount", "--bind", str(target), str(target)], capture_output=True).returncode == 0
    ok = (
        ok
        and subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], capture_output=True).returncode
        == 0
    )
    if not ok:
        if os.environ.get("CI"):
            pytest.fail("CI runs as root and must be able to make a read-only bind mount")
        pytest.skip("needs root to make a read-only bind mount")
    try:
        res = _build(target / "m.sqlite", data_dir)
        assert res.exit_code == 1
        assert "read-only" in res.flat and "Traceback" not in res.flat
    finally:
        subprocess.run(["umount", str(target)], check=False)
