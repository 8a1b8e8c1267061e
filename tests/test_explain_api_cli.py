"""The explanation API on a real server on loopback, and `medcodes explain show/export/import/check`."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "explain"))
from explain_fixtures import build_db  # noqa: E402
from fake_llm import _free_port  # noqa: E402

from medcodes.explain import Explanation, Section, storage  # noqa: E402
from medcodes.store import Store  # noqa: E402

MEDCODES = str(Path(sys.executable).parent / "medcodes")


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("explain-api") / "m.sqlite")


@pytest.fixture(scope="module")
def base_url(db):
    from medcodes.web.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        assert time.time() < deadline
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/api/v1"
    server.should_exit = True
    thread.join(timeout=10)


def test_api_explanation(base_url):
    r = httpx.get(f"{base_url}/codes/icd10cm/E11.9/explanation")
    assert r.status_code == 200
    doc = r.json()
    assert doc["kind"] == "diagnosis" and doc["writer"] == "grounded" and doc["display"] == "E11.9"
    assert doc["sections"][0]["heading"] == "Name of the Condition"
    assert isinstance(doc["reading_grade"], float)
    assert httpx.get(f"{base_url}/codes/icd10cm/e119/explanation").json()["code"] == "E119"


def test_api_errors_are_clear(base_url):
    r = httpx.get(f"{base_url}/codes/icd10cm/Q99999/explanation")
    assert r.status_code == 404 and "not found" in r.json()["error"]
    r = httpx.get(f"{base_url}/codes/xyz/E119/explanation")
    assert r.status_code == 404 and "unknown system" in r.json()["error"]


def _run(*args, check=True):
    done = subprocess.run([MEDCODES, "explain", *args], capture_output=True, text=True, timeout=60)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_cli_show(db):
    doc = json.loads(_run("show", "J1745", "--db", str(db), "--json").stdout)
    assert doc["kind"] == "drug" and any(s["key"] == "billing_unit" for s in doc["sections"])
    text = _run("show", "0DTJ4ZZ", "--db", str(db)).stdout
    assert "Procedure Description" in text and "written by: grounded" in text
    missing = _run("show", "ZZZ999", "--db", str(db), check=False)
    assert missing.returncode == 1 and "not found" in missing.stderr


def test_cli_schema_and_check(db, tmp_path):
    schema = json.loads(_run("schema", "lab").stdout)
    assert "sample" in schema["required"]
    bad = _run("schema", "nonsense", check=False)
    assert bad.returncode == 2
    answer = {k: {"text": "Most people do well."} for k in schema["required"]}
    answer = {k: {"text": "Most people do well."} for k in json.loads(_run("schema", "diagnosis").stdout)["required"]}
    answer["what_it_is"] = {"text": "This procedure involves an operation on the knee."}
    f = tmp_path / "a.json"
    f.write_text(json.dumps(answer))
    done = _run("check", "M17.11", str(f), "--db", str(db), check=False)
    assert done.returncode == 1 and "FAIL consistency_kind" in done.stdout


def test_export_import_roundtrip(tmp_path):
    src = Store(build_db(tmp_path / "a.sqlite"), readonly=False)
    dst_path = build_db(tmp_path / "b.sqlite")
    sections = [
        Section("name", "Name of the Condition", "Type 2 diabetes"),
        Section("what_it_is", "What It Is", "This condition means the body does not use sugar well."),
        *[Section(k, k, "Most people can manage it with care.") for k in
          ("causes", "symptoms", "diagnosis", "treatment", "outlook", "coding_notes", "questions")],
    ]
    good = Explanation("icd10cm", "E119", "diagnosis", "llm", sections, model="m", created_at="2025-01-01T00:00:00+00:00")
    storage.save(src.conn, good)
    pack = tmp_path / "pack.jsonl"
    _run("export", str(pack), "--db", str(src.path))
    lines = pack.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["code"] == "E119"
    # A line for a code that is not in the target and a broken line are rejected by name.
    pack.write_text(pack.read_text() + lines[0].replace('"E119"', '"E1165"') + "\n{broken\n")
    done = _run("import", str(pack), "--db", str(dst_path), "--json", check=False)
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["imported"] == 1 and report["ok"] == 1 and len(report["rejected"]) == 2
    dst = Store(dst_path)
    shown = _run("show", "E11.9", "--db", str(dst_path), "--json").stdout
    assert json.loads(shown)["writer"] == "llm"
    assert dst.conn.execute("SELECT COUNT(*) FROM explanations").fetchone()[0] == 1
    again = json.loads(_run("import", str(pack), "--db", str(dst_path), "--json", check=False).stdout)
    assert again["kept_newer"] == 1 and again["imported"] == 0
