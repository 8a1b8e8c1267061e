"""`medcodes explain generate` killed midway (SIGKILL) and resumed: every finished explanation is kept,
none is duplicated, and no stored code is asked for again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "explain"))
from explain_fixtures import build_db, many_icd_records  # noqa: E402
from fake_llm import FakeLLM  # noqa: E402

N = 60
MEDCODES = [str(Path(sys.executable).parent / "medcodes")]


@pytest.fixture()
def server():
    srv = FakeLLM().start()
    yield srv
    srv.stop()


def _env(server) -> dict:
    env = dict(os.environ)
    env.update(MEDCODES_LLM_BASE_URL=server.base_url, MEDCODES_LLM_MODEL="test-model", MEDCODES_LLM_API_KEY="k")
    env.pop("MEDCODES_LLM_CONFIG", None)
    return env


def _stored(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute("SELECT code, status FROM explanations WHERE writer = 'llm'").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def test_generate_killed_midway_then_resumed(tmp_path, server):
    db = build_db(tmp_path / "m.sqlite", many_icd_records(N))
    server.delay = 0.1
    cmd = [*MEDCODES, "explain", "generate", "--db", str(db), "--system", "icd10cm", "--concurrency", "4", "--json"]
    proc = subprocess.Popen(cmd, env=_env(server), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while len(_stored(db)) < 12:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.time() < deadline, "no progress"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    before = {c for c, _ in _stored(db)}
    assert 12 <= len(before) < N + 1 - 4, "the run finished before it could be killed"
    asked_first = len(server.codes)

    server.delay = 0.0
    done = subprocess.run(cmd, env=_env(server), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = _stored(db)
    codes = [c for c, _ in rows]
    assert len(codes) == N and len(set(codes)) == N  # every code once
    assert before <= set(codes)  # nothing stored before the kill was lost
    asked_again = {c.replace(".", "") for c in server.codes[asked_first:]}
    assert not asked_again & before, "a stored explanation was requested again"
    assert all(s == "ok" for _, s in rows)

    again = subprocess.run(cmd, env=_env(server), capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and f'"skipped": {N}' in again.stdout


def test_generate_without_configuration_is_a_clear_error(tmp_path):
    db = build_db(tmp_path / "m.sqlite", many_icd_records(2))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDCODES_LLM")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run([*MEDCODES, "explain", "generate", "--db", str(db)], env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "MEDCODES_LLM_BASE_URL" in done.stderr
