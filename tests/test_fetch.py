"""Fetch helpers against a real HTTP server on 127.0.0.1 serving the shared release files."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcodes.cli import app
from medcodes.codesets import hcpcs
from medcodes.codesets.sources import FetchError, cache_path, fetch

HCPCS_ZIP = "hcpcs/2019/2019-Alpha-Numeric-HCPCS-File.zip"
HCPCS_XLSX = "hcpcs/HCPC2025_OCT_ANWEB.xlsx"
PCS_ZIP = "icd10pcs/fy2026/2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip"
CM_ZIP = "icd10cm/fy2026/2026-code-descriptions-tabular-order.zip"


class _Handler(SimpleHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).requests.append(self.path)
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(shared_data, tmp_path_factory):
    """Serves shared_data under /data/ and hand-made bad files under /bad/."""
    root = tmp_path_factory.mktemp("www")
    (root / "data").symlink_to(shared_data, target_is_directory=True)
    bad = root / "bad"
    bad.mkdir()
    (bad / "2026-alpha-numeric-hcpcs-file.zip").write_text(
        "<!DOCTYPE html><html><body>Access denied</body></html>"
    )
    whole = (shared_data / HCPCS_ZIP).read_bytes()
    (bad / "2019-Alpha-Numeric-HCPCS-File.zip").write_bytes(whole[: len(whole) // 2])
    handler = functools.partial(_Handler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_fetch_downloads_verifies_and_caches(server, tmp_path):
    url = f"{server}/data/{HCPCS_ZIP}"
    before = len(_Handler.requests)
    path = fetch("hcpcs", url, tmp_path, progress=False)
    assert path == cache_path("hcpcs", url, tmp_path) and path.name == "2019-Alpha-Numeric-HCPCS-File.zip"
    assert len(_Handler.requests) == before + 1
    src = hcpcs.select([path])
    assert src is not None and src.version == "2019"
    meta = json.loads((path.parent / ".source.json").read_text())
    assert meta["url"] == url and meta["size"] == path.stat().st_size
    # the second call is served from the cache: no request at all
    assert fetch("hcpcs", url, tmp_path, progress=False) == path
    assert len(_Handler.requests) == before + 1
    assert not [p for p in files_in(tmp_path) if ".part" in p.name]


def test_fetch_loose_anweb_xlsx(server, tmp_path):
    path = fetch("hcpcs", f"{server}/data/{HCPCS_XLSX}", tmp_path, progress=False)
    assert hcpcs.select([path]).version == "2025-10"


@pytest.mark.parametrize("kind,rel", [("icd10pcs", PCS_ZIP), ("icd10cm", CM_ZIP)])
def test_fetch_icd_zips(server, tmp_path, kind, rel):
    path = fetch(kind, f"{server}/data/{rel}", tmp_path, progress=False)
    assert path.is_file() and path.name == Path(rel).name


def test_wrong_kind_of_zip_is_rejected(server, tmp_path):
    with pytest.raises(FetchError, match=r"no member matching .*icd10pcs_order"):
        fetch("icd10pcs", f"{server}/data/{CM_ZIP}", tmp_path, progress=False)
    assert files_in(tmp_path) == []


def test_html_page_is_rejected_and_nothing_cached(server, tmp_path):
    with pytest.raises(FetchError, match="an HTML page"):
        fetch("hcpcs", f"{server}/bad/2026-alpha-numeric-hcpcs-file.zip", tmp_path, progress=False)
    assert files_in(tmp_path) == []


def test_truncated_zip_is_rejected_and_nothing_cached(server, tmp_path):
    with pytest.raises(FetchError, match="zip"):
        fetch("hcpcs", f"{server}/bad/2019-Alpha-Numeric-HCPCS-File.zip", tmp_path, progress=False)
    assert files_in(tmp_path) == []


def test_http_errors_and_bad_arguments(server, tmp_path):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch("hcpcs", f"{server}/data/hcpcs/nothing-here.zip", tmp_path, progress=False)
    with pytest.raises(FetchError, match="unknown release kind 'cpt'"):
        fetch("cpt", f"{server}/data/{HCPCS_ZIP}", tmp_path, progress=False)
    with pytest.raises(FetchError, match="only http"):
        fetch("hcpcs", "file:///etc/passwd", tmp_path, progress=False)
    # nothing listens on port 9 of loopback: a connection error, not a crash
    with pytest.raises(FetchError, match="download failed"):
        fetch("hcpcs", "http://127.0.0.1:9/x.zip", tmp_path, progress=False)
    assert files_in(tmp_path) == []


def test_damaged_cache_entry_is_fetched_again(server, tmp_path):
    url = f"{server}/data/{HCPCS_ZIP}"
    target = cache_path("hcpcs", url, tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"garbage")
    before = len(_Handler.requests)
    assert fetch("hcpcs", url, tmp_path, progress=False) == target
    assert len(_Handler.requests) == before + 1 and target.stat().st_size > 1_000_000


def test_cli_fetch(server, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDCODES_CACHE", str(tmp_path / "envcache"))
    runner = CliRunner()
    url = f"{server}/data/{PCS_ZIP}"
    result = runner.invoke(app, ["fetch", "icd10pcs", "--url", url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["url"] == url and Path(data["path"]).is_file()
    assert Path(data["path"]).is_relative_to(tmp_path / "envcache")
    result = runner.invoke(app, ["fetch", "hcpcs", "--url", f"{server}/bad/2026-alpha-numeric-hcpcs-file.zip",
                                 "--cache-dir", str(tmp_path / "c2")])
    assert result.exit_code == 1 and "HTML page" in result.output
