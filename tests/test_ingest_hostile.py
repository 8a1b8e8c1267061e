"""Hostile documents and URLs: each fails on its own with a reason, the batch finishes, nothing leaks."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hostile_pdf import flate_bomb, nested_arrays, text_pdf
from policies_support import make_db
from typer.testing import CliRunner

from medcodes.cli import app
from medcodes.policies import get_policy, list_policies
from medcodes.policies.documents import DocumentError, Limits, load_bytes
from medcodes.policies.download import fetch, public_url
from medcodes.policies.ingest import Ingester
from medcodes.store import Store

GOOD = "Acme Health Medical Policy\nPolicy Number: AH-{n}\nGenetic testing (81235) is considered medically necessary.\n"


@pytest.fixture()
def db(tmp_path):
    return make_db(tmp_path / "medcodes.sqlite")


def _ingest(db, targets, **kw):
    store = Store(db, readonly=False)
    try:
        return Ingester(store.conn, **kw).ingest([str(t) for t in targets])
    finally:
        store.close()


def test_bomb_and_nested_pdf_fail_alone_and_the_batch_finishes(db, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_good.pdf").write_bytes(text_pdf(GOOD.format(n=1)))
    (folder / "b_bomb.pdf").write_bytes(flate_bomb(200))
    (folder / "c_nested.pdf").write_bytes(nested_arrays(20_000))
    (folder / "d_good.pdf").write_bytes(text_pdf(GOOD.format(n=2)))
    report = _ingest(db, [folder])
    by_name = {f.path.rsplit("/", 1)[-1]: f for f in report.files}
    assert by_name["a_good.pdf"].status == "added"
    assert by_name["d_good.pdf"].status == "added"  # the files after the hostile ones still go in
    assert by_name["b_bomb.pdf"].status == "failed" and "decompression bomb" in by_name["b_bomb.pdf"].reason
    assert (
        by_name["c_nested.pdf"].status == "failed" and "nested too deeply" in by_name["c_nested.pdf"].reason
    )
    total, _ = list_policies(Store(db))
    assert total == 2


def test_cli_prints_its_summary_after_hostile_files(db, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "bomb.pdf").write_bytes(flate_bomb(120))
    (folder / "good.pdf").write_bytes(text_pdf(GOOD.format(n=3)))
    res = CliRunner().invoke(app, ["policies", "ingest", str(folder), "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["by_source"]["payer-document"]["failures"] == 1
    assert "Traceback" not in res.output


def test_page_text_and_size_limits():
    with pytest.raises(DocumentError, match="too large"):
        load_bytes("x.txt", b"81235 " * 100, Limits(max_bytes=100))
    with pytest.raises(DocumentError, match="too much text"):
        load_bytes("x.txt", b"81235 covered " * 100, Limits(max_text_chars=50))


class _Hostile(BaseHTTPRequestHandler):
    port = 0

    def log_message(self, *a):
        pass

    def do_GET(self):  # noqa: N802
        p = self.path
        if p.startswith("/policy.txt"):
            body = GOOD.format(n=7).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif p == "/to-localhost":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.port}/policy.txt")
            self.end_headers()
        elif p == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        elif p == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif p == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                for _ in range(400):  # 400 MB if nobody stops reading
                    self.wfile.write(b"x" * (1 << 20))
            except OSError:
                pass
        elif p == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                for _ in range(30):  # bounded: 30 bytes over ~15 s at most
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
        else:
            self.send_response(404)
            self.end_headers()


@pytest.fixture(scope="module")
def hostile():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    _Hostile.port = srv.server_address[1]
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{_Hostile.port}"
    srv.shutdown()


def test_public_url_strips_credentials_and_tokens():
    assert (
        public_url("http://user:pass@host.example/p.txt?token=abc&id=7#frag")
        == "http://host.example/p.txt?id=7"
    )
    assert (
        public_url("https://h.example/a?X-Amz-Signature=s&api_key=k&ncdid=372")
        == "https://h.example/a?ncdid=372"
    )


def test_loopback_is_refused_unless_allowed(hostile):
    with pytest.raises(DocumentError, match="local or private"):
        fetch(f"{hostile}/policy.txt")
    got = fetch(f"{hostile}/policy.txt", allow_hosts=["127.0.0.1"])
    assert b"81235" in got.data


def test_redirects_are_checked_like_the_first_address(hostile):
    with pytest.raises(DocumentError, match="localhost is a local or private address"):
        fetch(f"{hostile}/to-localhost", allow_hosts=["127.0.0.1"])
    with pytest.raises(DocumentError, match="only http and https"):
        fetch(f"{hostile}/to-file", allow_hosts=["127.0.0.1"])
    with pytest.raises(DocumentError, match="too many redirects"):
        fetch(f"{hostile}/loop", allow_hosts=["127.0.0.1"])


def test_size_cap_and_deadline(hostile):
    t0 = time.monotonic()
    with pytest.raises(DocumentError, match="too large"):
        fetch(f"{hostile}/huge", allow_hosts=["127.0.0.1"], max_bytes=5_000_000)
    with pytest.raises(DocumentError, match="longer than"):
        fetch(f"{hostile}/drip", allow_hosts=["127.0.0.1"], deadline_seconds=2)
    assert time.monotonic() - t0 < 10


def test_credentials_never_stored_or_published(db, hostile):
    url = f"http://user:s3cret@127.0.0.1:{_Hostile.port}/policy.txt?token=SECRETTOKEN&v=1"
    report = _ingest(db, [url], allow_hosts=["127.0.0.1"])
    assert report.files[0].status == "added", report.files[0].reason
    assert "s3cret" not in report.files[0].path and "SECRETTOKEN" not in report.files[0].path
    store = Store(db)
    pol = get_policy(store, report.files[0].policy_id)
    blob = json.dumps(pol, default=lambda o: getattr(o, "__dict__", str(o)))
    assert "s3cret" not in blob and "SECRETTOKEN" not in blob
    dump = "\n".join(store.conn.iterdump())
    assert "s3cret" not in dump and "SECRETTOKEN" not in dump
